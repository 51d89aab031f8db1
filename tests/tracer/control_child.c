/* Run by test_control (not a test itself): an idle-but-instrumented
 * program.  A worker records an instant every millisecond; main sleeps for
 * argv[1] seconds (default 30) and returns.  The environment decides the
 * rest (LOTRACE_SIGNAL, LOTRACE_MODE, ...). */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "tracer/lotrace.h"

static void *worker(void *arg)
{
	(void)arg;
	lot_thread_name("ticker");
	for (int64_t i = 0;; i++) {
		lot_counter("tick", i);
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 30;
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	/* Signals interrupt sleep(): sleep in short slices up to the deadline
	 * (short also because ThreadSanitizer runs a handler only when the
	 * thread the signal hit next enters the runtime). */
	struct timespec now, end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += seconds;
	do {
		nanosleep(&(struct timespec){0, 10000000}, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec < end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
	return 0;
}
