/*
 * The lot_* entry points.  Each probe: enter (thread.h: tracing still on,
 * not nested), timestamp, intern and encode into the thread's chunk
 * (LOT_RECORD: a chunk switch and one retry when it does not fit), publish,
 * exit.  Stacks are walked here, so lot_stack_walk (always inline) starts in
 * the probe's frame and the first PC is the probe's call site.
 */
#include <string.h>

#include "lib/clock.h"
#include "lib/stackwalk.h"
#include "trace-format/trace_id.h"
#include "tracer/lotrace.h"
#include "tracer/thread.h"

/* The probes are flattened: GCC otherwise keeps the encoders (expanded
 * twice by LOT_RECORD) and small helpers such as lot_probe_publish out of
 * line, and a call costs its arguments, the saved registers and the reloads
 * after it (~500 of the ~9600 instructions a traced request of
 * bench/overhead adds, with stacks). */

/* Walk the caller's stack into pcs when stacks are on, hashing it on the
 * way (into h); the frame count. */
#define LOT_STACK(pcs, h)                                                               \
	(lot_rt.stacks ? lot_stack_walk(&t->bounds, 0, (pcs), lot_rt.stack_depth, (h)) \
		       : (*(h) = 0, (size_t)0))

/* The stack's id, 0 without frames.  Always inline, so that with stacks off
 * (n == 0) no call is made: LOT_RECORD expands its encoding twice, which made
 * GCC keep this out of line. */
static inline __attribute__((always_inline)) bool enc_stack(struct lot_thread *t,
							     const uint64_t *pcs, size_t n,
							     uint64_t hash, uint32_t *id)
{
	*id = lot_writer_stack_hashed(&t->w, pcs, n, hash);
	return *id != LOT_NOROOM;
}

static inline bool enc_string(struct lot_writer *w, const char *s, uint32_t *id)
{
	*id = lot_writer_string(w, s);
	return *id != LOT_NOROOM;
}

/* The id of a string already defined in the current chunk, else LOT_NOROOM
 * (the writer's lot_writer_string() without its definition path). */
static inline uint32_t string_cached(const struct lot_writer *w, const char *s)
{
	unsigned slot = lot_hash_ptr(s, LOT_WRITER_STRING_BITS);
	return w->strings[slot].ptr == s ? w->strings[slot].id : LOT_NOROOM;
}

static inline struct lot_thread *self_or_create(void)
{
	struct lot_thread *t = lot_self;
	return t ? t : lot_thread_create();
}

LOT_API void lot_thread_name(const char *name)
{
	struct lot_thread *t = self_or_create();
	if (!t || !name)
		return;
	/* A probe, so that the flusher never reads the name while it changes. */
	if (atomic_load_explicit(&t->in_probe, memory_order_relaxed))
		return;
	lot_probe_mark(t);
	if (atomic_load_explicit(&t->steal, memory_order_seq_cst))
		lot_thread_steal_seen(t);
	size_t n = strnlen(name, LOT_THREAD_NAME_MAX);
	memcpy(t->name, name, n);
	t->name[n] = 0;
	if (atomic_load_explicit(&lot_rt.on, memory_order_seq_cst) && t->cur &&
	    t->gen == lot_rt.gen)
		strcpy(t->cur->name, t->name);
	lot_probe_exit(t);
}

LOT_API __attribute__((flatten)) uint64_t lot_task_create(const char *name)
{
	struct lot_thread *t = self_or_create();
	if (!t)
		return 0;
	if (t->task_next == t->task_limit) {
		t->task_next = lot_task_block_reserve();
		t->task_limit = t->task_next + LOT_TASK_BLOCK;
	}
	uint64_t id = t->task_next++;
	if (!lot_enabled() || !(t = lot_probe_enter()))
		return id;
	uint64_t pcs[LOT_STACK_MAX], hash;
	size_t n = LOT_STACK(pcs, &hash);
	uint64_t now = lot_clock_now();
	uint32_t sname, stack;
	LOT_RECORD(t, now,
		   enc_string(&t->w, name, &sname) && enc_stack(t, pcs, n, hash, &stack) &&
			   lot_write_task_create(&t->w, now, id, t->task_cur, sname, stack));
	lot_probe_exit(t);
	return id;
}

