#include "tests/support/tracebuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "trace-format/file_writer.h"
#include "trace-format/format.h"

#define TB_MAX_THREADS 64
#define TB_MAX_CHUNKS 65536

struct lot_tb {
	struct lot_clock_info clock;
	struct lot_buf file;
	struct lot_compressor *comp;
	/* the chunk being written */
	struct lot_writer w;
	uint8_t *raw;
	size_t raw_cap;
	struct lot_chunk_info cur;
	char cur_name[LOT_THREAD_NAME_MAX + 1];
	bool open;
	/* what the trailer will say */
	struct lot_thread_total threads[TB_MAX_THREADS];
	char names[TB_MAX_THREADS][LOT_THREAD_NAME_MAX + 1];
	size_t n_threads;
	struct lot_index_entry *index;
	size_t n_index;
	struct lot_stat stats[32];
	size_t n_stats;
};

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (!p) {
		perror("tracebuild");
		abort();
	}
	return p;
}

const uint8_t lot_tb_trace_key_bytes[16] = {0x10, 0x07, 0x4a, 0xce, 0x7e, 0x57, 0x6b, 0xe1,
					     0x5e, 0xed, 0xf0, 0x0d, 0xca, 0xfe, 0xba, 0xbe};

struct lot_tb *lot_tb_new(const struct lot_clock_info *clock)
{
	return lot_tb_new_with(clock, NULL, 0, NULL, 0);
}

static const struct lot_kv tb_default_meta[] = {
	{"pid", "1234"}, {"exe", "/usr/bin/testprog"}, {"service", "test"}, {"host", "testhost"},
};

struct lot_tb *lot_tb_new_with(const struct lot_clock_info *clock, const struct lot_kv *extra,
			       size_t n_extra, const struct lot_module *mods, size_t n_mods)
{
	struct lot_kv meta[4 + 16];
	if (n_extra > 16)
		abort();
	memcpy(meta, tb_default_meta, sizeof tb_default_meta);
	for (size_t i = 0; i < n_extra; i++)
		meta[4 + i] = extra[i];
	return lot_tb_new_full(clock, meta, 4 + n_extra, mods, n_mods);
}

struct lot_tb *lot_tb_new_meta(const struct lot_clock_info *clock, const struct lot_kv *meta,
			       size_t n_meta)
{
	return lot_tb_new_full(clock, meta, n_meta, NULL, 0);
}

struct lot_tb *lot_tb_new_full(const struct lot_clock_info *clock, const struct lot_kv *meta,
			       size_t n_meta, const struct lot_module *mods, size_t n_mods)
{
	struct lot_tb *b = xcalloc(1, sizeof *b);
	b->clock = clock ? *clock
			 : (struct lot_clock_info){.freq_hz = 1000000000, .start_ticks = 1000000000,
						   .start_mono_ns = 5000000000,
						   .start_real_ns = 1767225600000000000ull, /* 2026-01-01 */
						   .time_shift = 0, .source = 1};
	b->comp = lot_compressor_new();
	b->index = xcalloc(TB_MAX_CHUNKS, sizeof *b->index);
	if (!b->comp ||
	    !lot_header_encode(&b->file, &b->clock, meta, n_meta, mods, n_mods, lot_tb_trace_key_bytes))
		abort();
	return b;
}

void lot_tb_free(struct lot_tb *b)
{
	if (!b)
		return;
	lot_compressor_free(b->comp);
	lot_buf_free(&b->file);
	free(b->raw);
	free(b->index);
	free(b);
}

uint64_t lot_tb_ticks(const struct lot_tb *b, uint64_t ns)
{
	return b->clock.start_ticks + (uint64_t)((unsigned __int128)ns * b->clock.freq_hz / 1000000000u);
}

static struct lot_thread_total *thread_total(struct lot_tb *b, uint64_t tid, const char *name)
{
	for (size_t i = 0; i < b->n_threads; i++)
		if (b->threads[i].tid == tid)
			return &b->threads[i];
	if (b->n_threads == TB_MAX_THREADS)
		abort();
	size_t i = b->n_threads++;
	snprintf(b->names[i], sizeof b->names[i], "%s", name ? name : "");
	b->threads[i] = (struct lot_thread_total){.tid = tid, .name = b->names[i]};
	return &b->threads[i];
}

