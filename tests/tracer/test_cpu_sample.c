/* CPU samples: who is sampled, where the stacks start, when nothing is. */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/check_main.h"
#include "support.h"
#include "tracer/lotrace.h"
#include "tracer/sampler.h"

/* The handler's code (tracer/sampler.c puts it in this section). */
extern const char __start_lot_sampler_text[], __stop_lot_sampler_text[];

/* Exported (-export-dynamic) so that dladdr names them. */
void burn(uint64_t ns);
void *burner(void *arg);

static uint64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Spins on the thread's own CPU clock, calling nothing but the clock (a
 * system call, rare enough for its time to stay a few percent). */
__attribute__((noinline, visibility("default"))) void burn(uint64_t ns)
{
	uint64_t end = cpu_ns() + ns;
	volatile uint64_t x = 0;
	for (;;) {
		for (int i = 0; i < 65536; i++)
			x = x * 31 + (uint64_t)i;
		if (cpu_ns() >= end)
			break;
	}
}

struct burn_arg {
	uint64_t ns;
	bool probe;              /* call a probe first */
	_Atomic int go;          /* wait for it before burning */
	_Atomic pid_t tid;
};

__attribute__((noinline, visibility("default"))) void *burner(void *arg)
{
	struct burn_arg *a = arg;
	atomic_store(&a->tid, gettid());
	while (!atomic_load(&a->go))
		usleep(1000);
	if (a->probe)
		lot_instant("burner");
	burn(a->ns);
	__asm__ volatile("" ::: "memory"); /* keep burner's frame around the call */
	return NULL;
}

static const char *func_of(uint64_t pc)
{
	Dl_info info;
	if (!dladdr((void *)(uintptr_t)pc, &info) || !info.dli_sname)
		return "?";
	return info.dli_sname;
}

static bool in_handler(uint64_t pc)
{
	return pc >= (uintptr_t)__start_lot_sampler_text && pc < (uintptr_t)__stop_lot_sampler_text;
}

static void sampling_env(const char *hz)
{
	setenv("LOTRACE_STACKS", "1", 1);
	setenv("LOTRACE_CPU_HZ", hz, 1);
	unsetenv("LOTRACE_CPU_SIGNAL");
}

/* The samples of thread tid: count, and how many have burn() on top and
 * burner() under it (the frame-pointer chain from the interrupted PC). */
struct samples {
	size_t n, in_burn, burn_under_burner, in_handler, weight;
	bool begin_first; /* the thread's first event is thread_begin */
};

static struct samples samples_of(const struct ttrace *t, uint64_t tid)
{
	struct samples s = {0};
	bool seen = false;
	for (size_t i = 0; i < t->n; i++) {
		const struct tev *e = &t->ev[i];
		if (e->tid != tid || e->synthetic)
			continue;
		if (!seen && (e->code == LOT_EV_thread_begin))
			s.begin_first = true;
		seen = true;
		if (e->code != LOT_EV_cpu_sample)
			continue;
		s.n++;
		s.weight += e->a[LOT_ARG_cpu_sample_weight].u;
		const struct targ *st = &e->a[LOT_ARG_cpu_sample_stack];
		for (size_t k = 0; k < st->n_pcs; k++)
			if (in_handler(st->pcs[k]) || (k && in_handler(st->pcs[k] - 1)))
				s.in_handler++;
		if (st->n_pcs && !strcmp(func_of(st->pcs[0]), "burn")) {
			s.in_burn++;
			/* a return address: the call is the byte before */
			if (st->n_pcs > 1 && !strcmp(func_of(st->pcs[1] - 1), "burner"))
				s.burn_under_burner++;
		}
	}
	return s;
}

