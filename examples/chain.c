/*
 * One request through three services: a front end, an API and a back end,
 * each its own process with its own trace, passing the W3C traceparent over
 * HTTP on loopback.  `examples/demo.sh` (the multi-process part) and
 * tests/examples/chain.sh run three of these:
 *
 *   chain back  --port 0 --work-us 300 --disk-us 2000
 *   chain api   --port 0 --next PORT_OF_BACK --work-us 300
 *   chain front --port 0 --next PORT_OF_API --work-us 200
 *
 * Each answers "GET /" with a span named after its role, continuing the
 * caller's trace (traceparent), spends --work-us on the CPU, and, with
 * --next, calls the next service inside a client span ("call <next>") that is
 * blocked on "recv" while it waits, sending that span's traceparent.  The back
 * end also blocks on "disk" for --disk-us (a sleep), the slow part of every
 * request, and every --slow-every'th request three times as long.
 * Workers: --workers threads accept on the one listening socket.
 *
 * It prints "chain ROLE: listening on port P" once ready.  Start it with
 * LOTRACE_SIGNAL=USR2 (a window on `lotrace trigger`) or LOTRACE_START=1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <lotrace.h>

static const char *role = "front";
static int next_port;
static long work_us = 200, disk_us = 0, slow_every = 0;
static int listen_fd;
static atomic_long served;

static void spin_us(long us)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000 < us);
}

/* Read a request or response head (up to the blank line) into buf. */
static ssize_t read_head(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	while (n + 1 < cap) {
		ssize_t r = recv(fd, buf + n, cap - 1 - n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		buf[n] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			break;
	}
	buf[n] = '\0';
	return (ssize_t)n;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Call the next service inside a client span; 0 if it answered 200. */
static int call_next(const lot_span *parent)
{
	static const char *const names[] = {"call api", "call back"};
	lot_span client = lot_span_begin(names[strcmp(role, "front") ? 1 : 0], parent);
	lot_span_attr_int(&client, "net.peer.port", next_port);
	char tp[56], req[256], resp[4096];
	lot_traceparent_format(&client, tp);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)next_port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int ok = -1;
	if (fd >= 0 && !connect(fd, (struct sockaddr *)&a, sizeof a)) {
		int n = snprintf(req, sizeof req,
				 "GET / HTTP/1.1\r\nHost: chain\r\ntraceparent: %s\r\n"
				 "Connection: close\r\n\r\n", tp);
		lot_task_block("recv"); /* before sending: the answer may come at once */
		if (!write_all(fd, req, (size_t)n) && read_head(fd, resp, sizeof resp) > 12 &&
		    !strncmp(resp + 9, "200", 3))
			ok = 0;
		lot_task_unblock(lot_task_current()); /* woken by the kernel */
	}
	if (fd >= 0)
		close(fd);
	lot_span_attr_int(&client, "http.status_code", ok ? 502 : 200);
	lot_span_end(&client);
	return ok;
}

static void serve(int fd)
{
	char head[4096];
	if (read_head(fd, head, sizeof head) <= 0)
		return;
	lot_span remote = {0}, *parent = NULL;
	char *tp = strcasestr(head, "\ntraceparent:");
	if (tp) {
		tp += 13;
		while (*tp == ' ')
			tp++;
		char value[64];
		size_t n = strcspn(tp, "\r\n");
		snprintf(value, sizeof value, "%.*s", (int)(n < 63 ? n : 63), tp);
		if (!lot_traceparent_parse(value, &remote))
			parent = &remote;
	}
	static const char *const names[] = {"GET / (front)", "GET / (api)", "GET / (back)"};
	int r = !strcmp(role, "front") ? 0 : !strcmp(role, "api") ? 1 : 2;
	lot_span span = lot_span_begin(names[r], parent);
	lot_span_attr_str(&span, "http.method", "GET");
	long nth = atomic_fetch_add(&served, 1) + 1;
	spin_us(work_us / 2);
	int status = 200;
	if (next_port && call_next(&span))
		status = 502;
	if (disk_us) {
		long us = slow_every && nth % slow_every == 0 ? 3 * disk_us : disk_us;
		struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = us % 1000000 * 1000};
		lot_task_block("disk");
		nanosleep(&ts, NULL);
		lot_task_unblock(lot_task_current());
	}
	spin_us(work_us / 2);
	lot_span_attr_int(&span, "http.status_code", status);
	char tps[56], resp[256];
	lot_traceparent_format(&span, tps);
	int n = snprintf(resp, sizeof resp,
			 "HTTP/1.1 %d %s\r\nContent-Length: 0\r\ntraceparent: %s\r\n"
			 "Connection: close\r\n\r\n",
			 status, status == 200 ? "OK" : "Bad Gateway", tps);
	write_all(fd, resp, (size_t)n);
	lot_span_end(&span);
}

static void *worker(void *arg)
{
	char name[32];
	snprintf(name, sizeof name, "%s-worker-%ld", role, (long)(intptr_t)arg);
	lot_thread_name(name);
	for (;;) {
		lot_task_block("accept");
		int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		lot_task_unblock(lot_task_current());
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL;
		}
		serve(fd);
		close(fd);
	}
}

int main(int argc, char **argv)
{
	int port = 0, workers = 2;
	if (argc < 2) {
		fprintf(stderr, "usage: chain front|api|back [--port P] [--next PORT] [--work-us N]"
				" [--disk-us N] [--slow-every N] [--workers N]\n");
		return 1;
	}
	role = argv[1];
	for (int i = 2; i + 1 < argc; i += 2) {
		long v = strtol(argv[i + 1], NULL, 10);
		if (!strcmp(argv[i], "--port"))
			port = (int)v;
		else if (!strcmp(argv[i], "--next"))
			next_port = (int)v;
		else if (!strcmp(argv[i], "--work-us"))
			work_us = v;
		else if (!strcmp(argv[i], "--disk-us"))
			disk_us = v;
		else if (!strcmp(argv[i], "--slow-every"))
			slow_every = v;
		else if (!strcmp(argv[i], "--workers"))
			workers = (int)v;
	}
	if (strcmp(role, "front") && strcmp(role, "api") && strcmp(role, "back")) {
		fprintf(stderr, "chain: the role is front, api or back\n");
		return 1;
	}
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	if (bind(listen_fd, (struct sockaddr *)&a, sizeof a) || listen(listen_fd, 128) ||
	    getsockname(listen_fd, (struct sockaddr *)&a, &len)) {
		perror("chain: listen");
		return 1;
	}
	/* SIGTERM and SIGINT end it through exit(), so that the recorder's
	 * atexit handler writes the trace's trailer: workers never take them */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	for (long i = 0; i < workers; i++) {
		pthread_t t;
		pthread_create(&t, NULL, worker, (void *)(intptr_t)i);
	}
	printf("chain %s: listening on port %d\n", role, ntohs(a.sin_port));
	fflush(stdout);
	int sig;
	sigwait(&stop, &sig);
	exit(0);
}