LOT_API uint64_t lot_task_current(void)
{
	struct lot_thread *t = self_or_create();
	return t ? t->task_cur : 0;
}

LOT_API __attribute__((flatten)) void lot__task_start(uint64_t task)
{
	struct lot_thread *t = lot_probe_enter();
	if (!t)
		return;
	uint64_t now = lot_clock_now();
	if (task && task != t->task_cur) {
		t->task_cur = task;
		t->n_spans = 0; /* the previous task's spans are not this one's parents */
	}
	LOT_RECORD(t, now, lot_write_task_start(&t->w, now, task));
	lot_probe_exit(t);
}

/*
 * The body of a probe that records a string and its caller's stack
 * (task_block, instant): WRITE is the event's writer call, over `sid` (the
 * string's id) and `stack`.  A macro, not a function: the walk must start
 * in the probe's own frame.
 */
#define STRING_STACK_PROBE(str, WRITE)                                                 \
	do {                                                                           \
		struct lot_thread *t = lot_probe_enter();                              \
		if (!t)                                                                \
			return;                                                        \
		uint64_t pcs[LOT_STACK_MAX], hash;                                     \
		size_t n = LOT_STACK(pcs, &hash);                                      \
		uint64_t now = lot_clock_now();                                        \
		uint32_t sid, stack;                                                   \
		LOT_RECORD(t, now,                                                     \
			   enc_string(&t->w, str, &sid) && enc_stack(t, pcs, n, hash, &stack) && \
				   WRITE);                                             \
		lot_probe_exit(t);                                                     \
	} while (0)

LOT_API __attribute__((flatten)) void lot__task_block(const char *reason)
{
	STRING_STACK_PROBE(reason, lot_write_task_block(&t->w, now, sid, 0, stack));
}

LOT_API __attribute__((flatten)) void lot__task_unblock(uint64_t task)
{
	struct lot_thread *t = lot_probe_enter();
	if (!t)
		return;
	uint64_t pcs[LOT_STACK_MAX], hash;
	size_t n = LOT_STACK(pcs, &hash);
	uint64_t now = lot_clock_now();
	uint32_t stack;
	LOT_RECORD(t, now,
		   enc_stack(t, pcs, n, hash, &stack) && lot_write_task_unblock(&t->w, now, task, stack));
	lot_probe_exit(t);
}

LOT_API void lot__task_yield(void)
{
	struct lot_thread *t = lot_probe_enter();
	if (!t)
		return;
	uint64_t now = lot_clock_now();
	LOT_RECORD(t, now, lot_write_task_yield(&t->w, now));
	lot_probe_exit(t);
}

LOT_API __attribute__((flatten)) void lot__task_end(void)
{
	struct lot_thread *t = lot_probe_enter();
	if (!t)
		return;
	uint64_t now = lot_clock_now();
	LOT_RECORD(t, now, lot_write_task_end(&t->w, now));
	t->task_cur = t->task_self;
	t->n_spans = 0; /* its spans are no one's implicit parents */
	lot_probe_exit(t);
}

/* ---- spans ---- */

static inline bool span_trace_nonzero(const lot_span *s)
{
	uint64_t a, b;
	memcpy(&a, s->trace_id, 8);
	memcpy(&b, s->trace_id + 8, 8);
	return (a | b) != 0;
}

/* The thread's next span id, salt | counter (never 0, "none"): consecutive,
 * so the writer's id deltas encode the thread's spans in one byte. */
