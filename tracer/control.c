#include "tracer/control.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/clock.h"
#include "tracer/control_stats.h"
#include "tracer/env.h"
#include "tracer/lotrace.h"
#include "tracer/sampler.h"
#include "tracer/session.h"
#include "tracer/state_file.h"
#include "tracer/thread.h"

#define SNAPSHOT_VALUE (-1) /* sigqueue value: a snapshot, explicitly */

static _Atomic int efd = -1;
static _Atomic int sig_value; /* the last sigqueue value, 0 for a plain kill */
static _Atomic bool sig_queued; /* the last signal came with a value (lotrace trigger) */
static int signo;
static uint64_t window_ms = LOT_DEFAULT_WINDOW_MS;

/* Control thread state. */
struct window {
	uint64_t gen;         /* the session it stops, 0: none */
	uint64_t deadline_ns; /* CLOCK_MONOTONIC */
	char path[PATH_MAX];
};
static struct window win, env_run;
static uint64_t win_seq;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	int saved = errno;
	atomic_store_explicit(&sig_value, si && si->si_code == SI_QUEUE ? si->si_value.sival_int : 0,
			      memory_order_relaxed);
	atomic_store_explicit(&sig_queued, si && si->si_code == SI_QUEUE, memory_order_relaxed);
	lot_count(LOT_COUNT_SIGNALS);
	uint64_t one = 1;
	int fd = atomic_load_explicit(&efd, memory_order_relaxed);
	if (fd >= 0 && write(fd, &one, sizeof one) < 0) {
		/* saturated: the thread is awake anyway */
	}
	errno = saved;
}

static void refuse(const char *why)
{
	fprintf(stderr, "lotrace: signal %d: %s\n", signo, why);
	lot_count(LOT_COUNT_SIGNALS_REFUSED);
	lot_state_file_failed(why);
}

static void stop(struct window *w, bool early)
{
	if (early) /* counted first: the file's own trailer tells it */
		lot_count(LOT_COUNT_WINDOWS_EARLY);
	int err = lot_session_stop(w->gen, early);
	w->gen = 0;
	if (err && err != -ESRCH) { /* -ESRCH: the program stopped it: the file is complete */
		lot_state_file_window(NULL);
		char why[PATH_MAX + 64];
		snprintf(why, sizeof why, "%s: %s", w->path, strerror(-err));
		refuse(why);
		return;
	}
	lot_state_file_done(w->path);
}

/* queued: sent by sigqueue (lotrace trigger), which asks for a window of
 * its own: refused while one is open, as lotrace(1) says.  A plain kill
 * then ends the window early. */
static void act(int value, bool queued)
{
	if (lot_session_flight()) {
		if (lot_snapshot(NULL) == -EBUSY)
			refuse("a snapshot is being written: this one is refused");
		return;
	}
	if (value == SNAPSHOT_VALUE) {
		refuse("a snapshot needs the flight recorder (LOTRACE_MODE=flight)");
		return;
	}
	if (win.gen) {
		if (queued)
			refuse("a window is open: this one is refused (a plain kill of the signal "
			       "ends it early)");
		else
			stop(&win, true);
		return;
	}
	uint64_t ms = value > 0 ? (uint64_t)value : window_ms;
	struct lot_start_req r = {.by = LOT_BY_SIGNAL, .window_seq = ++win_seq, .window_ms = ms};
	int err = lot_session_start(&r, &win.gen, win.path, sizeof win.path);
	if (err) {
		win.gen = 0;
		char why[128];
		snprintf(why, sizeof why, "cannot start a window: %s",
			 err == -EBUSY ? "tracing is already on" : strerror(-err));
		refuse(why);
		return;
	}
	lot_count(LOT_COUNT_WINDOWS);
	lot_state_file_window(win.path);
	win.deadline_ns = lot_clock_monotonic_ns() + ms * 1000000u;
}

