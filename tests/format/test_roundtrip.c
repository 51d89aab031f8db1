/* What the writer encodes, the reader decodes: every type, every kind, any sequence. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/format/support.h"
#include "lib/endian.h"
#include "trace-format/trace_id.h"
#include "trace-format/types.h"

/* ---- an expected event, written with the real writer and compared after reading ---- */

struct xarg {
	uint64_t u;
	int64_t i;
	const char *s; /* STRING (interned by address), BYTES, VALUE string */
	size_t len;
	const uint64_t *pcs;
	size_t n;
	const uint8_t *id; /* TRACE */
	bool is_str;
};

struct xev {
	uint8_t code;
	uint64_t ns;
	uint64_t tid;
	struct xarg a[5];
};

static const struct lot_type_desc *builtin(unsigned code)
{
	for (size_t i = 0; i < lot_builtin_types_count; i++)
		if (lot_builtin_types[i].code == code)
			return &lot_builtin_types[i];
	return NULL;
}

static struct lot_value xvalue(const struct xarg *a)
{
	return a->is_str ? (struct lot_value){.is_str = true, .s = {a->s, a->len}}
			 : lot_value_int(a->i);
}

/* Write e; false when it does not fit (the chunk is then sealed and e retried). */
static bool emit(struct lot_tb *b, struct lot_writer *w, const struct xev *e)
{
	const struct lot_type_desc *d = builtin(e->code);
	uint32_t id[5] = {0};
	for (unsigned i = 0; i < d->nargs; i++) {
		const struct xarg *a = &e->a[i];
		switch (d->arg_kinds[i]) {
		case LOT_KIND_STRING: id[i] = lot_writer_string(w, a->s); break;
		case LOT_KIND_STACK: id[i] = lot_writer_stack(w, a->pcs, a->n); break;
		case LOT_KIND_TRACE: id[i] = lot_writer_trace(w, a->id); break;
		default: break;
		}
		if (id[i] == LOT_NOROOM)
			return false;
	}
	uint64_t t = lot_tb_ticks(b, e->ns);
	const struct xarg *a = e->a;
	switch (e->code) {
	case LOT_EV_thread_begin: return lot_write_thread_begin(w, t, a[0].u, id[1], a[2].u);
	case LOT_EV_thread_end: return lot_write_thread_end(w, t);
	case LOT_EV_task_create: return lot_write_task_create(w, t, a[0].u, a[1].u, id[2], id[3]);
	case LOT_EV_task_start: return lot_write_task_start(w, t, a[0].u);
	case LOT_EV_task_block: return lot_write_task_block(w, t, id[0], id[1], id[2]);
	case LOT_EV_task_unblock: return lot_write_task_unblock(w, t, a[0].u, id[1]);
	case LOT_EV_task_yield: return lot_write_task_yield(w, t);
	case LOT_EV_task_end: return lot_write_task_end(w, t);
	case LOT_EV_span_begin:
		return lot_write_span_begin(w, t, a[0].u, a[1].u, id[2], id[3], id[4]);
	case LOT_EV_span_end: return lot_write_span_end(w, t, a[0].u);
	case LOT_EV_span_attr: return lot_write_span_attr(w, t, a[0].u, id[1], xvalue(&a[2]));
	case LOT_EV_instant: return lot_write_instant(w, t, id[0], id[1]);
	case LOT_EV_counter: return lot_write_counter(w, t, id[0], a[1].i);
	case LOT_EV_cpu_sample: return lot_write_cpu_sample(w, t, id[0], a[1].u);
	case LOT_EV_tracer_thread: return lot_write_tracer_thread(w, t);
	case LOT_EV_lost: return lot_write_lost(w, t, a[0].u);
	case LOT_EV_clock_sync: return lot_write_clock_sync(w, t, a[0].u, a[1].u, a[2].u);
	default: ck_abort_msg("no writer for 0x%02x", e->code); return false;
	}
}

