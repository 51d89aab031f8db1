#include "cmd/timeline_grid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/escape.h"

#define FIRST_BUCKET_NS 1000

void tl_grid_init(struct tl_grid *g, int64_t from, int64_t to)
{
	*g = (struct tl_grid){.bucket_ns = FIRST_BUCKET_NS};
	if (from >= 0 && to > from) {
		g->fixed = true;
		g->origin = from;
		g->window_end = to;
		g->bucket_ns = (to - from + TL_BUCKETS - 1) / TL_BUCKETS;
		g->max_end = to;
	}
}

void tl_grid_free(struct tl_grid *g)
{
	for (size_t i = 0; i < g->n_rows; i++) {
		struct tl_row *r = &g->rows[i];
		free(r->label);
		free(r->ns);
		free(r->reason);
		free(r->reason_ns);
		free(r->samples);
		for (size_t s = 0; s < r->n_spans; s++)
			free(r->spans[s].name);
		free(r->spans);
	}
	free(g->rows);
	*g = (struct tl_grid){0};
}

long tl_grid_row(struct tl_grid *g, uint64_t key, const char *label)
{
	/* Rows are few (at most TL_MAX_ROWS): a linear search, after the row of
	 * the previous call. */
	if (g->last < g->n_rows && g->rows[g->last].key == key)
		return (long)g->last;
	for (size_t i = 0; i < g->n_rows; i++)
		if (g->rows[i].key == key)
			return (long)(g->last = i);
	if (g->n_rows == TL_MAX_ROWS) {
		g->full = true;
		return -1;
	}
	if (g->n_rows == g->cap_rows) {
		size_t cap = g->cap_rows ? 2 * g->cap_rows : 16;
		struct tl_row *v = realloc(g->rows, cap * sizeof *v);
		if (!v)
			goto oom;
		g->rows = v;
		g->cap_rows = cap;
	}
	struct tl_row *r = &g->rows[g->n_rows];
	*r = (struct tl_row){.key = key};
	r->label = strdup(label ? label : "");
	r->ns = calloc(TL_BUCKETS, sizeof *r->ns);
	r->reason = calloc(TL_BUCKETS, sizeof *r->reason);
	r->reason_ns = calloc(TL_BUCKETS, sizeof *r->reason_ns);
	r->samples = calloc(TL_BUCKETS, sizeof *r->samples);
	r->spans = malloc(TL_ROW_SPANS * sizeof *r->spans);
	if (!r->label || !r->ns || !r->reason || !r->reason_ns || !r->samples || !r->spans) {
		free(r->label);
		free(r->ns);
		free(r->reason);
		free(r->reason_ns);
		free(r->samples);
		free(r->spans);
		goto oom;
	}
	g->last = g->n_rows;
	return (long)g->n_rows++;
oom:
	g->oom = true;
	return -1;
}

void tl_grid_set_label(struct tl_grid *g, long row, const char *label)
{
	char *l = row >= 0 ? strdup(label) : NULL;
	if (!l)
		return;
	free(g->rows[row].label);
	g->rows[row].label = l;
}

/* Twice as wide buckets: merge pairs. */
static void widen(struct tl_grid *g)
{
	for (size_t i = 0; i < g->n_rows; i++) {
		struct tl_row *r = &g->rows[i];
		for (size_t b = 0; b < TL_BUCKETS / 2; b++) {
			size_t a = 2 * b, c = 2 * b + 1;
			for (int s = 0; s < TL_NSTATES; s++)
				r->ns[b][s] = r->ns[a][s] + r->ns[c][s];
			size_t w = r->reason_ns[c] > r->reason_ns[a] ? c : a;
			r->reason[b] = r->reason[w];
			r->reason_ns[b] = r->reason_ns[w];
			r->samples[b] = r->samples[a] + r->samples[c];
		}
		memset(r->samples + TL_BUCKETS / 2, 0, TL_BUCKETS / 2 * sizeof *r->samples);
		memset(r->ns + TL_BUCKETS / 2, 0, TL_BUCKETS / 2 * sizeof *r->ns);
		memset(r->reason + TL_BUCKETS / 2, 0, TL_BUCKETS / 2 * sizeof *r->reason);
		memset(r->reason_ns + TL_BUCKETS / 2, 0, TL_BUCKETS / 2 * sizeof *r->reason_ns);
	}
	g->bucket_ns *= 2;
}

/* Clip [*start, *end) to what the grid covers, growing it if it may; false if empty. */
static bool clip(struct tl_grid *g, int64_t *start, int64_t *end)
{
	int64_t lo = g->origin, hi = g->fixed ? g->window_end : INT64_MAX;
	if (*start < lo)
		*start = lo;
	if (*end > hi)
		*end = hi;
	if (*end <= *start)
		return false;
	while (!g->fixed && *end - g->origin > g->bucket_ns * TL_BUCKETS)
		widen(g);
	if (*end > g->max_end)
		g->max_end = *end;
	if (!g->any_time || *start < g->min_start)
		g->min_start = *start;
	g->any_time = true;
	return true;
}

void tl_grid_state(struct tl_grid *g, long row, enum tl_state st, const char *reason,
		   int64_t start, int64_t end)
{
	if (row < 0 || st <= TL_IDLE || st >= TL_NSTATES || !clip(g, &start, &end))
		return;
	struct tl_row *r = &g->rows[row];
	int64_t b = (start - g->origin) / g->bucket_ns;
	for (; b < TL_BUCKETS; b++) {
		int64_t bs = g->origin + b * g->bucket_ns, be = bs + g->bucket_ns;
		if (bs >= end)
			break;
		int64_t lo = start > bs ? start : bs, hi = end < be ? end : be;
		uint64_t ns = (uint64_t)(hi - lo);
		r->ns[b][st] += ns;
		if (st == TL_BLOCKED && reason && ns > r->reason_ns[b]) {
			r->reason[b] = reason;
			r->reason_ns[b] = ns;
		}
	}
}

