/*
 * Damage and compatibility: a bad header fails open with one line; any
 * damage after it is reported with its offset, skipped, and the rest of the
 * file is still read.  Newer minors (unknown types, sections, frames) read
 * without a warning.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/endian.h"
#include "lib/varint.h"
#include "tests/format/support.h"
#include "trace-format/file_writer.h"
#include "trace-format/types.h"

/* ---- header ---- */

START_TEST(empty_file_is_rejected)
{
	struct lot_read_error e = open_error("", 0);
	ck_assert_str_eq(e.message, "empty file");
	ck_assert_uint_eq(e.offset, 0);
}
END_TEST

START_TEST(foreign_file_is_rejected_with_its_first_bytes)
{
	static const uint8_t elf[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0};
	struct lot_read_error e = open_error(elf, sizeof elf);
	ck_assert_str_eq(e.message, "not a lotrace file (starts with 7f 45 4c 46)");
	e = open_error("ab", 2);
	ck_assert_str_eq(e.message, "not a lotrace file (starts with 61 62)");
}
END_TEST

START_TEST(truncated_header_says_how_much_is_missing)
{
	struct lot_tb *b = lot_tb_new(NULL);
	size_t len;
	const uint8_t *img = lot_tb_data(b, &len);
	uint32_t hdr = LOT_RECORD_PREFIX + lot_get_le32(img + 4);
	struct lot_read_error e = open_error(img, 100);
	char want[128];
	snprintf(want, sizeof want, "truncated header: need %u bytes, file has 100", hdr);
	ck_assert_str_eq(e.message, want);
	e = open_error(img, 6);
	ck_assert_ptr_nonnull(strstr(e.message, "truncated header"));
	lot_tb_free(b);
}
END_TEST

START_TEST(header_checksum_mismatch_is_rejected)
{
	struct lot_tb *b = lot_tb_new(NULL);
	size_t len;
	uint8_t *img = image_copy(b, &len);
	img[LOT_RECORD_PREFIX + LOT_HDR_FIXED + 10] ^= 0x40; /* inside the clock section */
	struct lot_read_error e = open_error(img, len);
	ck_assert_str_eq(e.message, "header checksum mismatch");
	ck_assert_uint_eq(e.offset, LOT_RECORD_PREFIX + LOT_HDR_OFF_CRC);
	free(img);
	lot_tb_free(b);
}
END_TEST

START_TEST(newer_major_version_asks_for_an_upgrade)
{
	struct lot_buf f = {0};
	put_header(&f, &(struct hdr_opts){.major = 2, .minor = 3, .replace_code = -1});
	struct lot_read_error e = open_error(f.data, f.len);
	ck_assert_str_eq(e.message, "format version 2.3 is newer than this reader (1.x); upgrade lotrace");
	ck_assert_uint_eq(e.offset, LOT_RECORD_PREFIX + LOT_HDR_OFF_MAJOR);
	lot_buf_free(&f);
}
END_TEST

START_TEST(builtin_type_with_other_kinds_is_rejected)
{
	struct lot_type_desc t = {.code = LOT_EV_span_end, .flags = LOT_TIMED, .nargs = 1,
				  .name = "span_end", .arg_names = {"span"}, .arg_kinds = {LOT_KIND_UVAR}};
	struct lot_buf f = {0};
	put_header(&f, &(struct hdr_opts){.major = 1, .extra_types = &t, .n_extra = 1,
					  .replace_code = LOT_EV_span_end});
	struct lot_read_error e = open_error(f.data, f.len);
	ck_assert_msg(strstr(e.message, "event type 0x31 (span_end) disagrees"), "%s", e.message);
	ck_assert_uint_gt(e.offset, LOT_RECORD_PREFIX + LOT_HDR_FIXED);
	lot_buf_free(&f);
}
END_TEST

START_TEST(type_with_an_unknown_kind_is_rejected)
{
	struct lot_type_desc t = {.code = 0x70, .flags = LOT_TIMED, .nargs = 1, .name = "odd",
				  .arg_names = {"x"}, .arg_kinds = {LOT_KIND_MAX_ + 1}};
	struct lot_buf f = {0};
	put_header(&f, &(struct hdr_opts){.major = 1, .extra_types = &t, .n_extra = 1, .replace_code = -1});
	struct lot_read_error e = open_error(f.data, f.len);
	ck_assert_msg(strstr(e.message, "unknown kind 12"), "%s", e.message);
	lot_buf_free(&f);
}
END_TEST

/* ---- chunks ---- */

/* Three chunks on two threads and a trailer; offs[] gets the chunk offsets. */
static struct lot_tb *three_chunks(uint64_t offs[3], bool trailer)
{
	struct lot_tb *b = lot_tb_new(NULL);
	for (int c = 0; c < 3; c++) {
		struct lot_writer *w = lot_tb_chunk_begin(b, 10 + (uint64_t)(c % 2), "w", (uint64_t)c * 1000, 0);
		for (int k = 0; k < 100; k++)
			ck_assert(lot_write_instant(w, lot_tb_ticks(b, (uint64_t)(c * 1000 + k)),
						    lot_writer_string(w, "tick"), 0));
		offs[c] = lot_tb_chunk_end(b);
	}
	if (trailer)
		lot_tb_trailer(b, 5000);
	return b;
}

