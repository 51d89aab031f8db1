/* The reader's header and trailer parsing (reader_meta.c); internal. */
#ifndef LOT_FORMAT_READER_META_H
#define LOT_FORMAT_READER_META_H

#include <stddef.h>
#include <stdint.h>

#include "trace-format/reader_impl.h"

/* Parse a whole header body (after the record prefix) into r->hdr;
 * 0, or -1 with err set. */
int lot_rd_parse_header(struct lot_reader *r, const uint8_t *body, uint32_t size,
			struct lot_read_error *err);
/* Parse a trailer record body found at `offset`; 0, or -1 with a
 * reason in why[256] (the caller warns). */
int lot_rd_parse_trailer(struct lot_reader *r, uint64_t offset, const uint8_t *body,
			 uint32_t size, char why[256]);
void lot_rd_free_meta(struct lot_reader *r);
/* Build r->trailer.index from the index section's bytes, which
 * lot_rd_parse_trailer() validated; 0, or -1 (the file changed since). */
int lot_rd_parse_index(struct lot_reader *r, const uint8_t *p, size_t len);

#endif