static void check_event(const struct lot_event *ev, const struct xev *x, uint64_t want_ticks)
{
	const struct lot_type_desc *d = builtin(x->code);
	ck_assert_uint_eq(ev->code, x->code);
	ck_assert_str_eq(ev->type->name, d->name);
	ck_assert(!ev->synthetic);
	ck_assert_uint_eq(ev->tid, x->tid);
	ck_assert_uint_eq(ev->ticks, want_ticks);
	ck_assert_uint_eq(ev->nargs, d->nargs);
	for (unsigned i = 0; i < d->nargs; i++) {
		const struct lot_arg *g = &ev->args[i];
		const struct xarg *a = &x->a[i];
		ck_assert_uint_eq(g->kind, d->arg_kinds[i]);
		ck_assert_str_eq(ev->type->arg_names[i], d->arg_names[i]);
		switch (g->kind) {
		case LOT_KIND_UVAR:
		case LOT_KIND_SPAN:
		case LOT_KIND_TASK:
			ck_assert_uint_eq(g->u, a->u);
			break;
		case LOT_KIND_SVAR:
			ck_assert_int_eq(g->i, a->i);
			break;
		case LOT_KIND_STRING:
			if (!a->s) {
				ck_assert_uint_eq(g->u, 0);
				ck_assert_ptr_null(g->str);
			} else {
				size_t n = strnlen(a->s, LOT_STRING_MAX);
				ck_assert_uint_eq(g->len, n);
				ck_assert(memcmp(g->str, a->s, n) == 0);
			}
			break;
		case LOT_KIND_STACK: {
			size_t n = a->n > LOT_STACK_MAX ? LOT_STACK_MAX : a->n;
			ck_assert_uint_eq(g->n_pcs, n);
			if (n)
				ck_assert(memcmp(g->pcs, a->pcs, n * 8) == 0);
			else
				ck_assert_ptr_null(g->pcs);
			break;
		}
		case LOT_KIND_TRACE:
			if (a->id)
				ck_assert(memcmp(g->id128, a->id, 16) == 0);
			else
				ck_assert_ptr_null(g->id128);
			break;
		case LOT_KIND_VALUE:
			ck_assert_int_eq(g->is_str, a->is_str);
			if (a->is_str) {
				ck_assert_uint_eq(g->len, a->len);
				ck_assert(a->len == 0 || memcmp(g->str, a->s, a->len) == 0);
			} else {
				ck_assert_int_eq(g->i, a->i);
			}
			break;
		default:
			ck_abort_msg("unexpected kind %u", g->kind);
		}
	}
}

/* ---- random material ---- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}
static uint64_t rnd_below(uint64_t n) { return rnd() % n; }

/* A random value whose varint is 1..10 bytes long. */
static uint64_t rnd_u64(void)
{
	unsigned bits = (unsigned)rnd_below(65);
	return bits == 64 ? rnd() : rnd() & ((1ull << bits) - 1);
}

#define N_STRINGS 24
#define N_STACKS 16
#define N_TRACES 8
static char strings[N_STRINGS][1500];
static uint64_t stacks[N_STACKS][200];
static size_t stack_len[N_STACKS];
static uint8_t traces[N_TRACES][16];

static void init_material(uint64_t seed)
{
	rng = seed;
	for (int i = 0; i < N_STRINGS; i++) {
		size_t len = i == 0 ? 0 : i == 1 ? 1400 : rnd_below(40) + 1; /* "" and one over LOT_STRING_MAX */
		for (size_t j = 0; j < len; j++)
			strings[i][j] = (char)('a' + rnd_below(26));
		strings[i][len] = '\0';
	}
	for (int i = 0; i < N_STACKS; i++) {
		stack_len[i] = i == 0 ? 150 : rnd_below(40) + 1; /* one over LOT_STACK_MAX */
		uint64_t pc = 0x400000 + rnd_below(1 << 20);
		for (size_t j = 0; j < stack_len[i]; j++) {
			stacks[i][j] = pc;
			pc += (uint64_t)(int64_t)(rnd_below(1 << 16) - (1 << 15)); /* deltas of both signs */
		}
		if (i == 1)
			stacks[i][0] = UINT64_MAX; /* extreme PCs */
	}
	for (int i = 0; i < N_TRACES; i++)
		for (int j = 0; j < 16; j++)
			traces[i][j] = (uint8_t)rnd();
}

static void rnd_arg(struct xarg *a, unsigned kind, uint64_t span_base)
{
	memset(a, 0, sizeof *a);
	switch (kind) {
	case LOT_KIND_UVAR: a->u = rnd_u64(); break;
	case LOT_KIND_SVAR: a->i = (int64_t)rnd_u64() * (rnd() & 1 ? -1 : 1); break;
	case LOT_KIND_STRING: a->s = rnd_below(8) ? strings[rnd_below(N_STRINGS)] : NULL; break;
	case LOT_KIND_STACK:
		if (rnd_below(4)) {
			unsigned k = (unsigned)rnd_below(N_STACKS);
			a->pcs = stacks[k];
			a->n = stack_len[k];
		}
		break;
	case LOT_KIND_TRACE: a->id = rnd_below(4) ? traces[rnd_below(N_TRACES)] : NULL; break;
	case LOT_KIND_SPAN: /* id deltas: none, near the chunk's recent ids, or far (absolute) */
	case LOT_KIND_TASK:
		switch (rnd_below(4)) {
		case 0: a->u = 0; break;
		case 1: a->u = (kind == LOT_KIND_SPAN ? span_base : 0) + rnd_below(1000) + 1; break;
		case 2: a->u = rnd_u64() | 1; break;
		default: a->u = rnd() | 1; break;
		}
		break;
	case LOT_KIND_VALUE:
		a->is_str = rnd() & 1;
		if (a->is_str) {
			a->s = strings[rnd_below(N_STRINGS)];
			a->len = strnlen(a->s, LOT_STRING_MAX);
		} else {
			a->i = (int64_t)rnd_u64();
		}
		break;
	}
}

static uint8_t rnd_code(void)
{
	for (;;) {
		const struct lot_type_desc *d = &lot_builtin_types[rnd_below(lot_builtin_types_count)];
		if (d->flags & LOT_TIMED)
			return d->code;
	}
}

