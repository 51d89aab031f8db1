/*
 * The LOTRACE_* environment, read at each lot_start().  Every variable is
 * documented in doc/ENVIRONMENT.md.  A bad value is reported on stderr in one
 * line naming the variable and makes the start fail: a typo must not silently
 * trace with defaults.
 */
#ifndef LOT_TRACER_ENV_H
#define LOT_TRACER_ENV_H

#include <stdbool.h>
#include <stddef.h>

enum lot_io_kind { LOT_IO_URING, LOT_IO_PWRITE };

struct lot_config {
	const char *output;     /* LOTRACE_OUTPUT, NULL: default name */
	size_t chunk_size;      /* LOTRACE_CHUNK_SIZE, bytes of one chunk's payload */
	size_t buffer_size;     /* LOTRACE_BUFFER_SIZE, bytes of the whole chunk pool */
	bool stacks;            /* LOTRACE_STACKS */
	unsigned stack_depth;   /* LOTRACE_STACK_DEPTH, 1..128 */
	enum lot_io_kind io;    /* LOTRACE_IO */
	const char *service, *env, *version, *tags; /* LOTRACE_SERVICE/ENV/VERSION/TAGS */
};

#define LOT_DEFAULT_CHUNK_SIZE (64u << 10)
#define LOT_DEFAULT_BUFFER_SIZE (16u << 20)
#define LOT_DEFAULT_STACK_DEPTH 32

/* Fill *c from the environment.  0, or -EINVAL after a message on stderr. */
int lot_config_from_env(struct lot_config *c);

/* LOTRACE_START: 1 to start tracing when the library loads; -1 if bad. */
int lot_env_start(void);

#endif
