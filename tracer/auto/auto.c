/*
 * The interposer's setup: the real functions behind the wrappers, its own
 * settings (LOTRACE_AUTO_MIN_BLOCK, LOTRACE_UNWIND, doc/ENVIRONMENT.md),
 * and the main thread's thread_begin when tracing is on at load.
 * liblotrace's own constructor has run before this one (a library's
 * dependencies are initialised first) and started tracing if LOTRACE_*
 * say so.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracer/auto/auto.h"

struct auto_real auto_real;
__thread struct auto_thread auto_self __attribute__((tls_model("initial-exec")));
uint64_t auto_min_block_ns = 10000;
bool auto_dwarf;

/* The version programs link for the functions glibc has two of
 * (pthread_cond_* before 2.3.2): dlsym might return the old one. */
static void *find(const char *name)
{
	static const char *const cond[] = {"pthread_cond_wait", "pthread_cond_timedwait",
					   "pthread_cond_signal", "pthread_cond_broadcast"};
	for (size_t i = 0; i < sizeof cond / sizeof cond[0]; i++)
		if (!strcmp(name, cond[i])) {
#if defined(__x86_64__)
			void *p = dlvsym(RTLD_NEXT, name, "GLIBC_2.3.2");
			if (p)
				return p;
#endif
			break;
		}
	return dlsym(RTLD_NEXT, name);
}

void auto_resolve(void)
{
#define AUTO_FIND(ret, name, args) \
	if (!auto_real.name)       \
		*(void **)&auto_real.name = find(#name);
	AUTO_REAL_FUNCS(AUTO_FIND)
#undef AUTO_FIND
}

void auto_fmt_duration(char *out, size_t cap, const char *prefix, int64_t ns)
{
	if (ns < 0)
		snprintf(out, cap, "%sforever", prefix);
	else if (ns >= 1000000000 && ns % 1000000000 == 0)
		snprintf(out, cap, "%s%llds", prefix, (long long)(ns / 1000000000));
	else if (ns >= 1000000)
		snprintf(out, cap, "%s%.3gms", prefix, (double)ns / 1e6);
	else
		snprintf(out, cap, "%s%.3gus", prefix, (double)ns / 1e3);
}

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

void auto_block_slow(const char *reason, const char *detail, uint64_t t0)
{
	uint64_t pcs[128];
	/* auto_unwind, this function and the wrapper are the interposer's */
	size_t n = auto_unwind(pcs, sizeof pcs / sizeof pcs[0], 3);
	struct lot_auto_block b = {.reason = reason, .detail = detail, .t0 = t0, .pcs = pcs,
				   .n_pcs = n};
	lot__auto_block(&b);
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
