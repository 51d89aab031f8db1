/*
 * What control did in this process, for the trailer of every file (and so
 * `lotrace info`): sessions started and stopped, signal windows, snapshots,
 * signals received and requests refused.  Process-wide counters, updated
 * with relaxed atomic adds (the signal handler's one is lock-free, hence
 * async-signal-safe).
 */
#ifndef LOT_TRACER_CONTROL_STATS_H
#define LOT_TRACER_CONTROL_STATS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "trace-format/trace.h"

enum lot_count {
	LOT_COUNT_STARTS,         /* sessions started (any way) */
	LOT_COUNT_STOPS,          /* sessions stopped */
	LOT_COUNT_WINDOWS,        /* signal windows started */
	LOT_COUNT_WINDOWS_EARLY,  /* windows ended early by a second signal */
	LOT_COUNT_SNAPSHOTS,      /* snapshot files completed */
	LOT_COUNT_SNAPSHOTS_REFUSED, /* snapshot requests refused (one in progress) */
	LOT_COUNT_SIGNALS,        /* control signals received */
	LOT_COUNT_SIGNALS_REFUSED,/* signals that could not act (tracing already on, ...) */
	LOT_COUNT_N
};

extern _Atomic uint64_t lot_counts[LOT_COUNT_N];

static inline void lot_count(enum lot_count c)
{
	atomic_fetch_add_explicit(&lot_counts[c], 1, memory_order_relaxed);
}

/* The counters as trailer stats ("control_starts", ...): fills out[0, LOT_COUNT_N). */
void lot_counts_stats(struct lot_stat out[LOT_COUNT_N]);

#endif
