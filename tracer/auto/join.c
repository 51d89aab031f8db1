/*
 * Joins.  pthread_join (or pthread_timedjoin_np, pthread_clockjoin_np) of a
 * thread that still runs blocks the joiner: a block "join" whose detail is
 * the joined thread's name.  The joiner registers as a waiter of the thread
 * (waiters.c, keyed by its pthread_t), and the thread, as it ends (its
 * start function returns, or it calls pthread_exit), records the unblock of
 * its joiners' tasks: the waker is the thread that ended.  A thread already
 * ended is joined at once (pthread_tryjoin_np) and nothing is recorded.
 *
 * The tracer's own threads are joined by the tracer (lot_stop joins the
 * flusher while the session stops): those joins are not the program's and
 * are never recorded (auto_join_exempt, from pthread_create).
 */
#include "tracer/auto/auto.h"

/* The tracer's threads now running: a handful (flusher, control). */
#define EXEMPT_MAX 8
static _Atomic unsigned long exempt[EXEMPT_MAX];

void auto_join_exempt(pthread_t th)
{
	for (int i = 0; i < EXEMPT_MAX; i++) {
		unsigned long none = 0;
		if (atomic_compare_exchange_strong(&exempt[i], &none, (unsigned long)th))
			return;
	}
}

/* Is th a tracer thread?  Forgotten as it is joined: its pthread_t may
 * name a program's thread later. */
static bool exempt_joined(pthread_t th)
{
	for (int i = 0; i < EXEMPT_MAX; i++) {
		unsigned long mine = (unsigned long)th;
		if (mine && atomic_compare_exchange_strong(&exempt[i], &mine, 0))
			return true;
	}
	return false;
}

void auto_thread_ends(void)
{
	if (!auto_any_waiting() || !auto_on())
		return;
	uint64_t w;
	while ((w = auto_waiter_take((const void *)pthread_self())))
		auto_unblock(w);
}

/* r = CALL, the real join of th, as a block when th still runs (the real
 * tryjoin says EBUSY). */
#define JOIN(th, ret, CALL)                                                            \
	do {                                                                           \
		if (exempt_joined(th) || __builtin_expect(!auto_on(), 1))              \
			return CALL;                                                   \
		int r_ = REAL(pthread_tryjoin_np)(th, ret);                            \
		if (r_ != EBUSY)                                                       \
			return r_;                                                     \
		char name_[32];                                                        \
		if (pthread_getname_np(th, name_, sizeof name_))                       \
			auto_addr_detail(name_, sizeof name_, (const void *)th);       \
		WAIT_REGISTERED(r_, (const void *)th, "join", name_, CALL);            \
		return r_;                                                             \
	} while (0)

AUTO_API int pthread_join(pthread_t th, void **ret)
{
	JOIN(th, ret, REAL(pthread_join)(th, ret));
}

AUTO_API int pthread_timedjoin_np(pthread_t th, void **ret, const struct timespec *abstime)
{
	JOIN(th, ret, REAL(pthread_timedjoin_np)(th, ret, abstime));
}

AUTO_API int pthread_clockjoin_np(pthread_t th, void **ret, clockid_t clk,
				  const struct timespec *abstime)
{
	JOIN(th, ret, REAL(pthread_clockjoin_np)(th, ret, clk, abstime));
}

AUTO_API void pthread_exit(void *ret)
{
	auto_thread_ends();
	REAL(pthread_exit)(ret);
	__builtin_unreachable();
}