static size_t chunk_header_size(const uint8_t *img, uint64_t off) { return lot_get_le32(img + off + 4); }

/* Offset of a chunk's LZ4 frame and its length. */
static uint64_t frame_of(const uint8_t *img, uint64_t off, uint32_t *comp)
{
	size_t hs = chunk_header_size(img, off);
	*comp = lot_get_le32(img + off + LOT_RECORD_PREFIX + LOT_CH_OFF_COMP_LEN);
	return off + LOT_RECORD_PREFIX + hs;
}

static void expect_one_chunk_lost(uint8_t *img, size_t len, uint64_t off, const char *what)
{
	struct diag_log log = {0};
	struct read_summary s;
	read_all(img, len, &log, &s);
	ck_assert_uint_eq(s.chunks, 2);
	ck_assert_uint_eq(s.events, 200);
	ck_assert(s.damaged);
	ck_assert(s.trailer);
	ck_assert_uint_eq(log.n, 1);
	ck_assert_msg(strstr(log.msg[0], what), "warning: %s", log.msg[0]);
	ck_assert_uint_eq(log.off[0], off);
}

START_TEST(chunk_header_checksum_damage_skips_only_that_chunk)
{
	uint64_t offs[3];
	struct lot_tb *b = three_chunks(offs, true);
	size_t len;
	uint8_t *img = image_copy(b, &len);
	img[offs[1] + LOT_RECORD_PREFIX + LOT_CH_OFF_TID] ^= 1;
	expect_one_chunk_lost(img, len, offs[1], "chunk header checksum mismatch");
	free(img);
	lot_tb_free(b);
}
END_TEST

START_TEST(lz4_frame_corruption_is_detected)
{
	uint64_t offs[3];
	struct lot_tb *b = three_chunks(offs, true);
	size_t len;
	uint8_t *img = image_copy(b, &len);
	uint32_t comp;
	uint64_t frame = frame_of(img, offs[1], &comp);
	img[frame] ^= 0xff; /* the LZ4 frame magic */
	expect_one_chunk_lost(img, len, offs[1], "LZ4 frame");
	free(img);
	lot_tb_free(b);
}
END_TEST

START_TEST(content_checksum_corruption_is_detected)
{
	uint64_t offs[3];
	struct lot_tb *b = three_chunks(offs, true);
	size_t len;
	uint8_t *img = image_copy(b, &len);
	uint32_t comp;
	uint64_t frame = frame_of(img, offs[1], &comp);
	img[frame + comp - 1] ^= 0x01; /* last byte of the content checksum */
	expect_one_chunk_lost(img, len, offs[1], "LZ4 frame");
	free(img);
	img = image_copy(b, &len);
	img[frame + comp / 2] ^= 0x10; /* inside the compressed data */
	expect_one_chunk_lost(img, len, offs[1], "LZ4 frame");
	free(img);
	lot_tb_free(b);
}
END_TEST

/* A hand-made file: header, then chunks with the given payloads, then a trailer. */
struct payload {
	const uint8_t *raw;
	size_t len;
	uint32_t events;
};

static void handmade(struct lot_buf *f, const struct payload *p, size_t n, uint64_t *offs)
{
	put_header(f, &(struct hdr_opts){.major = 1, .replace_code = -1});
	for (size_t i = 0; i < n; i++) {
		struct lot_chunk_info ci = {.tid = 1, .seq = (uint32_t)i, .events = p[i].events,
					    .base_ticks = 1000000000};
		offs[i] = put_chunk(f, ci, p[i].raw, p[i].len);
	}
	put_trailer(f);
}

static const uint8_t good_payload[] = {LOT_EV_task_yield, 0, LOT_EV_task_yield, 5};

/* The middle chunk's payload is bad: its warning, and both neighbours read. */
static void expect_bad_payload(const uint8_t *raw, size_t len, uint32_t events, const char *what,
			       uint64_t want_events_before)
{
	struct payload p[3] = {{good_payload, sizeof good_payload, 2}, {raw, len, events},
			       {good_payload, sizeof good_payload, 2}};
	struct lot_buf f = {0};
	uint64_t offs[3];
	handmade(&f, p, 3, offs);
	struct diag_log log = {0};
	struct read_summary s;
	read_all(f.data, f.len, &log, &s);
	ck_assert_uint_eq(s.chunks, 3);
	ck_assert_uint_eq(s.events, 4 + want_events_before);
	ck_assert_int_eq(s.bad_chunks, 1);
	ck_assert(s.damaged && s.trailer);
	ck_assert_uint_eq(log.n, 1);
	ck_assert_msg(strstr(log.msg[0], what), "warning: %s", log.msg[0]);
	ck_assert_uint_eq(log.off[0], offs[1]);

	/* the counting fast path finds the same damage, with the same words */
	struct diag_log log2 = {0};
	struct lot_reader_opts o = {.diag = diag_collect, .diag_ctx = &log2};
	struct lot_reader *r = lot_reader_open_mem(f.data, f.len, &o, NULL);
	struct lot_chunk *c;
	uint64_t counts[256] = {0}, total = 0;
	int bad = 0;
	while (lot_reader_next_chunk(r, &c) == 1)
		bad += lot_chunk_count_events(r, counts) < 0;
	for (int i = 0; i < 256; i++)
		total += counts[i];
	ck_assert_int_eq(bad, 1);
	ck_assert_uint_eq(total, 4 + want_events_before);
	ck_assert_uint_eq(log2.n, 1);
	ck_assert_str_eq(log2.msg[0], log.msg[0]);
	lot_reader_close(r);
	lot_buf_free(&f);
}

