/* The calling thread's stack bounds, for lot_stack_walk (lib/stackwalk.h). */
#include "lib/stackwalk.h"

#include <pthread.h>

int lot_stack_bounds_current(struct lot_stack_bounds *b)
{
	/* For the main thread glibc derives the range from /proc/self/maps and
	 * RLIMIT_STACK; for other threads it is the allocated stack. */
	pthread_attr_t attr;
	int err = pthread_getattr_np(pthread_self(), &attr);
	if (err)
		return -err;
	void *addr;
	size_t size;
	err = pthread_attr_getstack(&attr, &addr, &size);
	pthread_attr_destroy(&attr);
	if (err)
		return -err;
	b->lo = (uintptr_t)addr;
	b->hi = (uintptr_t)addr + size;
	return 0;
}
