/*
 * A chunk's payload: definitions and events, decoded by the file's own
 * event-type table (so a type from a newer minor is decoded generically by
 * its kinds, and a type this reader knows keeps the shape of events.h, which
 * the header parser checked).
 *
 * The per-event path is the reader's hot loop (`lotrace info` aims at 100 M
 * events/s), hence: short varints decoded inline, only nargs arguments
 * written per event, O(1) id lookups in per-chunk tables, stacks expanded
 * once per stack_def into a PC pool sized once per chunk (so pointers into
 * it stay valid for the chunk's lifetime), and a separate counting loop that
 * fills no event at all.
 *
 * Ids are dense: the n-th string_def of a chunk defines string n (likewise
 * stacks, and traces whether defined by trace_def or trace_gen).  Anything else, and any reference to an id not yet
 * defined, is damage: the rest of the chunk is skipped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/endian.h"
#include "lib/varint.h"
#include "trace-format/decode.h"
#include "trace-format/payload.h"
#include "trace-format/reader_impl.h"
#include "trace-format/trace_id.h"
#include "trace-format/types.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

void lot_rd_free_decode(struct lot_reader *r)
{
	free(r->strings);
	free(r->stacks);
	free(r->traces);
	free(r->pool);
}

int lot_rd_chunk_start(struct lot_reader *r)
{
	const struct lot_chunk_info *ci = &r->chunk.info;
	/* Each PC costs at least one payload byte: raw_len entries bound the pool. */
	if (r->pool_cap < ci->raw_len || !r->pool) {
		size_t cap = ci->raw_len > 1024 ? ci->raw_len : 1024;
		uint64_t *pool = realloc(r->pool, cap * sizeof *pool);
		if (!pool)
			return -1;
		r->pool = pool;
		r->pool_cap = cap;
	}
	r->pool_used = 0;
	r->n_strings = r->n_stacks = r->n_traces = 0;
	r->p = r->raw;
	r->end = r->raw + ci->raw_len;
	r->unit = ci->base_ticks >> r->hdr.clock.time_shift;
	r->prev_span = ci->span_base;
	r->prev_task = ci->task;
	r->no_stacks = (ci->flags & LOT_CHUNK_NO_STACKS) != 0;
	r->timed = 0;
	r->cstate = ci->lost ? LOT_CS_LOST : LOT_CS_EVENTS;
	return 0;
}

/* Grow a 1-based id table so that index n + 1 exists. */
static int grow(void **tab, uint32_t *cap, size_t elem, uint32_t n)
{
	if (n + 1 < *cap)
		return 0;
	uint32_t c = *cap ? 2 * *cap : 256;
	void *t = realloc(*tab, (size_t)c * elem);
	if (!t)
		return -1;
	*tab = t;
	*cap = c;
	return 0;
}

static int bad(struct lot_reader *r, const uint8_t *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), cold, noinline));

static int bad(struct lot_reader *r, const uint8_t *at, const char *fmt, ...)
{
	char why[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	r->damaged = true;
	r->cstate = LOT_CS_NONE;
	const struct lot_chunk *c = &r->chunk;
	lot_rd_warn(r, c->offset,
		    "chunk (thread %llu, seq %u): %s at payload byte %zu; rest of the chunk skipped",
		    (unsigned long long)c->info.tid, c->info.seq, why,
		    (size_t)(at - r->raw));
	return -1;
}

/* End of the payload: the header's event count must match what was decoded. */
static int finish(struct lot_reader *r)
{
	r->cstate = LOT_CS_NONE;
	const struct lot_chunk *c = &r->chunk;
	if (r->timed != c->info.events) {
		r->damaged = true;
		lot_rd_warn(r, c->offset,
			    "chunk (thread %llu, seq %u): header says %u events, payload has %u",
			    (unsigned long long)c->info.tid, c->info.seq,
			    c->info.events, r->timed);
	}
	return 0;
}

/* PCs of a PCS argument into the pool. */
static ALWAYS_INLINE int get_pcs(struct lot_reader *r, const uint8_t **pp, const uint8_t *end,
				 uint32_t *off, uint32_t *n)
{
	uint64_t cnt;
	const uint8_t *p = *pp;
	if (lot_varint_get(&p, end, &cnt) || cnt > (uint64_t)(end - p))
		return -1;
	uint64_t *out = r->pool + r->pool_used, pc = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		uint64_t z;
		if (lot_varint_get(&p, end, &z))
			return -1;
		pc += (uint64_t)lot_zigzag_decode(z);
		out[i] = pc;
	}
	*off = (uint32_t)r->pool_used;
	*n = (uint32_t)cnt;
	r->pool_used += cnt;
	*pp = p;
	return 0;
}