static inline uint64_t next_span_id(struct lot_thread *t)
{
	uint32_t c = ++t->span_ctr;
	if (__builtin_expect(!c, 0)) { /* 2^32 spans on this thread: a new salt */
		t->span_salt = lot_rng_next(&t->rng) & ~0xffffffffull;
		c = ++t->span_ctr;
	}
	return t->span_salt | c;
}

/* A root span's trace id, derived from the session's key and the root's
 * span id (trace-format/trace_id.h), so the chunk records a few-byte
 * trace_gen rather than 16 random bytes. */
static inline void root_trace_id(uint64_t root_span, uint8_t out[16])
{
	uint64_t half[2];
	lot_trace_id_halves(lot_rt.trace_key, root_span, half);
	lot_trace_id_store(out, half[0], half[1]);
}

/* Make a new span's ids in *s: under the explicit parent if valid, else
 * under the innermost span open here, else as a new trace (true: a root).
 * *parent_id is the parent's span id (0 for a root).  The span becomes the
 * innermost open span here.  A full span stack (spans that ended on other
 * threads, or a deep nest) drops its older half: those are the likeliest
 * stale, and the fast path, which needs room, works again at once. */
static inline bool span_make(struct lot_thread *t, const lot_span *parent, lot_span *s,
			     uint64_t *parent_id)
{
	const lot_span *from = NULL;
	if (!parent && t->n_spans)
		from = &t->spans[t->n_spans - 1]; /* made here: always valid */
	else if (parent && parent->span_id && span_trace_nonzero(parent))
		from = parent;
	s->span_id = next_span_id(t);
	if (from) {
		memcpy(s->trace_id, from->trace_id, 16);
		s->flags = from->flags;
		*parent_id = from->span_id;
	} else {
		root_trace_id(s->span_id, s->trace_id);
		s->flags = 1; /* sampled: we record it */
		*parent_id = 0;
	}
	if (__builtin_expect(t->n_spans == LOT_OPEN_SPANS, 0)) {
		const unsigned keep = LOT_OPEN_SPANS / 2;
		memmove(t->spans, t->spans + LOT_OPEN_SPANS - keep, keep * sizeof t->spans[0]);
		t->n_spans = keep;
	}
	/* field by field: a whole-struct copy would reload the fields just
	 * stored with wider loads, which stalls store forwarding */
	lot_span *slot = &t->spans[t->n_spans++];
	memcpy(slot->trace_id, s->trace_id, 16);
	slot->span_id = s->span_id;
	slot->flags = s->flags;
	return !from;
}

/* The whole span_begin probe (every case: stacks, a full span stack, the
 * clock a call, the name not yet in the chunk, a chunk switch).  Out of
 * line: lot__span_begin() comes here when its fast path cannot start.  Not
 * cold: with stacks on (the default) every span begins here. */
static __attribute__((noinline, flatten)) lot_span span_begin_full(const char *name,
								      const lot_span *parent)
{
	struct lot_thread *t = lot_probe_enter();
	if (!t)
		return lot__span_ids(parent); /* tracing stopped meanwhile */
	lot_span s; /* the return value: built in place, field by field */
	uint64_t parent_id;
	bool root = span_make(t, parent, &s, &parent_id);
	uint64_t pcs[LOT_STACK_MAX], hash;
	size_t n = LOT_STACK(pcs, &hash);
	uint64_t now = lot_clock_now();
	uint32_t sname, trace, stack;
	LOT_RECORD(t, now,
		   enc_string(&t->w, name, &sname) &&
			   (trace = root ? lot_writer_trace_gen(&t->w, s.span_id, s.trace_id)
					 : lot_writer_trace(&t->w, s.trace_id)) != LOT_NOROOM &&
			   enc_stack(t, pcs, n, hash, &stack) &&
			   lot_write_span_begin(&t->w, now, s.span_id, parent_id, trace, sname, stack));
	lot_probe_exit(t);
	return s;
}

/* The rest of a fast span_begin that could not encode at once: the span is
 * already made and on top of the span stack; record it the full way. */
