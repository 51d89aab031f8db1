/*
 * Choosing and calibrating the trace clock (see lib/clock.h).
 *
 * Calibration pairs a tick count with CLOCK_MONOTONIC twice, a few
 * milliseconds apart, and divides.  Each pairing brackets one clock_gettime
 * between two tick reads and keeps the attempt with the narrowest bracket,
 * so a preemption or a slow vDSO call during one attempt does not skew the
 * result: the error is about the bracket width (tens of ns) over the
 * interval (5 ms), a few parts per million.  The clock_sync records written
 * during the trace correct the remaining drift.
 *
 * A process that starts tracing again (a signal window, a second session)
 * does not sleep again: it pairs once more and divides by the time since
 * its first calibration's first pairing, which costs microseconds instead
 * of 5 ms of the window's start, and is the more exact the longer ago that
 * was.
 */
#include "lib/clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#if defined(__x86_64__)
#include <cpuid.h>
#endif

bool lot_clock_use_monotonic;

#define CALIBRATE_NS 5000000u /* interval between the two pairings */
#define PAIR_TRIES 16         /* attempts per pairing; the narrowest wins */

static uint64_t realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Whether the hardware counter ticks at a constant rate in every P- and
 * C-state and is usable as a clock. */
static bool hw_counter_invariant(void)
{
#if defined(__x86_64__)
	unsigned a, b, c, d;
	if ((unsigned)__get_cpuid_max(0x80000000u, NULL) < 0x80000007u)
		return false;
	__cpuid(0x80000007u, a, b, c, d);
	(void)a, (void)b, (void)c;
	return (d >> 8) & 1; /* "Invariant TSC" */
#elif defined(__aarch64__)
	return true; /* the generic timer's virtual count is architecturally constant-rate */
#else
	return false;
#endif
}

static bool hw_counter_exists(void)
{
#if defined(__x86_64__) || defined(__aarch64__)
	return true;
#else
	return false;
#endif
}

/* The source to use: LOTRACE_CLOCK when set, else the hardware counter when
 * it is invariant.  1 hardware counter, 0 CLOCK_MONOTONIC, -EINVAL for a
 * value we do not know: the project's rule for every LOTRACE_* variable is
 * that a typo is reported, not silently replaced by the default. */
static int choose_hw_counter(void)
{
	const char *env = getenv("LOTRACE_CLOCK");
	if (!env)
		return hw_counter_invariant();
	if (!strcmp(env, "monotonic"))
		return 0;
	if (!strcmp(env, "tsc"))
		return hw_counter_exists();
	fprintf(stderr, "lotrace: LOTRACE_CLOCK=\"%s\" rejected: expected tsc or monotonic\n", env);
	return -EINVAL;
}

/* One (ticks, monotonic ns) pairing with the narrowest tick bracket. */
static void pair_ticks_mono(uint64_t *ticks, uint64_t *mono)
{
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < PAIR_TRIES; i++) {
		uint64_t t0 = lot_clock_now();
		uint64_t m = lot_clock_monotonic_ns();
		uint64_t t1 = lot_clock_now();
		if (t1 >= t0 && t1 - t0 < best) {
			best = t1 - t0;
			*ticks = t0 + (t1 - t0) / 2;
			*mono = m;
		}
	}
	if (best == UINT64_MAX) { /* the counter never moved forward: take anything */
		*ticks = lot_clock_now();
		*mono = lot_clock_monotonic_ns();
	}
}

/* The first pairing of this process's first hardware-counter calibration
 * (kept across fork: the counter is the machine's). */
static bool have_first;
static uint64_t first_ticks, first_mono;

static uint64_t measure_freq_hz(void)
{
	uint64_t t0, m0, t1, m1;
	if (have_first) {
		pair_ticks_mono(&t1, &m1);
		if (t1 > first_ticks && m1 - first_mono >= CALIBRATE_NS)
			return (uint64_t)((unsigned __int128)(t1 - first_ticks) * 1000000000u /
					  (m1 - first_mono));
	}
	pair_ticks_mono(&t0, &m0);
	struct timespec d = {0, CALIBRATE_NS};
	while (nanosleep(&d, &d) == -1 && errno == EINTR)
		;
	pair_ticks_mono(&t1, &m1);
	if (t1 <= t0 || m1 <= m0)
		return 0;
	if (!have_first) {
		have_first = true;
		first_ticks = t0;
		first_mono = m0;
	}
	return (uint64_t)((unsigned __int128)(t1 - t0) * 1000000000u / (m1 - m0));
}

int lot_clock_calibrate(struct lot_clock_cal *out)
{
	memset(out, 0, sizeof *out);
	int hw = choose_hw_counter();
	if (hw < 0)
		return hw;
	uint64_t freq = 0;
	if (hw) {
		__atomic_store_n(&lot_clock_use_monotonic, false, __ATOMIC_RELAXED);
		freq = measure_freq_hz();
	}
	/* A counter that does not advance or runs implausibly slowly (< 1 MHz)
	 * is useless as a clock: fall back. */
	if (freq < 1000000u) {
		__atomic_store_n(&lot_clock_use_monotonic, true, __ATOMIC_RELAXED);
		freq = 1000000000u;
		out->counter = LOT_COUNTER_MONOTONIC;
	} else {
#if defined(__aarch64__)
		out->counter = LOT_COUNTER_CNTVCT;
#else
		out->counter = LOT_COUNTER_TSC;
#endif
	}
	out->freq_hz = freq;
	lot_clock_sample(&out->start_ticks, &out->start_mono_ns, &out->start_real_ns);
	return 0;
}

void lot_clock_sample(uint64_t *ticks, uint64_t *mono_ns, uint64_t *real_ns)
{
	if (lot_clock_is_monotonic()) {
		*mono_ns = lot_clock_monotonic_ns();
		*real_ns = realtime_ns();
		*ticks = *mono_ns;
		return;
	}
	/* Bracket both clock reads between tick reads; keep the narrowest try. */
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < 4; i++) {
		uint64_t t0 = lot_clock_now();
		uint64_t m = lot_clock_monotonic_ns();
		uint64_t r = realtime_ns();
		uint64_t t1 = lot_clock_now();
		uint64_t width = t1 - t0; /* huge if the counter stepped back */
		if (i == 0 || width < best) {
			best = width;
			*ticks = t1 >= t0 ? t0 + width / 2 : t1;
			*mono_ns = m;
			*real_ns = r;
		}
	}
}
