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
#include <stdint.h>

#include "lib/parse.h"

enum lot_io_kind { LOT_IO_URING, LOT_IO_PWRITE };
enum lot_mode { LOT_MODE_STREAM, LOT_MODE_FLIGHT };

struct lot_config {
	const char *output;     /* LOTRACE_OUTPUT, NULL: default name */
	size_t chunk_size;      /* LOTRACE_CHUNK_SIZE, bytes of one chunk's payload */
	size_t buffer_size;     /* LOTRACE_BUFFER_SIZE, bytes of the whole chunk pool */
	bool stacks;            /* LOTRACE_STACKS */
	unsigned stack_depth;   /* LOTRACE_STACK_DEPTH, 1..128 */
	enum lot_io_kind io;    /* LOTRACE_IO */
	const char *service, *env, *version, *tags; /* LOTRACE_SERVICE/ENV/VERSION/TAGS */
	enum lot_mode mode;     /* LOTRACE_MODE */
	const char *dir;        /* LOTRACE_DIR, NULL: the working directory */
	uint64_t window_ms;     /* LOTRACE_WINDOW */
	uint64_t flight_age_ms; /* LOTRACE_FLIGHT_AGE */
	size_t flight_size;     /* LOTRACE_FLIGHT_SIZE: all the flight recorder's buffers */
	uint64_t duration_ms;   /* LOTRACE_DURATION, 0: none */
	uint64_t idle_flush_ms; /* LOTRACE_IDLE_FLUSH */
	unsigned cpu_hz;        /* LOTRACE_CPU_HZ, 0: no CPU sampling */
	int cpu_signal;         /* LOTRACE_CPU_SIGNAL, 0: a free real-time signal */
};

#define LOT_DEFAULT_CHUNK_SIZE (64u << 10)
#define LOT_DEFAULT_BUFFER_SIZE (16u << 20)
#define LOT_DEFAULT_STACK_DEPTH 32
#define LOT_DEFAULT_WINDOW_MS 5000u
#define LOT_DEFAULT_FLIGHT_AGE_MS 10000u
#define LOT_DEFAULT_IDLE_FLUSH_MS 1000u
#define LOT_DEFAULT_CPU_HZ 99u
#define LOT_MAX_CPU_HZ 10000u
#define LOT_DEFAULT_FLIGHT_SIZE (64u << 20)

/* Fill *c from the environment.  0, or -EINVAL after a message on stderr. */
int lot_config_from_env(struct lot_config *c);

/* LOTRACE_START: 1 to start tracing when the library loads; -1 if bad. */
int lot_env_start(void);

/* LOTRACE_SIGNAL: 0 and *signo = 0 when unset, 0 and the signal number, or
 * -EINVAL after a message.  Accepts USR2, SIGUSR2, RTMIN+3 or a number. */
int lot_env_signal(int *signo);

#endif
