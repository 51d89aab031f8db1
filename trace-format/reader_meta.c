/*
 * Header and trailer parsing: the sectioned records at both ends of a file.
 *
 * Both are read whole (their sizes are bounded by LOT_HEADER_MAX and
 * LOT_TRAILER_MAX) and parsed defensively: every count is checked against
 * the bytes left before anything is allocated, strings are copied into an
 * arena sized by the record, unknown section tags are skipped by their
 * length, and a known section longer than this reader expects (a newer
 * minor appending fields) is accepted.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/endian.h"
#include "lib/varint.h"
#include "trace-format/file_writer.h"
#include "trace-format/decode.h"
#include "trace-format/reader_impl.h"
#include "trace-format/reader_meta.h"
#include "trace-format/types.h"

/* A cursor over one section, with the record's start to turn pointers into offsets. */
struct cur {
	const uint8_t *p, *end;
	const uint8_t *rec; /* record body start */
	uint64_t rec_off;   /* file offset of rec */
	struct lot_arena *arena;
	char *why;          /* 256 bytes */
	uint64_t *why_off;
};

static int fail(struct cur *c, const uint8_t *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct cur *c, const uint8_t *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->why, 256, fmt, ap);
	va_end(ap);
	*c->why_off = c->rec_off + (uint64_t)(at - c->rec);
	return -1;
}

static int get_u8(struct cur *c, uint8_t *v, const char *what)
{
	if (c->p >= c->end)
		return fail(c, c->p, "%s: section ends early", what);
	*v = *c->p++;
	return 0;
}

static int get_uv(struct cur *c, uint64_t *v, const char *what)
{
	if (lot_varint_get(&c->p, c->end, v))
		return fail(c, c->p, "%s: bad varint", what);
	return 0;
}

static int get_count(struct cur *c, size_t min_entry, uint64_t *n, const char *what)
{
	if (get_uv(c, n, what))
		return -1;
	if (*n > (uint64_t)(c->end - c->p) / min_entry)
		return fail(c, c->p, "%s: count %llu does not fit in the section", what,
			    (unsigned long long)*n);
	return 0;
}

static int get_lbytes(struct cur *c, const char **out, size_t *len, const char *what)
{
	uint64_t n;
	if (get_uv(c, &n, what))
		return -1;
	if (n > (uint64_t)(c->end - c->p))
		return fail(c, c->p, "%s: string of %llu bytes runs past the section", what,
			    (unsigned long long)n);
	struct lot_arena *a = c->arena;
	if (n + 1 > a->cap - a->used) /* cannot happen: the arena is as large as the record */
		return fail(c, c->p, "%s: string arena exhausted", what);
	char *s = a->base + a->used;
	memcpy(s, c->p, n);
	s[n] = '\0';
	a->used += n + 1;
	c->p += n;
	*out = s;
	if (len)
		*len = n;
	return 0;
}

static int arena_init(struct lot_arena *a, size_t cap)
{
	a->base = malloc(cap + 1);
	a->used = 0;
	a->cap = cap + 1;
	return a->base ? 0 : -1;
}

/* Walk the sections of [p, end): calls fn for each with its body. */
typedef int (*section_fn)(struct lot_reader *r, uint16_t tag, struct cur *c);

static int walk_sections(struct lot_reader *r, struct cur *whole, section_fn fn, const char *rec_name)
{
	while (whole->p < whole->end) {
		const uint8_t *s = whole->p;
		if (whole->end - s < 6)
			return fail(whole, s, "%s section header truncated", rec_name);
		uint16_t tag = lot_get_le16(s);
		uint32_t len = lot_get_le32(s + 2);
		if (len > (size_t)(whole->end - s - 6))
			return fail(whole, s, "%s section %u of %u bytes overruns the record", rec_name,
				    tag, len);
		struct cur c = *whole;
		c.p = s + 6;
		c.end = s + 6 + len;
		if (fn(r, tag, &c))
			return -1;
		whole->p = s + 6 + len;
	}
	return 0;
}

/* ---- header ---- */

static bool kinds_match(const struct lot_type_desc *a, const struct lot_type_desc *b)
{
	if (a->nargs != b->nargs || (a->flags & LOT_TIMED) != (b->flags & LOT_TIMED))
		return false;
	for (unsigned i = 0; i < a->nargs; i++)
		if (a->arg_kinds[i] != b->arg_kinds[i])
			return false;
	return true;
}

