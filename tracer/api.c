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
#include "tracer/lotrace.h"
#include "tracer/thread.h"

/* Walk the caller's stack into pcs when stacks are on; the frame count. */
#define LOT_STACK(pcs)                                                                  \
	(lot_rt.stacks ? lot_stack_walk(&t->bounds, 0, (pcs), lot_rt.stack_depth) : 0)

static inline bool same_pcs(const uint64_t *a, const uint64_t *b, size_t n)
{
	uint64_t diff = 0;
	for (size_t i = 0; i < n; i++) /* no early exit: the loads run in parallel */
		diff |= a[i] ^ b[i];
	return !diff;
}

static inline bool enc_stack(struct lot_thread *t, const uint64_t *pcs, size_t n, uint32_t *id)
{
	if (!n) { /* stacks off: no call */
		*id = 0;
		return true;
	}
	if (n == t->last_stack_n && t->last_stack_epoch == t->epoch &&
	    same_pcs(pcs, t->last_stack, n)) {
		*id = t->last_stack_id;
		return true;
	}
	*id = lot_writer_stack(&t->w, pcs, n);
	if (*id == LOT_NOROOM)
		return false;
	t->last_stack_n = n;
	t->last_stack_epoch = t->epoch;
	t->last_stack_id = *id;
	memcpy(t->last_stack, pcs, n * sizeof *pcs);
	return true;
}

static inline bool enc_string(struct lot_writer *w, const char *s, uint32_t *id)
{
	*id = lot_writer_string(w, s);
	return *id != LOT_NOROOM;
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
	if (atomic_load_explicit(&lot__enabled, memory_order_seq_cst) && t->cur &&
	    t->gen == lot_rt.gen)
		strcpy(t->cur->name, t->name);
	lot_probe_exit(t);
}

LOT_API uint64_t lot_task_create(const char *name)
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
	uint64_t pcs[LOT_STACK_MAX];
	size_t n = LOT_STACK(pcs);
	uint64_t now = lot_clock_now();
	uint32_t sname, stack;
	LOT_RECORD(t, now,
		   enc_string(&t->w, name, &sname) && enc_stack(t, pcs, n, &stack) &&
			   lot_write_task_create(&t->w, now, id, t->task_cur, sname, stack));
	lot_probe_exit(t);
	return id;
}

LOT_API uint64_t lot_task_current(void)
{
	struct lot_thread *t = self_or_create();
	return t ? t->task_cur : 0;
}

LOT_API void lot__task_start(uint64_t task)
{
	struct lot_thread *t = lot_probe_enter();
	if (!t)
		return;
	uint64_t now = lot_clock_now();
	if (task)
		t->task_cur = task;
	LOT_RECORD(t, now, lot_write_task_start(&t->w, now, task));
	lot_probe_exit(t);
}

LOT_API void lot__task_block(const char *reason)
{
	struct lot_thread *t = lot_probe_enter();
	if (!t)
		return;
	uint64_t pcs[LOT_STACK_MAX];
	size_t n = LOT_STACK(pcs);
	uint64_t now = lot_clock_now();
	uint32_t sreason, stack;
	LOT_RECORD(t, now,
		   enc_string(&t->w, reason, &sreason) && enc_stack(t, pcs, n, &stack) &&
			   lot_write_task_block(&t->w, now, sreason, 0, stack));
	lot_probe_exit(t);
}

