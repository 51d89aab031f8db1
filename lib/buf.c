#include "lib/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/endian.h"
#include "lib/varint.h"

void lot_buf_free(struct lot_buf *b)
{
	free(b->data);
	*b = (struct lot_buf){0};
}

bool lot_buf_ok(const struct lot_buf *b) { return !b->failed; }

uint8_t *lot_buf_reserve(struct lot_buf *b, size_t n)
{
	if (b->failed)
		return NULL;
	if (n > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap - b->len < n) {
			if (cap > SIZE_MAX / 2) {
				b->failed = true;
				return NULL;
			}
			cap *= 2;
		}
		uint8_t *d = realloc(b->data, cap);
		if (!d) {
			b->failed = true;
			return NULL;
		}
		b->data = d;
		b->cap = cap;
	}
	return b->data + b->len;
}

void lot_buf_append(struct lot_buf *b, const void *p, size_t n)
{
	uint8_t *d = lot_buf_reserve(b, n);
	if (!d)
		return;
	if (n)
		memcpy(d, p, n);
	b->len += n;
}

void lot_buf_u8(struct lot_buf *b, uint8_t v) { lot_buf_append(b, &v, 1); }

#define LOT_BUF_FIXED(bits)                                          \
	void lot_buf_le##bits(struct lot_buf *b, uint##bits##_t v)   \
	{                                                            \
		uint8_t tmp[bits / 8];                               \
		lot_put_le##bits(tmp, v);                            \
		lot_buf_append(b, tmp, sizeof tmp);                  \
	}
LOT_BUF_FIXED(16)
LOT_BUF_FIXED(32)
LOT_BUF_FIXED(64)

void lot_buf_varint(struct lot_buf *b, uint64_t v)
{
	uint8_t tmp[LOT_VARINT_MAX];
	lot_buf_append(b, tmp, (size_t)(lot_varint_put(tmp, v) - tmp));
}

void lot_buf_lbytes(struct lot_buf *b, const void *p, size_t n)
{
	lot_buf_varint(b, n);
	lot_buf_append(b, p, n);
}

void lot_buf_lstr(struct lot_buf *b, const char *s)
{
	lot_buf_lbytes(b, s ? s : "", s ? strlen(s) : 0);
}

int lot_buf_read_file(struct lot_buf *b, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int err = 0;
	for (;;) {
		uint8_t *d = lot_buf_reserve(b, 4096);
		if (!d) {
			err = -ENOMEM;
			break;
		}
		ssize_t r = read(fd, d, 4096);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = r < 0 ? -errno : 0;
			break;
		}
		b->len += (size_t)r;
	}
	close(fd);
	if (!err) {
		lot_buf_u8(b, 0);
		if (!lot_buf_ok(b))
			return -ENOMEM;
		b->len--; /* the NUL is there, not counted */
	}
	return err;
}
