#include "tracer/flusher.h"

#include <errno.h>
#include <linux/membarrier.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "trace-format/payload.h"
#include "tracer/control_stats.h"
#include "tracer/flight.h"
#include "tracer/sampler.h"
#include "tracer/session_state.h"
#include "tracer/snapshot.h"
#include "tracer/thread.h"

#define POLL_MS 10
#define SYNC_NS 1000000000ull  /* clock_sync period */

/* Every thread state the flusher knows (across sessions).  Owned by the
 * flusher while it runs, by lot_start/lot_stop (under their mutex) otherwise. */
static struct lot_thread *all_threads;
static struct lot_thread *orphans; /* after fork: kept reachable, never freed */

void lot_flusher_forget_threads(void)
{
	orphans = all_threads;
	all_threads = NULL;
}

static uint64_t mono_ns(void)
{
	return lot_clock_monotonic_ns();
}

static void clock_sync(void)
{
	struct lot_thread *t = lot_probe_enter();
	if (!t)
		return;
	uint64_t ticks, mono, real;
	lot_clock_sample(&ticks, &mono, &real);
	LOT_RECORD(t, ticks, lot_write_clock_sync(&t->w, ticks, ticks, mono, real));
	lot_probe_exit(t);
}

static bool grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return true;
	size_t nc = *cap ? *cap * 2 : 256;
	void *p = realloc(*arr, nc * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = nc;
	return true;
}

/* Encode and append one chunk to the file and its index.  false if it
 * could not be. */
static bool append_chunk(struct lot_session *s, const struct lot_chunk *c)
{
	size_t bound = lot_chunk_record_bound(c->info.raw_len);
	uint64_t off = 0;
	uint8_t *dst = lot_io_reserve(s->io, bound, &off);
	size_t n = dst ? lot_chunk_record_encode(s->comp, &c->info, c->data, dst, bound) : 0;
	if (!n || !grow((void **)&s->index, &s->cap_index, s->n_index, sizeof *s->index) ||
	    !grow((void **)&s->notes, &s->cap_notes, s->n_index, sizeof *s->notes))
		return false;
	lot_io_commit(s->io, n);
	s->notes[s->n_index] = (struct lot_chunk_note){.end = off + n, .events = c->info.events};
	s->index[s->n_index++] = (struct lot_index_entry){
		.offset = off, .tid = c->info.tid, .seq = c->info.seq,
		.base_ticks = c->info.base_ticks, .end_ticks = c->info.end_ticks};
	return true;
}

/* Write one chunk (flight mode: keep it in memory instead, tracer/flight.h),
 * account it, give it back to the pool. */
static void write_chunk(struct lot_session *s, struct lot_thread *t, struct lot_chunk *c)
{
	bool ok = s->flight ? lot_flight_keep(s->flight, s->comp, &c->info, c->data)
			    : append_chunk(s, c);
	if (ok) {
		t->f_written += c->info.events;
		t->f_lost += c->info.lost;
		t->f_chunks++;
	} else {
		t->f_lost += c->info.events + c->info.lost;
		s->chunks_dropped++;
	}
	lot_pool_put(&s->pool, c);
}

static void drain(struct lot_session *s, struct lot_thread *t, uint64_t now)
{
	uint32_t tail = atomic_load_explicit(&t->ring_tail, memory_order_relaxed);
	uint32_t head = atomic_load_explicit(&t->ring_head, memory_order_acquire);
	if (tail == head)
		return;
	while (tail != head) {
		write_chunk(s, t, t->ring[tail % LOT_RING]);
		tail++;
		atomic_store_explicit(&t->ring_tail, tail, memory_order_release);
	}
	t->f_last_chunk_ns = now;
}

/* Totals of a thread that took part in this session (it is quiescent or gone). */
static void add_total(struct lot_session *s, struct lot_thread *t)
{
	t->f_lost += t->lost + atomic_exchange_explicit(&t->nested_lost, 0, memory_order_relaxed);
	t->lost = 0;
	s->cpu_samples += atomic_exchange_explicit(&t->samples, 0, memory_order_relaxed);
	s->cpu_samples_dropped += atomic_exchange_explicit(&t->samples_dropped, 0, memory_order_relaxed);
	if (!grow((void **)&s->done, &s->cap_done, s->n_done, sizeof *s->done))
		return;
	char *name = strdup(t->name);
	s->done[s->n_done++] = (struct lot_thread_total){
		.tid = t->tid, .name = name ? name : "", .written = t->f_written,
		.lost = t->f_lost, .chunks = t->f_chunks};
	t->f_written = t->f_lost = t->f_chunks = 0;
}