static int timeout_ms(uint64_t now)
{
	uint64_t next = UINT64_MAX;
	if (win.gen)
		next = win.deadline_ns;
	if (env_run.gen && env_run.deadline_ns < next)
		next = env_run.deadline_ns;
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)((next - now + 999999) / 1000000);
}

static void *control_main(void *arg)
{
	(void)arg;
	lot_sampler_exempt(gettid()); /* never sampled */
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_setname_np(pthread_self(), "lotrace-control");
	lot_thread_mark_tracer();
	for (;;) {
		int fd = atomic_load_explicit(&efd, memory_order_relaxed);
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		uint64_t v;
		if (poll(&pfd, 1, timeout_ms(lot_clock_monotonic_ns())) > 0 &&
		    read(fd, &v, sizeof v) == sizeof v)
			act(atomic_exchange_explicit(&sig_value, 0, memory_order_relaxed),
			    atomic_exchange_explicit(&sig_queued, false, memory_order_relaxed));
		uint64_t now = lot_clock_monotonic_ns();
		if (win.gen && now >= win.deadline_ns)
			stop(&win, false);
		if (env_run.gen && now >= env_run.deadline_ns)
			stop(&env_run, false);
	}
	return NULL;
}

static void fork_child(void)
{
	/* the parent's thread and state file are not the child's */
	int fd = atomic_exchange_explicit(&efd, -1, memory_order_relaxed);
	if (fd >= 0)
		close(fd);
	lot_state_file_forget();
}

/* Take the signal unless the program (or whoever ran it) already did. */
static bool install(int sig)
{
	struct sigaction old;
	if (sigaction(sig, NULL, &old))
		return false;
	bool taken = (old.sa_flags & SA_SIGINFO) ? old.sa_sigaction != NULL
						 : old.sa_handler != SIG_DFL;
	if (taken) {
		fprintf(stderr, "lotrace: LOTRACE_SIGNAL: signal %d is already %s; lotrace leaves "
			"it alone (no signal control)\n", sig,
			!(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_IGN ? "ignored" : "handled");
		return false;
	}
	struct sigaction sa = {.sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_RESTART};
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL) == 0;
}

void lot_control_init(uint64_t env_gen, const char *env_path)
{
	int sig = 0;
	if (lot_env_signal(&sig))
		fprintf(stderr, "lotrace: no signal control\n");
	const char *w = getenv("LOTRACE_WINDOW");
	if (w && lot_parse_duration(w, &window_ms)) {
		fprintf(stderr, "lotrace: LOTRACE_WINDOW=\"%s\" rejected: expected a duration such "
			"as 500ms, 5s or 2m; windows last %us\n", w, LOT_DEFAULT_WINDOW_MS / 1000);
		window_ms = LOT_DEFAULT_WINDOW_MS;
	}
	const char *d = getenv("LOTRACE_DURATION");
	uint64_t duration = 0;
	if (d && lot_parse_duration(d, &duration))
		duration = 0; /* reported by the start already */
	if (env_gen && duration && *env_path) {
		env_run.gen = env_gen;
		env_run.deadline_ns = lot_clock_monotonic_ns() + duration * 1000000u;
		snprintf(env_run.path, sizeof env_run.path, "%s", env_path);
	}
	if (!sig && !env_run.gen)
		return;
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fd < 0)
		return;
	atomic_store_explicit(&efd, fd, memory_order_relaxed);
	pthread_atfork(NULL, NULL, fork_child);
	if (sig && !install(sig))
		sig = 0;
	signo = sig;
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, control_main, NULL)) {
		fprintf(stderr, "lotrace: cannot start the control thread: no signal control\n");
		if (sig)
			signal(sig, SIG_DFL);
		pthread_attr_destroy(&attr);
		return;
	}
	pthread_attr_destroy(&attr);
	if (sig) {
		const char *mode = getenv("LOTRACE_MODE");
		lot_state_file_init(sig, mode && !strcmp(mode, "flight"));
		atexit(lot_state_file_remove);
	}
}