/*
 * The rest of an id delta whose first varint v has been read (events.h):
 * the id, and prev moved for a delta.  False if an absolute id runs past
 * the end.
 */
static ALWAYS_INLINE bool get_id(const uint8_t **pp, const uint8_t *end, uint64_t v,
				 uint64_t *prev, uint64_t *id)
{
	if (__builtin_expect(v >= LOT_ID_DELTA0, 1)) {
		*prev += (uint64_t)lot_zigzag_decode(v - LOT_ID_DELTA0);
		*id = *prev;
	} else if (v == LOT_ID_ABSOLUTE) {
		if (end - *pp < 8)
			return false;
		*id = lot_get_le64(*pp);
		*pp += 8;
	} else {
		*id = 0;
	}
	return true;
}

/* string_def, stack_def, trace_def, trace_gen: checked and stored, never returned. */
static int definition(struct lot_reader *r, unsigned code, const uint8_t **pp, const uint8_t *at)
{
	const uint8_t *p = *pp, *end = r->end;
	uint64_t id;
	if (lot_varint_get(&p, end, &id))
		return bad(r, at, "bad definition id");
	switch (code) {
	case LOT_EV_string_def: {
		uint64_t len;
		if (id != (uint64_t)r->n_strings + 1)
			return bad(r, at, "string %llu defined out of order (expected %u)",
				   (unsigned long long)id, r->n_strings + 1);
		if (lot_varint_get(&p, end, &len) || len > (uint64_t)(end - p))
			return bad(r, at, "string definition runs past the chunk end");
		if (grow((void **)&r->strings, &r->cap_strings, sizeof *r->strings, r->n_strings))
			return bad(r, at, "out of memory");
		r->strings[++r->n_strings] = (struct lot_str_ref){(const char *)p, (size_t)len};
		p += len;
		break;
	}
	case LOT_EV_stack_def: {
		uint32_t off, n;
		if (id != (uint64_t)r->n_stacks + 1)
			return bad(r, at, "stack %llu defined out of order (expected %u)",
				   (unsigned long long)id, r->n_stacks + 1);
		if (get_pcs(r, &p, end, &off, &n))
			return bad(r, at, "stack definition is malformed or runs past the chunk end");
		if (grow((void **)&r->stacks, &r->cap_stacks, sizeof *r->stacks, r->n_stacks))
			return bad(r, at, "out of memory");
		r->stacks[++r->n_stacks] = (struct lot_stack_ref){off, n};
		break;
	}
	default: { /* trace_def, trace_gen */
		if (id != (uint64_t)r->n_traces + 1)
			return bad(r, at, "trace %llu defined out of order (expected %u)",
				   (unsigned long long)id, r->n_traces + 1);
		const uint8_t *trace = p;
		if (code == LOT_EV_trace_gen) {
			uint64_t v, root;
			if (!r->hdr.has_trace_key)
				return bad(r, at, "trace_gen in a file without a trace key");
			if (lot_varint_get(&p, end, &v) || !get_id(&p, end, v, &r->prev_span, &root))
				return bad(r, at, "trace definition runs past the chunk end");
			uint8_t *out = (uint8_t *)(r->pool + r->pool_used);
			r->pool_used += 2;
			lot_trace_id_derive(r->hdr.trace_key, root, out);
			trace = out;
		} else {
			if (end - p < 16)
				return bad(r, at, "trace definition runs past the chunk end");
			p += 16;
		}
		if (grow((void **)&r->traces, &r->cap_traces, sizeof *r->traces, r->n_traces))
			return bad(r, at, "out of memory");
		r->traces[++r->n_traces] = trace;
		break;
	}
	}
	*pp = p;
	return 0;
}

/*
 * A varint.  Away from the payload's end (nearly always) values of up to
 * four bytes, which is every time delta, id and most values, decode without
 * per-byte bounds checks; the rest goes through the general decoder.
 */
static ALWAYS_INLINE bool getv(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	if (__builtin_expect(end - p >= LOT_VARINT_MAX, 1)) {
		uint64_t b = p[0], x;
		if (__builtin_expect(b < 0x80, 1)) {
			*v = b;
			*pp = p + 1;
			return true;
		}
		x = b & 0x7f;
		b = p[1];
		x |= (b & 0x7f) << 7;
		if (b < 0x80) {
			*v = x;
			*pp = p + 2;
			return true;
		}
		b = p[2];
		x |= (b & 0x7f) << 14;
		if (b < 0x80) {
			*v = x;
			*pp = p + 3;
			return true;
		}
		b = p[3];
		x |= (b & 0x7f) << 21;
		if (b < 0x80) {
			*v = x;
			*pp = p + 4;
			return true;
		}
	}
	return lot_varint_get(pp, end, v) == 0;
}

