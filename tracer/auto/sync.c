/*
 * Mutexes, condition variables and rwlocks.  A mutex or rwlock is a block
 * only when it is contended: the wrapper tries first and records nothing
 * when that succeeds (or fails otherwise than EBUSY: the real call then
 * says why).  A waiter registers itself (waiters.c) before it blocks, so
 * that the thread that unlocks the mutex or signals the condition records
 * the unblock of its task with its own stack, before the real release: the
 * waker's event always precedes the waiter's running again.
 */
#include <stdio.h>

#include "tracer/auto/auto.h"

static void addr_detail(char *out, size_t cap, const void *p)
{
	snprintf(out, cap, "%p", p);
}

/* Free: glibc's lock word (the first int of every mutex type, 0 when
 * unlocked; <bits/struct_mutex.h>) is 0.  A peek, not a decision: a lock
 * taken between the peek and the real lock is a block we do not see.  It
 * keeps the uncontended lock at the real lock's cost plus a load, where a
 * trylock first costs several ns more (glibc's trylock does more checks). */
static inline bool looks_free(pthread_mutex_t *m)
{
	return atomic_load_explicit((_Atomic int *)&m->__data.__lock, memory_order_relaxed) == 0;
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
		uint64_t me_ = lot_task_current();                   \
		int slot_ = auto_waiter_add(m, me_);                 \
		char d_[32];                                         \
		addr_detail(d_, sizeof d_, m);                       \
		auto_block("mutex", d_, 0);                          \
		r_ = CALL;                                           \
		auto_waiter_remove(slot_, m, me_);                   \
		auto_resume();                                       \
		return r_;                                           \
	} while (0)

AUTO_API int pthread_mutex_lock(pthread_mutex_t *m)
{
	LOCK(m, REAL(pthread_mutex_lock)(m));
}

AUTO_API int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *ts)
{
	LOCK(m, REAL(pthread_mutex_timedlock)(m, ts));
}

AUTO_API int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clk, const struct timespec *ts)
{
	LOCK(m, REAL(pthread_mutex_clocklock)(m, clk, ts));
}

AUTO_API int pthread_mutex_unlock(pthread_mutex_t *m)
{
	/* nobody registers unless tracing: the count alone is the fast path */
	if (__builtin_expect(auto_any_waiting() && auto_on(), 0)) {
		uint64_t w = auto_waiter_take(m);
		if (w)
			auto_unblock(w);
	}
	return REAL(pthread_mutex_unlock)(m);
}

/* A wait on c, registered so that its signaller can name this task.
 * Inline in both wrappers: one interposer frame above the probe. */
static inline __attribute__((always_inline)) int cond_wait_traced(pthread_cond_t *c,
								  pthread_mutex_t *m, int clk,
								  const struct timespec *ts)
{
	uint64_t me = lot_task_current();
	int slot = auto_waiter_add(c, me);
	char d[32];
	addr_detail(d, sizeof d, c);
	auto_block("cond", d, 0);
	int r = clk >= 0 ? REAL(pthread_cond_clockwait)(c, m, (clockid_t)clk, ts)
		: ts    ? REAL(pthread_cond_timedwait)(c, m, ts)
			: REAL(pthread_cond_wait)(c, m);
	auto_waiter_remove(slot, c, me);
	auto_resume();
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
	if (__builtin_expect(auto_any_waiting() && auto_on(), 0)) {
		uint64_t w = auto_waiter_take(c);
		if (w)
			auto_unblock(w);
	}
	return REAL(pthread_cond_signal)(c);
}

AUTO_API int pthread_cond_broadcast(pthread_cond_t *c)
{
	if (__builtin_expect(auto_any_waiting() && auto_on(), 0)) {
		uint64_t w;
		while ((w = auto_waiter_take(c)))
			auto_unblock(w);
	}
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
		addr_detail(d_, sizeof d_, l);                \
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
		uint64_t me_ = lot_task_current();                  \
		int slot_ = auto_waiter_add(sem, me_);              \
		char d_[32];                                        \
		addr_detail(d_, sizeof d_, sem);                    \
		auto_block("sem", d_, 0);                           \
		int r_ = CALL;                                      \
		e_ = errno;                                         \
		auto_waiter_remove(slot_, sem, me_);                \
		auto_resume();                                      \
		errno = e_;                                         \
		return r_;                                          \
	} while (0)

AUTO_API int sem_wait(sem_t *sem)
{
	SEM(sem, REAL(sem_wait)(sem));
}

AUTO_API int sem_timedwait(sem_t *sem, const struct timespec *ts)
{
	SEM(sem, REAL(sem_timedwait)(sem, ts));
}

AUTO_API int sem_clockwait(sem_t *sem, clockid_t clk, const struct timespec *ts)
{
	SEM(sem, REAL(sem_clockwait)(sem, clk, ts));
}

AUTO_API int sem_post(sem_t *sem)
{
	if (__builtin_expect(auto_any_waiting() && auto_on(), 0)) {
		uint64_t w = auto_waiter_take(sem);
		if (w)
			auto_unblock(w);
	}
	return REAL(sem_post)(sem);
}
