/*
 * The analysis model on traces with known answers, built in memory with
 * exact timestamps (tests/support/tracebuild.h).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dist.h"
#include "cmd/model.h"
#include "tests/support/tracebuild.h"

#define MS 1000000ull

struct seen {
	struct model_span spans[16];
	struct model_reason_ns by[16][4];
	struct model_block blocks[16][4];
	size_t n_spans;
	struct model_interval ivs[64];
	size_t n_ivs;
	char task_names[16][32];
	uint64_t task_state[16][MODEL_STATES];
	size_t n_tasks;
	struct model *m;
	struct lot_reader *r;
};

static void seen_free(struct seen *s)
{
	model_free(s->m);
	lot_reader_close(s->r);
	free(s);
}

static void on_span(void *ctx, const struct model_span *sp)
{
	struct seen *s = ctx;
	if (s->n_spans == 16)
		return;
	size_t i = s->n_spans++;
	s->spans[i] = *sp;
	for (size_t k = 0; k < sp->n_blocked_by && k < 4; k++)
		s->by[i][k] = sp->blocked_by[k];
	for (size_t k = 0; k < sp->n_blocks && k < 4; k++)
		s->blocks[i][k] = sp->blocks[k];
}

static void on_interval(void *ctx, const struct model_interval *iv)
{
	struct seen *s = ctx;
	if (getenv("MODEL_DEBUG"))
		fprintf(stderr, "%s %s %lld-%lld %s\n", iv->task->name.s, model_state_name(iv->state),
			(long long)iv->start_ns, (long long)iv->end_ns, iv->reason.s);
	if (s->n_ivs < 64)
		s->ivs[s->n_ivs++] = *iv;
}

static void on_task(void *ctx, const struct model_task *t)
{
	struct seen *s = ctx;
	if (s->n_tasks == 16)
		return;
	snprintf(s->task_names[s->n_tasks], 32, "%s", t->name.s);
	memcpy(s->task_state[s->n_tasks], t->state_ns, sizeof t->state_ns);
	s->n_tasks++;
}

static struct model_summary run_model_opts(struct lot_tb *b, struct seen *s,
					   const struct model_opts *o)
{
	size_t len;
	const uint8_t *d = lot_tb_data(b, &len);
	struct lot_read_error err;
	struct lot_reader *r = lot_reader_open_mem(d, len, NULL, &err);
	ck_assert_ptr_nonnull(r);
	struct model_callbacks cb = {.ctx = s, .span = on_span, .interval = on_interval,
				     .task_done = on_task};
	struct model *m = model_new(r, &cb, o);
	ck_assert_ptr_nonnull(m);
	struct model_summary sum;
	ck_assert_int_eq(model_run(m, &sum), 0);
	s->m = m; /* names stay valid until model_free() */
	s->r = r;
	return sum;
}

static struct model_summary run_model(struct lot_tb *b, struct seen *s, size_t window)
{
	struct model_opts o = {.window_events = window};
	return run_model_opts(b, s, &o);
}

