/*
 * Records a small story for the timeline and export tests (not a test
 * itself): `story_prog OUT.lot`.
 *
 *  - "main" creates task "request", hands it to "worker" through a queue and
 *    unblocks it (a cross-thread unblock: a flow from waker to wakee);
 *  - the worker runs it: span "handle" with a nested "parse", attributes of
 *    both kinds, a block on "io" ended by main, an instant and a counter;
 *  - span "handoff" begins on main and ends on the worker (crosses threads);
 *  - spans "a" and "b" overlap on main without nesting.
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "tracer/lotrace.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int stage;
static uint64_t request, worker_task;
static lot_span handoff;

static void pause_us(long us)
{
	struct timespec ts = {0, us * 1000};
	nanosleep(&ts, NULL);
}

static void wait_stage(int s)
{
	pthread_mutex_lock(&mu);
	while (stage < s)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
}

static void set_stage(int s)
{
	pthread_mutex_lock(&mu);
	stage = s;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static void *worker(void *arg)
{
	(void)arg;
	lot_thread_name("worker");
	worker_task = lot_task_current();
	set_stage(1);
	wait_stage(2);
	lot_task_start(request);
	lot_span_end(&handoff);
	{
		LOT_SPAN_SCOPED(handle, "handle");
		lot_span_attr_str(&handle, "path", "/index \"quoted\"");
		lot_span_attr_int(&handle, "bytes", 512);
		{
			LOT_SPAN_SCOPED(parse, "parse");
			pause_us(300);
		}
		lot_instant("parsed");
		lot_counter("queue_depth", 3);
		set_stage(3);
		lot_task_block("io");
		wait_stage(4);
		pause_us(300);
	}
	lot_counter("queue_depth", 0);
	lot_task_end();
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: story_prog OUT.lot\n");
		return 1;
	}
	if (lot_start(argv[1]) != 0)
		return 1;
	lot_thread_name("main");
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	wait_stage(1);
	request = lot_task_create("request");
	handoff = lot_span_begin("handoff", NULL);
	lot_span a = lot_span_begin("a", NULL);
	pause_us(200);
	lot_span b = lot_span_begin("b", NULL);
	pause_us(200);
	lot_span_end(&a);
	pause_us(200);
	lot_span_end(&b);
	lot_task_unblock(request);
	set_stage(2);
	wait_stage(3);
	pause_us(500);
	lot_task_unblock(request);
	set_stage(4);
	pthread_join(t, NULL);
	return lot_stop() == 0 ? 0 : 1;
}
