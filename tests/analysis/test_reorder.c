/*
 * The model's reorder window (cmd/reorder.h): events come out in order of
 * (time, arrival) whatever the order they went in, chunks' sorted events
 * make one run each (so taking one out sifts a heap of runs, not of every
 * event in the window), and memory stays within the window.
 */
#include <check.h>
#include <stdlib.h>

#include "cmd/reorder.h"

/* deterministic pseudo-random numbers (glibc's random(), seeded in the test) */
static uint64_t rnd(void) { return (uint64_t)random(); }

/* The events in, as a plain list, to check each pop against. */
static struct rev live[8192];
static size_t n_live;

static void push_ns(struct reorder *q, int64_t ns, uint64_t tag)
{
	struct rev e = {.ns = ns, .a = tag};
	ck_assert_int_eq(reorder_push(q, &e), 0);
	if (n_live < sizeof live / sizeof live[0])
		live[n_live++] = e;
}

/* Pops one event and checks it is the oldest in on (ns, seq). */
static void pop_oldest(struct reorder *q)
{
	struct rev e;
	const struct rev *peek = reorder_peek(q);
	ck_assert_ptr_nonnull(peek);
	uint64_t want = peek->seq;
	ck_assert(reorder_pop(q, &e));
	ck_assert_uint_eq(e.seq, want);
	size_t at = n_live;
	bool oldest = true;
	for (size_t i = 0; i < n_live; i++) {
		if (live[i].seq == e.seq)
			at = i;
		else if (!(e.ns < live[i].ns || (e.ns == live[i].ns && e.seq < live[i].seq)))
			oldest = false;
	}
	ck_assert(oldest);
	ck_assert_uint_lt(at, n_live);
	ck_assert_int_eq(live[at].ns, e.ns);
	live[at] = live[--n_live];
}

START_TEST(test_events_come_out_by_time_then_arrival)
{
	/* chunks of threads, each sorted, overlapping in time, some with equal
	 * times and some events out of order; pops interleaved with pushes */
	struct reorder q = {.limit = 5000};
	n_live = 0;
	srandom(1);
	size_t pushed = 0, popped = 0;
	for (int chunk = 0; chunk < 400; chunk++) {
		int64_t t = (int64_t)(rnd() % 100000) + chunk * 1000;
		int n = 1 + (int)(rnd() % 64);
		for (int i = 0; i < n; i++) {
			uint64_t r = rnd() % 16;
			if (r == 0)
				t -= (int64_t)(rnd() % 5000); /* out of order */
			else if (r > 4)
				t += (int64_t)(rnd() % 100); /* else equal times */
			push_ns(&q, t, pushed++);
		}
		while (q.n > 3000) {
			pop_oldest(&q);
			popped++;
		}
	}
	/* equal times keep their arrival order */
	for (int i = 0; i < 10; i++)
		push_ns(&q, 50, pushed++);
	while (reorder_peek(&q)) {
		pop_oldest(&q);
		popped++;
	}
	ck_assert_uint_eq(popped, pushed);
	ck_assert_uint_eq(q.n, 0);
	struct rev e;
	ck_assert(!reorder_pop(&q, &e));
	reorder_free(&q);
}
END_TEST

START_TEST(test_a_sorted_chunk_is_one_run)
{
	/* four threads' chunks of 10000 sorted events, overlapping: four runs,
	 * however many events the window holds */
	struct reorder q = {0};
	for (int c = 0; c < 4; c++)
		for (int i = 0; i < 10000; i++) {
			struct rev x = {.ns = (int64_t)i * 4 + c, .a = (uint64_t)c};
			ck_assert_int_eq(reorder_push(&q, &x), 0);
		}
	ck_assert_uint_eq(q.n, 40000);
	ck_assert_uint_eq(q.n_runs, 4);
	struct rev e;
	int wrong = 0;
	for (int i = 0; i < 40000; i++) {
		wrong += !reorder_pop(&q, &e) || e.ns != i || e.a != (uint64_t)(i % 4);
		wrong += q.n_runs > 4;
	}
	ck_assert_int_eq(wrong, 0);
	ck_assert_uint_eq(q.n_runs, 0);
	reorder_free(&q);
}
END_TEST

START_TEST(test_memory_stays_within_the_window)
{
	/* a million events through a window of 1000: the pool never grows past it */
	struct reorder q = {.limit = 1001};
	struct rev e;
	size_t failed = 0; /* asserted once: Check records every assertion */
	for (int64_t i = 0; i < 1000000; i++) {
		struct rev x = {.ns = (i % 7) * 1000000 + i}; /* runs of seven */
		failed += reorder_push(&q, &x) != 0;
		while (q.n > 1000)
			failed += !reorder_pop(&q, &e);
	}
	ck_assert_uint_eq(failed, 0);
	ck_assert_uint_le(q.cap, 1001);
	ck_assert_uint_le(q.cap_runs, 1024);
	reorder_free(&q);
}
END_TEST

START_TEST(test_free_releases_the_strings_still_in)
{
	struct reorder q = {0};
	for (int i = 0; i < 100; i++) {
		struct rev e = {.ns = 100 - i, .is_str = true, .str = malloc(8), .len = 8};
		ck_assert_int_eq(reorder_push(&q, &e), 0);
	}
	struct rev e;
	ck_assert(reorder_pop(&q, &e));
	free(e.str);
	reorder_free(&q); /* valgrind / ASan: the other 99 freed */
	ck_assert_uint_eq(q.n, 0);
	ck_assert_ptr_null(reorder_peek(&q));
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, test_events_come_out_by_time_then_arrival);
	tcase_add_test(tc, test_a_sorted_chunk_is_one_run);
	tcase_add_test(tc, test_memory_stays_within_the_window);
	tcase_add_test(tc, test_free_releases_the_strings_still_in);
}

#include "tests/support/check_main.h"
