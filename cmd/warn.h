/*
 * Warnings about a trace file, one line each on stderr:
 * "lotrace: FILE: offset N: what".  Below cmd/common.h and cmd/sources.h,
 * which both report through it.
 */
#ifndef LOT_CMD_WARN_H
#define LOT_CMD_WARN_H

/* After lot_reader_next_chunk() returned -1 (the reader reports damage, not
 * I/O errors): "lotrace: FILE: offset N: read error: <errno text>", N being
 * where reading stopped.  The caller then exits with CMD_EXIT_DAMAGED. */
void cmd_read_error(const char *path, unsigned long long offset);

/* Print "lotrace: FILE: offset N: message" to stderr (after flushing stdout, so
 * that a terminal shows it next to the output it concerns). */
void cmd_warn(const char *path, unsigned long long offset, const char *message);

#endif