START_TEST(event_running_past_the_chunk_end_is_damage)
{
	const uint8_t cut_arg[] = {LOT_EV_task_yield, 0, LOT_EV_task_start, 1};
	expect_bad_payload(cut_arg, sizeof cut_arg, 2, "bad or truncated varint", 1);
	const uint8_t cut_varint[] = {LOT_EV_task_start, 1, 0x80};
	expect_bad_payload(cut_varint, sizeof cut_varint, 1, "bad or truncated varint", 0);
	const uint8_t cut_delta[] = {LOT_EV_task_yield};
	expect_bad_payload(cut_delta, sizeof cut_delta, 1, "bad time delta", 0);
	const uint8_t cut_bytes[] = {LOT_EV_string_def, 1, 5, 'a', 'b'};
	expect_bad_payload(cut_bytes, sizeof cut_bytes, 0, "runs past the chunk end", 0);
	const uint8_t cut_id[] = {LOT_EV_trace_def, 1, 1, 2, 3};
	expect_bad_payload(cut_id, sizeof cut_id, 0, "runs past the chunk end", 0);
	/* an id delta's absolute form: the tag, then fewer than 8 bytes */
	const uint8_t cut_abs[] = {LOT_EV_task_yield, 0, LOT_EV_task_start, 1, LOT_ID_ABSOLUTE, 1, 2};
	expect_bad_payload(cut_abs, sizeof cut_abs, 2, "argument 0 runs past the chunk end", 1);
	const uint8_t gen[] = {LOT_EV_trace_gen, 1, 2};
	expect_bad_payload(gen, sizeof gen, 0, "trace_gen in a file without a trace key", 0);
}
END_TEST

START_TEST(undefined_string_and_stack_refs_are_damage)
{
	const uint8_t str[] = {LOT_EV_string_def, 1, 1, 'x', LOT_EV_instant, 0, 1, 0, LOT_EV_instant, 0, 7, 0};
	expect_bad_payload(str, sizeof str, 2, "string 7 used before its definition", 1);
	const uint8_t stack[] = {LOT_EV_instant, 0, 0, 1};
	expect_bad_payload(stack, sizeof stack, 1, "stack 1 used before its definition", 0);
	const uint8_t trace[] = {LOT_EV_span_begin, 0, 2, 0, 2, 0, 0};
	expect_bad_payload(trace, sizeof trace, 1, "trace 2 used before its definition", 0);
}
END_TEST

START_TEST(out_of_order_definition_ids_are_damage)
{
	const uint8_t str[] = {LOT_EV_string_def, 2, 1, 'x'};
	expect_bad_payload(str, sizeof str, 0, "string 2 defined out of order (expected 1)", 0);
	const uint8_t dup[] = {LOT_EV_stack_def, 1, 1, 2, LOT_EV_stack_def, 1, 1, 4};
	expect_bad_payload(dup, sizeof dup, 0, "stack 1 defined out of order (expected 2)", 0);
}
END_TEST

START_TEST(chunk_with_unknown_flags_is_skipped)
{
	struct lot_buf f = {0};
	put_header(&f, &(struct hdr_opts){.major = 1, .replace_code = -1});
	uint64_t offs[3];
	for (uint32_t i = 0; i < 3; i++) {
		struct lot_chunk_info ci = {.tid = 1, .seq = i, .events = 2, .base_ticks = 1000000000,
					    .flags = i == 1 ? 0x2 : LOT_CHUNK_NO_STACKS};
		offs[i] = put_chunk(&f, ci, good_payload, sizeof good_payload);
	}
	put_trailer(&f);
	struct diag_log log = {0};
	struct read_summary s;
	read_all(f.data, f.len, &log, &s);
	ck_assert_uint_eq(s.events, 4);
	ck_assert(s.damaged);
	ck_assert_uint_ge(log.n, 1);
	ck_assert_msg(strstr(log.msg[0], "chunk flags 0x2 are not known"), "%s", log.msg[0]);
	ck_assert_uint_eq(log.off[0], offs[1]);
	lot_buf_free(&f);
}
END_TEST

START_TEST(unknown_event_code_is_damage)
{
	const uint8_t raw[] = {LOT_EV_task_yield, 0, 0x99, 0, 0};
	expect_bad_payload(raw, sizeof raw, 2, "unknown event type 0x99", 1);
}
END_TEST

START_TEST(value_tag_other_than_0_or_1_is_damage)
{
	const uint8_t raw[] = {LOT_EV_span_attr, 0, 2, 0, 0, 5, LOT_EV_span_attr, 0, 2, 0, 2, 5};
	expect_bad_payload(raw, sizeof raw, 2, "value tag 2", 1);
}
END_TEST

/*
 * The same damage far from the payload's end, behind events of every shape
 * with long and short varints: there the counting loop takes its inline
 * paths (word-at-a-time varint runs, one-byte references), which must stop
 * at the same event with the same words as decoding.
 */
