/*
 * Writes the `lotrace` test corpus: good and damaged trace files, into the
 * directory given as the only argument (tests/data/ when run by
 * `make regen-corpus`).
 *
 * Deterministic on purpose: fixed clocks, fixed ids, a fixed-seed generator
 * for the random bytes, no time or pid, so a test can check that the files
 * checked in under tests/data/ are exactly what this program writes.  Each
 * damaged file is one damage applied to a good image, named for the damage;
 * tests/data/README.md says what each one checks.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/endian.h"
#include "lib/varint.h"
#include "tests/support/tracebuild.h"
#include "trace-format/file_writer.h"
#include "trace-format/format.h"
#include "trace-format/trace_id.h"
#include "trace-format/types.h"
#include "trace-format/writer.h"

static const char *out_dir;

static void die(const char *what)
{
	fprintf(stderr, "gen_corpus: %s\n", what);
	exit(1);
}

static void save(const char *name, const void *data, size_t len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", out_dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		die(path);
}

/* A copy of an image that a damage can change. */
struct image {
	uint8_t *data;
	size_t len;
};

static struct image copy_of(const struct lot_tb *b)
{
	size_t len;
	const uint8_t *d = lot_tb_data(b, &len);
	struct image im = {malloc(len ? len : 1), len};
	if (!im.data)
		die("out of memory");
	memcpy(im.data, d, len);
	return im;
}

/* Chunk record layout at a record offset: body size, and where its LZ4 frame lies. */
static size_t chunk_body_len(const struct image *im, size_t rec)
{
	return lot_get_le32(im->data + rec + 4);
}
static size_t chunk_frame_off(const struct image *im, size_t rec)
{
	return rec + LOT_RECORD_PREFIX + chunk_body_len(im, rec);
}
static size_t chunk_frame_len(const struct image *im, size_t rec)
{
	return lot_get_le32(im->data + rec + LOT_RECORD_PREFIX + LOT_CH_OFF_COMP_LEN);
}

/* ---- the good trace: every event type, two threads, three chunks ---- */

static const uint8_t trace_id[16] = {0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6,
				     0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36};
static const uint64_t stack1[] = {0x401234, 0x402345, 0x7f12345678a0};
static const uint64_t stack2[] = {0x401300, 0x401234, 0x402345, 0x7f12345678a0};
static const uint64_t stack3[] = {0x405000};
#define SPAN_REQ 0x1111222233334444ull
#define SPAN_DB 0x00f0000000000001ull

/* Where the damages below apply. */
struct valid_layout {
	uint64_t chunk[3]; /* record offsets of chunks A, B, C */
	size_t no_trailer_len;
};

static void clock_sync(struct lot_tb *b, struct lot_writer *w, uint64_t ns)
{
	lot_write_clock_sync(w, lot_tb_ticks(b, ns), lot_tb_ticks(b, ns), 5000000000ull + ns,
			     1767225600000000000ull + ns);
}