/*
 * getv() for a caller that knows at least LOT_VARINT_MAX bytes are left:
 * the counting loop checks that once per event instead of once per varint.
 * Unrolled for two bytes, not four like getv(): making getv() this function
 * plus the bound check costs `lotrace info` about 9% (measured), as the
 * deeper unroll in every inlined copy crowds the counting loop.
 */
static ALWAYS_INLINE bool getv_near(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t b = p[0], x;
	if (__builtin_expect(b < 0x80, 1)) {
		*v = b;
		*pp = p + 1;
		return true;
	}
	x = b & 0x7f;
	b = p[1];
	x |= (b & 0x7f) << 7;
	if (b < 0x80) {
		*v = x;
		*pp = p + 2;
		return true;
	}
	/* copies: the caller's cursor must not have its address taken by a call
	 * that may stay out of line, or it lives in memory for the whole loop */
	uint64_t val;
	if (lot_varint_get(&p, end, &val))
		return false;
	*v = val;
	*pp = p;
	return true;
}

void lot_rd_dtype_init(struct lot_dtype *d, const struct lot_type_desc *t)
{
	memset(d, 0, sizeof *d);
	d->known = 1;
	d->timed = (t->flags & LOT_TIMED) != 0;
	d->nargs = t->nargs;
	bool simple = d->timed && !LOT_IS_DEFINITION(t->code);
	for (unsigned i = 0; i < t->nargs; i++) {
		unsigned k = t->arg_kinds[i];
		d->kinds[i] = (uint8_t)k;
		if (lot_kind_shape(k) == LOT_SHAPE_REF) /* which table bounds the id */
			d->ref[i] = k == LOT_KIND_STRING  ? LOT_REF_STRING
				    : k == LOT_KIND_STACK ? LOT_REF_STACK
							  : LOT_REF_TRACE;
		else if (lot_kind_shape(k) != LOT_SHAPE_VARINT)
			simple = false; /* fast: every argument a single varint */
	}
	d->fast = simple;
	bool def = LOT_IS_DEFINITION(t->code);
	for (size_t i = 0; i < lot_builtin_types_count; i++)
		if (lot_builtin_types[i].code == t->code)
			d->builtin = d->timed && !def; /* the header parser checked the shape */
}

/* Damage report for a reference to an id not yet defined. */
static const char *const ref_names[] = {"id", "string", "stack", "trace"}; /* by LOT_REF_* */

static int bad_ref(struct lot_reader *r, const uint8_t *at, unsigned ref, uint64_t v)
{
	return bad(r, at, "%s %llu used before its definition", ref_names[ref & 3],
		   (unsigned long long)v);
}

/*
 * Decode the next event into ev: 1 an event, 0 end of payload, -1 damage
 * (reported).  Definitions on the way are consumed.
 */