static __attribute__((noinline)) lot_span span_begin_rest(struct lot_thread *t, uint64_t now,
							   const char *name, uint64_t parent_id)
{
	const lot_span *top = &t->spans[t->n_spans - 1];
	uint32_t sname, trace, stack;
	LOT_RECORD(t, now,
		   enc_string(&t->w, name, &sname) &&
			   (trace = lot_writer_trace(&t->w, top->trace_id)) != LOT_NOROOM &&
			   enc_stack(t, NULL, 0, 0, &stack) &&
			   lot_write_span_begin(&t->w, now, top->span_id, parent_id, trace, sname, stack));
	lot_probe_exit(t);
	lot_span s;
	memcpy(s.trace_id, top->trace_id, 16);
	s.span_id = top->span_id;
	s.flags = top->flags;
	return s;
}

/* The common case after lot__span_begin's checks (entered, stacks off, room
 * on the span stack, the clock read): the name already in the chunk, room
 * for the event.  The result is the same as span_begin_full()'s.  A
 * function of its own, so that lot__span_begin saves no registers before it
 * knows which way it goes: with stacks on it only tail-calls. */
static __attribute__((noinline, flatten)) lot_span span_begin_fast(struct lot_thread *t,
								    uint64_t now,
								    const char *name,
								    const lot_span *parent)
{
	lot_span s; /* the return value: built in place, field by field */
	uint64_t parent_id;
	bool root = span_make(t, parent, &s, &parent_id);
	uint32_t sname = name ? string_cached(&t->w, name) : 0, trace;
	if (__builtin_expect(sname != LOT_NOROOM &&
				     (trace = root ? lot_writer_trace_gen(&t->w, s.span_id, s.trace_id)
						   : lot_writer_trace_nonzero(&t->w, s.trace_id)) != LOT_NOROOM &&
				     lot_write_span_begin(&t->w, now, s.span_id, parent_id, trace, sname, 0),
			     1)) {
		lot_probe_publish(t);
		lot_probe_exit(t);
		return s;
	}
	/* A root's trace may now be defined in this chunk: the rest looks it up. */
	return span_begin_rest(t, now, name, parent_id);
}

/* Which way a span begins, with tail calls only. */
LOT_API lot_span lot__span_begin(const char *name, const lot_span *parent)
{
	struct lot_thread *t = lot_self;
	if (__builtin_expect(!lot_probe_enter_fast(t), 0))
		return span_begin_full(name, parent);
	uint64_t now;
	if (__builtin_expect(lot_rt.stacks || t->n_spans >= LOT_OPEN_SPANS ||
				     !lot_clock_now_nocall(&now),
			     0)) {
		lot_probe_exit(t); /* nothing done yet: the full path enters again */
		return span_begin_full(name, parent);
	}
	return span_begin_fast(t, now, name, parent);
}

/* The whole span_end probe, for every case the fast path leaves out. */
static __attribute__((noinline, cold)) void span_end_full(const lot_span *span)
{
	struct lot_thread *t = lot_probe_enter();
	if (!t)
		return;
	uint64_t id = span ? span->span_id : 0;
	/* Forget it as an implicit parent: normally the innermost one. */
	unsigned n = t->n_spans;
	if (__builtin_expect(n && t->spans[n - 1].span_id == id, 1))
		t->n_spans = n - 1;
	else
		for (unsigned i = n; i-- > 0;)
			if (t->spans[i].span_id == id) {
				memmove(&t->spans[i], &t->spans[i + 1], (n - i - 1) * sizeof t->spans[0]);
				t->n_spans = n - 1;
				break;
			}
	uint64_t now = lot_clock_now();
	LOT_RECORD(t, now, lot_write_span_end(&t->w, now, id));
	lot_probe_exit(t);
}

static __attribute__((noinline)) void span_end_rest(struct lot_thread *t, uint64_t now, uint64_t id)
{
	LOT_RECORD(t, now, lot_write_span_end(&t->w, now, id));
	lot_probe_exit(t);
}

