/*
 * Clock skew between hosts, from span causality (as Zipkin's UI corrects it).
 *
 * Files from another host are first placed by CLOCK_REALTIME, which two hosts
 * only roughly agree on.  A span whose parent is on another host must lie
 * inside it: with d the correction added to the child's host,
 *     parent.start <= child.start + d   and   child.end + d <= parent.end,
 * so every such pair bounds d to [parent.start - child.start,
 * parent.end - child.end] (and a parent on the host being corrected bounds it
 * the other way).  The bounds of all pairs are intersected into [lo, hi].
 * If 0 is inside, the wall clocks already respect causality: no correction,
 * and the skew is known to within max(-lo, hi).  Otherwise the host moves to
 * the middle of [lo, hi] (network delay assumed the same each way), known to
 * within (hi - lo) / 2.  If lo > hi (a drifting clock), the middle too, and
 * the report says the bounds were inconsistent.
 *
 * Hosts are corrected one at a time against those already placed, starting
 * from the first file's host, so a chain front end -> API -> back end works.
 * This pass reads only span begins and ends, keeping 40 bytes per span of
 * the files; it runs only when the files come from more than one host.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/idmap.h"
#include "cmd/sources.h"
#include "trace-format/events.h"

struct sp {
	uint64_t id, parent;
	int64_t start, end; /* merged clock before correction; end INT64_MIN: never ended */
	unsigned group;
};

struct spans {
	struct sp *v;
	size_t n, cap;
	struct idmap by_id; /* span id -> index + 1 (the first seen) */
};

static int add(struct spans *a, const struct sp *x)
{
	if (a->n == a->cap) {
		size_t c = a->cap ? 2 * a->cap : 1024;
		struct sp *p = realloc(a->v, c * sizeof *p);
		if (!p)
			return -1;
		a->v = p;
		a->cap = c;
	}
	a->v[a->n++] = *x;
	if (!idmap_get(&a->by_id, x->id) && idmap_put(&a->by_id, x->id, (void *)(uintptr_t)a->n))
		return -1;
	return 0;
}

static struct sp *find(struct spans *a, uint64_t id)
{
	uintptr_t i = (uintptr_t)idmap_get(&a->by_id, id);
	return i ? &a->v[i - 1] : NULL;
}

/* Read one file's span begins and ends (no warnings: the analysis pass prints them). */
static int scan(struct spans *a, const struct source *src)
{
	struct lot_reader_opts opts = {0};
	struct lot_read_error err;
	struct lot_reader *r = lot_reader_open(src->path, &opts, &err);
	if (!r)
		return 0; /* it opened a moment ago; the analysis pass will say */
	const struct lot_clock_info *c = &lot_reader_header(r)->clock;
	struct idmap open = {0}; /* span id -> index + 1 in a->v */
	struct lot_chunk *ch;
	struct lot_event ev;
	int rc = 0;
	while (!rc && lot_reader_next_chunk(r, &ch) == 1) {
		while (lot_chunk_next_event(r, &ev) == 1) {
			int64_t ns = lot_ticks_to_ns(c, ev.ticks) + src->offset_ns;
			if (ev.code == LOT_EV_span_begin) {
				struct sp x = {.id = ev.args[LOT_ARG_span_begin_span].u,
					       .parent = ev.args[LOT_ARG_span_begin_parent_span].u,
					       .start = ns, .end = INT64_MIN, .group = src->host_group};
				if (!x.id || idmap_get(&open, x.id))
					continue;
				if (add(a, &x) || idmap_put(&open, x.id, (void *)(uintptr_t)a->n)) {
					rc = -1;
					break;
				}
			} else if (ev.code == LOT_EV_span_end) {
				uint64_t id = ev.args[LOT_ARG_span_end_span].u;
				uintptr_t i = (uintptr_t)idmap_del(&open, id);
				if (i)
					a->v[i - 1].end = ns;
			}
		}
	}
	idmap_free(&open);
	lot_reader_close(r);
	return rc;
}

struct bounds {
	int64_t lo, hi;
	size_t n;
};

static void bound(struct bounds *b, int64_t lo, int64_t hi)
{
	if (lo > b->lo)
		b->lo = lo;
	if (hi < b->hi)
		b->hi = hi;
	b->n++;
}

/* Bounds on the correction of group g against the placed groups. */
static struct bounds bounds_of(struct spans *a, unsigned g, const bool *placed,
			       const int64_t *corr)
{
	struct bounds b = {INT64_MIN, INT64_MAX, 0};
	for (size_t i = 0; i < a->n; i++) {
		struct sp *c = &a->v[i];
		struct sp *p = c->parent ? find(a, c->parent) : NULL;
		if (!p || p->group == c->group)
			continue;
		if (c->group == g && placed[p->group]) { /* remote parent, placed */
			int64_t ps = p->start + corr[p->group];
			int64_t lo = ps - c->start, hi = INT64_MAX;
			if (p->end != INT64_MIN && c->end != INT64_MIN)
				hi = p->end + corr[p->group] - c->end;
			bound(&b, lo, hi);
		} else if (p->group == g && placed[c->group]) { /* a placed child of ours */
			int64_t cs = c->start + corr[c->group];
			int64_t hi = cs - p->start, lo = INT64_MIN;
			if (p->end != INT64_MIN && c->end != INT64_MIN)
				lo = c->end + corr[c->group] - p->end;
			bound(&b, lo, hi);
		}
	}
	return b;
}

int clock_align(struct sources *s)
{
	struct spans a = {0};
	int rc = 0;
	for (size_t i = 0; i < s->n && !rc; i++)
		rc = scan(&a, &s->v[i]);
	bool *placed = calloc(s->n_hosts, sizeof *placed);
	int64_t *corr = calloc(s->n_hosts, sizeof *corr);
	int64_t *unc = calloc(s->n_hosts, sizeof *unc);
	bool *bad = calloc(s->n_hosts, sizeof *bad);
	if (rc || !placed || !corr || !unc || !bad) {
		rc = -1;
		goto out;
	}
	placed[0] = true;
	for (bool progress = true; progress;) {
		progress = false;
		for (unsigned g = 1; g < s->n_hosts; g++) {
			if (placed[g])
				continue;
			struct bounds b = bounds_of(&a, g, placed, corr);
			if (!b.n)
				continue;
			int64_t lo = b.lo, hi = b.hi;
			if (lo == INT64_MIN)
				lo = hi;
			if (hi == INT64_MAX)
				hi = lo;
			if (lo <= 0 && 0 <= hi) {
				corr[g] = 0;
				unc[g] = -lo > hi ? -lo : hi;
			} else {
				corr[g] = lo / 2 + hi / 2;
				unc[g] = lo <= hi ? hi / 2 - lo / 2 : lo / 2 - hi / 2;
				bad[g] = lo > hi;
			}
			placed[g] = progress = true;
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		struct source *x = &s->v[i];
		unsigned g = x->host_group;
		if (!g || !placed[g])
			continue;
		x->skew_estimated = true;
		x->skew_ns = corr[g];
		x->skew_uncertainty_ns = unc[g];
		x->skew_inconsistent = bad[g];
		x->offset_ns += corr[g];
	}
out:
	free(placed);
	free(corr);
	free(unc);
	free(bad);
	free(a.v);
	idmap_free(&a.by_id);
	return rc;
}
