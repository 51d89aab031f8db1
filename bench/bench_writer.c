/*
 * The format writer alone: encoding a realistic mix of task and span events
 * (bench/workload.h) into 64 KiB chunks, then compressing the chunks as the
 * flusher does (lot_chunk_record_encode: chunk header + LZ4 frame).
 *
 * Figures: bytes/event before and after compression (against LTTng-UST's
 * 22 B/event measured here, brief section 2), ns/event to encode (against a
 * plain memcpy of a fixed 16-byte record per event, same events, same run),
 * ns/event to compress (against a memcpy of the same payload bytes).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lz4frame.h>

#include "bench/bench.h"
#include "bench/workload.h"
#include "trace-format/file_writer.h"
#include "trace-format/writer.h"

#define CHUNK (64u * 1024)
#define TABLE_OPS 16384
#define SPAN_PREFIX (0x2aull << 40)

struct ctx {
	struct lot_writer w;
	uint8_t *buf;
	uint64_t bytes, events, chunks;
	/* when set, sealed chunks are copied here (for the compression pass) */
	uint8_t *keep;
	struct lot_chunk_info *keep_info;
	size_t nkeep, maxkeep;
};

static void seal(struct ctx *c, uint64_t next_base)
{
	size_t used = lot_writer_used(&c->w);
	if (c->keep && c->nkeep < c->maxkeep) {
		memcpy(c->keep + c->nkeep * CHUNK, c->buf, used);
		c->keep_info[c->nkeep] = (struct lot_chunk_info){
			.tid = 4242, .seq = (uint32_t)c->nkeep, .events = c->w.events,
			.base_ticks = c->w.base_ticks, .end_ticks = lot_writer_end_ticks(&c->w),
			.flags = WL_CHUNK_FLAGS, .span_base = SPAN_PREFIX, .raw_len = (uint32_t)used,
			.thread_name = "worker-1",
		};
		c->nkeep++;
	}
	c->bytes += used;
	c->events += c->w.events;
	c->chunks++;
	wl_writer_reset(&c->w, c->buf, CHUNK, next_base, SPAN_PREFIX);
}

/* The measured loop: every op of the table, `passes` times, time moving on. */
__attribute__((noinline)) static void encode_passes(struct ctx *c, const struct wl_table *t,
						    unsigned passes)
{
	for (unsigned p = 0; p < passes; p++) {
		uint64_t toff = p * t->duration;
		for (size_t i = 0; i < t->n; i++) {
			const struct wl_op *op = &t->op[i];
			if (__builtin_expect(!wl_encode(&c->w, op, toff), 0)) {
				seal(c, op->ticks + toff);
				if (!wl_encode(&c->w, op, toff))
					abort();
			}
		}
	}
}

struct rec16 {
	uint64_t ticks;
	uint32_t kind;
	uint32_t arg;
};

/* The baseline: a fixed 16-byte record per event, copied into the same kind of chunk. */
__attribute__((noinline)) static uint64_t memcpy_passes(uint8_t *buf, const struct wl_table *t,
							unsigned passes)
{
	uint8_t *pos = buf, *end = buf + CHUNK;
	uint64_t chunks = 0;
	for (unsigned p = 0; p < passes; p++) {
		uint64_t toff = p * t->duration;
		for (size_t i = 0; i < t->n; i++) {
			const struct wl_op *op = &t->op[i];
			struct rec16 r = {op->ticks + toff, op->kind, (uint32_t)op->a};
			if (__builtin_expect(end - pos < (ptrdiff_t)sizeof r, 0)) {
				pos = buf;
				chunks++;
			}
			memcpy(pos, &r, sizeof r);
			pos += sizeof r;
		}
	}
	BENCH_KEEP(pos);
	return chunks;
}

/* Where the bytes go: encoded size per event kind (definitions the event
 * triggers included) and the share of the time deltas, as a note line. */
