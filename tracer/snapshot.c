#include "tracer/snapshot.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "trace-format/payload.h"
#include "tracer/control_stats.h"
#include "tracer/flight.h"
#include "tracer/lotrace.h"
#include "tracer/output_path.h"
#include "tracer/sampler.h"
#include "tracer/header.h"
#include "tracer/session_state.h"
#include "tracer/state_file.h"
#include "tracer/thread.h"

enum { IDLE, PENDING, WRITING };

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static bool flight_on;         /* a flight session runs */
static int state;              /* IDLE, PENDING, WRITING */
static bool req_has_path;
static char req_path[4096];
static uint64_t seq;           /* snapshots requested so far (%n) */
static int last_result = -ENOENT;
static char last_path[4096];

void lot_snapshot_session(bool on)
{
	pthread_mutex_lock(&mu);
	flight_on = on;
	pthread_mutex_unlock(&mu);
}

void lot_snapshot_forget(void)
{
	pthread_mutex_init(&mu, NULL);
	pthread_cond_init(&done_cv, NULL);
	flight_on = false;
	state = IDLE;
}

LOT_API int lot_snapshot(const char *path)
{
	if (path && strlen(path) >= sizeof req_path)
		return -ENAMETOOLONG;
	pthread_mutex_lock(&mu);
	int r = 0;
	if (!flight_on) {
		r = -ENOTSUP;
	} else if (state != IDLE) {
		r = -EBUSY;
		lot_count(LOT_COUNT_SNAPSHOTS_REFUSED);
	} else {
		req_has_path = path != NULL;
		if (path)
			strcpy(req_path, path);
		state = PENDING;
	}
	pthread_mutex_unlock(&mu);
	if (!r)
		lot_flusher_kick();
	return r;
}

LOT_API int lot_snapshot_wait(char *path, unsigned long cap)
{
	pthread_mutex_lock(&mu);
	while (state != IDLE)
		pthread_cond_wait(&done_cv, &mu);
	int r = last_result;
	if (path && cap)
		snprintf(path, cap, "%s", last_path);
	pthread_mutex_unlock(&mu);
	return r;
}

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* What a snapshot accumulates while it writes chunks. */
struct snap {
	int fd;
	uint64_t off;
	struct lot_index_entry *index;
	size_t n_index, cap_index;
	struct lot_thread_total *tot;
	size_t n_tot, cap_tot;
	int err;
};

static struct lot_thread_total *total(struct snap *w, uint64_t tid)
{
	for (size_t i = w->n_tot; i-- > 0;) /* the latest threads come last */
		if (w->tot[i].tid == tid)
			return &w->tot[i];
	if (w->n_tot == w->cap_tot) {
		size_t nc = w->cap_tot ? 2 * w->cap_tot : 64;
		void *p = realloc(w->tot, nc * sizeof *w->tot);
		if (!p)
			return NULL;
		w->tot = p;
		w->cap_tot = nc;
	}
	w->tot[w->n_tot] = (struct lot_thread_total){.tid = tid, .name = ""};
	return &w->tot[w->n_tot++];
}

/* Account one chunk record written at w->off (len bytes, not yet added). */
static void account(struct snap *w, uint64_t tid, uint32_t seqno, uint64_t base, uint64_t end,
		    uint32_t events, uint64_t lost, size_t len)
{
	if (w->n_index == w->cap_index) {
		size_t nc = w->cap_index ? 2 * w->cap_index : 256;
		void *p = realloc(w->index, nc * sizeof *w->index);
		if (!p) {
			w->err = -ENOMEM;
			return;
		}
		w->index = p;
		w->cap_index = nc;
	}
	w->index[w->n_index++] = (struct lot_index_entry){
		.offset = w->off, .tid = tid, .seq = seqno, .base_ticks = base, .end_ticks = end};
	struct lot_thread_total *t = total(w, tid);
	if (!t) {
		w->err = -ENOMEM;
		return;
	}
	t->written += events;
	t->lost += lost;
	t->chunks++;
	w->off += len;
}

