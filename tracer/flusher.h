/*
 * The flusher: one background thread per session.  It sleeps on an eventfd
 * (threads kick it when they hand over a chunk) with a 10 ms timeout, takes
 * full chunks from every thread's ring, compresses each into a chunk record
 * and appends it to the output (tracer/io.h), gives the chunk back to the
 * pool, records clock_sync about once a second, and asks threads that
 * handed nothing for a second to hand over their partial chunk.  At stop it
 * quiesces every thread (see thread.h), writes the live chunks and the
 * trailer.
 */
#ifndef LOT_TRACER_FLUSHER_H
#define LOT_TRACER_FLUSHER_H

struct lot_session;

void *lot_flusher_main(void *session);
/* After fork, in the child: forget the parent's threads (not freed: other
 * threads' states may be half-written). */
void lot_flusher_forget_threads(void);

#endif
