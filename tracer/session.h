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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tracer/session_state.h"

/* How a session is started (lot_session_start). */
struct lot_start_req {
	const char *path;          /* explicit path; NULL: the LOTRACE_OUTPUT template */
	enum lot_started_by by;
	bool flight;               /* flight recorder whatever LOTRACE_MODE says */
	uint64_t window_seq, window_ms; /* a signal window's number and length */
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

/* Install the fork and exit hooks (once; the library's constructor and
 * every start). */
void lot_session_install_hooks(void);

#endif
