/* CPU-time sampling: the handler, the signal, the per-thread timers.  How
 * and why: tracer/sampler.h and doc/RECORDER.md ("CPU samples"). */
#include "tracer/sampler.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/stackwalk.h"
#include "trace-format/trace.h"
#include "tracer/thread.h"

#define RESCAN_NS 200000000ull /* /proc/self/task looked at 5 times a second */
#define PF_IO_WORKER 0x10      /* io_uring's workers: kernel threads in the process */

/* The running session's number as the timers carry it in their signal's
 * value (never 0), or 0: no sampling; any signal is ignored. */
static _Atomic int armed;
static _Atomic uint64_t no_state, recorded;

/* ---- the handler ---- */

/* The handler's own code, in a section of its own: the linker's
 * __start_/__stop_lot_sampler_text bound it, so a test can check that no
 * recorded frame is the handler's. */
#define HANDLER_TEXT __attribute__((section("lot_sampler_text"), noinline))

/*
 * Whether the 16-byte frame record at fp can be read, for a thread whose
 * stack bounds are unknown (it never called a probe): each page is checked
 * once per walk with rt_sigprocmask, which copies its new set in before it
 * looks at `how` (EFAULT: not readable) and then refuses the invalid `how`
 * without changing the mask.  A system call per page, on such threads only.
 */
static __thread uintptr_t ok_lo, ok_hi __attribute__((tls_model("initial-exec")));

HANDLER_TEXT static bool page_readable(uintptr_t page)
{
	return syscall(SYS_rt_sigprocmask, ~0, (void *)page, NULL, (size_t)8) == 0 ||
	       errno != EFAULT;
}

HANDLER_TEXT static bool record_readable(uintptr_t fp)
{
	for (uintptr_t a = fp & ~(uintptr_t)4095; a <= ((fp + 15) & ~(uintptr_t)4095); a += 4096) {
		if (a >= ok_lo && a < ok_hi)
			continue;
		if (!page_readable(a))
			return false;
		if (a == ok_hi)
			ok_hi += 4096;
		else
			ok_lo = a, ok_hi = a + 4096;
	}
	return true;
}

