/* The flight recorder in-process: snapshots hold the most recent history
 * within the age and size limits, memory stays under LOTRACE_FLIGHT_SIZE,
 * two snapshots in a row work and one asked during another is refused. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control_support.h"
#include "support.h"
#include "tests/support/check_main.h"
#include "tracer/lotrace.h"

#define MS 1000000ull

static atomic_int stop_load;
static _Atomic int64_t last_value;

/* Steady load: counters with increasing values. */
static void *loader(void *arg)
{
	(void)arg;
	for (int64_t i = 1; !atomic_load(&stop_load); i++) {
		lot_counter("load", i);
		lot_counter("noise", (int64_t)((uint64_t)i * 0x9e3779b97f4a7c15ull >> 8));
		atomic_store_explicit(&last_value, i, memory_order_relaxed);
		if (i % 256 == 0)
			usleep(50);
	}
	return NULL;
}

static pthread_t start_load(void)
{
	atomic_store(&stop_load, 0);
	pthread_t t;
	pthread_create(&t, NULL, loader, NULL);
	return t;
}

static void end_load(pthread_t t)
{
	atomic_store(&stop_load, 1);
	pthread_join(t, NULL);
}

/* The smallest and largest "load" counter values in a trace. */
static void load_range(const char *path, int64_t *lo, int64_t *hi)
{
	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	*lo = INT64_MAX;
	*hi = -1;
	for (size_t i = 0; i < t.n; i++) {
		if (t.ev[i].code != LOT_EV_counter || strcmp(t.ev[i].a[LOT_ARG_counter_name].str, "load"))
			continue;
		int64_t v = t.ev[i].a[LOT_ARG_counter_value].i;
		*lo = v < *lo ? v : *lo;
		*hi = v > *hi ? v : *hi;
	}
	trace_free(&t);
}

static int64_t max_load(const char *path)
{
	int64_t lo, hi;
	load_range(path, &lo, &hi);
	return hi;
}

static long rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "re");
	long pages = 0, rss = 0;
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * sysconf(_SC_PAGESIZE);
}

START_TEST(snapshot_holds_the_most_recent_history)
{
	setenv("LOTRACE_FLIGHT_SIZE", "16M", 1);
	setenv("LOTRACE_BUFFER_SIZE", "2M", 1);
	setenv("LOTRACE_CHUNK_SIZE", "16K", 1);
	setenv("LOTRACE_FLIGHT_AGE", "200ms", 1); /* the newest is what counts here */
	ck_assert_int_eq(lot_flight_start(), 0);
	pthread_t t = start_load();
	usleep(800000);
	/* Snapshots in a row while the loader fills a chunk every millisecond or
	 * so: each one races the loader's hand-overs at a different point. */
	enum { N = 8 };
	int64_t before[N], prev_max = 0;
	long long prev_seq = 0;
	for (int i = 0; i < N; i++) {
		before[i] = atomic_load(&last_value);
		char name[32];
		snprintf(name, sizeof name, "flight%d", i);
		const char *p = test_path(name);
		uint64_t asked = mono_now_ns();
		ck_assert_int_eq(lot_snapshot(p), 0);
		char got[4096];
		ck_assert_int_eq(lot_snapshot_wait(got, sizeof got), 0);
		ck_assert_str_eq(got, p);

		struct span s = trace_span(p);
		ck_assert(s.ok && s.has_trailer && !s.damaged);
		ck_assert_str_eq(s.mode, "snapshot");
		ck_assert_uint_gt(s.events, 1000);
		/* the value recorded just before the request is in the file (the
		 * thread's undrained and live chunks included), and the file ends
		 * near the request */
		int64_t max = max_load(p);
		ck_assert_msg(max >= before[i], "snapshot %d: last load %lld, recorded before it %lld",
			      i, (long long)max, (long long)before[i]);
		ck_assert_int_ge(max, prev_max);
		ck_assert_uint_le(s.last_ns, asked + 1500 * MS);
		long long seq = trailer_stat(p, "snapshot_seq");
		if (i)
			ck_assert_int_eq(seq, prev_seq + 1);
		prev_seq = seq;
		prev_max = max;
		unlink(p);
		usleep(20000 + 7000 * i);
	}
	end_load(t);
	ck_assert_int_eq(lot_stop(), 0);
}
END_TEST

