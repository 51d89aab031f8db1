/*
 * The header record a session's file starts with (and a snapshot's): the
 * clock, the process's description, the session's settings, the loaded
 * modules and the trace key, encoded by trace-format/file_writer.h.
 */
#ifndef LOT_TRACER_HEADER_H
#define LOT_TRACER_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "trace-format/trace.h"
#include "tracer/session_state.h"

/* The header record of s into b, with `clock` (a snapshot's starts later),
 * `mode` ("stream", "window", "snapshot") and extra metadata.  0 or -ENOMEM. */
int lot_session_header(const struct lot_session *s, struct lot_buf *b,
		       const struct lot_clock_info *clock, const char *mode,
		       const struct lot_kv *extra, size_t n_extra);

/* Choose the writer's time shift for a clock of freq_hz ticks per second. */
unsigned lot_time_shift(uint64_t freq_hz);

#endif
