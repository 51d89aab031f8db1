/*
 * A tracing session: from lot_start() to lot_stop(), one output file.
 * lot_start() reads the environment, calibrates the clock, opens the file,
 * allocates the chunk pool, writes the header and starts the flusher;
 * lot_stop() asks the flusher to finish (flush every thread, write the
 * trailer) and frees the rest.  Start and stop are serialised by a mutex;
 * the probes never take it.
 */
#ifndef LOT_TRACER_SESSION_H
#define LOT_TRACER_SESSION_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "trace-format/file_writer.h"
#include "trace-format/trace.h"
#include "tracer/env.h"
#include "tracer/io.h"
#include "tracer/pool.h"

struct lot_session {
	struct lot_config cfg;
	char path[4096];
	int fd;
	struct lot_io *io;
	struct lot_pool pool;
	struct lot_compressor *comp;
	struct lot_clock_info clock;
	uint64_t gen;
	pthread_t flusher;
	_Atomic int stop_req;
	int result;              /* set by the flusher when it ends: 0 or -errno */

	/* flusher-owned while it runs */
	struct lot_index_entry *index;
	size_t n_index, cap_index;
	struct lot_thread_total *done; /* threads that ended during the session */
	size_t n_done, cap_done;
	uint64_t chunks_dropped;       /* could not be encoded or written */
};

/* Choose the writer's time shift for a clock of freq_hz ticks per second. */
unsigned lot_time_shift(uint64_t freq_hz);

#endif
