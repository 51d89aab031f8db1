/*
 * The primitives under every probe: the clock read and the frame-pointer
 * stack walk (lib/clock.h, lib/stackwalk.h).
 *   - lot_clock_now() against clock_gettime(CLOCK_MONOTONIC), same run;
 *   - a 16-frame walk (from 24 frames deep, depth capped at 16) and the
 *     dedup hash of its PCs, against an empty loop; also per frame.
 */
#include <stdint.h>
#include <time.h>

#include "bench/bench.h"
#include "lib/clock.h"
#include "lib/hash.h"
#include "lib/stackwalk.h"

#define NOINLINE __attribute__((noinline))

static struct lot_stack_bounds bounds;
static uint64_t walked_frames;

NOINLINE static void loop_now(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		BENCH_KEEP(lot_clock_now());
}

NOINLINE static void loop_gettime(uint64_t n)
{
	struct timespec ts;
	for (uint64_t i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		BENCH_KEEP(ts.tv_nsec);
	}
}

NOINLINE static void loop_empty(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		BENCH_KEEP(i);
}

NOINLINE static void loop_walk16(uint64_t n)
{
	uint64_t pcs[16];
	for (uint64_t i = 0; i < n; i++) {
		uint64_t hash;
		size_t k = lot_stack_walk(&bounds, 0, pcs, 16, &hash);
		walked_frames += k;
		BENCH_KEEP(pcs);
		BENCH_KEEP(hash);
	}
}

static double time_loop(void (*fn)(uint64_t), uint64_t n, unsigned depth)
{
	bench_at_depth(depth, fn, n / 10 + 1);
	uint64_t t0 = bench_ns();
	bench_at_depth(depth, fn, n);
	return (double)(bench_ns() - t0) / (double)n;
}

int main(int argc, char **argv)
{
	bench_init(argc, argv);
	struct lot_clock_cal ci;
	if (lot_clock_calibrate(&ci) || lot_stack_bounds_current(&bounds))
		return 1;
	uint64_t n = bench_callgrind ? 10000 : 5000000;

	if (bench_callgrind) {
		BENCH_CG_BEGIN();
		loop_now(n);
		BENCH_CG_END("prims", "clock_now", n);
		BENCH_CG_BEGIN();
		loop_gettime(n);
		BENCH_CG_END("prims", "base:clock_now", n);
		BENCH_CG_BEGIN();
		bench_at_depth(24, loop_walk16, n);
		BENCH_CG_END("prims", "walk16", n);
		BENCH_CG_BEGIN();
		loop_empty(n);
		BENCH_CG_END("prims", "base:walk16", n);
		return 0;
	}

	double now = time_loop(loop_now, n, 0);
	double gettime = time_loop(loop_gettime, n, 0);
	walked_frames = 0;
	double walk = time_loop(loop_walk16, n, 24);
	double frames = (double)walked_frames / (double)(n + n / 10 + 1);
	double empty = time_loop(loop_empty, n * 10, 0);

	bench_emit(&(struct bench_result){
		.bench = "prims", .metric = "clock_now", .unit = "ns/call",
		.what = ci.counter == LOT_COUNTER_MONOTONIC ? "lot_clock_now() (monotonic fallback chosen)"
				       : "lot_clock_now() (rdtsc)",
		.value = now, .base = "clock_gettime(CLOCK_MONOTONIC)", .base_value = gettime});
	bench_emit(&(struct bench_result){
		.bench = "prims", .metric = "walk16", .unit = "ns/walk",
		.what = "lot_stack_walk() of 16 frames, hashing them on the way (the dedup key)", .value = walk, .base = "empty loop",
		.base_value = empty});
	bench_emit(&(struct bench_result){
		.bench = "prims", .metric = "walk_per_frame", .unit = "ns/frame",
		.what = "the same, per frame walked", .value = walk / frames, .base = "empty loop",
		.base_value = empty, .target = "<= 1.5"});
	printf("{\"bench\":\"prims\",\"note\":\"Clock source chosen by lot_clock_calibrate(): %s, "
	       "%llu Hz.  Frames per walk: %.1f.\"}\n",
	       ci.counter == LOT_COUNTER_TSC	   ? "TSC"
	       : ci.counter == LOT_COUNTER_MONOTONIC ? "CLOCK_MONOTONIC"
						     : "cntvct_el0",
	       (unsigned long long)ci.freq_hz, frames);
	return 0;
}