static uint64_t span_base_of(uint64_t tid) { return 0x5a5a000000000000ull ^ (tid << 32); }

/*
 * Write n random events over several threads and chunks, read the image
 * back and compare every event.  Chunks switch threads at random and are
 * sealed when full; small capacities force many splits.
 */
static void random_round_trip(uint64_t seed, unsigned shift, size_t n)
{
	init_material(seed);
	struct lot_clock_info clock = {.freq_hz = 2400000000u, .start_ticks = 77777,
				       .time_shift = (uint8_t)shift, .source = LOT_CLOCK_TSC};
	struct lot_tb *b = lot_tb_new(&clock);
	struct xev *x = calloc(n, sizeof *x);
	uint64_t now = 0;
	size_t i = 0;
	unsigned chunks = 0;
	while (i < n) {
		uint64_t tid = 100 + rnd_below(7);
		size_t cap = rnd_below(3) ? LOT_CHUNK_MIN : 64 * 1024;
		struct lot_writer *w = lot_tb_chunk_begin_cap(b, tid, "worker", now, 0, cap);
		chunks++;
		size_t run = rnd_below(400) + 1;
		for (size_t k = 0; k < run && i < n; k++, i++) {
			struct xev *e = &x[i];
			now += rnd_below(8) ? rnd_below(5000) : rnd_below(1ull << 40);
			e->ns = now;
			e->tid = tid;
			e->code = rnd_code();
			const struct lot_type_desc *d = builtin(e->code);
			for (unsigned a = 0; a < d->nargs; a++)
				rnd_arg(&e->a[a], d->arg_kinds[a], span_base_of(tid));
			if (!emit(b, w, e)) {
				w = lot_tb_chunk_begin_cap(b, tid, "worker", now, 0, cap);
				chunks++;
				ck_assert_msg(emit(b, w, e), "event %zu does not fit an empty chunk", i);
			}
		}
	}
	lot_tb_trailer(b, now + 1);

	size_t len;
	const uint8_t *img = lot_tb_data(b, &len);
	struct diag_log log = {0};
	struct lot_reader_opts o = {.diag = diag_collect, .diag_ctx = &log};
	struct lot_reader *r = lot_reader_open_mem(img, len, &o, NULL);
	ck_assert_ptr_nonnull(r);
	struct lot_chunk *c;
	struct lot_event ev;
	size_t j = 0;
	unsigned got_chunks = 0;
	while (lot_reader_next_chunk(r, &c) == 1) {
		got_chunks++;
		int rc;
		while ((rc = lot_chunk_next_event(r, &ev)) == 1) {
			ck_assert_uint_lt(j, n);
			uint64_t ticks = lot_tb_ticks(b, x[j].ns);
			check_event(&ev, &x[j], (ticks >> shift) << shift);
			j++;
		}
		ck_assert_int_eq(rc, 0);
	}
	ck_assert_uint_eq(j, n);
	ck_assert_uint_eq(got_chunks, chunks);
	ck_assert_msg(log.n == 0, "warning: %s", log.msg[0]);
	ck_assert(!lot_reader_damaged(r));
	ck_assert_ptr_nonnull(lot_reader_trailer(r));
	lot_reader_close(r);
	free(x);
	lot_tb_free(b);
}

START_TEST(random_event_sequences_decode_identically)
{
	random_round_trip(0x1234567 + (uint64_t)_i, 0, 20000);
}
END_TEST

START_TEST(random_event_sequences_decode_identically_with_time_shift)
{
	random_round_trip(0xabcdef + (uint64_t)_i, 5, 5000);
}
END_TEST

/* One event of every type, with extreme argument values. */
START_TEST(every_event_type_round_trips_all_args)
{
	init_material(1);
	struct lot_tb *b = lot_tb_new(NULL);
	const uint64_t tid = 9;
	struct lot_writer *w = lot_tb_chunk_begin(b, tid, "all", 0, 0);
	struct xev x[64];
	size_t n = 0;
	for (size_t t = 0; t < lot_builtin_types_count; t++) {
		const struct lot_type_desc *d = &lot_builtin_types[t];
		if (!(d->flags & LOT_TIMED))
			continue;
		for (int variant = 0; variant < 2; variant++) {
			struct xev *e = &x[n++];
			memset(e, 0, sizeof *e);
			e->code = d->code;
			e->ns = 10 * n;
			e->tid = tid;
			for (unsigned a = 0; a < d->nargs; a++) {
				struct xarg *g = &e->a[a];
				switch (d->arg_kinds[a]) {
				case LOT_KIND_UVAR: g->u = variant ? UINT64_MAX : 0; break;
				case LOT_KIND_SVAR: g->i = variant ? INT64_MIN : INT64_MAX; break;
				case LOT_KIND_STRING: g->s = variant ? strings[1] : strings[2 + a]; break;
				case LOT_KIND_STACK: g->pcs = stacks[variant]; g->n = stack_len[variant]; break;
				case LOT_KIND_TRACE: g->id = traces[variant]; break;
				case LOT_KIND_SPAN: g->u = variant ? UINT64_MAX : span_base_of(tid) ^ 1; break;
				case LOT_KIND_TASK: g->u = variant ? UINT64_MAX : 1; break;
				case LOT_KIND_VALUE:
					g->is_str = variant;
					g->s = strings[1];
					g->len = variant ? LOT_STRING_MAX : 0;
					g->i = INT64_MIN;
					break;
				}
			}
			ck_assert(emit(b, w, e));
		}
	}
	lot_tb_trailer(b, 10000);
	size_t len;
	const uint8_t *img = lot_tb_data(b, &len);
	struct lot_reader *r = lot_reader_open_mem(img, len, NULL, NULL);
	ck_assert_ptr_nonnull(r);
	struct lot_chunk *c;
	struct lot_event ev;
	ck_assert_int_eq(lot_reader_next_chunk(r, &c), 1);
	ck_assert_uint_eq(c->info.tid, tid);
	ck_assert_str_eq(c->info.thread_name, "all");
	ck_assert_uint_eq(c->info.events, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(lot_chunk_next_event(r, &ev), 1);
		check_event(&ev, &x[i], lot_tb_ticks(b, x[i].ns));
	}
	ck_assert_int_eq(lot_chunk_next_event(r, &ev), 0);
	ck_assert_int_eq(lot_reader_next_chunk(r, &c), 0);
	ck_assert(!lot_reader_damaged(r));
	lot_reader_close(r);
	lot_tb_free(b);
}
END_TEST

