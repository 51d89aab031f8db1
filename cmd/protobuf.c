#include "cmd/protobuf.h"

#include <stdlib.h>
#include <string.h>

enum { WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_LEN = 2 };

void pb_free(struct pb_buf *b)
{
	free(b->data);
	*b = (struct pb_buf){0};
}

/* Room for n more bytes; false (and failed set) when there is none. */
static bool reserve(struct pb_buf *b, size_t n)
{
	if (b->failed)
		return false;
	if (b->cap - b->len >= n)
		return true;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap - b->len < n)
		cap *= 2;
	uint8_t *d = realloc(b->data, cap);
	if (!d) {
		b->failed = true;
		return false;
	}
	b->data = d;
	b->cap = cap;
	return true;
}

static void put_varint(struct pb_buf *b, uint64_t v)
{
	if (!reserve(b, 10))
		return;
	uint8_t *p = b->data + b->len;
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	b->len = (size_t)(p - b->data);
}

static void put_tag(struct pb_buf *b, uint32_t field, unsigned wire)
{
	put_varint(b, ((uint64_t)field << 3) | wire);
}

void pb_varint(struct pb_buf *b, uint32_t field, uint64_t v)
{
	put_tag(b, field, WIRE_VARINT);
	put_varint(b, v);
}

void pb_fixed64(struct pb_buf *b, uint32_t field, uint64_t v)
{
	put_tag(b, field, WIRE_FIXED64);
	if (!reserve(b, 8))
		return;
	for (int i = 0; i < 8; i++)
		b->data[b->len++] = (uint8_t)(v >> (8 * i)); /* little-endian */
}

void pb_raw(struct pb_buf *b, const void *p, size_t n)
{
	if (!n || !reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void pb_bytes(struct pb_buf *b, uint32_t field, const void *p, size_t n)
{
	put_tag(b, field, WIRE_LEN);
	put_varint(b, n);
	pb_raw(b, p, n);
}

void pb_string(struct pb_buf *b, uint32_t field, const char *s)
{
	pb_bytes(b, field, s, strlen(s));
}

size_t pb_open(struct pb_buf *b, uint32_t field)
{
	put_tag(b, field, WIRE_LEN);
	if (!reserve(b, PB_LEN_BYTES))
		return 0;
	size_t at = b->len;
	b->len += PB_LEN_BYTES;
	return at;
}

void pb_close(struct pb_buf *b, size_t opened)
{
	if (b->failed)
		return;
	size_t n = b->len - opened - PB_LEN_BYTES;
	if (n > PB_NESTED_MAX) {
		b->failed = true;
		return;
	}
	/* The length as a minimal varint: the content moves left over the
	 * reserved bytes it does not need.  (Only this message's content lies
	 * after them: messages nest, so no open message's offset moves.) */
	size_t k = 1;
	while (k < PB_LEN_BYTES && n >> (7 * k))
		k++;
	uint8_t *p = b->data + opened;
	if (k < PB_LEN_BYTES) {
		memmove(p + k, p + PB_LEN_BYTES, n);
		b->len -= PB_LEN_BYTES - k;
	}
	for (size_t i = 0; i < k; i++, n >>= 7)
		p[i] = (uint8_t)((n & 0x7f) | (i < k - 1 ? 0x80 : 0));
}