static const uint8_t far_prefix[] = {
	LOT_EV_task_start, 0x81, 0x01, 0x81, 0x80, 0x01,       /* 2- and 3-byte varints */
	LOT_EV_task_yield, 0x7f,
	LOT_EV_span_end, 0x05, 0xff, 0xff, 0x03,
	LOT_EV_task_create, 0, 0x90, 0x80, 0x80, 0x80, 0x01, 0x91, 0x80, 0x80, 0x80, 0x01, 0, 0,
	LOT_EV_task_block, 1, 0, 0, 0,
	LOT_EV_task_unblock, 2, 0x83, 0x80, 0x01, 0,
	LOT_EV_span_begin, 3, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 9, 0, 0, 0x80, 0x00, /* 9-byte span; 2-byte stack 0 */
	LOT_EV_span_attr, 0, 4, 0, 0, 0x81, 0x01,
	LOT_EV_span_attr, 0, 4, 0, 1, 3, 'a', 'b', 'c',
	LOT_EV_instant, 0, 0, 0,
	LOT_EV_counter, 1, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, /* 10 bytes */
	LOT_EV_clock_sync, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 1, 2,
	LOT_EV_lost, 0, 3,
	LOT_EV_task_end, 0,
};
#define FAR_PREFIX_EVENTS 14

static void expect_bad_far(const uint8_t *snippet, size_t n, const char *what, uint64_t before)
{
	uint8_t raw[sizeof far_prefix + 64 + 400];
	ck_assert_uint_le(n, 64);
	memcpy(raw, far_prefix, sizeof far_prefix);
	memcpy(raw + sizeof far_prefix, snippet, n);
	size_t len = sizeof far_prefix + n;
	for (int i = 0; i < 200; i++) { /* keep the damage far from the end */
		raw[len++] = LOT_EV_task_yield;
		raw[len++] = 1;
	}
	expect_bad_payload(raw, len, 0, what, FAR_PREFIX_EVENTS + before);
}

