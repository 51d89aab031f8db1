/*
 * Frame-pointer stack walk (API contract; implementation: lib/stackwalk.{h,c}).
 *
 *   struct lot_stack_bounds { uintptr_t lo, hi; };
 *   int lot_stack_bounds_current(struct lot_stack_bounds *b);
 *        the calling thread's stack range, read once per thread
 *        (pthread_getattr_np); 0 or -errno
 *   size_t lot_stack_walk(const struct lot_stack_bounds *b, unsigned skip,
 *                         uint64_t *pcs, size_t max);
 *        inline (always_inline), walks from the caller's frame: return
 *        addresses, innermost first, after skipping `skip` frames; every step
 *        checked (aligned, strictly increasing, inside bounds) so a frame
 *        without a frame pointer ends the walk and never faults.
 */
#ifndef LOT_LIB_STACKWALK_H
#define LOT_LIB_STACKWALK_H
#endif
