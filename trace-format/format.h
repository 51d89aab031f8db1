/*
 * Trace file format v1: constants and record layouts.  doc/FORMAT.md is the
 * specification; this header is its transcription.  All fixed-width integers
 * are little-endian.
 *
 * A file is a sequence of records, each framed as an LZ4 "skippable frame"
 * (u32 magic, u32 body size, body), except a chunk's payload, which is a
 * standard LZ4 frame that follows its chunk-header record:
 *
 *   [header record] { [chunk-header record][LZ4 frame] }* [trailer record]
 *
 * So stock `lz4 -dc trace.lot` prints the concatenated raw chunk payloads,
 * and a reader finds every record boundary without decompressing.
 */
#ifndef LOT_FORMAT_FORMAT_H
#define LOT_FORMAT_FORMAT_H

#include <stdint.h>

#define LOT_FORMAT_MAJOR 1
#define LOT_FORMAT_MINOR 2

/* Record magics: LZ4 skippable-frame magics 0x184D2A50..5F; the low nibble is ours. */
#define LOT_MAGIC_HEADER 0x184D2A5Au
#define LOT_MAGIC_CHUNK 0x184D2A5Bu
#define LOT_MAGIC_TRAILER 0x184D2A5Cu
#define LOT_RECORD_PREFIX 8 /* u32 magic + u32 size */

/* The header body starts with this signature: a skippable frame alone is not a trace. */
#define LOT_SIGNATURE "lotrace\n"
#define LOT_SIGNATURE_LEN 8

/* Limits a reader enforces so that a damaged size field cannot make it allocate wildly. */
#define LOT_HEADER_MAX (16u << 20)
#define LOT_TRAILER_MAX (256u << 20)
#define LOT_CHUNK_RAW_MAX (16u << 20)
#define LOT_THREAD_NAME_MAX 255

/*
 * File header body:
 *   0  8  signature "lotrace\n"
 *   8  2  format major
 *   10 2  format minor
 *   12 4  CRC-32 (zlib polynomial) of body bytes [16, size)
 *   16 .. sections, each: u16 tag, u32 length, length bytes; unknown tags are skipped
 */
#define LOT_HDR_OFF_MAJOR 8
#define LOT_HDR_OFF_MINOR 10
#define LOT_HDR_OFF_CRC 12
#define LOT_HDR_FIXED 16

enum lot_header_section {
	/* u64 freq_hz, u64 start_ticks, u64 start_mono_ns, u64 start_real_ns,
	 * u8 time_shift, u8 clock source (enum lot_clock_source) */
	LOT_SEC_CLOCK = 1,
	/* uvarint count, then count x (lstr key, lstr value) */
	LOT_SEC_META = 2,
	/* uvarint count, then count x (u8 code, lstr name, u8 flags, u8 nargs,
	 * nargs x (lstr name, u8 kind)) */
	LOT_SEC_TYPES = 3,
	/* uvarint count, then count x (uvarint start, uvarint end, uvarint file offset,
	 * lstr path, lstr build-id bytes) */
	LOT_SEC_MODULES = 4,
	/* 16 bytes: the session's random trace key, from which trace_gen
	 * definitions derive trace ids (trace_id.h) */
	LOT_SEC_TRACE_KEY = 5,
};
#define LOT_SEC_TRACE_KEY_LEN 16
#define LOT_SEC_CLOCK_LEN 34

enum lot_clock_source {
	LOT_CLOCK_TSC = 0,       /* x86-64 rdtsc, invariant */
	LOT_CLOCK_MONOTONIC = 1, /* clock_gettime fallback: ticks are nanoseconds */
	LOT_CLOCK_CNTVCT = 2,    /* aarch64 virtual counter */
};

/*
 * Chunk-header body (what follows the record prefix):
 *   0  4  CRC-32 of body bytes [4, size)
 *   4  4  flags: LOT_CHUNK_NO_STACKS; a reader skips a chunk with others
 *   8  8  thread id (kernel tid)
 *   16 4  chunk sequence number on this thread, from 0
 *   20 4  events in the payload (timed records; definitions do not count)
 *   24 8  base_ticks: the time base of the payload's first delta
 *   32 8  end_ticks: time of the payload's last event (base_ticks if none)
 *   40 8  events lost on this thread since its previous chunk
 *   48 8  span_base: where SPAN id deltas start (events.h)
 *   56 8  task running on the thread when the chunk began (0: none);
 *         where TASK id deltas start
 *   64 4  raw payload length
 *   68 4  length of the LZ4 frame that follows this record
 *   72 2  thread name length (at most 255), then the name
 * Newer minors may append fields after the name; readers ignore them.
 */
/* Chunk flags.  NO_STACKS: the payload's events omit their STACK arguments
 * (read as 0, none): a session that records no stacks saves their byte. */
#define LOT_CHUNK_NO_STACKS 0x1u
#define LOT_CHUNK_KNOWN_FLAGS LOT_CHUNK_NO_STACKS

#define LOT_CH_OFF_CRC 0
#define LOT_CH_OFF_FLAGS 4
#define LOT_CH_OFF_TID 8
#define LOT_CH_OFF_SEQ 16
#define LOT_CH_OFF_EVENTS 20
#define LOT_CH_OFF_BASE 24
#define LOT_CH_OFF_END 32
#define LOT_CH_OFF_LOST 40
#define LOT_CH_OFF_SPAN_BASE 48
#define LOT_CH_OFF_TASK 56
#define LOT_CH_OFF_RAW_LEN 64
#define LOT_CH_OFF_COMP_LEN 68
#define LOT_CH_OFF_NAME_LEN 72
#define LOT_CH_FIXED 74

/*
 * Trailer body:
 *   0  4  CRC-32 of body bytes [4, size)
 *   4  .. sections (u16 tag, u32 length, bytes), then the footer:
 *   size-16  8  file offset of this trailer record
 *   size-8   8  "lotrEND\n"
 * A reader that starts from the end of the file finds the trailer by the footer.
 */
#define LOT_TRAILER_END_SIG "lotrEND\n"
#define LOT_TRAILER_FOOTER 16

enum lot_trailer_section {
	/* uvarint count, count x (uvarint tid, lstr name, uvarint events written,
	 * uvarint events lost, uvarint chunks) */
	LOT_TSEC_THREADS = 1,
	/* uvarint count, count x (uvarint record offset, uvarint tid, uvarint seq,
	 * uvarint base_ticks, uvarint end_ticks) */
	LOT_TSEC_INDEX = 2,
	/* uvarint count, count x (lstr key, uvarint value): control counters */
	LOT_TSEC_STATS = 3,
	/* u64 end_ticks, u64 end_mono_ns, u64 end_real_ns: the clock at stop */
	LOT_TSEC_END_CLOCK = 4,
};

/* An "lstr" is a uvarint length followed by that many bytes (no terminator). */

#endif
