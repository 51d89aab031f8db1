/*
 * Per-thread recording state: the thread's current chunk, its hand-off ring
 * to the flusher, loss accounting, task and span bookkeeping.
 *
 * THE INVARIANT.  Each thread owns its state and its current chunk; only it
 * writes them.  Four things cross to the flusher (the fourth, the idle
 * flush, is described below):
 *
 *   1. Full chunks, through the per-thread single-producer single-consumer
 *      ring `ring`: the thread stores the chunk pointer in ring[head % N] and
 *      publishes it with a release store of `ring_head`; the flusher reads
 *      ring_head with acquire, writes the chunk out, gives it back to the
 *      pool and releases the slot with a release store of `ring_tail`.  The
 *      thread reads ring_tail (a cache line the flusher writes) only when it
 *      switches chunks, so the hot path touches no shared cache line.
 *   2. The live chunk's length, published after every event by a release
 *      store of chunk->len into the chunk (memory only the thread writes).
 *      The flusher reads a live chunk only when it knows the thread is
 *      quiescent (stop), when it has claimed it (idle flush), or, in a
 *      later issue, for a snapshot (the bytes before `len` never change).
 *   3. `in_probe`, set by the thread around every probe.  lot_stop() clears
 *      lot__enabled and lot_rt.on, issues membarrier(PRIVATE_EXPEDITED) --
 *      which orders every thread's earlier in_probe store against the
 *      flusher's later load, like a full fence on each thread -- and waits
 *      for in_probe == 0 on each thread.  Any probe that starts later sees
 *      lot_rt.on == LOT_OFF, so the flusher may then read and reset every
 *      thread's state.  Where membarrier is refused, lot_rt.on is
 *      LOT_ON_FENCED and probes follow the in_probe store with a seq_cst
 *      exchange of it (a full barrier) and load lot_rt.on again.
 *
 * IDLE FLUSH.  A thread that handed nothing for a second may be sitting on
 * events.  The flusher then takes its live chunk itself: it stores
 * steal = 1, issues membarrier, and if the thread is not in a probe it
 * claims the chunk with a CAS steal 1 -> 2, reads the chunk's published
 * bytes (`len`, acquire) and writes them out.  Each probe loads `steal` (a
 * cache line the flusher writes about once a second at most, and only for an
 * idle thread) right after in_probe: 1 -> the thread cancels with a CAS
 * 1 -> 0 and keeps its chunk (if the CAS finds 0, the flusher saw it in a
 * probe and withdrew: it keeps the chunk too); 2 -> the chunk is the
 * flusher's, the thread forgets it and stores steal = 0.  Only the thread's `live` pointer and
 * the chunk itself are read by the flusher, never the writer.
 *
 * CPU SAMPLES (tracer/sampler.c) are recorded by the thread itself, from
 * its signal handler, through the same entry (lot_probe_enter_thread): a
 * sample that finds in_probe set is dropped (counted in samples_dropped,
 * not as a lost event), so it never touches a half-written event.  A thread that never called a probe
 * gets a state from a spare the flusher keeps ready (`foreign` set) and has
 * no exit hook: the flusher retires it once /proc/self/task no longer lists it.
 *
 * LOSS.  An event that finds no room and no free chunk is dropped and
 * counted in `lost`; the next chunk's header carries that count (and the
 * count restarts).  A chunk the ring cannot take is dropped whole: its
 * events and its header's count join `lost`.  What is left in `lost` when
 * the thread ends or the session stops goes into the trailer.  So for every
 * thread: events in the file + losses reported = events recorded, exactly.
 */
#ifndef LOT_TRACER_THREAD_H
#define LOT_TRACER_THREAD_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/stackwalk.h"
#include "trace-format/format.h"
#include "trace-format/writer.h"
#include "tracer/ids.h"
#include "tracer/lotrace.h"
#include "tracer/pool.h"

