/*
 * A progress indicator on stderr for long reads: "lotrace CMD: 42%", at most
 * five times a second, only when stderr is a terminal and the file's size is
 * known; erased when done, so it never mixes with warnings or output.
 */
#ifndef LOT_CMD_PROGRESS_H
#define LOT_CMD_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	bool on, shown;
	const char *cmd;
	uint64_t size;
	uint64_t last_ms, start_ms;
};

void progress_start(struct progress *p, const char *cmd, const char *path);
void progress_update(struct progress *p, uint64_t offset);
/* Erase the line (call before printing anything to stderr or at the end). */
void progress_clear(struct progress *p);

#endif