static const uint8_t trace_id[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint64_t block_stack[] = {0x401000, 0x402000};
static const uint64_t wake_stack[] = {0x403000};

/*
 * The worker (tid 10) runs task A: span "handle" begins at 1 ms, A runs
 * 20 ms, blocks 30 ms on "io", is unblocked by the producer (tid 20) at
 * 51 ms but waits while the worker runs task B until 71 ms, runs 10 ms more
 * and the span ends at 81 ms.  The producer's chunk comes after the
 * worker's in the file: the unblock is read after the block it ends.
 */
static struct lot_tb *build_breakdown(void)
{
	struct lot_tb *b = lot_tb_new(NULL);
	struct lot_writer *w = lot_tb_chunk_begin(b, 10, "worker", 0, 0);
	lot_write_thread_begin(w, lot_tb_ticks(b, 0), 10, lot_writer_string(w, "worker"), 0);
	lot_write_task_start(w, lot_tb_ticks(b, 1 * MS), 100);
	lot_write_span_begin(w, lot_tb_ticks(b, 1 * MS), 7001, 0, lot_writer_trace_define(w, trace_id),
			     lot_writer_string(w, "handle"), 0);
	lot_write_task_block(w, lot_tb_ticks(b, 21 * MS), lot_writer_string(w, "io"), 0,
			     lot_writer_stack(w, block_stack, 2));
	lot_write_task_start(w, lot_tb_ticks(b, 21 * MS), 101);
	lot_write_task_end(w, lot_tb_ticks(b, 71 * MS));
	lot_write_task_start(w, lot_tb_ticks(b, 71 * MS), 100);
	lot_write_span_end(w, lot_tb_ticks(b, 81 * MS), 7001);
	lot_write_task_end(w, lot_tb_ticks(b, 82 * MS));
	lot_write_thread_end(w, lot_tb_ticks(b, 90 * MS));
	lot_tb_chunk_end(b);

	w = lot_tb_chunk_begin(b, 20, "producer", 0, 0);
	lot_write_thread_begin(w, lot_tb_ticks(b, 0), 20, lot_writer_string(w, "producer"), 0);
	lot_write_task_create(w, lot_tb_ticks(b, 0), 100, 0, lot_writer_string(w, "req-a"), 0);
	lot_write_task_create(w, lot_tb_ticks(b, 0), 101, 0, lot_writer_string(w, "req-b"), 0);
	lot_write_task_unblock(w, lot_tb_ticks(b, 51 * MS), 100, lot_writer_stack(w, wake_stack, 1));
	lot_write_thread_end(w, lot_tb_ticks(b, 95 * MS));
	lot_tb_chunk_end(b);
	lot_tb_trailer(b, 100 * MS);
	return b;
}

START_TEST(span_breakdown_splits_running_blocked_and_runnable)
{
	struct lot_tb *b = build_breakdown();
	struct seen *s = calloc(1, sizeof *s);
	struct model_summary sum = run_model(b, s, 0);
	ck_assert_uint_eq(s->n_spans, 1);
	const struct model_span *sp = &s->spans[0];
	ck_assert_str_eq(sp->name.s, "handle");
	ck_assert_str_eq(sp->task_name.s, "req-a");
	ck_assert_int_eq(sp->start_ns, (int64_t)(1 * MS));
	ck_assert_int_eq(sp->end_ns, (int64_t)(81 * MS));
	ck_assert_uint_eq(sp->state_ns[MODEL_RUNNING], 30 * MS);
	ck_assert_uint_eq(sp->state_ns[MODEL_BLOCKED], 30 * MS);
	ck_assert_uint_eq(sp->state_ns[MODEL_RUNNABLE], 20 * MS);
	ck_assert_uint_eq(sp->unknown_ns, 0);
	ck_assert_uint_eq(sp->n_blocked_by, 1);
	ck_assert_str_eq(s->by[0][0].reason.s, "io");
	ck_assert_uint_eq(s->by[0][0].ns, 30 * MS);
	ck_assert_uint_eq(sp->n_blocks, 1);
	const struct model_block *bl = &s->blocks[0][0];
	ck_assert(bl->woken);
	ck_assert_uint_eq(bl->waker.tid, 20);
	ck_assert_str_eq(bl->waker.task_name.s, "producer");
	ck_assert_uint_ne(bl->waker.stack, 0);
	ck_assert_uint_ne(bl->stack, 0);
	ck_assert(!memcmp(sp->trace_id, trace_id, 16));
	ck_assert_uint_eq(sum.late_events, 0);
	ck_assert_uint_eq(sum.span_ends_unmatched, 0);
	seen_free(s);
	lot_tb_free(b);
}
END_TEST

START_TEST(task_totals_cover_each_state)
{
	struct lot_tb *b = build_breakdown();
	struct seen *s = calloc(1, sizeof *s);
	run_model(b, s, 0);
	int a = -1, bb = -1;
	for (size_t i = 0; i < s->n_tasks; i++) {
		if (!strcmp(s->task_names[i], "req-a"))
			a = (int)i;
		if (!strcmp(s->task_names[i], "req-b"))
			bb = (int)i;
	}
	ck_assert_int_ge(a, 0);
	ck_assert_int_ge(bb, 0);
	/* A: runnable 0-1 and 51-71, running 1-21 and 71-82, blocked 21-51 */
	ck_assert_uint_eq(s->task_state[a][MODEL_RUNNABLE], 21 * MS);
	ck_assert_uint_eq(s->task_state[a][MODEL_RUNNING], 31 * MS);
	ck_assert_uint_eq(s->task_state[a][MODEL_BLOCKED], 30 * MS);
	/* B: created at 0, runs 21-71 */
	ck_assert_uint_eq(s->task_state[bb][MODEL_RUNNABLE], 21 * MS);
	ck_assert_uint_eq(s->task_state[bb][MODEL_RUNNING], 50 * MS);
	seen_free(s);
	lot_tb_free(b);
}
END_TEST

/* With a window of one event the unblock arrives too late to be placed: it
 * is counted, and the span's time still sums to its wall time. */
START_TEST(late_events_are_counted_and_sums_hold)
{
	struct lot_tb *b = build_breakdown();
	struct seen *s = calloc(1, sizeof *s);
	struct model_summary sum = run_model(b, s, 1);
	ck_assert_uint_gt(sum.late_events, 0);
	ck_assert_uint_eq(s->n_spans, 1);
	const struct model_span *sp = &s->spans[0];
	uint64_t total = sp->unknown_ns;
	for (int i = 0; i < MODEL_STATES; i++)
		total += sp->state_ns[i];
	ck_assert_uint_eq(total, (uint64_t)(sp->end_ns - sp->start_ns));
	seen_free(s);
	lot_tb_free(b);
}
END_TEST

/* A thread that blocks and unblocks itself (a blocking call) runs on at once. */
START_TEST(self_unblock_resumes_without_runnable_time)
{
	struct lot_tb *b = lot_tb_new(NULL);
	struct lot_writer *w = lot_tb_chunk_begin(b, 10, "main", 0, 0);
	lot_tb_chunk_task(b, 0x77); /* the thread's own task id */
	lot_write_thread_begin(w, lot_tb_ticks(b, 0), 10, lot_writer_string(w, "main"), 0);
	lot_write_span_begin(w, lot_tb_ticks(b, 0), 9001, 0, lot_writer_trace_define(w, trace_id),
			     lot_writer_string(w, "req"), 0);
	lot_write_task_block(w, lot_tb_ticks(b, 2 * MS), lot_writer_string(w, "io"), 0, 0);
	lot_write_task_unblock(w, lot_tb_ticks(b, 7 * MS), 0x77, 0);
	lot_write_span_end(w, lot_tb_ticks(b, 10 * MS), 9001);
	lot_write_thread_end(w, lot_tb_ticks(b, 10 * MS));
	lot_tb_chunk_end(b);
	lot_tb_trailer(b, 10 * MS);
	struct seen *s = calloc(1, sizeof *s);
	run_model(b, s, 0);
	ck_assert_uint_eq(s->n_spans, 1);
	ck_assert_uint_eq(s->spans[0].state_ns[MODEL_RUNNING], 5 * MS);
	ck_assert_uint_eq(s->spans[0].state_ns[MODEL_BLOCKED], 5 * MS);
	ck_assert(s->blocks[0][0].woken);
	ck_assert_uint_eq(s->blocks[0][0].waker.tid, 10);
	ck_assert_uint_eq(s->spans[0].state_ns[MODEL_RUNNABLE], 0);
	seen_free(s);
	lot_tb_free(b);
}
END_TEST

/* The recorder's flusher (tid 30, marked tracer_thread in each chunk) runs
 * the whole trace; main (tid 10) runs 4 ms of 10.  Only main is reported,
 * but the flusher's losses still count. */
static struct lot_tb *build_with_tracer_thread(void)
{
	struct lot_tb *b = lot_tb_new(NULL);
	struct lot_writer *w = lot_tb_chunk_begin(b, 30, "lotrace-flusher", 0, 5);
	lot_write_thread_begin(w, lot_tb_ticks(b, 0), 30, lot_writer_string(w, "lotrace-flusher"), 0);
	lot_write_tracer_thread(w, lot_tb_ticks(b, 0));
	lot_write_instant(w, lot_tb_ticks(b, 1 * MS), lot_writer_string(w, "tick"), 0);
	lot_tb_chunk_end(b);
	w = lot_tb_chunk_begin(b, 10, "main", 0, 0);
	lot_write_thread_begin(w, lot_tb_ticks(b, 0), 10, lot_writer_string(w, "main"), 0);
	lot_write_task_block(w, lot_tb_ticks(b, 4 * MS), lot_writer_string(w, "io"), 0, 0);
	lot_write_thread_end(w, lot_tb_ticks(b, 10 * MS));
	lot_tb_chunk_end(b);
	/* a later chunk of the flusher: marked again, so it stands alone */
	w = lot_tb_chunk_begin(b, 30, "lotrace-flusher", 5 * MS, 0);
	lot_write_tracer_thread(w, lot_tb_ticks(b, 5 * MS));
	lot_write_counter(w, lot_tb_ticks(b, 6 * MS), lot_writer_string(w, "bytes"), 7);
	lot_tb_chunk_end(b);
	lot_tb_trailer(b, 10 * MS);
	return b;
}

START_TEST(tracer_threads_are_left_out_but_their_losses_count)
{
	struct lot_tb *b = build_with_tracer_thread();
	struct seen *s = calloc(1, sizeof *s);
	struct model_summary sum = run_model(b, s, 0);
	ck_assert_uint_eq(sum.threads, 1);
	ck_assert_uint_eq(sum.lost, 5);
	ck_assert_uint_eq(s->n_tasks, 1);
	ck_assert_str_eq(s->task_names[0], "main");
	ck_assert_uint_eq(s->task_state[0][MODEL_RUNNING], 4 * MS);
	for (size_t i = 0; i < s->n_ivs; i++)
		ck_assert_uint_eq(s->ivs[i].tid, 10);
	seen_free(s);
	lot_tb_free(b);
}
END_TEST

START_TEST(show_tracer_reports_the_tracer_threads)
{
	struct lot_tb *b = build_with_tracer_thread();
	struct seen *s = calloc(1, sizeof *s);
	struct model_opts o = {.show_tracer = true};
	struct model_summary sum = run_model_opts(b, s, &o);
	ck_assert_uint_eq(sum.threads, 2);
	ck_assert_uint_eq(sum.lost, 5);
	ck_assert_uint_eq(s->n_tasks, 2);
	seen_free(s);
	lot_tb_free(b);
}
END_TEST

static void on_span_dist(void *ctx, const struct model_span *sp)
{
	ck_assert_int_eq(dist_add(ctx, (uint64_t)(sp->end_ns - sp->start_ns)), 0);
}

/* 1000 spans of 1..1000 us on two threads, each thread's spans in its own
 * chunks: nearest-rank percentiles computed by hand. */
START_TEST(span_percentiles_match_nearest_rank)
{
	struct lot_tb *b = lot_tb_new(NULL);
	for (uint64_t tid = 1; tid <= 2; tid++) {
		struct lot_writer *w = lot_tb_chunk_begin(b, tid, "t", 0, 0);
		uint32_t tr = lot_writer_trace_define(w, trace_id), name = lot_writer_string(w, "s");
		uint64_t t = 0;
		for (uint64_t i = tid; i <= 1000; i += 2) {
			lot_write_span_begin(w, lot_tb_ticks(b, t), i, 0, tr, name, 0);
			lot_write_span_end(w, lot_tb_ticks(b, t + i * 1000), i);
			t += i * 1000 + 1;
		}
		lot_tb_chunk_end(b);
	}
	lot_tb_trailer(b, 0);
	size_t len;
	const uint8_t *d = lot_tb_data(b, &len);
	struct lot_read_error err;
	struct lot_reader *r = lot_reader_open_mem(d, len, NULL, &err);
	ck_assert_ptr_nonnull(r);
	struct dist dd = {0};
	struct model_callbacks cb = {.ctx = &dd, .span = on_span_dist};
	struct model *m = model_new(r, &cb, NULL);
	struct model_summary sum;
	ck_assert_int_eq(model_run(m, &sum), 0);
	ck_assert_uint_eq(dd.count, 1000);
	ck_assert_uint_eq(sum.spans, 1000);
	ck_assert_uint_eq(dist_pct(&dd, 50), 500000);
	ck_assert_uint_eq(dist_pct(&dd, 90), 900000);
	ck_assert_uint_eq(dist_pct(&dd, 99), 990000);
	ck_assert_uint_eq(dd.max, 1000000);
	ck_assert_uint_eq(dd.total, 500500ull * 1000);
	dist_free(&dd);
	model_free(m);
	lot_reader_close(r);
	lot_tb_free(b);
}
END_TEST

/* Past the exact limit the histogram stays within its stated 1/64. */
START_TEST(folded_percentiles_stay_within_stated_error)
{
	struct dist dd = {0};
	uint64_t n = 4 * DIST_EXACT_MAX;
	for (uint64_t i = 1; i <= n; i++)
		ck_assert_int_eq(dist_add(&dd, i * 37), 0);
	ck_assert(!dist_exact(&dd));
	double ps[] = {50, 90, 99};
	for (int k = 0; k < 3; k++) {
		double want = (double)((uint64_t)(ps[k] / 100 * (double)n) * 37);
		double got = (double)dist_pct(&dd, ps[k]);
		ck_assert_msg(got > want * (1 - 1.0 / 64) && got < want * (1 + 1.0 / 64),
			      "p%g: %g, want %g", ps[k], got, want);
	}
	ck_assert_uint_eq(dist_pct(&dd, 100), n * 37);
	dist_free(&dd);
}
END_TEST


/* ---- CPU samples (doc/ANALYSIS.md "CPU samples") ---- */

struct sampled {
	struct model_sample v[16];
	char span_name[16][16];
	char task_name[16][16];
	bool task_is_thread[16];
	size_t n;
	struct model_span spans[4];
	char span_names[4][16]; /* spans[].name dies with the model */
	size_t n_spans;
	struct model_summary sum;
};

static void on_sample(void *ctx, const struct model_sample *sm)
{
	struct sampled *s = ctx;
	ck_assert_uint_lt(s->n, 16);
	size_t i = s->n++;
	s->v[i] = *sm;
	s->v[i].spans = NULL; /* valid only during the call */
	snprintf(s->span_name[i], 16, "%s", sm->span_name.s ? sm->span_name.s : "");
	snprintf(s->task_name[i], 16, "%s", sm->task ? sm->task->name.s : "(none)");
	s->task_is_thread[i] = sm->task && sm->task->is_thread;
}

static void on_sampled_span(void *ctx, const struct model_span *sp)
{
	struct sampled *s = ctx;
	if (s->n_spans < 4) {
		snprintf(s->span_names[s->n_spans], 16, "%s", sp->name.s);
		s->spans[s->n_spans++] = *sp;
	}
}

static const uint64_t stack_a[] = {0x401100, 0x401200}, stack_b[] = {0x401300, 0x401200};

/*
 * cpu_hz 100 (10 ms periods).  Worker thread 10 runs task "req" (100):
 * span "handle" (7001) 1-6 ms with child "db" (7002) 3-5 ms; samples at
 * 2 ms (weight 1) and 4 ms (weight 3, inside "db"); at 5 ms it creates task
 * "bg" (200) and at 8 ms, after req ended, samples its own task.  Helper
 * thread 30 runs "bg" from 5.5 ms: samples at 5.6 ms ("handle" still open)
 * and 6.5 ms (ended).  Thread 40 records only a sample, at 3 ms.  The
 * trailer says 4 samples were dropped.
 */
static struct lot_tb *build_sampled(const char *hz)
{
	struct lot_kv meta[] = {{"cpu_hz", hz}};
	struct lot_tb *b = lot_tb_new_with(NULL, meta, hz ? 1 : 0, NULL, 0);
	struct lot_writer *w = lot_tb_chunk_begin(b, 10, "worker", 0, 0);
	lot_write_thread_begin(w, lot_tb_ticks(b, 0), 10, lot_writer_string(w, "worker"), 0);
	lot_write_task_create(w, lot_tb_ticks(b, 0), 100, 0, lot_writer_string(w, "req"), 0);
	lot_write_task_start(w, lot_tb_ticks(b, 1 * MS), 100);
	uint32_t tr = lot_writer_trace_define(w, trace_id);
	lot_write_span_begin(w, lot_tb_ticks(b, 1 * MS), 7001, 0, tr, lot_writer_string(w, "handle"), 0);
	lot_write_cpu_sample(w, lot_tb_ticks(b, 2 * MS), lot_writer_stack(w, stack_a, 2), 1);
	lot_write_span_begin(w, lot_tb_ticks(b, 3 * MS), 7002, 7001, tr, lot_writer_string(w, "db"), 0);
	lot_write_cpu_sample(w, lot_tb_ticks(b, 4 * MS), lot_writer_stack(w, stack_b, 2), 3);
	lot_write_span_end(w, lot_tb_ticks(b, 5 * MS), 7002);
	lot_write_task_create(w, lot_tb_ticks(b, 5 * MS), 200, 100, lot_writer_string(w, "bg"), 0);
	lot_write_span_end(w, lot_tb_ticks(b, 6 * MS), 7001);
	lot_write_task_end(w, lot_tb_ticks(b, 7 * MS));
	lot_write_cpu_sample(w, lot_tb_ticks(b, 8 * MS), lot_writer_stack(w, stack_a, 2), 1);
	lot_write_thread_end(w, lot_tb_ticks(b, 9 * MS));
	lot_tb_chunk_end(b);

	w = lot_tb_chunk_begin(b, 30, "helper", 0, 0);
	lot_write_thread_begin(w, lot_tb_ticks(b, 0), 30, lot_writer_string(w, "helper"), 0);
	lot_write_task_start(w, lot_tb_ticks(b, 5 * MS + MS / 2), 200);
	lot_write_cpu_sample(w, lot_tb_ticks(b, 5 * MS + 6 * MS / 10), lot_writer_stack(w, stack_b, 2), 1);
	lot_write_cpu_sample(w, lot_tb_ticks(b, 6 * MS + MS / 2), lot_writer_stack(w, stack_b, 2), 1);
	lot_write_task_end(w, lot_tb_ticks(b, 7 * MS));
	lot_tb_chunk_end(b);

	w = lot_tb_chunk_begin(b, 40, "bare", 0, 0);
	lot_write_cpu_sample(w, lot_tb_ticks(b, 3 * MS), lot_writer_stack(w, stack_a, 2), 1);
	lot_tb_chunk_end(b);
	lot_tb_stat(b, "cpu_samples", 10);
	lot_tb_stat(b, "cpu_samples_dropped", 4);
	lot_tb_trailer(b, 10 * MS);
	return b;
}

static struct sampled *run_sampled(const char *hz)
{
	struct lot_tb *b = build_sampled(hz);
	size_t len;
	const uint8_t *d = lot_tb_data(b, &len);
	struct lot_read_error err;
	struct lot_reader *r = lot_reader_open_mem(d, len, NULL, &err);
	ck_assert_ptr_nonnull(r);
	struct sampled *s = calloc(1, sizeof *s);
	struct model_callbacks cb = {.ctx = s, .sample = on_sample, .span = on_sampled_span};
	struct model *m = model_new(r, &cb, NULL);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(model_run(m, &s->sum), 0);
	model_free(m);
	lot_reader_close(r);
	lot_tb_free(b);
	return s;
}

/* The sample at this time (ms * 10), or fail. */
static size_t sample_at(const struct sampled *s, uint64_t tenths_ms)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].ns == (int64_t)(tenths_ms * MS / 10))
			return i;
	ck_abort_msg("no sample at %llu/10 ms", (unsigned long long)tenths_ms);
	return 0;
}

