/*
 * The critical path of a request: the chain of spans and task states, across
 * processes, that determined when its root span ended (doc/ANALYSIS.md,
 * "Critical path").  Its steps partition the root's wall time exactly.
 *
 * It needs each span's task states over time, which the report's first pass
 * does not keep: cp_collect() reads the files again through the model,
 * keeping only the spans of the requested traces and the state segments of
 * the tasks while one of those spans is open (memory: those traces only).
 */
#ifndef LOT_CMD_CRITICAL_PATH_H
#define LOT_CMD_CRITICAL_PATH_H

#include <stddef.h>
#include <stdint.h>

#include "cmd/model.h"
#include "cmd/report.h"

struct cp_step {
	unsigned proc;            /* the file (process) */
	struct model_str span;    /* the span on the path */
	uint64_t span_id;
	int state;                /* enum model_state, or -1: unknown (no state recorded) */
	struct model_str reason;  /* BLOCKED: the reason; RUNNABLE: why runnable */
	int64_t start_ns;
	uint64_t ns;
};

struct cp;

/* Read rep's files again for these traces' spans and states; NULL on ENOMEM. */
struct cp *cp_collect(struct report *rep, const uint8_t (*traces)[16], size_t n);
/* The critical path of span (proc, span_id), steps in time order, equal
 * neighbours merged; *n 0 if the span is not among the collected.  The
 * array is valid until the next call or cp_free(). */
const struct cp_step *cp_path(struct cp *cp, unsigned proc, uint64_t span_id, size_t *n);
void cp_free(struct cp *cp);

/* The path as text lines (a table whose durations add up to the root's wall
 * time) or as the member "critical_path" of the JSON object open (cmd/json.h). */
void cp_print_text(struct report *rep, const struct cp_step *v, size_t n, const char *ind);
void cp_print_json(struct report *rep, const struct cp_step *v, size_t n);

#endif
