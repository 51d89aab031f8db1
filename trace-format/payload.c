/* The payload walker: see payload.h. */
#include "trace-format/payload.h"

#include <stddef.h>

#include "lib/varint.h"
#include "trace-format/types.h"

#define LOT_KIND_SHAPE(kind, code, name, shape) [LOT_KIND_##kind] = LOT_SHAPE_##shape,
static const uint8_t kind_shapes[] = {LOT_KINDS(LOT_KIND_SHAPE)};
#undef LOT_KIND_SHAPE

enum lot_shape lot_kind_shape(unsigned kind)
{
	return kind < sizeof kind_shapes ? (enum lot_shape)kind_shapes[kind] : LOT_SHAPE_VARINT;
}

/* n bytes at *p, if they are there. */
static enum lot_arg_fault skip_bytes(const uint8_t **p, const uint8_t *end, uint64_t n)
{
	if (n > (uint64_t)(end - *p))
		return LOT_ARG_PAST_END;
	*p += n;
	return LOT_ARG_OK;
}

enum lot_arg_fault lot_payload_skip_arg(unsigned kind, const uint8_t **pp, const uint8_t *end,
					uint64_t *v)
{
	const uint8_t *p = *pp;
	enum lot_arg_fault f = LOT_ARG_OK;
	uint64_t x = 0;
	switch (lot_kind_shape(kind)) {
	case LOT_SHAPE_VARINT:
	case LOT_SHAPE_REF:
		if (lot_varint_get(&p, end, &x))
			f = LOT_ARG_VARINT;
		break;
	case LOT_SHAPE_ID: /* the absolute form: 8 bytes follow */
		if (lot_varint_get(&p, end, &x))
			f = LOT_ARG_VARINT;
		else if (x == LOT_ID_ABSOLUTE)
			f = skip_bytes(&p, end, 8);
		break;
	case LOT_SHAPE_BYTES:
		f = lot_varint_get(&p, end, &x) ? LOT_ARG_VARINT : skip_bytes(&p, end, x);
		break;
	case LOT_SHAPE_PCS: { /* a count never exceeds the bytes left: each PC takes one */
		uint64_t z;
		if (lot_varint_get(&p, end, &x) || x > (uint64_t)(end - p))
			return LOT_ARG_PCS;
		for (uint64_t i = 0; i < x; i++)
			if (lot_varint_get(&p, end, &z))
				return LOT_ARG_PCS;
		break;
	}
	case LOT_SHAPE_FIXED16:
		f = skip_bytes(&p, end, 16);
		break;
	case LOT_SHAPE_VALUE: { /* tag 0 then an svarint, 1 then BYTES */
		if (p >= end)
			return LOT_ARG_PAST_END;
		unsigned tag = *p++;
		if (tag > 1) {
			*v = tag;
			return LOT_ARG_TAG;
		}
		if (lot_varint_get(&p, end, &x))
			f = LOT_ARG_VARINT;
		else if (tag == 1)
			f = skip_bytes(&p, end, x);
		break;
	}
	}
	if (f == LOT_ARG_OK) {
		*pp = p;
		*v = x;
	}
	return f;
}

bool lot_scan_payload(const uint8_t *p, const uint8_t *end, unsigned shift, uint64_t base,
		      bool no_stacks, uint32_t *events, uint64_t *end_ticks)
{
	const struct lot_type_desc *by_code[256] = {0};
	for (size_t i = 0; i < lot_builtin_types_count; i++)
		by_code[lot_builtin_types[i].code] = &lot_builtin_types[i];
	uint64_t unit = base >> shift, v;
	uint32_t n = 0;
	while (p < end) {
		const struct lot_type_desc *ty = by_code[*p++];
		if (!ty)
			return false;
		if (ty->flags & LOT_TIMED) {
			if (lot_varint_get(&p, end, &v))
				return false;
			unit += v;
			n++;
		}
		for (unsigned a = 0; a < ty->nargs; a++)
			if (!(no_stacks && ty->arg_kinds[a] == LOT_KIND_STACK) && /* omitted */
			    lot_payload_skip_arg(ty->arg_kinds[a], &p, end, &v) != LOT_ARG_OK)
				return false;
	}
	*events = n;
	uint64_t t = unit << shift;
	*end_ticks = t > base ? t : base;
	return true;
}
