/*
 * The payload walker: steps over a chunk's events by the shapes of their
 * argument kinds (events.h's LOT_KINDS), without storing anything.  The
 * reader's validating pass (decode.c) and the recorder's count of a chunk
 * it did not seal (idle flush, snapshot) walk payloads with it; the reader's
 * decoder and its counting fast path read the same shapes inline.
 */
#ifndef LOT_FORMAT_PAYLOAD_H
#define LOT_FORMAT_PAYLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "trace-format/events.h"

/* What is wrong with an argument's bytes. */
enum lot_arg_fault {
	LOT_ARG_OK,
	LOT_ARG_VARINT,   /* a bad or truncated LEB128 */
	LOT_ARG_PAST_END, /* runs past the end */
	LOT_ARG_TAG,      /* a VALUE's tag is neither 0 nor 1 */
	LOT_ARG_PCS,      /* a PCS count or delta is bad or runs past the end */
};

/* The shape of kind (LOT_SHAPE_VARINT for an unknown code: a header that
 * names one is refused before any payload is read). */
enum lot_shape lot_kind_shape(unsigned kind);

/* Step over one argument of kind at *pp (before end): LOT_ARG_OK with *pp
 * past it and *v its leading LEB128 (a REF's id, an id delta's tag), or the
 * fault with *pp unchanged (*v: the bad tag of LOT_ARG_TAG). */
enum lot_arg_fault lot_payload_skip_arg(unsigned kind, const uint8_t **pp, const uint8_t *end,
					uint64_t *v);

/* The events and last time of a payload prefix of our own writing, walked
 * by the built-in type table: `shift` and `base` are the chunk's time shift
 * and base ticks, `no_stacks` its LOT_CHUNK_NO_STACKS.  false if the bytes
 * do not parse. */
bool lot_scan_payload(const uint8_t *p, const uint8_t *end, unsigned shift, uint64_t base,
		      bool no_stacks, uint32_t *events, uint64_t *end_ticks);

#endif
