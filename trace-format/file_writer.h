/*
 * Encoding of the file-level records: header, chunk records (chunk header
 * plus the LZ4 frame of the payload) and trailer.  Used by the recorder's
 * flusher thread and by test and corpus generators; may allocate.
 */
#ifndef LOT_FORMAT_FILE_WRITER_H
#define LOT_FORMAT_FILE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "trace-format/trace.h"

/* Append the header record.  The event-type table is the built-in one.
 * trace_key: 16 bytes for trace_gen definitions, or NULL when the chunks
 * have none. */
bool lot_header_encode(struct lot_buf *out, const struct lot_clock_info *clock,
		       const struct lot_kv *meta, size_t n_meta,
		       const struct lot_module *modules, size_t n_modules,
		       const uint8_t *trace_key);

/* Compresses chunk payloads; one per flusher, not thread-safe. */
struct lot_compressor;
struct lot_compressor *lot_compressor_new(void);
void lot_compressor_free(struct lot_compressor *c);

/* Worst-case size of a chunk record for a payload of raw_len bytes. */
size_t lot_chunk_record_bound(size_t raw_len);

/*
 * Write the chunk record for payload raw[0, info->raw_len) into out[0, cap):
 * the chunk-header record, then the payload as one LZ4 frame with a content
 * checksum.  info->comp_len is ignored (computed).  Returns the bytes
 * written, or 0 on failure (cap too small, compression error).
 */
size_t lot_chunk_record_encode(struct lot_compressor *c, const struct lot_chunk_info *info,
			       const void *raw, void *out, size_t cap);

/* Append the trailer record; trailer_offset is the file offset it will be written at. */
bool lot_trailer_encode(struct lot_buf *out, uint64_t trailer_offset,
			const struct lot_trailer_info *t);

/* CRC-32 as used by the format (zlib's polynomial). */
uint32_t lot_crc32(const void *p, size_t n);

#endif
