/*
 * quickstart: the smallest program that shows what lotrace records.
 *
 * A producer thread creates "request" tasks and hands them to a worker
 * through a queue; the worker runs each one inside spans.  Every hand-off is
 * recorded the way we recommend instrumenting a server:
 *   - the request is a task, created where it is born;
 *   - the worker blocks on "queue" when there is nothing to do, and the
 *     producer records the unblock (so the trace knows who woke whom);
 *   - the work is a span tree under one trace id per request.
 *
 * Run:  LOTRACE_OUTPUT=quickstart.lot ./quickstart [requests]
 */
#include <errno.h>
#include <lotrace.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QUEUE_CAP 16

static struct {
	pthread_mutex_t lock;
	pthread_cond_t nonempty, nonfull;
	uint64_t task[QUEUE_CAP];
	unsigned head, len;
	bool closed;
} queue = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, 0, false};

static uint64_t worker_task; /* the worker thread's own task, for unblocking it */

static void sleep_us(long us)
{
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
	nanosleep(&ts, NULL);
}

/* Real CPU work, so the trace shows running time. */
static uint64_t __attribute__((noinline)) render(unsigned rounds)
{
	uint64_t h = 1469598103934665603ull;
	for (unsigned i = 0; i < rounds * 1000; i++)
		h = (h ^ i) * 1099511628211ull;
	return h;
}

static void handle_request(uint64_t id)
{
	lot_span req = lot_span_begin("request", NULL);
	lot_span_attr_int(&req, "request.id", (int64_t)id);
	{
		LOT_SPAN_SCOPED(db, "db.query");
		lot_task_block("io");
		sleep_us(200 + (id % 5 == 0 ? 2000 : 0)); /* every fifth query is slow */
		lot_task_unblock(lot_task_current());
	}
	{
		LOT_SPAN_SCOPED(r, "render");
		volatile uint64_t sink = render(50);
		(void)sink;
	}
	lot_span_end(&req);
}

static void *worker(void *arg)
{
	(void)arg;
	lot_thread_name("worker");
	worker_task = lot_task_current();
	for (;;) {
		pthread_mutex_lock(&queue.lock);
		while (queue.len == 0 && !queue.closed) {
			lot_task_block("queue");
			pthread_cond_wait(&queue.nonempty, &queue.lock);
		}
		if (queue.len == 0) {
			pthread_mutex_unlock(&queue.lock);
			return NULL;
		}
		uint64_t task = queue.task[queue.head];
		queue.head = (queue.head + 1) % QUEUE_CAP;
		queue.len--;
		pthread_cond_signal(&queue.nonfull);
		pthread_mutex_unlock(&queue.lock);

		lot_task_start(task);
		handle_request(task);
		lot_task_end();
	}
}

int main(int argc, char **argv)
{
	unsigned requests = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 200;
	/* -EBUSY: tracing is on already (LOTRACE_START=1, `lotrace record`) */
	int rc = lot_start(NULL);
	if (rc != 0 && rc != -EBUSY) {
		fprintf(stderr, "quickstart: lot_start: %s\n", strerror(-rc));
		return 1;
	}
	lot_thread_name("producer");
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);

	for (unsigned i = 0; i < requests; i++) {
		uint64_t task = lot_task_create("request");
		pthread_mutex_lock(&queue.lock);
		while (queue.len == QUEUE_CAP)
			pthread_cond_wait(&queue.nonfull, &queue.lock);
		queue.task[(queue.head + queue.len) % QUEUE_CAP] = task;
		queue.len++;
		lot_task_unblock(worker_task); /* the producer wakes the worker */
		pthread_cond_signal(&queue.nonempty);
		pthread_mutex_unlock(&queue.lock);
		lot_counter("queue.depth", queue.len);
		sleep_us(500);
	}
	pthread_mutex_lock(&queue.lock);
	queue.closed = true;
	pthread_cond_broadcast(&queue.nonempty);
	pthread_mutex_unlock(&queue.lock);
	pthread_join(t, NULL);
	lot_instant("done");
	return lot_stop() == 0 ? 0 : 1;
}
