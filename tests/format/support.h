/*
 * Helpers shared by the format tests: warning capture, read-everything
 * summaries, and hand-made records (headers with a chosen version and type
 * table, chunk records around any payload bytes, trailers) for the damage
 * and compatibility tests that the real writer cannot produce.
 */
#ifndef LOT_TESTS_FORMAT_SUPPORT_H
#define LOT_TESTS_FORMAT_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "trace-format/reader.h"
#include "tests/support/tracebuild.h"

#define DIAG_MAX 32

struct diag_log {
	unsigned n;
	uint64_t off[DIAG_MAX];
	char msg[DIAG_MAX][512];
};

void diag_collect(void *ctx, uint64_t offset, const char *message);
/* Index of the first warning containing substr, or -1. */
int diag_find(const struct diag_log *l, const char *substr);

struct read_summary {
	uint64_t chunks, events, synthetic, tail_lost;
	uint64_t by_code[256];
	int bad_chunks; /* chunks whose events ended in damage */
	bool damaged, trailer;
	uint64_t warnings;
};

/* Open the image (asserting success) and read every chunk, event and tail event. */
void read_all(const void *data, size_t len, struct diag_log *log, struct read_summary *s);
/* Open that must fail; returns the error. */
struct lot_read_error open_error(const void *data, size_t len);

/* A private copy of a tracebuild image, to patch. */
uint8_t *image_copy(const struct lot_tb *b, size_t *len);
/* Open b's image (it must outlive the reader) and read its first chunk and
 * that chunk's first event into *ev (asserted). */
struct lot_reader *open_first_event(const struct lot_tb *b, struct lot_event *ev);

/* Header options for hand-made files. */
struct hdr_opts {
	uint16_t major, minor;
	uint8_t time_shift;
	const struct lot_type_desc *extra_types; /* appended to the built-in table */
	size_t n_extra;
	bool unknown_section;  /* add a section with an unknown tag */
	size_t clock_extra;    /* bytes appended to the clock section */
	int replace_code;      /* >= 0: the built-in entry with this code is replaced by extra_types[0] */
};
void put_header(struct lot_buf *out, const struct hdr_opts *o);
/* A chunk record around raw[0, len) (events in ci); returns its offset. */
uint64_t put_chunk(struct lot_buf *out, struct lot_chunk_info ci, const void *raw, size_t len);
/* A minimal valid trailer at the end of out. */
void put_trailer(struct lot_buf *out);

#endif
