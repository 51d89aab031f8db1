#include "tracer/session.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "tracer/control_stats.h"
#include "tracer/flight.h"
#include "tracer/flusher.h"
#include "tracer/header.h"
#include "tracer/lotrace.h"
#include "tracer/output_path.h"
#include "tracer/sampler.h"
#include "tracer/snapshot.h"
#include "tracer/thread.h"

static pthread_mutex_t ctl = PTHREAD_MUTEX_INITIALIZER;
static struct lot_session *session; /* the running one, under ctl */
static uint64_t last_gen;
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;
static struct lot_session *forked_away; /* the parent's, in a child: kept reachable */

/* The key root spans' trace ids derive from (trace-format/trace_id.h): new
 * per session, so no two sessions make the same trace ids.  Set while no
 * probe runs (before tracing is on) and read by them after. */
static int new_trace_key(void)
{
	if (getrandom(lot_rt.trace_key, sizeof lot_rt.trace_key, 0) != (ssize_t)sizeof lot_rt.trace_key)
		return errno ? -errno : -EIO;
	return 0;
}

static void session_free(struct lot_session *s)
{
	if (!s)
		return;
	lot_io_close(s->io);
	if (s->fd >= 0)
		close(s->fd);
	lot_compressor_free(s->comp);
	lot_pool_destroy(&s->pool);
	lot_flight_free(s->flight);
	for (size_t i = 0; i < s->n_done; i++)
		if (s->done[i].name && *s->done[i].name)
			free((char *)s->done[i].name);
	free(s->done);
	free(s->index);
	free(s->notes);
	free(s);
}

static bool exiting; /* under ctl: no session starts after the exit hook */

static void at_exit(void)
{
	pthread_mutex_lock(&ctl);
	exiting = true;
	bool on = session != NULL;
	pthread_mutex_unlock(&ctl);
	if (on)
		lot_stop();
}

static void fork_prepare(void)
{
	pthread_mutex_lock(&ctl);
}

static void fork_parent(void)
{
	pthread_mutex_unlock(&ctl);
}

/* The child is not tracing: forget the parent's session without touching
 * its file (the parent still writes it) and every thread state (those of
 * threads that do not exist here). */
static void fork_child(void)
{
	lot_set_enabled(false);
	if (session) {
		lot_io_abandon(session->io);
		session->io = NULL;
		close(session->fd);
		session->fd = -1;
		lot_pool_destroy(&session->pool);
		lot_compressor_free(session->comp);
		session->comp = NULL;
		lot_flight_free(session->flight);
		session->flight = NULL;
		/* the rest was the flusher's, which does not exist here: it may be
		 * half-updated, so it is kept (reachable) rather than freed */
		forked_away = session;
		session = NULL;
	}
	if (lot_rt.efd >= 0)
		close(lot_rt.efd);
	lot_rt.efd = -1;
	lot_rt.pool = NULL;
	lot_threads_forget_all();
	lot_flusher_forget_threads();
	lot_sampler_forget();
	lot_snapshot_forget();
	/* fork_prepare locked it in this very thread: unlock (initialising a
	 * locked mutex again is undefined, and TSan reports the next lock) */
	pthread_mutex_unlock(&ctl);
}

static void install_hooks(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
	atexit(at_exit);
}

void lot_session_install_hooks(void)
{
	pthread_once(&hooks_once, install_hooks);
}

static int write_header(struct lot_session *s)
{
	struct lot_buf b = {0};
	int err = lot_session_header(s, &b, &s->clock, s->by == LOT_BY_SIGNAL ? "window" : "stream",
				     NULL, 0);
	if (!err)
		err = lot_io_append(s->io, b.data, b.len);
	lot_buf_free(&b);
	return err;
}

/* The clock, calibrated, as the trace header records it (the format's own
 * numbers for the counters). */
static int calibrate(struct lot_clock_info *out)
{
	struct lot_clock_cal cal;
	int err = lot_clock_calibrate(&cal);
	if (err)
		return err;
	*out = (struct lot_clock_info){
		.freq_hz = cal.freq_hz,
		.start_ticks = cal.start_ticks,
		.start_mono_ns = cal.start_mono_ns,
		.start_real_ns = cal.start_real_ns,
		.source = cal.counter == LOT_COUNTER_MONOTONIC ? LOT_CLOCK_MONOTONIC
			  : cal.counter == LOT_COUNTER_CNTVCT  ? LOT_CLOCK_CNTVCT
							       : LOT_CLOCK_TSC,
	};
	return 0;
}

static int open_output(struct lot_session *s, const char *path)
{
	if (path) {
		if (strlen(path) >= sizeof s->path)
			return -ENAMETOOLONG;
		strcpy(s->path, path);
	} else {
		struct lot_path_fields f = {.pid = getpid(), .when = time(NULL),
					    .seq = s->window_seq, .service = s->cfg.service};
		int err = lot_output_expand(s->path, sizeof s->path, s->cfg.output, s->cfg.dir, &f);
		if (err)
			return err;
	}
	/* a template may have made a name that is taken: try a suffix; a plain
	 * path must not be anyone's file */
	bool retry = !path && (!s->cfg.output || lot_output_is_template(s->cfg.output));
	s->fd = lot_output_create(s->path, sizeof s->path, retry);
	if (s->fd < 0) {
		int err = s->fd;
		s->fd = -1;
		return err;
	}
	return 0;
}

