/*
 * The flight recorder's memory: the chunks threads hand over are compressed
 * (the same chunk records a stream writes) into one byte ring instead of a
 * file, oldest first out.  Only the flusher touches it.
 *
 * Limits (doc/ENVIRONMENT.md): a record is dropped, whole and oldest first,
 * when a new one needs its room, or when its last event is older than
 * LOTRACE_FLIGHT_AGE (so at least that much history stays, memory
 * permitting, and not much more).  Memory: LOTRACE_FLIGHT_SIZE covers the
 * chunk pool, this ring, its record table, the drop log and the snapshot's
 * scratch buffers, all sized at start: the ring is mapped once and never
 * grows, so the recorder can never use more.
 *
 * Dropped records are remembered (thread, events, last time) in a small log
 * so that a snapshot counts as lost the events of any dropped chunk that
 * overlaps the time span it covers.
 */
#ifndef LOT_TRACER_FLIGHT_H
#define LOT_TRACER_FLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace-format/file_writer.h"
#include "trace-format/trace.h"
#include "tracer/env.h"

struct lot_flight_rec {
	uint64_t off;         /* in the ring */
	uint32_t len, seq, events;
	uint64_t tid, lost, base_ticks, end_ticks;
};

struct lot_flight_drop {
	uint64_t tid, events, end_ticks;
};

#define LOT_FLIGHT_DROPS 4096

struct lot_flight {
	uint8_t *ring;
	size_t ring_cap;
	struct lot_flight_rec *rec; /* FIFO: rec[(first + i) % rec_cap], i < n */
	size_t rec_cap, first, n;
	struct lot_flight_drop *drops; /* the last LOT_FLIGHT_DROPS drops */
	size_t n_drops;
	uint8_t *raw;         /* snapshot: copy of a live chunk's payload */
	uint8_t *out;         /* snapshot: its record */
	size_t raw_cap, out_cap;
	uint64_t age_ticks;
	/* accounting, for the snapshot's trailer */
	size_t limit, reserved, retained, retained_peak;
	uint64_t dropped_size, dropped_age;
};

/* Size everything within cfg->flight_size, of which pool_bytes are the chunk
 * pool.  0, -EINVAL (too small, after a message naming the variables) or
 * -ENOMEM. */
int lot_flight_new(struct lot_flight **out, const struct lot_config *cfg, size_t pool_bytes,
		   uint64_t freq_hz);
void lot_flight_free(struct lot_flight *f);

/* Keep one sealed chunk: compress it into the ring, dropping the oldest
 * records as needed.  false if it cannot be kept (it is then lost). */
bool lot_flight_keep(struct lot_flight *f, struct lot_compressor *comp,
		     const struct lot_chunk_info *info, const uint8_t *raw);

/* Drop the records whose last event is older than the age limit. */
void lot_flight_expire(struct lot_flight *f, uint64_t now_ticks);

static inline const struct lot_flight_rec *lot_flight_at(const struct lot_flight *f, size_t i)
{
	return &f->rec[(f->first + i) % f->rec_cap];
}

#endif
