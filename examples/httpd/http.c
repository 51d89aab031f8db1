/*
 * HTTP/1.1 just enough for a benchmark server: the request line, the
 * Connection, Content-Length and traceparent headers (a body is skipped),
 * and a response head.  Pipelined requests are parsed one at a time.
 */
#include "httpd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 413: return "Content Too Large";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

/* The header's value with surrounding blanks removed, or NULL when the line
 * `line[0..n)` is not header `name`. */
static const char *header_value(const char *line, size_t n, const char *name, size_t *vlen)
{
	size_t nl = strlen(name);
	if (n <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0)
		return NULL;
	const char *v = line + nl + 1, *end = line + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*vlen = (size_t)(end - v);
	return v;
}

static bool has_token(const char *v, size_t n, const char *token)
{
	size_t tl = strlen(token);
	for (size_t i = 0; i + tl <= n; i++)
		if (strncasecmp(v + i, token, tl) == 0)
			return true;
	return false;
}

enum http_parse http_parse_request(const char *buf, size_t len, struct http_request *req)
{
	const char *end = memmem(buf, len, "\r\n\r\n", 4);
	if (!end)
		return len >= HTTP_BUF ? HTTP_HEADERS_TOO_LARGE : HTTP_INCOMPLETE;
	size_t head = (size_t)(end - buf) + 4;
	memset(req, 0, sizeof *req);

	/* request line: METHOD SP target SP HTTP/1.x */
	const char *eol = memchr(buf, '\r', head);
	const char *sp1 = memchr(buf, ' ', (size_t)(eol - buf));
	if (!sp1 || sp1 == buf || (size_t)(sp1 - buf) >= sizeof req->method)
		return HTTP_BAD_REQUEST;
	const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (!sp2 || sp2 == sp1 + 1 || eol - sp2 != 9 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0)
		return HTTP_BAD_REQUEST;
	memcpy(req->method, buf, (size_t)(sp1 - buf));
	size_t tl = (size_t)(sp2 - sp1 - 1);
	if (tl >= sizeof req->target)
		tl = sizeof req->target - 1; /* kept for display only */
	memcpy(req->target, sp1 + 1, tl);
	bool http11 = sp2[8] == '1';
	req->keep_alive = http11;

	size_t body = 0;
	for (const char *line = eol + 2; line < end;) {
		const char *le = memmem(line, (size_t)(end + 2 - line), "\r\n", 2);
		size_t n = (size_t)(le - line), vl;
		const char *v;
		if ((v = header_value(line, n, "connection", &vl))) {
			if (has_token(v, vl, "close"))
				req->keep_alive = false;
			else if (has_token(v, vl, "keep-alive"))
				req->keep_alive = true;
		} else if ((v = header_value(line, n, "content-length", &vl))) {
			char num[24];
			if (vl == 0 || vl >= sizeof num || strspn(v, "0123456789") < vl)
				return HTTP_BAD_REQUEST;
			memcpy(num, v, vl);
			num[vl] = 0;
			body = strtoull(num, NULL, 10);
		} else if ((v = header_value(line, n, "traceparent", &vl))) {
			/* W3C: an invalid traceparent is ignored (a new trace starts) */
			char tp[LOT_TRACEPARENT_LEN + 64];
			if (vl < sizeof tp) {
				memcpy(tp, v, vl);
				tp[vl] = 0;
				req->has_traceparent = lot_traceparent_parse(tp, &req->remote_parent) == 0;
			}
		}
		line = le + 2;
	}
	if (body > HTTP_BUF - head)
		return HTTP_TOO_LARGE;
	if (len < head + body)
		return HTTP_INCOMPLETE;
	req->consumed = head + body;
	return HTTP_OK;
}

size_t http_format_head(char *out, size_t cap, int status, size_t content_length,
			const char *traceparent, uint64_t etag, bool keep_alive)
{
	int n = snprintf(out, cap,
			 "HTTP/1.1 %d %s\r\n"
			 "Server: lotrace-httpd\r\n"
			 "Content-Type: text/html; charset=utf-8\r\n"
			 "Content-Length: %zu\r\n"
			 "%s%s%s"
			 "ETag: \"%016llx\"\r\n"
			 "Connection: %s\r\n\r\n",
			 status, http_reason(status), content_length,
			 traceparent ? "traceparent: " : "", traceparent ? traceparent : "",
			 traceparent ? "\r\n" : "", (unsigned long long)etag,
			 keep_alive ? "keep-alive" : "close");
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}
