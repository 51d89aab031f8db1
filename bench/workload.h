/*
 * A synthetic server workload for the writer benchmarks and the trace
 * generator: a table of events ("ops") that a request-serving thread would
 * record, encoded with the real chunk writer.
 *
 * Per request (15 or 16 events, no stacks):
 *   task_create "request", task_start, task_block "queue", task_unblock,
 *   task_start, span_begin "http.request" (a new trace, its id derived from
 *   the span id as the recorder does: a trace_gen definition),
 *   span_begin "db.query" [span_attr db.rows=<int>, half the time],
 *   span_end, span_begin "cache.get" [span_attr cache.result="hit"|"miss",
 *   a third of the time], span_end, instant "response.sent", span_end,
 *   task_end.
 * Gaps between events are log-uniform between 0.2 and 20 us, in ticks of a
 * 2.5 GHz TSC, stored in the recorder's unit for that clock (shift 6).  Task ids count from 1; span ids are the thread's prefix
 * ORed with a counter, and the chunk's span_base is that prefix.
 */
#ifndef LOT_BENCH_WORKLOAD_H
#define LOT_BENCH_WORKLOAD_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/endian.h"
#include "trace-format/format.h"
#include "trace-format/trace_id.h"
#include "trace-format/writer.h"

#define WL_TICKS_PER_US 2500.0
#define WL_TIME_SHIFT 6 /* the recorder's choice for this clock, 25.6 ns units */

/* The trace key of the files bench/gen_trace writes. */
static const uint8_t wl_trace_key_bytes[16] = {0x3c, 0x1f, 0x95, 0x27, 0x80, 0x4e, 0xd2, 0x61,
					       0xa7, 0x0b, 0x5e, 0xc8, 0x19, 0xf3, 0x64, 0xdd};

enum wl_kind {
	WL_TASK_CREATE,
	WL_TASK_START,
	WL_TASK_BLOCK,
	WL_TASK_UNBLOCK,
	WL_SPAN_BEGIN,
	WL_SPAN_END,
	WL_SPAN_ATTR_INT,
	WL_SPAN_ATTR_STR,
	WL_INSTANT,
	WL_TASK_END,
};

struct wl_op {
	uint8_t kind;
	uint64_t ticks;      /* absolute */
	uint64_t a, b;       /* task or span id; parent */
	const char *name;    /* interned by address */
	const char *sval;    /* string attribute value */
	int64_t ival;        /* integer attribute value */
	const uint8_t *trace;/* 16-byte trace id or NULL */
};

struct wl_table {
	struct wl_op *op;
	size_t n;
	uint8_t (*traces)[16];
	uint64_t span_prefix;
	uint64_t duration; /* ticks from the first op to one gap after the last */
};