START_TEST(damage_far_from_the_chunk_end_is_found_by_counting_too)
{
	const uint8_t long_run[] = {LOT_EV_task_start, 0, 0x80, 0x80, 0x80, 0x80, 0x80,
				    0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
	expect_bad_far(long_run, sizeof long_run, "argument 0: bad or truncated varint", 0);
	const uint8_t tenth[] = {LOT_EV_span_end, 0, 0xff, 0xff, 0xff, 0xff, 0xff,
				 0xff, 0xff, 0xff, 0xff, 0x02};
	expect_bad_far(tenth, sizeof tenth, "argument 0: bad or truncated varint", 0);
	const uint8_t delta[] = {LOT_EV_task_yield, 0x80, 0x80, 0x80, 0x80, 0x80,
				 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
	expect_bad_far(delta, sizeof delta, "bad time delta", 0);
	const uint8_t str[] = {LOT_EV_string_def, 1, 1, 'x', LOT_EV_instant, 0, 1, 0,
			       LOT_EV_instant, 0, 0x81, 0x00, 0, LOT_EV_instant, 0, 2, 0};
	expect_bad_far(str, sizeof str, "string 2 used before its definition", 2);
	const uint8_t str2[] = {LOT_EV_string_def, 1, 1, 'x', LOT_EV_task_block, 0, 1, 0x80, 0x01, 0};
	expect_bad_far(str2, sizeof str2, "string 128 used before its definition", 0);
	const uint8_t stack[] = {LOT_EV_task_create, 0, 2, 2, 0, 1};
	expect_bad_far(stack, sizeof stack, "stack 1 used before its definition", 0);
	uint8_t trace[2 * 18 + 7] = {LOT_EV_trace_def, 1, [18] = LOT_EV_trace_def, 2};
	memcpy(trace + 36, (const uint8_t[]){LOT_EV_span_begin, 0, 2, 0, 3, 0, 0}, 7);
	expect_bad_far(trace, sizeof trace, "trace 3 used before its definition", 0);
	const uint8_t order[] = {LOT_EV_string_def, 1, 0, LOT_EV_string_def, 3, 0};
	expect_bad_far(order, sizeof order, "string 3 defined out of order (expected 2)", 0);
	const uint8_t torder[] = {LOT_EV_trace_def, 2};
	expect_bad_far(torder, sizeof torder, "trace 2 defined out of order (expected 1)", 0);
	const uint8_t sorder[] = {LOT_EV_stack_def, 1, 1, 2, LOT_EV_stack_def, 1, 1, 4};
	expect_bad_far(sorder, sizeof sorder, "stack 1 defined out of order (expected 2)", 0);
	const uint8_t code[] = {LOT_EV_task_yield, 0, 0x99, 0, 0};
	expect_bad_far(code, sizeof code, "unknown event type 0x99", 1);
	const uint8_t tag[] = {LOT_EV_span_attr, 0, 2, 0, 2, 5};
	expect_bad_far(tag, sizeof tag, "value tag 2", 0);
	const uint8_t pcs[] = {LOT_EV_stack_def, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
			       0x80, 0x80, 0x80, 0x80};
	expect_bad_far(pcs, sizeof pcs, "stack definition is malformed", 0);
	/* lengths that would reach past the end */
	const uint8_t sdef[] = {LOT_EV_string_def, 1, 0xff, 0xff, 0x03};
	expect_bad_far(sdef, sizeof sdef, "string definition runs past the chunk end", 0);
	const uint8_t val[] = {LOT_EV_span_attr, 0, 2, 0, 1, 0xff, 0xff, 0x03};
	expect_bad_far(val, sizeof val, "argument 2 runs past the chunk end", 0);
	const uint8_t gen[] = {LOT_EV_trace_gen, 1, 2};
	expect_bad_far(gen, sizeof gen, "trace_gen in a file without a trace key", 0);
}
END_TEST

START_TEST(event_count_mismatch_is_warned)
{
	struct payload p[1] = {{good_payload, sizeof good_payload, 5}};
	struct lot_buf f = {0};
	uint64_t offs[1];
	handmade(&f, p, 1, offs);
	struct diag_log log = {0};
	struct read_summary s;
	read_all(f.data, f.len, &log, &s);
	ck_assert_uint_eq(s.events, 2);
	ck_assert_uint_eq(log.n, 1);
	ck_assert_msg(strstr(log.msg[0], "header says 5 events, payload has 2"), "%s", log.msg[0]);
	ck_assert_uint_eq(log.off[0], offs[0]);
	lot_buf_free(&f);
}
END_TEST

START_TEST(truncated_last_chunk_keeps_the_chunks_before_it)
{
	uint64_t offs[3];
	struct lot_tb *b = three_chunks(offs, false);
	size_t len;
	const uint8_t *img = lot_tb_data(b, &len);
	size_t cuts[] = {offs[2] + 3, offs[2] + 40, offs[2] + LOT_RECORD_PREFIX + 80, len - 1};
	for (size_t i = 0; i < 4; i++) {
		struct diag_log log = {0};
		struct read_summary s;
		read_all(img, cuts[i], &log, &s);
		ck_assert_uint_eq(s.chunks, 2);
		ck_assert_uint_eq(s.events, 200);
		ck_assert(s.damaged && !s.trailer);
		ck_assert_uint_eq(log.n, 2);
		char want[128];
		snprintf(want, sizeof want, "(file ends at %zu)", cuts[i]);
		ck_assert_msg(strstr(log.msg[0], "truncated") && strstr(log.msg[0], want), "%s", log.msg[0]);
		ck_assert_uint_eq(log.off[0], offs[2]);
		ck_assert_msg(strstr(log.msg[1], "no trailer"), "%s", log.msg[1]);
		ck_assert_uint_eq(log.off[1], offs[2]);
	}
	lot_tb_free(b);
}
END_TEST

START_TEST(missing_trailer_is_warned)
{
	uint64_t offs[3];
	struct lot_tb *b = three_chunks(offs, false);
	size_t len;
	const uint8_t *img = lot_tb_data(b, &len);
	struct diag_log log = {0};
	struct read_summary s;
	read_all(img, len, &log, &s);
	ck_assert_uint_eq(s.chunks, 3);
	ck_assert(s.damaged && !s.trailer);
	ck_assert_uint_eq(log.n, 1);
	ck_assert_str_eq(log.msg[0], "no trailer: the trace was not closed (process crashed?); "
				     "everything before this offset was read");
	ck_assert_uint_eq(log.off[0], len);
	lot_tb_free(b);
}
END_TEST

START_TEST(corrupt_trailer_is_treated_as_missing)
{
	uint64_t offs[3];
	struct lot_tb *b = three_chunks(offs, false);
	size_t end;
	lot_tb_data(b, &end);
	lot_tb_trailer(b, 5000);
	size_t len;
	uint8_t *img = image_copy(b, &len);
	img[end + 20] ^= 4;
	struct diag_log log = {0};
	struct read_summary s;
	read_all(img, len, &log, &s);
	ck_assert_uint_eq(s.chunks, 3);
	ck_assert(s.damaged && !s.trailer);
	ck_assert_int_ge(diag_find(&log, "trailer checksum mismatch"), 0);
	ck_assert_uint_eq(log.off[diag_find(&log, "trailer checksum mismatch")], end);
	ck_assert_int_ge(diag_find(&log, "no trailer"), 0);
	free(img);
	lot_tb_free(b);
}
END_TEST

START_TEST(garbage_between_chunks_is_skipped)
{
	struct lot_buf f = {0};
	put_header(&f, &(struct hdr_opts){.major = 1, .replace_code = -1});
	struct lot_chunk_info ci = {.tid = 1, .events = 2};
	put_chunk(&f, ci, good_payload, sizeof good_payload);
	uint64_t garbage = f.len;
	for (int i = 0; i < 300; i++) /* with a fake magic inside whose record does not check out */
		lot_buf_u8(&f, i == 100 ? 0x5b : i == 101 ? 0x2a : i == 102 ? 0x4d : i == 103 ? 0x18 : (uint8_t)(i * 7));
	put_chunk(&f, ci, good_payload, sizeof good_payload);
	put_trailer(&f);
	struct diag_log log = {0};
	struct read_summary s;
	read_all(f.data, f.len, &log, &s);
	ck_assert_uint_eq(s.chunks, 2);
	ck_assert(s.damaged && s.trailer);
	ck_assert_uint_eq(log.n, 1);
	ck_assert_uint_eq(log.off[0], garbage);
	ck_assert_msg(strstr(log.msg[0], "not a record"), "%s", log.msg[0]);
	lot_buf_free(&f);
}
END_TEST

START_TEST(resync_finds_the_trailer_after_a_damaged_last_chunk)
{
	uint64_t offs[3];
	struct lot_tb *b = three_chunks(offs, true);
	size_t len;
	uint8_t *img = image_copy(b, &len);
	img[offs[2] + LOT_RECORD_PREFIX + LOT_CH_OFF_SEQ] ^= 1;
	struct diag_log log = {0};
	struct read_summary s;
	read_all(img, len, &log, &s);
	ck_assert_uint_eq(s.chunks, 2);
	ck_assert(s.damaged && s.trailer);
	ck_assert_uint_eq(log.n, 1);
	ck_assert_uint_eq(log.off[0], offs[2]);
	free(img);
	lot_tb_free(b);
}
END_TEST

/* Long garbage (several scan blocks) between chunks, read from a file. */
START_TEST(file_reader_resynchronises_across_long_garbage)
{
	struct lot_buf f = {0};
	put_header(&f, &(struct hdr_opts){.major = 1, .replace_code = -1});
	struct lot_chunk_info ci = {.tid = 1, .events = 2};
	put_chunk(&f, ci, good_payload, sizeof good_payload);
	uint64_t garbage = f.len;
	uint64_t x = 12345;
	for (int i = 0; i < 300000; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		lot_buf_u8(&f, (uint8_t)(x >> 56));
	}
	uint64_t second = put_chunk(&f, ci, good_payload, sizeof good_payload);
	uint64_t second_end = f.len;
	put_trailer(&f);
	char path[] = "/tmp/lotrace-damage-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, f.data, f.len), (ssize_t)f.len);
	close(fd);
	struct diag_log log = {0};
	struct lot_reader_opts o = {.diag = diag_collect, .diag_ctx = &log};
	struct lot_reader *r = lot_reader_open(path, &o, NULL);
	ck_assert_ptr_nonnull(r);
	struct lot_chunk *c;
	ck_assert_int_eq(lot_reader_next_chunk(r, &c), 1);
	ck_assert_int_eq(lot_reader_next_chunk(r, &c), 1);
	ck_assert_uint_eq(c->offset, second);
	ck_assert_int_eq(lot_reader_next_chunk(r, &c), 0);
	ck_assert_ptr_nonnull(lot_reader_trailer(r));
	ck_assert_uint_eq(log.n, 1);
	ck_assert_uint_eq(log.off[0], garbage);
	lot_reader_close(r);

	/* the same file cut inside the second chunk's LZ4 frame */
	ck_assert_int_eq(truncate(path, (off_t)second_end - 3), 0);
	memset(&log, 0, sizeof log);
	r = lot_reader_open(path, &o, NULL);
	ck_assert_int_eq(lot_reader_next_chunk(r, &c), 1);
	ck_assert_int_eq(lot_reader_next_chunk(r, &c), 0);
	ck_assert_ptr_null(lot_reader_trailer(r));
	ck_assert(lot_reader_damaged(r));
	ck_assert_int_ge(diag_find(&log, "truncated chunk"), 0);
	ck_assert_int_ge(diag_find(&log, "no trailer"), 0);
	lot_reader_close(r);
	unlink(path);
	lot_buf_free(&f);
}
END_TEST

START_TEST(bytes_after_the_trailer_are_reported)
{
	uint64_t offs[3];
	struct lot_tb *b = three_chunks(offs, true);
	size_t len;
	const uint8_t *img = lot_tb_data(b, &len);
	uint8_t *more = calloc(1, len + 10);
	memcpy(more, img, len);
	struct diag_log log = {0};
	struct read_summary s;
	read_all(more, len + 10, &log, &s);
	ck_assert_uint_eq(s.chunks, 3);
	ck_assert(s.trailer);
	ck_assert_uint_eq(log.n, 1);
	ck_assert_uint_eq(log.off[0], len);
	free(more);
	lot_tb_free(b);
}
END_TEST

/* ---- newer minors ---- */

START_TEST(unknown_skippable_frame_is_skipped_silently)
{
	struct lot_buf f = {0};
	put_header(&f, &(struct hdr_opts){.major = 1, .replace_code = -1});
	struct lot_chunk_info ci = {.tid = 1, .events = 2};
	put_chunk(&f, ci, good_payload, sizeof good_payload);
	lot_buf_le32(&f, 0x184D2A55);
	lot_buf_le32(&f, 5);
	lot_buf_append(&f, "hello", 5);
	put_chunk(&f, ci, good_payload, sizeof good_payload);
	put_trailer(&f);
	struct diag_log log = {0};
	struct read_summary s;
	read_all(f.data, f.len, &log, &s);
	ck_assert_uint_eq(s.chunks, 2);
	ck_assert_uint_eq(log.n, 0);
	ck_assert(!s.damaged && s.trailer);
	lot_buf_free(&f);
}
END_TEST

START_TEST(newer_minor_with_unknown_type_and_section_reads_cleanly)
{
	const struct lot_type_desc future = {
		.code = 0x60, .flags = LOT_TIMED, .nargs = 6, .name = "future_thing",
		.arg_names = {"a", "name", "blob", "pcs", "v", "id"},
		.arg_kinds = {LOT_KIND_UVAR, LOT_KIND_STRING, LOT_KIND_BYTES, LOT_KIND_PCS, LOT_KIND_VALUE,
			      LOT_KIND_ID128}};
	struct lot_buf f = {0};
	put_header(&f, &(struct hdr_opts){.major = 1, .minor = 7, .extra_types = &future, .n_extra = 1,
					  .unknown_section = true, .clock_extra = 9, .replace_code = -1});
	struct lot_buf raw = {0};
	lot_buf_u8(&raw, LOT_EV_string_def);
	lot_buf_varint(&raw, 1);
	lot_buf_lstr(&raw, "nm");
	lot_buf_u8(&raw, 0x60);
	lot_buf_varint(&raw, 3);    /* delta */
	lot_buf_varint(&raw, 300);  /* a */
	lot_buf_varint(&raw, 1);    /* name */
	lot_buf_lstr(&raw, "blob"); /* blob */
	lot_buf_varint(&raw, 2);    /* 2 pcs */
	lot_buf_varint(&raw, lot_zigzag_encode(1000));
	lot_buf_varint(&raw, lot_zigzag_encode(-8));
	lot_buf_u8(&raw, 0); /* value: int */
	lot_buf_varint(&raw, lot_zigzag_encode(-5));
	lot_buf_append(&raw, "0123456789abcdef", 16);
	lot_buf_u8(&raw, LOT_EV_task_yield);
	lot_buf_varint(&raw, 1);
	struct lot_chunk_info ci = {.tid = 1, .events = 2, .base_ticks = 1000000000};
	put_chunk(&f, ci, raw.data, raw.len);
	put_trailer(&f);

	struct diag_log log = {0};
	struct lot_reader_opts o = {.diag = diag_collect, .diag_ctx = &log};
	struct lot_reader *r = lot_reader_open_mem(f.data, f.len, &o, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(lot_reader_header(r)->minor, 7);
	ck_assert_str_eq(lot_reader_meta(r, "service"), "handmade");
	struct lot_chunk *c;
	struct lot_event ev;
	ck_assert_int_eq(lot_reader_next_chunk(r, &c), 1);
	ck_assert_int_eq(lot_chunk_next_event(r, &ev), 1);
	ck_assert_uint_eq(ev.code, 0x60);
	ck_assert_str_eq(ev.type->name, "future_thing");
	ck_assert_uint_eq(ev.ticks, 1000000003);
	ck_assert_uint_eq(ev.nargs, 6);
	ck_assert_uint_eq(ev.args[0].u, 300);
	ck_assert_uint_eq(ev.args[1].len, 2);
	ck_assert(!memcmp(ev.args[1].str, "nm", 2));
	ck_assert_uint_eq(ev.args[2].len, 4);
	ck_assert_uint_eq(ev.args[3].n_pcs, 2);
	ck_assert_uint_eq(ev.args[3].pcs[1], 992);
	ck_assert(!ev.args[4].is_str);
	ck_assert_int_eq(ev.args[4].i, -5);
	ck_assert(!memcmp(ev.args[5].id128, "0123456789abcdef", 16));
	ck_assert_int_eq(lot_chunk_next_event(r, &ev), 1);
	ck_assert_uint_eq(ev.code, LOT_EV_task_yield);
	ck_assert_uint_eq(ev.ticks, 1000000004);
	ck_assert_int_eq(lot_chunk_next_event(r, &ev), 0);
	ck_assert_int_eq(lot_reader_next_chunk(r, &c), 0);
	ck_assert_uint_eq(log.n, 0);
	ck_assert(!lot_reader_damaged(r));
	lot_reader_close(r);
	lot_buf_free(&raw);
	lot_buf_free(&f);
}
END_TEST

/* ---- synthetic losses ---- */

START_TEST(chunk_header_losses_come_first_as_a_synthetic_lost_event)
{
	struct lot_tb *b = lot_tb_new(NULL);
	struct lot_writer *w = lot_tb_chunk_begin(b, 3, "l", 500, 42);
	ck_assert(lot_write_task_yield(w, lot_tb_ticks(b, 600)));
	lot_tb_trailer(b, 1000);
	size_t len;
	const uint8_t *img = lot_tb_data(b, &len);
	struct lot_reader *r = lot_reader_open_mem(img, len, NULL, NULL);
	struct lot_chunk *c;
	struct lot_event ev;
	ck_assert_int_eq(lot_reader_next_chunk(r, &c), 1);
	ck_assert_uint_eq(c->info.lost, 42);
	ck_assert_int_eq(lot_chunk_next_event(r, &ev), 1);
	ck_assert(ev.synthetic);
	ck_assert_uint_eq(ev.code, LOT_EV_lost);
	ck_assert_str_eq(ev.type->name, "lost");
	ck_assert_uint_eq(ev.ticks, lot_tb_ticks(b, 500));
	ck_assert_uint_eq(ev.tid, 3);
	ck_assert_uint_eq(ev.args[LOT_ARG_lost_count].u, 42);
	ck_assert_int_eq(lot_chunk_next_event(r, &ev), 1);
	ck_assert(!ev.synthetic);
	ck_assert_int_eq(lot_chunk_next_event(r, &ev), 0);
	ck_assert_int_eq(lot_reader_next_chunk(r, &c), 0);
	ck_assert_int_eq(lot_reader_next_tail_event(r, &ev), 0); /* the trailer agrees */
	ck_assert(!lot_reader_damaged(r));
	lot_reader_close(r);
	lot_tb_free(b);
}
END_TEST

START_TEST(trailer_losses_beyond_the_chunk_headers_become_tail_events)
{
	struct lot_tb *b = lot_tb_new(NULL);
	struct lot_writer *w = lot_tb_chunk_begin(b, 3, "l", 0, 5);
	ck_assert(lot_write_task_yield(w, lot_tb_ticks(b, 700)));
	lot_tb_chunk_end(b);
	lot_tb_thread_lost(b, 3, 10);  /* 10 more than its chunk headers say */
	lot_tb_thread_lost(b, 99, 4); /* a thread with no chunk at all */
	lot_tb_trailer(b, 2000);
	size_t len;
	const uint8_t *img = lot_tb_data(b, &len);
	struct lot_reader *r = lot_reader_open_mem(img, len, NULL, NULL);
	struct lot_chunk *c;
	struct lot_event ev;
	while (lot_reader_next_chunk(r, &c) == 1)
		while (lot_chunk_next_event(r, &ev) == 1)
			;
	ck_assert_int_eq(lot_reader_next_tail_event(r, &ev), 1);
	ck_assert(ev.synthetic);
	ck_assert_uint_eq(ev.code, LOT_EV_lost);
	ck_assert_uint_eq(ev.tid, 3);
	ck_assert_uint_eq(ev.args[0].u, 10);
	ck_assert_uint_eq(ev.ticks, lot_tb_ticks(b, 700)); /* its last event */
	ck_assert_int_eq(lot_reader_next_tail_event(r, &ev), 1);
	ck_assert_uint_eq(ev.tid, 99);
	ck_assert_uint_eq(ev.args[0].u, 4);
	ck_assert_uint_eq(ev.ticks, lot_tb_ticks(b, 2000)); /* the end clock */
	ck_assert_int_eq(lot_reader_next_tail_event(r, &ev), 0);
	lot_reader_close(r);
	lot_tb_free(b);
}
END_TEST

START_TEST(counting_skips_the_synthetic_lost_event)
{
	struct lot_tb *b = lot_tb_new(NULL);
	struct lot_writer *w = lot_tb_chunk_begin(b, 3, "l", 0, 5);
	ck_assert(lot_write_lost(w, lot_tb_ticks(b, 1), 2));
	lot_tb_trailer(b, 10);
	size_t len;
	const uint8_t *img = lot_tb_data(b, &len);
	struct lot_reader *r = lot_reader_open_mem(img, len, NULL, NULL);
	struct lot_chunk *c;
	uint64_t counts[256] = {0};
	ck_assert_int_eq(lot_reader_next_chunk(r, &c), 1);
	ck_assert_int_eq(lot_chunk_count_events(r, counts), 0);
	ck_assert_uint_eq(counts[LOT_EV_lost], 1);
	lot_reader_close(r);
	lot_tb_free(b);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, empty_file_is_rejected);
	tcase_add_test(tc, foreign_file_is_rejected_with_its_first_bytes);
	tcase_add_test(tc, truncated_header_says_how_much_is_missing);
	tcase_add_test(tc, header_checksum_mismatch_is_rejected);
	tcase_add_test(tc, newer_major_version_asks_for_an_upgrade);
	tcase_add_test(tc, builtin_type_with_other_kinds_is_rejected);
	tcase_add_test(tc, type_with_an_unknown_kind_is_rejected);
	tcase_add_test(tc, chunk_header_checksum_damage_skips_only_that_chunk);
	tcase_add_test(tc, lz4_frame_corruption_is_detected);
	tcase_add_test(tc, content_checksum_corruption_is_detected);
	tcase_add_test(tc, event_running_past_the_chunk_end_is_damage);
	tcase_add_test(tc, undefined_string_and_stack_refs_are_damage);
	tcase_add_test(tc, out_of_order_definition_ids_are_damage);
	tcase_add_test(tc, unknown_event_code_is_damage);
	tcase_add_test(tc, value_tag_other_than_0_or_1_is_damage);
	tcase_add_test(tc, damage_far_from_the_chunk_end_is_found_by_counting_too);
	tcase_add_test(tc, chunk_with_unknown_flags_is_skipped);
	tcase_add_test(tc, event_count_mismatch_is_warned);
	tcase_add_test(tc, truncated_last_chunk_keeps_the_chunks_before_it);
	tcase_add_test(tc, missing_trailer_is_warned);
	tcase_add_test(tc, corrupt_trailer_is_treated_as_missing);
	tcase_add_test(tc, garbage_between_chunks_is_skipped);
	tcase_add_test(tc, resync_finds_the_trailer_after_a_damaged_last_chunk);
	tcase_add_test(tc, file_reader_resynchronises_across_long_garbage);
	tcase_add_test(tc, bytes_after_the_trailer_are_reported);
	tcase_add_test(tc, unknown_skippable_frame_is_skipped_silently);
	tcase_add_test(tc, newer_minor_with_unknown_type_and_section_reads_cleanly);
	tcase_add_test(tc, chunk_header_losses_come_first_as_a_synthetic_lost_event);
	tcase_add_test(tc, trailer_losses_beyond_the_chunk_headers_become_tail_events);
	tcase_add_test(tc, counting_skips_the_synthetic_lost_event);
}

#include "tests/support/check_main.h"
