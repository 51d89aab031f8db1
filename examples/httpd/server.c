/*
 * The io thread: one epoll loop that accepts connections, reads requests and
 * hands each complete one to the worker pool as a task.
 *
 * Sockets are registered EPOLLONESHOT: after an event the io thread alone
 * owns the connection until it re-arms it, and while a request is in flight
 * the worker owns it (server_release() gives it back).  SIGINT and SIGTERM
 * arrive through a signalfd in the same loop, so shutdown is an ordinary
 * return from main() (and liblotrace completes the trace at exit).
 */
#include "httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define EV_LISTEN ((void *)1)
#define EV_SIGNAL ((void *)2)
#define EV_RETURN ((void *)3)

static int epfd = -1, returnfd = -1;
static _Atomic bool stopping; /* from shutdown on, finished connections close */
static uint64_t io_task; /* this thread's own task, current between requests */

/* Every open connection (freed at shutdown); workers close connections too. */
static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn *conns;
/* Connections handed back with a pipelined request already buffered. */
static struct conn *returned;

static void conn_link(struct conn *c)
{
	pthread_mutex_lock(&conns_lock);
	c->next = conns;
	if (conns)
		conns->prev = c;
	conns = c;
	pthread_mutex_unlock(&conns_lock);
}

static void conn_close(struct conn *c)
{
	pthread_mutex_lock(&conns_lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&conns_lock);
	close(c->fd); /* also removes it from the epoll set */
	free(c);
}

static void conn_arm(struct conn *c)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data.ptr = c};
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0)
		conn_close(c);
}

/* A request that never reaches a worker: answer here and close. */
static void reply_error(struct conn *c, int status)
{
	char head[256];
	size_t n = http_format_head(head, sizeof head, status, 0, NULL, 0, false);
	if (send(c->fd, head, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* closing anyway */
	}
	conn_close(c);
}

/*
 * A complete request: it becomes a task.  The task is created here, where
 * the request is born (so its parent is the io thread's task), and blocked
 * on "queue" until a worker takes it: block applies to the task current on
 * this thread, so the request runs here for that one event and the io
 * thread's own task becomes current again.
 */
static void dispatch(struct conn *c)
{
	c->task = lot_task_create("http.request");
	lot_task_start(c->task);
	lot_task_block("queue");
	lot_task_start(io_task);
	c->queued_ns = now_ns();
	pool_submit(c);
}

/* Parse what is buffered: dispatch a whole request, or wait for more. */
static void conn_process(struct conn *c)
{
	enum http_parse r = http_parse_request(c->buf, c->len, &c->req);
	if (r == HTTP_OK)
		dispatch(c);
	else if (r == HTTP_INCOMPLETE)
		conn_arm(c);
	else
		reply_error(c, (int)r);
}

static void conn_readable(struct conn *c)
{
	(void)atomic_load_explicit(&c->handoff, memory_order_acquire);
	ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		conn_close(c);
		return;
	}
	if (n > 0)
		c->len += (size_t)n;
	conn_process(c);
}

void server_release(struct conn *c, bool keep_alive)
{
	if (!keep_alive || stopping) {
		conn_close(c);
		return;
	}
	memmove(c->buf, c->buf + c->req.consumed, c->len - c->req.consumed);
	c->len -= c->req.consumed;
	if (c->len == 0) {
		atomic_fetch_add_explicit(&c->handoff, 1, memory_order_release);
		conn_arm(c); /* the usual case: wait for the next request */
		return;
	}
	/* pipelined: the next request is already here, epoll will not say so */
	pthread_mutex_lock(&conns_lock);
	c->next_pending = returned;
	returned = c;
	pthread_mutex_unlock(&conns_lock);
	uint64_t one = 1;
	if (write(returnfd, &one, sizeof one) < 0)
		perror("httpd: eventfd");
}

static void drain_returned(void)
{
	uint64_t n;
	if (read(returnfd, &n, sizeof n) < 0 && errno != EAGAIN)
		perror("httpd: eventfd");
	pthread_mutex_lock(&conns_lock);
	struct conn *list = returned;
	returned = NULL;
	pthread_mutex_unlock(&conns_lock);
	while (list) {
		struct conn *c = list;
		list = c->next_pending;
		conn_process(c);
	}
}

static void accept_all(int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				perror("httpd: accept");
			return;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		struct conn *c = calloc(1, sizeof *c);
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		conn_link(c);
		struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data.ptr = c};
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
			conn_close(c);
	}
}

static int listen_on(const struct httpd_config *cfg)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port)};
	if (inet_pton(AF_INET, cfg->bind, &a.sin_addr) != 1) {
		fprintf(stderr, "httpd: --bind %s: not an IPv4 address\n", cfg->bind);
		return -1;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 1024) != 0) {
		fprintf(stderr, "httpd: listen on %s:%d: %s\n", cfg->bind, cfg->port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	socklen_t al = sizeof a;
	getsockname(fd, (struct sockaddr *)&a, &al);
	/* One line scripts wait for (tests, the benchmark, the demo). */
	printf("httpd: listening on http://%s:%u/ (pid %d, %u workers)\n", cfg->bind,
	       ntohs(a.sin_port), (int)getpid(), cfg->workers);
	fflush(stdout);
	return fd;
}

static int add_fd(int fd, void *tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = tag};
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int server_run(const struct httpd_config *cfg)
{
	lot_thread_name("io");
	io_task = lot_task_current();
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	int sfd = signalfd(-1, &stop, SFD_CLOEXEC), lfd = listen_on(cfg), rc = 1;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	returnfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (sfd < 0 || lfd < 0 || epfd < 0 || returnfd < 0 || add_fd(lfd, EV_LISTEN) ||
	    add_fd(sfd, EV_SIGNAL) || add_fd(returnfd, EV_RETURN))
		goto out;
	rc = 0;
	for (bool running = true; running;) {
		struct epoll_event evs[64];
		lot_task_block("epoll"); /* waiting for connections and data */
		int n = epoll_wait(epfd, evs, 64, -1);
		lot_task_unblock(lot_task_current()); /* woken by the kernel */
		if (n < 0 && errno != EINTR) {
			perror("httpd: epoll_wait");
			rc = 1;
			break;
		}
		for (int i = 0; i < n; i++) {
			void *tag = evs[i].data.ptr;
			if (tag == EV_LISTEN)
				accept_all(lfd);
			else if (tag == EV_SIGNAL)
				running = false;
			else if (tag == EV_RETURN)
				drain_returned();
			else
				conn_readable(tag);
		}
	}
out:
	if (lfd >= 0)
		close(lfd);
	/* Workers finish what is queued and close their connections. */
	stopping = true;
	pool_stop();
	while (conns)
		conn_close(conns);
	if (sfd >= 0)
		close(sfd);
	if (returnfd >= 0)
		close(returnfd);
	if (epfd >= 0)
		close(epfd);
	return rc;
}
