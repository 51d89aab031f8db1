/*
 * Writes a trace file of about N events for the reader benchmarks: the
 * request workload of bench/workload.h on several threads, encoded with the
 * real writer, 64 KiB chunks, LZ4, a full trailer.  Deterministic.
 *
 *   gen_trace [-n EVENTS] [-t THREADS] OUT.lot
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/workload.h"
#include "lib/buf.h"
#include "trace-format/file_writer.h"
#include "trace-format/format.h"
#include "trace-format/writer.h"

#define CHUNK (64u * 1024)
#define TABLE_OPS 65536
#define MAX_THREADS 64

struct gthread {
	struct wl_table t;
	struct lot_writer w;
	uint8_t *buf;
	size_t next;         /* next op of the table */
	uint64_t pass;       /* completed passes over the table */
	uint64_t tid, written, chunks;
	uint32_t seq;
	char *name; /* interned by address, like a recorder's thread name */
};

static FILE *out;
static uint64_t offset;
static struct lot_index_entry *index_;
static size_t n_index, cap_index;

static void put(const void *p, size_t n)
{
	if (fwrite(p, 1, n, out) != n) {
		perror("gen_trace: write");
		exit(1);
	}
	offset += n;
}

static uint64_t now_ticks(struct gthread *g)
{
	return g->t.op[g->next].ticks + g->pass * g->t.duration;
}

/* Seal g's chunk into the file and start the next one. */
static void emit_chunk(struct gthread *g, struct lot_compressor *c, uint8_t *rec, size_t cap)
{
	struct lot_chunk_info info = {
		.tid = g->tid, .seq = g->seq, .events = g->w.events,
		.base_ticks = g->w.base_ticks, .end_ticks = lot_writer_end_ticks(&g->w),
		.flags = WL_CHUNK_FLAGS, .span_base = g->t.span_prefix,
		.raw_len = (uint32_t)lot_writer_used(&g->w),
		.thread_name = g->name,
	};
	size_t n = lot_chunk_record_encode(c, &info, g->buf, rec, cap);
	if (!n) {
		fprintf(stderr, "gen_trace: chunk encoding failed\n");
		exit(1);
	}
	if (n_index == cap_index) {
		cap_index = cap_index ? 2 * cap_index : 1024;
		index_ = realloc(index_, cap_index * sizeof *index_);
		if (!index_)
			exit(1);
	}
	index_[n_index++] = (struct lot_index_entry){offset, g->tid, g->seq, info.base_ticks,
						     info.end_ticks};
	put(rec, n);
	g->written += info.events;
	g->chunks++;
	g->seq++;
}

/* Fill one chunk of thread g with its next ops. */
static uint64_t fill_chunk(struct gthread *g, uint64_t budget)
{
	wl_writer_reset(&g->w, g->buf, CHUNK, now_ticks(g), g->t.span_prefix);
	uint64_t before = g->w.events;
	if (g->seq == 0) {
		uint32_t name = lot_writer_string(&g->w, g->name);
		if (name == LOT_NOROOM || !lot_write_thread_begin(&g->w, now_ticks(g), g->tid, name, 0))
			abort();
	}
	while (g->w.events - before < budget) {
		if (!wl_encode(&g->w, &g->t.op[g->next], g->pass * g->t.duration))
			break;
		if (++g->next == g->t.n) {
			g->next = 0;
			g->pass++;
		}
	}
	return g->w.events - before;
}

int main(int argc, char **argv)
{
	uint64_t want = 10000000;
	unsigned nthreads = 4;
	int opt;
	while ((opt = getopt(argc, argv, "n:t:")) != -1) {
		if (opt == 'n')
			want = strtoull(optarg, NULL, 0);
		else if (opt == 't')
			nthreads = (unsigned)atoi(optarg);
		else
			goto usage;
	}
	if (optind + 1 != argc || nthreads < 1 || nthreads > MAX_THREADS)
		goto usage;
	out = fopen(argv[optind], "wbx");
	if (!out) {
		fprintf(stderr, "gen_trace: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	static char obuf[1 << 20];
	setvbuf(out, obuf, _IOFBF, sizeof obuf);

	struct gthread *g = calloc(nthreads, sizeof *g);
	if (!g)
		return 1;
	for (unsigned i = 0; i < nthreads; i++) {
		if (wl_table_build(&g[i].t, TABLE_OPS, 0x1234 + i, (uint64_t)(0x100 + i) << 32))
			return 1;
		g[i].buf = malloc(CHUNK);
		if (!g[i].buf)
			return 1;
		g[i].tid = 1000 + i;
		char name[32];
		snprintf(name, sizeof name, "worker-%u", i);
		g[i].name = strdup(name);
		if (!g[i].name)
			return 1;
	}

	struct lot_clock_info clock = {
		.freq_hz = 2500000000u, .start_ticks = 1000000, /* where every table starts */
		.start_mono_ns = 1000000000u, .start_real_ns = 1767225600ull * 1000000000u,
		.time_shift = WL_TIME_SHIFT, .source = 0,
	};
	struct lot_kv meta[] = {{"service", "gen_trace"}, {"pid", "4242"}};
	struct lot_buf hb = {0};
	if (!lot_header_encode(&hb, &clock, meta, 2, NULL, 0, wl_trace_key_bytes))
		return 1;
	put(hb.data, hb.len);
	lot_buf_free(&hb);

	struct lot_compressor *c = lot_compressor_new();
	size_t cap = lot_chunk_record_bound(CHUNK);
	uint8_t *rec = malloc(cap);
	if (!c || !rec)
		return 1;
	uint64_t total = 0, end_ticks = 0;
	for (unsigned i = 0; total < want; i = (i + 1) % nthreads) {
		total += fill_chunk(&g[i], want - total);
		emit_chunk(&g[i], c, rec, cap);
		if (lot_writer_end_ticks(&g[i].w) > end_ticks)
			end_ticks = lot_writer_end_ticks(&g[i].w);
	}

	struct lot_thread_total *th = calloc(nthreads, sizeof *th);
	if (!th)
		return 1;
	for (unsigned i = 0; i < nthreads; i++)
		th[i] = (struct lot_thread_total){g[i].tid, g[i].name, g[i].written, 0, g[i].chunks};
	struct lot_trailer_info ti = {
		.threads = th, .n_threads = nthreads, .index = index_, .n_index = n_index,
		.end_ticks = end_ticks,
		.end_mono_ns = clock.start_mono_ns + (end_ticks - clock.start_ticks) / 5 * 2,
		.end_real_ns = clock.start_real_ns + (end_ticks - clock.start_ticks) / 5 * 2,
	};
	struct lot_buf tb = {0};
	if (!lot_trailer_encode(&tb, offset, &ti))
		return 1;
	put(tb.data, tb.len);
	lot_buf_free(&tb);
	if (fclose(out)) {
		perror("gen_trace: close");
		return 1;
	}
	printf("{\"events\":%llu,\"bytes\":%llu,\"chunks\":%zu}\n", (unsigned long long)total,
	       (unsigned long long)offset, n_index);
	lot_compressor_free(c);
	free(rec);
	free(th);
	free(index_);
	for (unsigned i = 0; i < nthreads; i++) {
		wl_table_free(&g[i].t);
		free(g[i].buf);
		free(g[i].name);
	}
	free(g);
	return 0;

usage:
	fprintf(stderr, "usage: gen_trace [-n EVENTS] [-t THREADS] OUT.lot\n");
	return 2;
}
