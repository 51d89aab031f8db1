/*
 * Frame-pointer stack walk (implementation: lib/stackwalk.{h,c}).
 *
 *   struct lot_stack_bounds { uintptr_t lo, hi; };
 *   int lot_stack_bounds_current(struct lot_stack_bounds *b);
 *        the calling thread's stack range, read once per thread
 *        (pthread_getattr_np); 0 or -errno
 *   size_t lot_stack_walk(const struct lot_stack_bounds *b, unsigned skip,
 *                         uint64_t *pcs, size_t max, uint64_t *hash);
 *        inline (always_inline), walks from the caller's frame: return
 *        addresses, innermost first, after skipping `skip` frames; every step
 *        checked (aligned, strictly increasing, inside bounds) so a frame
 *        without a frame pointer ends the walk and never faults.  *hash is
 *        lot_hash_words(pcs, n) (lib/hash.h), computed on the way: its
 *        short dependency chain hides behind the walk's frame-to-frame
 *        loads, where a second pass would wait for both in turn.
 *   size_t lot_stack_walk_at(b, fp, skip, pcs, n0, max, h, hash, readable);
 *        the same from a given frame pointer (a signal handler walking the
 *        interrupted code: tracer/sampler.c), after n0 PCs already in pcs
 *        and hashed into h, optionally asking readable(fp) before each
 *        record is read.
 *
 * The frame record is the same on x86-64 and aarch64: the frame pointer
 * points at {saved frame pointer of the caller, return address}.  Because
 * lot_stack_walk is inlined, it starts at the frame of the function that
 * calls it, so pcs[0] is that function's return address: the call site in
 * its caller.  A probe function calling lot_stack_walk(b, 0, ...) therefore
 * records the probe's call site first.  Return addresses point after the
 * call instruction; the symbolizer subtracts one.
 *
 * Code built without frame pointers stores something else in the frame
 * pointer register; the checks turn that into the end of the walk.  Only
 * memory inside [lo, hi) is read, so the bounds must be the real stack of
 * the walking thread (a walk on a signal alternate stack or a coroutine's
 * own stack finds its frame pointer outside them and returns 0 frames).
 */
#ifndef LOT_LIB_STACKWALK_H
#define LOT_LIB_STACKWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/hash.h"

struct lot_stack_bounds {
	uintptr_t lo, hi; /* the thread's stack occupies [lo, hi) */
};

int lot_stack_bounds_current(struct lot_stack_bounds *b);

/*
 * The walk itself, from the frame record at fp: its return address is
 * pcs[n0] (after skipping `skip` frames), pcs[0..n0) are already filled and
 * hashed into the running hash h (LOT_HASH_WORDS_SEED if none).  `readable`,
 * when not NULL, is asked before each record is read (a signal handler
 * walking a thread whose bounds it does not know: tracer/sampler.c); it is a
 * constant at every call site, so the common walk has no call.
 */
static inline __attribute__((always_inline)) size_t
lot_stack_walk_at(const struct lot_stack_bounds *b, uintptr_t fp, unsigned skip, uint64_t *pcs,
		  size_t n0, size_t max, uint64_t h, uint64_t *hash, bool (*readable)(uintptr_t))
{
	/* the 16-byte record at fp must lie inside [lo, hi) */
	uintptr_t hi = b->hi >= 16 ? b->hi - 16 : 0;
	size_t n = n0;
	if (fp < b->lo || fp >= hi || (fp & 7))
		max = n0;
	while (n < max) {
		if (readable && !readable(fp))
			break;
		const uintptr_t *rec = (const uintptr_t *)fp;
		uintptr_t next = rec[0], ret = rec[1];
		if (ret == 0)
			break;
		if (skip) {
			skip--;
		} else {
			pcs[n++] = ret;
			h = lot_hash_words_step(h, ret);
		}
		/* strictly increasing, so never below lo; the outermost frame
		 * has 0, and garbage is rarely higher */
		if (next <= fp || next >= hi || (next & 7))
			break;
		fp = next;
	}
	*hash = lot_hash_words_end(h, n);
	return n;
}

static inline __attribute__((always_inline)) size_t
lot_stack_walk(const struct lot_stack_bounds *b, unsigned skip, uint64_t *pcs, size_t max,
	       uint64_t *hash)
{
	return lot_stack_walk_at(b, (uintptr_t)__builtin_frame_address(0), skip, pcs, 0, max,
				 LOT_HASH_WORDS_SEED, hash, NULL);
}

#endif
