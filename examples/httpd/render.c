/*
 * The page: real CPU work, building a body of the configured size from the
 * request, the cached fragment and the downstream's answer, then hashing it
 * (the ETag) cfg->render_rounds times.
 */
#include "httpd.h"

#include <stdio.h>
#include <string.h>

uint64_t hash_bytes(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *b = p;
	uint64_t h = 1469598103934665603ull ^ seed; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static size_t __attribute__((noinline)) build_body(char *body, size_t cap, const char *target,
						   const char *fragment, int64_t answer)
{
	size_t n = (size_t)snprintf(body, cap, "<!doctype html><html>%s<body><h1>%s</h1><ul>",
				    fragment, target);
	for (unsigned i = 0; n < cap; i++) {
		int w = snprintf(body + n, cap - n + 1, "<li>row %u: %lld</li>\n", i,
				 (long long)(answer * 31 + i));
		if (w < 0)
			break;
		n += (size_t)w;
	}
	if (n > cap)
		n = cap;
	return n;
}

uint64_t render_page(char *body, size_t cap, const char *target, const char *fragment,
		     int64_t db_answer, unsigned rounds)
{
	size_t n = build_body(body, cap, target, fragment, db_answer);
	memset(body + n, ' ', cap - n); /* pad to the exact Content-Length */
	uint64_t h = 0;
	for (unsigned r = 0; r < rounds; r++)
		h = hash_bytes(body, cap, h);
	return h;
}
