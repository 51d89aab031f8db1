/*
 * Thread churn and long runs: 10,000 short-lived threads, and an hour's
 * worth of a steady load (36 million events, about 10,000 a second for an
 * hour) recorded as fast as the machine goes.  Memory returns to its
 * baseline (thread states freed, chunks recycled), file descriptors do not
 * grow, and per-thread accounting stays exact: for every thread, events in
 * the file + losses reported == events recorded.
 *
 * Heap figures come from mallinfo2() (one malloc arena) and are asserted in plain builds only:
 * ASan keeps freed memory in quarantine and TSan has its own allocator (their
 * leak checking is LeakSanitizer's, at exit).
 */
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/check_main.h"
#include "support.h"
#include "tracer/lotrace.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static size_t rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size = 0, res = 0;
	if (f) {
		if (fscanf(f, "%lu %lu", &size, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * (size_t)sysconf(_SC_PAGESIZE);
}

/* tid -> events found in the file, summed over chunks (open addressing). */
struct tidmap {
	uint64_t *tid, *events;
	size_t cap;
};

static uint64_t *tidmap_at(struct tidmap *m, uint64_t tid)
{
	size_t i = (size_t)(tid * 0x9e3779b97f4a7c15ull) & (m->cap - 1);
	while (m->tid[i] && m->tid[i] != tid)
		i = (i + 1) & (m->cap - 1);
	m->tid[i] = tid;
	return &m->events[i];
}

/*
 * Read the trace back: every chunk's events counted per thread; then for
 * every trailer entry (one per thread and session: a reused tid has two),
 * written + lost must be `per_thread` for the threads `is_worker` accepts,
 * and the events in the file per tid must equal the trailer's written.
 * Returns how many trailer entries were checked.
 */
static size_t check_per_thread(const char *path, bool (*is_worker)(uint64_t), uint64_t per_thread,
			       uint64_t *lost_out)
{
	struct lot_read_error err;
	struct lot_reader *r = lot_reader_open(path, NULL, &err);
	ck_assert_msg(r != NULL, "%s", err.message);
	struct tidmap m = {.cap = 1u << 16};
	m.tid = calloc(m.cap, sizeof *m.tid);
	m.events = calloc(m.cap, sizeof *m.events);
	struct lot_chunk *c;
	while (lot_reader_next_chunk(r, &c) == 1) {
		uint64_t counts[256] = {0}, n = 0;
		ck_assert_int_eq(lot_chunk_count_events(r, counts), 0);
		for (int k = 0; k < 256; k++)
			n += counts[k];
		*tidmap_at(&m, c->info.tid) += n;
	}
	const struct lot_trailer *t = lot_reader_trailer(r);
	ck_assert_ptr_nonnull(t);
	ck_assert(!lot_reader_damaged(r));
	struct tidmap written = {.cap = m.cap};
	written.tid = calloc(written.cap, sizeof *written.tid);
	written.events = calloc(written.cap, sizeof *written.events);
	size_t checked = 0;
	uint64_t lost = 0;
	for (size_t i = 0; i < t->n_threads; i++) {
		const struct lot_thread_total *tt = &t->threads[i];
		*tidmap_at(&written, tt->tid) += tt->written;
		if (!is_worker(tt->tid))
			continue;
		ck_assert_uint_eq(tt->written + tt->lost, per_thread);
		lost += tt->lost;
		checked++;
	}
	for (size_t i = 0; i < m.cap; i++)
		if (m.tid[i])
			ck_assert_uint_eq(m.events[i], *tidmap_at(&written, m.tid[i]));
	lot_reader_close(r);
	free(m.tid);
	free(m.events);
	free(written.tid);
	free(written.events);
	if (lost_out)
		*lost_out = lost;
	return checked;
}

/* ---- 10,000 short-lived threads ---- */

#define CHURN_THREADS 10000
#define CHURN_BATCH 16
#define CHURN_EVENTS 10

static uint64_t worker_tids[CHURN_THREADS];
static int n_workers;

static bool is_churn_worker(uint64_t tid)
{
	for (int i = 0; i < n_workers; i++)
		if (worker_tids[i] == tid)
			return true;
	return false;
}

static void *short_lived(void *arg)
{
	uint64_t *tid = arg;
	*tid = (uint64_t)gettid();
	for (int i = 0; i < CHURN_EVENTS; i++)
		lot_counter("churn", i);
	return NULL;
}

static void churn(int from, int to)
{
	for (int i = from; i < to; i += CHURN_BATCH) {
		pthread_t th[CHURN_BATCH];
		int n = to - i < CHURN_BATCH ? to - i : CHURN_BATCH;
		for (int k = 0; k < n; k++)
			ck_assert_int_eq(pthread_create(&th[k], NULL, short_lived, &worker_tids[i + k]), 0);
		for (int k = 0; k < n; k++)
			pthread_join(th[k], NULL);
	}
	n_workers = to;
}

START_TEST(ten_thousand_short_lived_threads_leave_no_trace_in_memory)
{
	mallopt(M_ARENA_MAX, 1); /* one arena: mallinfo2() then sees every thread's blocks */
	setenv("LOTRACE_CHUNK_SIZE", "4K", 1);
	setenv("LOTRACE_BUFFER_SIZE", "1M", 1);
	const char *path = test_path("churn");
	/* warm up the allocator and glibc's stack cache before the baseline */
	ck_assert_int_eq(lot_start(test_path("churn-warm")), 0);
	churn(0, 2 * CHURN_BATCH);
	ck_assert_int_eq(lot_stop(), 0);
	unlink(test_path("churn-warm"));
	size_t heap0 = heap_in_use(), rss0 = rss_bytes();
	int fds0 = count_fds();

	ck_assert_int_eq(lot_start(path), 0);
	int fds_on = count_fds();
	churn(0, 200);
	usleep(100000); /* the flusher frees the states of exited threads */
	size_t heap1 = heap_in_use();
	churn(200, CHURN_THREADS);
	usleep(100000);
	size_t heap2 = heap_in_use(), rss2 = rss_bytes();
	int fds2 = count_fds();
	ck_assert_int_eq(lot_stop(), 0);
	size_t heap3 = heap_in_use(), rss3 = rss_bytes();
	int fds3 = count_fds();

	fprintf(stderr,
		"churn: %d threads; heap %zu KiB before, %zu after 200 threads, %zu after %d, "
		"%zu after stop; RSS %zu -> %zu -> %zu KiB; fds %d before, %d recording, "
		"%d after the threads, %d after stop\n",
		CHURN_THREADS, heap0 / 1024, heap1 / 1024, heap2 / 1024, CHURN_THREADS, heap3 / 1024,
		rss0 / 1024, rss2 / 1024, rss3 / 1024, fds0, fds_on, fds2, fds3);
	ck_assert_int_eq(fds2, fds_on);
	ck_assert_int_eq(fds3, fds0);
	if (!SANITIZED) {
		/* While recording, what grows is the trailer's per-thread totals
		 * and the chunk index (each thread wrote a chunk): about 160 bytes
		 * a thread with the arrays' doubling.  A thread state (kilobytes)
		 * that was not freed would show. */
		ck_assert_uint_lt(heap2 - heap1, (size_t)CHURN_THREADS * 400);
		/* After stop, everything is given back (slack for stdio and the allocator). */
		ck_assert_uint_lt(heap3 > heap0 ? heap3 - heap0 : 0, 64 * 1024);
	}
	uint64_t lost;
	ck_assert_uint_eq(check_per_thread(path, is_churn_worker, CHURN_EVENTS + 2, &lost),
			  CHURN_THREADS);
	unlink(path);
}
END_TEST

/* ---- an hour of steady load, compressed ---- */

#define HOUR_EVENTS (3600ull * 10000) /* an hour at 10,000 events a second */
#define STEADY_THREADS 3

static uint64_t steady_tids[STEADY_THREADS];
static uint64_t per_steady_thread;
static atomic_int steady_done;

static bool is_steady(uint64_t tid)
{
	for (int i = 0; i < STEADY_THREADS; i++)
		if (steady_tids[i] == tid)
			return true;
	return false;
}

static void *steady(void *arg)
{
	uint64_t *tid = arg;
	*tid = (uint64_t)gettid();
	for (uint64_t i = 0; i < per_steady_thread; i++) {
		lot_counter("queue", (int64_t)(i & 1023));
		if ((i & 255) == 0) {
			lot_span s = lot_span_begin("request", NULL);
			lot_span_attr_int(&s, "n", (int64_t)i);
			lot_span_end(&s);
		}
	}
	atomic_fetch_add(&steady_done, 1);
	return NULL;
}

START_TEST(an_hour_of_steady_load_keeps_memory_and_fds_flat)
{
	/* Sanitizers slow probes ten-fold: a quarter of the hour there. */
	per_steady_thread = HOUR_EVENTS / STEADY_THREADS / (SANITIZED ? 4 : 1);
	setenv("LOTRACE_STACKS", "0", 1);
	const char *path = test_path("hour");
	int fds0 = count_fds();
	ck_assert_int_eq(lot_start(path), 0);
	pthread_t th[STEADY_THREADS];
	for (int i = 0; i < STEADY_THREADS; i++)
		pthread_create(&th[i], NULL, steady, &steady_tids[i]);
	/* sample while it runs: the first 100 ms are warm-up (thread states,
	 * first chunks), then RSS and fds must stay flat */
	usleep(100000);
	size_t rss_warm = rss_bytes(), rss_max = rss_warm;
	int fds_warm = count_fds(), fds_max = fds_warm;
	int samples = 0;
	for (;;) {
		bool running = atomic_load(&steady_done) < STEADY_THREADS;
		size_t rss = rss_bytes();
		int fds = count_fds();
		rss_max = rss > rss_max ? rss : rss_max;
		fds_max = fds > fds_max ? fds : fds_max;
		samples++;
		if (!running)
			break;
		usleep(20000);
	}
	for (int i = 0; i < STEADY_THREADS; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_eq(lot_stop(), 0);
	uint64_t lost;
	ck_assert_uint_eq(check_per_thread(path, is_steady,
					   per_steady_thread + per_steady_thread / 256 * 3 +
						   (per_steady_thread % 256 ? 3 : 0) + 2,
					   &lost),
			  STEADY_THREADS);
	fprintf(stderr,
		"hour: %llu events in %d samples; RSS %zu KiB after warm-up, at most %zu KiB; "
		"fds %d, at most %d; %llu lost\n",
		(unsigned long long)(per_steady_thread * STEADY_THREADS), samples, rss_warm / 1024,
		rss_max / 1024, fds_warm, fds_max, (unsigned long long)lost);
	ck_assert_int_eq(fds_max, fds_warm);
	ck_assert_int_eq(count_fds(), fds0);
	/* the pool is allocated at start; what grows is the chunk index (40
	 * bytes a chunk): a few hundred KiB for the hour */
	ck_assert_uint_lt(rss_max - rss_warm, 8u << 20);
	unlink(path);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, ten_thousand_short_lived_threads_leave_no_trace_in_memory);
	tcase_add_test(tc, an_hour_of_steady_load_keeps_memory_and_fds_flat);
}
