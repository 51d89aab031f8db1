/*
 * Builds trace files in memory, chunk by chunk, with the real writer: for
 * unit tests, the corpus generator and the fuzzer's seeds.  Not for the
 * recorder (it allocates freely and aborts on allocation failure).
 *
 *   struct lot_tb *b = lot_tb_new(NULL);
 *   struct lot_writer *w = lot_tb_chunk_begin(b, 42, "main", 0, 0);
 *   lot_write_task_start(w, lot_tb_ticks(b, 1000), 7);   // 1000 ns after start
 *   lot_tb_chunk_end(b);
 *   lot_tb_trailer(b);
 *   lot_tb_save(b, "x.lot");
 */
#ifndef LOT_TESTS_TRACEBUILD_H
#define LOT_TESTS_TRACEBUILD_H

#include <stddef.h>
#include <stdint.h>

#include "trace-format/trace.h"
#include "trace-format/writer.h"

struct lot_tb;

/* clock NULL: 1 GHz ticks (ticks are ns), start_ticks 1e9, time_shift 0.
 * The header carries a few fixed metadata keys (service "test", pid 1234)
 * and the trace key lot_tb_trace_key_bytes (for trace_gen definitions). */
extern const uint8_t lot_tb_trace_key_bytes[16];
struct lot_tb *lot_tb_new(const struct lot_clock_info *clock);
/* The same with more header metadata (at most 16 keys, e.g. {"cpu_hz", "100"})
 * and a module map. */
struct lot_tb *lot_tb_new_with(const struct lot_clock_info *clock, const struct lot_kv *extra,
			       size_t n_extra, const struct lot_module *mods, size_t n_mods);
/* The same with the header's metadata given whole (several processes' traces). */
struct lot_tb *lot_tb_new_meta(const struct lot_clock_info *clock, const struct lot_kv *meta,
			       size_t n_meta);
/* Both: the whole metadata and a module map. */
struct lot_tb *lot_tb_new_full(const struct lot_clock_info *clock, const struct lot_kv *meta,
			       size_t n_meta, const struct lot_module *mods, size_t n_mods);
void lot_tb_free(struct lot_tb *b);

/* Absolute ticks for a time in ns since the trace start. */
uint64_t lot_tb_ticks(const struct lot_tb *b, uint64_t ns);

/* Start a chunk on thread tid (payload capacity cap bytes, 0 for 64 KiB);
 * `lost` goes in its header.  Events are written with lot_write_*(w, ...). */
struct lot_writer *lot_tb_chunk_begin_cap(struct lot_tb *b, uint64_t tid, const char *thread_name,
					  uint64_t base_ns, uint64_t lost, size_t cap);
struct lot_writer *lot_tb_chunk_begin(struct lot_tb *b, uint64_t tid, const char *thread_name,
				      uint64_t base_ns, uint64_t lost);
/* Mark the chunk just begun LOT_CHUNK_NO_STACKS (its events omit stacks). */
void lot_tb_chunk_omit_stacks(struct lot_tb *b);
/* The task running on the thread when the chunk just begun began (header
 * field; default 0).  Call before writing to the chunk. */
void lot_tb_chunk_task(struct lot_tb *b, uint64_t task);
/* Seal the current chunk into the file image; returns the chunk record's offset. */
uint64_t lot_tb_chunk_end(struct lot_tb *b);

/* Losses the trailer reports for tid beyond those in its chunk headers. */
void lot_tb_thread_lost(struct lot_tb *b, uint64_t tid, uint64_t extra_lost);
/* A control counter for the trailer's stats section. */
void lot_tb_stat(struct lot_tb *b, const char *key, uint64_t value);
/* Append the trailer (per-thread totals, chunk index, stats, end clock). */
void lot_tb_trailer(struct lot_tb *b, uint64_t end_ns);

const uint8_t *lot_tb_data(const struct lot_tb *b, size_t *len);
/* Write the image to path (0644 is fine for test data); 0 or -1. */
int lot_tb_save(const struct lot_tb *b, const char *path);

#endif