static const struct model_span *span_named(const struct sampled *s, const char *name)
{
	for (size_t i = 0; i < s->n_spans; i++)
		if (!strcmp(s->span_names[i], name))
			return &s->spans[i];
	ck_abort_msg("no span %s", name);
	return NULL;
}

START_TEST(sample_belongs_to_running_task_and_its_innermost_span)
{
	struct sampled *s = run_sampled("100");
	size_t i = sample_at(s, 20);
	ck_assert_str_eq(s->task_name[i], "req");
	ck_assert_str_eq(s->span_name[i], "handle");
	ck_assert_uint_eq(s->v[i].span_id, 7001);
	ck_assert(!s->v[i].inherited);
	ck_assert(!memcmp(s->v[i].trace_id, trace_id, 16));
	i = sample_at(s, 40);
	ck_assert_str_eq(s->span_name[i], "db");
	ck_assert_uint_eq(s->v[i].span_id, 7002);
	ck_assert_uint_eq(s->v[i].n_spans, 2); /* db, and handle around it */
	ck_assert_uint_eq(s->v[i].tid, 10);
	ck_assert_uint_ne(s->v[i].stack, 0);
	free(s);
}
END_TEST

START_TEST(sample_weight_times_period_is_cpu_time)
{
	struct sampled *s = run_sampled("100");
	ck_assert_uint_eq(s->sum.cpu_hz, 100);
	ck_assert_uint_eq(s->sum.cpu_period_ns, 10 * MS);
	size_t i = sample_at(s, 40);
	ck_assert_uint_eq(s->v[i].weight, 3);
	ck_assert_uint_eq(s->v[i].cpu_ns, 30 * MS);
	/* db: the weight-3 sample; handle: its own, db's and the helper's while open */
	const struct model_span *db = span_named(s, "db"), *h = span_named(s, "handle");
	ck_assert_uint_eq(db->cpu_samples, 1);
	ck_assert_uint_eq(db->cpu_ns, 30 * MS);
	ck_assert_uint_eq(h->cpu_samples, 3);
	ck_assert_uint_eq(h->cpu_ns, 50 * MS);
	free(s);
}
END_TEST

