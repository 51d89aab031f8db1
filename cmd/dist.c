#include "cmd/dist.h"

#include <math.h>
#include <stdlib.h>

static size_t bucket_of(uint64_t v)
{
	if (v < DIST_SUB)
		return (size_t)v;
	int e = 63 - __builtin_clzll(v);              /* 2^e <= v < 2^(e+1), e >= 6 */
	uint64_t sub = (v >> (e - 6)) & (DIST_SUB - 1); /* the 6 bits below the top one */
	return (size_t)(e - 5) * DIST_SUB + (size_t)sub;
}

/* The middle of a bucket's range. */
static uint64_t bucket_value(size_t b)
{
	if (b < DIST_SUB)
		return b;
	int e = (int)(b / DIST_SUB) + 5;
	uint64_t sub = b % DIST_SUB;
	uint64_t lo = ((uint64_t)1 << e) | (sub << (e - 6));
	return lo + ((uint64_t)1 << (e - 6)) / 2;
}

static int fold(struct dist *d)
{
	d->buckets = calloc(DIST_BUCKETS, sizeof *d->buckets);
	if (!d->buckets)
		return -1;
	for (size_t i = 0; i < d->n; i++)
		d->buckets[bucket_of(d->v[i])]++;
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
	return 0;
}

int dist_add(struct dist *d, uint64_t ns)
{
	d->count++;
	d->total += ns;
	if (ns > d->max)
		d->max = ns;
	if (d->buckets) {
		d->buckets[bucket_of(ns)]++;
		return 0;
	}
	if (d->n == d->cap) {
		if (d->n >= DIST_EXACT_MAX) {
			if (fold(d))
				return -1;
			d->buckets[bucket_of(ns)]++;
			return 0;
		}
		size_t cap = d->cap ? 2 * d->cap : 16;
		uint64_t *v = realloc(d->v, cap * sizeof *v);
		if (!v)
			return -1;
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n++] = ns;
	d->sorted = false;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

uint64_t dist_pct(struct dist *d, double p)
{
	if (!d->count)
		return 0;
	uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)d->count);
	if (rank < 1)
		rank = 1;
	if (rank > d->count)
		rank = d->count;
	if (!d->buckets) {
		if (!d->sorted) {
			qsort(d->v, d->n, sizeof *d->v, cmp_u64);
			d->sorted = true;
		}
		return d->v[rank - 1];
	}
	if (rank == d->count)
		return d->max;
	uint64_t seen = 0;
	for (size_t b = 0; b < DIST_BUCKETS; b++) {
		seen += d->buckets[b];
		if (seen >= rank) {
			uint64_t v = bucket_value(b);
			return v > d->max ? d->max : v;
		}
	}
	return d->max;
}

bool dist_exact(const struct dist *d) { return !d->buckets; }

void dist_free(struct dist *d)
{
	free(d->v);
	free(d->buckets);
	*d = (struct dist){0};
}
