/* Start and stop while threads keep recording: every file is complete and
 * consistent, and recording resumes in the next session. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "tests/support/check_main.h"
#include "support.h"
#include "tracer/lotrace.h"

#define SESSIONS 5

static atomic_int done;
static uint64_t tids[2];

static void *recorder(void *arg)
{
	uint64_t *tid = arg;
	*tid = (uint64_t)gettid();
	for (int64_t i = 0; !atomic_load(&done); i++) {
		lot_counter("i", i);
		if (i % 64 == 0) {
			lot_span s = lot_span_begin("batch", NULL);
			lot_span_end(&s);
		}
	}
	return NULL;
}

START_TEST(start_stop_while_threads_record)
{
	setenv("LOTRACE_CHUNK_SIZE", "8K", 1);
	setenv("LOTRACE_BUFFER_SIZE", "256K", 1);
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, recorder, &tids[i]);
	char paths[SESSIONS][512];
	for (int s = 0; s < SESSIONS; s++) {
		char name[16];
		snprintf(name, sizeof name, "ss%d", s);
		snprintf(paths[s], sizeof paths[s], "%s", test_path(name));
		ck_assert_int_eq(lot_start(paths[s]), 0);
		usleep(20000);
		ck_assert_int_eq(lot_stop(), 0);
		usleep(5000);
	}
	atomic_store(&done, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);

	for (int s = 0; s < SESSIONS; s++) {
		struct ttrace t;
		ck_assert(trace_load(paths[s], false, &t));
		ck_assert(t.has_trailer);
		ck_assert(!t.damaged);
		for (int k = 0; k < 2; k++) {
			const struct lot_thread_total *tot = trace_total(&t, tids[k]);
			if (!tot)
				continue; /* a thread may not have run in a short session */
			struct tthread *tt = trace_thread(&t, tids[k]);
			ck_assert_uint_eq(tt->events, tot->written);
			ck_assert_uint_le(tt->lost, tot->lost);
			ck_assert_uint_eq(tt->chunks, tot->chunks);
		}
		trace_free(&t);
		unlink(paths[s]);
	}
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, start_stop_while_threads_record);
}