static int decode(struct lot_reader *r, struct lot_event *ev)
{
	const uint8_t *p = r->p, *const end = r->end;
	for (;;) {
		if (p >= end) {
			r->p = p;
			return finish(r);
		}
		const uint8_t *at = p;
		unsigned code = *p++;
		const struct lot_dtype *d = &r->dt[code];
		if (__builtin_expect(!d->known, 0))
			return bad(r, at, "unknown event type 0x%02x", code);
		if (__builtin_expect(LOT_IS_DEFINITION(code), 0)) {
			if (definition(r, code, &p, at))
				return -1;
			continue;
		}
		uint64_t unit = r->unit;
		if (d->timed) {
			uint64_t dt;
			if (!getv(&p, end, &dt))
				return bad(r, at, "bad time delta");
			unit += dt;
			r->unit = unit;
			r->timed++;
		}
		unsigned nargs = d->nargs;
		ev->code = (uint8_t)code;
		ev->type = &r->hdr.types[code];
		ev->ticks = unit << r->hdr.clock.time_shift;
		ev->tid = r->chunk.info.tid;
		ev->synthetic = false;
		ev->nargs = nargs;
		for (unsigned i = 0; i < nargs; i++) {
			struct lot_arg *a = &ev->args[i];
			unsigned kind = d->kinds[i];
			uint64_t v;
			a->kind = (uint8_t)kind;
			if (kind == LOT_KIND_STACK && r->no_stacks) {
				a->u = 0;
				a->pcs = NULL;
				a->n_pcs = 0;
				continue;
			}
			if (kind == LOT_KIND_PCS) {
				uint32_t off, n;
				if (get_pcs(r, &p, end, &off, &n))
					return bad(r, at, "argument %u: malformed PCs", i);
				a->pcs = r->pool + off;
				a->n_pcs = n;
				continue;
			}
			if (kind == LOT_KIND_ID128) {
				if (end - p < 16)
					return bad(r, at, "argument %u runs past the chunk end", i);
				a->id128 = p;
				p += 16;
				continue;
			}
			if (kind == LOT_KIND_VALUE) { /* u8 tag: 0 then svar, 1 then lstr */
				if (p >= end)
					return bad(r, at, "argument %u runs past the chunk end", i);
				unsigned tag = *p++;
				if (tag > 1)
					return bad(r, at, "argument %u: value tag %u", i, tag);
				if (!getv(&p, end, &v))
					return bad(r, at, "argument %u: bad or truncated varint", i);
				a->is_str = tag == 1;
				if (tag == 0) {
					a->i = lot_zigzag_decode(v);
				} else {
					if (v > (uint64_t)(end - p))
						return bad(r, at, "argument %u runs past the chunk end", i);
					a->str = (const char *)p;
					a->len = (size_t)v;
					p += v;
				}
				continue;
			}
			if (!getv(&p, end, &v))
				return bad(r, at, "argument %u: bad or truncated varint", i);
			switch (kind) {
			case LOT_KIND_UVAR:
				a->u = v;
				break;
			case LOT_KIND_SVAR:
				a->i = lot_zigzag_decode(v);
				break;
			case LOT_KIND_SPAN:
				if (!get_id(&p, end, v, &r->prev_span, &a->u))
					return bad(r, at, "argument %u runs past the chunk end", i);
				break;
			case LOT_KIND_TASK:
				if (!get_id(&p, end, v, &r->prev_task, &a->u))
					return bad(r, at, "argument %u runs past the chunk end", i);
				break;
			case LOT_KIND_STRING:
				if (v > r->n_strings)
					return bad_ref(r, at, LOT_REF_STRING, v);
				a->u = v;
				a->str = v ? r->strings[v].p : NULL;
				a->len = v ? r->strings[v].len : 0;
				break;
			case LOT_KIND_STACK:
				if (v > r->n_stacks)
					return bad_ref(r, at, LOT_REF_STACK, v);
				a->u = v;
				a->pcs = v ? r->pool + r->stacks[v].off : NULL;
				a->n_pcs = v ? r->stacks[v].n : 0;
				break;
			case LOT_KIND_TRACE:
				if (v > r->n_traces)
					return bad_ref(r, at, LOT_REF_TRACE, v);
				a->u = v;
				a->id128 = v ? r->traces[v] : NULL;
				break;
			case LOT_KIND_BYTES:
				if (v > (uint64_t)(end - p))
					return bad(r, at, "argument %u runs past the chunk end", i);
				a->str = (const char *)p;
				a->len = (size_t)v;
				p += v;
				break;
			}
		}
		r->p = p;
		return 1;
	}
}

static void synthetic_lost(struct lot_reader *r, struct lot_event *ev)
{
	const struct lot_type_desc *t = &r->hdr.types[LOT_EV_lost];
	if (!t->name)
		for (size_t i = 0; i < lot_builtin_types_count; i++)
			if (lot_builtin_types[i].code == LOT_EV_lost)
				t = &lot_builtin_types[i];
	ev->code = LOT_EV_lost;
	ev->type = t;
	ev->ticks = r->chunk.info.base_ticks;
	ev->tid = r->chunk.info.tid;
	ev->synthetic = true;
	ev->nargs = 1;
	ev->args[0] = (struct lot_arg){.kind = LOT_KIND_UVAR, .u = r->chunk.info.lost};
}

int lot_chunk_next_event(struct lot_reader *r, struct lot_event *ev)
{
	switch (r->cstate) {
	case LOT_CS_NONE:
		return 0;
	case LOT_CS_LOST:
		r->cstate = LOT_CS_EVENTS;
		synthetic_lost(r, ev);
		return 1;
	default:
		return decode(r, ev);
	}
}