START_TEST(size_limit_drops_oldest_chunks_and_bounds_memory)
{
	setenv("LOTRACE_FLIGHT_SIZE", "6M", 1);
	setenv("LOTRACE_BUFFER_SIZE", "2M", 1);
	setenv("LOTRACE_CHUNK_SIZE", "16K", 1);
	setenv("LOTRACE_FLIGHT_AGE", "10m", 1);
	long rss0 = rss_bytes();
	ck_assert_int_eq(lot_flight_start(), 0);
	pthread_t t = start_load();
	/* fill the ring several times over (counters compress well: ~1 B/event) */
	uint64_t until = mono_now_ns() + 3000 * MS;
	while (mono_now_ns() < until)
		usleep(100000);
	const char *p = test_path("flight-size");
	ck_assert_int_eq(lot_snapshot(p), 0);
	ck_assert_int_eq(lot_snapshot_wait(NULL, 0), 0);
	long rss1 = rss_bytes();
	end_load(t);
	ck_assert_int_eq(lot_stop(), 0);

	long long limit = trailer_stat(p, "flight_limit_bytes");
	long long reserved = trailer_stat(p, "flight_reserved_bytes");
	long long peak = trailer_stat(p, "flight_retained_peak_bytes");
	ck_assert_int_eq(limit, 6 << 20);
	ck_assert_int_le(reserved, limit);
	ck_assert_int_gt(peak, 0);
	ck_assert_int_le(peak, reserved);
	/* process RSS: the recorder's buffers plus thread stacks and malloc slack
	 * (sanitizers' shadow memory would count too: not checked there) */
#if !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
	ck_assert_int_le(rss1 - rss0, limit + (8 << 20));
#else
	(void)rss0;
	(void)rss1;
#endif
	struct span s = trace_span(p);
	ck_assert(s.ok && s.has_trailer && !s.damaged);
	/* the oldest history went first: what is left is the latest, whole */
	ck_assert_int_gt(trailer_stat(p, "flight_dropped_chunks_size"), 0);
	int64_t lo, hi;
	load_range(p, &lo, &hi);
	ck_assert_int_gt(lo, 1);
	unlink(p);
}
END_TEST

START_TEST(age_limit_bounds_the_history)
{
	setenv("LOTRACE_FLIGHT_SIZE", "32M", 1);
	setenv("LOTRACE_BUFFER_SIZE", "2M", 1);
	setenv("LOTRACE_CHUNK_SIZE", "16K", 1);
	setenv("LOTRACE_FLIGHT_AGE", "300ms", 1);
	ck_assert_int_eq(lot_flight_start(), 0);
	pthread_t t = start_load();
	usleep(2000000);
	const char *p = test_path("flight-age");
	ck_assert_int_eq(lot_snapshot(p), 0);
	ck_assert_int_eq(lot_snapshot_wait(NULL, 0), 0);
	end_load(t);
	ck_assert_int_eq(lot_stop(), 0);
	struct span s = trace_span_of(p, "load");
	ck_assert(s.ok && s.has_trailer && !s.damaged);
	ck_assert_int_gt(trailer_stat(p, "flight_dropped_chunks_age"), 0);
	/* the busy thread's history: at least the age, and not much more */
	uint64_t span = s.last_ns - s.first_ns;
	ck_assert_uint_ge(span, 250 * MS);
	ck_assert_uint_le(span, 1300 * MS);
	/* the whole file: an idle thread's chunk (here the flusher's clock
	 * syncs) is taken every second or two, so it may reach back that far */
	s = trace_span(p);
	ck_assert_uint_le(s.last_ns - s.first_ns, 300 * MS + 3000 * MS);
	unlink(p);
}
END_TEST

START_TEST(snapshot_during_another_is_refused)
{
	setenv("LOTRACE_FLIGHT_SIZE", "8M", 1);
	setenv("LOTRACE_BUFFER_SIZE", "2M", 1);
	ck_assert_int_eq(lot_flight_start(), 0);
	pthread_t t = start_load();
	usleep(200000);
	char p2[512];
	snprintf(p2, sizeof p2, "%s", test_path("busy2"));
	/* The first snapshot is pending or being written until the flusher is
	 * done, so a second request at once is refused; only a flusher that
	 * writes the whole snapshot between the two calls (a preempted test on
	 * a busy machine) lets it through, so try until it is refused. */
	int taken = 0, refused = 0;
	for (int i = 0; i < 100 && !refused; i++) {
		char p1[512], name[32];
		snprintf(name, sizeof name, "busy1-%d", i);
		snprintf(p1, sizeof p1, "%s", test_path(name));
		ck_assert_int_eq(lot_snapshot(p1), 0);
		taken++;
		int rc = lot_snapshot(p2);
		if (rc == -EBUSY) {
			refused++;
		} else {
			ck_assert_int_eq(rc, 0);
			taken++;
		}
		ck_assert_int_eq(lot_snapshot_wait(NULL, 0), 0);
		unlink(p1);
		unlink(p2);
	}
	ck_assert_int_eq(refused, 1);
	ck_assert_int_eq(lot_snapshot(p2), 0);
	taken++;
	ck_assert_int_eq(lot_snapshot_wait(NULL, 0), 0);
	end_load(t);
	ck_assert_int_eq(lot_stop(), 0);
	ck_assert_int_eq(trailer_stat(p2, "control_snapshots_refused"), 1);
	ck_assert_int_eq(trailer_stat(p2, "control_snapshots"), taken);
	unlink(p2);
}
END_TEST