static void size_breakdown(const struct wl_table *t, uint8_t *buf)
{
	static const char *names[] = {"task_create", "task_start", "task_block", "task_unblock",
				      "span_begin", "span_end", "span_attr(int)", "span_attr(str)",
				      "instant", "task_end"};
	double bytes[10] = {0}, count[10] = {0}, dt_bytes = 0;
	struct lot_writer w;
	wl_writer_reset(&w, buf, CHUNK, t->op[0].ticks, SPAN_PREFIX);
	uint64_t prev = t->op[0].ticks >> WL_TIME_SHIFT;
	for (size_t i = 0; i < t->n; i++) {
		const struct wl_op *op = &t->op[i];
		uint8_t *before = w.pos;
		if (!wl_encode(&w, op, 0)) {
			wl_writer_reset(&w, buf, CHUNK, op->ticks, SPAN_PREFIX);
			before = w.pos;
			if (!wl_encode(&w, op, 0))
				abort();
		}
		bytes[op->kind] += (double)(w.pos - before);
		count[op->kind]++;
		uint64_t unit = op->ticks >> WL_TIME_SHIFT;
		dt_bytes += (double)lot_varint_len(unit - prev);
		prev = unit;
	}
	double total = 0;
	for (int k = 0; k < 10; k++)
		total += bytes[k];
	printf("{\"bench\":\"writer\",\"note\":\"Where the bytes go (one pass over the "
	       "workload, %zu events, %.2f B/event): ",
	       t->n, total / (double)t->n);
	for (int k = 0; k < 10; k++)
		if (count[k])
			printf("%s %.1f B x %.1f%%; ", names[k], bytes[k] / count[k],
			       100 * count[k] / (double)t->n);
	printf("the type byte is 1 B/event and the time delta %.2f B/event; span_begin "
	       "includes the 3 B trace_gen of each new trace (stacks omitted: chunks without stacks).\"}\n",
	       dt_bytes / (double)t->n);
}

/* The flusher's LZ4 frame (trace-format/file_writer.c: independent blocks,
 * content checksum, the payload in one update) at other accelerations, for
 * the choice of level and of a cheaper mode when the flusher falls behind:
 * bytes and best-of-3 time per event at each, printed as a note. */
static void level_sweep(const struct ctx *c)
{
	static const int accel[] = {1, 2, 4, 8, 16, 64};
	LZ4F_cctx *cctx;
	if (LZ4F_isError(LZ4F_createCompressionContext(&cctx, LZ4F_VERSION)))
		return;
	LZ4F_preferences_t prefs;
	memset(&prefs, 0, sizeof prefs);
	prefs.frameInfo.blockSizeID = LZ4F_max4MB;
	prefs.frameInfo.blockMode = LZ4F_blockIndependent;
	prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
	prefs.autoFlush = 1;
	size_t cap = LZ4F_compressBound(CHUNK, &prefs) + 64;
	uint8_t *out = malloc(cap);
	char note[1024];
	int len = snprintf(note, sizeof note,
			   "LZ4 acceleration on these chunks (content checksum on; the flusher uses 2):");
	for (size_t a = 0; out && a < sizeof accel / sizeof accel[0]; a++) {
		prefs.compressionLevel = -accel[a];
		uint64_t bytes = 0, best = UINT64_MAX;
		for (int pass = 0; pass < 3; pass++) {
			bytes = 0;
			uint64_t t0 = bench_ns();
			for (size_t i = 0; i < c->nkeep; i++) {
				const uint8_t *raw = c->keep + i * CHUNK;
				size_t raw_len = c->keep_info[i].raw_len;
				prefs.frameInfo.contentSize = raw_len;
				size_t n = LZ4F_compressBegin(cctx, out, cap, &prefs);
				n += LZ4F_compressUpdate(cctx, out + n, cap - n, raw, raw_len, NULL);
				n += LZ4F_compressEnd(cctx, out + n, cap - n, NULL);
				bytes += n;
			}
			uint64_t dt = bench_ns() - t0;
			best = dt < best ? dt : best;
		}
		if (len > 0 && (size_t)len < sizeof note)
			len += snprintf(note + len, sizeof note - (size_t)len,
					"%s %d: %.2f B/event, %.2f ns/event", a ? ";" : "", accel[a],
					(double)bytes / (double)c->events, (double)best / (double)c->events);
	}
	if (out && len > 0 && (size_t)len < sizeof note)
		printf("{\"bench\":\"writer\",\"note\":\"%s.\"}\n", note);
	free(out);
	LZ4F_freeCompressionContext(cctx);
}

