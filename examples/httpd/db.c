/*
 * The simulated downstream: a "database" thread that answers each query
 * after a delay (cfg->db_delay_us, or cfg->db_slow_us for the occasional
 * slow one), like a remote service would.
 *
 * Each worker has its own socket pair to it and at most one query in
 * flight.  The query carries the caller's traceparent, as a request to a
 * real downstream would: the db thread records its own span "db.execute"
 * under it.  When the answer is due, the db thread records the unblock of
 * the waiting request's task (so the trace says who woke it) and replies.
 */
#include "httpd.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

struct query {
	uint64_t task; /* the caller's task, to unblock */
	uint64_t key;
	uint32_t delay_us;
	char traceparent[LOT_TRACEPARENT_LEN + 1]; /* "" when none */
};

struct answer {
	int64_t value;
};

/* One per worker: its socket pair and the query it has in flight. */
struct line {
	int worker_fd, db_fd;
	bool busy;
	uint64_t due_ns;
	struct query q;
	lot_span span; /* db.execute */
};

static struct line *lines;
static unsigned nlines;
static int stopfd = -1, timerfd = -1, epfd = -1;
static pthread_t thread;
static bool started;

#define EV_STOP UINT64_MAX
#define EV_TIMER (UINT64_MAX - 1)

static void arm_timer(void)
{
	uint64_t due = 0;
	for (unsigned i = 0; i < nlines; i++)
		if (lines[i].busy && (!due || lines[i].due_ns < due))
			due = lines[i].due_ns;
	struct itimerspec t = {.it_value = {(time_t)(due / 1000000000), (long)(due % 1000000000)}};
	timerfd_settime(timerfd, TFD_TIMER_ABSTIME, &t, NULL); /* 0: disarmed */
}

static void receive(struct line *l)
{
	ssize_t n = recv(l->db_fd, &l->q, sizeof l->q, 0);
	if (n != (ssize_t)sizeof l->q)
		return;
	lot_span parent;
	bool have = lot_traceparent_parse(l->q.traceparent, &parent) == 0;
	l->span = lot_span_begin("db.execute", have ? &parent : NULL);
	l->busy = true;
	l->due_ns = now_ns() + (uint64_t)l->q.delay_us * 1000;
}

static void answer_due(void)
{
	uint64_t now = now_ns();
	for (unsigned i = 0; i < nlines; i++) {
		struct line *l = &lines[i];
		if (!l->busy || l->due_ns > now)
			continue;
		l->busy = false;
		struct answer a = {(int64_t)(hash_bytes(&l->q.key, sizeof l->q.key, 7) % 100000)};
		lot_span_end(&l->span);
		lot_task_unblock(l->q.task); /* the db thread wakes the request */
		if (send(l->db_fd, &a, sizeof a, MSG_NOSIGNAL) < 0)
			perror("httpd: db reply");
	}
}

static void *db_main(void *arg)
{
	(void)arg;
	lot_thread_name("db");
	for (;;) {
		struct epoll_event evs[16];
		lot_task_block("epoll"); /* waiting for queries: the thread is idle */
		int n = epoll_wait(epfd, evs, 16, -1);
		lot_task_unblock(lot_task_current()); /* woken by the kernel */
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64, x;
			if (tag == EV_STOP)
				return NULL;
			if (tag == EV_TIMER) {
				if (read(timerfd, &x, sizeof x) < 0 && errno != EAGAIN)
					perror("httpd: timerfd");
			} else {
				receive(&lines[tag]);
			}
		}
		answer_due();
		arm_timer();
	}
	return NULL;
}

int64_t db_query(unsigned worker, const lot_span *span, uint64_t key, bool slow)
{
	struct line *l = &lines[worker];
	struct query q = {.task = lot_task_current(), .key = key,
			  .delay_us = slow ? httpd_cfg.db_slow_us : httpd_cfg.db_delay_us};
	if (lot_traceparent_format(span, q.traceparent) != 0)
		q.traceparent[0] = 0;
	struct answer a;
	lot_task_block("db"); /* before sending: the answer may come at once */
	if (send(l->worker_fd, &q, sizeof q, MSG_NOSIGNAL) != (ssize_t)sizeof q ||
	    recv(l->worker_fd, &a, sizeof a, 0) != (ssize_t)sizeof a) {
		lot_task_unblock(lot_task_current());
		return -1;
	}
	return a.value;
}

static int add(int fd, uint64_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int db_start(const struct httpd_config *cfg)
{
	nlines = cfg->workers;
	lines = calloc(nlines, sizeof *lines);
	for (unsigned i = 0; lines && i < nlines; i++)
		lines[i].worker_fd = lines[i].db_fd = -1;
	stopfd = eventfd(0, EFD_CLOEXEC);
	timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!lines || stopfd < 0 || timerfd < 0 || epfd < 0 || add(stopfd, EV_STOP) ||
	    add(timerfd, EV_TIMER))
		goto fail;
	for (unsigned i = 0; i < nlines; i++) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
			goto fail;
		lines[i].worker_fd = sv[0];
		lines[i].db_fd = sv[1];
		if (add(sv[1], i))
			goto fail;
	}
	int e = pthread_create(&thread, NULL, db_main, NULL);
	if (e) {
		errno = e;
		goto fail;
	}
	started = true;
	return 0;
fail:
	perror("httpd: starting the db thread");
	db_stop();
	return -1;
}

void db_stop(void)
{
	if (started) {
		uint64_t one = 1;
		if (write(stopfd, &one, sizeof one) < 0)
			perror("httpd: db stop");
		pthread_join(thread, NULL);
		started = false;
	}
	for (unsigned i = 0; lines && i < nlines; i++) {
		if (lines[i].worker_fd >= 0)
			close(lines[i].worker_fd);
		if (lines[i].db_fd >= 0)
			close(lines[i].db_fd);
	}
	free(lines);
	lines = NULL;
	if (stopfd >= 0)
		close(stopfd);
	if (timerfd >= 0)
		close(timerfd);
	if (epfd >= 0)
		close(epfd);
	stopfd = timerfd = epfd = -1;
}
