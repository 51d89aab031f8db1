/*
 * A minimal protocol-buffers writer for `lotrace export --format perfetto`.
 *
 * Why hand-written: the only Debian C library, protobuf-c, works from code
 * generated out of .proto files (Perfetto's, which we do not ship), and it
 * builds a message tree in memory before packing it.  The export needs four
 * wire primitives (varint, fixed64, length-delimited, nested message) and
 * streams packets one at a time; this is those primitives, nothing more.
 *
 * Nested messages are written in place: pb_open() writes the field's tag and
 * reserves PB_LEN_BYTES for the length, pb_close() fills it in as a minimal
 * varint and moves the content left over the bytes it did not need (most
 * messages are a few bytes: padded lengths made the export several times
 * larger).  A nested message is at most 2^28 - 1 bytes: a trace packet is
 * far smaller.
 *
 * Memory errors are sticky: the buffer stops growing, pb_failed() says so,
 * and the caller reports it once.
 */
#ifndef LOT_CMD_PROTOBUF_H
#define LOT_CMD_PROTOBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PB_LEN_BYTES 4
#define PB_NESTED_MAX ((1u << 28) - 1)

struct pb_buf {
	uint8_t *data;
	size_t len, cap;
	bool failed; /* out of memory, or a nested message too long */
};

void pb_free(struct pb_buf *b);
static inline void pb_reset(struct pb_buf *b) { b->len = 0; }
static inline bool pb_failed(const struct pb_buf *b) { return b->failed; }

/* Wire type 0: uint64, int64 (two's complement), bool and enum fields. */
void pb_varint(struct pb_buf *b, uint32_t field, uint64_t v);
/* Wire type 1. */
void pb_fixed64(struct pb_buf *b, uint32_t field, uint64_t v);
/* Wire type 2: bytes and string fields. */
void pb_bytes(struct pb_buf *b, uint32_t field, const void *p, size_t n);
void pb_string(struct pb_buf *b, uint32_t field, const char *s);

/* Bytes appended as they are (a message encoded apart, or any text). */
void pb_raw(struct pb_buf *b, const void *p, size_t n);

/* A nested message: everything written between the two is its content. */
size_t pb_open(struct pb_buf *b, uint32_t field);
void pb_close(struct pb_buf *b, size_t opened);

#endif