static int start_locked(const struct lot_start_req *r)
{
	if (session)
		return -EBUSY;
	if (exiting)
		return -ESHUTDOWN;
	struct lot_session *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->fd = -1;
	s->by = r->by;
	s->window_seq = r->window_seq;
	s->window_ms = r->window_ms;
	int err = lot_config_from_env(&s->cfg);
	bool flight = r->flight || s->cfg.mode == LOT_MODE_FLIGHT;
	if (!err)
		err = calibrate(&s->clock);
	if (!err) {
		s->clock.time_shift = (uint8_t)lot_time_shift(s->clock.freq_hz);
		if (flight)
			err = lot_flight_new(&s->flight, &s->cfg, s->cfg.buffer_size, s->clock.freq_hz);
		else
			err = open_output(s, r->path);
	}
	if (!err) {
		if (!flight)
			s->io = lot_io_open(s->fd, s->cfg.io, lot_chunk_record_bound(s->cfg.chunk_size));
		s->comp = lot_compressor_new();
		if ((!flight && !s->io) || !s->comp)
			err = -ENOMEM;
	}
	if (!err)
		err = lot_pool_init(&s->pool, s->cfg.chunk_size, s->cfg.buffer_size);
	if (!err)
		err = new_trace_key();
	if (!err)
		s->cpu_signal = lot_sampler_prepare(&s->cfg);
	if (!err && !flight)
		err = write_header(s);
	int efd = -1;
	if (!err) {
		efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (efd < 0)
			err = -errno;
	}
	if (err) {
		if (s->fd >= 0)
			unlink(s->path);
		session_free(s);
		return err;
	}
	/* The probes' settings, published by the release stores of lot_set_enabled(). */
	s->gen = ++last_gen;
	lot_rt.pool = &s->pool;
	lot_rt.chunk_size = s->cfg.chunk_size;
	lot_rt.shift = s->clock.time_shift;
	lot_rt.stacks = s->cfg.stacks;
	lot_rt.stack_depth = s->cfg.stack_depth;
	lot_rt.gen = s->gen;
	lot_rt.freq_hz = s->clock.freq_hz;
	lot_rt.efd = efd;
	bool fence = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) != 0;
	atomic_store_explicit(&lot_rt.full_fence, fence, memory_order_relaxed);
	lot_set_enabled(true);
	err = pthread_create(&s->flusher, NULL, lot_flusher_main, s);
	if (err) {
		lot_set_enabled(false);
		/* no thread can have recorded a chunk worth keeping without a flusher
		 * to take it; but probes may be running: leave the pool mapped. */
		unlink(s->path);
		return -err;
	}
	session = s;
	if (flight)
		lot_snapshot_session(true);
	lot_count(LOT_COUNT_STARTS);
	return 0;
}

int lot_session_start(const struct lot_start_req *r, uint64_t *gen, char *path_out, size_t cap)
{
	pthread_once(&hooks_once, install_hooks);
	pthread_mutex_lock(&ctl);
	int err = start_locked(r);
	if (!err) {
		if (gen)
			*gen = session->gen;
		if (path_out)
			snprintf(path_out, cap, "%s", session->path);
	}
	pthread_mutex_unlock(&ctl);
	return err;
}

LOT_API int lot_start(const char *path)
{
	return lot_session_start(&(struct lot_start_req){.path = path}, NULL, NULL, 0);
}

LOT_API int lot_flight_start(void)
{
	return lot_session_start(&(struct lot_start_req){.flight = true}, NULL, NULL, 0);
}

bool lot_session_flight(void)
{
	pthread_mutex_lock(&ctl);
	bool f = session && session->flight;
	pthread_mutex_unlock(&ctl);
	return f;
}

int lot_session_stop(uint64_t gen, bool early)
{
	pthread_mutex_lock(&ctl);
	struct lot_session *s = session;
	if (!s || (gen && s->gen != gen)) {
		pthread_mutex_unlock(&ctl);
		return gen ? -ESRCH : -EINVAL;
	}
	atomic_store_explicit(&s->ended_early, early, memory_order_relaxed);
	atomic_store_explicit(&s->stop_req, 1, memory_order_release);
	lot_flusher_kick();
	pthread_join(s->flusher, NULL);
	int err = s->result;
	close(lot_rt.efd);
	lot_rt.efd = -1;
	lot_rt.pool = NULL;
	session = NULL;
	session_free(s);
	pthread_mutex_unlock(&ctl);
	return err;
}

LOT_API int lot_stop(void)
{
	return lot_session_stop(0, false);
}