static inline uint64_t wl_rand(uint64_t *s)
{
	/* xorshift64*: deterministic, so every run encodes the same stream */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

static inline uint64_t wl_gap(uint64_t *s)
{
	double u = (double)(wl_rand(s) >> 11) / 9007199254740992.0;
	return (uint64_t)(0.2 * WL_TICKS_PER_US * pow(100.0, u)); /* 0.2 .. 20 us */
}

/* Build a table of about n ops for a thread whose span ids carry `prefix`. */
static inline int wl_table_build(struct wl_table *t, size_t n, uint64_t seed, uint64_t prefix)
{
	size_t reqs = n / 15 + 1;
	t->op = calloc(reqs * 16, sizeof *t->op);
	t->traces = calloc(reqs, 16);
	if (!t->op || !t->traces)
		return -1;
	t->span_prefix = prefix;
	uint64_t s = seed | 1, now = 1000000, task = 0, span = 0;
	size_t k = 0;
#define WL_OP(...)                                                                       \
	do {                                                                             \
		now += wl_gap(&s);                                                       \
		t->op[k] = (struct wl_op){__VA_ARGS__};                                  \
		t->op[k++].ticks = now;                                                  \
	} while (0)
	for (size_t r = 0; r < reqs; r++) {
		uint64_t id = ++task;
		uint64_t root = prefix | ++span, db = prefix | ++span, cache = prefix | ++span;
		const uint64_t key[2] = {lot_get_le64(wl_trace_key_bytes),
					 lot_get_le64(wl_trace_key_bytes + 8)};
		lot_trace_id_derive(key, root, t->traces[r]);
		const uint8_t *tr = t->traces[r];
		WL_OP(.kind = WL_TASK_CREATE, .a = id, .name = "request");
		WL_OP(.kind = WL_TASK_START, .a = id);
		WL_OP(.kind = WL_TASK_BLOCK, .name = "queue");
		WL_OP(.kind = WL_TASK_UNBLOCK, .a = id);
		WL_OP(.kind = WL_TASK_START, .a = id);
		WL_OP(.kind = WL_SPAN_BEGIN, .a = root, .name = "http.request", .trace = tr);
		WL_OP(.kind = WL_SPAN_BEGIN, .a = db, .b = root, .name = "db.query", .trace = tr);
		if (wl_rand(&s) % 2)
			WL_OP(.kind = WL_SPAN_ATTR_INT, .a = db, .name = "db.rows",
			      .ival = (int64_t)(wl_rand(&s) % 1000));
		WL_OP(.kind = WL_SPAN_END, .a = db);
		WL_OP(.kind = WL_SPAN_BEGIN, .a = cache, .b = root, .name = "cache.get", .trace = tr);
		if (wl_rand(&s) % 3 == 0)
			WL_OP(.kind = WL_SPAN_ATTR_STR, .a = cache, .name = "cache.result",
			      .sval = wl_rand(&s) % 4 ? "hit" : "miss");
		WL_OP(.kind = WL_SPAN_END, .a = cache);
		WL_OP(.kind = WL_INSTANT, .name = "response.sent");
		WL_OP(.kind = WL_SPAN_END, .a = root);
		WL_OP(.kind = WL_TASK_END);
	}
#undef WL_OP
	t->n = k;
	t->duration = now + wl_gap(&s) - t->op[0].ticks;
	return 0;
}

static inline void wl_table_free(struct wl_table *t)
{
	free(t->op);
	free(t->traces);
}

/* Chunks of the workload record no stacks, as the recorder's chunks with
 * LOTRACE_STACKS=0: their headers carry WL_CHUNK_FLAGS. */
#define WL_CHUNK_FLAGS LOT_CHUNK_NO_STACKS

static inline void wl_writer_reset(struct lot_writer *w, uint8_t *buf, size_t cap,
				   uint64_t base_ticks, uint64_t span_base)
{
	lot_writer_reset(w, buf, cap, base_ticks, WL_TIME_SHIFT, span_base, 0);
	lot_writer_omit_stacks(w);
}

/* Encode one op at ticks + toff.  False when the chunk is full (definitions
 * written before the failure stay valid; the caller seals and retries). */
static inline bool wl_encode(struct lot_writer *w, const struct wl_op *op, uint64_t toff)
{
	uint64_t t = op->ticks + toff;
	uint32_t s, tr;
	switch (op->kind) {
	case WL_TASK_CREATE:
		s = lot_writer_string(w, op->name);
		return s != LOT_NOROOM && lot_write_task_create(w, t, op->a, op->b, s, 0);
	case WL_TASK_START:
		return lot_write_task_start(w, t, op->a);
	case WL_TASK_BLOCK:
		s = lot_writer_string(w, op->name);
		return s != LOT_NOROOM && lot_write_task_block(w, t, s, 0, 0);
	case WL_TASK_UNBLOCK:
		return lot_write_task_unblock(w, t, op->a, 0);
	case WL_SPAN_BEGIN:
		s = lot_writer_string(w, op->name);
		tr = op->b ? lot_writer_trace(w, op->trace) /* a child: defined by its root */
			   : lot_writer_trace_gen(w, op->a, op->trace);
		return s != LOT_NOROOM && tr != LOT_NOROOM &&
		       lot_write_span_begin(w, t, op->a, op->b, tr, s, 0);
	case WL_SPAN_END:
		return lot_write_span_end(w, t, op->a);
	case WL_SPAN_ATTR_INT:
		s = lot_writer_string(w, op->name);
		return s != LOT_NOROOM && lot_write_span_attr(w, t, op->a, s, lot_value_int(op->ival));
	case WL_SPAN_ATTR_STR:
		s = lot_writer_string(w, op->name);
		return s != LOT_NOROOM && lot_write_span_attr(w, t, op->a, s, lot_value_str(op->sval));
	case WL_INSTANT:
		s = lot_writer_string(w, op->name);
		return s != LOT_NOROOM && lot_write_instant(w, t, s, 0);
	case WL_TASK_END:
		return lot_write_task_end(w, t);
	}
	return false;
}

#endif