#define LOT_RING 64       /* full chunks in flight per thread */
#define LOT_OPEN_SPANS 32 /* open spans remembered per thread (implicit parents) */

/* Session settings the probes read; written by lot_start() before it sets
 * lot_rt.on and lot__enabled (release, lot_set_enabled), read by probes
 * after loading lot_rt.on. */
struct lot_runtime {
	struct lot_pool *pool;
	size_t chunk_size;
	unsigned shift;      /* writer time shift */
	bool stacks;
	unsigned stack_depth;
	uint64_t trace_key[2]; /* of the session's generated trace ids */
	uint64_t gen;        /* session number, from 1 */
	uint64_t freq_hz;    /* clock ticks per second (tracer/auto_probes.c) */
	int efd;             /* eventfd that wakes the flusher */
	/* membarrier unavailable: probes fence themselves.  Read by
	 * lot_thread_name() before it knows tracing is on, hence atomic. */
	_Atomic bool full_fence;
	/* What probes test after marking in_probe: LOT_OFF, LOT_ON, or
	 * LOT_ON_FENCED (on, and full_fence is set).  Stored with lot__enabled:
	 * set (release) after the fields above, cleared (seq_cst) before the
	 * flusher quiesces the threads.  lot__enabled stays the public flag the
	 * inline wrappers test; this copy is the library's own (hidden), so the
	 * probe reads it without a GOT load. */
	_Atomic int on;
	/* A thread made its recorder state: the CPU sampler rescans at once
	 * (tracer/sampler.c), so that a short-lived thread created inside a
	 * request is sampled from its first probe, not from the next periodic
	 * scan.  Written on a thread's first probe only, in its own cache line. */
	_Alignas(64) _Atomic bool new_thread;
};
enum { LOT_OFF, LOT_ON, LOT_ON_FENCED };
/* Set or clear lot__enabled and lot_rt.on together. */
void lot_set_enabled(bool on);
extern struct lot_runtime lot_rt;

struct lot_thread {
	/* ---- written by the thread only ---- */
	struct lot_writer w;     /* encodes into cur->data */
	struct lot_chunk *cur;   /* NULL: none (the writer then has no room) */
	_Atomic int in_probe;
	uint64_t lost;           /* dropped since cur began (or since the last chunk) */
	_Atomic uint64_t nested_lost; /* probes dropped because they interrupted a probe */
	uint64_t gen;            /* session this state last recorded in */
	uint32_t seq;            /* next chunk sequence number */
	bool need_begin;         /* thread_begin not yet recorded in this session */
	bool tracer;             /* the recorder's own thread: every chunk says so (tracer_thread) */
	uint64_t tid;
	uint64_t task_self, task_cur, task_next, task_limit;
	uint64_t span_salt;      /* high 32 bits random, low 32 zero */
	uint32_t span_ctr;       /* span ids are span_salt | span_ctr (api.c) */
	struct lot_rng rng;
	struct lot_stack_bounds bounds;
	unsigned n_spans;
	lot_span spans[LOT_OPEN_SPANS];
	char name[LOT_THREAD_NAME_MAX + 1];
	/* CPU samples of this session (tracer/sampler.c): recorded (written or
	 * lost), and of those dropped because they interrupted a probe.
	 * Written by the thread's signal handler, taken by the flusher while
	 * the thread is quiescent or gone. */
	_Atomic uint64_t samples, samples_dropped;
	/* Made for a sample (a thread that never called a probe): no stack
	 * bounds, no exit hook.  Cleared (release) when the thread's first
	 * probe adopts it; while set, the flusher retires the state when the
	 * thread is gone from /proc/self/task. */
	_Atomic bool foreign;
	_Atomic(struct lot_chunk *) live; /* cur, for the idle flush */
	_Atomic uint32_t ring_head;
	_Atomic int exited;      /* release: the last chunk is in the ring */
	struct lot_chunk *ring[LOT_RING];
	struct lot_thread *pending_next; /* registration stack link */

