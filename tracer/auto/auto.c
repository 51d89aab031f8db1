/*
 * What every part of the interposer uses: the real functions behind the
 * wrappers, the per-thread state, its settings (set at load by init.c) and
 * the slow path of a block.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "tracer/auto/auto.h"

struct auto_real auto_real;
__thread struct auto_thread auto_self __attribute__((tls_model("initial-exec")));
uint64_t auto_min_block_ns = 10000;
bool auto_dwarf;
_Atomic unsigned auto_name_gen; /* bumped by threads.c, read by every block */

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

void auto_block_slow(const char *reason, const char *detail, uint64_t t0)
{
	uint64_t pcs[128];
	/* auto_unwind, this function and the wrapper are the interposer's */
	size_t n = auto_unwind(pcs, sizeof pcs / sizeof pcs[0], 3);
	struct lot_auto_block b = {.reason = reason, .detail = detail, .t0 = t0, .pcs = pcs,
				   .n_pcs = n};
	lot__auto_block(&b);
}