/* Chunk A: thread 101 "main" starts a request, a span with attributes, blocks. */
static void chunk_a(struct lot_tb *b)
{
	struct lot_writer *w = lot_tb_chunk_begin(b, 101, "main", 0, 0);
	uint32_t s1 = lot_writer_stack(w, stack1, 3), s2 = lot_writer_stack(w, stack2, 4);
	uint32_t tr = lot_writer_trace(w, trace_id);
	clock_sync(b, w, 0);
	lot_write_thread_begin(w, lot_tb_ticks(b, 100), 101, lot_writer_string(w, "main"), 1025);
	lot_write_task_create(w, lot_tb_ticks(b, 200), 1, 0,
			      lot_writer_string(w, "request GET /users?id=7"), s1);
	lot_write_task_start(w, lot_tb_ticks(b, 300), 1);
	lot_write_span_begin(w, lot_tb_ticks(b, 400), SPAN_REQ, 0, tr, lot_writer_string(w, "handle"), s1);
	lot_write_span_attr(w, lot_tb_ticks(b, 450), SPAN_REQ, lot_writer_string(w, "http.method"),
			    lot_value_str("GET"));
	lot_write_span_attr(w, lot_tb_ticks(b, 460), SPAN_REQ, lot_writer_string(w, "http.status"),
			    lot_value_int(200));
	/* a value that needs escaping: newline, quotes, tab, UTF-8, a byte that is not UTF-8 */
	lot_write_span_attr(w, lot_tb_ticks(b, 470), SPAN_REQ, lot_writer_string(w, "note"),
			    lot_value_str("line1\nline2 \"q\"\tcaf\xc3\xa9 \xff end"));
	lot_write_instant(w, lot_tb_ticks(b, 500), lot_writer_string(w, "cache miss"), s2);
	lot_write_counter(w, lot_tb_ticks(b, 600), lot_writer_string(w, "queue.depth"), -3);
	lot_write_task_block(w, lot_tb_ticks(b, 700), lot_writer_string(w, "mutex"),
			     lot_writer_string(w, "db_pool"), s2);
}

/* Chunk B: thread 202 wakes the request, ends its span (spans may end on
 * another thread); its header tells 5 events lost before it. */
static void chunk_b(struct lot_tb *b)
{
	static const char name[] = "worker \"2\"";
	struct lot_writer *w = lot_tb_chunk_begin(b, 202, name, 650, 5);
	lot_write_thread_begin(w, lot_tb_ticks(b, 650), 202, lot_writer_string(w, name), 2049);
	lot_write_task_unblock(w, lot_tb_ticks(b, 800), 1, lot_writer_stack(w, stack3, 1));
	lot_write_lost(w, lot_tb_ticks(b, 850), 2);
	lot_write_task_yield(w, lot_tb_ticks(b, 900));
	lot_write_span_end(w, lot_tb_ticks(b, 950), SPAN_REQ);
	lot_write_instant(w, lot_tb_ticks(b, 960), lot_writer_string(w, "no stack"), 0);
	lot_write_task_end(w, lot_tb_ticks(b, 990));
	lot_write_thread_end(w, lot_tb_ticks(b, 1000));
}

/* Chunk C: thread 101 again; strings, stacks and trace ids are defined anew. */
static void chunk_c(struct lot_tb *b)
{
	struct lot_writer *w = lot_tb_chunk_begin(b, 101, "main", 1000, 0);
	lot_write_task_start(w, lot_tb_ticks(b, 1100), 1);
	lot_write_span_begin(w, lot_tb_ticks(b, 1200), SPAN_DB, SPAN_REQ, lot_writer_trace(w, trace_id),
			     lot_writer_string(w, "db query"), 0);
	lot_write_span_end(w, lot_tb_ticks(b, 1300), SPAN_DB);
	lot_write_counter(w, lot_tb_ticks(b, 1350), lot_writer_string(w, "queue.depth"), 12345678901ll);
	lot_write_task_end(w, lot_tb_ticks(b, 1400));
	clock_sync(b, w, 1500);
	lot_write_thread_end(w, lot_tb_ticks(b, 1500));
}

static struct lot_tb *build_valid(struct valid_layout *lay, bool trailer)
{
	struct lot_tb *b = lot_tb_new(NULL);
	chunk_a(b);
	lay->chunk[0] = lot_tb_chunk_end(b);
	chunk_b(b);
	lay->chunk[1] = lot_tb_chunk_end(b);
	chunk_c(b);
	lay->chunk[2] = lot_tb_chunk_end(b);
	size_t len;
	lot_tb_data(b, &len);
	lay->no_trailer_len = len;
	if (trailer) {
		/* losses only the trailer knows: 7 more on the worker, 3 on main */
		lot_tb_thread_lost(b, 202, 7);
		lot_tb_thread_lost(b, 101, 3);
		lot_tb_stat(b, "snapshots", 1);
		lot_tb_stat(b, "chunks_dropped", 0);
		lot_tb_stat(b, "io_uring_fallback", 0);
		lot_tb_trailer(b, 2000);
	}
	return b;
}