	/* ---- written by the flusher ---- */
	alignas(64) _Atomic uint32_t ring_tail;
	_Atomic int steal;       /* 0 none, 1 requested, 2 taken (idle flush) */
	/* flusher-private */
	struct lot_thread *next;
	uint64_t f_gen;          /* session the totals below belong to */
	uint64_t f_written, f_lost, f_chunks;
	uint64_t f_last_chunk_ns; /* CLOCK_MONOTONIC of the last chunk taken */
	uint64_t f_scan;          /* the sampler's scan count when it was adopted */
};

extern __thread struct lot_thread *lot_self __attribute__((tls_model("initial-exec")));

struct lot_thread *lot_thread_create(void);
/* The calling thread is the recorder's own (flusher, control): its chunks
 * carry a tracer_thread event, so that reports leave it out.  Creates no
 * state: a thread that never records stays out of the trace anyway. */
void lot_thread_mark_tracer(void);
/* Whether the calling thread is one of the recorder's own. */
bool lot_thread_is_tracer(void);
/* Whether the calling thread is making its recorder state (its first
 * probe): what it calls meanwhile (the allocator, its locks) is the
 * recorder's own work, not the program's. */
bool lot_thread_in_setup(void);

/* The calling thread's state for a CPU sample, from its signal handler:
 * the thread's own, or one made for it from a spare (a thread that never
 * called a probe), or NULL when there is none (the thread is creating its
 * state: the sample is counted as lost into it; it has exited; no spare:
 * counted in *no_state). */
struct lot_thread *lot_thread_for_sample(_Atomic uint64_t *no_state);
/* Keep spare states ready for lot_thread_for_sample (the flusher). */
void lot_thread_spares_fill(void);

/* Registered threads not yet seen by the flusher (a lock-free stack). */
struct lot_thread *lot_threads_take_new(void);
void lot_threads_forget_all(void); /* after fork, in the child */

/* Seal the current chunk (fill its header from the writer) and detach it:
 * the thread then has no chunk.  NULL if it had none; an empty chunk with
 * nothing to report goes straight back to the pool. */
struct lot_chunk *lot_thread_seal(struct lot_thread *t);
/* The thread's slow path: hand over the current chunk, take a fresh one.
 * false if none is free (the caller drops its event). */
bool lot_thread_switch(struct lot_thread *t, uint64_t now);
/* Hand the current chunk to the flusher (thread exit). */
void lot_thread_handoff(struct lot_thread *t);
/* The flusher asked for (1) or took (2) the live chunk: answer it. */
void lot_thread_steal_seen(struct lot_thread *t);
/* Forget the current chunk without sealing it. */
void lot_thread_detach(struct lot_thread *t);
void lot_flusher_kick(void);

/* Mark the thread as inside a probe.  Normally a plain store and a compiler
 * barrier: the stopping flusher's membarrier() supplies the fence.  Without
 * membarrier the store is an exchange (a full barrier), and the enabled
 * flag load that follows is sequentially consistent either way. */
static inline void lot_probe_mark(struct lot_thread *t)
{
	if (__builtin_expect(atomic_load_explicit(&lot_rt.full_fence, memory_order_relaxed), 0)) {
		atomic_exchange_explicit(&t->in_probe, 1, memory_order_seq_cst);
	} else {
		atomic_store_explicit(&t->in_probe, 1, memory_order_relaxed);
		atomic_signal_fence(memory_order_seq_cst);
	}
}

/* Enter a probe: the thread's state, or NULL when the event must not be
 * recorded (tracing off, no memory, or a probe interrupted on this thread,
 * which is counted as lost).
 *
 * One load decides both "still on" and "how to fence" (lot_rt.on): the
 * in_probe store is always plain; in LOT_ON_FENCED mode (no membarrier) a
 * seq_cst exchange of in_probe follows it and `on` is loaded again: the
 * store-fence-load pair.  So the common path loads one
 * read-mostly word of the library's own (no GOT indirection, unlike the
 * public lot__enabled) and no separate full_fence flag. */
