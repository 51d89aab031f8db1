/*
 * A running session's state: its configuration, output, pool and the
 * flusher's bookkeeping.  Made and freed by tracer/session.c, worked on by
 * the flusher (tracer/flusher.c) and the snapshot writer, which see it
 * through this header only (they do not start or stop sessions).
 */
#ifndef LOT_TRACER_SESSION_STATE_H
#define LOT_TRACER_SESSION_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/buf.h"
#include "trace-format/file_writer.h"
#include "trace-format/trace.h"
#include "tracer/env.h"
#include "tracer/io.h"
#include "tracer/pool.h"

enum lot_started_by { LOT_BY_API, LOT_BY_ENV, LOT_BY_SIGNAL };

struct lot_flight;

struct lot_session {
	struct lot_config cfg;
	enum lot_started_by by;
	uint64_t window_seq, window_ms;
	_Atomic bool ended_early;  /* a window ended by a second signal */
	struct lot_flight *flight; /* flight mode: no file, chunks kept here */
	char path[4096];
	int fd;
	struct lot_io *io;
	struct lot_pool pool;
	struct lot_compressor *comp;
	struct lot_clock_info clock;
	int cpu_signal;            /* CPU sampling's signal, 0: no sampling */
	uint64_t gen;
	pthread_t flusher;
	_Atomic int stop_req;
	int result;              /* set by the flusher when it ends: 0 or -errno */

	/* flusher-owned while it runs */
	struct lot_index_entry *index;
	size_t n_index, cap_index;
	/* per index entry: where its record ends and the events it holds, to
	 * count them lost if a write error leaves it out of the file */
	struct lot_chunk_note {
		uint64_t end, events;
	} *notes;
	size_t cap_notes;
	struct lot_thread_total *done; /* threads that ended during the session */
	size_t n_done, cap_done;
	uint64_t chunks_dropped;       /* could not be encoded or written */
	uint64_t cpu_samples, cpu_samples_dropped; /* of the threads' totals */
};

#endif
