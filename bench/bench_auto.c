/*
 * The interposer's per-call cost (bench/auto runs this plain program with
 * and without liblotrace-auto.so preloaded, and compares).  No lotrace in
 * it: what it calls is what the interposer wraps.
 *
 *   mutex_pair   pthread_mutex_lock + unlock, uncontended (trylock path)
 *   read_eagain  read() of an empty O_NONBLOCK pipe: returns EAGAIN at once
 *                (the timed path: two clock reads around the system call);
 *                with LOTRACE_AUTO_MIN_BLOCK=0 every call is recorded as a
 *                block (block, stack, resume): the recording's cost, with
 *                frame pointers or LOTRACE_UNWIND=dwarf
 *
 * An idle second thread makes the process multi-threaded from the start,
 * as a server is and as tracing makes it (the flusher): glibc's locks skip
 * their atomic instructions while a process has one thread, which would
 * otherwise be counted as the interposer's cost.
 *
 * Prints {"metric": ..., "value": ns per call} per line; the fastest of
 * three passes of each loop.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <stdlib.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int pfd[2];

static void mutex_pair(long n)
{
	for (long i = 0; i < n; i++) {
		pthread_mutex_lock(&m);
		pthread_mutex_unlock(&m);
	}
}

static void read_eagain(long n)
{
	char c;
	for (long i = 0; i < n; i++)
		if (read(pfd[0], &c, 1) != -1)
			return;
}

/* A few frames deep, as in a real program. */
__attribute__((noinline)) static void deep(int d, void (*fn)(long), long n)
{
	if (d)
		deep(d - 1, fn, n);
	else
		fn(n);
	__asm__ __volatile__("" ::: "memory");
}

static void measure(const char *metric, void (*fn)(long), long n)
{
	double best = 1e18;
	for (int pass = 0; pass < 3; pass++) {
		uint64_t t = now_ns();
		deep(8, fn, n);
		double ns = (double)(now_ns() - t) / (double)n;
		if (ns < best)
			best = ns;
	}
	printf("{\"metric\":\"%s\",\"value\":%.2f}\n", metric, best);
}

static void *idle(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th;
	if (pthread_create(&th, NULL, idle, NULL))
		return 1;
	long scale = argc > 1 ? atol(argv[1]) : 1;
	if (pipe2(pfd, O_NONBLOCK))
		return 1;
	measure("mutex_pair", mutex_pair, 5000000 * scale);
	measure("read_eagain", read_eagain, 500000 * scale);
	return 0;
}