static void adopt_new(struct lot_session *s, uint64_t now)
{
	struct lot_thread *t = lot_threads_take_new();
	while (t) {
		struct lot_thread *n = t->pending_next;
		t->f_scan = lot_sampler_scans();
		t->next = all_threads;
		all_threads = t;
		t = n;
	}
	for (t = all_threads; t; t = t->next)
		if (t->f_gen != s->gen) {
			t->f_gen = s->gen;
			t->f_written = t->f_lost = t->f_chunks = 0;
			t->f_last_chunk_ns = now;
		}
}

/*
 * Idle flush (protocol in thread.h): take the live chunks of threads that
 * handed nothing for LOTRACE_IDLE_FLUSH, when they are not inside a probe.
 */
static void steal_idle(struct lot_session *s, uint64_t now)
{
	const uint64_t idle_ns = s->cfg.idle_flush_ms * 1000000u;
	struct lot_thread *cand[64];
	size_t n = 0;
	for (struct lot_thread *t = all_threads; t && n < 64; t = t->next) {
		if (now - t->f_last_chunk_ns < idle_ns ||
		    atomic_load_explicit(&t->exited, memory_order_acquire) ||
		    atomic_load_explicit(&t->steal, memory_order_relaxed))
			continue;
		struct lot_chunk *c = atomic_load_explicit(&t->live, memory_order_acquire);
		if (!c || !atomic_load_explicit(&c->len, memory_order_acquire))
			continue;
		atomic_store_explicit(&t->steal, 1, memory_order_seq_cst);
		cand[n++] = t;
	}
	if (!n)
		return;
	if (!atomic_load_explicit(&lot_rt.full_fence, memory_order_relaxed))
		syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
	for (size_t i = 0; i < n; i++) {
		struct lot_thread *t = cand[i];
		t->f_last_chunk_ns = now;
		int want = 1;
		if (atomic_load_explicit(&t->in_probe, memory_order_seq_cst)) {
			/* busy: withdraw (unless the thread already did) and retry later */
			atomic_compare_exchange_strong_explicit(&t->steal, &want, 0, memory_order_seq_cst,
								memory_order_relaxed);
			continue;
		}
		/* Not in a probe, and any probe from now on sees steal != 0 first:
		 * `live` is stable until the thread answers. */
		struct lot_chunk *c = atomic_load_explicit(&t->live, memory_order_acquire);
		if (!c || !atomic_compare_exchange_strong_explicit(&t->steal, &want, 2,
								    memory_order_seq_cst,
								    memory_order_relaxed))
			continue;
		uint32_t len = atomic_load_explicit(&c->len, memory_order_acquire);
		c->info.raw_len = len;
		if (!lot_scan_payload(c->data, c->data + len, s->clock.time_shift, c->info.base_ticks,
				      c->info.flags & LOT_CHUNK_NO_STACKS, &c->info.events,
				      &c->info.end_ticks)) {
			t->f_lost += c->info.lost; /* events unknown: cannot happen */
			s->chunks_dropped++;
			lot_pool_put(&s->pool, c);
			continue;
		}
		write_chunk(s, t, c);
	}
}

/* A thread's counts that belong to no session of its own (it recorded
 * nothing in session s): forgotten, they are no one's. */
static void forget_counts(struct lot_thread *t)
{
	atomic_store_explicit(&t->nested_lost, 0, memory_order_relaxed);
	atomic_store_explicit(&t->samples, 0, memory_order_relaxed);
	atomic_store_explicit(&t->samples_dropped, 0, memory_order_relaxed);
}

/* The live chunk of a thread that is quiescent or gone: written, and its
 * totals added. */
