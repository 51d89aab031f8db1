/*
 * The interposer's load-time setup: the real functions, its own settings
 * (LOTRACE_AUTO_MIN_BLOCK, LOTRACE_UNWIND, doc/ENVIRONMENT.md), and the
 * main thread's thread_begin when tracing is on at load (threads.c).
 * liblotrace's own constructor has run before this one (a library's
 * dependencies are initialised first) and started tracing if LOTRACE_*
 * say so.  Above every other part: none calls it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracer/auto/auto.h"

/* "10us", "2ms", "0": a duration in ns, or -1. */
static int64_t parse_ns(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || errno || *s < '0' || *s > '9')
		return -1;
	uint64_t mul = !strcmp(end, "ns") ? 1 : !strcmp(end, "us") ? 1000 : !strcmp(end, "ms") ? 1000000
		: !strcmp(end, "s") ? 1000000000 : (!*end && v == 0) ? 1 : 0;
	if (!mul || v > 60000000000ull / mul)
		return -1;
	return (int64_t)(v * mul);
}

__attribute__((constructor)) static void auto_init(void)
{
	auto_resolve();
	const char *v = getenv("LOTRACE_AUTO_MIN_BLOCK");
	if (v) {
		int64_t ns = parse_ns(v);
		if (ns < 0)
			fprintf(stderr, "lotrace: LOTRACE_AUTO_MIN_BLOCK=\"%.64s\" rejected: expected a "
				"duration such as 10us or 1ms; using 10us\n", v);
		else
			auto_min_block_ns = (uint64_t)ns;
	}
	v = getenv("LOTRACE_UNWIND");
	if (v && !strcmp(v, "dwarf"))
		auto_dwarf = true;
	else if (v && strcmp(v, "fp"))
		fprintf(stderr, "lotrace: LOTRACE_UNWIND=\"%.64s\" rejected: expected fp or dwarf; "
			"using fp\n", v);
	auto_threads_init();
}