START_TEST(snapshot_needs_the_flight_recorder)
{
	ck_assert_int_eq(lot_snapshot(NULL), -ENOTSUP);
	const char *p = test_path("stream");
	ck_assert_int_eq(lot_start(p), 0);
	ck_assert_int_eq(lot_snapshot(NULL), -ENOTSUP);
	ck_assert_int_eq(lot_stop(), 0);
	unlink(p);
	/* and stopping the flight recorder writes nothing */
	ck_assert_int_eq(lot_flight_start(), 0);
	lot_instant("x");
	ck_assert_int_eq(lot_stop(), 0);
	ck_assert_int_eq(lot_snapshot(NULL), -ENOTSUP);
}
END_TEST

START_TEST(flight_size_too_small_is_rejected)
{
	setenv("LOTRACE_FLIGHT_SIZE", "2M", 1);
	setenv("LOTRACE_BUFFER_SIZE", "2M", 1);
	ck_assert_int_eq(lot_flight_start(), -EINVAL);
	setenv("LOTRACE_FLIGHT_SIZE", "lots", 1);
	ck_assert_int_eq(lot_flight_start(), -EINVAL);
	unsetenv("LOTRACE_FLIGHT_SIZE");
	setenv("LOTRACE_FLIGHT_AGE", "5 s", 1);
	ck_assert_int_eq(lot_flight_start(), -EINVAL);
}
END_TEST

/* Burn the calling thread's CPU for ns of its own CPU time. */
static void burn_cpu(uint64_t ns)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	uint64_t end = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec + ns;
	volatile uint64_t x = 0;
	do {
		for (int i = 0; i < 4096; i++)
			x = x * 31 + (uint64_t)i;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	} while ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec < end);
}

START_TEST(a_snapshot_counts_the_cpu_samples_of_its_session)
{
	setenv("LOTRACE_CPU_HZ", "1000", 1);
	ck_assert_int_eq(lot_flight_start(), 0);
	lot_instant("begin"); /* this thread's state, so its timer is armed at once */
	usleep(300000);       /* the flusher's rescan arms it in any case */
	burn_cpu(300 * MS);
	const char *p = test_path("cpu");
	ck_assert_int_eq(lot_snapshot(p), 0);
	ck_assert_int_eq(lot_snapshot_wait(NULL, 0), 0);
	ck_assert_int_eq(lot_stop(), 0);
	unsetenv("LOTRACE_CPU_HZ");
	/* the samples in the file are among those the trailer counts, which
	 * are this session's so far (the thread is still alive: not yet in the
	 * session's totals) */
	struct ttrace t;
	ck_assert(trace_load(p, true, &t));
	long long in_file = 0;
	for (size_t i = 0; i < t.n; i++)
		in_file += t.ev[i].code == LOT_EV_cpu_sample;
	trace_free(&t);
	ck_assert_int_gt(in_file, 0);
	ck_assert_int_ge(trailer_stat(p, "cpu_samples"), in_file);
	ck_assert_int_ge(trailer_stat(p, "cpu_samples_dropped"), 0);
	ck_assert_int_eq(trailer_stat(p, "cpu_threads_unarmed"), 0);
	unlink(p);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, snapshot_holds_the_most_recent_history);
	tcase_add_test(tc, size_limit_drops_oldest_chunks_and_bounds_memory);
	tcase_add_test(tc, age_limit_bounds_the_history);
	tcase_add_test(tc, snapshot_during_another_is_refused);
	tcase_add_test(tc, snapshot_needs_the_flight_recorder);
	tcase_add_test(tc, flight_size_too_small_is_rejected);
	tcase_add_test(tc, a_snapshot_counts_the_cpu_samples_of_its_session);
}