/* The common case: the innermost open span ends and the event fits. */
LOT_API __attribute__((flatten)) void lot__span_end(const lot_span *span)
{
	struct lot_thread *t = lot_self;
	if (__builtin_expect(!lot_probe_enter_fast(t), 0))
		return span_end_full(span);
	uint64_t id = span ? span->span_id : 0;
	unsigned n = t->n_spans;
	uint64_t now;
	if (__builtin_expect(!n || t->spans[n - 1].span_id != id || !lot_clock_now_nocall(&now), 0)) {
		lot_probe_exit(t); /* nothing done yet: the full path enters again */
		return span_end_full(span);
	}
	t->n_spans = n - 1;
	if (__builtin_expect(lot_write_span_end(&t->w, now, id), 1)) {
		lot_probe_publish(t);
		lot_probe_exit(t);
		return;
	}
	return span_end_rest(t, now, id);
}

/* A span attribute with its value (lot_value_str or lot_value_int). */
static inline __attribute__((always_inline)) void span_attr(const lot_span *span, const char *key,
							    struct lot_value value)
{
	struct lot_thread *t = lot_probe_enter();
	if (!t)
		return;
	uint64_t now = lot_clock_now();
	uint32_t skey;
	LOT_RECORD(t, now,
		   enc_string(&t->w, key, &skey) &&
			   lot_write_span_attr(&t->w, now, span ? span->span_id : 0, skey, value));
	lot_probe_exit(t);
}

LOT_API __attribute__((flatten)) void lot__span_attr_str(const lot_span *span, const char *key, const char *value)
{
	span_attr(span, key, lot_value_str(value));
}

LOT_API __attribute__((flatten)) void lot__span_attr_int(const lot_span *span, const char *key, int64_t value)
{
	span_attr(span, key, lot_value_int(value));
}

/* ---- instants and counters ---- */

LOT_API __attribute__((flatten)) void lot__instant(const char *name)
{
	STRING_STACK_PROBE(name, lot_write_instant(&t->w, now, sid, stack));
}

/* The whole counter probe: entry with every case handled, interning and a
 * chunk switch when needed.  Out of line: lot__counter() comes here only
 * when its fast path cannot complete. */
static __attribute__((noinline, cold)) void counter_full(const char *name, int64_t value)
{
	struct lot_thread *t = lot_probe_enter();
	if (!t)
		return;
	uint64_t now = lot_clock_now();
	uint32_t sname;
	LOT_RECORD(t, now,
		   enc_string(&t->w, name, &sname) && lot_write_counter(&t->w, now, sname, value));
	lot_probe_exit(t);
}

/* The same after a fast entry (in_probe is set): the name was not in the
 * chunk yet, or the event did not fit. */
static __attribute__((noinline)) void counter_rest(struct lot_thread *t, uint64_t now,
						   const char *name, int64_t value)
{
	uint32_t sname;
	LOT_RECORD(t, now,
		   enc_string(&t->w, name, &sname) && lot_write_counter(&t->w, now, sname, value));
	lot_probe_exit(t);
}

/* The common case with no call but tail calls: the name already defined in
 * this chunk and room for the event.  Anything else goes the full way. */
LOT_API void lot__counter(const char *name, int64_t value)
{
	struct lot_thread *t = lot_self;
	if (__builtin_expect(!lot_probe_enter_fast(t), 0))
		return counter_full(name, value);
	uint64_t now;
	if (__builtin_expect(!lot_clock_now_nocall(&now), 0)) {
		lot_probe_exit(t); /* as if it had not begun: the full path enters again */
		return counter_full(name, value);
	}
	uint32_t sname = name ? string_cached(&t->w, name) : 0;
	if (__builtin_expect(sname != LOT_NOROOM && lot_write_counter(&t->w, now, sname, value), 1)) {
		lot_probe_publish(t);
		lot_probe_exit(t);
		return;
	}
	return counter_rest(t, now, name, value);
}
