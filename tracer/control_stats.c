#include "tracer/control_stats.h"

_Atomic uint64_t lot_counts[LOT_COUNT_N];

static const char *const names[LOT_COUNT_N] = {
	[LOT_COUNT_STARTS] = "control_starts",
	[LOT_COUNT_STOPS] = "control_stops",
	[LOT_COUNT_WINDOWS] = "control_windows",
	[LOT_COUNT_WINDOWS_EARLY] = "control_windows_ended_early",
	[LOT_COUNT_SNAPSHOTS] = "control_snapshots",
	[LOT_COUNT_SNAPSHOTS_REFUSED] = "control_snapshots_refused",
	[LOT_COUNT_SIGNALS] = "control_signals",
	[LOT_COUNT_SIGNALS_REFUSED] = "control_signals_refused",
};

void lot_counts_stats(struct lot_stat out[LOT_COUNT_N])
{
	for (int i = 0; i < LOT_COUNT_N; i++)
		out[i] = (struct lot_stat){names[i],
					   atomic_load_explicit(&lot_counts[i], memory_order_relaxed)};
}
