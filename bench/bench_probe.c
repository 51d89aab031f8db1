/*
 * The cost of a probe as the traced program sees it, through the public API
 * (tracer/lotrace.h) of liblotrace:
 *   - a probe while tracing is off;
 *   - lot_counter (name + one 64-bit value, never a stack) while tracing;
 *   - lot_instant with a 16-frame stack that is already defined in the chunk
 *     (the same call site every time: the walk and the dedup hit), and the
 *     same from two call sites in turn, as a server's block and unblock;
 *   - a span begin + end pair, stacks off, with no span open: every span is
 *     a new root (a new trace id, defined in the chunk);
 *   - the same under an open root span: a child span (the parent's trace id
 *     is already defined), the common case in a server.
 * Baseline: an empty loop of the same shape, in the same run.  When bench/run
 * has set up an LTTng session (LOTBENCH_LTTNG=1), also an LTTng-UST
 * tracepoint with two 64-bit integer fields (bench/lttng/), in the same
 * process, as the peer for lot_counter.
 *
 * Each enabled figure runs in its own lotrace session writing to a file in
 * $TMPDIR (deleted after); the trailer's loss count is checked, because a
 * dropped event costs less than a recorded one: losses are reported, not
 * hidden.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "trace-format/reader.h"
#include "tracer/lotrace.h"

#ifdef LOTBENCH_LTTNG
#include "bench/lttng/lotbench_tp.h"
#endif

#define NOINLINE __attribute__((noinline))

static uint64_t iters;

NOINLINE static void loop_empty(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		BENCH_KEEP(i);
}

NOINLINE static void loop_counter(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		lot_counter("bench.counter", (int64_t)i);
		BENCH_KEEP(i);
	}
}

NOINLINE static void loop_instant(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		lot_instant("bench.instant");
		BENCH_KEEP(i);
	}
}

/* Two call sites in turn, as in a server (block here, unblock there): the
 * stack differs from the last one every time, both stay defined in the chunk. */
NOINLINE static void loop_instant_two_sites(uint64_t n)
{
	for (uint64_t i = 0; i < n; i += 2) {
		lot_instant("bench.instant");
		BENCH_KEEP(i);
		lot_instant("bench.instant");
		BENCH_KEEP(i);
	}
}

NOINLINE static void loop_span(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		lot_span s = lot_span_begin("bench.span", NULL);
		lot_span_end(&s);
		BENCH_KEEP(i);
	}
}

/* Child spans: the implicit parent is a root opened around the loop. */
NOINLINE static void loop_child_span(uint64_t n)
{
	lot_span root = lot_span_begin("bench.root", NULL);
	for (uint64_t i = 0; i < n; i++) {
		lot_span s = lot_span_begin("bench.child", NULL);
		lot_span_end(&s);
		BENCH_KEEP(i);
	}
	lot_span_end(&root);
}

#ifdef LOTBENCH_LTTNG
NOINLINE static void loop_lttng(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		lttng_ust_tracepoint(lotbench, two_u64, i, i * 3);
		BENCH_KEEP(i);
	}
}
#endif


static double time_loop(void (*fn)(uint64_t), uint64_t n, unsigned depth)
{
	uint64_t t0 = bench_ns();
	bench_at_depth(depth, fn, n);
	return (double)(bench_ns() - t0) / (double)n;
}

/*
 * The probe's own cost: bursts of BURST events with a pause after each, so
 * the flusher keeps up and no event is dropped (a dropped event costs
 * something else).  Only the bursts are timed, and the median burst is
 * taken, so a burst the host preempted does not count.  The rate a thread
 * can sustain without pauses is the separate "saturated" figure.
 */
#define BURST 100000
#define MAX_BURSTS 64
#define PAUSE_NS 20000000L

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double time_bursts(void (*fn)(uint64_t), uint64_t n, unsigned depth)
{
	double per[MAX_BURSTS];
	unsigned k = 0;
	for (uint64_t done = 0; done < n && k < MAX_BURSTS; done += BURST) {
		uint64_t t0 = bench_ns();
		bench_at_depth(depth, fn, BURST);
		per[k++] = (double)(bench_ns() - t0) / BURST;
		struct timespec d = {0, PAUSE_NS};
		nanosleep(&d, NULL);
	}
	qsort(per, k, sizeof per[0], cmp_double);
	return per[k / 2];
}

/* ---- lotrace sessions ---- */

static char path[256];
static unsigned session_no;

static void session_start(const char *stacks, const char *depth)
{
	snprintf(path, sizeof path, "%s/lotbench-probe-%d-%u.lot",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(), session_no++);
	unlink(path);
	setenv("LOTRACE_STACKS", stacks, 1);
	setenv("LOTRACE_STACK_DEPTH", depth, 1);
	if (bench_callgrind) /* valgrind may not know io_uring */
		setenv("LOTRACE_IO", "pwrite", 1);
	int err = lot_start(path);
	if (err) {
		fprintf(stderr, "bench_probe: lot_start(%s): %s\n", path, strerror(-err));
		exit(1);
	}
}

