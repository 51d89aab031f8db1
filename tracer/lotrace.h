/*
 * lotrace: a low-overhead execution tracer for C and C++ programs.
 *
 * Link with -llotrace (pkg-config lotrace).  Tracing is off until lot_start()
 * (or LOTRACE_START=1 in the environment, see doc/ENVIRONMENT.md).  While it
 * is off every probe below costs one relaxed load and a branch: they are
 * inline wrappers around the lot__* entry points, which only run when
 * tracing is on.
 *
 * Strings: event names, block reasons and attribute keys must be static
 * (string literals or otherwise never freed nor changed while tracing):
 * they are recorded by address.  Attribute values and thread names are
 * copied.
 *
 * Probes are thread-safe and never block, allocate (after a thread's first
 * event) or make a system call on the common path.  When the recorder has no
 * free buffer the event is dropped and counted; every report states the
 * exact loss.  A probe that interrupts another probe on the same thread (a
 * signal handler) is dropped and counted as lost too.
 */
#ifndef LOTRACE_H
#define LOTRACE_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LOT_API __attribute__((visibility("default")))

/* ---- session ---- */

/*
 * Start tracing to `path`; NULL means $LOTRACE_OUTPUT, or else
 * "lotrace-<service>-<pid>-<UTC time>.lot" (the service: LOTRACE_SERVICE, else
 * the program's name) in $LOTRACE_DIR, else the current directory.  The file is
 * created with mode 0600 and must not exist yet.  The LOTRACE_* variables are
 * read at each start; a bad value is reported on stderr and rejected.
 * Returns 0, -EBUSY if tracing is already on, or another -errno.
 */
LOT_API int lot_start(const char *path);

/* Stop: flush every thread, write the trailer, close the file.  0, -EINVAL
 * when tracing is off, or the first I/O error (-errno) of the session. */
LOT_API int lot_stop(void);

/*
 * Start the flight recorder (as LOTRACE_MODE=flight does at load): record
 * continuously into memory, keeping the last LOTRACE_FLIGHT_AGE of history
 * within LOTRACE_FLIGHT_SIZE bytes, and write nothing until lot_snapshot().
 * The probes cost the same as when streaming.  0, -EBUSY if tracing is
 * already on, or another -errno.  lot_stop() ends it (writing nothing).
 */
LOT_API int lot_flight_start(void);

/*
 * Ask the flight recorder to write what it holds (its retained history and
 * every thread's current partial chunk) to `path`, or, for NULL, to a new
 * file named by LOTRACE_OUTPUT (see doc/ENVIRONMENT.md).  The background
 * thread writes it while recording goes on: the call only posts the request
 * and returns.  0 (accepted), -EBUSY while an earlier snapshot is being
 * written (this one is refused and counted), -ENOTSUP when the flight
 * recorder is not running.  The file is a normal trace, created 0600.
 */
LOT_API int lot_snapshot(const char *path);

/*
 * Wait until no snapshot is pending or being written, then return the
 * result of the last one (0 or -errno; -ENOENT if none was ever taken) and
 * copy its path into path[0, cap) (path may be NULL).
 */
LOT_API int lot_snapshot_wait(char *path, unsigned long cap);

/* Internal: the flag the inline probes test.  Use lot_enabled(). */
LOT_API extern int lot__enabled;

/* True while tracing: one relaxed load. */
static inline bool lot_enabled(void)
{
	return __builtin_expect(__atomic_load_n(&lot__enabled, __ATOMIC_RELAXED), 0);
}

/* Name the calling thread in traces (copied; at most 255 bytes).  Works
 * whether tracing is on or off. */
LOT_API void lot_thread_name(const char *name);

/* ---- tasks: threads, coroutines, requests, jobs ----
 *
 * A thread that never uses these is its own (implicit) task.  Task ids are
 * small nonzero numbers unique in the process.  Block, yield and end apply
 * to the task current on the calling thread, which is the last one started
 * here (else the thread's own task).
 */

/* A new task id, even while tracing is off (so tasks created before a start
 * keep their identity); records task_create with the current task as
 * parent when tracing.  Not inline: it always allocates an id. */
LOT_API uint64_t lot_task_create(const char *name);
/* The id of the task current on this thread (its implicit task if none was
 * started); 0 if this thread never touched lotrace. */
LOT_API uint64_t lot_task_current(void);

LOT_API void lot__task_start(uint64_t task);
LOT_API void lot__task_block(const char *reason);
LOT_API void lot__task_unblock(uint64_t task);
LOT_API void lot__task_yield(void);
LOT_API void lot__task_end(void);

