/*
 * The worker pool and its queue.
 *
 * A request arriving while a worker is idle goes straight to that worker:
 * the io thread records the unblock of the request's task and of the
 * worker (who woke whom).  Otherwise it waits in the queue, its task
 * blocked on "queue", until a worker finishes its current request; that
 * worker takes it and records the unblock itself.  An idle worker's own
 * task is blocked on "idle".  One lock guards the queue and the idle list.
 */
#include "httpd.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct worker {
	pthread_t thread;
	pthread_cond_t wake;
	unsigned index;
	uint64_t task;           /* the worker thread's own task */
	struct conn *assigned;   /* handed over by pool_submit() */
	struct worker *next_idle;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn *head, *tail; /* queued requests, oldest first */
static struct worker *idle;      /* idle workers, most recent first */
static bool closed;
static struct worker *workers;
static unsigned nworkers;

/* Under the lock: the next request for worker w, waiting idle if there is
 * none; NULL once the pool is closed and the queue empty. */
static struct conn *next_request(struct worker *w)
{
	if (head) {
		struct conn *c = head;
		head = c->next_pending;
		if (!head)
			tail = NULL;
		lot_task_unblock(c->task); /* this worker, now free, takes it */
		return c;
	}
	if (closed)
		return NULL;
	w->next_idle = idle;
	idle = w;
	lot_task_block("idle");
	while (!w->assigned && !closed)
		pthread_cond_wait(&w->wake, &lock);
	struct conn *c = w->assigned;
	w->assigned = NULL;
	return c;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char name[16];
	snprintf(name, sizeof name, "worker-%u", w->index);
	lot_thread_name(name);
	char *body = malloc(httpd_cfg.body_bytes + 1);
	if (!body) {
		perror("httpd: worker buffer");
		exit(1);
	}
	pthread_mutex_lock(&lock);
	w->task = lot_task_current();
	for (struct conn *c; (c = next_request(w));) {
		pthread_mutex_unlock(&lock);
		lot_task_start(c->task); /* the request runs on this thread */
		handle_request(c, w->index, body);
		lot_task_end(); /* the worker's own task is current again */
		pthread_mutex_lock(&lock);
	}
	pthread_mutex_unlock(&lock);
	free(body);
	return NULL;
}

void pool_submit(struct conn *c)
{
	c->next_pending = NULL;
	pthread_mutex_lock(&lock);
	struct worker *w = idle;
	if (w) {
		idle = w->next_idle;
		w->assigned = c;
		lot_task_unblock(c->task);
		lot_task_unblock(w->task);
		pthread_cond_signal(&w->wake);
	} else {
		if (tail)
			tail->next_pending = c;
		else
			head = c;
		tail = c;
	}
	pthread_mutex_unlock(&lock);
}

int pool_start(const struct httpd_config *cfg)
{
	nworkers = cfg->workers;
	workers = calloc(nworkers, sizeof *workers);
	if (!workers)
		return -1;
	for (unsigned i = 0; i < nworkers; i++) {
		workers[i].index = i;
		pthread_cond_init(&workers[i].wake, NULL);
		int e = pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]);
		if (e) {
			fprintf(stderr, "httpd: pthread_create: %s\n", strerror(e));
			nworkers = i;
			pool_stop();
			return -1;
		}
	}
	return 0;
}

void pool_stop(void)
{
	pthread_mutex_lock(&lock);
	closed = true;
	for (struct worker *w = idle; w; w = w->next_idle) {
		lot_task_unblock(w->task);
		pthread_cond_signal(&w->wake);
	}
	idle = NULL;
	pthread_mutex_unlock(&lock);
	for (unsigned i = 0; i < nworkers; i++) {
		pthread_join(workers[i].thread, NULL);
		pthread_cond_destroy(&workers[i].wake);
	}
	free(workers);
	workers = NULL;
	nworkers = 0;
}
