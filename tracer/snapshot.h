/*
 * Snapshots of the flight recorder: the request (lot_snapshot(), or the
 * control signal) and the writing, which the flusher does between two of its
 * passes while the threads go on recording.
 *
 * The request is one slot: IDLE -> PENDING (a requester, under a mutex held
 * for a few stores) -> WRITING (the flusher) -> IDLE.  A request that finds
 * the slot busy is refused (-EBUSY) and counted: the application never
 * waits for a snapshot unless it calls lot_snapshot_wait().
 *
 * The file: the session's header (its clock starting at the oldest chunk
 * kept, so the file's time span is the history it really holds), every
 * retained chunk record copied as it is, then each thread's live chunk up to
 * its published length (the bytes before `len` never change while the
 * thread owns the chunk: thread.h), then a trailer with the index,
 * per-thread totals (losses include the events of dropped chunks that
 * overlap the span) and the flight recorder's accounting.
 */
#ifndef LOT_TRACER_SNAPSHOT_H
#define LOT_TRACER_SNAPSHOT_H

#include <stdbool.h>

struct lot_session;
struct lot_thread;

/* A flight session starts (true) or has stopped (false): requests are
 * accepted only in between. */
void lot_snapshot_session(bool on);
/* In a forked child: no flight session, no request. */
void lot_snapshot_forget(void);
/* The flusher: write the pending snapshot, if there is one. */
void lot_snapshot_serve(struct lot_session *s, struct lot_thread *threads);

#endif