int main(int argc, char **argv)
{
	bench_init(argc, argv);
	struct wl_table t;
	if (wl_table_build(&t, TABLE_OPS, 0x5eed, SPAN_PREFIX))
		return 1;
	unsigned passes = bench_callgrind ? 8 : 300;
	unsigned keep_passes = bench_callgrind ? 8 : 80; /* about 1.3 M events for LZ4 */

	struct ctx c = {0};
	c.buf = aligned_alloc(64, CHUNK);
	uint8_t *base_buf = aligned_alloc(64, CHUNK);
	if (!c.buf || !base_buf)
		return 1;
	memset(base_buf, 0, CHUNK);

	/* Warm up: caches, page faults, branch predictors. */
	wl_writer_reset(&c.w, c.buf, CHUNK, t.op[0].ticks, SPAN_PREFIX);
	encode_passes(&c, &t, 2);
	memcpy_passes(base_buf, &t, 2);

	/* Encode: timed, then its baseline right after. */
	c.bytes = c.events = c.chunks = 0;
	wl_writer_reset(&c.w, c.buf, CHUNK, t.op[0].ticks, SPAN_PREFIX);
	uint64_t t0 = bench_ns();
	BENCH_CG_BEGIN();
	encode_passes(&c, &t, passes);
	BENCH_CG_END("writer", "encode_ns_per_event", (uint64_t)passes * t.n);
	uint64_t t1 = bench_ns();
	BENCH_CG_BEGIN();
	uint64_t base_chunks = memcpy_passes(base_buf, &t, passes);
	BENCH_CG_END("writer", "base:encode_ns_per_event", (uint64_t)passes * t.n);
	uint64_t t2 = bench_ns();
	BENCH_KEEP(base_chunks);
	seal(&c, 0);
	double nev = (double)passes * (double)t.n;
	double enc_ns = (double)(t1 - t0) / nev, base_ns = (double)(t2 - t1) / nev;

	/* Sizes and compression: encode again, keeping every chunk. */
	c.maxkeep = (size_t)((double)keep_passes * (double)t.n * 8 / CHUNK) + 4;
	c.keep = malloc(c.maxkeep * CHUNK);
	c.keep_info = calloc(c.maxkeep, sizeof *c.keep_info);
	if (!c.keep || !c.keep_info)
		return 1;
	c.bytes = c.events = c.chunks = 0;
	wl_writer_reset(&c.w, c.buf, CHUNK, t.op[0].ticks, SPAN_PREFIX);
	encode_passes(&c, &t, keep_passes);
	seal(&c, 0);
	if (c.nkeep != c.chunks)
		return 1;
	double raw_bpe = (double)c.bytes / (double)c.events;

	struct lot_compressor *comp = lot_compressor_new();
	size_t cap = lot_chunk_record_bound(CHUNK);
	uint8_t *out = malloc(cap), *copy = malloc(CHUNK);
	if (!comp || !out || !copy)
		return 1;
	uint64_t comp_bytes = 0, raw_bytes = 0;
	uint64_t t3 = bench_ns();
	BENCH_CG_BEGIN();
	for (size_t i = 0; i < c.nkeep; i++) {
		size_t n = lot_chunk_record_encode(comp, &c.keep_info[i], c.keep + i * CHUNK, out, cap);
		if (!n)
			return 1;
		comp_bytes += n;
		raw_bytes += c.keep_info[i].raw_len;
	}
	BENCH_CG_END("writer", "lz4_ns_per_event", c.events);
	uint64_t t4 = bench_ns();
	BENCH_CG_BEGIN();
	for (size_t i = 0; i < c.nkeep; i++) {
		memcpy(copy, c.keep + i * CHUNK, c.keep_info[i].raw_len);
		BENCH_KEEP(copy);
	}
	BENCH_CG_END("writer", "base:lz4_ns_per_event", c.events);
	uint64_t t5 = bench_ns();
	double lz4_bpe = (double)comp_bytes / (double)c.events;
	double lz4_ns = (double)(t4 - t3) / (double)c.events;
	double copy_ns = (double)(t5 - t4) / (double)c.events;

	const char *anchor = "LTTng-UST 22 B/event (anchor, brief s.2)";
	bench_emit(&(struct bench_result){
		.bench = "writer", .metric = "raw_bytes_per_event", .unit = "B/event",
		.what = "encoded size, before compression (definitions included)",
		.value = raw_bpe, .base = anchor, .base_value = 22, .base_anchor = 1,
		.target = "<= 5"});
	bench_emit(&(struct bench_result){
		.bench = "writer", .metric = "lz4_bytes_per_event", .unit = "B/event",
		.what = "file size per event: chunk header + LZ4 frame",
		.value = lz4_bpe, .base = anchor, .base_value = 22, .base_anchor = 1});
	bench_emit(&(struct bench_result){
		.bench = "writer", .metric = "encode_ns_per_event", .unit = "ns/event",
		.what = "encode one event into the chunk (no stack)",
		.value = enc_ns, .base = "memcpy of a 16-byte record", .base_value = base_ns});
	bench_emit(&(struct bench_result){
		.bench = "writer", .metric = "lz4_ns_per_event", .unit = "ns/event",
		.what = "compress the chunks (flusher thread), per event",
		.value = lz4_ns, .base = "memcpy of the same payload", .base_value = copy_ns});
	(void)raw_bytes;
	if (!bench_callgrind)
		level_sweep(&c);
	size_breakdown(&t, c.buf);
	lot_compressor_free(comp);
	free(out);
	free(copy);
	free(c.keep);
	free(c.keep_info);
	free(c.buf);
	free(base_buf);
	wl_table_free(&t);
	return 0;
}