/* A second good trace on a TSC-like clock: 3 GHz, deltas in units of 8 ticks;
 * its second chunk is the recorder's with stacks off: no stack arguments,
 * a root span whose trace id is a trace_gen, a child, and a span under a
 * remote parent (an absolute id delta). */
static void gen_valid_tsc(void)
{
	struct lot_clock_info c = {.freq_hz = 3000000000ull, .start_ticks = 123456789000ull,
				   .start_mono_ns = 1000000000000ull,
				   .start_real_ns = 1767225600123456789ull, .time_shift = 3,
				   .source = LOT_CLOCK_TSC};
	struct lot_tb *b = lot_tb_new(&c);
	struct lot_writer *w = lot_tb_chunk_begin(b, 7, "tsc-thread", 0, 0);
	lot_write_thread_begin(w, lot_tb_ticks(b, 0), 7, lot_writer_string(w, "tsc-thread"), 4096);
	for (uint64_t i = 0; i < 20; i++)
		lot_write_counter(w, lot_tb_ticks(b, 1000 * i + 7), lot_writer_string(w, "ticks"),
				  (int64_t)(i * i) - 50);
	lot_tb_chunk_end(b);

	w = lot_tb_chunk_begin(b, 7, "tsc-thread", 20000, 0);
	lot_tb_chunk_omit_stacks(b);
	const uint64_t key[2] = {lot_get_le64(lot_tb_trace_key_bytes),
				 lot_get_le64(lot_tb_trace_key_bytes + 8)};
	uint64_t root = (0x5a5a000000000000ull ^ (7ull << 32)) + 1; /* the chunk's span_base + 1 */
	uint64_t child = root + 1, remote_child = root + 2;
	uint8_t gen_id[16];
	lot_trace_id_derive(key, root, gen_id);
	uint32_t req = lot_writer_string(w, "request");
	lot_write_task_create(w, lot_tb_ticks(b, 20100), 4097, 0, req, 0);
	lot_write_task_start(w, lot_tb_ticks(b, 20200), 4097);
	lot_write_span_begin(w, lot_tb_ticks(b, 20300), root, 0, lot_writer_trace_gen(w, root, gen_id),
			     lot_writer_string(w, "http.request"), 0);
	lot_write_span_begin(w, lot_tb_ticks(b, 20400), child, root, lot_writer_trace(w, gen_id),
			     lot_writer_string(w, "db.query"), 0);
	lot_write_span_end(w, lot_tb_ticks(b, 20500), child);
	lot_write_span_end(w, lot_tb_ticks(b, 20600), root);
	lot_write_span_begin(w, lot_tb_ticks(b, 20700), remote_child, 0xb7ad6b7169203331ull,
			     lot_writer_trace(w, trace_id), lot_writer_string(w, "from remote"), 0);
	lot_write_span_end(w, lot_tb_ticks(b, 20800), remote_child);
	lot_write_task_end(w, lot_tb_ticks(b, 20900));
	lot_write_thread_end(w, lot_tb_ticks(b, 25000));
	lot_tb_trailer(b, 30000);
	size_t len;
	const uint8_t *d = lot_tb_data(b, &len);
	save("valid-tsc.lot", d, len);
	lot_tb_free(b);
}

/* ---- files that are not traces, or whose header is bad: exit 2 ---- */

static uint64_t rng_state = 0x853c49e6748fea9bull;
static uint8_t rng_byte(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint8_t)(rng_state >> 56);
}

