/*
 * Mutexes, condition variables and rwlocks.  A mutex or rwlock is a block
 * only when it is contended: the wrapper tries first and records nothing
 * when that succeeds (or fails otherwise than EBUSY: the real call then
 * says why).  A waiter registers itself (waiters.c) before it blocks, so
 * that the thread that unlocks the mutex or signals the condition records
 * the unblock of its task with its own stack, before the real release: the
 * waker's event always precedes the waiter's running again.
 */
#include "tracer/auto/auto.h"

/* Free: glibc's lock word (the first int of every mutex type, 0 when
 * unlocked; <bits/struct_mutex.h>) is 0.  A peek, not a decision: a lock
 * taken between the peek and the real lock is a block we do not see.  It
 * keeps the uncontended lock at the real lock's cost plus a load, where a
 * trylock first costs several ns more (glibc's trylock does more checks). */
static inline bool looks_free(pthread_mutex_t *m)
{
	return atomic_load_explicit((_Atomic int *)&m->__data.__lock, memory_order_relaxed) == 0;
}

/* Release obj: the unblock of its oldest registered waiter's task first
 * (all of them: all), with this thread's stack.  Inline for the same
 * reason. */
static inline __attribute__((always_inline)) void wake_waiters(const void *obj, bool all)
{
	/* nobody registers unless tracing: the count alone is the fast path */
	if (__builtin_expect(auto_any_waiting() && auto_on(), 0)) {
		uint64_t w;
		while ((w = auto_waiter_take(obj))) {
			auto_unblock(w);
			if (!all)
				break;
		}
	}
}

/* The three waits of a mutex or semaphore: untimed, until a CLOCK_REALTIME
 * deadline, until a deadline on a given clock (glibc 2.30), each wrapped by
 * WRAP(object, the real call). */
#define WAIT_WRAPPERS(TYPE, WAIT, TIMEDWAIT, CLOCKWAIT, WRAP)                           \
	AUTO_API int WAIT(TYPE *o)                                                      \
	{                                                                               \
		WRAP(o, REAL(WAIT)(o));                                                 \
	}                                                                               \
	AUTO_API int TIMEDWAIT(TYPE *o, const struct timespec *ts)                      \
	{                                                                               \
		WRAP(o, REAL(TIMEDWAIT)(o, ts));                                        \
	}                                                                               \
	AUTO_API int CLOCKWAIT(TYPE *o, clockid_t clk, const struct timespec *ts)       \
	{                                                                               \
		WRAP(o, REAL(CLOCKWAIT)(o, clk, ts));                                   \
	}

/* Lock m with CALL (the real lock, timed lock or clock lock); a block only
 * when it is held and a trylock fails. */
#define LOCK(m, CALL)                                          \
	do {                                                         \
		if (__builtin_expect(!auto_on() || looks_free(m), 1)) \
			return CALL;                                 \
		int r_ = REAL(pthread_mutex_trylock)(m);             \
		if (r_ != EBUSY)                                     \
			return r_;                                   \
		WAIT_REGISTERED(r_, m, "mutex", NULL, CALL);         \
		return r_;                                           \
	} while (0)

WAIT_WRAPPERS(pthread_mutex_t, pthread_mutex_lock, pthread_mutex_timedlock, pthread_mutex_clocklock,
	      LOCK)

AUTO_API int pthread_mutex_unlock(pthread_mutex_t *m)
{
	wake_waiters(m, false);
	return REAL(pthread_mutex_unlock)(m);
}

/* A wait on c, registered so that its signaller can name this task.
 * Inline in both wrappers: one interposer frame above the probe. */
static inline __attribute__((always_inline)) int cond_wait_traced(pthread_cond_t *c,
								  pthread_mutex_t *m, int clk,
								  const struct timespec *ts)
{
	int r;
	WAIT_REGISTERED(r, c, "cond", NULL,
			clk >= 0 ? REAL(pthread_cond_clockwait)(c, m, (clockid_t)clk, ts)
			: ts     ? REAL(pthread_cond_timedwait)(c, m, ts)
				 : REAL(pthread_cond_wait)(c, m));
	return r;
}

AUTO_API int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	if (__builtin_expect(!auto_on(), 1))
		return REAL(pthread_cond_wait)(c, m);
	return cond_wait_traced(c, m, -1, NULL);
}

AUTO_API int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *ts)
{
	if (__builtin_expect(!auto_on(), 1))
		return REAL(pthread_cond_timedwait)(c, m, ts);
	return cond_wait_traced(c, m, -1, ts);
}

/* C++'s condition_variable::wait_for and wait_until (libstdc++ on glibc
 * 2.30 and later). */
AUTO_API int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clk,
				    const struct timespec *ts)
{
	if (__builtin_expect(!auto_on(), 1))
		return REAL(pthread_cond_clockwait)(c, m, clk, ts);
	return cond_wait_traced(c, m, (int)clk, ts);
}

AUTO_API int pthread_cond_signal(pthread_cond_t *c)
{
	wake_waiters(c, false);
	return REAL(pthread_cond_signal)(c);
}

AUTO_API int pthread_cond_broadcast(pthread_cond_t *c)
{
	wake_waiters(c, true);
	return REAL(pthread_cond_broadcast)(c);
}

/* A read or write lock: a block only when the try fails. */
#define RWLOCK(l, TRY, CALL)                                  \
	do {                                                  \
		if (__builtin_expect(!auto_on(), 1))          \
			return CALL;                          \
		int r_ = TRY;                                 \
		if (r_ != EBUSY)                              \
			return r_;                            \
		char d_[32];                                  \
		auto_addr_detail(d_, sizeof d_, l);           \
		auto_block("rwlock", d_, 0);                  \
		r_ = CALL;                                    \
		auto_resume();                                \
		return r_;                                    \
	} while (0)

AUTO_API int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	RWLOCK(l, REAL(pthread_rwlock_tryrdlock)(l), REAL(pthread_rwlock_rdlock)(l));
}

AUTO_API int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	RWLOCK(l, REAL(pthread_rwlock_trywrlock)(l), REAL(pthread_rwlock_wrlock)(l));
}

/* A semaphore wait (what Python's locks and many queues are made of): a
 * block when sem_trywait finds it at 0; sem_post names the oldest waiter. */
#define SEM(sem, CALL)                                              \
	do {                                                        \
		if (__builtin_expect(!auto_on(), 1))                \
			return CALL;                                \
		int e_ = errno;                                     \
		if (REAL(sem_trywait)(sem) == 0)                    \
			return 0;                                   \
		if (errno != EAGAIN)                                \
			return CALL;                                \
		errno = e_;                                         \
		int r_;                                             \
		WAIT_REGISTERED(r_, sem, "sem", NULL, CALL);        \
		return r_;                                          \
	} while (0)

WAIT_WRAPPERS(sem_t, sem_wait, sem_timedwait, sem_clockwait, SEM)

AUTO_API int sem_post(sem_t *sem)
{
	wake_waiters(sem, false);
	return REAL(sem_post)(sem);
}
