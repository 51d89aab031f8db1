/*
 * A progress line on stderr for long runs: "lotrace export: 42% of 3.1 GB".
 *
 * Shown only when stderr is a terminal, and only once a run has lasted a
 * second (short runs print nothing); redrawn at most five times a second,
 * erased when done.  Progress is the file offset of the chunk being read
 * against the file's size, so it costs a clock read per chunk.
 */
#ifndef LOT_CMD_PROGRESS_H
#define LOT_CMD_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	const char *what;   /* "lotrace export" */
	uint64_t total;     /* file bytes; 0: no progress shown */
	int64_t start_ms, next_ms;
	bool shown;
};

void progress_start(struct progress *p, const char *what, const char *path);
void progress_update(struct progress *p, uint64_t offset);
/* Erase the line (before the caller prints anything on stderr). */
void progress_done(struct progress *p);

#endif
