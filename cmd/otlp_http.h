/*
 * OTLP/HTTP for `lotrace export --otlp URL`: one POST of an
 * ExportTraceServiceRequest (Content-Type application/x-protobuf) per batch,
 * over plain HTTP/1.1 on a socket.  https is refused (no TLS library here):
 * put a collector on the host, or an HTTP proxy, in between.
 *
 * Retries as the OTLP specification says: 429, 502, 503 and 504 (and a
 * connection that fails) are retried with exponential backoff, honouring the
 * response's Retry-After (seconds) when it gives one; any other status is a
 * failure at once.  After OTLP_HTTP_ATTEMPTS attempts the endpoint is down.
 */
#ifndef LOT_CMD_OTLP_HTTP_H
#define LOT_CMD_OTLP_HTTP_H

#include <stddef.h>

#define OTLP_HTTP_ATTEMPTS 6
#define OTLP_HTTP_BACKOFF_MS 100   /* the first wait; doubles, at most OTLP_HTTP_BACKOFF_MAX_MS */
#define OTLP_HTTP_BACKOFF_MAX_MS 5000
#define OTLP_HTTP_RETRY_AFTER_MAX_S 60

/* Check URL ("http://host[:port][/path]"; no path: /v1/traces).  0, or -1
 * with the reason in err. */
int otlp_http_check(const char *url, char *err, size_t n);

/* POST body to URL; 0 once the endpoint answered 2xx, else -1 after
 * printing "lotrace export: URL: why" (the last status or error). */
int otlp_http_post(const char *url, const void *body, size_t len);

#endif
