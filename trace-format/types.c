/* The built-in event-type table, generated from LOT_EVENT_TYPES. */
#include "trace-format/types.h"

#define LOT_T0(code, name, flags) {code, flags, 0, #name, {0}, {0}},
#define LOT_T1(code, name, flags, k1, a1) \
	{code, flags, 1, #name, {#a1}, {LOT_KIND_##k1}},
#define LOT_T2(code, name, flags, k1, a1, k2, a2) \
	{code, flags, 2, #name, {#a1, #a2}, {LOT_KIND_##k1, LOT_KIND_##k2}},
#define LOT_T3(code, name, flags, k1, a1, k2, a2, k3, a3) \
	{code, flags, 3, #name, {#a1, #a2, #a3}, {LOT_KIND_##k1, LOT_KIND_##k2, LOT_KIND_##k3}},
#define LOT_T4(code, name, flags, k1, a1, k2, a2, k3, a3, k4, a4)                  \
	{code, flags, 4, #name, {#a1, #a2, #a3, #a4},                               \
	 {LOT_KIND_##k1, LOT_KIND_##k2, LOT_KIND_##k3, LOT_KIND_##k4}},
#define LOT_T5(code, name, flags, k1, a1, k2, a2, k3, a3, k4, a4, k5, a5)          \
	{code, flags, 5, #name, {#a1, #a2, #a3, #a4, #a5},                          \
	 {LOT_KIND_##k1, LOT_KIND_##k2, LOT_KIND_##k3, LOT_KIND_##k4, LOT_KIND_##k5}},

const struct lot_type_desc lot_builtin_types[] = {
	LOT_EVENT_TYPES(LOT_T0, LOT_T1, LOT_T2, LOT_T3, LOT_T4, LOT_T5)
};
const size_t lot_builtin_types_count = sizeof lot_builtin_types / sizeof lot_builtin_types[0];

#define LOT_KIND_NAME(kind, code, name, shape) [LOT_KIND_##kind] = #name,
static const char *const kind_names[] = {LOT_KINDS(LOT_KIND_NAME)};
#undef LOT_KIND_NAME
_Static_assert(sizeof kind_names / sizeof kind_names[0] == LOT_KIND_MAX_ + 1,
	       "kind codes are 1..LOT_KIND_MAX_ without gaps, each with a name");

const char *lot_kind_name(unsigned kind)
{
	return kind >= 1 && kind <= LOT_KIND_MAX_ ? kind_names[kind] : "unknown";
}