/* Stop, read the trailer's totals, delete the file. */
static void session_stop(uint64_t *written, uint64_t *lost)
{
	int err = lot_stop();
	if (err) {
		fprintf(stderr, "bench_probe: lot_stop: %s\n", strerror(-err));
		exit(1);
	}
	*written = *lost = 0;
	struct lot_read_error rerr;
	struct lot_reader *r = lot_reader_open(path, NULL, &rerr);
	if (r) {
		struct lot_chunk *c;
		while (lot_reader_next_chunk(r, &c) > 0)
			;
		const struct lot_trailer *t = lot_reader_trailer(r);
		for (size_t i = 0; t && i < t->n_threads; i++) {
			*written += t->threads[i].written;
			*lost += t->threads[i].lost;
		}
		lot_reader_close(r);
	} else {
		fprintf(stderr, "bench_probe: %s: %s\n", path, rerr.message);
	}
	unlink(path);
}

static uint64_t total_lost, total_written;

/* One enabled figure, in its own session: warm up, then time n iterations
 * in bursts (or in one go: saturated). */
static double enabled(void (*fn)(uint64_t), uint64_t n, unsigned depth, const char *stacks,
		      const char *stack_depth, bool saturated, uint64_t *lost)
{
	session_start(stacks, stack_depth);
	bench_at_depth(depth, fn, 1000); /* thread registration, first chunk, caches */
	struct timespec d = {0, PAUSE_NS};
	nanosleep(&d, NULL);
	double ns = saturated ? time_loop(fn, n, depth) : time_bursts(fn, n, depth);
	uint64_t w, l;
	session_stop(&w, &l);
	total_written += w;
	total_lost += l;
	if (lost)
		*lost = l;
	if (getenv("LOTBENCH_VERBOSE"))
		fprintf(stderr, "session %u: %.2f ns/op, %llu written, %llu lost\n", session_no - 1, ns,
			(unsigned long long)w, (unsigned long long)l);
	return ns;
}

/* Under callgrind: the instructions of each enabled path, one session each
 * (stacks "0" or "1"; the loop runs `depth` frames below this one). */
#define CG_SESSION(stacks, depth, fn, metric)                                  \
	do {                                                                   \
		uint64_t w_, l_;                                               \
		session_start((stacks), "16");                                 \
		bench_at_depth((depth), (fn), 1000);                           \
		BENCH_CG_BEGIN();                                              \
		bench_at_depth((depth), (fn), iters);                          \
		BENCH_CG_END("probe", metric, iters);                          \
		session_stop(&w_, &l_);                                        \
	} while (0)

static void callgrind_enabled(unsigned deep)
{
	CG_SESSION("0", 0, loop_counter, "counter");
	CG_SESSION("1", deep, loop_instant, "instant_stack16");
	CG_SESSION("1", deep, loop_instant_two_sites, "instant_stack16_two_sites");
	CG_SESSION("0", 0, loop_span, "span_begin_end");
	CG_SESSION("0", 0, loop_child_span, "child_span_begin_end");
	BENCH_CG_BEGIN();
	loop_empty(iters);
	BENCH_CG_END("probe", "base:counter", iters);
}

