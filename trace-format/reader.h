/*
 * The streaming trace reader shared by `lotrace` and the tests.
 *
 * Reads a file front to back, one chunk at a time: memory is bounded by the
 * largest chunk (LOT_CHUNK_RAW_MAX) plus the header and trailer, never by the
 * file's length.  Damage is reported, never fatal past the header:
 *
 *  - a header that is missing, foreign, truncated, corrupt or of a newer major
 *    version: lot_reader_open() fails with one line (offset and reason);
 *  - a chunk whose header CRC, LZ4 frame, content checksum or event encoding
 *    is bad, or which references an undefined string/stack/trace: the reader
 *    reports a warning (offset, reason) through the diagnostic callback,
 *    skips the rest of that chunk, resynchronises on the next record magic,
 *    and goes on;
 *  - a truncated last chunk or a missing trailer (a crashed process): a
 *    warning, and everything before it is still read.
 * lot_reader_damaged() then tells the caller to exit with status 3.
 */
#ifndef LOT_FORMAT_READER_H
#define LOT_FORMAT_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace-format/events.h"
#include "trace-format/format.h"
#include "trace-format/trace.h"

struct lot_reader;

/* Called for every warning; offset is the file offset of the damage (of the
 * chunk record, for damage inside a payload).  The message is one line that
 * names the offset itself ("truncated chunk at offset 4096 (file ends at
 * 5000)"): print it as "<path>: <message>". */
typedef void (*lot_diag_fn)(void *ctx, uint64_t offset, const char *message);

struct lot_reader_opts {
	lot_diag_fn diag; /* NULL: warnings are only counted */
	void *diag_ctx;
};

/* Why open failed: print as "<path>: offset <offset>: <message>". */
struct lot_read_error {
	uint64_t offset;
	char message[256];
};

struct lot_file_header {
	uint16_t major, minor;
	struct lot_clock_info clock;
	const struct lot_kv *meta;
	size_t n_meta;
	const struct lot_module *modules;
	size_t n_modules;
	/* The file's event-type table, indexed by code; types[c].name == NULL for
	 * codes the file does not define. */
	struct lot_type_desc types[256];
	/* The key of trace_gen definitions (trace_id.h), when the file has one. */
	bool has_trace_key;
	uint64_t trace_key[2];
	uint64_t size; /* header record bytes, prefix included */
};

/* A decoded argument.  Which members are set depends on kind:
 *   UVAR/STRING id/STACK id/TRACE ref: u;  SVAR: i;  SPAN, TASK: u = the id;
 *   STRING: str/len (not NUL-terminated; NULL when the id is 0);
 *   STACK: pcs/n_pcs (innermost first; NULL when 0);  TRACE, ID128: id128;
 *   BYTES: str/len;  PCS: pcs/n_pcs;  VALUE: is_str and then str/len or i.
 * Members the kind does not set are left as they were (nothing is cleared,
 * for speed): read only those.  Pointers stay valid until the next
 * lot_reader_next_chunk(). */
struct lot_arg {
	uint8_t kind;
	bool is_str;
	uint64_t u;
	int64_t i;
	const char *str;
	size_t len;
	const uint64_t *pcs;
	size_t n_pcs;
	const uint8_t *id128;
};

struct lot_event {
	uint8_t code;                     /* enum lot_event_code (or an unknown type's code) */
	const struct lot_type_desc *type; /* from the file's table */
	uint64_t ticks;                   /* absolute; see lot_ticks_to_ns() */
	uint64_t tid;                     /* thread of the chunk */
	bool synthetic;                   /* a `lost` record made from a chunk header or the trailer */
	unsigned nargs;
	struct lot_arg args[LOT_MAX_ARGS]; /* index with LOT_ARG_<event>_<arg> */
};

struct lot_chunk {
	uint64_t offset; /* of its chunk-header record */
	struct lot_chunk_info info;
	/* internal decode state follows in the implementation */
};

struct lot_trailer {
	struct lot_thread_total *threads;
	size_t n_threads;
	struct lot_index_entry *index;
	size_t n_index;
	struct lot_stat *stats;
	size_t n_stats;
	uint64_t end_ticks, end_mono_ns, end_real_ns;
};

/* Open a file (or a memory image, for the fuzzer and tests) and read its header. */
struct lot_reader *lot_reader_open(const char *path, const struct lot_reader_opts *opts,
				   struct lot_read_error *err);
struct lot_reader *lot_reader_open_mem(const void *data, size_t len,
				       const struct lot_reader_opts *opts,
				       struct lot_read_error *err);
void lot_reader_close(struct lot_reader *r);

const struct lot_file_header *lot_reader_header(const struct lot_reader *r);
/* Value of a header metadata key, or NULL. */
const char *lot_reader_meta(const struct lot_reader *r, const char *key);

/*
 * Advance to the next good chunk: 1 and *out set, 0 at the end of the chunks
 * (the trailer, if any, has then been read), -1 on an I/O error.  Damaged
 * chunks are reported and skipped.  *out stays valid until the next call.
 */
int lot_reader_next_chunk(struct lot_reader *r, struct lot_chunk **out);

/*
 * Next event of the current chunk: 1 and *ev set, 0 at the chunk's end, -1
 * when the rest of the chunk is damaged (reported; the caller just moves on).
 * Definitions are consumed here and never returned.  Types this reader does
 * not know (a newer minor's) are returned too, decoded by the file's table.
 * A chunk whose header counts lost events first yields a synthetic `lost`
 * event at its base time.
 */
int lot_chunk_next_event(struct lot_reader *r, struct lot_event *ev);

/*
 * Count the rest of the current chunk's events by type code (counts[code]++),
 * without filling lot_events: the fast path for `lotrace info`.  Validates
 * exactly what lot_chunk_next_event() does and reports the same damage.  The
 * synthetic `lost` event is not counted (it is (*out)->info.lost).  Returns 0
 * at the chunk's end, -1 if the rest of the chunk is damaged (the counts
 * then cover the events before the damage).
 */
int lot_chunk_count_events(struct lot_reader *r, uint64_t counts[256]);

/*
 * After lot_reader_next_chunk() returned 0: synthetic `lost` events for
 * losses the trailer knows and no chunk header told (per thread, at the
 * thread's last event time).  1 and *ev set, 0 when there are no more.
 */
int lot_reader_next_tail_event(struct lot_reader *r, struct lot_event *ev);

/* The trailer, or NULL if the file has none (truncated: also a warning). */
const struct lot_trailer *lot_reader_trailer(const struct lot_reader *r);
/* The same without building the chunk index (index NULL, n_index 0 unless
 * lot_reader_trailer() built it): the index is the one part of the reader's
 * memory that grows with the file, and most callers never read it. */
const struct lot_trailer *lot_reader_trailer_summary(const struct lot_reader *r);

/* True once anything was skipped or the trailer is missing: exit status 3. */
bool lot_reader_damaged(const struct lot_reader *r);
/* Warnings reported so far. */
uint64_t lot_reader_warnings(const struct lot_reader *r);

/* Nanoseconds since trace start (the header's start_ticks) for a tick count,
 * saturated at +-LOT_NS_LIMIT (73 years): the sum or difference of two
 * such times never overflows, whatever a damaged file says. */
#define LOT_NS_LIMIT ((int64_t)1 << 61)
int64_t lot_ticks_to_ns(const struct lot_clock_info *c, uint64_t ticks);

/* Lowercase hex of a 16-byte trace id into out[33]. */
void lot_trace_id_hex(const uint8_t id[16], char out[33]);

#endif
