/*
 * The chunk writer: encodes events into one chunk's raw payload.
 *
 * Used by the recorder on the hot path, so everything here is inline, writes
 * only into the caller's buffer and the writer struct (both owned by one
 * thread), never allocates, locks or makes a system call.  Every function
 * that may not fit returns false (or LOT_NOROOM) and leaves the chunk as it
 * was, so the caller can seal the chunk and retry in a fresh one.
 *
 * Self-containment: the caches that turn a string address, a stack or a
 * trace id into a small id are reset by lot_writer_reset(), so every id
 * used in a chunk is defined in that chunk before its first use.
 *
 * The typed encoders lot_write_<event>(w, ticks, args...) are generated from
 * LOT_EVENT_TYPES (events.h).  Argument C types by kind:
 *   UVAR uint64_t, SVAR int64_t, STRING/STACK/TRACE uint32_t id (from the
 *   intern functions below, 0 for none), SPAN and TASK uint64_t id (0 for
 *   none),
 *   BYTES struct lot_bytes, PCS struct lot_pcs, ID128 const uint8_t *,
 *   VALUE struct lot_value.
 */
#ifndef LOT_FORMAT_WRITER_H
#define LOT_FORMAT_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/endian.h"
#include "lib/hash.h"
#include "lib/varint.h"
#include "trace-format/events.h"

#define LOT_NOROOM UINT32_MAX   /* intern result: the definition did not fit */
#define LOT_STRING_MAX 1024     /* longer strings and values are cut to this many bytes */
#define LOT_STACK_MAX 128       /* frames in one stack */
#define LOT_CHUNK_MIN 4096      /* smallest chunk payload the writer accepts */

#define LOT_WRITER_STRING_BITS 8
#define LOT_WRITER_STACK_BITS 8
#define LOT_WRITER_TRACE_SLOTS 16

struct lot_bytes {
	const void *data;
	size_t len;
};

struct lot_pcs {
	const uint64_t *pc;
	size_t n;
};

struct lot_value {
	bool is_str;
	int64_t i;
	struct lot_bytes s;
};

struct lot_writer {
	uint8_t *start, *pos, *end;
	uint64_t base_ticks;   /* absolute time base of the chunk */
	uint64_t last_unit;    /* previous timed event, in units of 2^shift ticks */
	uint64_t prev_span;    /* the id deltas' references (events.h): */
	uint64_t prev_task;    /* the chunk header's span_base and task at reset */
	uint32_t events;       /* timed events written */
	bool no_stacks;        /* the chunk's LOT_CHUNK_NO_STACKS: STACK arguments omitted */
	uint32_t next_string, next_stack, next_trace;
	unsigned shift;
	struct {
		const char *ptr;
		uint32_t id;
	} strings[1u << LOT_WRITER_STRING_BITS];
	struct {
		uint64_t hash;
		uint32_t id;
	} stacks[1u << LOT_WRITER_STACK_BITS];
	struct {
		uint8_t trace_id[16];
		uint32_t id;
	} traces[LOT_WRITER_TRACE_SLOTS];
};

/* Start a new chunk in buf[0, cap).  cap >= LOT_CHUNK_MIN.  span_base and
 * task are the chunk header's fields of those names. */
static inline void lot_writer_reset(struct lot_writer *w, uint8_t *buf, size_t cap,
				    uint64_t base_ticks, unsigned shift, uint64_t span_base,
				    uint64_t task)
{
	w->start = w->pos = buf;
	w->end = buf + cap;
	w->base_ticks = base_ticks;
	w->shift = shift;
	w->last_unit = base_ticks >> shift;
	w->prev_span = span_base;
	w->prev_task = task;
	w->events = 0;
	w->no_stacks = false;
	w->next_string = w->next_stack = w->next_trace = 1;
	memset(w->strings, 0, sizeof w->strings);
	memset(w->stacks, 0, sizeof w->stacks);
	memset(w->traces, 0, sizeof w->traces);
}

/* For a chunk whose header has LOT_CHUNK_NO_STACKS: call right after reset. */
static inline void lot_writer_omit_stacks(struct lot_writer *w) { w->no_stacks = true; }

