/*
 * The trace clock: rdtsc on x86-64 (cntvct_el0 on aarch64), calibrated
 * against CLOCK_MONOTONIC; clock_gettime(CLOCK_MONOTONIC) where the TSC is
 * not invariant (then ticks are nanoseconds and freq_hz is 1e9).
 *
 * API contract (implementation: lib/clock.c):
 *   lot_clock_now()        inline, the hot path's timestamp in ticks
 *   lot_clock_calibrate()  once at start (takes a few ms): chooses the counter,
 *                          measures freq_hz, fills every field of *out;
 *                          0 or -errno (-EINVAL: bad LOTRACE_CLOCK)
 *   lot_clock_sample()     one (ticks, CLOCK_MONOTONIC ns, CLOCK_REALTIME ns)
 *                          triple taken as close together as possible, for
 *                          clock_sync records
 *
 * Why plain rdtsc and not rdtscp or lfence;rdtsc: a trace event needs a
 * timestamp, not a fence.  Plain rdtsc may execute a few tens of cycles
 * early or late relative to the code around it; that is below what a trace
 * can resolve anyway, while the serialising forms stall the pipeline on
 * every event (and rdtscp's TSC_AUX is not needed: buffers are per thread).
 * The writer clamps a step backwards to a zero delta, so order within a
 * thread stays the stream order.
 *
 * The source is chosen once by lot_clock_calibrate(), which must run before
 * the first lot_clock_now() whose value is kept: until then lot_clock_now()
 * reads the hardware counter.  The environment variable LOTRACE_CLOCK=tsc or
 * LOTRACE_CLOCK=monotonic overrides the choice ("tsc" means the hardware
 * counter, cntvct_el0 on aarch64); any other value makes lot_clock_calibrate()
 * fail with -EINVAL after a one-line message on stderr naming the variable.
 */
#ifndef LOT_LIB_CLOCK_H
#define LOT_LIB_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

/* The counter behind the ticks.  (The trace format has its own numbers for
 * them: the recorder maps one to the other; lib/ knows no format.) */
enum lot_clock_counter {
	LOT_COUNTER_TSC,       /* x86-64 rdtsc, invariant */
	LOT_COUNTER_MONOTONIC, /* clock_gettime fallback: ticks are nanoseconds */
	LOT_COUNTER_CNTVCT,    /* aarch64 virtual counter */
};

/* What lot_clock_calibrate() found: the counter, its frequency, and one
 * (ticks, CLOCK_MONOTONIC, CLOCK_REALTIME) sample at the start. */
struct lot_clock_cal {
	enum lot_clock_counter counter;
	uint64_t freq_hz;
	uint64_t start_ticks, start_mono_ns, start_real_ns;
};

int lot_clock_calibrate(struct lot_clock_cal *out);
void lot_clock_sample(uint64_t *ticks, uint64_t *mono_ns, uint64_t *real_ns);

/* Set by lot_clock_calibrate(); read on every event, so a well-predicted
 * branch.  Accessed with relaxed atomics (a plain load on x86-64 and
 * aarch64) because a later calibration may run while other threads read it. */
extern bool lot_clock_use_monotonic;

static inline bool lot_clock_is_monotonic(void)
{
	return __atomic_load_n(&lot_clock_use_monotonic, __ATOMIC_RELAXED);
}

static inline uint64_t lot_clock_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t lot_clock_now(void)
{
#if defined(__x86_64__)
	if (__builtin_expect(!lot_clock_is_monotonic(), 1))
		return __rdtsc();
#elif defined(__aarch64__)
	if (__builtin_expect(!lot_clock_is_monotonic(), 1)) {
		uint64_t v;
		__asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(v));
		return v;
	}
#endif
	return lot_clock_monotonic_ns();
}

/* The hardware counter into *now, or false when the clock is
 * clock_gettime (a call): for probes whose common path makes no call at all,
 * so that the compiler saves no registers there. */
static inline bool lot_clock_now_nocall(uint64_t *now)
{
#if defined(__x86_64__)
	if (__builtin_expect(!lot_clock_is_monotonic(), 1)) {
		*now = __rdtsc();
		return true;
	}
#elif defined(__aarch64__)
	if (__builtin_expect(!lot_clock_is_monotonic(), 1)) {
		__asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(*now));
		return true;
	}
#endif
	(void)now;
	return false;
}

#endif
