/*
 * One request, on a worker, with its task current: the span tree
 *
 *   http.request          root, or child of the incoming traceparent
 *     cache.lookup        the shared cache; its lock is sometimes contended
 *     db.query            a blocking call to the downstream (db.c)
 *     render              building and hashing the body (CPU)
 *
 * and the response, which carries the server's own traceparent (this
 * request's span) whether tracing is on or not.
 */
#include "httpd.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* Write the iovecs out; a full socket buffer blocks the task on "send". */
static bool send_all(int fd, struct iovec *iov, int n)
{
	while (n) {
		struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)n};
		ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			lot_task_block("send");
			int r = poll(&p, 1, 5000);
			lot_task_unblock(lot_task_current()); /* woken by the kernel */
			if (r <= 0)
				return false;
			continue;
		}
		if (w <= 0)
			return false;
		size_t left = (size_t)w; /* skip what was written */
		while (n && left >= iov->iov_len) {
			left -= iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (char *)iov->iov_base + left;
			iov->iov_len -= left;
		}
	}
	return true;
}

static uint64_t request_key(const char *target)
{
	return hash_bytes(target, strlen(target), 0);
}

void handle_request(struct conn *c, unsigned worker, char *body)
{
	const struct httpd_config *cfg = &httpd_cfg;
	struct http_request *rq = &c->req;
	lot_span req = lot_span_begin("http.request", rq->has_traceparent ? &rq->remote_parent : NULL);
	lot_span_attr_str(&req, "http.method", rq->method);
	lot_span_attr_str(&req, "http.target", rq->target);
	lot_span_attr_int(&req, "queue.wait_us", (int64_t)((now_ns() - c->queued_ns) / 1000));
	char traceparent[LOT_TRACEPARENT_LEN + 1];
	bool have_tp = lot_traceparent_format(&req, traceparent) == 0;

	uint64_t key = request_key(rq->target);
	char fragment[128];
	{
		LOT_SPAN_SCOPED(span, "cache.lookup");
		if (cache_get(worker, key, fragment, sizeof fragment))
			lot_span_attr_int(&span, "cache.rebuilt", 1);
	}

	int64_t answer;
	{
		LOT_SPAN_SCOPED(span, "db.query");
		/* one query in db_slow_every is slow: the tail the demo finds */
		static _Thread_local uint64_t rng = 0x9e3779b97f4a7c15ull;
		rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
		bool slow = cfg->db_slow_every && rng % cfg->db_slow_every == 0;
		answer = db_query(worker, &span, key, slow);
		lot_span_attr_int(&span, "db.slow", slow);
	}

	uint64_t etag;
	{
		LOT_SPAN_SCOPED(span, "render");
		etag = render_page(body, cfg->body_bytes, rq->target, fragment, answer,
				   cfg->render_rounds);
	}

	bool head_only = strcmp(rq->method, "HEAD") == 0;
	char head[512];
	size_t hn = http_format_head(head, sizeof head, 200, cfg->body_bytes,
				     have_tp ? traceparent : NULL, etag, rq->keep_alive);
	struct iovec iov[2] = {{head, hn}, {body, cfg->body_bytes}};
	bool ok = send_all(c->fd, iov, head_only ? 1 : 2);
	lot_span_attr_int(&req, "http.status_code", 200);
	lot_span_end(&req);
	server_release(c, ok && rq->keep_alive);
}
