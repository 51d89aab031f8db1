/*
 * Who waits on which mutex or condition variable, so that the thread that
 * releases or signals it can record whom it woke (task_unblock).
 *
 * A fixed open-addressed table of slots {object, task}: a waiter claims a
 * free slot near its object's hash (CAS of the object word from 0 to a
 * "being written" mark, then the task, then the object: a reader that
 * matches the object sees the task), and gives it back when the wait ends;
 * a waker takes the first slot of its object (CAS to 0).  auto_n_waiting
 * counts the claimed slots: the unlock and signal wrappers read it first,
 * so while nobody waits they touch nothing else, and the table's cache
 * lines are written only by threads about to sleep.  A full window (more
 * than AUTO_PROBE waiters hashed together) leaves the waiter unregistered:
 * its block then ends without a waker, as for a sleep.  Which of several
 * waiters the kernel wakes is not known here: the oldest registered is
 * named, as the kernel's futex queue and glibc's condition variables wake
 * in arrival order (a barging third thread can still take a mutex first).
 */
#include <stdint.h>

#include "tracer/auto/auto.h"

#define AUTO_SLOTS 1024 /* a power of two */
#define AUTO_PROBE 16
#define BEING_WRITTEN ((uintptr_t)1)

struct slot {
	_Atomic uintptr_t obj;
	_Atomic uint64_t task;
	_Atomic uint64_t seq; /* arrival order */
};

static struct slot slots[AUTO_SLOTS];
_Atomic unsigned auto_n_waiting;
static _Atomic uint64_t arrivals;

static inline unsigned hash(const void *obj)
{
	uint64_t x = (uint64_t)(uintptr_t)obj * 0x9e3779b97f4a7c15ull;
	return (unsigned)(x >> 40);
}

int auto_waiter_add(const void *obj, uint64_t task)
{
	unsigned h = hash(obj);
	for (unsigned i = 0; i < AUTO_PROBE; i++) {
		unsigned k = (h + i) & (AUTO_SLOTS - 1);
		uintptr_t expect = 0;
		if (atomic_compare_exchange_strong_explicit(&slots[k].obj, &expect, BEING_WRITTEN,
							    memory_order_acquire, memory_order_relaxed)) {
			atomic_store_explicit(&slots[k].task, task, memory_order_relaxed);
			atomic_store_explicit(&slots[k].seq,
					      atomic_fetch_add_explicit(&arrivals, 1, memory_order_relaxed),
					      memory_order_relaxed);
			atomic_store_explicit(&slots[k].obj, (uintptr_t)obj, memory_order_release);
			atomic_fetch_add_explicit(&auto_n_waiting, 1, memory_order_relaxed);
			return (int)k;
		}
	}
	return -1;
}

void auto_waiter_remove(int k, const void *obj, uint64_t task)
{
	if (k < 0)
		return;
	/* a waker may have taken it, and another waiter claimed it since */
	if (atomic_load_explicit(&slots[k].task, memory_order_relaxed) != task)
		return;
	uintptr_t expect = (uintptr_t)obj;
	if (atomic_compare_exchange_strong_explicit(&slots[k].obj, &expect, 0, memory_order_release,
						    memory_order_relaxed))
		atomic_fetch_sub_explicit(&auto_n_waiting, 1, memory_order_relaxed);
}

uint64_t auto_waiter_take(const void *obj)
{
	unsigned h = hash(obj);
	for (;;) {
		/* the oldest waiter of obj in the window */
		unsigned best = AUTO_SLOTS;
		uint64_t best_seq = UINT64_MAX;
		for (unsigned i = 0; i < AUTO_PROBE; i++) {
			unsigned k = (h + i) & (AUTO_SLOTS - 1);
			if (atomic_load_explicit(&slots[k].obj, memory_order_acquire) != (uintptr_t)obj)
				continue;
			uint64_t seq = atomic_load_explicit(&slots[k].seq, memory_order_relaxed);
			if (seq < best_seq) {
				best_seq = seq;
				best = k;
			}
		}
		if (best == AUTO_SLOTS)
			return 0;
		uintptr_t expect = (uintptr_t)obj;
		uint64_t task = atomic_load_explicit(&slots[best].task, memory_order_relaxed);
		if (atomic_compare_exchange_strong_explicit(&slots[best].obj, &expect, 0,
							    memory_order_acq_rel, memory_order_relaxed)) {
			atomic_fetch_sub_explicit(&auto_n_waiting, 1, memory_order_relaxed);
			return task;
		}
		/* its waiter left meanwhile: look again */
	}
}