START_TEST(task_created_inside_span_inherits_it_for_samples)
{
	struct sampled *s = run_sampled("100");
	size_t i = sample_at(s, 56);
	ck_assert_str_eq(s->task_name[i], "bg");
	ck_assert_uint_eq(s->v[i].tid, 30);
	ck_assert(s->v[i].inherited);
	ck_assert_uint_eq(s->v[i].span_id, 7001);
	ck_assert_str_eq(s->span_name[i], "handle");
	ck_assert_uint_eq(s->v[i].n_spans, 1); /* counted in handle's cpu time */
	/* handle has ended: the sample still names it, and counts for no span */
	i = sample_at(s, 65);
	ck_assert(s->v[i].inherited);
	ck_assert_uint_eq(s->v[i].span_id, 7001);
	ck_assert(!memcmp(s->v[i].trace_id, trace_id, 16));
	ck_assert_uint_eq(s->v[i].n_spans, 0);
	free(s);
}
END_TEST

START_TEST(sample_on_thread_without_task_belongs_to_the_thread)
{
	struct sampled *s = run_sampled("100");
	size_t i = sample_at(s, 30);
	ck_assert_uint_eq(s->v[i].tid, 40);
	ck_assert_ptr_null(s->v[i].task);
	ck_assert_uint_eq(s->v[i].span_id, 0);
	/* after its task ended, the worker's sample is its own task's, with no span */
	i = sample_at(s, 80);
	ck_assert(s->task_is_thread[i]);
	ck_assert_str_eq(s->task_name[i], "worker");
	ck_assert_uint_eq(s->v[i].span_id, 0);
	free(s);
}
END_TEST

