/*
 * Make a real process's trace look recorded on another host whose wall
 * clock is off: rewrite its header with another host name (same length, so
 * every offset after the header stays put) and CLOCK_REALTIME shifted by
 * SHIFT_NS, the monotonic clock moved far away (another host's is
 * unrelated).  The chunks are copied as they are.  For tests/examples/chain.sh.
 *
 * usage: reheader IN OUT SHIFT_NS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/endian.h"
#include "trace-format/file_writer.h"
#include "trace-format/reader.h"

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: reheader IN OUT SHIFT_NS\n");
		return 1;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	static uint8_t data[64 << 20];
	size_t len = fread(data, 1, sizeof data, f);
	fclose(f);
	struct lot_read_error err;
	struct lot_reader *r = lot_reader_open_mem(data, len, NULL, &err);
	if (!r) {
		fprintf(stderr, "reheader: %s: %s\n", argv[1], err.message);
		return 1;
	}
	const struct lot_file_header *h = lot_reader_header(r);
	struct lot_clock_info c = h->clock;
	c.start_real_ns += (uint64_t)strtoll(argv[3], NULL, 10);
	c.start_mono_ns += 86400000000000ull; /* a day: another host's boot */
	struct lot_kv *meta = calloc(h->n_meta, sizeof *meta);
	char other[256] = "";
	for (size_t i = 0; i < h->n_meta; i++) {
		meta[i] = h->meta[i];
		if (!strcmp(meta[i].key, "host")) { /* the same length: "otherhost..." cut or padded */
			size_t n = strlen(meta[i].value) < sizeof other ? strlen(meta[i].value) : 0;
			for (size_t k = 0; k < n; k++)
				other[k] = "otherhost"[k % 9];
			other[n] = '\0';
			meta[i].value = other;
		}
	}
	uint8_t key[16];
	lot_put_le64(key, h->trace_key[0]);
	lot_put_le64(key + 8, h->trace_key[1]);
	struct lot_buf b = {0};
	if (!lot_header_encode(&b, &c, meta, h->n_meta, h->modules, h->n_modules,
			       h->has_trace_key ? key : NULL) ||
	    b.len != h->size) {
		fprintf(stderr, "reheader: the header changed size (%zu, was %llu)\n", b.len,
			(unsigned long long)h->size);
		return 1;
	}
	f = fopen(argv[2], "wb");
	if (!f || fwrite(b.data, 1, b.len, f) != b.len ||
	    fwrite(data + h->size, 1, len - h->size, f) != len - h->size || fclose(f)) {
		perror(argv[2]);
		return 1;
	}
	lot_buf_free(&b);
	free(meta);
	lot_reader_close(r);
	return 0;
}
