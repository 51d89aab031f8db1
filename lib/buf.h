/*
 * A growable byte buffer for building headers and trailers (never used on
 * the recording hot path).  On allocation failure the buffer is marked
 * failed and further appends are ignored; check lot_buf_ok() once at the end.
 */
#ifndef LOT_LIB_BUF_H
#define LOT_LIB_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lot_buf {
	uint8_t *data;
	size_t len, cap;
	bool failed;
};

void lot_buf_free(struct lot_buf *b);
bool lot_buf_ok(const struct lot_buf *b);
/* Make room for n more bytes; returns where they go, or NULL on failure. */
uint8_t *lot_buf_reserve(struct lot_buf *b, size_t n);
void lot_buf_append(struct lot_buf *b, const void *p, size_t n);
void lot_buf_u8(struct lot_buf *b, uint8_t v);
void lot_buf_le16(struct lot_buf *b, uint16_t v);
void lot_buf_le32(struct lot_buf *b, uint32_t v);
void lot_buf_le64(struct lot_buf *b, uint64_t v);
void lot_buf_varint(struct lot_buf *b, uint64_t v);
/* An lstr: varint length then the bytes.  NULL is written as the empty string. */
void lot_buf_lstr(struct lot_buf *b, const char *s);
void lot_buf_lbytes(struct lot_buf *b, const void *p, size_t n);
/* Append the whole file at path (for /proc files, whose size stat does not
 * tell), then a NUL not counted in len.  0, or -errno (-ENOMEM when the
 * buffer could not grow; the buffer is then marked failed). */
int lot_buf_read_file(struct lot_buf *b, const char *path);

#endif
