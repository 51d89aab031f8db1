/*
 * The flusher's output: records are appended into large buffers, and each
 * full buffer is written with io_uring (several in flight, a buffer is
 * reused when its write completes) or with pwrite where io_uring is refused
 * (seccomp, old kernels) or LOTRACE_IO=pwrite asks for it.  Large writes keep
 * the system-call (or submission) count at one per megabyte or so.
 * Not thread-safe: the flusher alone uses it.
 */
#ifndef LOT_TRACER_IO_H
#define LOT_TRACER_IO_H

#include <stddef.h>
#include <stdint.h>

#include "tracer/env.h"

struct lot_io;

/* Writes to fd from offset 0.  Each buffer holds at least min_record bytes.
 * Falls back to pwrite when io_uring cannot be set up. */
struct lot_io *lot_io_open(int fd, enum lot_io_kind want, size_t min_record);
/* "io_uring" or "pwrite": what the header's `io` key records. */
const char *lot_io_name(const struct lot_io *io);
/* Room for n bytes at the end of the output; *offset is their file offset.
 * NULL after a write error (then lot_io_error() tells which). */
uint8_t *lot_io_reserve(struct lot_io *io, size_t n, uint64_t *offset);
void lot_io_commit(struct lot_io *io, size_t n);
/* Append len bytes (any length).  0 or -errno. */
int lot_io_append(struct lot_io *io, const void *data, size_t len);
/* File offset after everything appended so far. */
uint64_t lot_io_offset(const struct lot_io *io);
/* Start writing what is buffered (io_uring: does not wait). */
void lot_io_flush(struct lot_io *io);
/* Write everything and wait: 0 or the first error (-errno). */
int lot_io_finish(struct lot_io *io);
int lot_io_error(const struct lot_io *io);
/* After a write error (and lot_io_finish()): the end of what is in the
 * file without a gap (io_uring may have written later buffers). */
uint64_t lot_io_good_end(const struct lot_io *io);
/* After a write error: cut the file at `at` and write len bytes there
 * (the trailer), synchronously.  0 or -errno. */
int lot_io_salvage(struct lot_io *io, uint64_t at, const void *data, size_t len);
/* Free everything (does not close fd). */
void lot_io_close(struct lot_io *io);
/* In a forked child: drop the parent's ring without touching the file. */
void lot_io_abandon(struct lot_io *io);

#endif
