/*
 * The picture `lotrace timeline` draws, gathered in one streaming pass and
 * in memory bounded by the number of rows, never by the number of events.
 *
 * Each row (a thread, or a task) keeps TL_BUCKETS time buckets and, per
 * bucket, the nanoseconds spent in each state.  Before the trace's length is
 * known the buckets start 1 us wide from time 0 and double (merging pairs)
 * whenever an interval ends past the last one; with a window (--from/--to)
 * they are fixed.  Renderers then resample the buckets to their own width
 * (terminal columns, SVG pixels) and draw each column in the state that
 * took most of its time.
 *
 * CPU samples are counted per row and bucket, so that renderers can mark
 * the running time that was seen on a CPU (doc/ANALYSIS.md).
 *
 * Spans are kept per row as labels, only those long enough to show a name:
 * when a row holds TL_ROW_SPANS of them, the shortest half is dropped.
 */
#ifndef LOT_CMD_TIMELINE_GRID_H
#define LOT_CMD_TIMELINE_GRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tl_state { TL_IDLE, TL_RUNNING, TL_RUNNABLE, TL_BLOCKED, TL_NSTATES };

#define TL_BUCKETS 2048
#define TL_ROW_SPANS 1024
/* Rows beyond this are counted, not drawn: each row costs TL_BUCKETS * 48 bytes. */
#define TL_MAX_ROWS 256

struct tl_span {
	int64_t start, end;
	char *name; /* plain-escaped, owned */
};

struct tl_row {
	uint64_t key;
	char *label; /* owned */
	uint64_t (*ns)[TL_NSTATES]; /* [TL_BUCKETS] time in each state */
	const char **reason;        /* [TL_BUCKETS] block reason of the longest blocked piece */
	uint64_t *reason_ns;        /* [TL_BUCKETS] its length */
	uint32_t *samples;          /* [TL_BUCKETS] CPU samples taken */
	struct tl_span *spans;
	size_t n_spans;
	int64_t min_span_ns; /* shorter spans are not kept */
};

struct tl_grid {
	int64_t origin;    /* time of bucket 0's start */
	int64_t bucket_ns; /* width of a bucket */
	bool fixed;        /* a window was given: no doubling, clip to it */
	int64_t window_end;
	int64_t max_end;   /* latest end seen (clipped to the window) */
	int64_t min_start; /* earliest start seen (valid when any_time) */
	bool any_time;
	bool any_samples;  /* a CPU sample was counted: renderers mark them */
	struct tl_row *rows;
	size_t n_rows, cap_rows;
	size_t last;       /* the row found last: intervals come in runs */
	bool full;         /* a row was refused for TL_MAX_ROWS */
	bool oom;
};

/* from < 0 and to < 0: the whole trace; else the window [from, to) */
void tl_grid_init(struct tl_grid *g, int64_t from, int64_t to);
void tl_grid_free(struct tl_grid *g);

/* The row for key (created with label, which is copied, if new); -1 on ENOMEM
 * or past TL_MAX_ROWS rows (then full is set). */
long tl_grid_row(struct tl_grid *g, uint64_t key, const char *label);
/* Replace a row's label (copied; kept on ENOMEM). */
void tl_grid_set_label(struct tl_grid *g, long row, const char *label);
/* Time [start, end) of a row in a state; reason (blocked only) must outlive the grid. */
void tl_grid_state(struct tl_grid *g, long row, enum tl_state st, const char *reason,
		   int64_t start, int64_t end);
void tl_grid_span(struct tl_grid *g, long row, const char *name, size_t name_len, int64_t start,
		  int64_t end);

/* A CPU sample on a row at time t. */
void tl_grid_sample(struct tl_grid *g, long row, int64_t t);
/* CPU samples of a row in the buckets that begin in [t0, t1). */
uint64_t tl_grid_samples(const struct tl_grid *g, const struct tl_row *r, int64_t t0, int64_t t1);

/* The range to draw: the window, else [earliest start, latest end). */
void tl_grid_range(const struct tl_grid *g, int64_t *from, int64_t *to);

/* The dominant state of a row over [t0, t1) (resampled from the buckets), and
 * the block reason there when it is TL_BLOCKED (NULL if none). */
enum tl_state tl_grid_at(const struct tl_grid *g, const struct tl_row *r, int64_t t0, int64_t t1,
			 const char **reason);

const char *tl_state_name(enum tl_state st);
/* A time or duration for people: "0", "850 ns", "12.5 us", "1.23 ms", "2.500 s". */
void tl_fmt_time(int64_t ns, char out[32]);

#endif
