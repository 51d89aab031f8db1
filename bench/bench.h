/*
 * What every benchmark shares: a timer, result lines for bench/run, and
 * callgrind markers.
 *
 * A benchmark binary prints one JSON object per line and per measured
 * figure; bench/run runs the binary several times, takes the median of each
 * figure over the runs, and writes doc/PERFORMANCE.md.  A figure that is a
 * ratio names its baseline and carries the baseline's value measured in the
 * same run (or a published anchor, flagged as such), so that a noisy
 * machine moves both sides together.
 *
 * Under `valgrind --tool=callgrind --collect-atstart=no` (bench/run's second
 * pass, with the binary's --callgrind flag: fewer iterations) the measured
 * loops are bracketed by BENCH_CG_BEGIN/BENCH_CG_END, so each dump holds the
 * instructions of exactly one loop; bench/run divides by the iterations.
 */
#ifndef LOT_BENCH_BENCH_H
#define LOT_BENCH_BENCH_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__has_include) && !defined(BENCH_NO_CALLGRIND)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define BENCH_HAVE_CALLGRIND 1
#endif
#endif

static inline uint64_t bench_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Keeps a value alive without a store the compiler could drop. */
#define BENCH_KEEP(x) __asm__ __volatile__("" : : "r"(x) : "memory")

/* Run fn(n) at the bottom of `depth` more frames, so a stack walk from it
 * finds at least that many frame-pointer frames. */
__attribute__((noinline, unused)) static void bench_at_depth(unsigned depth, void (*fn)(uint64_t),
							     uint64_t n)
{
	if (depth)
		bench_at_depth(depth - 1, fn, n);
	else
		fn(n);
	BENCH_KEEP(depth);
}

/* Set by bench_init(): the process runs under callgrind with few iterations. */
static int bench_callgrind;
/* BENCH_NO_CG_MARKS in the environment turns the markers off, for a manual
 * `valgrind --tool=callgrind --toggle-collect=FUNCTION` profile of one loop. */
static int bench_cg_marks = 1;

static inline void bench_init(int argc, char **argv)
{
	if (getenv("BENCH_NO_CG_MARKS"))
		bench_cg_marks = 0;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--callgrind"))
			bench_callgrind = 1;
}

/*
 * One result line.  Fields (bench/run reads them; absent ones are omitted):
 *   bench, metric     names; metric is unique within the bench
 *   what              one line for the table
 *   value, unit       the figure
 *   base, base_value  the baseline's name and value in this run
 *   base_anchor       1 when base_value is a published or fixed anchor
 *   target            e.g. "<= 5" (compared against the median)
 *   ratio_target      e.g. "<= 1.1" on the median of value / base_value
 *   cheaper_target    e.g. ">= 6" on base_value / value ("6x cheaper")
 *   cg, iters         callgrind mode: the dump name and loop iterations
 */
struct bench_result {
	const char *bench, *metric, *what, *unit;
	double value;
	const char *base;
	double base_value;
	int base_anchor;
	const char *target, *ratio_target, *cheaper_target;
};

static inline void bench_json_str(const char *key, const char *s)
{
	if (!s)
		return;
	printf(",\"%s\":\"", key);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static inline void bench_emit(const struct bench_result *r)
{
	printf("{\"bench\":\"%s\",\"metric\":\"%s\",\"value\":%.6g", r->bench, r->metric, r->value);
	bench_json_str("what", r->what);
	bench_json_str("unit", r->unit);
	if (r->base) {
		bench_json_str("base", r->base);
		printf(",\"base_value\":%.6g,\"base_anchor\":%d", r->base_value, r->base_anchor);
	}
	bench_json_str("target", r->target);
	bench_json_str("ratio_target", r->ratio_target);
	bench_json_str("cheaper_target", r->cheaper_target);
	printf("}\n");
	fflush(stdout);
}

/* A skipped figure, with the reason (shown in the table). */
static inline void bench_skip(const char *bench, const char *metric, const char *why)
{
	printf("{\"bench\":\"%s\",\"metric\":\"%s\"", bench, metric);
	bench_json_str("skip", why);
	printf("}\n");
	fflush(stdout);
}

#ifdef BENCH_HAVE_CALLGRIND
#define BENCH_CG_BEGIN()                                                                     \
	do {                                                                                 \
		if (bench_cg_marks)                                                          \
			CALLGRIND_TOGGLE_COLLECT;                                            \
	} while (0)
#define BENCH_CG_END(bench, metric, iters)                                                   \
	do {                                                                                 \
		if (!bench_cg_marks)                                                         \
			break;                                                               \
		CALLGRIND_TOGGLE_COLLECT;                                                    \
		CALLGRIND_DUMP_STATS_AT(bench "." metric);                                   \
		if (bench_callgrind)                                                         \
			printf("{\"bench\":\"%s\",\"metric\":\"%s\",\"cg\":\"%s.%s\","       \
			       "\"iters\":%llu}\n",                                          \
			       bench, metric, bench, metric, (unsigned long long)(iters));   \
	} while (0)
#else
#define BENCH_CG_BEGIN() ((void)0)
#define BENCH_CG_END(bench, metric, iters) ((void)(iters))
#endif

#endif