void tl_grid_sample(struct tl_grid *g, long row, int64_t t)
{
	int64_t end = t + 1;
	if (row < 0 || !clip(g, &t, &end))
		return;
	struct tl_row *r = &g->rows[row];
	int64_t b = (t - g->origin) / g->bucket_ns;
	if (b < TL_BUCKETS && r->samples[b] < UINT32_MAX)
		r->samples[b]++;
	g->any_samples = true;
}

uint64_t tl_grid_samples(const struct tl_grid *g, const struct tl_row *r, int64_t t0, int64_t t1)
{
	uint64_t n = 0;
	int64_t b = t0 > g->origin ? (t0 - g->origin + g->bucket_ns - 1) / g->bucket_ns : 0;
	for (; b < TL_BUCKETS && g->origin + b * g->bucket_ns < t1; b++)
		n += r->samples[b];
	return n;
}

/* Drop the shorter spans until at most half the room is used. */
static void prune_spans(struct tl_row *r, int64_t bucket_ns)
{
	while (r->n_spans > TL_ROW_SPANS / 2) {
		r->min_span_ns = r->min_span_ns ? 2 * r->min_span_ns : bucket_ns;
		size_t k = 0;
		for (size_t i = 0; i < r->n_spans; i++) {
			if (r->spans[i].end - r->spans[i].start >= r->min_span_ns)
				r->spans[k++] = r->spans[i];
			else
				free(r->spans[i].name);
		}
		r->n_spans = k;
	}
}

void tl_grid_span(struct tl_grid *g, long row, const char *name, size_t name_len, int64_t start,
		  int64_t end)
{
	if (row < 0 || !clip(g, &start, &end))
		return;
	struct tl_row *r = &g->rows[row];
	if (end - start < r->min_span_ns || end - start < g->bucket_ns)
		return;
	if (r->n_spans == TL_ROW_SPANS) {
		prune_spans(r, g->bucket_ns);
		if (end - start < r->min_span_ns)
			return;
	}
	char *n = text_plain_dup(name ? name : "", name ? name_len : 0);
	if (!n) {
		g->oom = true;
		return;
	}
	r->spans[r->n_spans++] = (struct tl_span){.start = start, .end = end, .name = n};
}

void tl_grid_range(const struct tl_grid *g, int64_t *from, int64_t *to)
{
	*from = g->fixed || !g->any_time ? g->origin : g->min_start;
	*to = g->fixed ? g->window_end : g->max_end;
	if (*to <= *from)
		*to = *from + 1;
}

enum tl_state tl_grid_at(const struct tl_grid *g, const struct tl_row *r, int64_t t0, int64_t t1,
			 const char **reason)
{
	double in[TL_NSTATES] = {0};
	uint64_t best_reason_ns = 0;
	*reason = NULL;
	if (t0 < g->origin)
		t0 = g->origin;
	if (t1 <= t0)
		return TL_IDLE;
	int64_t b0 = (t0 - g->origin) / g->bucket_ns;
	for (int64_t b = b0; b < TL_BUCKETS; b++) {
		int64_t bs = g->origin + b * g->bucket_ns, be = bs + g->bucket_ns;
		if (bs >= t1)
			break;
		int64_t lo = t0 > bs ? t0 : bs, hi = t1 < be ? t1 : be;
		double part = (double)(hi - lo) / (double)g->bucket_ns;
		for (int s = 1; s < TL_NSTATES; s++)
			in[s] += part * (double)r->ns[b][s];
		if (r->reason_ns[b] > best_reason_ns) {
			best_reason_ns = r->reason_ns[b];
			*reason = r->reason[b];
		}
	}
	/* Blocked time of several tasks may overlap: it fills only the rest. */
	double rest = (double)(t1 - t0) - in[TL_RUNNING] - in[TL_RUNNABLE];
	if (in[TL_BLOCKED] > rest)
		in[TL_BLOCKED] = rest > 0 ? rest : 0;
	/* Activity shows once it fills a fifth of the column, so that short
	 * bursts are not hidden by idle time around them. */
	double busy = in[TL_RUNNING] + in[TL_RUNNABLE] + in[TL_BLOCKED];
	if (busy < 0.2 * (double)(t1 - t0) || busy <= 0)
		return TL_IDLE;
	enum tl_state best = TL_RUNNING;
	for (int s = TL_RUNNABLE; s < TL_NSTATES; s++)
		if (in[s] > in[best])
			best = (enum tl_state)s;
	if (best != TL_BLOCKED)
		*reason = NULL;
	return best;
}

const char *tl_state_name(enum tl_state st)
{
	switch (st) {
	case TL_RUNNING: return "running";
	case TL_RUNNABLE: return "runnable";
	case TL_BLOCKED: return "blocked";
	default: return "idle";
	}
}

void tl_fmt_time(int64_t ns, char out[32])
{
	const char *sign = ns < 0 ? "-" : "";
	double v = ns < 0 ? -(double)ns : (double)ns;
	if (v == 0)
		snprintf(out, 32, "0");
	else if (v < 1e3)
		snprintf(out, 32, "%s%.0f ns", sign, v);
	else if (v < 1e6)
		snprintf(out, 32, "%s%.3g us", sign, v / 1e3);
	else if (v < 1e9)
		snprintf(out, 32, "%s%.3g ms", sign, v / 1e6);
	else
		snprintf(out, 32, "%s%.3f s", sign, v / 1e9);
}
