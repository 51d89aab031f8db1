/*
 * A sustained event rate, as a busy server produces it: 2 threads each
 * record 2 million lot_counter() events per second for 10 s (paced: a burst
 * of BURST events, then a busy-wait to the burst's TSC deadline), while the
 * flusher compresses and writes.  Reported for LOTRACE_IO=uring and
 * LOTRACE_IO=pwrite in the same process, one session each:
 *   - events lost (from the trailer; the target is none), and that the file
 *     accounts for every event recorded (written + lost = recorded);
 *   - the CPU time of the writing side per GB written: the process's CPU
 *     (RUSAGE_SELF, which includes threads that have ended, e.g. io_uring
 *     workers) minus the producers' and the main thread's own CPU
 *     (RUSAGE_THREAD): what is left is the flusher and any kernel worker
 *     threads it uses, the cost the traced program pays for writing;
 *   - the rate actually achieved per thread (pacing on a loaded 2-core host
 *     may fall short; the figure says so).
 * LOTBENCH_SUSTAINED_SECS shortens the run (for trying things out); under
 * callgrind (--callgrind) it does nothing: a paced run has no instruction
 * count worth having.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "bench/bench.h"
#include "trace-format/reader.h"
#include "tracer/lotrace.h"

#define THREADS 2
#define RATE 2000000.0 /* events per second per thread */
#define BURST 32       /* events between two deadline checks: 16 us at RATE */

static double tsc_per_ns;

/* The pacing clock: the TSC where there is one (cheap enough to poll). */
static inline uint64_t ticks(void)
{
#if defined(__x86_64__)
	return __rdtsc();
#else
	return bench_ns();
#endif
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__)
	_mm_pause();
#endif
}
static double secs = 10;
static atomic_int go;

struct producer {
	pthread_t th;
	uint64_t events;   /* recorded (probe calls made while tracing) */
	double cpu_s;      /* this thread's CPU (RUSAGE_THREAD) */
	double wall_s;
};

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static double thread_cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	return tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
}

static double process_cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
}

static void calibrate_tsc(void)
{
	uint64_t n0 = bench_ns(), t0 = ticks();
	struct timespec d = {0, 50000000};
	nanosleep(&d, NULL);
	uint64_t n1 = bench_ns(), t1 = ticks();
	tsc_per_ns = (double)(t1 - t0) / (double)(n1 - n0);
}

static void *produce(void *arg)
{
	struct producer *p = arg;
	lot_thread_name("sustained");
	while (!atomic_load_explicit(&go, memory_order_acquire))
		cpu_relax();
	double cpu0 = thread_cpu_s();
	uint64_t start = ticks();
	uint64_t period = (uint64_t)(BURST * 1e9 / RATE * tsc_per_ns);
	uint64_t end = start + (uint64_t)(secs * 1e9 * tsc_per_ns);
	uint64_t deadline = start, i = 0;
	for (;;) {
		for (int k = 0; k < BURST; k++, i++)
			lot_counter("sustained.counter", (int64_t)i);
		deadline += period;
		uint64_t now = ticks();
		if (deadline >= end)
			break;
		if (now > deadline + 1000 * period) /* preempted for a long while: do not
						       catch up at full speed */
			deadline = now;
		while (now < deadline) {
			cpu_relax();
			now = ticks();
		}
	}
	p->events = i;
	p->wall_s = (double)(ticks() - start) / tsc_per_ns / 1e9;
	p->cpu_s = thread_cpu_s() - cpu0;
	return NULL;
}

struct outcome {
	uint64_t recorded, written, lost, bytes;
	double flusher_cpu_s, rate_per_thread;
};