/* The interrupted context's PC, frame pointer and stack pointer. */
static bool context_regs(const void *ucv, uintptr_t *pc, uintptr_t *fp, uintptr_t *sp)
{
	const ucontext_t *uc = ucv;
#if defined(__x86_64__)
	*pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	*fp = (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
	*sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
	return true;
#elif defined(__aarch64__)
	*pc = (uintptr_t)uc->uc_mcontext.pc;
	*fp = (uintptr_t)uc->uc_mcontext.regs[29];
	*sp = (uintptr_t)uc->uc_mcontext.sp;
	return true;
#else
	(void)uc, (void)pc, (void)fp, (void)sp;
	return false;
#endif
}

/* The interrupted code's stack: its PC first (the instruction itself, not a
 * return address), then the return addresses of the frame-pointer chain from
 * the interrupted frame pointer, never the handler's frames. */
HANDLER_TEXT static size_t interrupted_stack(const struct lot_thread *t, const void *ucv, uint64_t *pcs,
				uint64_t *hash)
{
	uintptr_t pc, fp, sp;
	*hash = 0;
	if (!lot_rt.stacks || !context_regs(ucv, &pc, &fp, &sp))
		return 0;
	pcs[0] = pc;
	uint64_t h = lot_hash_words_step(LOT_HASH_WORDS_SEED, pc);
	size_t max = lot_rt.stack_depth;
	if (atomic_load_explicit(&t->foreign, memory_order_relaxed)) {
		/* bounds unknown: from the stack pointer up, each page checked */
		struct lot_stack_bounds b = {sp, sp + ((uintptr_t)1 << 30)};
		ok_lo = ok_hi = 0;
		return lot_stack_walk_at(&b, fp, 0, pcs, 1, max, h, hash, record_readable);
	}
	return lot_stack_walk_at(&t->bounds, fp, 0, pcs, 1, max, h, hash, NULL);
}

HANDLER_TEXT static void sample(const void *ucv, uint64_t weight)
{
	struct lot_thread *t = lot_thread_for_sample(&no_state);
	if (!t)
		return;
	if (atomic_load_explicit(&t->in_probe, memory_order_relaxed)) {
		/* inside a probe (or a sample) of this thread: its event must not be
		 * touched.  Dropped and counted as a dropped sample, not as a lost
		 * event: nothing of the program's is missing from the trace. */
		atomic_fetch_add_explicit(&t->samples, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&t->samples_dropped, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&recorded, 1, memory_order_relaxed);
		return;
	}
	if (!lot_probe_enter_thread(t))
		return; /* tracing stopped meanwhile */
	uint64_t pcs[LOT_STACK_MAX], hash;
	size_t n = interrupted_stack(t, ucv, pcs, &hash);
	uint64_t now = lot_clock_now();
	uint32_t stack = 0;
	LOT_RECORD(t, now,
		   (stack = lot_writer_stack_hashed(&t->w, pcs, n, hash)) != LOT_NOROOM &&
			   lot_write_cpu_sample(&t->w, now, stack, weight));
	atomic_fetch_add_explicit(&t->samples, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&recorded, 1, memory_order_relaxed);
	lot_probe_exit(t);
}

HANDLER_TEXT static void on_sample(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	int saved = errno;
	int gen = atomic_load_explicit(&armed, memory_order_acquire);
	if (gen && si && si->si_code == SI_TIMER && si->si_value.sival_int == gen)
		sample(ucv, 1 + (uint64_t)(si->si_overrun > 0 ? si->si_overrun : 0));
	errno = saved;
}

/* ---- the signal ---- */

static bool is_ours(const struct sigaction *sa)
{
	return (sa->sa_flags & SA_SIGINFO) && sa->sa_sigaction == on_sample;
}

/* Free for us: our handler, or the default action, not blocked here and
 * not LOTRACE_SIGNAL's. */
static bool usable(int sig, const sigset_t *blocked, int control_sig)
{
	struct sigaction old;
	if (sig == control_sig || sigaction(sig, NULL, &old))
		return false;
	if (is_ours(&old))
		return true;
	return !(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_DFL &&
	       !sigismember(blocked, sig);
}

void lot_sampler_signal_name(int signo, char *buf, unsigned cap)
{
	const char *abbrev = signo < SIGRTMIN ? sigabbrev_np(signo) : NULL;
	if (abbrev)
		snprintf(buf, cap, "SIG%s", abbrev);
	else
		snprintf(buf, cap, "SIGRTMIN+%d", signo - SIGRTMIN);
}

int lot_sampler_prepare(const struct lot_config *c)
{
	if (!c->cpu_hz)
		return 0;
	/* A signal the program blocks may be one it takes with sigwait or a
	 * signalfd: not ours.  The recorder's control thread (a window started
	 * by signal) blocks every signal, so there the program's mask is not
	 * known and only the dispositions decide. */
	sigset_t blocked;
	sigemptyset(&blocked);
	if (!lot_thread_is_tracer())
		pthread_sigmask(SIG_BLOCK, NULL, &blocked);
	int control_sig = 0;
	lot_env_signal(&control_sig); /* checked by the configuration already */
	int sig = 0;
	if (c->cpu_signal) {
		if (usable(c->cpu_signal, &blocked, control_sig))
			sig = c->cpu_signal;
		else
			fprintf(stderr, "lotrace: LOTRACE_CPU_SIGNAL: signal %d is handled, ignored or "
				"blocked by the program (or is LOTRACE_SIGNAL); lotrace leaves it alone "
				"(no CPU sampling)\n", c->cpu_signal);
	} else {
		/* from SIGRTMIN+8 up, then the lower ones, which libraries favour */
		int n = SIGRTMAX - SIGRTMIN + 1;
		for (int i = 0; i < n && !sig; i++) {
			int s = SIGRTMIN + (i + 8) % n;
			if (usable(s, &blocked, control_sig))
				sig = s;
		}
		if (!sig)
			fprintf(stderr, "lotrace: no free real-time signal for CPU sampling (set "
				"LOTRACE_CPU_SIGNAL); no CPU sampling\n");
	}
	if (!sig)
		return 0;
	struct sigaction sa = {.sa_sigaction = on_sample, .sa_flags = SA_SIGINFO | SA_RESTART};
	sigemptyset(&sa.sa_mask);
	struct sigaction old;
	if (sigaction(sig, NULL, &old) || (!is_ours(&old) && sigaction(sig, &sa, NULL)))
		return 0;
	return sig;
}

/* ---- the timers (flusher thread only) ---- */

struct armed_thread {
	pid_t tid;
	bool timer;   /* false: a thread of ours or a kernel worker, never armed */
	timer_t id;
};

static struct {
	struct armed_thread *v; /* sorted by tid */
	size_t n, cap;
	pid_t *live;            /* the last scan, sorted */
	size_t n_live, cap_live;
	bool live_ok;
	int signo, gen;
	struct timespec period;
	pid_t self;
	uint64_t last_ns;
	uint64_t no_state0; /* no_state when the session began */
	uint64_t scans;
	uint64_t unarmed;   /* threads left unsampled: timer_create refused */
} tm;

static int cmp_tid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

/* An io_uring worker (in the process's task list, never runs our code). */
static bool kernel_worker(pid_t tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true; /* gone */
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = 0;
	const char *p = strrchr(buf, ')'); /* after the name: state ppid pgrp sid tty tpgid flags */
	unsigned long flags = 0;
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		return false;
	return flags & PF_IO_WORKER;
}

static _Atomic pid_t exempt_tid;

void lot_sampler_exempt(pid_t tid)
{
	atomic_store_explicit(&exempt_tid, tid, memory_order_relaxed);
}

static void arm(struct armed_thread *a)
{
	a->timer = false;
	if (a->tid == tm.self || a->tid == atomic_load_explicit(&exempt_tid, memory_order_relaxed) || kernel_worker(a->tid))
		return;
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = tm.signo;
	ev.sigev_value.sival_int = tm.gen;
	ev._sigev_un._tid = a->tid; /* sigev_notify_thread_id */
	clockid_t clock = (clockid_t)((~(unsigned)a->tid << 3) | 6); /* PERTHREAD | SCHED */
	if (timer_create(clock, &ev, &a->id)) {
		if (errno != EINVAL && errno != ESRCH) /* not just gone already */
			tm.unarmed++; /* out of pending-signal quota (RLIMIT_SIGPENDING) */
		return;
	}
	struct itimerspec its = {.it_interval = tm.period, .it_value = tm.period};
	if (timer_settime(a->id, 0, &its, NULL)) {
		timer_delete(a->id);
		return;
	}
	a->timer = true;
}

static bool scan(void)
{
	DIR *d = opendir("/proc/self/task");
	if (!d)
		return false;
	tm.n_live = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		if (tm.n_live == tm.cap_live) {
			size_t nc = tm.cap_live ? tm.cap_live * 2 : 64;
			pid_t *p = realloc(tm.live, nc * sizeof *p);
			if (!p) {
				closedir(d);
				return false;
			}
			tm.live = p, tm.cap_live = nc;
		}
		tm.live[tm.n_live++] = (pid_t)atoi(e->d_name);
	}
	closedir(d);
	qsort(tm.live, tm.n_live, sizeof *tm.live, cmp_tid);
	return true;
}

static void rescan(void)
{
	if (!(tm.live_ok = scan()))
		return;
	tm.scans++;
	/* merge the sorted lists: keep the living, arm the new, drop the gone */
	size_t cap = tm.n + tm.n_live, n = 0, i = 0, j = 0;
	struct armed_thread *v = malloc((cap ? cap : 1) * sizeof *v);
	if (!v)
		return;
	while (i < tm.n || j < tm.n_live) {
		if (j == tm.n_live || (i < tm.n && tm.v[i].tid < tm.live[j])) {
			if (tm.v[i].timer) /* gone (a reused tid is a new thread: see RECORDER.md) */
				timer_delete(tm.v[i].id);
			i++;
		} else if (i == tm.n || tm.live[j] < tm.v[i].tid) {
			v[n] = (struct armed_thread){.tid = tm.live[j++]};
			arm(&v[n++]);
		} else {
			v[n++] = tm.v[i++];
			j++;
		}
	}
	free(tm.v);
	tm.v = v, tm.n = n, tm.cap = cap;
}

void lot_sampler_rescan(uint64_t now_ns)
{
	if (!tm.signo)
		return;
	bool new_thread = atomic_exchange_explicit(&lot_rt.new_thread, false, memory_order_relaxed);
	if (!new_thread && now_ns - tm.last_ns < RESCAN_NS)
		return;
	tm.last_ns = now_ns;
	lot_thread_spares_fill();
	rescan();
}

bool lot_sampler_tid_alive(uint64_t tid)
{
	pid_t t = (pid_t)tid;
	return !tm.live_ok || bsearch(&t, tm.live, tm.n_live, sizeof t, cmp_tid);
}

uint64_t lot_sampler_scans(void)
{
	return tm.scans;
}

void lot_sampler_begin(uint64_t gen, unsigned hz, int signo)
{
	if (!hz || !signo)
		return;
	tm.signo = signo;
	tm.gen = (int)(gen % 0x7fffffff) + 1;
	uint64_t ns = 1000000000ull / hz;
	tm.period = (struct timespec){.tv_sec = (time_t)(ns / 1000000000ull),
				      .tv_nsec = (long)(ns % 1000000000ull)};
	tm.self = gettid();
	tm.last_ns = lot_clock_monotonic_ns();
	tm.no_state0 = atomic_load_explicit(&no_state, memory_order_relaxed);
	tm.unarmed = 0;
	atomic_store_explicit(&armed, tm.gen, memory_order_release);
	lot_thread_spares_fill();
	rescan();
}

void lot_sampler_end(void)
{
	/* first: a signal queued before its timer goes is ignored */
	atomic_store_explicit(&armed, 0, memory_order_release);
	for (size_t i = 0; i < tm.n; i++)
		if (tm.v[i].timer)
			timer_delete(tm.v[i].id);
	free(tm.v);
	tm.v = NULL;
	tm.n = tm.cap = 0;
	tm.signo = 0;
	tm.live_ok = false;
	tm.last_ns = 0;
}

void lot_sampler_forget(void)
{
	atomic_store_explicit(&armed, 0, memory_order_relaxed);
	tm.v = NULL; /* the parent's: leaked, never deleted here */
	tm.n = tm.cap = 0;
	tm.signo = 0;
	tm.live_ok = false;
}

uint64_t lot_sampler_no_state(void)
{
	return atomic_load_explicit(&no_state, memory_order_relaxed) - tm.no_state0;
}

uint64_t lot_sampler_unarmed(void)
{
	return tm.unarmed;
}

size_t lot_sampler_stats(bool sampling, uint64_t taken, uint64_t dropped,
			 const struct lot_thread *live, struct lot_stat *out)
{
	if (!sampling)
		return 0;
	for (const struct lot_thread *t = live; t; t = t->next) {
		taken += atomic_load_explicit(&t->samples, memory_order_relaxed);
		dropped += atomic_load_explicit(&t->samples_dropped, memory_order_relaxed);
	}
	out[0] = (struct lot_stat){"cpu_samples", taken};
	out[1] = (struct lot_stat){"cpu_samples_dropped", dropped};
	out[2] = (struct lot_stat){"cpu_samples_no_state", lot_sampler_no_state()};
	out[3] = (struct lot_stat){"cpu_threads_unarmed", lot_sampler_unarmed()};
	return 4;
}

uint64_t lot_sampler_recorded(void)
{
	return atomic_load_explicit(&recorded, memory_order_relaxed);
}

void lot_sampler_thread_counts(uint64_t *samples, uint64_t *dropped)
{
	struct lot_thread *t = lot_self;
	*samples = t ? atomic_load_explicit(&t->samples, memory_order_relaxed) : 0;
	*dropped = t ? atomic_load_explicit(&t->samples_dropped, memory_order_relaxed) : 0;
}

void lot_sampler_signal(int *signo, int *value)
{
	*value = atomic_load_explicit(&armed, memory_order_acquire);
	*signo = *value ? tm.signo : 0;
}