static void gen_not_traces(const struct image *valid)
{
	save("empty.lot", "", 0);
	static const char text[] = "This is not a trace file.\nJust text.\n";
	save("text.lot", text, sizeof text - 1);
	uint8_t elf[512] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
	for (size_t i = 16; i < sizeof elf; i++)
		elf[i] = rng_byte();
	save("elf.lot", elf, sizeof elf);
	uint8_t rnd[4096];
	for (size_t i = 0; i < sizeof rnd; i++)
		rnd[i] = rng_byte();
	save("random.lot", rnd, sizeof rnd);
	/* the header record cut short: 40 bytes of a header of several hundred */
	save("truncated-header.lot", valid->data, 40);
	/* only the header record, whole, then nothing: a trace with no chunks
	 * and no trailer (a process that died at once) */
	save("header-only.lot", valid->data, LOT_RECORD_PREFIX + lot_get_le32(valid->data + 4));

	struct image im = *valid;
	im.data = malloc(valid->len);
	memcpy(im.data, valid->data, valid->len);
	uint8_t *host = memmem(im.data, LOT_RECORD_PREFIX + lot_get_le32(im.data + 4), "testhost", 8);
	if (!host)
		die("no host in header");
	host[0] ^= 0x20; /* "Testhost": the header CRC no longer matches */
	save("header-crc.lot", im.data, im.len);
	host[0] ^= 0x20;
	lot_put_le16(im.data + LOT_RECORD_PREFIX + LOT_HDR_OFF_MAJOR, LOT_FORMAT_MAJOR + 1);
	save("newer-major.lot", im.data, im.len);
	free(im.data);
}

/* ---- damaged chunks or trailer: read what is good, exit 3 ---- */

static void gen_damaged(const struct image *valid, const struct valid_layout *lay)
{
	struct image im = {malloc(valid->len), valid->len};
	if (!im.data)
		die("out of memory");
#define RESET() memcpy(im.data, valid->data, valid->len)

	save("no-trailer.lot", valid->data, lay->no_trailer_len);
	/* the last chunk cut in the middle of its LZ4 frame, no trailer */
	size_t cut = chunk_frame_off(valid, lay->chunk[2]) + chunk_frame_len(valid, lay->chunk[2]) / 2;
	save("truncated-last-chunk.lot", valid->data, cut);

	/* chunk B: a payload byte flipped (LZ4 data or content checksum fails) */
	RESET();
	im.data[chunk_frame_off(&im, lay->chunk[1]) + chunk_frame_len(&im, lay->chunk[1]) / 2] ^= 0x55;
	save("flipped-chunk-data.lot", im.data, im.len);

	/* chunk B: its header intact (CRC valid) but its LZ4 frame garbage */
	RESET();
	for (size_t i = 0; i < chunk_frame_len(&im, lay->chunk[1]); i++)
		im.data[chunk_frame_off(&im, lay->chunk[1]) + i] = rng_byte();
	save("bad-lz4.lot", im.data, im.len);

	/* chunk B: its header's sequence number changed, CRC not updated */
	RESET();
	im.data[lay->chunk[1] + LOT_RECORD_PREFIX + LOT_CH_OFF_SEQ] ^= 0x01;
	save("bad-chunk-crc.lot", im.data, im.len);

	/* the trailer's CRC no longer matches: all chunks read, totals unknown */
	RESET();
	im.data[lay->no_trailer_len + LOT_RECORD_PREFIX + 8] ^= 0x01;
	save("bad-trailer.lot", im.data, im.len);
#undef RESET
	free(im.data);
}

/* One chunk of good events on thread 9, then one whose payload is bad in a
 * way only the event decoder sees (LZ4 and checksums are fine), then a good one. */
