/* The trace clock: calibration, monotonicity, consistent samples. */
#include <check.h>
#include <stdlib.h>
#include <time.h>

#include "lib/clock.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec d = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&d, &d) == -1)
		;
}

START_TEST(calibration_gives_a_plausible_frequency)
{
	unsetenv("LOTRACE_CLOCK");
	struct lot_clock_cal ci;
	ck_assert_int_eq(lot_clock_calibrate(&ci), 0);
	ck_assert(ci.counter == LOT_COUNTER_TSC || ci.counter == LOT_COUNTER_MONOTONIC ||
		  ci.counter == LOT_COUNTER_CNTVCT);
	if (ci.counter == LOT_COUNTER_MONOTONIC)
		ck_assert_uint_eq(ci.freq_hz, 1000000000u);
	else /* hardware counters run between 1 MHz (arm generic timer) and 10 GHz */
		ck_assert(ci.freq_hz >= 1000000u && ci.freq_hz <= 10000000000u);
	ck_assert_uint_gt(ci.start_ticks, 0);
	ck_assert_uint_gt(ci.start_mono_ns, 0);
	ck_assert_uint_gt(ci.start_real_ns, 1500000000ull * 1000000000ull); /* after 2017 */
}
END_TEST

START_TEST(now_never_goes_back_within_a_thread)
{
	unsetenv("LOTRACE_CLOCK");
	struct lot_clock_cal ci;
	ck_assert_int_eq(lot_clock_calibrate(&ci), 0);
	uint64_t prev = lot_clock_now();
	ck_assert_uint_ge(prev, ci.start_ticks);
	for (int i = 0; i < 1000000; i++) {
		uint64_t t = lot_clock_now();
		ck_assert_uint_ge(t, prev);
		prev = t;
	}
}
END_TEST

START_TEST(now_advances_across_a_sleep)
{
	unsetenv("LOTRACE_CLOCK");
	struct lot_clock_cal ci;
	ck_assert_int_eq(lot_clock_calibrate(&ci), 0);
	uint64_t a = lot_clock_now();
	sleep_ms(2);
	ck_assert_uint_gt(lot_clock_now(), a);
}
END_TEST

/* Two samples agree with each other: the tick interval converted with the
 * calibrated frequency matches the monotonic interval.  The tolerance is wide
 * (a quarter plus 5 ms) because this is a consistency check, not a timing. */
START_TEST(samples_agree_with_the_calibrated_frequency)
{
	unsetenv("LOTRACE_CLOCK");
	struct lot_clock_cal ci;
	ck_assert_int_eq(lot_clock_calibrate(&ci), 0);
	uint64_t t1, m1, r1, t2, m2, r2;
	lot_clock_sample(&t1, &m1, &r1);
	sleep_ms(50);
	lot_clock_sample(&t2, &m2, &r2);
	ck_assert_uint_gt(t2, t1);
	ck_assert_uint_gt(m2, m1);
	ck_assert_uint_ge(t1, ci.start_ticks);
	ck_assert_uint_ge(m1, ci.start_mono_ns);
	double dticks_ns = (double)(t2 - t1) * 1e9 / (double)ci.freq_hz;
	double dmono = (double)(m2 - m1);
	double diff = dticks_ns > dmono ? dticks_ns - dmono : dmono - dticks_ns;
	ck_assert_msg(diff < dmono / 4 + 5e6, "ticks say %.0f ns, monotonic %.0f ns", dticks_ns,
		      dmono);
}
END_TEST

/* A sample is taken between the reads made just before and just after it. */
START_TEST(sample_lies_between_reads_around_it)
{
	unsetenv("LOTRACE_CLOCK");
	struct lot_clock_cal ci;
	ck_assert_int_eq(lot_clock_calibrate(&ci), 0);
	for (int i = 0; i < 100; i++) {
		uint64_t m0 = mono_ns(), t0 = lot_clock_now();
		uint64_t t, m, r;
		lot_clock_sample(&t, &m, &r);
		uint64_t t1 = lot_clock_now(), m1 = mono_ns();
		ck_assert(t0 <= t && t <= t1);
		ck_assert(m0 <= m && m <= m1);
	}
}
END_TEST

/* A later calibration measures from the first one's pairing instead of
 * sleeping again: it must find the same counter rate. */
START_TEST(recalibration_agrees_with_the_first)
{
	unsetenv("LOTRACE_CLOCK");
	struct lot_clock_cal a, b;
	ck_assert_int_eq(lot_clock_calibrate(&a), 0);
	struct timespec d = {0, 50000000};
	nanosleep(&d, NULL);
	ck_assert_int_eq(lot_clock_calibrate(&b), 0);
	ck_assert_uint_eq(a.counter, b.counter);
	double ratio = (double)b.freq_hz / (double)a.freq_hz;
	ck_assert_msg(ratio > 0.99 && ratio < 1.01, "%llu Hz, then %llu Hz",
		      (unsigned long long)a.freq_hz, (unsigned long long)b.freq_hz);
	ck_assert_uint_ge(b.start_ticks, a.start_ticks);
}
END_TEST

START_TEST(environment_selects_the_monotonic_fallback)
{
	setenv("LOTRACE_CLOCK", "monotonic", 1);
	struct lot_clock_cal ci;
	ck_assert_int_eq(lot_clock_calibrate(&ci), 0);
	unsetenv("LOTRACE_CLOCK");
	ck_assert_uint_eq(ci.counter, LOT_COUNTER_MONOTONIC);
	ck_assert_uint_eq(ci.freq_hz, 1000000000u);
	/* ticks are CLOCK_MONOTONIC nanoseconds */
	uint64_t before = mono_ns();
	uint64_t t = lot_clock_now();
	uint64_t after = mono_ns();
	ck_assert(before <= t && t <= after);
	uint64_t st, sm, sr;
	lot_clock_sample(&st, &sm, &sr);
	ck_assert_uint_eq(st, sm);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, calibration_gives_a_plausible_frequency);
	tcase_add_test(tc, now_never_goes_back_within_a_thread);
	tcase_add_test(tc, now_advances_across_a_sleep);
	tcase_add_test(tc, samples_agree_with_the_calibrated_frequency);
	tcase_add_test(tc, sample_lies_between_reads_around_it);
	tcase_add_test(tc, recalibration_agrees_with_the_first);
	tcase_add_test(tc, environment_selects_the_monotonic_fallback);
}

#include "tests/support/check_main.h"
