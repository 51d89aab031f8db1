/*
 * A distribution of durations for percentiles.  Exact while it holds at most
 * DIST_EXACT_MAX values (they are kept and sorted); past that it folds them
 * into a log-linear histogram (64 sub-buckets per power of two), whose
 * percentiles are within 1/64 (1.6%) of the true value, so memory stays
 * bounded however many spans or tasks share a name.  Count, total and max
 * are always exact.
 */
#ifndef LOT_CMD_DIST_H
#define LOT_CMD_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DIST_EXACT_MAX (1u << 16)
#define DIST_SUB 64
#define DIST_BUCKETS (64 * DIST_SUB)

struct dist {
	uint64_t count, total, max;
	uint64_t *v;       /* exact values, NULL once folded */
	size_t n, cap;
	uint64_t *buckets; /* DIST_BUCKETS counters once folded */
	bool sorted;
};

/* 0, or -1 on ENOMEM. */
int dist_add(struct dist *d, uint64_t ns);
/* The p-th percentile (0 < p <= 100), nearest rank; 0 when empty. */
uint64_t dist_pct(struct dist *d, double p);
bool dist_exact(const struct dist *d);
void dist_free(struct dist *d);

#endif