/* Run one burner thread for `ns` of CPU while tracing; its tid. */
static pid_t run_burner(const char *path, uint64_t ns, bool probe, bool before_start)
{
	struct burn_arg a = {.ns = ns, .probe = probe};
	pthread_t th;
	if (before_start)
		ck_assert_int_eq(pthread_create(&th, NULL, burner, &a), 0);
	ck_assert_int_eq(lot_start(path), 0);
	if (!before_start)
		ck_assert_int_eq(pthread_create(&th, NULL, burner, &a), 0);
	while (!atomic_load(&a.tid))
		usleep(1000);
	usleep(300000); /* the flusher's rescan arms the new thread's timer */
	atomic_store(&a.go, 1);
	pthread_join(th, NULL);
	ck_assert_int_eq(lot_stop(), 0);
	return atomic_load(&a.tid);
}

static void check_burner_samples(const char *path, pid_t tid)
{
	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	struct samples s = samples_of(&t, (uint64_t)tid);
	ck_assert_uint_gt(s.n, 5);
	ck_assert(s.begin_first);
	ck_assert_uint_eq(s.in_handler, 0);
	ck_assert_uint_ge(s.weight, s.n);
	/* nearly all of its CPU time is in burn (a few samples land in the clock
	 * read or the thread's start) */
	ck_assert_uint_ge(s.in_burn * 10, s.n * 8);
	ck_assert_uint_eq(s.burn_under_burner, s.in_burn);
	trace_free(&t);
}

/* A burner thread traced at 1000 Hz: its samples are checked. */
static void burner_is_sampled(const char *name, bool probe, bool before_start)
{
	sampling_env("1000");
	const char *path = test_path(name);
	check_burner_samples(path, run_burner(path, 300000000, probe, before_start));
}

START_TEST(samples_of_a_burning_thread_start_at_the_interrupted_function)
{
	burner_is_sampled("burn", true, false);
}
END_TEST

START_TEST(a_thread_that_never_calls_a_probe_is_sampled)
{
	burner_is_sampled("noprobe", false, false);
}
END_TEST

START_TEST(a_thread_created_before_lot_start_is_sampled)
{
	burner_is_sampled("before", false, true);
}
END_TEST

START_TEST(cpu_hz_0_records_no_sample)
{
	sampling_env("0");
	const char *path = test_path("hz0");
	run_burner(path, 200000000, true, false);
	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	for (size_t i = 0; i < t.n; i++)
		ck_assert_int_ne(t.ev[i].code, LOT_EV_cpu_sample);
	trace_free(&t);
	struct lot_read_error err;
	struct lot_reader *r = lot_reader_open(path, NULL, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(lot_reader_meta(r, "cpu_hz"), "0");
	ck_assert_ptr_null(lot_reader_meta(r, "cpu_signal"));
	lot_reader_close(r);
}
END_TEST

static void *sleeper(void *arg)
{
	_Atomic pid_t *tid = arg;
	lot_instant("sleeper");
	atomic_store(tid, gettid());
	usleep(400000);
	return NULL;
}

START_TEST(a_sleeping_thread_gets_no_sample)
{
	sampling_env("1000");
	const char *path = test_path("sleep");
	ck_assert_int_eq(lot_start(path), 0);
	_Atomic pid_t tid = 0;
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, sleeper, &tid), 0);
	burn(300000000); /* the main thread runs meanwhile */
	pthread_join(th, NULL);
	ck_assert_int_eq(lot_stop(), 0);
	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	ck_assert_uint_eq(samples_of(&t, (uint64_t)atomic_load(&tid)).n, 0);
	ck_assert_uint_gt(samples_of(&t, (uint64_t)gettid()).n, 5);
	trace_free(&t);
}
END_TEST

START_TEST(nothing_is_sampled_after_lot_stop_returns)
{
	sampling_env("1000");
	ck_assert_int_eq(lot_start(test_path("after")), 0);
	burn(100000000);
	ck_assert_int_eq(lot_stop(), 0);
	uint64_t at_stop = lot_sampler_recorded();
	ck_assert_uint_gt(at_stop, 0);
	burn(200000000);
	ck_assert_uint_eq(lot_sampler_recorded(), at_stop);
}
END_TEST

