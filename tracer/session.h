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
#include <stdbool.h>
#include <stdint.h>

#include "lib/buf.h"
#include "trace-format/file_writer.h"
#include "trace-format/trace.h"
#include "tracer/env.h"
#include "tracer/io.h"
#include "tracer/pool.h"

enum lot_started_by { LOT_BY_API, LOT_BY_ENV, LOT_BY_SIGNAL };

/* How a session is started (lot_session_start). */
struct lot_start_req {
	const char *path;          /* explicit path; NULL: the LOTRACE_OUTPUT template */
	enum lot_started_by by;
	bool flight;               /* flight recorder whatever LOTRACE_MODE says */
	uint64_t window_seq, window_ms; /* a signal window's number and length */
};

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

/* Start a session: 0 and *gen (its number) and path_out (the file, "" in
 * flight mode), or -errno. */
int lot_session_start(const struct lot_start_req *r, uint64_t *gen, char *path_out, size_t cap);
/* Stop session `gen` (0: whichever runs); `early` marks a window ended by
 * a signal.  The session's result, or -ESRCH when that session is not the
 * one running. */
int lot_session_stop(uint64_t gen, bool early);
/* True while a flight-mode session runs. */
bool lot_session_flight(void);

/* The header record of s into b, with `clock` (a snapshot's starts later),
 * `mode` ("stream", "window", "snapshot") and extra metadata.  0 or -ENOMEM. */
int lot_session_header(const struct lot_session *s, struct lot_buf *b,
		       const struct lot_clock_info *clock, const char *mode,
		       const struct lot_kv *extra, size_t n_extra);

/* Choose the writer's time shift for a clock of freq_hz ticks per second. */
unsigned lot_time_shift(uint64_t freq_hz);

#endif
