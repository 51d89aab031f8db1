/*
 * DWARF unwinding (LOTRACE_UNWIND=dwarf): for programs built without frame
 * pointers, where the frame-pointer walk stops after a frame or two, block
 * stacks come from the .eh_frame unwind tables through libunwind's
 * unw_backtrace.  Slower (bench/bench_auto measures it), and used only for
 * blocks, which are rare next to the calls that do not block.
 */
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "tracer/auto/auto.h"

size_t auto_unwind(uint64_t *pcs, size_t max, unsigned skip)
{
	void *ips[160];
	int n = unw_backtrace(ips, (int)(sizeof ips / sizeof ips[0]));
	size_t k = 0;
	/* ips[0] is in this function, the first of the `skip` */
	for (int i = (int)skip; i < n && k < max; i++)
		pcs[k++] = (uint64_t)(uintptr_t)ips[i];
	return k;
}