static void app_handler(int sig)
{
	(void)sig;
}

START_TEST(an_application_handler_on_the_signal_is_kept)
{
	sampling_env("1000");
	int sig = SIGRTMIN + 8; /* the first one lotrace would choose */
	struct sigaction sa = {.sa_handler = app_handler}, now;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(sig, &sa, NULL), 0);
	/* asked for explicitly: no sampling, the handler stays */
	setenv("LOTRACE_CPU_SIGNAL", "RTMIN+8", 1);
	const char *path = test_path("apphandler");
	ck_assert_int_eq(lot_start(path), 0);
	ck_assert_int_eq(lot_stop(), 0);
	ck_assert_int_eq(sigaction(sig, NULL, &now), 0);
	ck_assert(now.sa_handler == app_handler);
	struct lot_read_error err;
	struct lot_reader *r = lot_reader_open(path, NULL, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(lot_reader_meta(r, "cpu_hz"), "0");
	lot_reader_close(r);
	/* chosen by lotrace: another signal */
	unsetenv("LOTRACE_CPU_SIGNAL");
	path = test_path("apphandler2");
	ck_assert_int_eq(lot_start(path), 0);
	burn(50000000);
	ck_assert_int_eq(lot_stop(), 0);
	ck_assert_int_eq(sigaction(sig, NULL, &now), 0);
	ck_assert(now.sa_handler == app_handler);
	r = lot_reader_open(path, NULL, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(lot_reader_meta(r, "cpu_hz"), "1000");
	ck_assert_str_eq(lot_reader_meta(r, "cpu_signal"), "SIGRTMIN+9");
	lot_reader_close(r);
}
END_TEST

START_TEST(bad_cpu_sampling_values_are_rejected)
{
	static const char *const hz[] = {"abc", "-1", "10001", "99 ", "", "1e3", "0x10"};
	for (size_t i = 0; i < sizeof hz / sizeof hz[0]; i++) {
		sampling_env(hz[i]);
		ck_assert_int_eq(lot_start(test_path("badhz")), -EINVAL);
	}
	sampling_env("99");
	static const char *const sig[] = {"FOO", "KILL", "SEGV", "RTMIN+99", ""};
	for (size_t i = 0; i < sizeof sig / sizeof sig[0]; i++) {
		setenv("LOTRACE_CPU_SIGNAL", sig[i], 1);
		ck_assert_int_eq(lot_start(test_path("badsig")), -EINVAL);
	}
	unsetenv("LOTRACE_CPU_SIGNAL");
}
END_TEST

/* Nothing here needs perf_event_open: a container's seccomp profile that
 * refuses it changes nothing (Check runs each test in a child process). */
START_TEST(sampling_works_where_perf_event_open_is_refused)
{
	long nr = SYS_perf_event_open;
	ck_assert_int_eq(refuse_syscalls(&nr, 1, EPERM), 0);
	ck_assert_int_eq(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0), -1);
	burner_is_sampled("noperf", false, false);
}
END_TEST

/* The child of a fork has no timer of the parent's (POSIX timers are not
 * inherited) and samples its own session; the parent goes on sampling. */
START_TEST(a_child_forked_while_sampling_samples_its_own_session)
{
	sampling_env("1000");
	const char *path = test_path("parent");
	ck_assert_int_eq(lot_start(path), 0);
	burn(50000000);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int ok = !lot_enabled();
		burn(100000000); /* no timer of the parent's fires here */
#ifndef __SANITIZE_THREAD__ /* TSan cannot start threads after a multi-threaded fork */
		const char *cpath = test_path("child");
		ok = ok && lot_start(cpath) == 0;
		usleep(300000); /* the child's flusher arms its timers */
		burn(200000000);
		ok = ok && lot_stop() == 0;
		struct ttrace t;
		ok = ok && trace_load(cpath, true, &t);
		ok = ok && samples_of(&t, (uint64_t)gettid()).n > 0;
#endif
		_exit(ok ? 0 : 1);
	}
	burn(100000000);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(lot_stop(), 0);
	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	ck_assert_uint_gt(samples_of(&t, (uint64_t)gettid()).n, 3);
	trace_free(&t);
}
END_TEST

