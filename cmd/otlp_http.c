/*
 * OTLP/HTTP export (otlp_http.h): parse the URL, POST, read the status line
 * and Retry-After, back off and retry.  One connection per request
 * ("Connection: close"): batches are large and few, and it keeps the
 * response reading trivial (read until the server closes).
 */
#include "config.h"

#include "cmd/otlp_http.h"

#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cmd/out.h"

struct url {
	char host[256], port[8], path[1024];
};

static int parse(const char *url, struct url *u, char *err, size_t n)
{
	if (!strncmp(url, "https://", 8)) {
		snprintf(err, n, "https is not supported (no TLS here): send to a local collector over http://");
		return -1;
	}
	if (strncmp(url, "http://", 7)) {
		snprintf(err, n, "not an http:// URL");
		return -1;
	}
	const char *h = url + 7, *slash = strchr(h, '/');
	size_t hl = slash ? (size_t)(slash - h) : strlen(h);
	const char *colon = memchr(h, ':', hl);
	size_t namel = colon ? (size_t)(colon - h) : hl;
	if (!namel || namel >= sizeof u->host) {
		snprintf(err, n, "no host");
		return -1;
	}
	memcpy(u->host, h, namel);
	u->host[namel] = '\0';
	if (colon) {
		size_t pl = hl - namel - 1;
		if (!pl || pl >= sizeof u->port || strspn(colon + 1, "0123456789") < pl) {
			snprintf(err, n, "bad port");
			return -1;
		}
		memcpy(u->port, colon + 1, pl);
		u->port[pl] = '\0';
	} else {
		strcpy(u->port, "80");
	}
	/* the base URL of a collector gets the traces path, as OTEL_EXPORTER_OTLP_ENDPOINT does */
	const char *path = slash && strcmp(slash, "/") ? slash : "/v1/traces";
	if (strlen(path) >= sizeof u->path || strpbrk(path, " \r\n")) {
		snprintf(err, n, "bad path");
		return -1;
	}
	strcpy(u->path, path);
	return 0;
}

int otlp_http_check(const char *url, char *err, size_t n)
{
	struct url u;
	return parse(url, &u, err, n);
}

static int connect_to(const struct url *u, char *err, size_t n)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res, *a;
	int rc = getaddrinfo(u->host, u->port, &hints, &res);
	if (rc) {
		snprintf(err, n, "%s: %s", u->host, gai_strerror(rc));
		return -1;
	}
	int fd = -1;
	for (a = res; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		struct timeval tv = {.tv_sec = 10};
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		if (!connect(fd, a->ai_addr, a->ai_addrlen))
			break;
		snprintf(err, n, "connect: %s", strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static int send_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One attempt: the HTTP status (0: no answer, err set); *retry_after seconds or -1. */
static int attempt(const struct url *u, const void *body, size_t len, long *retry_after,
		   char *err, size_t n)
{
	*retry_after = -1;
	int fd = connect_to(u, err, n);
	if (fd < 0)
		return 0;
	char head[1600];
	int hn = snprintf(head, sizeof head,
			  "POST %s HTTP/1.1\r\nHost: %s:%s\r\nUser-Agent: lotrace/" LOT_VERSION
			  "\r\nContent-Type: application/x-protobuf\r\nContent-Length: %zu\r\n"
			  "Connection: close\r\n\r\n",
			  u->path, u->host, u->port, len);
	if (send_all(fd, head, (size_t)hn) || send_all(fd, body, len)) {
		snprintf(err, n, "send: %s", strerror(errno));
		close(fd);
		return 0;
	}
	char resp[8192];
	size_t got = 0;
	for (;;) { /* the head is enough; the body (if any) is not needed */
		ssize_t r = recv(fd, resp + got, sizeof resp - 1 - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
		resp[got] = '\0';
		if (strstr(resp, "\r\n\r\n") || got == sizeof resp - 1)
			break;
	}
	close(fd);
	resp[got] = '\0';
	int status = 0;
	if (sscanf(resp, "HTTP/%*d.%*d %d", &status) != 1 || status < 100) {
		snprintf(err, n, got ? "not an HTTP response" : "no response");
		return 0;
	}
	for (char *line = strstr(resp, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
		if (!strncasecmp(line + 2, "Retry-After:", 12)) {
			char *end;
			long v = strtol(line + 14, &end, 10);
			if (end != line + 14 && v >= 0)
				*retry_after = v;
		}
	}
	char *eol = strstr(resp, "\r\n");
	if (eol)
		*eol = '\0';
	snprintf(err, n, "%.200s", resp);
	return status;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int otlp_http_post(const char *url, const void *body, size_t len)
{
	struct url u;
	char err[300] = "";
	if (parse(url, &u, err, sizeof err)) {
		out_flush();
		fprintf(stderr, "lotrace export: %s: %s\n", url, err);
		return -1;
	}
	long backoff = OTLP_HTTP_BACKOFF_MS;
	for (int i = 1;; i++) {
		long retry_after;
		int st = attempt(&u, body, len, &retry_after, err, sizeof err);
		if (st >= 200 && st < 300)
			return 0;
		bool retry = !st || st == 429 || st == 502 || st == 503 || st == 504;
		if (!retry || i == OTLP_HTTP_ATTEMPTS) {
			out_flush();
			fprintf(stderr, "lotrace export: %s: %s%s\n", url, err,
				retry ? ": the endpoint stays down, giving up" : "");
			return -1;
		}
		long wait = backoff;
		if (retry_after >= 0)
			wait = (retry_after > OTLP_HTTP_RETRY_AFTER_MAX_S ? OTLP_HTTP_RETRY_AFTER_MAX_S
									  : retry_after) * 1000;
		fprintf(stderr, "lotrace export: %s: %s: retrying in %ld ms\n", url, err, wait);
		sleep_ms(wait);
		backoff = backoff * 2 > OTLP_HTTP_BACKOFF_MAX_MS ? OTLP_HTTP_BACKOFF_MAX_MS : backoff * 2;
	}
}