static int parse_types(struct lot_reader *r, struct cur *c)
{
	const struct lot_type_desc *builtin[256] = {0};
	for (size_t i = 0; i < lot_builtin_types_count; i++)
		builtin[lot_builtin_types[i].code] = &lot_builtin_types[i];

	uint64_t n;
	if (get_count(c, 4, &n, "event-type table"))
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *at = c->p;
		struct lot_type_desc t = {0};
		if (get_u8(c, &t.code, "event type") || get_lbytes(c, &t.name, NULL, "event type name") ||
		    get_u8(c, &t.flags, "event type flags") || get_u8(c, &t.nargs, "event type"))
			return -1;
		if (t.nargs > LOT_MAX_ARGS)
			return fail(c, at, "event type 0x%02x (%s) has %u arguments, at most %u allowed",
				    t.code, t.name, t.nargs, LOT_MAX_ARGS);
		for (unsigned a = 0; a < t.nargs; a++) {
			if (get_lbytes(c, &t.arg_names[a], NULL, "argument name") ||
			    get_u8(c, &t.arg_kinds[a], "argument kind"))
				return -1;
			if (t.arg_kinds[a] < 1 || t.arg_kinds[a] > LOT_KIND_MAX_)
				return fail(c, at, "event type 0x%02x (%s): argument %s has unknown kind %u",
					    t.code, t.name, t.arg_names[a], t.arg_kinds[a]);
		}
		if (r->hdr.types[t.code].name)
			return fail(c, at, "event type 0x%02x defined twice", t.code);
		const struct lot_type_desc *b = builtin[t.code];
		/* The semantic layer indexes args by LOT_ARG_*: a built-in code must keep its shape. */
		if (b && !kinds_match(&t, b))
			return fail(c, at, "event type 0x%02x (%s) disagrees with this reader's %s", t.code,
				    t.name, b->name);
		r->hdr.types[t.code] = t;
		lot_rd_dtype_init(&r->dt[t.code], &t);
	}
	return 0;
}

static int parse_meta(struct lot_reader *r, struct cur *c)
{
	uint64_t n;
	if (get_count(c, 2, &n, "metadata"))
		return -1;
	r->meta = calloc(n ? n : 1, sizeof *r->meta);
	if (!r->meta)
		return fail(c, c->p, "out of memory");
	for (uint64_t i = 0; i < n; i++)
		if (get_lbytes(c, &r->meta[i].key, NULL, "metadata key") ||
		    get_lbytes(c, &r->meta[i].value, NULL, "metadata value"))
			return -1;
	r->hdr.meta = r->meta;
	r->hdr.n_meta = n;
	return 0;
}

static int parse_modules(struct lot_reader *r, struct cur *c)
{
	uint64_t n;
	if (get_count(c, 5, &n, "module map"))
		return -1;
	r->modules = calloc(n ? n : 1, sizeof *r->modules);
	if (!r->modules)
		return fail(c, c->p, "out of memory");
	for (uint64_t i = 0; i < n; i++) {
		struct lot_module *m = &r->modules[i];
		const char *bid = NULL;
		if (get_uv(c, &m->start, "module") || get_uv(c, &m->end, "module") ||
		    get_uv(c, &m->offset, "module") || get_lbytes(c, &m->path, NULL, "module path") ||
		    get_lbytes(c, &bid, &m->build_id_len, "module build-id"))
			return -1;
		m->build_id = (const uint8_t *)bid;
	}
	r->hdr.modules = r->modules;
	r->hdr.n_modules = n;
	return 0;
}

