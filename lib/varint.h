/*
 * LEB128 variable-length integers, as used by every event argument.
 *
 * Unsigned values take 7 bits per byte, low group first, high bit set on every
 * byte but the last: 0..127 take one byte, a full 64-bit value ten.  Signed
 * values are zigzag-mapped first (0,-1,1,-2,... -> 0,1,2,3,...) so that small
 * magnitudes of either sign stay short.
 *
 * The encoder is inline because the recorder calls it on the hot path; the
 * caller guarantees room for LOT_VARINT_MAX bytes.  The decoder never reads
 * past `end` and reports malformed input (a run of more than ten bytes, or a
 * tenth byte carrying bits beyond 64) instead of guessing.
 */
#ifndef LOT_LIB_VARINT_H
#define LOT_LIB_VARINT_H

#include <stddef.h>
#include <stdint.h>

#define LOT_VARINT_MAX 10

static inline uint8_t *lot_varint_put(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static inline uint64_t lot_zigzag_encode(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t lot_zigzag_decode(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static inline uint8_t *lot_svarint_put(uint8_t *p, int64_t v)
{
	return lot_varint_put(p, lot_zigzag_encode(v));
}

/* Bytes lot_varint_put() writes for v. */
static inline size_t lot_varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/*
 * Decode one unsigned varint from [*pp, end).  On success stores the value,
 * advances *pp and returns 0; on truncated or over-long input returns -1 and
 * leaves *pp unchanged.
 */
static inline int lot_varint_get(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
	const uint8_t *p = *pp;
	if (p < end && *p < 0x80) { /* the common one-byte case */
		*out = *p;
		*pp = p + 1;
		return 0;
	}
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (p >= end)
			return -1;
		uint8_t b = *p++;
		if (shift == 63 && b > 1)
			return -1; /* bits beyond 64 */
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			*pp = p;
			return 0;
		}
	}
	return -1; /* more than ten bytes */
}

static inline int lot_svarint_get(const uint8_t **pp, const uint8_t *end, int64_t *out)
{
	uint64_t u;
	if (lot_varint_get(pp, end, &u))
		return -1;
	*out = lot_zigzag_decode(u);
	return 0;
}

#endif
