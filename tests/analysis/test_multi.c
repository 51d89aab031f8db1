/*
 * Several trace files as one analysis (cmd/sources.h, cmd/clock_align.c):
 * ids keyed by file, clocks aligned, on traces built in memory
 * (tests/support/tracebuild.h) and saved to a temporary directory.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/model.h"
#include "cmd/sources.h"
#include "tests/support/tracebuild.h"

#define MS 1000000ll
#define REAL0 1767225600000000000ull

static const uint8_t trace_id[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
static char dir[64];
static char paths[2][128];

static void setup(void)
{
	strcpy(dir, "/tmp/lotrace-test-multi.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (int i = 0; i < 2; i++)
		snprintf(paths[i], sizeof paths[i], "%s/%c.lot", dir, 'a' + i);
}

static void teardown(void)
{
	for (int i = 0; i < 2; i++)
		unlink(paths[i]);
	rmdir(dir);
}

/* A process whose thread 7 (own task 1000, named name) has n spans, span i
 * [beg[i], end[i]] (true times: t0 is the file's start) with id ids[i] and
 * parent parents[i]. */
static void write_spans(const char *path, const char *host, const char *name, uint64_t mono0,
			uint64_t real0, int64_t t0, size_t n, const uint64_t *ids,
			const uint64_t *parents, const int64_t *beg, const int64_t *end)
{
	struct lot_clock_info c = {.freq_hz = 1000000000, .start_ticks = 1000000000,
				   .start_mono_ns = mono0, .start_real_ns = real0, .source = 1};
	struct lot_kv meta[] = {{"pid", "1"}, {"service", name}, {"host", host}};
	struct lot_tb *b = lot_tb_new_meta(&c, meta, 3);
	struct lot_writer *w = lot_tb_chunk_begin(b, 7, name, 0, 0);
	lot_write_thread_begin(w, lot_tb_ticks(b, 0), 7, lot_writer_string(w, name), 1000);
	for (size_t i = 0; i < n; i++) {
		lot_write_span_begin(w, lot_tb_ticks(b, (uint64_t)(beg[i] - t0)), ids[i], parents[i],
				     lot_writer_trace_define(w, trace_id), lot_writer_string(w, "s"),
				     0);
		lot_write_span_end(w, lot_tb_ticks(b, (uint64_t)(end[i] - t0)), ids[i]);
	}
	lot_write_thread_end(w, lot_tb_ticks(b, (uint64_t)(end[n - 1] - t0 + MS)));
	lot_tb_chunk_end(b);
	lot_tb_trailer(b, (uint64_t)(end[n - 1] - t0 + 2 * MS));
	ck_assert_int_eq(lot_tb_save(b, path), 0);
	lot_tb_free(b);
}

/* A process with one span [beg, end], parent `parent`. */
static void write_proc(const char *path, const char *host, const char *name, uint64_t mono0,
		       uint64_t real0, int64_t t0, uint64_t id, uint64_t parent, int64_t beg,
		       int64_t end)
{
	write_spans(path, host, name, mono0, real0, t0, 1, &id, &parent, &beg, &end);
}

struct seen {
	unsigned threads[2];
	char names[2][32];
	int64_t span_start[2], span_end[2];
};

static void on_thread(void *ctx, const struct model_thread *th)
{
	struct seen *s = ctx;
	ck_assert_uint_lt(th->proc, 2);
	s->threads[th->proc]++;
	snprintf(s->names[th->proc], 32, "%s", th->name.s);
}

static void on_span(void *ctx, const struct model_span *sp)
{
	struct seen *s = ctx;
	s->span_start[sp->proc] = sp->start_ns;
	s->span_end[sp->proc] = sp->end_ns;
}

static struct seen analyse(struct sources *src)
{
	char *p[2] = {paths[0], paths[1]};
	ck_assert_int_eq(sources_open(src, p, 2), 0);
	struct seen s = {0};
	struct model_callbacks cb = {.ctx = &s, .thread_done = on_thread, .span = on_span};
	struct model *m = model_new_sources(src, &cb, NULL);
	ck_assert_ptr_nonnull(m);
	struct model_summary sum;
	ck_assert_int_eq(model_run(m, &sum), 0);
	ck_assert_uint_eq(sum.threads, 2);
	model_free(m);
	return s;
}

START_TEST(ids_that_collide_across_files_stay_apart)
{
	write_proc(paths[0], "h", "alpha", 5000 * MS, REAL0, 0, 0x11, 0, 10 * MS, 90 * MS);
	write_proc(paths[1], "h", "beta", 5000 * MS, REAL0, 0, 0x22, 0x11, 20 * MS, 80 * MS);
	struct sources src = {0};
	struct seen s = analyse(&src);
	ck_assert_uint_eq(s.threads[0], 1);
	ck_assert_uint_eq(s.threads[1], 1);
	ck_assert_str_eq(s.names[0], "alpha");
	ck_assert_str_eq(s.names[1], "beta");
	sources_close(&src);
}
END_TEST

