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
	/* signals interrupt sleep(): sleep until the deadline */
	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += seconds;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &end, NULL))
		;
	return 0;
}