/*
 * Counting.  `lotrace info` needs every event checked as decode() checks it,
 * but nothing decoded: no arguments filled, no times, and no definitions
 * stored, only counted (ids are dense, so "referenced id <= ids defined so
 * far" is the whole reference check).  Counting consumes the rest of the
 * chunk (cstate becomes NONE), so decode() never sees the id tables it left
 * unfilled.
 *
 * The loop keeps the cursor and the id counts in registers (nothing takes
 * their address) and handles the common records inline, by code: the timed
 * types of events.h (code generated from LOT_EVENT_TYPES, one label each,
 * dispatched threaded: see lot_chunk_count_events()), string and trace
 * definitions, and other all-varint types by their ref table.  Per event,
 * the delta and the plain arguments before the first reference are one
 * word-at-a-time skip (skip_run()), and a reference is usually one compare.
 * Anything else, and any record that fails a check, goes through skip_one(),
 * which validates one record exactly as decode() does and reports with its
 * messages.  Measured on bench/gen_trace's mix and kept: a loop over kinds
 * (a trip count that changes every event mispredicts) and a branch-free
 * length per varint (a load-to-load chain per argument) were both slower.
 */
struct id_counts {
	uint64_t n[4]; /* ids defined so far, by LOT_REF_*; n[LOT_REF_NONE] unused */
};

/* The rest of an id delta whose first varint is v, validated only. */
/*
 * Validate the record at *pp like decode() (same checks, same order, same
 * messages) without storing anything.  1: an event (*code set, *timed 0 or
 * 1), 2: a definition (counted in ic), -1: damage (reported).
 */
static __attribute__((noinline)) int skip_one(struct lot_reader *r, const uint8_t **pp,
					      struct id_counts *ic, unsigned *codep, unsigned *timedp)
{
	const uint8_t *p = *pp, *const end = r->end, *at = p;
	unsigned code = *p++;
	const struct lot_dtype *d = &r->dt[code];
	uint64_t v;
	if (!d->known)
		return bad(r, at, "unknown event type 0x%02x", code);
	if (LOT_IS_DEFINITION(code)) { /* an id, then its value (events.h) */
		unsigned ref = code == LOT_EV_string_def  ? LOT_REF_STRING
			       : code == LOT_EV_stack_def ? LOT_REF_STACK
							  : LOT_REF_TRACE;
		uint64_t id;
		if (lot_varint_get(&p, end, &id))
			return bad(r, at, "bad definition id");
		if (id != ic->n[ref] + 1)
			return bad(r, at, "%s %llu defined out of order (expected %u)", ref_names[ref],
				   (unsigned long long)id, (unsigned)(ic->n[ref] + 1));
		if (code == LOT_EV_trace_gen && !r->hdr.has_trace_key)
			return bad(r, at, "trace_gen in a file without a trace key");
		if (lot_payload_skip_arg(d->kinds[1], &p, end, &v) != LOT_ARG_OK)
			return ref == LOT_REF_STACK
				       ? bad(r, at, "stack definition is malformed or runs past the chunk end")
				       : bad(r, at, "%s definition runs past the chunk end", ref_names[ref]);
		ic->n[ref]++;
		*pp = p;
		return 2;
	}
	if (d->timed && !getv(&p, end, &v))
		return bad(r, at, "bad time delta");
	for (unsigned i = 0; i < d->nargs; i++) {
		unsigned kind = d->kinds[i];
		if (kind == LOT_KIND_STACK && r->no_stacks)
			continue;
		switch (lot_payload_skip_arg(kind, &p, end, &v)) {
		case LOT_ARG_OK:
			break;
		case LOT_ARG_VARINT:
			return bad(r, at, "argument %u: bad or truncated varint", i);
		case LOT_ARG_PCS:
			return bad(r, at, "argument %u: malformed PCs", i);
		case LOT_ARG_TAG:
			return bad(r, at, "argument %u: value tag %u", i, (unsigned)v);
		case LOT_ARG_PAST_END:
			return bad(r, at, "argument %u runs past the chunk end", i);
		}
		if (d->ref[i] != LOT_REF_NONE && v > ic->n[d->ref[i]])
			return bad_ref(r, at, d->ref[i], v);
	}
	*codep = code;
	*timedp = d->timed;
	*pp = p;
	return 1;
}

/*
 * The inline checks.  The loop only takes an event inline while at least
 * COUNT_MARGIN bytes are left at its start: every varint it reads then has
 * LOT_VARINT_MAX bytes before the end (getv_near), since no type has more
 * than 1 + LOT_MAX_ARGS of them, and a skip over bytes must leave the margin
 * too.  Events nearer the end take skip_one().
 */