static inline size_t lot_writer_used(const struct lot_writer *w) { return (size_t)(w->pos - w->start); }

/* Time of the chunk's last timed event (base_ticks when there is none). */
static inline uint64_t lot_writer_end_ticks(const struct lot_writer *w)
{
	uint64_t t = w->last_unit << w->shift;
	return t > w->base_ticks ? t : w->base_ticks;
}

/* ---- per-kind encoding: C type, worst-case size, store ---- */

#define LOT_CTYPE_UVAR uint64_t
#define LOT_CTYPE_SVAR int64_t
#define LOT_CTYPE_STRING uint32_t
#define LOT_CTYPE_STACK uint32_t
#define LOT_CTYPE_TRACE uint32_t
#define LOT_CTYPE_SPAN uint64_t
#define LOT_CTYPE_TASK uint64_t
#define LOT_CTYPE_BYTES struct lot_bytes
#define LOT_CTYPE_PCS struct lot_pcs
#define LOT_CTYPE_ID128 const uint8_t *
#define LOT_CTYPE_VALUE struct lot_value

#define LOT_KMAX_UVAR(a) LOT_VARINT_MAX
#define LOT_KMAX_SVAR(a) LOT_VARINT_MAX
#define LOT_KMAX_STRING(a) LOT_VARINT_MAX
#define LOT_KMAX_STACK(a) LOT_VARINT_MAX
#define LOT_KMAX_TRACE(a) LOT_VARINT_MAX
#define LOT_KMAX_SPAN(a) LOT_VARINT_MAX
#define LOT_KMAX_TASK(a) LOT_VARINT_MAX
#define LOT_KMAX_BYTES(a) (LOT_VARINT_MAX + (a).len)
#define LOT_KMAX_PCS(a) (LOT_VARINT_MAX + (a).n * LOT_VARINT_MAX)
#define LOT_KMAX_ID128(a) 16
#define LOT_KMAX_VALUE(a) (1 + LOT_VARINT_MAX + ((a).is_str ? (a).s.len : 0))

static inline uint8_t *lot_kput_bytes(uint8_t *p, struct lot_bytes b)
{
	p = lot_varint_put(p, b.len);
	if (b.len)
		memcpy(p, b.data, b.len);
	return p + b.len;
}

static inline uint8_t *lot_kput_pcs(uint8_t *p, struct lot_pcs s)
{
	p = lot_varint_put(p, s.n);
	uint64_t prev = 0;
	for (size_t i = 0; i < s.n; i++) {
		p = lot_svarint_put(p, (int64_t)(s.pc[i] - prev));
		prev = s.pc[i];
	}
	return p;
}

static inline uint8_t *lot_kput_value(uint8_t *p, struct lot_value v)
{
	*p++ = v.is_str ? 1 : 0;
	return v.is_str ? lot_kput_bytes(p, v.s) : lot_svarint_put(p, v.i);
}

/*
 * An id delta (events.h): from prev when the zigzagged difference fits in
 * four varint bytes, which it does for this thread's own spans and for task
 * ids (handed out in blocks), else the id itself, which leaves prev alone: a
 * remote parent or another thread's span costs nine bytes once instead of
 * also making the next nearby id expensive.
 */
#define LOT_ID_DELTA_MAX (1ull << 28) /* zigzag(delta) + LOT_ID_DELTA0 below this: 1-4 bytes */

static inline uint8_t *lot_kput_id(uint8_t *p, uint64_t *prev, uint64_t id)
{
	if (!id) {
		*p = LOT_ID_NONE;
		return p + 1;
	}
	uint64_t d = id - *prev;
	uint64_t zz = (d << 1) ^ (uint64_t)((int64_t)d >> 63);
	if (__builtin_expect(zz < LOT_ID_DELTA_MAX - LOT_ID_DELTA0, 1)) {
		*prev = id;
		return lot_varint_put(p, zz + LOT_ID_DELTA0);
	}
	*p = LOT_ID_ABSOLUTE;
	lot_put_le64(p + 1, id);
	return p + 9;
}