static int header_section(struct lot_reader *r, uint16_t tag, struct cur *c)
{
	switch (tag) {
	case LOT_SEC_CLOCK: {
		if (r->hdr.clock.freq_hz)
			return fail(c, c->p - 6, "duplicate clock section");
		if (c->end - c->p < LOT_SEC_CLOCK_LEN)
			return fail(c, c->p, "clock section is %zu bytes, expected %u",
				    (size_t)(c->end - c->p), LOT_SEC_CLOCK_LEN);
		struct lot_clock_info *k = &r->hdr.clock;
		k->freq_hz = lot_get_le64(c->p);
		k->start_ticks = lot_get_le64(c->p + 8);
		k->start_mono_ns = lot_get_le64(c->p + 16);
		k->start_real_ns = lot_get_le64(c->p + 24);
		k->time_shift = c->p[32];
		k->source = c->p[33];
		if (k->freq_hz == 0)
			return fail(c, c->p, "clock frequency is 0");
		if (k->time_shift >= 64)
			return fail(c, c->p + 32, "time shift %u is out of range", k->time_shift);
		return 0;
	}
	case LOT_SEC_META:
		if (r->meta)
			return fail(c, c->p - 6, "duplicate metadata section");
		return parse_meta(r, c);
	case LOT_SEC_TYPES:
		return parse_types(r, c);
	case LOT_SEC_MODULES:
		if (r->modules)
			return fail(c, c->p - 6, "duplicate module section");
		return parse_modules(r, c);
	case LOT_SEC_TRACE_KEY:
		if (r->hdr.has_trace_key)
			return fail(c, c->p - 6, "duplicate trace key section");
		if (c->end - c->p != LOT_SEC_TRACE_KEY_LEN)
			return fail(c, c->p, "trace key section is %zu bytes, expected %u",
				    (size_t)(c->end - c->p), LOT_SEC_TRACE_KEY_LEN);
		r->hdr.trace_key[0] = lot_get_le64(c->p);
		r->hdr.trace_key[1] = lot_get_le64(c->p + 8);
		r->hdr.has_trace_key = true;
		return 0;
	default:
		return 0; /* a section from a newer minor */
	}
}

int lot_rd_parse_header(struct lot_reader *r, const uint8_t *body, uint32_t size,
			struct lot_read_error *err)
{
	uint64_t why_off = 0;
	char why[256] = "";
	if (arena_init(&r->hdr_arena, size)) {
		snprintf(err->message, sizeof err->message, "out of memory");
		return -1;
	}
	struct cur c = {.p = body + LOT_HDR_FIXED, .end = body + size, .rec = body,
			.rec_off = LOT_RECORD_PREFIX, .arena = &r->hdr_arena, .why = why,
			.why_off = &why_off};
	int rc = walk_sections(r, &c, header_section, "header");
	if (!rc && !r->hdr.clock.freq_hz)
		rc = fail(&c, body, "header has no clock section");
	if (!rc) {
		bool any = false;
		for (unsigned i = 0; i < 256; i++)
			any |= r->dt[i].known;
		if (!any)
			rc = fail(&c, body, "header has no event-type table");
	}
	if (rc) {
		err->offset = why_off;
		snprintf(err->message, sizeof err->message, "%s", why);
		return -1;
	}
	return 0;
}

/* ---- trailer ---- */

/* A trailer section's count *n (entries of at least min_bytes) and a zeroed
 * array for them of `size` bytes each; NULL after fail(). */
static void *new_table(struct cur *c, unsigned min_bytes, const char *what, size_t size,
		       uint64_t *n)
{
	if (get_count(c, min_bytes, n, what))
		return NULL;
	void *t = calloc(*n ? *n : 1, size);
	if (!t)
		fail(c, c->p, "out of memory");
	return t;
}

static int parse_threads(struct lot_reader *r, struct cur *c)
{
	uint64_t n;
	struct lot_thread_total *t = new_table(c, 5, "trailer threads", sizeof *t, &n);
	if (!t)
		return -1;
	free(r->trailer.threads);
	r->trailer.threads = t;
	r->trailer.n_threads = 0;
	for (uint64_t i = 0; i < n; i++) {
		if (get_uv(c, &t[i].tid, "thread") || get_lbytes(c, &t[i].name, NULL, "thread name") ||
		    get_uv(c, &t[i].written, "thread") || get_uv(c, &t[i].lost, "thread") ||
		    get_uv(c, &t[i].chunks, "thread"))
			return -1;
		r->trailer.n_threads++;
	}
	return 0;
}

/*
 * The chunk index: one entry per chunk, so the only part of a reader's
 * memory that grows with the file.  `lotrace info` and `dump` never look at
 * it, so the trailer parse only validates it (a bad index is still trailer
 * damage) and notes where it is; lot_reader_trailer() builds the array on
 * first use from the file (lot_rd_parse_index()).  store: build it now.
 */
static int parse_index(struct lot_reader *r, struct cur *c, bool store)
{
	uint64_t n;
	const uint8_t *start = c->p;
	struct lot_index_entry *e = NULL, dummy;
	if (!store) {
		if (get_count(c, 5, &n, "chunk index"))
			return -1;
	} else {
		if (!(e = new_table(c, 5, "chunk index", sizeof *e, &n)))
			return -1;
		free(r->trailer.index);
		r->trailer.index = e;
		r->trailer.n_index = 0;
	}
	for (uint64_t i = 0; i < n; i++) {
		struct lot_index_entry *x = store ? &e[i] : &dummy;
		uint64_t seq;
		if (get_uv(c, &x->offset, "index") || get_uv(c, &x->tid, "index") ||
		    get_uv(c, &seq, "index") || get_uv(c, &x->base_ticks, "index") ||
		    get_uv(c, &x->end_ticks, "index"))
			return -1;
		x->seq = (uint32_t)seq;
		if (store)
			r->trailer.n_index++;
	}
	if (!store) { /* a later index section replaces an earlier one, as when stored */
		r->idx_off = c->rec_off + (uint64_t)(start - c->rec);
		r->idx_len = (size_t)(c->end - start);
		r->idx_state = LOT_IDX_PENDING;
	}
	return 0;
}