START_TEST(span_ids_round_trip_as_id_deltas)
{
	struct lot_tb *b = lot_tb_new(NULL);
	struct lot_writer *w = lot_tb_chunk_begin(b, 5, "s", 0, 0);
	uint64_t own = span_base_of(5) ^ 3, foreign = 0x0123456789abcdefull;
	ck_assert(lot_write_span_begin(w, lot_tb_ticks(b, 1), own, foreign, 0, 0, 0));
	ck_assert(lot_write_span_end(w, lot_tb_ticks(b, 2), own));
	/* type, time delta, the own span as a 1-byte id delta, the foreign parent as
	 * an absolute id (tag and 8 bytes), 3 zero refs; then the end: 3 bytes */
	ck_assert_uint_eq(lot_writer_used(w), 1 + 1 + 1 + 9 + 3 + 3);
	lot_tb_chunk_end(b);
	struct lot_event ev;
	struct lot_reader *r = open_first_event(b, &ev);
	ck_assert_uint_eq(ev.args[LOT_ARG_span_begin_span].u, own);
	ck_assert_uint_eq(ev.args[LOT_ARG_span_begin_parent_span].u, foreign);
	ck_assert_ptr_null(ev.args[LOT_ARG_span_begin_trace_id].id128);
	ck_assert_int_eq(lot_chunk_next_event(r, &ev), 1);
	ck_assert_uint_eq(ev.args[LOT_ARG_span_end_span].u, own);
	lot_reader_close(r);
	lot_tb_free(b);
}
END_TEST

START_TEST(trace_gen_derives_the_trace_id_from_key_and_root)
{
	struct lot_tb *b = lot_tb_new(NULL);
	struct lot_writer *w = lot_tb_chunk_begin(b, 5, "s", 0, 0);
	const uint64_t key[2] = {lot_get_le64(lot_tb_trace_key_bytes),
				 lot_get_le64(lot_tb_trace_key_bytes + 8)};
	uint64_t root = span_base_of(5) + 1;
	uint8_t want[16];
	lot_trace_id_derive(key, root, want);
	uint32_t ref = lot_writer_trace_gen(w, root, want);
	ck_assert_uint_eq(ref, 1);
	ck_assert_uint_eq(lot_writer_used(w), 3); /* type, ref, root as a 1-byte id delta */
	ck_assert(lot_write_span_begin(w, lot_tb_ticks(b, 1), root, 0, ref, 0, 0));
	ck_assert_uint_eq(lot_writer_trace(w, want), ref); /* cached: a child finds it */
	lot_tb_chunk_end(b);
	struct lot_event ev;
	struct lot_reader *r = open_first_event(b, &ev);
	ck_assert(lot_reader_header(r)->has_trace_key);
	ck_assert_uint_eq(ev.args[LOT_ARG_span_begin_span].u, root);
	ck_assert(memcmp(ev.args[LOT_ARG_span_begin_trace_id].id128, want, 16) == 0);
	lot_reader_close(r);
	lot_tb_free(b);
}
END_TEST