static inline struct lot_thread *lot_probe_enter_thread(struct lot_thread *t)
{
	if (__builtin_expect(atomic_load_explicit(&t->in_probe, memory_order_relaxed), 0)) {
		atomic_fetch_add_explicit(&t->nested_lost, 1, memory_order_relaxed);
		return NULL;
	}
	atomic_store_explicit(&t->in_probe, 1, memory_order_relaxed);
	atomic_signal_fence(memory_order_seq_cst);
	int on = atomic_load_explicit(&lot_rt.on, memory_order_seq_cst);
	if (__builtin_expect(on != LOT_ON, 0)) {
		if (on == LOT_ON_FENCED) {
			/* No membarrier: the store of in_probe must be ordered before
			 * the load of `on` by the thread itself.  A seq_cst exchange
			 * (a full barrier; also what TSan models, unlike a bare
			 * atomic_thread_fence, which GCC refuses under TSan). */
			atomic_exchange_explicit(&t->in_probe, 1, memory_order_seq_cst);
			on = atomic_load_explicit(&lot_rt.on, memory_order_seq_cst);
		}
		if (on == LOT_OFF) {
			atomic_store_explicit(&t->in_probe, 0, memory_order_release);
			return NULL;
		}
	}
	if (__builtin_expect(atomic_load_explicit(&t->steal, memory_order_seq_cst), 0))
		lot_thread_steal_seen(t);
	return t;
}

static inline struct lot_thread *lot_probe_enter(void)
{
	struct lot_thread *t = lot_self;
	if (__builtin_expect(!t, 0)) {
		t = lot_thread_create();
		if (!t)
			return NULL;
	}
	return lot_probe_enter_thread(t);
}

/* The fast entry of a probe whose common case needs no call: true when t
 * is set up, not in a probe, tracing is on without the fence mode and no
 * idle flush is pending; in_probe is then 1.  False otherwise, with
 * in_probe as it was: the caller then runs its full path (which enters with
 * lot_probe_enter, so it handles every one of those cases).  Keeping every
 * call out of the common path lets GCC skip saving registers there. */
static inline bool lot_probe_enter_fast(struct lot_thread *t)
{
	if (__builtin_expect(!t || atomic_load_explicit(&t->in_probe, memory_order_relaxed), 0))
		return false;
	atomic_store_explicit(&t->in_probe, 1, memory_order_relaxed);
	atomic_signal_fence(memory_order_seq_cst);
	if (__builtin_expect(atomic_load_explicit(&lot_rt.on, memory_order_seq_cst) == LOT_ON &&
				     !atomic_load_explicit(&t->steal, memory_order_seq_cst),
			     1))
		return true;
	atomic_store_explicit(&t->in_probe, 0, memory_order_release);
	return false;
}

static inline void lot_probe_exit(struct lot_thread *t)
{
	atomic_store_explicit(&t->in_probe, 0, memory_order_release);
}

/* Publish the bytes written so far (a release store to the thread's own chunk). */
static inline void lot_probe_publish(struct lot_thread *t)
{
	atomic_store_explicit(&t->cur->len, (uint32_t)lot_writer_used(&t->w), memory_order_release);
}

/*
 * Record one event: ENCODE is an expression that interns what it needs and
 * writes the event, false if it did not fit.  Then it is retried once in a
 * fresh chunk (whose caches are empty, so definitions are written again).
 */
#define LOT_RECORD(t, now, ENCODE)                                   \
	do {                                                         \
		bool ok_ = (ENCODE);                                 \
		if (__builtin_expect(!ok_, 0) && lot_thread_switch((t), (now))) \
			ok_ = (ENCODE);                              \
		if (__builtin_expect(ok_, 1))                        \
			lot_probe_publish(t);                        \
		else                                                 \
			(t)->lost++;                                 \
	} while (0)

#endif