static void gen_bad_payload(const char *name, void (*spoil)(struct lot_tb *, struct lot_writer *))
{
	struct lot_tb *b = lot_tb_new(NULL);
	struct lot_writer *w = lot_tb_chunk_begin(b, 9, "t9", 0, 0);
	lot_write_thread_begin(w, lot_tb_ticks(b, 10), 9, lot_writer_string(w, "t9"), 0);
	lot_write_instant(w, lot_tb_ticks(b, 20), lot_writer_string(w, "before"), 0);
	lot_tb_chunk_end(b);
	w = lot_tb_chunk_begin(b, 9, "t9", 100, 0);
	lot_write_instant(w, lot_tb_ticks(b, 110), lot_writer_string(w, "in the bad chunk"), 0);
	spoil(b, w);
	lot_tb_chunk_end(b);
	w = lot_tb_chunk_begin(b, 9, "t9", 200, 0);
	lot_write_instant(w, lot_tb_ticks(b, 210), lot_writer_string(w, "after"), 0);
	lot_write_thread_end(w, lot_tb_ticks(b, 220));
	lot_tb_trailer(b, 300);
	size_t len;
	const uint8_t *d = lot_tb_data(b, &len);
	save(name, d, len);
	lot_tb_free(b);
}

/* The last event stops after its name: its stack argument runs past the payload. */
static void spoil_past_end(struct lot_tb *b, struct lot_writer *w)
{
	uint32_t s = lot_writer_string(w, "cut short");
	uint8_t *p = w->pos;
	*p++ = LOT_EV_instant;
	p = lot_writer_put_time(w, p, lot_tb_ticks(b, 120));
	p = lot_varint_put(p, s);
	w->pos = p;
	w->events++;
}

static void spoil_undefined_string(struct lot_tb *b, struct lot_writer *w)
{
	lot_write_instant(w, lot_tb_ticks(b, 120), 99, 0); /* string 99 never defined */
}

static void spoil_undefined_stack(struct lot_tb *b, struct lot_writer *w)
{
	lot_write_task_unblock(w, lot_tb_ticks(b, 120), 3, 7); /* stack 7 never defined */
}

/* ---- a newer minor version: an event type this build does not know ---- */

#define GC_PAUSE 0x60

/* The built-in header, but minor + 1, an extra type, and an unknown section. */
static void newer_minor_header(struct lot_buf *out, const struct lot_clock_info *c)
{
	size_t body;
	lot_buf_le32(out, LOT_MAGIC_HEADER);
	lot_buf_le32(out, 0);
	body = out->len;
	lot_buf_append(out, LOT_SIGNATURE, LOT_SIGNATURE_LEN);
	lot_buf_le16(out, LOT_FORMAT_MAJOR);
	lot_buf_le16(out, LOT_FORMAT_MINOR + 1);
	lot_buf_le32(out, 0);

	lot_buf_le16(out, LOT_SEC_CLOCK);
	lot_buf_le32(out, LOT_SEC_CLOCK_LEN);
	lot_buf_le64(out, c->freq_hz);
	lot_buf_le64(out, c->start_ticks);
	lot_buf_le64(out, c->start_mono_ns);
	lot_buf_le64(out, c->start_real_ns);
	lot_buf_u8(out, c->time_shift);
	lot_buf_u8(out, c->source);

	struct lot_buf s = {0};
	lot_buf_varint(&s, 2);
	lot_buf_lstr(&s, "service");
	lot_buf_lstr(&s, "future");
	lot_buf_lstr(&s, "pid");
	lot_buf_lstr(&s, "77");
	lot_buf_le16(out, LOT_SEC_META);
	lot_buf_le32(out, (uint32_t)s.len);
	lot_buf_append(out, s.data, s.len);
	lot_buf_free(&s);

	lot_buf_varint(&s, lot_builtin_types_count + 1);
	for (size_t i = 0; i < lot_builtin_types_count; i++) {
		const struct lot_type_desc *t = &lot_builtin_types[i];
		lot_buf_u8(&s, t->code);
		lot_buf_lstr(&s, t->name);
		lot_buf_u8(&s, t->flags);
		lot_buf_u8(&s, t->nargs);
		for (unsigned a = 0; a < t->nargs; a++) {
			lot_buf_lstr(&s, t->arg_names[a]);
			lot_buf_u8(&s, t->arg_kinds[a]);
		}
	}
	lot_buf_u8(&s, GC_PAUSE);
	lot_buf_lstr(&s, "gc_pause");
	lot_buf_u8(&s, LOT_TIMED);
	lot_buf_u8(&s, 3);
	lot_buf_lstr(&s, "duration_ns");
	lot_buf_u8(&s, LOT_KIND_UVAR);
	lot_buf_lstr(&s, "cause");
	lot_buf_u8(&s, LOT_KIND_STRING);
	lot_buf_lstr(&s, "heap_delta");
	lot_buf_u8(&s, LOT_KIND_SVAR);
	lot_buf_le16(out, LOT_SEC_TYPES);
	lot_buf_le32(out, (uint32_t)s.len);
	lot_buf_append(out, s.data, s.len);
	lot_buf_free(&s);

	lot_buf_le16(out, LOT_SEC_MODULES);
	lot_buf_le32(out, 1);
	lot_buf_u8(out, 0);

	lot_buf_le16(out, 0x7777); /* a section this build does not know: skipped */
	lot_buf_le32(out, 5);
	lot_buf_append(out, "hello", 5);

	if (!lot_buf_ok(out))
		die("out of memory");
	lot_put_le32(out->data + body - 4, (uint32_t)(out->len - body));
	lot_put_le32(out->data + body + LOT_HDR_OFF_CRC,
		     lot_crc32(out->data + body + LOT_HDR_FIXED, out->len - body - LOT_HDR_FIXED));
}

