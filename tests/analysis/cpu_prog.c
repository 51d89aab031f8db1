/*
 * The CPU-sampling bar's program (issue 12), run by tests/analysis/cpu_e2e.sh
 * with LOTRACE_CPU_HZ set: `cpu_prog OUT.lot [requests] [ms]`.
 *
 * Each request is a task with a span "cpu.request" in which it burns CPU in
 * burn_a for 3 units, sleeps (do_sleep: no CPU), burns burn_b for 1 unit,
 * then creates a task "helper" and hands it to a new thread, which burns
 * burn_helper for 1 unit while the request waits for it (join).  A unit is
 * `ms` milliseconds of the thread's own CPU time.  The true CPU time each
 * function got is measured with CLOCK_THREAD_CPUTIME_ID and printed as
 * "burn_a_ns N", "burn_b_ns N", "burn_helper_ns N", "sleep_ns N" lines.
 *
 * The burn loops read the clock only every few thousand rounds, so nearly
 * all their time is in their own code, not in clock_gettime.
 */
#include <inttypes.h>
#include "tracer/lotrace.h"
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static volatile uint64_t sink;

/* Spin for ns of this thread's CPU time; returns the CPU time it took.
 * Each copy mixes its own constant, and noipa keeps the compiler from
 * folding the identical copies into one (the samples would all name it). */
#define BURN(name, seed)                                                      \
	static __attribute__((noinline)) uint64_t name(uint64_t ns)    \
	{                                                                     \
		uint64_t start = thread_cpu_ns(), now = start;                \
		uint64_t h = seed;                                            \
		while (now - start < ns) {                                    \
			for (unsigned i = 0; i < 200000; i++)                 \
				h = (h ^ i) * 1099511628211ull;               \
			sink = h;                                             \
			now = thread_cpu_ns();                                \
		}                                                             \
		return now - start;                                           \
	}
BURN(burn_a, 1469598103934665603ull)
BURN(burn_b, 0x9e3779b97f4a7c15ull)
BURN(burn_helper, 0x243f6a8885a308d3ull)

static __attribute__((noinline)) uint64_t do_sleep(uint64_t ns)
{
	uint64_t start = mono_ns();
	struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
	lot_task_block("sleep");
	nanosleep(&ts, NULL);
	lot_task_unblock(lot_task_current());
	return mono_ns() - start;
}

struct helper {
	uint64_t task, unit_ns, cpu_ns;
};

static void *helper_main(void *arg)
{
	struct helper *h = arg;
	lot_task_start(h->task);
	h->cpu_ns = burn_helper(h->unit_ns);
	lot_task_end();
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: cpu_prog OUT.lot [requests] [ms]\n");
		return 2;
	}
	unsigned requests = argc > 2 ? (unsigned)atoi(argv[2]) : 2;
	uint64_t unit = (argc > 3 ? (uint64_t)atoi(argv[3]) : 100) * 1000000u;
	int rc = lot_start(argv[1]);
	if (rc < 0) {
		fprintf(stderr, "cpu_prog: lot_start: %d\n", rc);
		return 1;
	}
	uint64_t a = 0, b = 0, helper = 0, slept = 0;
	for (unsigned r = 0; r < requests; r++) {
		uint64_t req = lot_task_create("request");
		lot_task_start(req);
		lot_span span = lot_span_begin("cpu.request", NULL);
		a += burn_a(3 * unit);
		slept += do_sleep(unit);
		b += burn_b(unit);
		struct helper h = {.task = lot_task_create("helper"), .unit_ns = unit};
		pthread_t th;
		if (pthread_create(&th, NULL, helper_main, &h)) {
			perror("cpu_prog: pthread_create");
			return 1;
		}
		lot_task_block("join");
		pthread_join(th, NULL);
		lot_task_unblock(lot_task_current());
		helper += h.cpu_ns;
		lot_span_end(&span);
		lot_task_end();
	}
	lot_stop();
	printf("burn_a_ns %" PRIu64 "\nburn_b_ns %" PRIu64 "\nburn_helper_ns %" PRIu64
	       "\nsleep_ns %" PRIu64 "\n", a, b, helper, slept);
	return 0;
}