/* The retained records, in order; contiguous ones in one write. */
static void write_retained(struct snap *w, const struct lot_flight *f)
{
	size_t run_off = 0, run_len = 0;
	for (size_t i = 0; i < f->n && !w->err; i++) {
		const struct lot_flight_rec *r = lot_flight_at(f, i);
		if (run_len && run_off + run_len != r->off) {
			w->err = write_all(w->fd, f->ring + run_off, run_len);
			run_len = 0;
		}
		if (!run_len)
			run_off = r->off;
		run_len += r->len;
		account(w, r->tid, r->seq, r->base_ticks, r->end_ticks, r->events, r->lost, r->len);
	}
	if (run_len && !w->err)
		w->err = write_all(w->fd, f->ring + run_off, run_len);
}

/* The live chunk of t, if it has one of this session: it stays the
 * thread's, which goes on appending after `len`. */
static struct lot_chunk *live_chunk(const struct lot_session *s, struct lot_thread *t)
{
	if (atomic_load_explicit(&t->exited, memory_order_acquire) ||
	    atomic_load_explicit(&t->steal, memory_order_relaxed) == 2)
		return NULL; /* gone, or its chunk was taken by an idle flush */
	struct lot_chunk *c = atomic_load_explicit(&t->live, memory_order_acquire);
	if (!c || c < s->pool.chunks || c >= s->pool.chunks + s->pool.n)
		return NULL;
	return c;
}

/* Encode one chunk into the snapshot. */
static void write_record(struct snap *w, struct lot_session *s, const struct lot_chunk_info *info,
			 const uint8_t *raw)
{
	struct lot_flight *f = s->flight;
	size_t n = lot_chunk_record_encode(s->comp, info, raw, f->out, f->out_cap);
	if (!n)
		return;
	w->err = write_all(w->fd, f->out, n);
	account(w, info->tid, info->seq, info->base_ticks, info->end_ticks, info->events, info->lost,
		n);
}

/* A copy of t's live chunk c as it is now, in f->raw; false if there is
 * nothing to take or the thread handed c over while it was copied. */
static bool copy_live(struct lot_session *s, struct lot_thread *t, struct lot_chunk *c,
		      struct lot_chunk_info *info, char *name)
{
	struct lot_flight *f = s->flight;
	uint32_t len = atomic_load_explicit(&c->len, memory_order_acquire);
	if (!len || len > f->raw_cap)
		return false;
	/* The header fields set before `live` was published; not those the
	 * thread fills when it seals the chunk (events, raw_len, end_ticks). */
	*info = (struct lot_chunk_info){
		.flags = c->info.flags, .tid = c->info.tid, .seq = c->info.seq,
		.base_ticks = c->info.base_ticks, .lost = c->info.lost,
		.span_base = c->info.span_base, .task = c->info.task, .thread_name = name};
	memcpy(name, c->name, LOT_THREAD_NAME_MAX);
	name[LOT_THREAD_NAME_MAX] = 0;
	memcpy(f->raw, c->data, len);
	if (atomic_load_explicit(&t->live, memory_order_acquire) != c)
		return false;
	info->raw_len = len;
	return lot_scan_payload(f->raw, f->raw + len, s->clock.time_shift, info->base_ticks,
				info->flags & LOT_CHUNK_NO_STACKS, &info->events, &info->end_ticks);
}

/* t's sealed chunks from *next up to what it has handed over by now. */
static void write_sealed(struct snap *w, struct lot_session *s, const struct lot_thread *t,
			 uint32_t *next)
{
	uint32_t head = atomic_load_explicit(&t->ring_head, memory_order_acquire);
	for (; *next != head && !w->err; ++*next) {
		const struct lot_chunk *c = t->ring[*next % LOT_RING];
		write_record(w, s, &c->info, c->data);
	}
}

/*
 * What each thread recorded after the retained history: the chunks it
 * sealed that the flusher (this thread) has not taken from its hand-off
 * ring yet, then its live chunk.  The sealed ones are complete and stay
 * put until the flusher drains them after the snapshot (which keeps them
 * for the next).  A thread that seals its live chunk while it is copied has
 * just put it in the ring: take it from there and look again.  So does one
 * caught between two chunks (`live` is NULL from the seal until the next
 * chunk is published; thread.c), unless it has ended or has no chunk.
 */
