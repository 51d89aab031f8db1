/* Loss accounting under pressure: two threads, tiny buffers, millions of
 * events.  Whatever the scheduling, for each thread the events in the file
 * plus the losses reported equal the events recorded, exactly. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/support/check_main.h"
#include "support.h"
#include "tracer/lotrace.h"

#define EVENTS 1000000

static void *emitter(void *arg)
{
	uint64_t *tid = arg;
	*tid = (uint64_t)gettid();
	for (int64_t i = 0; i < EVENTS; i++)
		lot_counter("i", i);
	return NULL;
}

/* Per thread: counter values strictly increase, and file + lost == recorded. */
static void check_exact(const char *path, const uint64_t *tids, size_t n, uint64_t per_thread)
{
	struct ttrace t;
	ck_assert(trace_load(path, false, &t));
	ck_assert(t.has_trailer);
	ck_assert(!t.damaged);
	for (size_t k = 0; k < n; k++) {
		const struct lot_thread_total *tot = trace_total(&t, tids[k]);
		ck_assert_ptr_nonnull(tot);
		struct tthread *th = trace_thread(&t, tids[k]);
		ck_assert_uint_eq(th->events, tot->written);
		ck_assert_uint_le(th->lost, tot->lost);
		ck_assert_uint_eq(tot->written + tot->lost, per_thread);
		ck_assert_uint_eq(th->chunks, tot->chunks);
	}
	trace_free(&t);
}

/* Read back the two threads' counter values: each thread's values rise (by
 * exactly one when `contiguous`, i.e. none may be lost); seen[k] counts them. */
static void check_counter_order(const char *path, const uint64_t tids[2], bool contiguous,
				uint64_t seen[2])
{
	struct lot_read_error err;
	struct lot_reader *r = lot_reader_open(path, NULL, &err);
	ck_assert_ptr_nonnull(r);
	int64_t last[2] = {-1, -1};
	seen[0] = seen[1] = 0;
	struct lot_chunk *c;
	while (lot_reader_next_chunk(r, &c) == 1) {
		struct lot_event e;
		while (lot_chunk_next_event(r, &e) == 1) {
			if (e.code != LOT_EV_counter)
				continue;
			int k = e.tid == tids[0] ? 0 : 1;
			ck_assert_uint_eq(e.tid, tids[k]);
			int64_t v = e.args[LOT_ARG_counter_value].i;
			if (contiguous)
				ck_assert_int_eq(v, last[k] + 1);
			else
				ck_assert_int_gt(v, last[k]);
			last[k] = v;
			seen[k]++;
		}
	}
	lot_reader_close(r);
}

START_TEST(written_plus_lost_equals_recorded_per_thread)
{
	setenv("LOTRACE_CHUNK_SIZE", "4096", 1);
	setenv("LOTRACE_BUFFER_SIZE", "16384", 1); /* four chunks for three threads */
	const char *path = test_path("stress");
	ck_assert_int_eq(lot_start(path), 0);
	pthread_t th[2];
	uint64_t tids[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, emitter, &tids[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_eq(lot_stop(), 0);
	/* thread_begin + EVENTS counters + thread_end */
	check_exact(path, tids, 2, EVENTS + 2);

	/* and the values that did arrive are in order, each once */
	uint64_t seen[2];
	check_counter_order(path, tids, false, seen);
	unlink(path);
}
END_TEST

#define SLOW_EVENTS 25000

static void *slow_emitter(void *arg)
{
	uint64_t *tid = arg;
	*tid = (uint64_t)gettid();
	for (int64_t i = 0; i < SLOW_EVENTS; i++) {
		lot_counter("i", i);
		usleep(100); /* a chunk takes longer than the idle period to fill */
	}
	return NULL;
}

START_TEST(idle_flush_racing_with_recording_loses_and_repeats_nothing)
{
	/* The flusher takes live chunks of threads that handed nothing for the
	 * idle period (here 2 ms: hundreds of times) while they keep recording
	 * now and then: every event arrives once, in order, or is counted lost. */
	setenv("LOTRACE_IDLE_FLUSH", "2ms", 1);
	const char *path = test_path("steal");
	ck_assert_int_eq(lot_start(path), 0);
	pthread_t th[2];
	uint64_t tids[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, slow_emitter, &tids[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_eq(lot_stop(), 0);
	check_exact(path, tids, 2, SLOW_EVENTS + 2);
	uint64_t seen[2];
	check_counter_order(path, tids, true, seen); /* nothing lost here */
	ck_assert_uint_eq(seen[0], SLOW_EVENTS);
	ck_assert_uint_eq(seen[1], SLOW_EVENTS);
	unlink(path);
}
END_TEST

/* Instants named `name` in the file as it is now (recording may go on). */
static int instants_in_file(const char *path, const char *name)
{
	struct ttrace t;
	if (!trace_load(path, true, &t))
		return -1;
	int n = count_instants(&t, name);
	trace_free(&t);
	return n;
}

START_TEST(idle_flush_period_follows_lotrace_idle_flush)
{
	/* An hour: a quiet thread's event stays in its chunk until the stop
	 * (past the default second). */
	setenv("LOTRACE_IDLE_FLUSH", "60m", 1);
	const char *path = test_path("idle-hour");
	ck_assert_int_eq(lot_start(path), 0);
	lot_instant("quiet");
	usleep(2500000);
	ck_assert_int_eq(instants_in_file(path, "quiet"), 0);
	ck_assert_int_eq(lot_stop(), 0);
	ck_assert_int_eq(instants_in_file(path, "quiet"), 1);
	unlink(path);

	/* 20 ms: it reaches the file while tracing goes on. */
	setenv("LOTRACE_IDLE_FLUSH", "20ms", 1);
	path = test_path("idle-short");
	ck_assert_int_eq(lot_start(path), 0);
	lot_instant("quiet");
	int found = 0;
	for (int i = 0; i < 600 && found < 1; i++) { /* up to a minute: no timing asserted */
		usleep(100000);
		found = instants_in_file(path, "quiet");
	}
	ck_assert_int_eq(found, 1);
	ck_assert_int_eq(lot_stop(), 0);
	ck_assert_int_eq(instants_in_file(path, "quiet"), 1);
	unlink(path);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, written_plus_lost_equals_recorded_per_thread);
	tcase_add_test(tc, idle_flush_racing_with_recording_loses_and_repeats_nothing);
	tcase_add_test(tc, idle_flush_period_follows_lotrace_idle_flush);
}
