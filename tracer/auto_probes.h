/*
 * The probes of the zero-code interposer (tracer/auto/, liblotrace-auto.so).
 *
 * The interposer links liblotrace.so and records through these entry
 * points, which are exported (LOT_API, lot__ prefix: internal, not in
 * <lotrace.h>) so that a program that links liblotrace itself and is also
 * preloaded shares the one recorder and writes one file.  They differ from
 * the public probes in three ways the interposer needs:
 *
 *   - `skip`: the interposer's own frames are left off the top of the stack
 *     (the walk starts in the probe: skip 1 drops the wrapper that called it,
 *     so the first PC is the traced program's call site);
 *   - a block's detail is text made per call ("fd 7", "0x55d0c0a8"), defined
 *     in the chunk for that one event rather than interned by address;
 *   - a block may begin in the past (t0): calls that only sometimes block
 *     (read, poll) are timed and recorded after they return, and only when
 *     they took at least the threshold.
 *
 * All of them do nothing while tracing is off; the interposer tests
 * lot_enabled() first (one relaxed load) and calls none of them then.
 */
#ifndef LOT_TRACER_AUTO_PROBES_H
#define LOT_TRACER_AUTO_PROBES_H

#include <stddef.h>
#include <stdint.h>

#include "tracer/lotrace.h"

struct lot_auto_block {
	const char *reason; /* static: "mutex", "cond", "io", ... */
	const char *detail; /* copied; NULL: none */
	uint64_t t0;        /* the block's start (lot__auto_now()); 0: now */
	unsigned skip;      /* interposer frames on top of the stack */
	const uint64_t *pcs; /* a stack unwound by the caller (DWARF), or NULL: walk frame pointers */
	size_t n_pcs;
};

/* The recorder's clock, in ticks (0 while tracing is off). */
LOT_API uint64_t lot__auto_now(void);
/* Nanoseconds since t0 (a lot__auto_now() value); 0 while off. */
LOT_API uint64_t lot__auto_since_ns(uint64_t t0);
/* The current task blocks (task_block, at b->t0 when set). */
LOT_API void lot__auto_block(const struct lot_auto_block *b);
/* The current task runs again after a block (task_start of itself). */
LOT_API void lot__auto_resume(void);
/* lot_task_current() for a wait's waiter table; 0 inside the recorder
 * (auto_enter in auto_probes.c), where nothing is recorded. */
LOT_API uint64_t lot__auto_task(void);
/* `task` is woken by the calling thread (task_unblock with its stack,
 * `skip` interposer frames left off). */
LOT_API void lot__auto_unblock(uint64_t task, unsigned skip);
/* Record the calling thread's thread_begin now (a new thread, or the main
 * thread at load), taking its name from the kernel (comm) first. */
LOT_API void lot__auto_thread(void);
/* The calling thread's name changed (pthread_setname_np, prctl): take it
 * from the kernel again. */
LOT_API void lot__auto_rename(void);

#endif