static void write_live(struct snap *w, struct lot_session *s, struct lot_thread *threads)
{
	for (struct lot_thread *t = threads; t && !w->err; t = t->next) {
		uint32_t next = atomic_load_explicit(&t->ring_tail, memory_order_relaxed);
		for (int attempt = 0; attempt < 4 && !w->err; attempt++) {
			write_sealed(w, s, t, &next);
			struct lot_chunk *c = live_chunk(s, t);
			if (c) {
				struct lot_chunk_info info;
				char name[LOT_THREAD_NAME_MAX + 1];
				if (copy_live(s, t, c, &info, name)) {
					write_record(w, s, &info, s->flight->raw);
					break;
				}
				if (atomic_load_explicit(&t->live, memory_order_acquire) == c)
					break; /* empty, or not ours to read */
				continue;
			}
			if (atomic_load_explicit(&t->exited, memory_order_acquire)) {
				write_sealed(w, s, t, &next); /* its last, handed over before */
				break;
			}
			if (atomic_load_explicit(&t->steal, memory_order_relaxed) == 2)
				break; /* the idle flush took it: retained already */
			sched_yield();
		}
	}
}

/* The oldest time the snapshot holds. */
static uint64_t oldest_ticks(const struct lot_session *s, struct lot_thread *threads)
{
	uint64_t t0 = lot_clock_now();
	for (size_t i = 0; i < s->flight->n; i++) {
		uint64_t b = lot_flight_at(s->flight, i)->base_ticks;
		t0 = b < t0 ? b : t0;
	}
	for (struct lot_thread *t = threads; t; t = t->next) {
		uint32_t tail = atomic_load_explicit(&t->ring_tail, memory_order_relaxed);
		if (tail != atomic_load_explicit(&t->ring_head, memory_order_acquire)) {
			uint64_t b = t->ring[tail % LOT_RING]->info.base_ticks;
			t0 = b < t0 ? b : t0;
		}
		struct lot_chunk *c = live_chunk(s, t);
		if (c && atomic_load_explicit(&c->len, memory_order_acquire))
			t0 = c->info.base_ticks < t0 ? c->info.base_ticks : t0;
	}
	return t0;
}

static int write_trailer(struct snap *w, const struct lot_session *s,
			 const struct lot_thread *threads, uint64_t t0, uint64_t n_seq)
{
	const struct lot_flight *f = s->flight;
	/* events of dropped chunks that overlap the span: lost, not absent */
	size_t nd = f->n_drops < LOT_FLIGHT_DROPS ? f->n_drops : LOT_FLIGHT_DROPS;
	for (size_t i = 0; i < nd; i++) {
		const struct lot_flight_drop *d = &f->drops[i];
		struct lot_thread_total *t = d->end_ticks > t0 ? total(w, d->tid) : NULL;
		if (t)
			t->lost += d->events;
	}
	struct lot_stat stats[LOT_COUNT_N + 16];
	size_t m = 0;
	lot_counts_stats(stats);
	m = LOT_COUNT_N;
	stats[m++] = (struct lot_stat){"pool_chunks", s->pool.n};
	stats[m++] = (struct lot_stat){"chunk_size", s->pool.chunk_size};
	stats[m++] = (struct lot_stat){"snapshot_seq", n_seq};
	stats[m++] = (struct lot_stat){"flight_limit_bytes", f->limit};
	stats[m++] = (struct lot_stat){"flight_reserved_bytes", f->reserved};
	stats[m++] = (struct lot_stat){"flight_retained_bytes", f->retained};
	stats[m++] = (struct lot_stat){"flight_retained_peak_bytes", f->retained_peak};
	stats[m++] = (struct lot_stat){"flight_retained_chunks", f->n};
	stats[m++] = (struct lot_stat){"flight_dropped_chunks_size", f->dropped_size};
	stats[m++] = (struct lot_stat){"flight_dropped_chunks_age", f->dropped_age};
	stats[m++] = (struct lot_stat){"flight_age_ms", s->cfg.flight_age_ms};
	m += lot_sampler_stats(s->cpu_signal, s->cpu_samples, s->cpu_samples_dropped, threads,
			       stats + m); /* since the session started */
	struct lot_trailer_info tr = {.threads = w->tot, .n_threads = w->n_tot, .index = w->index,
				      .n_index = w->n_index, .stats = stats, .n_stats = m};
	lot_clock_sample(&tr.end_ticks, &tr.end_mono_ns, &tr.end_real_ns);
	struct lot_buf b = {0};
	int err = lot_trailer_encode(&b, w->off, &tr) ? write_all(w->fd, b.data, b.len) : -ENOMEM;
	lot_buf_free(&b);
	return err;
}