static void session(const char *io, struct outcome *o)
{
	char path[256];
	snprintf(path, sizeof path, "%s/lotbench-sustained-%d-%s.lot",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(), io);
	unlink(path);
	setenv("LOTRACE_IO", io, 1);
	setenv("LOTRACE_STACKS", "0", 1);
	double self0 = process_cpu_s(), main0 = thread_cpu_s();
	int err = lot_start(path);
	if (err) {
		fprintf(stderr, "bench_sustained: lot_start(%s): %s\n", path, strerror(-err));
		exit(1);
	}
	struct producer p[THREADS];
	memset(p, 0, sizeof p);
	atomic_store(&go, 0);
	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&p[i].th, NULL, produce, &p[i])) {
			fprintf(stderr, "bench_sustained: pthread_create failed\n");
			exit(1);
		}
	struct timespec d = {0, 20000000}; /* let both threads reach the start line */
	nanosleep(&d, NULL);
	atomic_store_explicit(&go, 1, memory_order_release);
	for (int i = 0; i < THREADS; i++)
		pthread_join(p[i].th, NULL);
	err = lot_stop();
	if (err) {
		fprintf(stderr, "bench_sustained: lot_stop: %s\n", strerror(-err));
		exit(1);
	}
	double cpu = process_cpu_s() - self0 - (thread_cpu_s() - main0);
	memset(o, 0, sizeof *o);
	double rate = 0;
	for (int i = 0; i < THREADS; i++) {
		cpu -= p[i].cpu_s;
		o->recorded += p[i].events;
		rate += (double)p[i].events / p[i].wall_s / THREADS;
	}
	o->flusher_cpu_s = cpu;
	o->rate_per_thread = rate;
	struct stat st;
	o->bytes = stat(path, &st) ? 0 : (uint64_t)st.st_size;
	struct lot_read_error rerr;
	struct lot_reader *r = lot_reader_open(path, NULL, &rerr);
	if (!r) {
		fprintf(stderr, "bench_sustained: %s: %s\n", path, rerr.message);
		exit(1);
	}
	struct lot_chunk *c;
	while (lot_reader_next_chunk(r, &c) > 0)
		;
	const struct lot_trailer *t = lot_reader_trailer(r);
	for (size_t i = 0; t && i < t->n_threads; i++) {
		if (!strcmp(t->threads[i].name, "sustained")) {
			o->written += t->threads[i].written;
			o->lost += t->threads[i].lost;
		}
	}
	lot_reader_close(r);
	unlink(path);
	if (getenv("LOTBENCH_VERBOSE"))
		fprintf(stderr, "%s: recorded %llu written %llu lost %llu bytes %llu cpu %.3f s rate %.0f/s\n",
			io, (unsigned long long)o->recorded, (unsigned long long)o->written,
			(unsigned long long)o->lost, (unsigned long long)o->bytes, o->flusher_cpu_s,
			o->rate_per_thread);
}

int main(int argc, char **argv)
{
	bench_init(argc, argv);
	if (bench_callgrind)
		return 0;
	if (getenv("LOTBENCH_SUSTAINED_SECS"))
		secs = atof(getenv("LOTBENCH_SUSTAINED_SECS"));
	calibrate_tsc();
	struct outcome u, w;
	session("uring", &u);
	session("pwrite", &w);

	bench_emit(&(struct bench_result){
		.bench = "sustained", .metric = "lost_uring", .unit = "events",
		.what = "events lost, 2 threads x 2 M events/s x 10 s, LOTRACE_IO=uring",
		.value = (double)u.lost, .target = "<= 0"});
	bench_emit(&(struct bench_result){
		.bench = "sustained", .metric = "lost_pwrite", .unit = "events",
		.what = "the same with LOTRACE_IO=pwrite",
		.value = (double)w.lost, .target = "<= 0"});
	bench_emit(&(struct bench_result){
		.bench = "sustained", .metric = "unaccounted", .unit = "events",
		.what = "recorded - (written + lost), both sessions: the loss count is exact",
		/* each producer also records its thread_begin and thread_end */
		.value = (double)(u.recorded + w.recorded + 2 * 2 * THREADS) -
			 (double)(u.written + u.lost + w.written + w.lost),
		.target = "<= 0"});
	bench_emit(&(struct bench_result){
		.bench = "sustained", .metric = "writer_cpu_per_gb_uring", .unit = "CPU s/GB",
		.what = "CPU of the flusher side (process - producers - main thread) per GB of "
			"file written, uring",
		.value = u.bytes ? u.flusher_cpu_s / ((double)u.bytes / 1e9) : 0,
		.base = "the same with pwrite",
		.base_value = w.bytes ? w.flusher_cpu_s / ((double)w.bytes / 1e9) : 0});
	bench_emit(&(struct bench_result){
		.bench = "sustained", .metric = "writer_cpu_per_gb_pwrite", .unit = "CPU s/GB",
		.what = "the same, pwrite",
		.value = w.bytes ? w.flusher_cpu_s / ((double)w.bytes / 1e9) : 0});
	bench_emit(&(struct bench_result){
		.bench = "sustained", .metric = "rate_per_thread", .unit = "M events/s",
		.what = "rate achieved per producer thread (uring session; target pace 2 M/s)",
		.value = u.rate_per_thread / 1e6});
	bench_emit(&(struct bench_result){
		.bench = "sustained", .metric = "bytes_per_event", .unit = "B/event",
		.what = "file bytes per event written (uring session)",
		.value = u.written ? (double)u.bytes / (double)u.written : 0});
	return 0;
}