struct lot_writer *lot_tb_chunk_begin_cap(struct lot_tb *b, uint64_t tid, const char *thread_name,
					  uint64_t base_ns, uint64_t lost, size_t cap)
{
	if (b->open)
		lot_tb_chunk_end(b);
	if (cap == 0)
		cap = 64 * 1024;
	if (cap > b->raw_cap) {
		free(b->raw);
		b->raw = xcalloc(1, cap);
		b->raw_cap = cap;
	}
	struct lot_thread_total *t = thread_total(b, tid, thread_name);
	snprintf(b->cur_name, sizeof b->cur_name, "%s", thread_name ? thread_name : "");
	b->cur = (struct lot_chunk_info){
		.tid = tid,
		.seq = (uint32_t)t->chunks,
		.base_ticks = lot_tb_ticks(b, base_ns),
		.lost = lost,
		.span_base = 0x5a5a000000000000ull ^ (tid << 32),
		.thread_name = b->cur_name,
	};
	lot_writer_reset(&b->w, b->raw, cap, b->cur.base_ticks, b->clock.time_shift, b->cur.span_base,
			 b->cur.task);
	b->open = true;
	return &b->w;
}

struct lot_writer *lot_tb_chunk_begin(struct lot_tb *b, uint64_t tid, const char *thread_name,
				      uint64_t base_ns, uint64_t lost)
{
	return lot_tb_chunk_begin_cap(b, tid, thread_name, base_ns, lost, 0);
}

void lot_tb_chunk_omit_stacks(struct lot_tb *b)
{
	if (!b->open || lot_writer_used(&b->w))
		abort();
	b->cur.flags |= LOT_CHUNK_NO_STACKS;
	lot_writer_omit_stacks(&b->w);
}
void lot_tb_chunk_task(struct lot_tb *b, uint64_t task)
{
	if (!b->open || lot_writer_used(&b->w))
		abort();
	b->cur.task = task;
	b->w.prev_task = task; /* where the chunk's task id deltas start */
}

uint64_t lot_tb_chunk_end(struct lot_tb *b)
{
	if (!b->open || b->n_index == TB_MAX_CHUNKS)
		abort();
	b->open = false;
	b->cur.events = b->w.events;
	b->cur.raw_len = (uint32_t)lot_writer_used(&b->w);
	b->cur.end_ticks = lot_writer_end_ticks(&b->w);
	uint64_t offset = b->file.len;
	uint8_t *out = lot_buf_reserve(&b->file, lot_chunk_record_bound(b->cur.raw_len));
	size_t n = out ? lot_chunk_record_encode(b->comp, &b->cur, b->raw, out, lot_chunk_record_bound(b->cur.raw_len)) : 0;
	if (!n)
		abort();
	b->file.len += n;

	struct lot_thread_total *t = thread_total(b, b->cur.tid, b->cur.thread_name);
	t->written += b->cur.events;
	t->lost += b->cur.lost;
	t->chunks++;
	b->index[b->n_index++] = (struct lot_index_entry){
		.offset = offset, .tid = b->cur.tid, .seq = b->cur.seq,
		.base_ticks = b->cur.base_ticks, .end_ticks = b->cur.end_ticks};
	return offset;
}

void lot_tb_thread_lost(struct lot_tb *b, uint64_t tid, uint64_t extra_lost)
{
	thread_total(b, tid, NULL)->lost += extra_lost;
}

void lot_tb_stat(struct lot_tb *b, const char *key, uint64_t value)
{
	if (b->n_stats < sizeof b->stats / sizeof b->stats[0])
		b->stats[b->n_stats++] = (struct lot_stat){key, value};
}

void lot_tb_trailer(struct lot_tb *b, uint64_t end_ns)
{
	if (b->open)
		lot_tb_chunk_end(b);
	struct lot_trailer_info t = {
		.threads = b->threads, .n_threads = b->n_threads,
		.index = b->index, .n_index = b->n_index,
		.stats = b->stats, .n_stats = b->n_stats,
		.end_ticks = lot_tb_ticks(b, end_ns),
		.end_mono_ns = b->clock.start_mono_ns + end_ns,
		.end_real_ns = b->clock.start_real_ns + end_ns,
	};
	if (!lot_trailer_encode(&b->file, b->file.len, &t))
		abort();
}

const uint8_t *lot_tb_data(const struct lot_tb *b, size_t *len)
{
	*len = b->file.len;
	return b->file.data;
}

int lot_tb_save(const struct lot_tb *b, const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t ok = fwrite(b->file.data, 1, b->file.len, f);
	return (fclose(f) == 0 && ok == b->file.len) ? 0 : -1;
}
