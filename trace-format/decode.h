/* The reader's payload decoder (decode.c); internal. */
#ifndef LOT_FORMAT_DECODE_H
#define LOT_FORMAT_DECODE_H

#include "trace-format/reader_impl.h"

/* The decoder's view of a type-table entry. */
void lot_rd_dtype_init(struct lot_dtype *d, const struct lot_type_desc *t);
/* Prepare the decoder for the freshly decompressed chunk r->raw. */
int lot_rd_chunk_start(struct lot_reader *r);
void lot_rd_free_decode(struct lot_reader *r);

#endif