static void take_live(struct lot_session *s, struct lot_thread *t)
{
	if (atomic_load_explicit(&t->steal, memory_order_relaxed) == 2) {
		/* its live chunk was taken by an idle flush it has not seen yet */
		lot_thread_detach(t);
		atomic_store_explicit(&t->steal, 0, memory_order_relaxed);
	}
	if (t->gen == s->gen) {
		struct lot_chunk *c = lot_thread_seal(t);
		if (c)
			write_chunk(s, t, c);
		add_total(s, t);
	} else {
		forget_counts(t);
	}
	t->cur = NULL;
}

/* A thread that was only ever sampled has no exit hook: it is done when a
 * scan of /proc/self/task made after the flusher learnt of it (when the
 * thread was alive) misses it; then it runs no handler any more. */
static bool foreign_gone(const struct lot_thread *t)
{
	return atomic_load_explicit(&t->foreign, memory_order_acquire) &&
	       lot_sampler_scans() > t->f_scan && !lot_sampler_tid_alive(t->tid);
}

/* One pass over every thread while recording runs. */
static void cycle(struct lot_session *s, bool idle_check)
{
	uint64_t now = mono_ns();
	adopt_new(s, now);
	for (struct lot_thread **pp = &all_threads, *t; (t = *pp);) {
		bool exited = atomic_load_explicit(&t->exited, memory_order_acquire);
		drain(s, t, now);
		if (!exited && foreign_gone(t)) {
			take_live(s, t);
			*pp = t->next;
			free(t);
			continue;
		}
		if (exited) {
			/* Its last chunk is drained; nothing touches the state any more. */
			if (t->gen == s->gen)
				add_total(s, t);
			*pp = t->next;
			free(t);
			continue;
		}
		pp = &t->next;
	}
	if (idle_check)
		steal_idle(s, now);
	if (s->flight) {
		lot_flight_expire(s->flight, lot_clock_now());
		lot_snapshot_serve(s, all_threads);
	}
}

static void quiesce(void)
{
	/* lot__enabled and lot_rt.on are 0 (seq_cst stores).  With membarrier,
	 * every thread's earlier in_probe store is now visible; without, threads
	 * follow their in_probe store with a full fence (thread.h) and the loads
	 * below are seq_cst too. */
	if (!atomic_load_explicit(&lot_rt.full_fence, memory_order_relaxed))
		syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
	for (struct lot_thread *t = all_threads; t; t = t->next)
		while (atomic_load_explicit(&t->in_probe, memory_order_seq_cst))
			sched_yield();
}

/* The chunk of index entry i is not in the file: its events join the lost. */
static void unindex_last(struct lot_session *s)
{
	size_t i = --s->n_index;
	for (size_t k = 0; k < s->n_done; k++)
		if (s->done[k].tid == s->index[i].tid) {
			s->done[k].written -= s->notes[i].events;
			s->done[k].lost += s->notes[i].events;
			s->done[k].chunks--;
			break;
		}
}

/*
 * A write error ended the file (disk full, file-size limit): so that the
 * file still says what happened -- the error, and every thread's losses --
 * cut it after its last whole chunk and write the trailer there, with the
 * stat write_error (the errno).  The failed write's bytes give the room; if
 * there is none, the last chunks make room (their events counted lost).
 * Without a trailer a reader could only guess ("process crashed?").
 */
static void salvage(struct lot_session *s, struct lot_trailer_info *tr)
{
	uint64_t good = lot_io_good_end(s->io);
	while (s->n_index && s->notes[s->n_index - 1].end > good)
		unindex_last(s);
	for (int tries = 0; tries < 64 && s->n_index; tries++) {
		good = s->notes[s->n_index - 1].end;
		tr->n_index = s->n_index;
		struct lot_buf b = {0};
		bool ok = lot_trailer_encode(&b, good, tr) &&
			  !lot_io_salvage(s->io, good, b.data, b.len);
		lot_buf_free(&b);
		if (ok)
			return;
		unindex_last(s);
	}
	/* no chunk made it, or no room at all: the file stays without a trailer */
}

