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

#include "config.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/endian.h"
#include "tracer/control.h"
#include "tracer/control_stats.h"
#include "tracer/flight.h"
#include "tracer/flusher.h"
#include "tracer/lotrace.h"
#include "tracer/modules.h"
#include "tracer/output_path.h"
#include "tracer/sampler.h"
#include "tracer/snapshot.h"
#include "tracer/thread.h"

LOT_API _Alignas(64) int lot__enabled;

static pthread_mutex_t ctl = PTHREAD_MUTEX_INITIALIZER;
static struct lot_session *session; /* the running one, under ctl */
static uint64_t last_gen;
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;
static struct lot_session *forked_away; /* the parent's, in a child: kept reachable */

/*
 * The time shift: event deltas are stored in units of 2^shift ticks.  We take
 * the largest unit not above 32 ns (shift 6 for a 2-4 GHz TSC, 5 for the
 * 1 GHz clock_gettime fallback, 0 for a 25 MHz arm counter), as Go's tracer
 * does (64 TSC ticks): the gaps between a thread's events, from a few
 * hundred ns to a few us, then mostly fit a one-byte varint (< 128 units,
 * ~3 us) where an 8 ns unit needs two.  Events closer than a unit share a
 * time; their order on the thread is the stream's order.
 */
unsigned lot_time_shift(uint64_t freq_hz)
{
	unsigned shift = 0;
	/* 2^(shift+1) ticks still within 32 ns: 2^(shift+1) * 1e9 <= 32 * freq */
	while (shift < 16 && ((uint64_t)2 << shift) * 1000000000ull <= 32 * freq_hz)
		shift++;
	return shift;
}

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

/* ---- the header ---- */

static const char *const started_by_name[] = {"api", "env", "signal"};

int lot_session_header(const struct lot_session *s, struct lot_buf *b,
		       const struct lot_clock_info *clock, const char *mode,
		       const struct lot_kv *extra, size_t n_extra)
{
	char pid[24], exe[4096] = "", host[256] = "", chunk[24], depth[8], wseq[24], wms[24];
	char cpu_hz[16], cpu_period[24], cpu_sig[24];
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = 0;
	gethostname(host, sizeof host - 1);
	snprintf(chunk, sizeof chunk, "%zu", s->cfg.chunk_size);
	snprintf(depth, sizeof depth, "%u", s->cfg.stacks ? s->cfg.stack_depth : 0);
	struct lot_buf cl = {0};
	char *cmdline = lot_buf_read_file(&cl, "/proc/self/cmdline") ? NULL : (char *)cl.data;
	if (cmdline) /* NUL-separated arguments, joined by spaces */
		for (size_t i = 0; i + 1 < cl.len; i++)
			if (!cmdline[i])
				cmdline[i] = ' ';
	struct lot_kv meta[32];
	size_t m = 0;
	meta[m++] = (struct lot_kv){"pid", pid};
	meta[m++] = (struct lot_kv){"exe", exe};
	meta[m++] = (struct lot_kv){"cmdline", cmdline ? cmdline : ""};
	meta[m++] = (struct lot_kv){"host", host};
	if (s->cfg.service)
		meta[m++] = (struct lot_kv){"service", s->cfg.service};
	if (s->cfg.env)
		meta[m++] = (struct lot_kv){"env", s->cfg.env};
	if (s->cfg.version)
		meta[m++] = (struct lot_kv){"version", s->cfg.version};
	if (s->cfg.tags)
		meta[m++] = (struct lot_kv){"tags", s->cfg.tags};
	meta[m++] = (struct lot_kv){"lotrace_version", LOT_VERSION};
	meta[m++] = (struct lot_kv){"lotrace_commit", LOT_GIT_COMMIT};
	meta[m++] = (struct lot_kv){"io", s->io ? lot_io_name(s->io) : "none"};
	meta[m++] = (struct lot_kv){"chunk_size", chunk};
	meta[m++] = (struct lot_kv){"stack_depth", depth};
	snprintf(cpu_hz, sizeof cpu_hz, "%u", s->cpu_signal ? s->cfg.cpu_hz : 0);
	meta[m++] = (struct lot_kv){"cpu_hz", cpu_hz};
	if (s->cpu_signal) {
		snprintf(cpu_period, sizeof cpu_period, "%llu",
			 1000000000ull / s->cfg.cpu_hz);
		lot_sampler_signal_name(s->cpu_signal, cpu_sig, sizeof cpu_sig);
		meta[m++] = (struct lot_kv){"cpu_period_ns", cpu_period};
		meta[m++] = (struct lot_kv){"cpu_signal", cpu_sig};
	}
	meta[m++] = (struct lot_kv){"mode", mode};
	meta[m++] = (struct lot_kv){"started_by", started_by_name[s->by]};
	if (s->by == LOT_BY_SIGNAL) {
		snprintf(wseq, sizeof wseq, "%llu", (unsigned long long)s->window_seq);
		snprintf(wms, sizeof wms, "%llu", (unsigned long long)s->window_ms);
		meta[m++] = (struct lot_kv){"window_seq", wseq};
		meta[m++] = (struct lot_kv){"window_ms", wms};
	}
	for (size_t i = 0; i < n_extra && m < sizeof meta / sizeof meta[0]; i++)
		meta[m++] = extra[i];

	struct lot_module *mods = NULL;
	size_t n_mods = 0;
	lot_modules_snapshot(&mods, &n_mods); /* none on failure: stacks stay unsymbolized */
	uint8_t key[16];
	lot_put_le64(key, lot_rt.trace_key[0]);
	lot_put_le64(key + 8, lot_rt.trace_key[1]);
	int err = lot_header_encode(b, clock, meta, m, mods, n_mods, key) ? 0 : -ENOMEM;
	lot_modules_free(mods, n_mods);
	lot_buf_free(&cl);
	return err;
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

/* LOTRACE_START=1 or LOTRACE_MODE=flight: trace from the moment the library
 * is loaded; LOTRACE_SIGNAL, LOTRACE_DURATION: the control thread. */
__attribute__((constructor)) static void lot_autostart(void)
{
	pthread_once(&hooks_once, install_hooks);
	int v = lot_env_start();
	const char *mode = getenv("LOTRACE_MODE");
	bool flight = mode && !strcmp(mode, "flight");
	uint64_t gen = 0;
	char path[sizeof session->path] = "";
	if (v == 1 || flight) {
		int err = lot_session_start(&(struct lot_start_req){.by = LOT_BY_ENV}, &gen, path,
					    sizeof path);
		if (err)
			fprintf(stderr, "lotrace: %s: cannot start tracing: %s\n",
				flight ? "LOTRACE_MODE=flight" : "LOTRACE_START=1", strerror(-err));
	}
	lot_control_init(gen, path);
}