/* `task` starts running on this thread (and becomes its current task). */
static inline void lot_task_start(uint64_t task)
{
	if (lot_enabled())
		lot__task_start(task);
}
/* The current task blocks; reason is static ("mutex", "io", "queue", ...). */
static inline void lot_task_block(const char *reason)
{
	if (lot_enabled())
		lot__task_block(reason);
}
/* The current task makes `task` runnable: recorded on the waker's thread. */
static inline void lot_task_unblock(uint64_t task)
{
	if (lot_enabled())
		lot__task_unblock(task);
}
static inline void lot_task_yield(void)
{
	if (lot_enabled())
		lot__task_yield();
}
/* The current task ends; the thread's own task becomes current again. */
static inline void lot_task_end(void)
{
	if (lot_enabled())
		lot__task_end();
}

/* ---- spans (W3C trace context) ---- */

typedef struct lot_span {
	uint8_t trace_id[16];
	uint64_t span_id;
	uint8_t flags; /* W3C trace-flags; bit 0: sampled */
} lot_span;

#define LOT_TRACEPARENT_LEN 55 /* "00-" 32 hex "-" 16 hex "-" 2 hex */

LOT_API lot_span lot__span_begin(const char *name, const lot_span *parent);
LOT_API void lot__span_end(const lot_span *span);
LOT_API void lot__span_attr_str(const lot_span *span, const char *key, const char *value);
LOT_API void lot__span_attr_int(const lot_span *span, const char *key, int64_t value);

/*
 * Begin a span named `name` (static) and return it.  Parent: `parent` (a
 * local span or one from lot_traceparent_parse()); NULL means the innermost
 * span begun on this thread by the current task and not ended here, else a
 * new trace.  The span belongs to the current task and may end on another
 * thread; the thread that began it forgets it when its task changes
 * (lot_task_start of another task, lot_task_end), so pass an explicit
 * parent where a span ends elsewhere and the thread's task stays.
 *
 * Ids are made whether tracing is on or off, so context propagation never
 * depends on recording: while off, the span gets a new span id under the
 * explicit parent's trace id (and flags), or a new trace id without a valid
 * parent; nothing is recorded and there is no implicit parent.
 */
LOT_API lot_span lot__span_ids(const lot_span *parent);
static inline lot_span lot_span_begin(const char *name, const lot_span *parent)
{
	if (lot_enabled())
		return lot__span_begin(name, parent);
	return lot__span_ids(parent);
}
static inline void lot_span_end(const lot_span *span)
{
	if (lot_enabled())
		lot__span_end(span);
}
/* An attribute of an open span; key is static, value is copied (at most
 * 1024 bytes). */
static inline void lot_span_attr_str(const lot_span *span, const char *key, const char *value)
{
	if (lot_enabled())
		lot__span_attr_str(span, key, value);
}
static inline void lot_span_attr_int(const lot_span *span, const char *key, int64_t value)
{
	if (lot_enabled())
		lot__span_attr_int(span, key, value);
}

/* True for a span with nonzero trace and span ids. */
LOT_API bool lot_span_valid(const lot_span *span);

/* Format `span` as a traceparent header value (55 characters and a NUL).
 * 0, or -EINVAL for an invalid span.  Works whether tracing is on or off. */
LOT_API int lot_traceparent_format(const lot_span *span, char out[56]);
/* Parse a traceparent header value (lowercase hex; version ff and all-zero
 * ids are invalid; a future version may carry more fields after a '-').
 * 0 and *remote_parent set, or -EINVAL.  Works whether tracing is on or off. */
LOT_API int lot_traceparent_parse(const char *header, lot_span *remote_parent);

/* A span that ends when the enclosing block is left:
 *     { LOT_SPAN_SCOPED(req, "handle"); ... lot_span_attr_int(&req, "n", n); }
 */
static inline void lot__span_cleanup(lot_span *s)
{
	lot_span_end(s);
}
#define LOT_SPAN_SCOPED(var, name) \
	lot_span var __attribute__((cleanup(lot__span_cleanup))) = lot_span_begin((name), NULL)

/* ---- instants and counters ----
 * An instant carries a stack when stacks are on (LOTRACE_STACKS); a counter
 * never does. */

LOT_API void lot__instant(const char *name);
LOT_API void lot__counter(const char *name, int64_t value);

static inline void lot_instant(const char *name)
{
	if (lot_enabled())
		lot__instant(name);
}
static inline void lot_counter(const char *name, int64_t value)
{
	if (lot_enabled())
		lot__counter(name, value);
}

#ifdef __cplusplus
}
#endif

#endif
