/*
 * How deep the trace's stacks go, for `lotrace info`: the share that
 * stopped after one or two frames, which is what a program built without
 * frame pointers records (the walk ends at the first function that does
 * not keep one: most distribution binaries and libc).  Counted over the
 * stacked events of the first STACK_DEPTH_CHUNKS chunks (those are fully
 * decoded; the rest of the file is only counted, which is info's fast path).
 */
#ifndef LOT_CMD_STACK_DEPTH_H
#define LOT_CMD_STACK_DEPTH_H

#include <stdint.h>

#include "trace-format/reader.h"

#define STACK_DEPTH_CHUNKS 64

struct stack_depth {
	uint64_t chunks;         /* chunks decoded for it */
	uint64_t stacks;         /* events with a stack */
	uint64_t depth1, depth2; /* of those, stopped at 1 or 2 frames */
};

/* An event of a decoded chunk: counts its stack arguments. */
void stack_depth_add(struct stack_depth *d, const struct lot_event *ev);
/* "stacks ..." line(s) of info's text, nothing when no stack was seen. */
void stack_depth_text(const struct stack_depth *d);
/* The member "stack_depths" of info --json's open object (cmd/json.h),
 * nothing when no stack was seen. */
void stack_depth_json(const struct stack_depth *d);

#endif
