/*
 * A pthread mutex whose waits appear in the trace: a thread that finds it
 * held records lot_task_block("mutex"), and the unlock that lets it in
 * records lot_task_unblock() of its task on the holder's thread, so the
 * trace says who held the lock up (who woke whom) and from where.
 *
 * Waiters register their task in a slot of their own (one per thread that
 * may lock it, given by the caller); an unlock claims one registered waiter
 * with an atomic exchange.  A waiter that got the lock before anyone
 * claimed it (the holder unlocked before it registered) records its own
 * unblock, so every block has exactly one unblock.  The uncontended path is
 * a trylock and a scan of the slots.
 */
#ifndef TRACED_MUTEX_H
#define TRACED_MUTEX_H

#include <lotrace.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

struct traced_mutex {
	pthread_mutex_t mutex;
	unsigned nslots;
	_Atomic uint64_t *waiter; /* task ids of blocked lockers, by slot */
};

static inline int traced_mutex_init(struct traced_mutex *m, unsigned nslots)
{
	m->nslots = nslots;
	m->waiter = calloc(nslots, sizeof *m->waiter);
	return m->waiter && pthread_mutex_init(&m->mutex, NULL) == 0 ? 0 : -1;
}

static inline void traced_mutex_destroy(struct traced_mutex *m)
{
	pthread_mutex_destroy(&m->mutex);
	free(m->waiter);
	m->waiter = NULL;
}

static inline void traced_mutex_lock(struct traced_mutex *m, unsigned slot)
{
	if (pthread_mutex_trylock(&m->mutex) == 0)
		return;
	if (!lot_enabled()) {
		pthread_mutex_lock(&m->mutex);
		return;
	}
	uint64_t me = lot_task_current();
	atomic_store(&m->waiter[slot], me);
	lot_task_block("mutex");
	pthread_mutex_lock(&m->mutex);
	if (atomic_exchange(&m->waiter[slot], 0)) /* nobody claimed us */
		lot_task_unblock(me);
}

static inline void traced_mutex_unlock(struct traced_mutex *m)
{
	for (unsigned i = 0; i < m->nslots; i++)
		if (atomic_load_explicit(&m->waiter[i], memory_order_relaxed)) {
			uint64_t t = atomic_exchange(&m->waiter[i], 0);
			if (t) {
				lot_task_unblock(t); /* this unlock lets it in */
				break;
			}
		}
	pthread_mutex_unlock(&m->mutex);
}

#endif
