/*
 * What a trace file says, as plain structs shared by the writer (which
 * encodes them) and the reader (which decodes them into the same shapes).
 * Strings are NUL-terminated; who owns them is said at each use.
 */
#ifndef LOT_FORMAT_TRACE_H
#define LOT_FORMAT_TRACE_H

#include <stddef.h>
#include <stdint.h>

struct lot_clock_info {
	uint64_t freq_hz;      /* ticks per second */
	uint64_t start_ticks;  /* tick count at trace start: time 0 of every report */
	uint64_t start_mono_ns;/* CLOCK_MONOTONIC at start_ticks */
	uint64_t start_real_ns;/* CLOCK_REALTIME at start_ticks */
	uint8_t time_shift;    /* event deltas are in units of 2^time_shift ticks */
	uint8_t source;        /* enum lot_clock_source */
};

struct lot_kv {
	const char *key, *value;
};

struct lot_module {
	uint64_t start, end, offset; /* mapped address range and file offset of start */
	const char *path;
	const uint8_t *build_id;
	size_t build_id_len;
};

struct lot_chunk_info {
	uint32_t flags;
	uint64_t tid;
	uint32_t seq;
	uint32_t events;
	uint64_t base_ticks, end_ticks;
	uint64_t lost;      /* lost on this thread since its previous chunk */
	uint64_t span_base;
	uint64_t task;      /* task running when the chunk began, 0 none */
	uint32_t raw_len, comp_len;
	const char *thread_name;
};

struct lot_thread_total {
	uint64_t tid;
	const char *name;
	uint64_t written; /* events in chunks that reached the file */
	uint64_t lost;    /* events recorded but not in the file */
	uint64_t chunks;
};

struct lot_index_entry {
	uint64_t offset; /* of the chunk-header record */
	uint64_t tid;
	uint32_t seq;
	uint64_t base_ticks, end_ticks;
};

struct lot_stat {
	const char *key;
	uint64_t value;
};

struct lot_trailer_info {
	const struct lot_thread_total *threads;
	size_t n_threads;
	const struct lot_index_entry *index;
	size_t n_index;
	const struct lot_stat *stats;
	size_t n_stats;
	uint64_t end_ticks, end_mono_ns, end_real_ns;
};

/* One event-type table entry, as carried in the file header. */
struct lot_type_desc {
	uint8_t code;
	uint8_t flags; /* LOT_TIMED */
	uint8_t nargs;
	const char *name;
	const char *arg_names[8];
	uint8_t arg_kinds[8];
};

#endif
