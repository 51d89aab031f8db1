/*
 * Clock skew between hosts, from span causality (as Zipkin's UI corrects it).
 *
 * Files from another host are first placed by CLOCK_REALTIME, which two hosts
 * only roughly agree on.  A span whose parent is on another host should lie
 * inside it: with d the correction added to the child's host,
 *     parent.start <= child.start + d   and   child.end + d <= parent.end,
 * so every such pair bounds d to [parent.start - child.start,
 * parent.end - child.end] (and a parent on the host being corrected bounds it
 * the other way).
 *
 * Only the begins' bound is causality: the child names its parent, so it
 * began after the parent's id existed.  The ends' bound is a habit, not a
 * law: a server commonly ends its span after writing the answer, and when it
 * is preempted in between (a loaded machine), the client has its answer and
 * ends first, by as long as the preemption.  Intersecting every bound would
 * let one such end cut the interval by milliseconds.  So the begins'
 * bounds are intersected into [lo, hi], and of the ends' bounds we keep the
 * most that agree with each other inside it (Marzullo's algorithm, as NTP
 * votes out its falsetickers), narrowing [lo, hi]; the others are left out
 * and counted.
 *
 * If 0 is inside [lo, hi], the wall clocks already respect causality: no
 * correction, and the skew is known to within max(-lo, hi).  Otherwise the
 * host moves to the middle of [lo, hi] (network delay assumed the same each
 * way), known to within (hi - lo) / 2.  If the begins' lo > hi (a drifting
 * clock), the middle too, and the report says the bounds were inconsistent.
 *
 * Hosts are corrected one at a time against those already placed, starting
 * from the reference file's host (the first in sources.c's order), so a chain front end -> API -> back end works.
 * This pass reads only span begins and ends, keeping 40 bytes per span of
 * the files; it runs only when the files come from more than one host.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/idmap.h"
#include "cmd/sources.h"
#include "lib/grow.h"
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

/* Room for one more of size bytes in *v (n used of *cap, first 64). */

static int add(struct spans *a, const struct sp *x)
{
	if (!lot_grow((void **)&a->v, &a->cap, a->n, sizeof *a->v))
		return -1;
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

/* An end bound: d >= v, or d <= v if upper. */
struct soft {
	int64_t v;
	bool upper;
};

struct bounds {
	int64_t lo, hi;    /* from begins: always hold */
	struct soft *soft; /* from ends: usually hold */
	size_t n_soft, cap;
	size_t n;          /* pairs */
};

static int add_soft(struct bounds *b, int64_t v, bool upper)
{
	if (!lot_grow((void **)&b->soft, &b->cap, b->n_soft, sizeof *b->soft))
		return -1;
	b->soft[b->n_soft++] = (struct soft){v, upper};
	return 0;
}

/* Bounds on the correction of group g against the placed groups. */
static int bounds_of(struct bounds *b, struct spans *a, unsigned g, const bool *placed,
		     const int64_t *corr)
{
	*b = (struct bounds){.lo = INT64_MIN, .hi = INT64_MAX, .soft = b->soft, .cap = b->cap};
	for (size_t i = 0; i < a->n; i++) {
		struct sp *c = &a->v[i];
		struct sp *p = c->parent ? find(a, c->parent) : NULL;
		if (!p || p->group == c->group)
			continue;
		bool ended = p->end != INT64_MIN && c->end != INT64_MIN;
		if (c->group == g && placed[p->group]) { /* remote parent, placed */
			int64_t lo = p->start + corr[p->group] - c->start;
			if (lo > b->lo)
				b->lo = lo;
			if (ended && add_soft(b, p->end + corr[p->group] - c->end, true))
				return -1;
			b->n++;
		} else if (p->group == g && placed[c->group]) { /* a placed child of ours */
			int64_t hi = c->start + corr[c->group] - p->start;
			if (hi < b->hi)
				b->hi = hi;
			if (ended && add_soft(b, c->end + corr[c->group] - p->end, false))
				return -1;
			b->n++;
		}
	}
	return 0;
}

static int by_value(const void *x, const void *y)
{
	const struct soft *a = x, *b = y;
	if (a->v != b->v)
		return a->v < b->v ? -1 : 1;
	return (int)a->upper - (int)b->upper; /* closed: a lower bound before an upper at one value */
}

/*
 * Within the begins' [b->lo, b->hi], the stretch that satisfies the most end
 * bounds (Marzullo's algorithm, as NTP picks its truechimers): sweep the
 * bounds in order, counting those satisfied.  The lowest such stretch if
 * several tie.  Returns how many end bounds it leaves unsatisfied.
 */
static size_t best_stretch(struct bounds *b, int64_t *lo, int64_t *hi)
{
	size_t n = 0, count = 0;
	for (size_t i = 0; i < b->n_soft; i++) { /* drop those no d in [b->lo, b->hi] meets */
		struct soft x = b->soft[i];
		if (x.upper ? x.v < b->lo : x.v > b->hi)
			continue;
		if (x.upper ? x.v > b->hi : x.v < b->lo)
			x.v = x.upper ? b->hi : b->lo;
		b->soft[n++] = x;
		count += x.upper;
	}
	qsort(b->soft, n, sizeof *b->soft, by_value);
	size_t best = count;
	*lo = b->lo;
	*hi = n ? b->soft[0].v : b->hi;
	for (size_t i = 0; i < n; i++) {
		if (b->soft[i].upper) {
			count--;
			continue;
		}
		if (++count > best) { /* up to the next bound (a later lower one may do better) */
			best = count;
			*lo = b->soft[i].v;
			*hi = i + 1 < n ? b->soft[i + 1].v : b->hi;
		}
	}
	return b->n_soft - best;
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
	size_t *ignored = calloc(s->n_hosts, sizeof *ignored);
	struct bounds b = {0};
	if (rc || !placed || !corr || !unc || !bad || !ignored) {
		rc = -1;
		goto out;
	}
	placed[0] = true;
	for (bool progress = true; progress;) {
		progress = false;
		for (unsigned g = 1; g < s->n_hosts; g++) {
			if (placed[g])
				continue;
			if (bounds_of(&b, &a, g, placed, corr)) {
				rc = -1;
				goto out;
			}
			if (!b.n)
				continue;
			int64_t lo = b.lo, hi = b.hi;
			if (lo <= hi)
				ignored[g] = best_stretch(&b, &lo, &hi);
			else /* the begins contradict each other: drift */
				ignored[g] = b.n_soft;
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
		x->skew_ends_ignored = ignored[g];
		x->offset_ns += corr[g];
	}
out:
	free(placed);
	free(corr);
	free(unc);
	free(bad);
	free(ignored);
	free(b.soft);
	free(a.v);
	idmap_free(&a.by_id);
	return rc;
}