#define COUNT_MARGIN (1 + LOT_VARINT_MAX * (LOT_MAX_ARGS + 2))
#define CK_UVAR(n)                                          \
	if (!skip_run(&p, 1) && !getv_near(&p, end, &v))    \
		goto slow;
#define CK_SVAR(n) CK_UVAR(n)
/* An id delta: one varint, or the absolute form's tag and 8 bytes.  A
 * one-byte delta (2..127: a thread's own spans, its tasks) is one compare. */
#define CK_ID(n)                                                      \
	if (__builtin_expect((uint8_t)(*p - LOT_ID_DELTA0) < 0x80 - LOT_ID_DELTA0, 1)) { \
		p++;                                                  \
	} else if (*p == LOT_ID_ABSOLUTE) {                           \
		p++;                                                  \
		CK_SKIP(8)                                            \
	} else {                                                      \
		CK_UVAR(n)                                            \
	}
#define CK_SPAN(n) CK_ID(n)
#define CK_TASK(n) CK_ID(n)
/* A reference: one byte and at most min(ids, 127) is the common case, one
 * compare; else the value, against the count. */
#define CK_REF(n, lim1, lim)                                                 \
	if (__builtin_expect(*p <= (lim1), 1))                               \
		p++;                                                         \
	else if (!getv_near(&p, end, &v) || v > (lim))                       \
		goto slow;
#define CK_STRING(n) CK_REF(n, one_str, n_strings)
#define CK_STACK(n)                            \
	if (!no_stacks) {                      \
		CK_REF(n, one_stk, n_stacks)   \
	}
#define CK_TRACE(n) CK_REF(n, one_trc, n_traces)
#define CK_SKIP(len)                                                          \
	if ((uint64_t)(end - p) < COUNT_MARGIN || (len) > (uint64_t)(end - p) - COUNT_MARGIN) \
		goto slow;                                                    \
	p += (len);
#define CK_BYTES(n)                                 \
	if (!getv_near(&p, end, &v))                \
		goto slow;                          \
	CK_SKIP(v)
#define CK_ID128(n) CK_SKIP(16)
#define CK_VALUE(n)                                                   \
	if (*p > 1)                                                   \
		goto slow;                                            \
	if (*p++) {                                                   \
		CK_BYTES(n)                                           \
	} else {                                                      \
		CK_UVAR(n)                                            \
	}
#define CK_PCS(n) goto slow;

/*
 * A run of n varints that need no value (time delta, UVAR, SVAR, SPAN), from
 * one 8-byte load: the terminators are the bytes without the high bit; the
 * run ends at the n-th.  No branch on the varints' lengths, which vary from
 * event to event (a 1- or 2-byte delta, 2- or 3-byte ids) and would
 * otherwise mispredict.  False if the run is longer than 8 bytes.
 */
#define HI_BITS 0x8080808080808080ull