#define LOT_KPUT_UVAR(w, p, a) lot_varint_put(p, a)
#define LOT_KPUT_SVAR(w, p, a) lot_svarint_put(p, a)
#define LOT_KPUT_STRING(w, p, a) lot_varint_put(p, a)
#define LOT_KPUT_STACK(w, p, a) ((w)->no_stacks ? (p) : lot_varint_put(p, a))
#define LOT_KPUT_TRACE(w, p, a) lot_varint_put(p, a)
#define LOT_KPUT_SPAN(w, p, a) lot_kput_id(p, &(w)->prev_span, a)
#define LOT_KPUT_TASK(w, p, a) lot_kput_id(p, &(w)->prev_task, a)
#define LOT_KPUT_BYTES(w, p, a) lot_kput_bytes(p, a)
#define LOT_KPUT_PCS(w, p, a) lot_kput_pcs(p, a)
#define LOT_KPUT_ID128(w, p, a) (memcpy(p, a, 16), (p) + 16)
#define LOT_KPUT_VALUE(w, p, a) lot_kput_value(p, a)

/* The time delta of a timed event.  A clock that steps back (TSC skew across
 * CPUs) is clamped to a zero delta: order within a thread is the stream order. */
static inline uint8_t *lot_writer_put_time(struct lot_writer *w, uint8_t *p, uint64_t ticks)
{
	uint64_t unit = ticks >> w->shift;
	uint64_t dt = unit > w->last_unit ? unit - w->last_unit : 0;
	if (unit > w->last_unit)
		w->last_unit = unit;
	return lot_varint_put(p, dt);
}

/* ---- generated encoders ---- */

#define LOT_W_BEGIN(code, flags, maxlen)                                         \
	uint8_t *p = w->pos;                                                     \
	if ((size_t)(w->end - p) < (size_t)(1 + LOT_VARINT_MAX + (maxlen)))       \
		return false;                                                    \
	*p++ = (code);                                                           \
	if ((flags) & LOT_TIMED)                                                 \
		p = lot_writer_put_time(w, p, now_ticks);                            \
	else                                                                     \
		(void)now_ticks;
#define LOT_W_END(flags)                                                         \
	w->pos = p;                                                              \
	if ((flags) & LOT_TIMED)                                                 \
		w->events++;                                                     \
	return true;

#define LOT_W0(code, name, flags)                                                          \
	static inline bool lot_write_##name(struct lot_writer *w, uint64_t now_ticks)      \
	{                                                                                  \
		LOT_W_BEGIN(code, flags, 0)                                                \
		LOT_W_END(flags)                                                           \
	}