START_TEST(chunk_without_stacks_omits_stack_arguments)
{
	struct lot_tb *b = lot_tb_new(NULL);
	struct lot_writer *w = lot_tb_chunk_begin(b, 5, "s", 0, 0);
	lot_tb_chunk_omit_stacks(b);
	uint32_t name = lot_writer_string(w, "x");
	size_t before = lot_writer_used(w);
	ck_assert(lot_write_instant(w, lot_tb_ticks(b, 1), name, 7));
	ck_assert_uint_eq(lot_writer_used(w) - before, 3); /* type, delta, name: no stack */
	ck_assert(lot_write_task_block(w, lot_tb_ticks(b, 2), name, 0, 7));
	lot_tb_chunk_end(b);
	lot_tb_trailer(b, 10);
	size_t len;
	const uint8_t *img = lot_tb_data(b, &len);
	struct lot_reader *r = lot_reader_open_mem(img, len, NULL, NULL);
	struct lot_chunk *c;
	struct lot_event ev;
	ck_assert_int_eq(lot_reader_next_chunk(r, &c), 1);
	ck_assert_uint_eq(c->info.flags, LOT_CHUNK_NO_STACKS);
	ck_assert_int_eq(lot_chunk_next_event(r, &ev), 1);
	ck_assert_uint_eq(ev.code, LOT_EV_instant);
	ck_assert_ptr_null(ev.args[LOT_ARG_instant_stack].pcs);
	ck_assert_int_eq(lot_chunk_next_event(r, &ev), 1);
	ck_assert_uint_eq(ev.code, LOT_EV_task_block);
	ck_assert_uint_eq(ev.args[LOT_ARG_task_block_reason].len, 1);
	ck_assert_ptr_null(ev.args[LOT_ARG_task_block_stack].pcs);
	ck_assert_int_eq(lot_chunk_next_event(r, &ev), 0);
	ck_assert(!lot_reader_damaged(r));
	lot_reader_close(r);
	/* the counting path agrees */
	struct diag_log log = {0};
	struct read_summary s;
	read_all(img, len, &log, &s);
	ck_assert_uint_eq(s.events, 2);
	ck_assert_uint_eq(log.n, 0);
	lot_tb_free(b);
}
END_TEST

/* A varint of exactly k bytes. */
static uint64_t value_of_len(unsigned k) { return k >= 10 ? UINT64_MAX : k == 1 ? 0 : 1ull << (7 * (k - 1)); }

START_TEST(writer_refuses_exactly_when_the_chunk_is_full)
{
	struct lot_tb *b = lot_tb_new(NULL);
	struct lot_writer *w = lot_tb_chunk_begin_cap(b, 1, "f", 0, 0, LOT_CHUNK_MIN);
	unsigned n = 0;
	for (;;) {
		size_t before = lot_writer_used(w);
		uint32_t events = w->events;
		bool ok = lot_write_task_yield(w, lot_tb_ticks(b, n));
		if (!ok) {
			/* refused only when the worst case (type + 10-byte delta) does not fit */
			ck_assert_uint_lt(LOT_CHUNK_MIN - before, 1 + LOT_VARINT_MAX);
			ck_assert_uint_eq(lot_writer_used(w), before);
			ck_assert_uint_eq(w->events, events);
			break;
		}
		ck_assert_uint_ge(LOT_CHUNK_MIN - before, 1 + LOT_VARINT_MAX);
		n++;
	}
	ck_assert_uint_eq(lot_writer_string(w, "does not fit"), LOT_NOROOM);
	lot_tb_chunk_end(b);
	size_t len;
	const uint8_t *img = lot_tb_data(b, &len);
	struct diag_log log = {0};
	struct read_summary s;
	read_all(img, len, &log, &s);
	ck_assert_uint_eq(s.events, n);
	ck_assert_uint_eq(s.by_code[LOT_EV_task_yield], n);
	lot_tb_free(b);
}
END_TEST

START_TEST(chunk_filled_to_the_last_byte_decodes)
{
	struct lot_tb *b = lot_tb_new(NULL);
	struct lot_writer *w = lot_tb_chunk_begin_cap(b, 1, "f", 0, 0, LOT_CHUNK_MIN);
	const size_t last = 1 + 10 + 10; /* lost's worst case: type, delta, count */
	uint64_t t = lot_tb_ticks(b, 0);
	unsigned n = 0;
	for (;;) {
		size_t need = LOT_CHUNK_MIN - lot_writer_used(w) - last;
		if (need == 0)
			break;
		size_t sz = need >= 15 ? 12 : need <= 12 ? need : need - 3;
		ck_assert(lot_write_lost(w, t, value_of_len((unsigned)sz - 2)));
		n++;
	}
	/* a 10-byte delta and a 10-byte count: exactly the reserved worst case */
	uint64_t far = t + (1ull << 63);
	ck_assert(lot_write_lost(w, far, UINT64_MAX));
	ck_assert_uint_eq(lot_writer_used(w), LOT_CHUNK_MIN);
	ck_assert(!lot_write_task_yield(w, far));
	lot_tb_chunk_end(b);
	size_t len;
	const uint8_t *img = lot_tb_data(b, &len);
	struct lot_reader *r = lot_reader_open_mem(img, len, NULL, NULL);
	struct lot_chunk *c;
	struct lot_event ev;
	ck_assert_int_eq(lot_reader_next_chunk(r, &c), 1);
	ck_assert_uint_eq(c->info.raw_len, LOT_CHUNK_MIN);
	for (unsigned i = 0; i < n; i++)
		ck_assert_int_eq(lot_chunk_next_event(r, &ev), 1);
	ck_assert_int_eq(lot_chunk_next_event(r, &ev), 1);
	ck_assert_uint_eq(ev.ticks, far);
	ck_assert_uint_eq(ev.args[0].u, UINT64_MAX);
	ck_assert_int_eq(lot_chunk_next_event(r, &ev), 0);
	ck_assert(!lot_reader_damaged(r));
	lot_reader_close(r);
	lot_tb_free(b);
}
END_TEST