LOT_API void lot__task_unblock(uint64_t task)
{
	struct lot_thread *t = lot_probe_enter();
	if (!t)
		return;
	uint64_t pcs[LOT_STACK_MAX];
	size_t n = LOT_STACK(pcs);
	uint64_t now = lot_clock_now();
	uint32_t stack;
	LOT_RECORD(t, now,
		   enc_stack(t, pcs, n, &stack) && lot_write_task_unblock(&t->w, now, task, stack));
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

LOT_API void lot__task_end(void)
{
	struct lot_thread *t = lot_probe_enter();
	if (!t)
		return;
	uint64_t now = lot_clock_now();
	LOT_RECORD(t, now, lot_write_task_end(&t->w, now));
	t->task_cur = t->task_self;
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

static uint64_t next_span_id(struct lot_thread *t)
{
	if (++t->span_ctr == 0) { /* 2^32 spans on this thread: a new salt */
		t->span_salt = lot_rng_next(&t->rng) & ~0xffffffffull;
		t->span_ctr = 1;
	}
	return t->span_salt | t->span_ctr;
}

LOT_API lot_span lot__span_begin(const char *name, const lot_span *parent)
{
	struct lot_thread *t = lot_probe_enter();
	if (!t)
		return lot__span_ids(parent); /* tracing stopped meanwhile */
	lot_span s; /* the return value: built in place, field by field */
	uint64_t parent_id = 0;
	if (!parent && t->n_spans)
		parent = &t->spans[t->n_spans - 1];
	if (parent && parent->span_id && span_trace_nonzero(parent)) {
		memcpy(s.trace_id, parent->trace_id, 16);
		s.flags = parent->flags;
		parent_id = parent->span_id;
	} else {
		lot_trace_id_new(&t->rng, s.trace_id);
		s.flags = 1; /* sampled: we record it */
	}
	s.span_id = next_span_id(t);
	if (t->n_spans < LOT_OPEN_SPANS) {
		/* field by field: a whole-struct copy would reload the fields just
		 * stored with wider loads, which stalls store forwarding */
		lot_span *slot = &t->spans[t->n_spans++];
		memcpy(slot->trace_id, s.trace_id, 16);
		slot->span_id = s.span_id;
		slot->flags = s.flags;
	}
	uint64_t pcs[LOT_STACK_MAX];
	size_t n = LOT_STACK(pcs);
	uint64_t now = lot_clock_now();
	uint32_t sname, trace, stack;
	LOT_RECORD(t, now,
		   enc_string(&t->w, name, &sname) &&
			   (trace = lot_writer_trace(&t->w, s.trace_id)) != LOT_NOROOM &&
			   enc_stack(t, pcs, n, &stack) &&
			   lot_write_span_begin(&t->w, now, s.span_id, parent_id, trace, sname, stack));
	lot_probe_exit(t);
	return s;
}

LOT_API void lot__span_end(const lot_span *span)
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

LOT_API void lot__span_attr_str(const lot_span *span, const char *key, const char *value)
{
	struct lot_thread *t = lot_probe_enter();
	if (!t)
		return;
	uint64_t now = lot_clock_now();
	uint32_t skey;
	LOT_RECORD(t, now,
		   enc_string(&t->w, key, &skey) &&
			   lot_write_span_attr(&t->w, now, span ? span->span_id : 0, skey,
					       lot_value_str(value)));
	lot_probe_exit(t);
}

LOT_API void lot__span_attr_int(const lot_span *span, const char *key, int64_t value)
{
	struct lot_thread *t = lot_probe_enter();
	if (!t)
		return;
	uint64_t now = lot_clock_now();
	uint32_t skey;
	LOT_RECORD(t, now,
		   enc_string(&t->w, key, &skey) &&
			   lot_write_span_attr(&t->w, now, span ? span->span_id : 0, skey,
					       lot_value_int(value)));
	lot_probe_exit(t);
}

/* ---- instants and counters ---- */

LOT_API void lot__instant(const char *name)
{
	struct lot_thread *t = lot_probe_enter();
	if (!t)
		return;
	uint64_t pcs[LOT_STACK_MAX];
	size_t n = LOT_STACK(pcs);
	uint64_t now = lot_clock_now();
	uint32_t sname, stack;
	LOT_RECORD(t, now,
		   enc_string(&t->w, name, &sname) && enc_stack(t, pcs, n, &stack) &&
			   lot_write_instant(&t->w, now, sname, stack));
	lot_probe_exit(t);
}

LOT_API void lot__counter(const char *name, int64_t value)
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