static void gen_newer_minor(void)
{
	struct lot_clock_info c = {.freq_hz = 1000000000, .start_ticks = 1000000000,
				   .start_mono_ns = 5000000000, .start_real_ns = 1767225600000000000ull,
				   .source = LOT_CLOCK_MONOTONIC};
	struct lot_buf file = {0};
	newer_minor_header(&file, &c);

	static uint8_t raw[LOT_CHUNK_MIN];
	struct lot_writer w;
	uint64_t t0 = c.start_ticks;
	lot_writer_reset(&w, raw, sizeof raw, t0, 0, 0, 0);
	lot_write_thread_begin(&w, t0 + 10, 5, lot_writer_string(&w, "gc"), 0);
	uint32_t cause = lot_writer_string(&w, "alloc");
	/* gc_pause(duration_ns 1500, cause "alloc", heap_delta -4096), encoded by hand */
	uint8_t *p = w.pos;
	*p++ = GC_PAUSE;
	p = lot_writer_put_time(&w, p, t0 + 20);
	p = lot_varint_put(p, 1500);
	p = lot_varint_put(p, cause);
	p = lot_svarint_put(p, -4096);
	w.pos = p;
	w.events++;
	lot_write_instant(&w, t0 + 30, lot_writer_string(&w, "after gc"), 0);
	lot_write_thread_end(&w, t0 + 40);

	struct lot_chunk_info ci = {.tid = 5, .seq = 0, .events = w.events, .base_ticks = t0,
				    .end_ticks = lot_writer_end_ticks(&w), .raw_len = (uint32_t)lot_writer_used(&w),
				    .thread_name = "gc"};
	struct lot_compressor *comp = lot_compressor_new();
	size_t bound = lot_chunk_record_bound(ci.raw_len) + 8;
	uint64_t chunk_off = file.len;
	uint8_t *rec = lot_buf_reserve(&file, bound);
	size_t n = comp && rec ? lot_chunk_record_encode(comp, &ci, raw, rec, bound) : 0;
	if (!n)
		die("chunk encode");
	/* A newer minor may append chunk-header fields after the name: add 8 bytes. */
	size_t hbody = lot_get_le32(rec + 4);
	memmove(rec + LOT_RECORD_PREFIX + hbody + 8, rec + LOT_RECORD_PREFIX + hbody,
		n - LOT_RECORD_PREFIX - hbody);
	memcpy(rec + LOT_RECORD_PREFIX + hbody, "newfield", 8);
	lot_put_le32(rec + 4, (uint32_t)(hbody + 8));
	lot_put_le32(rec + LOT_RECORD_PREFIX,
		     lot_crc32(rec + LOT_RECORD_PREFIX + 4, hbody + 8 - 4));
	file.len += n + 8;
	lot_compressor_free(comp);

	struct lot_thread_total th = {.tid = 5, .name = "gc", .written = w.events, .chunks = 1};
	struct lot_index_entry ix = {.offset = chunk_off, .tid = 5, .seq = 0,
				     .base_ticks = t0, .end_ticks = ci.end_ticks};
	struct lot_trailer_info ti = {.threads = &th, .n_threads = 1, .index = &ix, .n_index = 1,
				      .end_ticks = t0 + 100, .end_mono_ns = c.start_mono_ns + 100,
				      .end_real_ns = c.start_real_ns + 100};
	if (!lot_trailer_encode(&file, file.len, &ti))
		die("trailer encode");
	save("newer-minor.lot", file.data, file.len);
	lot_buf_free(&file);
}

