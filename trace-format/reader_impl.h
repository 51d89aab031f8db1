/*
 * The reader's internal state, shared by the three parts that implement
 * reader.h, each above the next (reader_file.c calls the other two,
 * reader_meta.c the decoder's type set-up, decode.c neither):
 *   reader_file.c    the file: byte source, record walk, damage and resync;
 *   reader_meta.c    header and trailer parsing (sections, type table);
 *   decode.c         a chunk's payload: definitions, events, counting.
 * Not installed; nothing outside trace-format/ includes it.
 */
#ifndef LOT_FORMAT_READER_IMPL_H
#define LOT_FORMAT_READER_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lz4frame.h>

#include "trace-format/reader.h"

/* Fuzzing builds (the libFuzzer target) accept bad checksums, so that the
 * fuzzer reaches the parsers behind them instead of stopping at every CRC. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define LOT_CHECKSUMS_ENFORCED 0
#else
#define LOT_CHECKSUMS_ENFORCED 1
#endif
#define LOT_CRC_BAD(stored, computed) (LOT_CHECKSUMS_ENFORCED && (stored) != (computed))

/* What the decoder needs of one type code, packed for the per-event loop. */
struct lot_dtype {
	uint8_t known; /* defined in the file's table */
	uint8_t timed;
	uint8_t nargs;
	uint8_t fast;  /* timed, not a definition, every argument a single varint */
	uint8_t builtin; /* timed, not a definition, and one of events.h's (same shape) */
	uint8_t kinds[LOT_MAX_ARGS];
	uint8_t ref[LOT_MAX_ARGS]; /* which id table bounds the argument: LOT_REF_* */
};

enum { LOT_REF_NONE, LOT_REF_STRING, LOT_REF_STACK, LOT_REF_TRACE };

struct lot_str_ref {
	const char *p;
	size_t len;
};

struct lot_stack_ref {
	uint32_t off, n; /* into the chunk's PC pool; a pool never exceeds raw_len entries */
};

/* Per-thread bookkeeping for the trailer's synthetic `lost` events. */
struct lot_rd_thread {
	uint64_t tid;
	uint64_t lost_seen;  /* sum of the chunk headers' `lost` */
	uint64_t last_ticks; /* latest end_ticks of its chunks */
	bool used;
};

/* Bump allocator for header/trailer strings.  An lstr of n bytes costs at least
 * n + 1 input bytes and n + 1 arena bytes, so a record's body size bounds it. */
struct lot_arena {
	char *base;
	size_t used, cap;
};

enum lot_chunk_state {
	LOT_CS_NONE,        /* no chunk, or its events are all read */
	LOT_CS_LOST,        /* the synthetic `lost` event is next */
	LOT_CS_EVENTS,      /* decoding the payload */
};

struct lot_reader {
	struct lot_reader_opts opts;

	/* byte source: a memory image, or a file read through a reusable window */
	const uint8_t *mem;
	int fd;
	uint64_t size;
	uint8_t *win;
	uint64_t win_off;
	size_t win_len, win_cap;
	bool io_error;

	/* header */
	struct lot_file_header hdr;
	struct lot_arena hdr_arena;
	struct lot_kv *meta;
	struct lot_module *modules;
	struct lot_dtype dt[256];

	/* record walk */
	uint64_t pos;      /* next record */
	uint64_t good_end; /* end of the last record read whole */
	bool at_end;
	LZ4F_dctx *dctx;

	/* the current chunk */
	struct lot_chunk chunk;
	char chunk_name[LOT_THREAD_NAME_MAX + 1];
	uint8_t *raw;
	size_t raw_cap;
	enum lot_chunk_state cstate;
	const uint8_t *p, *end; /* unread payload */
	uint64_t unit;          /* time of the previous timed event, in 2^shift ticks */
	uint32_t timed;         /* timed events decoded so far */
	uint64_t prev_span, prev_task; /* the id deltas' references (events.h) */
	bool no_stacks;         /* LOT_CHUNK_NO_STACKS: STACK arguments are omitted */
	struct lot_str_ref *strings; /* [1..n_strings] */
	uint32_t n_strings, cap_strings;
	struct lot_stack_ref *stacks; /* [1..n_stacks] */
	uint32_t n_stacks, cap_stacks;
	const uint8_t **traces; /* [1..n_traces] */
	uint32_t n_traces, cap_traces;
	/* PCs of this chunk's stacks and PCS arguments, and the trace ids its
	 * trace_gen definitions derive (two entries each: a trace_gen takes at
	 * least three payload bytes, so the pool still stays within raw_len) */
	uint64_t *pool;
	size_t pool_used, pool_cap;

	/* trailer */
	struct lot_trailer trailer;
	bool have_trailer;
	struct lot_arena trl_arena;
	/* the chunk index, validated but built only when lot_reader_trailer() is
	 * called: [idx_off, idx_off + idx_len) is its section body in the file */
	enum { LOT_IDX_NONE, LOT_IDX_PENDING, LOT_IDX_LOADED } idx_state;
	uint64_t idx_off;
	size_t idx_len;

	/* per-thread loss accounting, open addressing by tid */
	struct lot_rd_thread *threads;
	size_t threads_cap, threads_used;
	size_t tail_next; /* next trailer thread lot_reader_next_tail_event() looks at */

	bool damaged;
	uint64_t warnings;
};

/* Report a warning at a file offset (counted, passed to opts.diag):
 * reader_impl.c. */
void lot_rd_warn(struct lot_reader *r, uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
