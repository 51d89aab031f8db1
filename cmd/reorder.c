/*
 * The reorder window as a merge of sorted runs (reorder.h).
 *
 * A chunk's events come in time order, so the window is a few long sorted
 * runs, not a heap of events: a binary heap of 2^18 events of 128 bytes
 * moved 18 of them, each a cache miss, per event taken out, and that was
 * most of a large export's time.  Here an event is copied once into a slot
 * of a pool and linked after the previous event pushed when it is not
 * earlier (the run goes on), or else starts a run; a min-heap holds the runs
 * by their first event.  Taking the oldest out is the first event of the
 * first run: one slot read, and a sift over a heap as deep as the runs are
 * few (a handful of chunks).  The order is the same, (time, arrival): each
 * run is sorted on it and the heap merges them.  Out-of-order input makes
 * runs of one event and degrades to the heap of events, in 24-byte entries.
 *
 * Memory: the slots hold at most the events in the window (the pool grows
 * to the limit and freed slots are reused, newest first, which keeps them in
 * cache), plus 4 bytes a slot for the links and 24 a run.
 */
#include "cmd/reorder.h"

#include <stdlib.h>

static bool before(int64_t ns, uint64_t seq, const struct reorder_run *r)
{
	return ns < r->ns || (ns == r->ns && seq < r->seq);
}

static void sift_down(struct reorder *q, size_t i)
{
	struct reorder_run x = q->runs[i];
	size_t n = q->n_runs;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && before(q->runs[c + 1].ns, q->runs[c + 1].seq, &q->runs[c]))
			c++;
		if (!before(q->runs[c].ns, q->runs[c].seq, &x))
			break;
		q->runs[i] = q->runs[c];
		i = c;
	}
	q->runs[i] = x;
}

static int add_run(struct reorder *q, uint32_t head)
{
	if (q->n_runs == q->cap_runs) {
		size_t cap = q->cap_runs ? 2 * q->cap_runs : 64;
		struct reorder_run *r = realloc(q->runs, cap * sizeof *r);
		if (!r)
			return -1;
		q->runs = r;
		q->cap_runs = cap;
	}
	struct reorder_run x = {.ns = q->slot[head].ns, .seq = q->slot[head].seq, .head = head};
	size_t i = q->n_runs++;
	while (i) {
		size_t p = (i - 1) / 2;
		if (!before(x.ns, x.seq, &q->runs[p]))
			break;
		q->runs[i] = q->runs[p];
		i = p;
	}
	q->runs[i] = x;
	return 0;
}

/* A free slot's index, or REORDER_NONE if the pool cannot grow. */
static uint32_t take_slot(struct reorder *q)
{
	if (q->free != REORDER_NONE) {
		uint32_t s = q->free;
		q->free = q->next[s];
		return s;
	}
	if (q->used == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 1024;
		if (q->limit && cap > q->limit && q->cap < q->limit)
			cap = q->limit;
		if (cap >= REORDER_NONE)
			return REORDER_NONE;
		struct rev *v = realloc(q->slot, cap * sizeof *v);
		if (!v)
			return REORDER_NONE;
		q->slot = v;
		uint32_t *nx = realloc(q->next, cap * sizeof *nx);
		if (!nx)
			return REORDER_NONE;
		q->next = nx;
		q->cap = cap;
	}
	return (uint32_t)q->used++;
}

int reorder_push(struct reorder *q, struct rev *e)
{
	if (!q->slot) {
		q->free = REORDER_NONE;
		q->tail = REORDER_NONE;
	}
	uint32_t s = take_slot(q);
	if (s == REORDER_NONE) {
		free(e->str);
		e->str = NULL;
		return -1;
	}
	e->seq = q->next_seq++;
	q->slot[s] = *e;
	q->next[s] = REORDER_NONE;
	if (q->tail != REORDER_NONE && e->ns >= q->slot[q->tail].ns) {
		q->next[q->tail] = s; /* the run goes on (its seq is later) */
	} else if (add_run(q, s)) {
		q->next[s] = q->free;
		q->free = s;
		free(e->str);
		e->str = NULL;
		return -1;
	}
	q->tail = s;
	q->n++;
	return 0;
}

bool reorder_pop(struct reorder *q, struct rev *out)
{
	if (!q->n_runs)
		return false;
	uint32_t s = q->runs[0].head, nx = q->next[s];
	*out = q->slot[s];
	q->next[s] = q->free;
	q->free = s;
	if (s == q->tail) /* the last run ended: the next push starts one */
		q->tail = REORDER_NONE;
	q->n--;
	if (nx != REORDER_NONE) {
		/* the run's event after next: in cache when it comes first (the
		 * slots of a run are scattered, so the hardware does not guess) */
		uint32_t after = q->next[nx];
		if (after != REORDER_NONE) {
			__builtin_prefetch(&q->slot[after]);
			__builtin_prefetch((const char *)&q->slot[after] + 64);
		}
		q->runs[0].head = nx;
		q->runs[0].ns = q->slot[nx].ns;
		q->runs[0].seq = q->slot[nx].seq;
	} else {
		q->runs[0] = q->runs[--q->n_runs];
	}
	if (q->n_runs)
		sift_down(q, 0);
	return true;
}

void reorder_free(struct reorder *q)
{
	for (size_t i = 0; i < q->n_runs; i++)
		for (uint32_t s = q->runs[i].head; s != REORDER_NONE; s = q->next[s])
			free(q->slot[s].str);
	free(q->slot);
	free(q->next);
	free(q->runs);
	*q = (struct reorder){0};
}