/* --big: a large valid trace (not part of the corpus) for streaming and
 * SIGPIPE tests: n_chunks full 64 KiB chunks on four threads. */
static int gen_big(const char *path, unsigned long n_chunks)
{
	static const uint64_t pcs[] = {0x401000, 0x402000, 0x403000, 0x7f0000001000};
	struct lot_tb *b = lot_tb_new(NULL);
	uint64_t ns = 0, span = 1;
	for (unsigned long c = 0; c < n_chunks; c++) {
		uint64_t tid = 1000 + c % 4;
		struct lot_writer *w = lot_tb_chunk_begin(b, tid, "big", ns, 0);
		for (uint64_t i = 0;; i++) {
			ns += 1 + i % 7;
			uint64_t t = lot_tb_ticks(b, ns);
			bool ok;
			switch (i % 6) {
			case 0: ok = lot_write_task_start(w, t, i); break;
			case 1: ok = lot_write_span_begin(w, t, span, 0, lot_writer_trace(w, trace_id),
							  lot_writer_string(w, "op"),
							  lot_writer_stack(w, pcs, 4)); break;
			case 2: ok = lot_write_span_attr(w, t, span, lot_writer_string(w, "k"),
							 lot_value_int((int64_t)i)); break;
			case 3: ok = lot_write_span_end(w, t, span++); break;
			case 4: ok = lot_write_counter(w, t, lot_writer_string(w, "depth"), (int64_t)(i % 100)); break;
			default: ok = lot_write_task_block(w, t, lot_writer_string(w, "io"), 0, 0); break;
			}
			/* stop while every event and its definitions still fit, so no
			 * LOT_NOROOM id is ever written */
			if (!ok || w->end - w->pos < 256)
				break;
		}
		lot_tb_chunk_end(b);
	}
	lot_tb_trailer(b, ns + 1);
	size_t len;
	const uint8_t *d = lot_tb_data(b, &len);
	FILE *f = fopen(path, "wb");
	int bad = !f || fwrite(d, 1, len, f) != len;
	if (f && fclose(f) != 0)
		bad = 1;
	lot_tb_free(b);
	if (bad)
		die(path);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--big"))
		return gen_big(argv[2], strtoul(argv[3], NULL, 10));
	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus DIR | gen_corpus --big FILE CHUNKS\n");
		return 1;
	}
	out_dir = argv[1];

	struct valid_layout lay;
	struct lot_tb *b = build_valid(&lay, true);
	struct image valid = copy_of(b);
	save("valid.lot", valid.data, valid.len);
	gen_valid_tsc();
	gen_not_traces(&valid);
	gen_damaged(&valid, &lay);
	gen_bad_payload("event-past-chunk.lot", spoil_past_end);
	gen_bad_payload("undefined-string.lot", spoil_undefined_string);
	gen_bad_payload("undefined-stack.lot", spoil_undefined_stack);
	gen_newer_minor();
	free(valid.data);
	lot_tb_free(b);
	return 0;
}