START_TEST(time_deltas_count_in_units_of_two_to_the_shift)
{
	struct lot_clock_info clock = {.freq_hz = 1000000000, .start_ticks = 1000, .time_shift = 6};
	struct lot_tb *b = lot_tb_new(&clock);
	struct lot_writer *w = lot_tb_chunk_begin(b, 1, "t", 0, 0); /* base 1000 = unit 15 (960) */
	const uint64_t when[] = {1000, 1063, 1064, 1200, 100000, 99000 /* steps back */, 100064};
	const uint64_t want[] = {960, 1024, 1024, 1152, 99968, 99968, 100032};
	for (size_t i = 0; i < 7; i++)
		ck_assert(lot_write_task_yield(w, when[i]));
	lot_tb_chunk_end(b);
	size_t len;
	const uint8_t *img = lot_tb_data(b, &len);
	struct lot_reader *r = lot_reader_open_mem(img, len, NULL, NULL);
	ck_assert_uint_eq(lot_reader_header(r)->clock.time_shift, 6);
	struct lot_chunk *c;
	struct lot_event ev;
	ck_assert_int_eq(lot_reader_next_chunk(r, &c), 1);
	for (size_t i = 0; i < 7; i++) {
		ck_assert_int_eq(lot_chunk_next_event(r, &ev), 1);
		ck_assert_uint_eq(ev.ticks, want[i]);
	}
	lot_reader_close(r);
	lot_tb_free(b);
}
END_TEST

START_TEST(interned_ids_are_defined_once_per_chunk_and_again_in_the_next)
{
	static const char name[] = "request";
	uint64_t pcs[] = {0x1000, 0x2000, 0x3000};
	uint8_t trace[16] = {7, 1, 2, 3};
	struct lot_tb *b = lot_tb_new(NULL);
	for (int chunk = 0; chunk < 2; chunk++) {
		struct lot_writer *w = lot_tb_chunk_begin(b, 1, "i", (uint64_t)chunk * 100, 0);
		for (int k = 0; k < 3; k++) {
			uint32_t s = lot_writer_string(w, name), st = lot_writer_stack(w, pcs, 3),
				 tr = lot_writer_trace(w, trace);
			ck_assert_uint_eq(s, 1);
			ck_assert_uint_eq(st, 1);
			ck_assert_uint_eq(tr, 1);
			ck_assert(lot_write_span_begin(w, lot_tb_ticks(b, (uint64_t)chunk * 100 + (uint64_t)k),
						      (uint64_t)k + 1, 0, tr, s, st));
		}
		/* one definition of each in this chunk */
		ck_assert_uint_eq(w->next_string, 2);
		ck_assert_uint_eq(w->next_stack, 2);
		ck_assert_uint_eq(w->next_trace, 2);
		lot_tb_chunk_end(b);
	}
	lot_tb_trailer(b, 1000);
	size_t len;
	const uint8_t *img = lot_tb_data(b, &len);
	struct lot_reader *r = lot_reader_open_mem(img, len, NULL, NULL);
	struct lot_chunk *c;
	struct lot_event ev;
	int chunks = 0;
	while (lot_reader_next_chunk(r, &c) == 1) {
		chunks++;
		for (int k = 0; k < 3; k++) {
			ck_assert_int_eq(lot_chunk_next_event(r, &ev), 1);
			const struct lot_arg *a = ev.args;
			ck_assert_uint_eq(a[LOT_ARG_span_begin_name].len, strlen(name));
			ck_assert(!memcmp(a[LOT_ARG_span_begin_name].str, name, strlen(name)));
			ck_assert_uint_eq(a[LOT_ARG_span_begin_stack].n_pcs, 3);
			ck_assert_uint_eq(a[LOT_ARG_span_begin_stack].pcs[2], 0x3000);
			ck_assert(!memcmp(a[LOT_ARG_span_begin_trace_id].id128, trace, 16));
		}
		ck_assert_int_eq(lot_chunk_next_event(r, &ev), 0);
	}
	ck_assert_int_eq(chunks, 2);
	ck_assert(!lot_reader_damaged(r));
	lot_reader_close(r);
	lot_tb_free(b);
}
END_TEST

