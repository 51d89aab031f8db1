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
#include "tracer/flusher.h"
#include "tracer/lotrace.h"
#include "tracer/modules.h"
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
	for (size_t i = 0; i < s->n_done; i++)
		if (s->done[i].name && *s->done[i].name)
			free((char *)s->done[i].name);
	free(s->done);
	free(s->index);
	free(s);
}

static void at_exit(void)
{
	pthread_mutex_lock(&ctl);
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

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	while (b) {
		n += fread(b + n, 1, cap - n - 1, f);
		if (n < cap - 1)
			break;
		char *nb = realloc(b, cap * 2);
		if (!nb) {
			free(b);
			b = NULL;
			break;
		}
		b = nb;
		cap *= 2;
	}
	fclose(f);
	if (b) {
		b[n] = 0;
		*len = n;
	}
	return b;
}

static int write_header(struct lot_session *s)
{
	char pid[24], exe[4096] = "", host[256] = "", chunk[24], depth[8];
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = 0;
	gethostname(host, sizeof host - 1);
	snprintf(chunk, sizeof chunk, "%zu", s->cfg.chunk_size);
	snprintf(depth, sizeof depth, "%u", s->cfg.stacks ? s->cfg.stack_depth : 0);
	size_t cl = 0;
	char *cmdline = read_file("/proc/self/cmdline", &cl);
	if (cmdline) /* NUL-separated arguments, joined by spaces */
		for (size_t i = 0; i + 1 < cl; i++)
			if (!cmdline[i])
				cmdline[i] = ' ';
	struct lot_kv meta[16];
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
	meta[m++] = (struct lot_kv){"io", lot_io_name(s->io)};
	meta[m++] = (struct lot_kv){"chunk_size", chunk};
	meta[m++] = (struct lot_kv){"stack_depth", depth};

	struct lot_module *mods = NULL;
	size_t n_mods = 0;
	lot_modules_snapshot(&mods, &n_mods); /* none on failure: stacks stay unsymbolized */
	struct lot_buf b = {0};
	uint8_t key[16];
	lot_put_le64(key, lot_rt.trace_key[0]);
	lot_put_le64(key + 8, lot_rt.trace_key[1]);
	int err = lot_header_encode(&b, &s->clock, meta, m, mods, n_mods, key) ? 0 : -ENOMEM;
	if (!err)
		err = lot_io_append(s->io, b.data, b.len);
	lot_buf_free(&b);
	lot_modules_free(mods, n_mods);
	free(cmdline);
	return err;
}

static int open_output(struct lot_session *s, const char *path)
{
	if (!path)
		path = s->cfg.output;
	if (path) {
		if (strlen(path) >= sizeof s->path)
			return -ENAMETOOLONG;
		strcpy(s->path, path);
	} else {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		char when[32];
		strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm);
		snprintf(s->path, sizeof s->path, "lotrace-%d-%s.lot", (int)getpid(), when);
	}
	/* Never follow a planted symlink nor reuse someone's file: traces hold
	 * stacks and arguments, so they are the owner's only. */
	s->fd = open(s->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	return s->fd < 0 ? -errno : 0;
}

static int start_locked(const char *path)
{
	if (session)
		return -EBUSY;
	struct lot_session *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->fd = -1;
	int err = lot_config_from_env(&s->cfg);
	if (!err)
		err = lot_clock_calibrate(&s->clock);
	if (!err) {
		s->clock.time_shift = (uint8_t)lot_time_shift(s->clock.freq_hz);
		err = open_output(s, path);
	}
	if (!err) {
		s->io = lot_io_open(s->fd, s->cfg.io, lot_chunk_record_bound(s->cfg.chunk_size));
		s->comp = lot_compressor_new();
		if (!s->io || !s->comp)
			err = -ENOMEM;
	}
	if (!err)
		err = lot_pool_init(&s->pool, s->cfg.chunk_size, s->cfg.buffer_size);
	if (!err)
		err = new_trace_key();
	if (!err)
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
	return 0;
}

LOT_API int lot_start(const char *path)
{
	pthread_once(&hooks_once, install_hooks);
	pthread_mutex_lock(&ctl);
	int err = start_locked(path);
	pthread_mutex_unlock(&ctl);
	return err;
}

LOT_API int lot_stop(void)
{
	pthread_mutex_lock(&ctl);
	struct lot_session *s = session;
	if (!s) {
		pthread_mutex_unlock(&ctl);
		return -EINVAL;
	}
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

/* LOTRACE_START=1: trace from the moment the library is loaded. */
__attribute__((constructor)) static void lot_autostart(void)
{
	pthread_once(&hooks_once, install_hooks);
	int v = lot_env_start();
	if (v == 1) {
		int err = lot_start(NULL);
		if (err)
			fprintf(stderr, "lotrace: LOTRACE_START=1: cannot start tracing: %s\n",
				strerror(-err));
	}
}