START_TEST(samples_change_no_state_and_drops_come_from_the_trailer)
{
	struct sampled *s = run_sampled("100");
	ck_assert_uint_eq(s->sum.cpu_samples, 6);
	ck_assert_uint_eq(s->sum.cpu_samples_dropped, 4);
	const struct model_span *h = span_named(s, "handle");
	ck_assert_uint_eq(h->state_ns[MODEL_RUNNING], 5 * MS);
	ck_assert_uint_eq(h->unknown_ns, 0);
	free(s);
}
END_TEST

START_TEST(no_sampling_rate_gives_no_cpu_time)
{
	const char *hz[] = {NULL, "0", "9x"};
	for (int k = 0; k < 3; k++) {
		struct sampled *s = run_sampled(hz[k]);
		ck_assert_uint_eq(s->sum.cpu_period_ns, 0);
		ck_assert_uint_eq(s->sum.cpu_samples, 6);
		ck_assert_uint_eq(span_named(s, "handle")->cpu_samples, 3);
		ck_assert_uint_eq(span_named(s, "handle")->cpu_ns, 0);
		free(s);
	}
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, sample_belongs_to_running_task_and_its_innermost_span);
	tcase_add_test(tc, sample_weight_times_period_is_cpu_time);
	tcase_add_test(tc, task_created_inside_span_inherits_it_for_samples);
	tcase_add_test(tc, sample_on_thread_without_task_belongs_to_the_thread);
	tcase_add_test(tc, samples_change_no_state_and_drops_come_from_the_trailer);
	tcase_add_test(tc, no_sampling_rate_gives_no_cpu_time);
	tcase_add_test(tc, span_percentiles_match_nearest_rank);
	tcase_add_test(tc, folded_percentiles_stay_within_stated_error);
	tcase_add_test(tc, span_breakdown_splits_running_blocked_and_runnable);
	tcase_add_test(tc, task_totals_cover_each_state);
	tcase_add_test(tc, late_events_are_counted_and_sums_hold);
	tcase_add_test(tc, self_unblock_resumes_without_runnable_time);
	tcase_add_test(tc, tracer_threads_are_left_out_but_their_losses_count);
	tcase_add_test(tc, show_tracer_reports_the_tracer_threads);
}

#include "tests/support/check_main.h"