START_TEST(count_events_matches_next_event)
{
	init_material(99);
	struct lot_tb *b = lot_tb_new(NULL);
	uint64_t want[256] = {0};
	uint64_t now = 0;
	for (int chunk = 0; chunk < 20; chunk++) {
		struct lot_writer *w = lot_tb_chunk_begin(b, (uint64_t)chunk % 3, "c", now, (uint64_t)chunk % 2);
		for (int k = 0; k < 500; k++) {
			struct xev e = {.code = rnd_code(), .ns = ++now, .tid = (uint64_t)chunk % 3};
			const struct lot_type_desc *d = builtin(e.code);
			for (unsigned a = 0; a < d->nargs; a++)
				rnd_arg(&e.a[a], d->arg_kinds[a], span_base_of(e.tid));
			if (!emit(b, w, &e))
				break;
			want[e.code]++;
		}
		lot_tb_chunk_end(b);
	}
	lot_tb_trailer(b, now);
	size_t len;
	const uint8_t *img = lot_tb_data(b, &len);
	struct lot_reader *r = lot_reader_open_mem(img, len, NULL, NULL);
	uint64_t got[256] = {0};
	struct lot_chunk *c;
	while (lot_reader_next_chunk(r, &c) == 1)
		ck_assert_int_eq(lot_chunk_count_events(r, got), 0);
	for (int i = 0; i < 256; i++)
		ck_assert_uint_eq(got[i], want[i]);
	ck_assert(!lot_reader_damaged(r));
	lot_reader_close(r);
	lot_tb_free(b);
}
END_TEST

/* The chunk index is validated with the trailer but built only when
 * lot_reader_trailer() is called; lot_reader_trailer_summary() never builds it. */
START_TEST(chunk_index_is_built_on_demand)
{
	struct lot_tb *b = lot_tb_new(NULL);
	uint64_t offs[8];
	for (int chunk = 0; chunk < 8; chunk++) {
		struct lot_writer *w = lot_tb_chunk_begin(b, 1 + (uint64_t)chunk % 2, "c", (uint64_t)chunk * 10, 0);
		ck_assert(lot_write_task_yield(w, lot_tb_ticks(b, (uint64_t)chunk * 10 + 1)));
		offs[chunk] = lot_tb_chunk_end(b);
	}
	lot_tb_trailer(b, 100);
	size_t len;
	const uint8_t *img = lot_tb_data(b, &len);
	struct lot_reader *r = lot_reader_open_mem(img, len, NULL, NULL);
	struct lot_chunk *c;
	int n = 0;
	while (lot_reader_next_chunk(r, &c) == 1)
		ck_assert_uint_eq(c->offset, offs[n++]);
	ck_assert_int_eq(n, 8);
	const struct lot_trailer *s = lot_reader_trailer_summary(r);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(s->index);
	ck_assert_uint_eq(s->n_index, 0);
	ck_assert_uint_eq(s->n_threads, 2);
	const struct lot_trailer *t = lot_reader_trailer(r);
	ck_assert_ptr_eq(t, s);
	ck_assert_uint_eq(t->n_index, 8);
	for (int i = 0; i < 8; i++) {
		ck_assert_uint_eq(t->index[i].offset, offs[i]);
		ck_assert_uint_eq(t->index[i].tid, 1 + (uint64_t)i % 2);
	}
	ck_assert_ptr_eq(lot_reader_trailer(r)->index, t->index); /* built once */
	ck_assert_ptr_nonnull(lot_reader_trailer_summary(r)->index);
	ck_assert(!lot_reader_damaged(r));
	lot_reader_close(r);
	lot_tb_free(b);
}
END_TEST

START_TEST(header_carries_clock_metadata_and_type_table)
{
	struct lot_tb *b = lot_tb_new(NULL);
	lot_tb_trailer(b, 5);
	size_t len;
	const uint8_t *img = lot_tb_data(b, &len);
	struct lot_reader *r = lot_reader_open_mem(img, len, NULL, NULL);
	const struct lot_file_header *h = lot_reader_header(r);
	ck_assert_uint_eq(h->major, LOT_FORMAT_MAJOR);
	ck_assert_uint_eq(h->clock.freq_hz, 1000000000);
	ck_assert_uint_eq(h->clock.start_ticks, 1000000000);
	ck_assert_str_eq(lot_reader_meta(r, "service"), "test");
	ck_assert_ptr_null(lot_reader_meta(r, "nope"));
	ck_assert_str_eq(h->types[LOT_EV_span_begin].name, "span_begin");
	ck_assert_str_eq(h->types[LOT_EV_span_begin].arg_names[LOT_ARG_span_begin_trace_id], "trace_id");
	ck_assert_ptr_null(h->types[0xff].name);
	ck_assert_uint_gt(h->size, 100);
	struct lot_chunk *c;
	ck_assert_int_eq(lot_reader_next_chunk(r, &c), 0);
	const struct lot_trailer *t = lot_reader_trailer(r);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(t->end_ticks, lot_tb_ticks(b, 5));
	lot_reader_close(r);
	lot_tb_free(b);
}
END_TEST

START_TEST(every_kind_has_its_name)
{
	static const char *const want[] = {NULL,    "uvar",  "svar",  "string", "stack", "trace",
					   "span",  "bytes", "pcs",   "id128",  "value", "task"};
	for (unsigned k = 1; k < sizeof want / sizeof want[0]; k++)
		ck_assert_str_eq(lot_kind_name(k), want[k]);
	ck_assert_str_eq(lot_kind_name(0), "unknown");
	ck_assert_str_eq(lot_kind_name(LOT_KIND_MAX_ + 1), "unknown");
}
END_TEST

