#include "tests/format/support.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/endian.h"
#include "trace-format/file_writer.h"
#include "trace-format/format.h"
#include "trace-format/types.h"

void diag_collect(void *ctx, uint64_t offset, const char *message)
{
	struct diag_log *l = ctx;
	if (!l || l->n >= DIAG_MAX)
		return;
	l->off[l->n] = offset;
	snprintf(l->msg[l->n], sizeof l->msg[0], "%s", message);
	l->n++;
}

int diag_find(const struct diag_log *l, const char *substr)
{
	for (unsigned i = 0; i < l->n; i++)
		if (strstr(l->msg[i], substr))
			return (int)i;
	return -1;
}

void read_all(const void *data, size_t len, struct diag_log *log, struct read_summary *s)
{
	memset(s, 0, sizeof *s);
	struct lot_reader_opts o = {.diag = diag_collect, .diag_ctx = log};
	struct lot_read_error err = {0};
	struct lot_reader *r = lot_reader_open_mem(data, len, &o, &err);
	ck_assert_msg(r != NULL, "open failed: offset %llu: %s", (unsigned long long)err.offset,
		      err.message);
	struct lot_chunk *c;
	struct lot_event ev;
	while (lot_reader_next_chunk(r, &c) == 1) {
		s->chunks++;
		int rc;
		while ((rc = lot_chunk_next_event(r, &ev)) == 1) {
			if (ev.synthetic)
				s->synthetic++;
			else
				s->events++;
			s->by_code[ev.code]++;
		}
		if (rc < 0)
			s->bad_chunks++;
	}
	while (lot_reader_next_tail_event(r, &ev) == 1)
		s->tail_lost += ev.args[0].u;
	s->damaged = lot_reader_damaged(r);
	s->trailer = lot_reader_trailer(r) != NULL;
	s->warnings = lot_reader_warnings(r);
	lot_reader_close(r);
}

struct lot_read_error open_error(const void *data, size_t len)
{
	struct lot_read_error err = {0};
	struct lot_reader *r = lot_reader_open_mem(data, len, NULL, &err);
	ck_assert_msg(r == NULL, "open unexpectedly succeeded");
	return err;
}

uint8_t *image_copy(const struct lot_tb *b, size_t *len)
{
	const uint8_t *d = lot_tb_data(b, len);
	uint8_t *c = malloc(*len);
	ck_assert_ptr_nonnull(c);
	memcpy(c, d, *len);
	return c;
}

static void put_type(struct lot_buf *out, const struct lot_type_desc *t)
{
	lot_buf_u8(out, t->code);
	lot_buf_lstr(out, t->name);
	lot_buf_u8(out, t->flags);
	lot_buf_u8(out, t->nargs);
	for (unsigned a = 0; a < t->nargs; a++) {
		lot_buf_lstr(out, t->arg_names[a]);
		lot_buf_u8(out, t->arg_kinds[a]);
	}
}

static size_t section_begin(struct lot_buf *out, uint16_t tag)
{
	lot_buf_le16(out, tag);
	lot_buf_le32(out, 0);
	return out->len;
}

static void section_end(struct lot_buf *out, size_t start)
{
	lot_put_le32(out->data + start - 4, (uint32_t)(out->len - start));
}

void put_header(struct lot_buf *out, const struct hdr_opts *o)
{
	lot_buf_le32(out, LOT_MAGIC_HEADER);
	lot_buf_le32(out, 0);
	size_t body = out->len;
	lot_buf_append(out, LOT_SIGNATURE, LOT_SIGNATURE_LEN);
	lot_buf_le16(out, o->major);
	lot_buf_le16(out, o->minor);
	lot_buf_le32(out, 0);

	size_t s = section_begin(out, LOT_SEC_CLOCK);
	lot_buf_le64(out, 1000000000);
	lot_buf_le64(out, 1000000000);
	lot_buf_le64(out, 5);
	lot_buf_le64(out, 6);
	lot_buf_u8(out, o->time_shift);
	lot_buf_u8(out, LOT_CLOCK_MONOTONIC);
	for (size_t i = 0; i < o->clock_extra; i++)
		lot_buf_u8(out, 0xee);
	section_end(out, s);

	if (o->unknown_section) {
		s = section_begin(out, 0x7777);
		lot_buf_append(out, "future stuff", 12);
		section_end(out, s);
	}

	s = section_begin(out, LOT_SEC_META);
	lot_buf_varint(out, 1);
	lot_buf_lstr(out, "service");
	lot_buf_lstr(out, "handmade");
	section_end(out, s);

	s = section_begin(out, LOT_SEC_TYPES);
	size_t n = lot_builtin_types_count + o->n_extra - (o->replace_code >= 0 ? 1 : 0);
	lot_buf_varint(out, n);
	for (size_t i = 0; i < lot_builtin_types_count; i++)
		if (lot_builtin_types[i].code != o->replace_code)
			put_type(out, &lot_builtin_types[i]);
	for (size_t i = 0; i < o->n_extra; i++)
		put_type(out, &o->extra_types[i]);
	section_end(out, s);

	lot_put_le32(out->data + body - 4, (uint32_t)(out->len - body));
	lot_put_le32(out->data + body + LOT_HDR_OFF_CRC,
		     lot_crc32(out->data + body + LOT_HDR_FIXED, out->len - body - LOT_HDR_FIXED));
}

uint64_t put_chunk(struct lot_buf *out, struct lot_chunk_info ci, const void *raw, size_t len)
{
	static struct lot_compressor *comp;
	if (!comp)
		comp = lot_compressor_new();
	ci.raw_len = (uint32_t)len;
	if (!ci.thread_name)
		ci.thread_name = "t";
	size_t bound = lot_chunk_record_bound(len);
	uint64_t off = out->len;
	uint8_t *p = lot_buf_reserve(out, bound);
	ck_assert_ptr_nonnull(p);
	size_t n = lot_chunk_record_encode(comp, &ci, raw, p, bound);
	ck_assert_uint_gt(n, 0);
	out->len += n;
	return off;
}

void put_trailer(struct lot_buf *out)
{
	struct lot_trailer_info t = {.end_ticks = 2000000000};
	ck_assert(lot_trailer_encode(out, out->len, &t));
}

struct lot_reader *open_first_event(const struct lot_tb *b, struct lot_event *ev)
{
	size_t len;
	const uint8_t *img = lot_tb_data(b, &len);
	struct lot_reader *r = lot_reader_open_mem(img, len, NULL, NULL);
	struct lot_chunk *c;
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(lot_reader_next_chunk(r, &c), 1);
	ck_assert_int_eq(lot_chunk_next_event(r, ev), 1);
	return r;
}