static void finish(struct lot_session *s)
{
	lot_sampler_end(); /* no timer left; a queued signal is ignored */
	clock_sync(); /* the last one, while still recording */
	lot_set_enabled(false);
	adopt_new(s, mono_ns());
	quiesce();
	/* Every thread is now quiescent: read and reset its state. */
	uint64_t now = mono_ns();
	for (struct lot_thread **pp = &all_threads, *t; (t = *pp);) {
		bool exited = atomic_load_explicit(&t->exited, memory_order_acquire);
		drain(s, t, now);
		take_live(s, t);
		if (exited) {
			*pp = t->next;
			free(t);
			continue;
		}
		pp = &t->next;
	}

	lot_count(LOT_COUNT_STOPS);
	if (s->flight) {
		/* nothing is written at stop, but a snapshot asked before it is */
		lot_snapshot_serve(s, all_threads);
		lot_snapshot_session(false);
		lot_snapshot_serve(s, all_threads);
		s->result = 0;
		return;
	}
	struct lot_trailer_info tr = {.threads = s->done, .n_threads = s->n_done,
				      .index = s->index, .n_index = s->n_index};
	struct lot_stat stats[LOT_COUNT_N + 11];
	lot_counts_stats(stats);
	size_t m = LOT_COUNT_N;
	stats[m++] = (struct lot_stat){"pool_chunks", s->pool.n};
	stats[m++] = (struct lot_stat){"chunk_size", s->pool.chunk_size};
	stats[m++] = (struct lot_stat){"chunks_dropped", s->chunks_dropped};
	/* every thread's totals are in s by now */
	m += lot_sampler_stats(s->cpu_signal, s->cpu_samples, s->cpu_samples_dropped, NULL, stats + m);
	if (s->by == LOT_BY_SIGNAL) {
		stats[m++] = (struct lot_stat){"window_seq", s->window_seq};
		stats[m++] = (struct lot_stat){"window_ms", s->window_ms};
		stats[m++] = (struct lot_stat){
			"window_ended_early",
			atomic_load_explicit(&s->ended_early, memory_order_relaxed)};
	}
	tr.stats = stats;
	tr.n_stats = m;
	lot_clock_sample(&tr.end_ticks, &tr.end_mono_ns, &tr.end_real_ns);
	struct lot_buf b = {0};
	int err = 0;
	if (!lot_trailer_encode(&b, lot_io_offset(s->io), &tr))
		err = -ENOMEM;
	else
		err = lot_io_append(s->io, b.data, b.len);
	lot_buf_free(&b);
	int ioerr = lot_io_finish(s->io);
	s->result = ioerr ? ioerr : err;
	if (ioerr) {
		stats[m++] = (struct lot_stat){"write_error", (uint64_t)-ioerr};
		tr.n_stats = m;
		salvage(s, &tr);
	}
}

void *lot_flusher_main(void *arg)
{
	struct lot_session *s = arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	lot_thread_mark_tracer();
	lot_thread_name("lotrace-flusher");
	clock_sync();
	lot_sampler_begin(s->gen, s->cfg.cpu_hz, s->cpu_signal);
	uint64_t last_sync = mono_ns(), last_idle = last_sync;
	/* idle threads are looked for as often as the idle period, at most
	 * once a pass and at least once a second */
	const uint64_t idle_ns = s->cfg.idle_flush_ms * 1000000u;
	const uint64_t idle_check_ns = idle_ns < SYNC_NS ? idle_ns : SYNC_NS;
	for (;;) {
		struct pollfd pfd = {.fd = lot_rt.efd, .events = POLLIN};
		if (poll(&pfd, 1, POLL_MS) > 0 && (pfd.revents & POLLIN)) {
			uint64_t v;
			if (read(lot_rt.efd, &v, sizeof v) < 0) {
				/* EAGAIN: another wake-up took it */
			}
		}
		bool stop = atomic_load_explicit(&s->stop_req, memory_order_acquire);
		uint64_t now = mono_ns();
		if (now - last_sync >= SYNC_NS) {
			clock_sync();
			last_sync = now;
		}
		lot_sampler_rescan(now);
		bool idle_check = now - last_idle >= idle_check_ns;
		if (idle_check)
			last_idle = now;
		cycle(s, idle_check);
		if (s->io)
			lot_io_flush(s->io);
		if (stop)
			break;
	}
	finish(s);
	return NULL;
}