START_TEST(ticks_convert_to_ns_since_start)
{
	struct lot_clock_info c = {.freq_hz = 3000000000u, .start_ticks = 3000};
	ck_assert_int_eq(lot_ticks_to_ns(&c, 3000), 0);
	ck_assert_int_eq(lot_ticks_to_ns(&c, 6000), 1000);
	ck_assert_int_eq(lot_ticks_to_ns(&c, 0), -1000);
	ck_assert_int_eq(lot_ticks_to_ns(&c, 3000 + 3000000000ull * 86400 * 365), 86400ll * 365 * 1000000000);
	/* saturated, so that sums and differences of two times cannot overflow */
	ck_assert_int_eq(lot_ticks_to_ns(&c, UINT64_MAX), LOT_NS_LIMIT);
	struct lot_clock_info late = {.freq_hz = 1, .start_ticks = UINT64_MAX};
	ck_assert_int_eq(lot_ticks_to_ns(&late, 0), -LOT_NS_LIMIT);
	char hex[33];
	uint8_t id[16] = {0x00, 0x01, 0xab, 0xff, [15] = 0x10};
	lot_trace_id_hex(id, hex);
	ck_assert_str_eq(hex, "0001abff000000000000000000000010");
}
END_TEST

static void build_big(struct lot_tb *b)
{
	init_material(5);
	static char noise[LOT_STRING_MAX];
	uint64_t now = 0;
	for (int chunk = 0; chunk < 40; chunk++) {
		/* some chunks larger than the reader's 1 MiB read window, incompressible */
		size_t cap = chunk % 10 == 3 ? (3u << 20) : 64 * 1024;
		struct lot_writer *w = lot_tb_chunk_begin_cap(b, (uint64_t)chunk % 4, "big", now, 0, cap);
		for (;;) {
			for (size_t i = 0; i < sizeof noise; i++)
				noise[i] = (char)rnd();
			struct lot_value v = {.is_str = true, .s = {noise, sizeof noise}};
			if (!lot_write_span_attr(w, lot_tb_ticks(b, ++now), 1, 0, v))
				break;
		}
		lot_tb_chunk_end(b);
	}
	lot_tb_trailer(b, now);
}

START_TEST(file_reader_reads_what_the_memory_reader_reads)
{
	struct lot_tb *b = lot_tb_new(NULL);
	build_big(b);
	char path[] = "/tmp/lotrace-test-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(lot_tb_save(b, path), 0);
	size_t len;
	const uint8_t *img = lot_tb_data(b, &len);
	struct diag_log log = {0};
	struct read_summary mem;
	read_all(img, len, &log, &mem);
	ck_assert(!mem.damaged);
	ck_assert_uint_eq(mem.chunks, 40);

	struct lot_reader *r = lot_reader_open(path, NULL, NULL);
	ck_assert_ptr_nonnull(r);
	struct lot_chunk *c;
	struct lot_event ev;
	uint64_t events = 0, chunks = 0;
	while (lot_reader_next_chunk(r, &c) == 1) {
		chunks++;
		while (lot_chunk_next_event(r, &ev) == 1)
			events++;
	}
	ck_assert_uint_eq(chunks, mem.chunks);
	ck_assert_uint_eq(events, mem.events);
	ck_assert(!lot_reader_damaged(r));
	ck_assert_ptr_nonnull(lot_reader_trailer(r));
	lot_reader_close(r);

	struct lot_read_error err;
	ck_assert_ptr_null(lot_reader_open("/nonexistent/x.lot", NULL, &err));
	ck_assert_ptr_nonnull(strstr(err.message, "No such file"));
	unlink(path);
	lot_tb_free(b);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_loop_test(tc, random_event_sequences_decode_identically, 0, 3);
	tcase_add_loop_test(tc, random_event_sequences_decode_identically_with_time_shift, 0, 2);
	tcase_add_test(tc, every_event_type_round_trips_all_args);
	tcase_add_test(tc, span_ids_round_trip_as_id_deltas);
	tcase_add_test(tc, trace_gen_derives_the_trace_id_from_key_and_root);
	tcase_add_test(tc, chunk_without_stacks_omits_stack_arguments);
	tcase_add_test(tc, writer_refuses_exactly_when_the_chunk_is_full);
	tcase_add_test(tc, chunk_filled_to_the_last_byte_decodes);
	tcase_add_test(tc, time_deltas_count_in_units_of_two_to_the_shift);
	tcase_add_test(tc, interned_ids_are_defined_once_per_chunk_and_again_in_the_next);
	tcase_add_test(tc, count_events_matches_next_event);
	tcase_add_test(tc, chunk_index_is_built_on_demand);
	tcase_add_test(tc, header_carries_clock_metadata_and_type_table);
	tcase_add_test(tc, every_kind_has_its_name);
	tcase_add_test(tc, ticks_convert_to_ns_since_start);
	tcase_add_test(tc, file_reader_reads_what_the_memory_reader_reads);
}

#include "tests/support/check_main.h"