START_TEST(files_of_one_host_align_exactly_on_the_monotonic_clock)
{
	/* b started 2 ms after a (monotonic), its wall clock says 7 s later: ignored */
	write_proc(paths[0], "h", "a", 5000 * MS, REAL0, 0, 0x11, 0, 10 * MS, 90 * MS);
	write_proc(paths[1], "h", "b", 5002 * MS, REAL0 + 7000 * MS, 2 * MS, 0x22, 0x11, 20 * MS,
		   80 * MS);
	struct sources src = {0};
	struct seen s = analyse(&src);
	ck_assert_int_eq(src.v[1].offset_ns, 2 * MS);
	ck_assert(!src.v[1].skew_estimated);
	ck_assert_int_eq(s.span_start[1], 20 * MS);
	ck_assert_int_eq(s.span_end[1], 80 * MS);
	sources_close(&src);
}
END_TEST

START_TEST(another_hosts_skew_is_corrected_from_span_causality)
{
	/* b on another host, started 2 ms after a, its wall clock 1 s ahead;
	 * child [20, 80] inside parent [10, 90]: d in [-1 s - 10 ms, -1 s + 10 ms] */
	write_proc(paths[0], "h", "a", 5000 * MS, REAL0, 0, 0x11, 0, 10 * MS, 90 * MS);
	write_proc(paths[1], "other", "b", 9 * MS, REAL0 + 2 * MS + 1000 * MS, 2 * MS, 0x22, 0x11,
		   20 * MS, 80 * MS);
	struct sources src = {0};
	struct seen s = analyse(&src);
	ck_assert(src.v[1].skew_estimated);
	ck_assert(!src.v[1].skew_inconsistent);
	ck_assert_int_eq(src.v[1].skew_ns, -1000 * MS);
	ck_assert_int_eq(src.v[1].skew_uncertainty_ns, 10 * MS);
	ck_assert_int_eq(src.v[1].offset_ns, 2 * MS);
	ck_assert_int_eq(s.span_start[1], 20 * MS);
	sources_close(&src);
}
END_TEST

START_TEST(wall_clocks_that_respect_causality_are_not_corrected)
{
	/* b's wall clock 3 ms ahead: still inside the 10 ms of slack */
	write_proc(paths[0], "h", "a", 5000 * MS, REAL0, 0, 0x11, 0, 10 * MS, 90 * MS);
	write_proc(paths[1], "other", "b", 9 * MS, REAL0 + 2 * MS + 3 * MS, 2 * MS, 0x22, 0x11,
		   20 * MS, 80 * MS);
	struct sources src = {0};
	analyse(&src);
	ck_assert(src.v[1].skew_estimated);
	ck_assert_int_eq(src.v[1].skew_ns, 0);
	ck_assert_int_eq(src.v[1].offset_ns, 5 * MS);
	ck_assert_int_eq(src.v[1].skew_uncertainty_ns, 13 * MS); /* max(-lo, hi): [-13, 7] ms */
	sources_close(&src);
}
END_TEST

START_TEST(a_child_that_ends_after_answering_does_not_pull_the_correction)
{
	/* b on another host, its wall clock 1 s ahead, serves four requests of
	 * a; each child begins 2 ms after its parent, the third ends 5 ms after
	 * its parent (it answered, then was preempted before its span ended).
	 * The begins bound d to >= -1 s - 2 ms; the three other ends to
	 * <= -1 s + 2 ms; the third end (<= -1 s - 5 ms) contradicts the begins
	 * and is left out, so it does not drag the correction 3.5 ms off. */
	const uint64_t pid[] = {0x11, 0x12, 0x13, 0x14}, cid[] = {0x21, 0x22, 0x23, 0x24};
	const uint64_t none[] = {0, 0, 0, 0};
	const int64_t pbeg[] = {10 * MS, 40 * MS, 70 * MS, 100 * MS};
	const int64_t pend[] = {30 * MS, 60 * MS, 90 * MS, 120 * MS};
	const int64_t cbeg[] = {12 * MS, 42 * MS, 72 * MS, 102 * MS};
	const int64_t cend[] = {28 * MS, 58 * MS, 95 * MS, 118 * MS};
	write_spans(paths[0], "h", "a", 5000 * MS, REAL0, 0, 4, pid, none, pbeg, pend);
	write_spans(paths[1], "other", "b", 9 * MS, REAL0 + 2 * MS + 1000 * MS, 2 * MS, 4, cid, pid,
		    cbeg, cend);
	struct sources src = {0};
	analyse(&src);
	ck_assert(src.v[1].skew_estimated);
	ck_assert(!src.v[1].skew_inconsistent);
	ck_assert_uint_eq(src.v[1].skew_ends_ignored, 1);
	ck_assert_int_eq(src.v[1].skew_ns, -1000 * MS);
	ck_assert_int_eq(src.v[1].skew_uncertainty_ns, 2 * MS);
	ck_assert_int_eq(src.v[1].offset_ns, 2 * MS);
	sources_close(&src);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ids_that_collide_across_files_stay_apart);
	tcase_add_test(tc, files_of_one_host_align_exactly_on_the_monotonic_clock);
	tcase_add_test(tc, another_hosts_skew_is_corrected_from_span_causality);
	tcase_add_test(tc, wall_clocks_that_respect_causality_are_not_corrected);
	tcase_add_test(tc, a_child_that_ends_after_answering_does_not_pull_the_correction);
}

#include "tests/support/check_main.h"