static ALWAYS_INLINE uint64_t load_le64(const uint8_t *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

static ALWAYS_INLINE bool skip_run(const uint8_t **pp, unsigned n)
{
	uint64_t t = ~load_le64(*pp) & HI_BITS;
	for (unsigned i = 1; i < n; i++) /* n is a constant: unrolled */
		t &= t - 1;               /* drop the lowest terminator */
	if (__builtin_expect(!t, 0))
		return false;
	*pp += ((unsigned)__builtin_ctzll(t) >> 3) + 1;
	return true;
}

/* Kinds that are one varint whose value the check does not need. */
#define PLAIN_UVAR 1
#define PLAIN_SVAR 1
#define PLAIN_SPAN 0
#define PLAIN_TASK 0
#define PLAIN_STRING 0
#define PLAIN_STACK 0
#define PLAIN_TRACE 0
#define PLAIN_BYTES 0
#define PLAIN_PCS 0
#define PLAIN_ID128 0
#define PLAIN_VALUE 0

/*
 * One label per type of events.h: the delta and the leading plain arguments
 * (npre varints) in one skip_run(), the rest one by one; if the run does not
 * fit in a word, F_<name> checks every varint by itself.  Then count it and
 * dispatch the next record from here (see lot_chunk_count_events()).
 */
#define CK_END(code)                  \
	timed++;                      \
	counts[code]++;               \
	NEXT();
#define CK_ARG(k, j, npre)            \
	if ((j) + 1 >= (npre)) {      \
		CK_##k(j)             \
	}
#define CK_PRE(name, npre)                            \
	p++;                                          \
	if ((npre) == 1) {                            \
		CK_UVAR(t)                            \
	} else if (!skip_run(&p, (npre))) {           \
		goto F_##name;                        \
	}
#define NPRE1(k1) (1 + PLAIN_##k1)
#define NPRE2(k1, k2) (NPRE1(k1) + PLAIN_##k1 * PLAIN_##k2)
#define NPRE3(k1, k2, k3) (NPRE2(k1, k2) + PLAIN_##k1 * PLAIN_##k2 * PLAIN_##k3)
#define NPRE4(k1, k2, k3, k4) (NPRE3(k1, k2, k3) + PLAIN_##k1 * PLAIN_##k2 * PLAIN_##k3 * PLAIN_##k4)
#define NPRE5(k1, k2, k3, k4, k5) \
	(NPRE4(k1, k2, k3, k4) + PLAIN_##k1 * PLAIN_##k2 * PLAIN_##k3 * PLAIN_##k4 * PLAIN_##k5)

#define CK0(code, name, flags) \
	L_##name: p++; CK_UVAR(t) CK_END(code)
#define CK1(code, name, flags, k1, a1)                                         \
	L_##name: CK_PRE(name, NPRE1(k1)) CK_ARG(k1, 0, NPRE1(k1)) CK_END(code) \
	F_##name: p = at + 1; CK_UVAR(t) CK_##k1(0) CK_END(code)
#define CK2(code, name, flags, k1, a1, k2, a2)                                   \
	L_##name: CK_PRE(name, NPRE2(k1, k2)) CK_ARG(k1, 0, NPRE2(k1, k2))       \
		CK_ARG(k2, 1, NPRE2(k1, k2)) CK_END(code)                        \
	F_##name: p = at + 1; CK_UVAR(t) CK_##k1(0) CK_##k2(1) CK_END(code)
#define CK3(code, name, flags, k1, a1, k2, a2, k3, a3)                            \
	L_##name: CK_PRE(name, NPRE3(k1, k2, k3)) CK_ARG(k1, 0, NPRE3(k1, k2, k3)) \
		CK_ARG(k2, 1, NPRE3(k1, k2, k3)) CK_ARG(k3, 2, NPRE3(k1, k2, k3))   \
		CK_END(code)                                                      \
	F_##name: p = at + 1; CK_UVAR(t) CK_##k1(0) CK_##k2(1) CK_##k3(2) CK_END(code)
#define CK4(code, name, flags, k1, a1, k2, a2, k3, a3, k4, a4)                         \
	L_##name: CK_PRE(name, NPRE4(k1, k2, k3, k4)) CK_ARG(k1, 0, NPRE4(k1, k2, k3, k4)) \
		CK_ARG(k2, 1, NPRE4(k1, k2, k3, k4)) CK_ARG(k3, 2, NPRE4(k1, k2, k3, k4))   \
		CK_ARG(k4, 3, NPRE4(k1, k2, k3, k4)) CK_END(code)                        \
	F_##name: p = at + 1; CK_UVAR(t) CK_##k1(0) CK_##k2(1) CK_##k3(2) CK_##k4(3)     \
		CK_END(code)
#define CK5(code, name, flags, k1, a1, k2, a2, k3, a3, k4, a4, k5, a5)                    \
	L_##name: CK_PRE(name, NPRE5(k1, k2, k3, k4, k5))                                 \
		CK_ARG(k1, 0, NPRE5(k1, k2, k3, k4, k5)) CK_ARG(k2, 1, NPRE5(k1, k2, k3, k4, k5)) \
		CK_ARG(k3, 2, NPRE5(k1, k2, k3, k4, k5)) CK_ARG(k4, 3, NPRE5(k1, k2, k3, k4, k5)) \
		CK_ARG(k5, 4, NPRE5(k1, k2, k3, k4, k5)) CK_END(code)                     \
	F_##name: p = at + 1; CK_UVAR(t) CK_##k1(0) CK_##k2(1) CK_##k3(2) CK_##k4(3)        \
		CK_##k5(4) CK_END(code)
/* Their addresses by code. */
#define LB0(code, name, flags) [code] = &&L_##name,
#define LB1(code, name, flags, ...) [code] = &&L_##name,

/*
 * Dispatch is threaded: each label ends with its own indirect jump through
 * a per-call table of the file's types, so the branch predictor learns
 * which type tends to follow which (one shared switch jump mispredicts on
 * nearly every event of a mixed stream), and the table already says
 * whether the file defines the code as events.h does.
 */
int lot_chunk_count_events(struct lot_reader *r, uint64_t counts[256])
{
	if (r->cstate == LOT_CS_NONE)
		return 0;
	r->cstate = LOT_CS_EVENTS; /* the synthetic `lost` is not counted: see info.lost */
	static const void *const builtin_label[256] = {
		LOT_EVENT_TYPES(LB0, LB1, LB1, LB1, LB1, LB1)
	};
	const void *tab[256];
	const struct lot_dtype *const dt = r->dt;
	for (unsigned c = 0; c < 256; c++) {
		const struct lot_dtype *d = &dt[c];
		if (c == LOT_EV_string_def)
			tab[c] = d->known ? &&L_sdef : &&slow;
		else if (c == LOT_EV_trace_def)
			tab[c] = d->known ? &&L_tdef : &&slow;
		else if (c == LOT_EV_trace_gen) /* without a key: skip_one() reports it */
			tab[c] = d->known && r->hdr.has_trace_key ? &&L_gdef : &&slow;
		else if (d->builtin && builtin_label[c])
			tab[c] = builtin_label[c];
		else if (d->fast)
			tab[c] = &&L_fast;
		else
			tab[c] = &&slow; /* unknown code, definition of stacks, other kinds */
	}
	const uint8_t *p = r->p, *at = p;
	const uint8_t *const end = r->end;
	const uint8_t *const near_end = end - p > COUNT_MARGIN ? end - COUNT_MARGIN : p;
	uint32_t timed = r->timed;
	const bool no_stacks = r->no_stacks;
	uint64_t n_strings = r->n_strings, n_stacks = r->n_stacks, n_traces = r->n_traces;
	/* min(count, 127): the largest one-byte id that is defined */
#define MIN127(n) ((n) < 127 ? (unsigned)(n) : 127u)
	unsigned one_str = MIN127(n_strings), one_stk = MIN127(n_stacks), one_trc = MIN127(n_traces);
	uint64_t v;
#define NEXT()                                              \
	do {                                                \
		if (__builtin_expect(p >= near_end, 0))     \
			goto tail;                          \
		at = p;                                     \
		goto *tab[*p];                              \
	} while (0)

	NEXT();
	LOT_EVENT_TYPES(CK0, CK1, CK2, CK3, CK4, CK5)
L_sdef:
	p++;
	if (!getv_near(&p, end, &v) || v != n_strings + 1 || !getv_near(&p, end, &v))
		goto slow;
	CK_SKIP(v)
	n_strings++; /* a definition: not counted */
	one_str = MIN127(n_strings);
	NEXT();
L_tdef:
	p++;
	if (!getv_near(&p, end, &v) || v != n_traces + 1)
		goto slow;
	CK_SKIP(16)
	n_traces++;
	one_trc = MIN127(n_traces);
	NEXT();
L_gdef:
	p++;
	if (!getv_near(&p, end, &v) || v != n_traces + 1)
		goto slow;
	CK_ID(0)
	n_traces++;
	one_trc = MIN127(n_traces);
	NEXT();
L_fast: {
	/* an all-varint type of a newer minor: by its ref table */
	const struct lot_dtype *d = &dt[*p];
	const uint64_t lim[4] = {UINT64_MAX, n_strings, n_stacks, n_traces};
	p++;
	if (!getv_near(&p, end, &v))
		goto slow;
	for (unsigned i = 0; i < d->nargs; i++)
		if (!getv_near(&p, end, &v) || v > lim[d->ref[i]])
			goto slow;
	timed++;
	counts[at[0]]++;
	NEXT();
}
slow:
	/* from the table, or from a failed check part way through the record */
	p = at;
tail:
	while (p < end) {
		struct id_counts ic = {.n = {0, n_strings, n_stacks, n_traces}};
		unsigned code, is_timed;
		const uint8_t *q = p; /* p's address stays private (see getv_near()) */
		int rc = skip_one(r, &q, &ic, &code, &is_timed);
		if (rc < 0)
			return -1;
		p = q;
		if (rc == 1) {
			timed += is_timed;
			counts[code]++;
		}
		n_strings = ic.n[LOT_REF_STRING];
		n_stacks = ic.n[LOT_REF_STACK];
		n_traces = ic.n[LOT_REF_TRACE];
		one_str = MIN127(n_strings);
		one_stk = MIN127(n_stacks);
		one_trc = MIN127(n_traces);
		if (p < near_end) {
			at = p;
			goto *tab[*p];
		}
	}
#undef NEXT
#undef MIN127
	r->p = p;
	r->timed = timed;
	return finish(r);
}
