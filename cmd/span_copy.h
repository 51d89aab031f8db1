/*
 * A lasting copy of a completed span (model.h delivers spans only for the
 * duration of a callback): its arrays and attribute values are copied; its
 * names stay the model's interned ones (valid until model_free()).
 */
#ifndef LOT_CMD_SPAN_COPY_H
#define LOT_CMD_SPAN_COPY_H

#include "cmd/model.h"

struct span_copy {
	struct model_span sp; /* its pointers point into this allocation or the model */
};

struct span_copy *span_copy_new(const struct model_span *sp);
void span_copy_free(struct span_copy *c);

#endif
