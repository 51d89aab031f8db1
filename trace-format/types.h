/* The event-type table that every file header carries (see events.h). */
#ifndef LOT_FORMAT_TYPES_H
#define LOT_FORMAT_TYPES_H

#include <stddef.h>

#include "trace-format/events.h"
#include "trace-format/trace.h"

extern const struct lot_type_desc lot_builtin_types[];
extern const size_t lot_builtin_types_count;

const char *lot_kind_name(unsigned kind);

#endif
