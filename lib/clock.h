/*
 * The trace clock: rdtsc on x86-64 (cntvct_el0 on aarch64), calibrated
 * against CLOCK_MONOTONIC; clock_gettime(CLOCK_MONOTONIC) where the TSC is
 * not invariant (then ticks are nanoseconds and freq_hz is 1e9).
 *
 * API contract (implementation: lib/clock.c):
 *   lot_clock_now()        inline, the hot path's timestamp in ticks
 *   lot_clock_calibrate()  once at start (takes a few ms): chooses the source,
 *                          measures freq_hz, fills every field of *out
 *                          (time_shift left for the caller); 0 or -errno
 *   lot_clock_sample()     one (ticks, CLOCK_MONOTONIC ns, CLOCK_REALTIME ns)
 *                          triple taken as close together as possible, for
 *                          clock_sync records
 */
#ifndef LOT_LIB_CLOCK_H
#define LOT_LIB_CLOCK_H

#include <stdint.h>

#include "trace-format/trace.h"

int lot_clock_calibrate(struct lot_clock_info *out);
void lot_clock_sample(uint64_t *ticks, uint64_t *mono_ns, uint64_t *real_ns);
/* static inline uint64_t lot_clock_now(void) -- defined by the implementation */

#endif
