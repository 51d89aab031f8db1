/*
 * The cost of one CPU sample at depth 16, delivery included.
 *
 * A thread 16+ frames deep queues the sampler's signal to itself as its
 * timer would (rt_tgsigqueueinfo with si_code SI_TIMER and the session's
 * value: a process may send itself any siginfo), timing each round trip with
 * the clock (TSC): the system call, the signal's delivery, the handler (the
 * 16-frame walk from the interrupted context, the write into the chunk) and
 * sigreturn.  What a real sample adds is the same minus the system call
 * entry, plus the timer's expiry inside the kernel tick that runs anyway.
 * Baseline, same process: the same signal with a value that is not the
 * session's, which the handler ignores at once (delivery alone).
 * LOTRACE_STACK_DEPTH=16: the walk takes exactly 16 frames; the same stack
 * every time (defined once per chunk, like a hot loop's).  For a thread that
 * called a probe first (its stack bounds known) and one that never did
 * (each page of its stack is checked, tracer/sampler.c).  LOTRACE_CPU_HZ=1:
 * sampling on, the real timer out of the way.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench/bench.h"
#include "lib/clock.h"
#include "tracer/lotrace.h"
#include "tracer/sampler.h"

#define DEPTH 16
#define ROUNDS 20000

struct phase {
	bool probe;    /* call a probe first */
	int value;     /* the signal's value: the session's, or not */
	uint64_t *ticks;
};

static __thread struct phase *cur;

static void queue_self(uint64_t unused)
{
	(void)unused;
	int sig, value;
	lot_sampler_signal(&sig, &value);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = sig;
	si.si_code = SI_TIMER;
	si.si_value.sival_int = cur->value ? value : value + 1;
	pid_t pid = getpid(), tid = gettid();
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = lot_clock_now();
		syscall(SYS_rt_tgsigqueueinfo, pid, tid, sig, &si);
		cur->ticks[i] = lot_clock_now() - t0;
	}
}

static void *run(void *arg)
{
	cur = arg;
	if (cur->probe)
		lot_instant("sample");
	bench_at_depth(DEPTH, queue_self, 0);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Median and 99th percentile of one phase, in ns. */
static void measure(struct phase *p, uint64_t freq, double *med, double *p99)
{
	pthread_t th;
	pthread_create(&th, NULL, run, p);
	pthread_join(th, NULL);
	qsort(p->ticks, ROUNDS, sizeof *p->ticks, cmp_u64);
	*med = (double)p->ticks[ROUNDS / 2] * 1e9 / (double)freq;
	*p99 = (double)p->ticks[ROUNDS * 99 / 100] * 1e9 / (double)freq;
}

int main(int argc, char **argv)
{
	bench_init(argc, argv);
	if (bench_callgrind)
		return 0; /* signals: no instruction counts */
	const char *dir = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/lotbench-sample-%d.lot", dir ? dir : "/tmp", (int)getpid());
	unlink(path);
	setenv("LOTRACE_STACKS", "1", 1);
	setenv("LOTRACE_STACK_DEPTH", "16", 1);
	setenv("LOTRACE_CPU_HZ", "1", 1);
	struct lot_clock_cal ci;
	if (lot_clock_calibrate(&ci) || lot_start(path)) {
		fprintf(stderr, "bench_sample: cannot start tracing into %s\n", path);
		return 1;
	}
	int sig = 0, value;
	for (int i = 0; i < 1000 && !sig; i++) { /* the flusher arms the timers */
		usleep(1000);
		lot_sampler_signal(&sig, &value);
	}
	if (!sig) {
		fprintf(stderr, "bench_sample: no CPU sampling\n");
		return 1;
	}
	static const struct {
		const char *metric, *who;
		bool probe;
	} kinds[] = {
		{"sample_d16", "a thread that called a probe", true},
		{"sample_d16_unprobed", "a thread that never called a probe", false},
	};
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		uint64_t *t = malloc(ROUNDS * sizeof *t);
		struct phase base = {.probe = kinds[k].probe, .value = 0, .ticks = t};
		struct phase full = {.probe = kinds[k].probe, .value = 1, .ticks = t};
		double bmed, bp99, med, p99;
		measure(&base, ci.freq_hz, &bmed, &bp99);
		measure(&full, ci.freq_hz, &med, &p99);
		free(t);
		char what[200], metric[48];
		snprintf(what, sizeof what, "one sample 16 frames deep: signal queued, delivered, "
			 "handled (walk, write), returned; %s; median", kinds[k].who);
		bench_emit(&(struct bench_result){
			.bench = "sample", .metric = kinds[k].metric, .what = what, .unit = "ns",
			.value = med, .base = "the same signal ignored by the handler (delivery alone)",
			.base_value = bmed, .target = k ? NULL : "<= 2000"});
		snprintf(metric, sizeof metric, "%s_p99", kinds[k].metric);
		snprintf(what, sizeof what, "the same, 99th percentile; %s", kinds[k].who);
		bench_emit(&(struct bench_result){
			.bench = "sample", .metric = metric, .what = what, .unit = "ns", .value = p99,
			.base = "the same signal ignored by the handler (delivery alone)",
			.base_value = bp99});
	}
	uint64_t recorded = lot_sampler_recorded();
	lot_stop();
	unlink(path);
	printf("{\"note\":\"%llu samples recorded in all (2 x %d queued with the session's value, "
	       "plus the real timer's at 1 Hz).\"}\n", (unsigned long long)recorded, ROUNDS);
	return 0;
}