#define LOT_W1(code, name, flags, k1, a1)                                                  \
	static inline bool lot_write_##name(struct lot_writer *w, uint64_t now_ticks,          \
					    LOT_CTYPE_##k1 a1)                             \
	{                                                                                  \
		LOT_W_BEGIN(code, flags, LOT_KMAX_##k1(a1))                                \
		p = LOT_KPUT_##k1(w, p, a1);                                               \
		LOT_W_END(flags)                                                           \
	}
#define LOT_W2(code, name, flags, k1, a1, k2, a2)                                          \
	static inline bool lot_write_##name(struct lot_writer *w, uint64_t now_ticks,          \
					    LOT_CTYPE_##k1 a1, LOT_CTYPE_##k2 a2)          \
	{                                                                                  \
		LOT_W_BEGIN(code, flags, LOT_KMAX_##k1(a1) + LOT_KMAX_##k2(a2))           \
		p = LOT_KPUT_##k1(w, p, a1);                                               \
		p = LOT_KPUT_##k2(w, p, a2);                                               \
		LOT_W_END(flags)                                                           \
	}
#define LOT_W3(code, name, flags, k1, a1, k2, a2, k3, a3)                                  \
	static inline bool lot_write_##name(struct lot_writer *w, uint64_t now_ticks,          \
					    LOT_CTYPE_##k1 a1, LOT_CTYPE_##k2 a2,          \
					    LOT_CTYPE_##k3 a3)                             \
	{                                                                                  \
		LOT_W_BEGIN(code, flags,                                                   \
			    LOT_KMAX_##k1(a1) + LOT_KMAX_##k2(a2) + LOT_KMAX_##k3(a3))     \
		p = LOT_KPUT_##k1(w, p, a1);                                               \
		p = LOT_KPUT_##k2(w, p, a2);                                               \
		p = LOT_KPUT_##k3(w, p, a3);                                               \
		LOT_W_END(flags)                                                           \
	}
#define LOT_W4(code, name, flags, k1, a1, k2, a2, k3, a3, k4, a4)                          \
	static inline bool lot_write_##name(struct lot_writer *w, uint64_t now_ticks,          \
					    LOT_CTYPE_##k1 a1, LOT_CTYPE_##k2 a2,          \
					    LOT_CTYPE_##k3 a3, LOT_CTYPE_##k4 a4)          \
	{                                                                                  \
		LOT_W_BEGIN(code, flags, LOT_KMAX_##k1(a1) + LOT_KMAX_##k2(a2) +           \
						 LOT_KMAX_##k3(a3) + LOT_KMAX_##k4(a4))    \
		p = LOT_KPUT_##k1(w, p, a1);                                               \
		p = LOT_KPUT_##k2(w, p, a2);                                               \
		p = LOT_KPUT_##k3(w, p, a3);                                               \
		p = LOT_KPUT_##k4(w, p, a4);                                               \
		LOT_W_END(flags)                                                           \
	}
#define LOT_W5(code, name, flags, k1, a1, k2, a2, k3, a3, k4, a4, k5, a5)                  \
	static inline bool lot_write_##name(struct lot_writer *w, uint64_t now_ticks,          \
					    LOT_CTYPE_##k1 a1, LOT_CTYPE_##k2 a2,          \
					    LOT_CTYPE_##k3 a3, LOT_CTYPE_##k4 a4,          \
					    LOT_CTYPE_##k5 a5)                             \
	{                                                                                  \
		LOT_W_BEGIN(code, flags, LOT_KMAX_##k1(a1) + LOT_KMAX_##k2(a2) +           \
						 LOT_KMAX_##k3(a3) + LOT_KMAX_##k4(a4) +   \
						 LOT_KMAX_##k5(a5))                        \
		p = LOT_KPUT_##k1(w, p, a1);                                               \
		p = LOT_KPUT_##k2(w, p, a2);                                               \
		p = LOT_KPUT_##k3(w, p, a3);                                               \
		p = LOT_KPUT_##k4(w, p, a4);                                               \
		p = LOT_KPUT_##k5(w, p, a5);                                               \
		LOT_W_END(flags)                                                           \
	}

LOT_EVENT_TYPES(LOT_W0, LOT_W1, LOT_W2, LOT_W3, LOT_W4, LOT_W5)

/* ---- interning: address, stack or trace id -> small id defined in this chunk ---- */

/* The length of s, at most LOT_STRING_MAX; a loop because GCC 12 at -O1
 * warns (-Wstringop-overread) when strnlen's bound exceeds a literal's size. */
static inline size_t lot_string_len(const char *s)
{
	size_t n = 0;
	while (n < LOT_STRING_MAX && s[n])
		n++;
	return n;
}

/* Id of a static string (interned by address), 0 for NULL, LOT_NOROOM if its
 * definition does not fit. */
static inline uint32_t lot_writer_string(struct lot_writer *w, const char *s)
{
	if (!s)
		return 0;
	unsigned slot = lot_hash_ptr(s, LOT_WRITER_STRING_BITS);
	if (w->strings[slot].ptr == s)
		return w->strings[slot].id;
	size_t len = lot_string_len(s);
	uint32_t id = w->next_string;
	if (!lot_write_string_def(w, 0, id, (struct lot_bytes){s, len}))
		return LOT_NOROOM;
	w->next_string++;
	w->strings[slot].ptr = s;
	w->strings[slot].id = id;
	return id;
}

/* Id of a stack of n PCs (innermost first) whose lot_hash_words() is h
 * (as a stack walk computes it, lib/stackwalk.h): 0 when n == 0, LOT_NOROOM
 * if its definition does not fit.  Within a chunk the 64-bit hash is the
 * stack's identity (lib/hash.h).  n <= LOT_STACK_MAX. */
static inline uint32_t lot_writer_stack_hashed(struct lot_writer *w, const uint64_t *pc, size_t n,
					       uint64_t h)
{
	if (n == 0)
		return 0;
	unsigned slot = (unsigned)(h >> (64 - LOT_WRITER_STACK_BITS));
	if (__builtin_expect(w->stacks[slot].id && w->stacks[slot].hash == h, 1))
		return w->stacks[slot].id;
	uint32_t id = w->next_stack;
	if (!lot_write_stack_def(w, 0, id, (struct lot_pcs){pc, n}))
		return LOT_NOROOM;
	w->next_stack++;
	w->stacks[slot].hash = h;
	w->stacks[slot].id = id;
	return id;
}

/* The same for PCs not hashed yet; n is cut to LOT_STACK_MAX. */
static inline uint32_t lot_writer_stack(struct lot_writer *w, const uint64_t *pc, size_t n)
{
	if (n > LOT_STACK_MAX)
		n = LOT_STACK_MAX;
	return lot_writer_stack_hashed(w, pc, n, lot_hash_words(pc, n));
}

/* After a definition of the next trace ref: cache it and return it.  Trace
 * ids look random, so their first byte picks the slot. */
static inline uint32_t lot_writer_trace_remember(struct lot_writer *w, const uint8_t *trace_id)
{
	unsigned slot = trace_id[0] % LOT_WRITER_TRACE_SLOTS;
	uint32_t id = w->next_trace++;
	memcpy(w->traces[slot].trace_id, trace_id, 16);
	w->traces[slot].id = id;
	return id;
}

/* Define a nonzero trace id in this chunk without looking it up first: for a
 * trace id the caller knows is new here (one it has just made).  Its ref, or
 * LOT_NOROOM. */
static inline uint32_t lot_writer_trace_define(struct lot_writer *w, const uint8_t *trace_id)
{
	if (!lot_write_trace_def(w, 0, w->next_trace, trace_id))
		return LOT_NOROOM;
	return lot_writer_trace_remember(w, trace_id);
}

/* Define, for a root span the caller has just made, the trace id it derived
 * from the session's trace key and the root's span id (trace_id.h): a
 * trace_gen of a few bytes instead of a trace_def's 16.  Its ref, or
 * LOT_NOROOM. */
static inline uint32_t lot_writer_trace_gen(struct lot_writer *w, uint64_t root_span,
					    const uint8_t *trace_id)
{
	if (!lot_write_trace_gen(w, 0, w->next_trace, root_span))
		return LOT_NOROOM;
	return lot_writer_trace_remember(w, trace_id);
}

/* Ref of a trace id known to be nonzero (e.g. a valid parent's), or
 * LOT_NOROOM if its definition does not fit.  Trace ids are random, so their
 * first byte picks the slot; the compare is two 8-byte words. */
static inline uint32_t lot_writer_trace_nonzero(struct lot_writer *w, const uint8_t *trace_id)
{
	unsigned slot = trace_id[0] % LOT_WRITER_TRACE_SLOTS;
	uint64_t a0, a1, b0, b1;
	memcpy(&a0, trace_id, 8);
	memcpy(&a1, trace_id + 8, 8);
	memcpy(&b0, w->traces[slot].trace_id, 8);
	memcpy(&b1, w->traces[slot].trace_id + 8, 8);
	if (w->traces[slot].id && !((a0 ^ b0) | (a1 ^ b1)))
		return w->traces[slot].id;
	return lot_writer_trace_define(w, trace_id);
}

/* Ref of a 16-byte trace id, 0 for NULL or all-zero, LOT_NOROOM if its
 * definition does not fit. */
static inline uint32_t lot_writer_trace(struct lot_writer *w, const uint8_t *trace_id)
{
	static const uint8_t zero[16];
	if (!trace_id || !memcmp(trace_id, zero, 16))
		return 0;
	return lot_writer_trace_nonzero(w, trace_id);
}

/* A string value for span_attr (copied, not interned), cut to LOT_STRING_MAX. */
static inline struct lot_value lot_value_str(const char *s)
{
	size_t n = s ? lot_string_len(s) : 0;
	return (struct lot_value){.is_str = true, .s = {s, n}};
}

static inline struct lot_value lot_value_int(int64_t i)
{
	return (struct lot_value){.is_str = false, .i = i};
}

#endif