/* Two threads record many events each while sampled at 1000 Hz: samples
 * that land in a probe are dropped and counted, and for each thread
 * written + lost = what it recorded, samples included. */
#define STRESS_EVENTS 10000000u

struct recorder {
	pthread_t th;
	pid_t tid;
	uint64_t samples, dropped; /* its own counts, read when it is done */
};

static void *record_many(void *arg)
{
	struct recorder *r = arg;
	r->tid = gettid();
	for (uint32_t i = 0; i < STRESS_EVENTS; i++) {
		if (i % 64)
			lot_counter("n", i);
		else
			lot_instant("tick"); /* with a stack: a longer probe */
	}
	/* no more samples here: the counts are final */
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN + 8);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	lot_sampler_thread_counts(&r->samples, &r->dropped);
	return NULL;
}

START_TEST(sampling_at_1000_hz_during_heavy_recording_keeps_every_count)
{
	sampling_env("1000");
	setenv("LOTRACE_CPU_SIGNAL", "RTMIN+8", 1);
	const char *path = test_path("stress");
	ck_assert_int_eq(lot_start(path), 0);
	struct recorder r[2];
	memset(r, 0, sizeof r);
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&r[i].th, NULL, record_many, &r[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(r[i].th, NULL);
	ck_assert_int_eq(lot_stop(), 0);
	unsetenv("LOTRACE_CPU_SIGNAL");
	struct ttrace t;
	ck_assert(trace_load_code(path, LOT_EV_cpu_sample, &t));
	ck_assert(t.has_trailer);
	ck_assert(!t.damaged);
	for (int i = 0; i < 2; i++) {
		const struct lot_thread_total *tot = trace_total(&t, (uint64_t)r[i].tid);
		struct tthread *th = trace_thread(&t, (uint64_t)r[i].tid);
		ck_assert_ptr_nonnull(tot);
		ck_assert_ptr_nonnull(th);
		ck_assert_uint_eq(th->events, tot->written); /* every written event decodes */
		/* thread_begin, the events, the samples it recorded (those it
		 * dropped inside a probe are counted apart), thread_end */
		ck_assert_uint_eq(tot->written + tot->lost, STRESS_EVENTS + 2 + r[i].samples - r[i].dropped);
		struct samples s = samples_of(&t, (uint64_t)r[i].tid);
		ck_assert_uint_gt(r[i].samples, 0);
		ck_assert_uint_le(s.n, r[i].samples - r[i].dropped);
		ck_assert_uint_eq(s.in_handler, 0);
	}
	trace_free(&t);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, samples_of_a_burning_thread_start_at_the_interrupted_function);
	tcase_add_test(tc, a_thread_that_never_calls_a_probe_is_sampled);
	tcase_add_test(tc, a_thread_created_before_lot_start_is_sampled);
	tcase_add_test(tc, cpu_hz_0_records_no_sample);
	tcase_add_test(tc, a_sleeping_thread_gets_no_sample);
	tcase_add_test(tc, nothing_is_sampled_after_lot_stop_returns);
	tcase_add_test(tc, an_application_handler_on_the_signal_is_kept);
	tcase_add_test(tc, bad_cpu_sampling_values_are_rejected);
	tcase_add_test(tc, sampling_at_1000_hz_during_heavy_recording_keeps_every_count);
	tcase_add_test(tc, sampling_works_where_perf_event_open_is_refused);
	tcase_add_test(tc, a_child_forked_while_sampling_samples_its_own_session);
}
