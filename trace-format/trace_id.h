/*
 * Generated trace ids (FORMAT.md §5.5).
 *
 * A root span the recorder begins gets a trace id derived from the
 * session's random 128-bit trace key (header section TRACE_KEY) and the root
 * span's id, so the file stores a trace_gen definition of two or three
 * bytes instead of 16 random ones per request, and a reader recomputes the
 * same id.  The derivation is part of the format: other readers implement
 * it from the spec, so it may never change within format major 1.
 *
 * Both halves go through the MurmurHash3 64-bit finalizer, a bijection with
 * full avalanche: the high half alone is already unique per root span of a
 * session, and every byte looks random, as W3C trace-context wants of ids
 * that samplers hash (its "random" flag covers the rightmost 7 bytes).
 */
#ifndef LOT_FORMAT_TRACE_ID_H
#define LOT_FORMAT_TRACE_ID_H

#include <stdint.h>

#include "lib/endian.h"

static inline uint64_t lot_fmix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

/* key: the trace key's two halves (bytes 0-7 and 8-15, little-endian);
 * half: the trace id's, likewise (the id's bytes are le64(half[0]) then
 * le64(half[1])). */
static inline void lot_trace_id_halves(const uint64_t key[2], uint64_t root_span, uint64_t half[2])
{
	half[0] = lot_fmix64(key[0] ^ root_span);
	half[1] = lot_fmix64(key[1] ^ half[0]);
}

static inline void lot_trace_id_derive(const uint64_t key[2], uint64_t root_span, uint8_t out[16])
{
	uint64_t half[2];
	lot_trace_id_halves(key, root_span, half);
	lot_put_le64(out, half[0]);
	lot_put_le64(out + 8, half[1]);
}

#endif
