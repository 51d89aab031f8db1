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
 * stacks and traces).  Anything else, and any reference to an id not yet
 * defined, is damage: the rest of the chunk is skipped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/varint.h"
#include "trace-format/reader_impl.h"
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

/* string_def, stack_def, trace_def: checked and stored, never returned. */
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
	default: /* trace_def */
		if (id != (uint64_t)r->n_traces + 1)
			return bad(r, at, "trace %llu defined out of order (expected %u)",
				   (unsigned long long)id, r->n_traces + 1);
		if (end - p < 16)
			return bad(r, at, "trace definition runs past the chunk end");
		if (grow((void **)&r->traces, &r->cap_traces, sizeof *r->traces, r->n_traces))
			return bad(r, at, "out of memory");
		r->traces[++r->n_traces] = p;
		p += 16;
		break;
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

void lot_rd_dtype_init(struct lot_dtype *d, const struct lot_type_desc *t)
{
	memset(d, 0, sizeof *d);
	d->known = 1;
	d->timed = (t->flags & LOT_TIMED) != 0;
	d->nargs = t->nargs;
	bool simple = d->timed && !(t->code >= LOT_EV_string_def && t->code <= LOT_EV_trace_def);
	for (unsigned i = 0; i < t->nargs; i++) {
		d->kinds[i] = t->arg_kinds[i];
		switch (t->arg_kinds[i]) {
		case LOT_KIND_STRING: d->ref[i] = LOT_REF_STRING; break;
		case LOT_KIND_STACK: d->ref[i] = LOT_REF_STACK; break;
		case LOT_KIND_TRACE: d->ref[i] = LOT_REF_TRACE; break;
		case LOT_KIND_UVAR:
		case LOT_KIND_SVAR:
		case LOT_KIND_SPAN: break;
		default: simple = false; break;
		}
	}
	d->fast = simple;
	bool def = t->code >= LOT_EV_string_def && t->code <= LOT_EV_trace_def;
	for (size_t i = 0; i < lot_builtin_types_count; i++)
		if (lot_builtin_types[i].code == t->code)
			d->builtin = d->timed && !def; /* the header parser checked the shape */
}

/* Damage report for a reference to an id not yet defined. */
static int bad_ref(struct lot_reader *r, const uint8_t *at, unsigned ref, uint64_t v)
{
	static const char *const what[] = {"id", "string", "stack", "trace"};
	return bad(r, at, "%s %llu used before its definition", what[ref & 3], (unsigned long long)v);
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
		if (__builtin_expect(code <= LOT_EV_trace_def, 0) && code >= LOT_EV_string_def) {
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
				a->u = v ? v ^ r->chunk.info.span_base : 0;
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
 * Counting validates what decode() validates but keeps the cursor in
 * registers and handles timed events inline: the types of events.h by code
 * generated from LOT_EVENT_TYPES (no loop over kinds), other all-varint
 * types by their ref table.  Anything else (definitions, PCs, damage) goes
 * through decode() one event at a time.  Times are not tracked: counting
 * consumes the rest of the chunk, so nothing reads them afterwards.
 */
#define CK_UVAR(n)                                  \
	if (!getv(&p, end, &v))                     \
		goto slow;
#define CK_SVAR(n) CK_UVAR(n)
#define CK_SPAN(n) CK_UVAR(n)
#define CK_STRING(n)                                \
	if (!getv(&p, end, &v) || v > n_strings)    \
		goto slow;
#define CK_STACK(n)                                 \
	if (!getv(&p, end, &v) || v > n_stacks)     \
		goto slow;
#define CK_TRACE(n)                                 \
	if (!getv(&p, end, &v) || v > n_traces)     \
		goto slow;
#define CK_BYTES(n)                                                   \
	if (!getv(&p, end, &v) || v > (uint64_t)(end - p))            \
		goto slow;                                            \
	p += v;
#define CK_ID128(n)                                 \
	if (end - p < 16)                           \
		goto slow;                          \
	p += 16;
#define CK_VALUE(n)                                                   \
	if (p >= end || *p > 1)                                       \
		goto slow;                                            \
	if (*p++) {                                                   \
		CK_BYTES(n)                                           \
	} else {                                                      \
		CK_UVAR(n)                                            \
	}
#define CK_PCS(n) goto slow;

#define CK0(code, name, flags) case code: break;
#define CK1(code, name, flags, k1, a1) case code: CK_##k1(0) break;
#define CK2(code, name, flags, k1, a1, k2, a2) case code: CK_##k1(0) CK_##k2(1) break;
#define CK3(code, name, flags, k1, a1, k2, a2, k3, a3) \
	case code: CK_##k1(0) CK_##k2(1) CK_##k3(2) break;
#define CK4(code, name, flags, k1, a1, k2, a2, k3, a3, k4, a4) \
	case code: CK_##k1(0) CK_##k2(1) CK_##k3(2) CK_##k4(3) break;
#define CK5(code, name, flags, k1, a1, k2, a2, k3, a3, k4, a4, k5, a5) \
	case code: CK_##k1(0) CK_##k2(1) CK_##k3(2) CK_##k4(3) CK_##k5(4) break;

int lot_chunk_count_events(struct lot_reader *r, uint64_t counts[256])
{
	if (r->cstate == LOT_CS_NONE)
		return 0;
	r->cstate = LOT_CS_EVENTS; /* the synthetic `lost` is not counted: see info.lost */
	const uint8_t *p = r->p, *const end = r->end;
	uint32_t timed = r->timed;
	for (;;) {
		const uint64_t n_strings = r->n_strings, n_stacks = r->n_stacks, n_traces = r->n_traces;
		const uint64_t lim[4] = {UINT64_MAX, n_strings, n_stacks, n_traces};
		while (p < end) {
			const uint8_t *at = p;
			unsigned code = *p++;
			const struct lot_dtype *d = &r->dt[code];
			uint64_t v;
			if (__builtin_expect(d->builtin, 1)) {
				if (!getv(&p, end, &v))
					goto slow;
				switch (code) {
					LOT_EVENT_TYPES(CK0, CK1, CK2, CK3, CK4, CK5)
				default:
					goto slow;
				}
			} else if (d->fast) {
				if (!getv(&p, end, &v))
					goto slow;
				for (unsigned i = 0; i < d->nargs; i++)
					if (!getv(&p, end, &v) || v > lim[d->ref[i]])
						goto slow;
			} else {
				goto slow;
			}
			timed++;
			counts[code]++;
			continue;
		slow:
			p = at;
			break;
		}
		r->p = p;
		r->timed = timed;
		struct lot_event ev;
		int rc = decode(r, &ev);
		if (rc <= 0)
			return rc;
		counts[ev.code]++;
		p = r->p;
		timed = r->timed;
	}
}
