/*
 * httpd: options, startup and shutdown.  See httpd.h for the threads and
 * doc/GUIDE.md for how the instrumentation is meant to be read.
 *
 * Tracing is controlled the way a production server would leave it: the
 * LOTRACE_* environment (LOTRACE_START=1 traces from the start; the
 * signal and flight-recorder settings arm it without recording), or
 * --trace FILE, which calls lot_start(FILE).  A normal exit completes the
 * trace (liblotrace stops at exit).
 */
#include "httpd.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct httpd_config httpd_cfg = {
	.bind = "127.0.0.1",
	.port = 8080,
	.workers = 4,
	.db_delay_us = 200,
	.db_slow_us = 20000,
	.db_slow_every = 200,
	.body_bytes = 4096,
	.render_rounds = 4,
	.cache_ttl_ms = 50,
	.cache_work_kb = 256,
};

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	const struct httpd_config *d = &httpd_cfg;
	fprintf(f,
		"usage: httpd [options]\n"
		"A small HTTP/1.1 server (epoll io thread, worker pool, a simulated downstream)\n"
		"instrumented with lotrace.  Every GET or HEAD answers a page; the response\n"
		"carries the server's traceparent (child of the request's, if any).\n"
		"\n"
		"  -b, --bind ADDR          IPv4 address to listen on (default %s)\n"
		"  -p, --port N             TCP port; 0 picks a free one (default %d).  The port\n"
		"                           is printed on stdout: \"httpd: listening on http://ADDR:PORT/\"\n"
		"  -w, --workers N          worker threads (default %u)\n"
		"      --db-delay-us N      downstream answer time (default %u)\n"
		"      --db-slow-us N       the occasional slow answer (default %u)\n"
		"      --db-slow-every N    one query in N is slow, 0 never (default %u)\n"
		"      --body-bytes N       response body size (default %u)\n"
		"      --render-rounds N    hash passes over the body (default %u)\n"
		"      --cache-ttl-ms N     cache entries are rebuilt this often (default %u)\n"
		"      --cache-work-kb N    CPU work of a rebuild, under the cache lock (default %u)\n"
		"  -t, --trace FILE         trace from the start into FILE (lot_start)\n"
		"  -h, --help               this text\n"
		"\n"
		"Tracing without --trace: the LOTRACE_* environment, e.g. LOTRACE_START=1\n"
		"LOTRACE_OUTPUT=FILE, or LOTRACE_SIGNAL=USR2 and `lotrace trigger PID --for 3s`.\n"
		"SIGINT or SIGTERM: finish the requests in flight and exit (the trace is completed).\n",
		d->bind, d->port, d->workers, d->db_delay_us, d->db_slow_us, d->db_slow_every,
		d->body_bytes, d->render_rounds, d->cache_ttl_ms, d->cache_work_kb);
}

/* A whole number in [lo, hi], or exit with a message naming the option. */
static unsigned number(const char *opt, const char *s, unsigned long lo, unsigned long hi)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < lo || v > hi) {
		fprintf(stderr, "httpd: --%s %s: expected a number from %lu to %lu\n", opt, s, lo, hi);
		exit(2);
	}
	return (unsigned)v;
}

static void parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{"bind", required_argument, NULL, 'b'},
		{"port", required_argument, NULL, 'p'},
		{"workers", required_argument, NULL, 'w'},
		{"db-delay-us", required_argument, NULL, 1},
		{"db-slow-us", required_argument, NULL, 2},
		{"db-slow-every", required_argument, NULL, 3},
		{"body-bytes", required_argument, NULL, 4},
		{"render-rounds", required_argument, NULL, 5},
		{"cache-ttl-ms", required_argument, NULL, 6},
		{"cache-work-kb", required_argument, NULL, 7},
		{"trace", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct httpd_config *c = &httpd_cfg;
	int o, idx;
	while ((o = getopt_long(argc, argv, "b:p:w:t:h", opts, &idx)) != -1) {
		const char *name = o < 'A' ? opts[idx].name : NULL;
		switch (o) {
		case 'b': c->bind = optarg; break;
		case 'p': c->port = (int)number("port", optarg, 0, 65535); break;
		case 'w': c->workers = number("workers", optarg, 1, 256); break;
		case 1: c->db_delay_us = number(name, optarg, 0, 10000000); break;
		case 2: c->db_slow_us = number(name, optarg, 0, 10000000); break;
		case 3: c->db_slow_every = number(name, optarg, 0, UINT_MAX); break;
		case 4: c->body_bytes = number(name, optarg, 256, 16 << 20); break;
		case 5: c->render_rounds = number(name, optarg, 0, 1000); break;
		case 6: c->cache_ttl_ms = number(name, optarg, 0, 3600000); break;
		case 7: c->cache_work_kb = number(name, optarg, 0, 1 << 20); break;
		case 't': c->trace = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "httpd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	if (httpd_cfg.trace) {
		int e = lot_start(httpd_cfg.trace);
		if (e) {
			fprintf(stderr, "httpd: lot_start(%s): %s\n", httpd_cfg.trace, strerror(-e));
			return 1;
		}
	}
	/* SIGINT and SIGTERM go to the io thread's signalfd: block them in
	 * every thread, before any starts.  SIGPIPE: sends use MSG_NOSIGNAL. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	int rc = 1;
	if (cache_init(&httpd_cfg) == 0 && db_start(&httpd_cfg) == 0) {
		if (pool_start(&httpd_cfg) == 0)
			rc = server_run(&httpd_cfg); /* stops the pool */
		db_stop();
	}
	cache_destroy();
	if (httpd_cfg.trace) {
		int e = lot_stop();
		if (e && e != -EINVAL) {
			fprintf(stderr, "httpd: lot_stop: %s\n", strerror(-e));
			rc = 1;
		}
	}
	return rc;
}
