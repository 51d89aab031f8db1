/*
 * Writes the reader fuzzer's seed corpus into the directory argv[1]: a few
 * small valid traces with every event type, a trace with losses and an
 * unterminated one, and damaged variants (flipped header, chunk-header,
 * frame and trailer bytes; truncations).  Small on purpose: libFuzzer
 * mutates faster on small inputs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/endian.h"
#include "tests/support/tracebuild.h"
#include "trace-format/format.h"

static const char *dir;

static void save(const char *name, const uint8_t *d, size_t len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(d, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* Every event type, on two threads, over three small chunks. */
static struct lot_tb *all_types(bool trailer, uint64_t lost)
{
	static const uint64_t pcs[] = {0x401000, 0x401200, 0x400f00, 0x7fff00001000};
	static const uint8_t trace[16] = {0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6,
					  0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36};
	struct lot_tb *b = lot_tb_new(NULL);
	uint64_t t = 0;
	for (int c = 0; c < 3; c++) {
		uint64_t tid = 100 + (uint64_t)(c % 2);
		struct lot_writer *w = lot_tb_chunk_begin_cap(b, tid, c % 2 ? "worker" : "main", t, c == 1 ? lost : 0, 4096);
#define T (t += 17, lot_tb_ticks(b, t))
		uint32_t name = lot_writer_string(w, "handle_request");
		uint32_t reason = lot_writer_string(w, "mutex");
		uint32_t stack = lot_writer_stack(w, pcs, 4);
		uint32_t tr = lot_writer_trace(w, trace);
		uint64_t span = 0x5a5a000000000000ull ^ (tid << 32) ^ 1;
		lot_write_thread_begin(w, T, tid, name, tid << 10);
		lot_write_task_create(w, T, 7, 0, name, stack);
		lot_write_task_start(w, T, 7);
		lot_write_span_begin(w, T, span, 0, tr, name, stack);
		lot_write_span_attr(w, T, span, reason, lot_value_str("GET /"));
		lot_write_span_attr(w, T, span, reason, lot_value_int(-42));
		lot_write_task_block(w, T, reason, name, stack);
		lot_write_task_unblock(w, T, 8, stack);
		lot_write_task_yield(w, T);
		lot_write_instant(w, T, name, 0);
		lot_write_counter(w, T, reason, -1000000);
		lot_write_lost(w, T, 3);
		lot_write_clock_sync(w, T, 123456789, 987654321, 1767225600000000000ull);
		lot_write_span_end(w, T, span);
		lot_write_task_end(w, T);
		lot_write_thread_end(w, T);
#undef T
		lot_tb_chunk_end(b);
	}
	if (lost)
		lot_tb_thread_lost(b, 100, lost);
	lot_tb_stat(b, "signals", 2);
	if (trailer)
		lot_tb_trailer(b, t + 100);
	return b;
}

static void variant(const char *name, const uint8_t *d, size_t len, size_t at, uint8_t x)
{
	uint8_t *c = malloc(len);
	memcpy(c, d, len);
	if (at < len)
		c[at] ^= x;
	save(name, c, len);
	free(c);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	struct lot_tb *b = all_types(true, 0);
	size_t len;
	const uint8_t *d = lot_tb_data(b, &len);
	save("valid.lot", d, len);
	size_t hdr = LOT_RECORD_PREFIX + lot_get_le32(d + 4);
	size_t chunk2 = hdr + LOT_RECORD_PREFIX + lot_get_le32(d + hdr + 4) +
			lot_get_le32(d + hdr + LOT_RECORD_PREFIX + LOT_CH_OFF_COMP_LEN);
	variant("bad-header-crc.lot", d, len, hdr - 3, 0x10);
	variant("bad-chunk-crc.lot", d, len, hdr + LOT_RECORD_PREFIX + LOT_CH_OFF_TID, 1);
	variant("bad-frame.lot", d, len, chunk2 - 6, 0x20);
	variant("bad-trailer.lot", d, len, len - 30, 0x01);
	save("truncated.lot", d, chunk2 + 50);
	lot_tb_free(b);

	b = all_types(true, 9);
	d = lot_tb_data(b, &len);
	save("lost.lot", d, len);
	lot_tb_free(b);

	b = all_types(false, 0);
	d = lot_tb_data(b, &len);
	save("no-trailer.lot", d, len);
	lot_tb_free(b);

	struct lot_clock_info clock = {.freq_hz = 2400000000u, .start_ticks = 5000, .time_shift = 4,
				       .source = LOT_CLOCK_TSC};
	b = lot_tb_new(&clock);
	struct lot_writer *w = lot_tb_chunk_begin(b, 1, "shifted", 0, 0);
	for (int i = 0; i < 20; i++)
		lot_write_task_start(w, lot_tb_ticks(b, (uint64_t)i * 1000), (uint64_t)i);
	lot_tb_trailer(b, 30000);
	d = lot_tb_data(b, &len);
	save("time-shift.lot", d, len);
	lot_tb_free(b);
	return 0;
}
