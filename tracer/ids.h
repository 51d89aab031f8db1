/*
 * Identifiers: the per-thread random generator behind span and trace ids,
 * process-wide task ids handed out in blocks, and the W3C traceparent text
 * form (lot_traceparent_* in lotrace.h).
 */
#ifndef LOT_TRACER_IDS_H
#define LOT_TRACER_IDS_H

#include <stdint.h>

/* wyrand: one multiply per 64 bits, seeded once per thread from getrandom,
 * so no span ever costs a system call. */
struct lot_rng {
	uint64_t s;
};

void lot_rng_seed(struct lot_rng *r);

static inline uint64_t lot_rng_next(struct lot_rng *r)
{
	r->s += 0xa0761d6478bd642full;
	__uint128_t t = (__uint128_t)r->s * (r->s ^ 0xe7037ed1a0b428dbull);
	return (uint64_t)(t >> 64) ^ (uint64_t)t;
}

/* Store a trace id made of two words (bytes 0-7 and 8-15, in host order:
 * little-endian on x86-64 and aarch64, as the format's words are).  One
 * 16-byte store: the id is read back with 16-byte loads (copies, the
 * writer's cache compare), and a load that spans two smaller stores cannot
 * be forwarded from them (a ~15-cycle stall per span). */
static inline void lot_trace_id_store(uint8_t out[16], uint64_t a, uint64_t b)
{
	typedef uint64_t v2u64 __attribute__((vector_size(16)));
	v2u64 v = {a, b};
	__builtin_memcpy(out, &v, 16);
}

/* A random 16-byte trace id, never all zero (W3C: invalid), for spans begun
 * while tracing is off (recorded roots derive theirs: api.c). */
static inline void lot_trace_id_new(struct lot_rng *r, uint8_t out[16])
{
	uint64_t a, b;
	do {
		a = lot_rng_next(r);
		b = lot_rng_next(r);
	} while (__builtin_expect(!a && !b, 0));
	lot_trace_id_store(out, a, b);
}

/* Task ids: each thread takes blocks of LOT_TASK_BLOCK ids with one atomic
 * add, so creating a task writes no shared cache line. */
#define LOT_TASK_BLOCK 1024u
uint64_t lot_task_block_reserve(void);

#endif
