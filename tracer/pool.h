/*
 * The chunk pool: every chunk of a session, allocated and pre-faulted by
 * lot_start() (a page fault costs ~10 us here: never on a probe), handed to
 * threads at chunk switch and given back by the flusher once the chunk is
 * written.  The free list is a lock-free stack of chunk indices with an ABA
 * tag, so taking a chunk is one CAS and never waits.
 */
#ifndef LOT_TRACER_POOL_H
#define LOT_TRACER_POOL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "trace-format/format.h"
#include "trace-format/trace.h"

/*
 * One chunk.  While a thread owns it, only that thread writes it; `len`
 * (release) publishes the payload bytes [0, len) for a reader of a live chunk
 * (stop, snapshot).  After the thread hands it to the flusher (see thread.h)
 * it is frozen: the flusher reads it and gives it back to the pool.
 */
struct lot_chunk {
	uint8_t *data;            /* payload, pool->chunk_size bytes */
	_Atomic uint32_t len;     /* published payload bytes */
	struct lot_chunk_info info; /* header fields; thread_name points at name */
	char name[LOT_THREAD_NAME_MAX + 1];
	_Atomic uint32_t next;    /* free-list link: index + 1, 0 = end */
};

struct lot_pool {
	size_t chunk_size, n;
	struct lot_chunk *chunks;
	uint8_t *mem;             /* n * chunk_size bytes, pre-faulted */
	size_t mem_len;
	_Atomic uint64_t head;    /* tag << 32 | (index + 1); 0 = empty */
	_Atomic uint32_t n_free;
};

int lot_pool_init(struct lot_pool *p, size_t chunk_size, size_t total);
void lot_pool_destroy(struct lot_pool *p);
/* A free chunk, or NULL. */
struct lot_chunk *lot_pool_get(struct lot_pool *p);
void lot_pool_put(struct lot_pool *p, struct lot_chunk *c);

#endif