int main(int argc, char **argv)
{
	bench_init(argc, argv);
	iters = bench_callgrind ? 20000 : 2000000;
	const unsigned deep = 24; /* frames below main for the stack figure */

	/* Baseline and the disabled probe. */
	loop_empty(iters / 10);
	loop_counter(iters / 10);
	double empty = time_loop(loop_empty, iters * 10, 0);
	double disabled = time_loop(loop_counter, iters * 10, 0);
	BENCH_CG_BEGIN();
	loop_empty(iters);
	BENCH_CG_END("probe", "base:disabled", iters);
	BENCH_CG_BEGIN();
	loop_counter(iters);
	BENCH_CG_END("probe", "disabled", iters);

	if (bench_callgrind) {
		callgrind_enabled(deep);
		return 0;
	}

	/* Enabled: each in its own session, each with its own baseline. */
	double counter_ns = enabled(loop_counter, iters, 0, "0", "16", false, NULL);
	double empty2 = time_loop(loop_empty, iters * 10, 0);
	double instant16_ns = enabled(loop_instant, iters, deep, "1", "16", false, NULL);
	double empty3 = time_loop(loop_empty, iters * 10, 0);
	double two_sites_ns = enabled(loop_instant_two_sites, iters, deep, "1", "16", false, NULL);
	double empty7 = time_loop(loop_empty, iters * 10, 0);
	double span_ns = enabled(loop_span, iters, 0, "0", "16", false, NULL);
	double empty4 = time_loop(loop_empty, iters * 10, 0);
	double child_ns = enabled(loop_child_span, iters, 0, "0", "16", false, NULL);
	double empty6 = time_loop(loop_empty, iters * 10, 0);
	uint64_t sat_lost;
	double sat_ns = enabled(loop_counter, 4 * iters, 0, "0", "16", true, &sat_lost);
	double empty5 = time_loop(loop_empty, iters * 10, 0);

	bench_emit(&(struct bench_result){
		.bench = "probe", .metric = "disabled", .unit = "ns/op",
		.what = "lot_counter() while tracing is off (loop included)",
		.value = disabled, .base = "empty loop", .base_value = empty, .target = "<= 1"});
	bench_emit(&(struct bench_result){
		.bench = "probe", .metric = "counter", .unit = "ns/op",
		.what = "lot_counter(name, value) while tracing (no stack)",
		.value = counter_ns, .base = "empty loop", .base_value = empty2, .target = "<= 15"});
	bench_emit(&(struct bench_result){
		.bench = "probe", .metric = "instant_stack16", .unit = "ns/op",
		.what = "lot_instant() with a 16-frame stack already in the chunk",
		.value = instant16_ns, .base = "empty loop", .base_value = empty3, .target = "<= 35"});
	bench_emit(&(struct bench_result){
		.bench = "probe", .metric = "instant_stack16_two_sites", .unit = "ns/op",
		.what = "the same from two call sites in turn (each stack differs from the "
			"last; both already in the chunk)",
		.value = two_sites_ns, .base = "empty loop", .base_value = empty7});
	bench_emit(&(struct bench_result){
		.bench = "probe", .metric = "span_begin_end", .unit = "ns/op",
		.what = "lot_span_begin() + lot_span_end(), no stacks, no span open (each a new "
			"root: a new trace id)",
		.value = span_ns, .base = "empty loop", .base_value = empty4, .target = "<= 35"});
	bench_emit(&(struct bench_result){
		.bench = "probe", .metric = "child_span_begin_end", .unit = "ns/op",
		.what = "the same under an open root span (a child: the trace id is known)",
		.value = child_ns, .base = "empty loop", .base_value = empty6});

#ifdef LOTBENCH_LTTNG
	if (getenv("LOTBENCH_LTTNG")) {
		/* The session was created by bench/run; the tracepoint is enabled once
		 * the session daemon has registered this process. */
		for (int i = 0; i < 300 && !lttng_ust_tracepoint_enabled(lotbench, two_u64); i++)
			usleep(10000);
		if (lttng_ust_tracepoint_enabled(lotbench, two_u64)) {
			loop_lttng(1000);
			double lttng_ns = time_bursts(loop_lttng, iters, 0);
			double counter2 = enabled(loop_counter, iters, 0, "0", "16", false, NULL);
			bench_emit(&(struct bench_result){
				.bench = "probe", .metric = "counter_vs_lttng", .unit = "ns/op",
				.what = "lot_counter() again, against an LTTng-UST tracepoint "
					"with two u64 fields (session active)",
				.value = counter2, .base = "LTTng-UST tracepoint, 2 x u64",
				.base_value = lttng_ns, .cheaper_target = ">= 6"});
			printf("{\"bench\":\"probe\",\"lttng_events\":%llu}\n",
			       (unsigned long long)(iters + 1000));
		} else {
			bench_skip("probe", "counter_vs_lttng",
				   "the LTTng tracepoint was not enabled within 3 s");
		}
	} else {
		bench_skip("probe", "counter_vs_lttng", "no LTTng session (bench/run sets one up)");
	}
#else
	bench_skip("probe", "counter_vs_lttng", "built without lttng-ust (pkg-config lttng-ust)");
#endif
	bench_emit(&(struct bench_result){
		.bench = "probe", .metric = "counter_saturated", .unit = "ns/op",
		.what = "lot_counter() with no pause, 8 M events: what one thread can sustain",
		.value = sat_ns, .base = "empty loop", .base_value = empty5});
	bench_emit(&(struct bench_result){
		.bench = "probe", .metric = "saturated_lost", .unit = "%",
		.what = "of those events, lost (no free chunk: the flusher fell behind)",
		.value = 100.0 * (double)sat_lost / (double)(4 * iters + 1000)});
	printf("{\"bench\":\"probe\",\"note\":\"First run: %llu events recorded in the enabled "
	       "sessions, %llu lost (dropped for want of a free chunk), the saturated session "
	       "included.\"}\n",
	       (unsigned long long)total_written, (unsigned long long)total_lost);
	return 0;
}
