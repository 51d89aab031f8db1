#include "tracer/pool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int lot_pool_init(struct lot_pool *p, size_t chunk_size, size_t total)
{
	memset(p, 0, sizeof *p);
	p->chunk_size = chunk_size;
	p->n = total / chunk_size;
	if (p->n < 2 || p->n > UINT32_MAX - 1)
		return -EINVAL;
	p->chunks = calloc(p->n, sizeof *p->chunks);
	if (!p->chunks)
		return -ENOMEM;
	p->mem_len = p->n * chunk_size;
	/* MAP_POPULATE pre-faults; the memset below makes sure of it where
	 * populate is only advisory (and costs nothing more when it worked). */
	p->mem = mmap(NULL, p->mem_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p->mem == MAP_FAILED) {
		p->mem = NULL;
		free(p->chunks);
		p->chunks = NULL;
		return -ENOMEM;
	}
	memset(p->mem, 0, p->mem_len);
	for (size_t i = p->n; i-- > 0;) {
		p->chunks[i].data = p->mem + i * chunk_size;
		lot_pool_put(p, &p->chunks[i]);
	}
	return 0;
}

void lot_pool_destroy(struct lot_pool *p)
{
	if (p->mem)
		munmap(p->mem, p->mem_len);
	free(p->chunks);
	memset(p, 0, sizeof *p);
}

struct lot_chunk *lot_pool_get(struct lot_pool *p)
{
	uint64_t h = atomic_load_explicit(&p->head, memory_order_acquire);
	for (;;) {
		uint32_t idx1 = (uint32_t)h;
		if (!idx1)
			return NULL;
		struct lot_chunk *c = &p->chunks[idx1 - 1];
		uint32_t next = atomic_load_explicit(&c->next, memory_order_relaxed);
		/* The tag changes on every pop, so a head that was popped and pushed
		 * back meanwhile (ABA) fails the CAS. */
		uint64_t nh = ((h >> 32) + 1) << 32 | next;
		if (atomic_compare_exchange_weak_explicit(&p->head, &h, nh, memory_order_acquire,
							  memory_order_acquire)) {
			atomic_fetch_sub_explicit(&p->n_free, 1, memory_order_relaxed);
			return c;
		}
	}
}

void lot_pool_put(struct lot_pool *p, struct lot_chunk *c)
{
	uint32_t idx1 = (uint32_t)(c - p->chunks) + 1;
	atomic_fetch_add_explicit(&p->n_free, 1, memory_order_relaxed);
	uint64_t h = atomic_load_explicit(&p->head, memory_order_relaxed);
	do
		atomic_store_explicit(&c->next, (uint32_t)h, memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(&p->head, &h, (h & ~0xffffffffull) | idx1,
						      memory_order_release, memory_order_relaxed));
}