/* The session's clock, moved to start at t0 (same rate, same origin). */
static struct lot_clock_info clock_from(const struct lot_clock_info *c, uint64_t t0)
{
	struct lot_clock_info k = *c;
	if (t0 > c->start_ticks && c->freq_hz) {
		uint64_t ns = (uint64_t)((unsigned __int128)(t0 - c->start_ticks) * 1000000000u /
					 c->freq_hz);
		k.start_ticks = t0;
		k.start_mono_ns += ns;
		k.start_real_ns += ns;
	}
	return k;
}

static int write_snapshot(struct lot_session *s, struct lot_thread *threads, uint64_t n_seq,
			  char *path, size_t cap, bool have_path)
{
	if (!have_path) {
		struct lot_path_fields pf = {.pid = getpid(), .when = time(NULL), .seq = n_seq,
					     .service = s->cfg.service};
		int err = lot_output_expand(path, cap, s->cfg.output, s->cfg.dir, &pf);
		if (err)
			return err;
	}
	bool retry = !have_path && (!s->cfg.output || lot_output_is_template(s->cfg.output));
	struct snap w = {.fd = lot_output_create(path, cap, retry)};
	if (w.fd < 0)
		return w.fd;
	uint64_t t0 = oldest_ticks(s, threads);
	struct lot_clock_info clock = clock_from(&s->clock, t0);
	char seqs[24];
	snprintf(seqs, sizeof seqs, "%llu", (unsigned long long)n_seq);
	struct lot_kv extra[] = {{"snapshot_seq", seqs}};
	struct lot_buf b = {0};
	w.err = lot_session_header(s, &b, &clock, "snapshot", extra, 1);
	if (!w.err)
		w.err = write_all(w.fd, b.data, b.len);
	w.off = b.len;
	lot_buf_free(&b);
	if (!w.err)
		write_retained(&w, s->flight);
	if (!w.err)
		write_live(&w, s, threads);
	if (!w.err) {
		lot_count(LOT_COUNT_SNAPSHOTS); /* this one is in its own trailer */
		w.err = write_trailer(&w, s, threads, t0, n_seq);
	}
	if (close(w.fd) && !w.err)
		w.err = -errno;
	free(w.index);
	free(w.tot);
	if (w.err)
		unlink(path);
	return w.err;
}

void lot_snapshot_serve(struct lot_session *s, struct lot_thread *threads)
{
	char path[sizeof req_path];
	path[0] = 0;
	pthread_mutex_lock(&mu);
	if (state != PENDING) {
		pthread_mutex_unlock(&mu);
		return;
	}
	state = WRITING;
	bool have_path = req_has_path;
	if (have_path)
		strcpy(path, req_path);
	uint64_t n_seq = ++seq;
	pthread_mutex_unlock(&mu);

	int err = write_snapshot(s, threads, n_seq, path, sizeof path, have_path);
	if (err) {
		char why[sizeof path + 64];
		snprintf(why, sizeof why, "snapshot %s: %s", path, strerror(-err));
		fprintf(stderr, "lotrace: %s\n", why);
		lot_state_file_failed(why);
	} else {
		lot_state_file_done(path);
	}

	pthread_mutex_lock(&mu);
	state = IDLE;
	last_result = err;
	snprintf(last_path, sizeof last_path, "%s", err ? "" : path);
	pthread_cond_broadcast(&done_cv);
	pthread_mutex_unlock(&mu);
}
