/* Tasks handed between threads: the recorded story, event by event. */
#include <pthread.h>
#include <semaphore.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/check_main.h"
#include "support.h"
#include "tracer/lotrace.h"

static sem_t to_a, to_b;
static uint64_t t1, t2, t3, tid_b;

static void *thread_b(void *arg)
{
	(void)arg;
	tid_b = (uint64_t)gettid();
	sem_wait(&to_b);
	lot_task_start(t2);
	lot_task_unblock(t1); /* B wakes T1: recorded here, on the waker's thread */
	lot_task_block("mutex");
	sem_post(&to_a);
	sem_wait(&to_b);
	lot_task_start(t3); /* T3 migrates from A to B */
	lot_task_end();
	lot_task_start(t2);
	lot_task_end();
	sem_post(&to_a);
	return NULL;
}

static size_t story_of(struct ttrace *t, uint64_t tid, struct tev **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++) {
		struct tev *e = &t->ev[i];
		if (e->tid != tid || e->synthetic || e->code == LOT_EV_clock_sync ||
		    e->code == LOT_EV_thread_begin || e->code == LOT_EV_thread_end)
			continue;
		ck_assert_uint_lt(n, max);
		out[n++] = e;
	}
	return n;
}

#define EXPECT(e, c, arg, val)                                   \
	do {                                                     \
		ck_assert_str_eq(code_name((e)->code), code_name(c)); \
		if ((arg) >= 0)                                  \
			ck_assert_uint_eq((e)->a[(arg)].u, (val)); \
	} while (0)

START_TEST(tasks_handed_between_threads_tell_the_story)
{
	const char *path = test_path("tasks");
	sem_init(&to_a, 0, 0);
	sem_init(&to_b, 0, 0);
	ck_assert_int_eq(lot_start(path), 0);
	uint64_t self = lot_task_current();
	ck_assert_uint_ne(self, 0);
	pthread_t b;
	pthread_create(&b, NULL, thread_b, NULL);

	t1 = lot_task_create("t1");
	t2 = lot_task_create("t2");
	t3 = lot_task_create("t3");
	ck_assert(t1 && t2 && t3 && t1 != t2 && t2 != t3 && t1 != t3 && t1 != self);
	lot_task_start(t1);
	ck_assert_uint_eq(lot_task_current(), t1);
	lot_task_block("queue");
	sem_post(&to_b);
	sem_wait(&to_a);
	lot_task_start(t1); /* T1 runs again after B's unblock */
	lot_task_unblock(t2);
	lot_task_end();
	ck_assert_uint_eq(lot_task_current(), self);
	lot_task_start(t3);
	lot_task_yield();
	sem_post(&to_b);
	sem_wait(&to_a);
	pthread_join(b, NULL);
	ck_assert_int_eq(lot_stop(), 0);

	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	ck_assert(!t.damaged);
	struct tev *e[16];
	uint64_t a = (uint64_t)gettid();
	ck_assert_uint_eq(story_of(&t, a, e, 16), 10);
	EXPECT(e[0], LOT_EV_task_create, LOT_ARG_task_create_task, t1);
	ck_assert_uint_eq(e[0]->a[LOT_ARG_task_create_parent].u, self);
	ck_assert_str_eq(e[0]->a[LOT_ARG_task_create_name].str, "t1");
	ck_assert_uint_eq(e[0]->chunk_task, self);
	EXPECT(e[1], LOT_EV_task_create, LOT_ARG_task_create_task, t2);
	ck_assert_str_eq(e[1]->a[LOT_ARG_task_create_name].str, "t2");
	EXPECT(e[2], LOT_EV_task_create, LOT_ARG_task_create_task, t3);
	EXPECT(e[3], LOT_EV_task_start, LOT_ARG_task_start_task, t1);
	EXPECT(e[4], LOT_EV_task_block, -1, 0);
	ck_assert_str_eq(e[4]->a[LOT_ARG_task_block_reason].str, "queue");
	ck_assert_ptr_null(e[4]->a[LOT_ARG_task_block_detail].str);
	ck_assert_uint_gt(e[4]->a[LOT_ARG_task_block_stack].n_pcs, 0); /* stacks on by default */
	EXPECT(e[5], LOT_EV_task_start, LOT_ARG_task_start_task, t1);
	EXPECT(e[6], LOT_EV_task_unblock, LOT_ARG_task_unblock_task, t2);
	EXPECT(e[7], LOT_EV_task_end, -1, 0);
	EXPECT(e[8], LOT_EV_task_start, LOT_ARG_task_start_task, t3);
	EXPECT(e[9], LOT_EV_task_yield, -1, 0);

	ck_assert_uint_eq(story_of(&t, tid_b, e, 16), 7);
	EXPECT(e[0], LOT_EV_task_start, LOT_ARG_task_start_task, t2);
	EXPECT(e[1], LOT_EV_task_unblock, LOT_ARG_task_unblock_task, t1);
	ck_assert_uint_gt(e[1]->a[LOT_ARG_task_unblock_stack].n_pcs, 0);
	EXPECT(e[2], LOT_EV_task_block, -1, 0);
	ck_assert_str_eq(e[2]->a[LOT_ARG_task_block_reason].str, "mutex");
	EXPECT(e[3], LOT_EV_task_start, LOT_ARG_task_start_task, t3);
	EXPECT(e[4], LOT_EV_task_end, -1, 0);
	EXPECT(e[5], LOT_EV_task_start, LOT_ARG_task_start_task, t2);
	EXPECT(e[6], LOT_EV_task_end, -1, 0);
	trace_free(&t);
	unlink(path);
}
END_TEST

START_TEST(task_ids_exist_while_tracing_is_off)
{
	ck_assert(!lot_enabled());
	uint64_t a = lot_task_create("a"), b = lot_task_create("b");
	ck_assert(a && b && a != b);
	ck_assert_uint_ne(lot_task_current(), 0);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, tasks_handed_between_threads_tell_the_story);
	tcase_add_test(tc, task_ids_exist_while_tracing_is_off);
}
