/*
 * httpd: a small HTTP/1.1 server instrumented with lotrace, the way we tell
 * users to instrument theirs (doc/GUIDE.md walks through it).
 *
 * Threads:
 *   io       (main thread) epoll: accepts, reads and parses requests
 *            (server.c); each request becomes a task, blocked on "queue"
 *            until a worker takes it.
 *   worker-N the pool (pool.c): runs a request's task, inside spans
 *            (handler.c): the shared cache (cache.c), the downstream
 *            database (db.c), the page render (render.c); writes the response.
 *   db       the simulated downstream (db.c): answers each query over a
 *            socket after a delay, occasionally a long one.
 *
 * Ownership of a connection: the io thread while it reads one request; the
 * worker from dispatch until it has written the response; then the io thread
 * again (the worker re-arms the socket in epoll, or hands it back when bytes
 * of a pipelined request are already buffered, or closes it).
 */
#ifndef HTTPD_H
#define HTTPD_H

#include <lotrace.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct httpd_config {
	const char *bind;        /* IPv4 address to listen on */
	int port;                /* 0: any free port (printed) */
	unsigned workers;        /* worker threads */
	unsigned db_delay_us;    /* usual downstream answer time */
	unsigned db_slow_us;     /* the occasional slow answer */
	unsigned db_slow_every;  /* one query in N is slow (0: never) */
	unsigned body_bytes;     /* response body size */
	unsigned render_rounds;  /* hash passes over the body */
	unsigned cache_ttl_ms;   /* cache entries are rebuilt this often */
	unsigned cache_work_kb;  /* CPU work of one rebuild, under the lock */
	const char *trace;       /* lot_start() to this file at startup */
};
extern struct httpd_config httpd_cfg; /* main.c: set once before threads start */

/* ---- http.c: parsing and formatting ---- */

#define HTTP_BUF 8192     /* bytes of one connection's request buffer */
#define HTTP_TARGET 256   /* longest request target kept */

struct http_request {
	char method[8];
	char target[HTTP_TARGET];
	bool keep_alive;
	bool has_traceparent;
	lot_span remote_parent; /* from the traceparent header */
	size_t consumed;        /* bytes of the buffer this request used */
};

enum http_parse {
	HTTP_INCOMPLETE = 0,
	HTTP_OK = 200,
	HTTP_BAD_REQUEST = 400,
	HTTP_TOO_LARGE = 413,
	HTTP_HEADERS_TOO_LARGE = 431,
};

/* Parse one request at the start of buf[0..len). */
enum http_parse http_parse_request(const char *buf, size_t len, struct http_request *req);
/* The status line and headers of a response into out; its length, or 0 if
 * out is too small.  traceparent may be NULL. */
size_t http_format_head(char *out, size_t cap, int status, size_t content_length,
			const char *traceparent, uint64_t etag, bool keep_alive);
const char *http_reason(int status);

/* ---- server.c: the io thread ---- */

struct conn {
	int fd;
	uint64_t task;           /* the request's task while one is in flight */
	uint64_t queued_ns;      /* when it was queued (CLOCK_MONOTONIC) */
	struct http_request req; /* the request in flight */
	size_t len;              /* bytes in buf */
	/* Release-stored by a worker before it re-arms the socket, acquire-
	 * loaded by the io thread on the next event: epoll orders the two in
	 * the kernel, this says so to the compiler and to ThreadSanitizer. */
	_Atomic unsigned handoff;
	struct conn *next_pending; /* pool queue link */
	struct conn *prev, *next;  /* the server's list of connections */
	char buf[HTTP_BUF];
};

/* Run the io thread's loop on the calling thread until SIGINT or SIGTERM. */
int server_run(const struct httpd_config *cfg);
/* A worker is done with c's request: hand the connection back. */
void server_release(struct conn *c, bool keep_alive);

/* ---- pool.c: the worker threads and their queue ---- */

int pool_start(const struct httpd_config *cfg);
/* Queue c's request (its task is blocked on "queue"); io thread only. */
void pool_submit(struct conn *c);
/* Let the workers finish what is queued, then join them. */
void pool_stop(void);

/* ---- handler.c: one request, on a worker ---- */

/* body: the worker's buffer of cfg->body_bytes */
void handle_request(struct conn *c, unsigned worker, char *body);

/* ---- db.c: the simulated downstream ---- */

int db_start(const struct httpd_config *cfg);
void db_stop(void);
/* Ask the downstream on behalf of worker `worker`; blocks until it answers.
 * Returns the answer (a number) or -1 on error. */
int64_t db_query(unsigned worker, const lot_span *span, uint64_t key, bool slow);

/* ---- cache.c: shared, mutex-protected ---- */

int cache_init(const struct httpd_config *cfg);
void cache_destroy(void);
/* The cached fragment for key, rebuilt under the lock when expired; copied
 * into out (NUL-terminated).  Returns true when this call rebuilt it. */
bool cache_get(unsigned worker, uint64_t key, char *out, size_t cap);

/* ---- render.c: the page ---- */

/* Build a body of cap bytes from the request and hash it `rounds` times;
 * returns the hash (the ETag). */
uint64_t render_page(char *body, size_t cap, const char *target, const char *fragment,
		     int64_t db_answer, unsigned rounds);

/* ---- util ---- */

uint64_t now_ns(void);
uint64_t hash_bytes(const void *p, size_t n, uint64_t seed);

#endif