int lot_rd_parse_index(struct lot_reader *r, const uint8_t *p, size_t len)
{
	char why[256];
	uint64_t why_off = 0;
	struct cur c = {.p = p, .end = p + len, .rec = p, .rec_off = r->idx_off,
			.arena = &r->trl_arena, .why = why, .why_off = &why_off};
	return parse_index(r, &c, true);
}

static int parse_stats(struct lot_reader *r, struct cur *c)
{
	uint64_t n;
	struct lot_stat *s = new_table(c, 2, "trailer stats", sizeof *s, &n);
	if (!s)
		return -1;
	free(r->trailer.stats);
	r->trailer.stats = s;
	r->trailer.n_stats = 0;
	for (uint64_t i = 0; i < n; i++) {
		if (get_lbytes(c, &s[i].key, NULL, "stat key") || get_uv(c, &s[i].value, "stat value"))
			return -1;
		r->trailer.n_stats++;
	}
	return 0;
}

static int trailer_section(struct lot_reader *r, uint16_t tag, struct cur *c)
{
	switch (tag) {
	case LOT_TSEC_THREADS:
		return parse_threads(r, c);
	case LOT_TSEC_INDEX:
		return parse_index(r, c, false);
	case LOT_TSEC_STATS:
		return parse_stats(r, c);
	case LOT_TSEC_END_CLOCK:
		if (c->end - c->p < 24)
			return fail(c, c->p, "end-clock section is %zu bytes, expected 24",
				    (size_t)(c->end - c->p));
		r->trailer.end_ticks = lot_get_le64(c->p);
		r->trailer.end_mono_ns = lot_get_le64(c->p + 8);
		r->trailer.end_real_ns = lot_get_le64(c->p + 16);
		return 0;
	default:
		return 0;
	}
}

static void free_trailer(struct lot_reader *r)
{
	free(r->trailer.threads);
	free(r->trailer.index);
	free(r->trailer.stats);
	free(r->trl_arena.base);
	memset(&r->trailer, 0, sizeof r->trailer);
	memset(&r->trl_arena, 0, sizeof r->trl_arena);
	r->have_trailer = false;
	r->idx_state = LOT_IDX_NONE;
}

int lot_rd_parse_trailer(struct lot_reader *r, uint64_t offset, const uint8_t *body,
			 uint32_t size, char why[256])
{
	free_trailer(r);
	if (size < 4 + LOT_TRAILER_FOOTER) {
		snprintf(why, 256, "trailer of %u bytes is too short", size);
		return -1;
	}
	if (LOT_CRC_BAD(lot_get_le32(body), lot_crc32(body + 4, size - 4))) {
		snprintf(why, 256, "trailer checksum mismatch");
		return -1;
	}
	const uint8_t *foot = body + size - LOT_TRAILER_FOOTER;
	if (memcmp(foot + 8, LOT_TRAILER_END_SIG, 8) != 0) {
		snprintf(why, 256, "trailer footer signature missing");
		return -1;
	}
	if (lot_get_le64(foot) != offset) {
		snprintf(why, 256, "trailer footer says offset %llu", (unsigned long long)lot_get_le64(foot));
		return -1;
	}
	if (arena_init(&r->trl_arena, size)) {
		snprintf(why, 256, "out of memory");
		return -1;
	}
	uint64_t why_off = 0;
	struct cur c = {.p = body + 4, .end = foot, .rec = body, .rec_off = offset + LOT_RECORD_PREFIX,
			.arena = &r->trl_arena, .why = why, .why_off = &why_off};
	if (walk_sections(r, &c, trailer_section, "trailer")) {
		free_trailer(r);
		return -1;
	}
	r->have_trailer = true;
	return 0;
}

void lot_rd_free_meta(struct lot_reader *r)
{
	free(r->hdr_arena.base);
	free(r->meta);
	free(r->modules);
	free_trailer(r);
}
