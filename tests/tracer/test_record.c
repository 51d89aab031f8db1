/* Recording basics: what a simple program's trace holds, the header, both
 * I/O paths, the environment, thread exit. */
#include <errno.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/check_main.h"
#include "support.h"
#include "tracer/lotrace.h"

/* Events of one thread, without the clock_sync records and synthetic ones. */
static size_t events_of(struct ttrace *t, uint64_t tid, struct tev **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++) {
		struct tev *e = &t->ev[i];
		if (e->tid != tid || e->synthetic || e->code == LOT_EV_clock_sync)
			continue;
		if (n < max)
			out[n] = e;
		n++;
	}
	return n;
}

static void record_simple(const char *path)
{
	ck_assert_int_eq(lot_start(path), 0);
	ck_assert(lot_enabled());
	lot_instant("hello");
	lot_counter("queue_depth", -7);
	lot_instant("hello");
	ck_assert_int_eq(lot_stop(), 0);
	ck_assert(!lot_enabled());
}

static void check_simple(const char *path, const char *io)
{
	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	ck_assert(t.has_trailer);
	ck_assert(!t.damaged);
	ck_assert_str_eq(t.io, io);
	ck_assert_uint_eq(t.pid, (uint64_t)getpid());
	uint64_t me = (uint64_t)gettid();
	struct tev *e[8];
	ck_assert_uint_eq(events_of(&t, me, e, 8), 4);
	ck_assert_uint_eq(e[0]->code, LOT_EV_thread_begin);
	ck_assert_uint_eq(e[0]->a[LOT_ARG_thread_begin_tid].u, me);
	ck_assert_uint_eq(e[1]->code, LOT_EV_instant);
	ck_assert_str_eq(e[1]->a[LOT_ARG_instant_name].str, "hello");
	ck_assert_uint_eq(e[2]->code, LOT_EV_counter);
	ck_assert_str_eq(e[2]->a[LOT_ARG_counter_name].str, "queue_depth");
	ck_assert_int_eq(e[2]->a[LOT_ARG_counter_value].i, -7);
	ck_assert_uint_eq(e[3]->code, LOT_EV_instant);
	ck_assert(e[1]->ticks <= e[2]->ticks && e[2]->ticks <= e[3]->ticks);
	const struct lot_thread_total *tot = trace_total(&t, me);
	ck_assert_ptr_nonnull(tot);
	ck_assert_uint_eq(tot->written, 4);
	ck_assert_uint_eq(tot->lost, 0);
	/* the flusher's clock_sync records are in the file too */
	bool sync = false;
	for (size_t i = 0; i < t.n; i++)
		sync |= t.ev[i].code == LOT_EV_clock_sync;
	ck_assert(sync);
	trace_free(&t);
}

START_TEST(events_are_recorded_in_order_with_io_uring)
{
	unsetenv("LOTRACE_IO");
	const char *path = test_path("uring");
	record_simple(path);
	struct ttrace t;
	ck_assert(trace_load(path, false, &t));
	/* io_uring may be refused here (seccomp): then the fallback is recorded */
	check_simple(path, strcmp(t.io, "pwrite") ? "io_uring" : "pwrite");
	unlink(path);
}
END_TEST

START_TEST(events_are_recorded_in_order_with_pwrite)
{
	setenv("LOTRACE_IO", "pwrite", 1);
	const char *path = test_path("pwrite");
	record_simple(path);
	check_simple(path, "pwrite");
	unlink(path);
}
END_TEST

START_TEST(file_is_private_and_never_overwritten)
{
	const char *path = test_path("mode");
	record_simple(path);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(lot_start(path), -EEXIST);
	ck_assert(!lot_enabled());
	unlink(path);
}
END_TEST

START_TEST(header_records_the_environment)
{
	setenv("LOTRACE_SERVICE", "checkout", 1);
	setenv("LOTRACE_ENV", "staging", 1);
	setenv("LOTRACE_VERSION", "1.2.3", 1);
	setenv("LOTRACE_TAGS", "zone=b,team=pay", 1);
	setenv("LOTRACE_STACK_DEPTH", "16", 1);
	setenv("LOTRACE_CHUNK_SIZE", "16K", 1);
	const char *path = test_path("meta");
	record_simple(path);
	struct lot_read_error err;
	struct lot_reader *r = lot_reader_open(path, NULL, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(lot_reader_meta(r, "service"), "checkout");
	ck_assert_str_eq(lot_reader_meta(r, "env"), "staging");
	ck_assert_str_eq(lot_reader_meta(r, "version"), "1.2.3");
	ck_assert_str_eq(lot_reader_meta(r, "tags"), "zone=b,team=pay");
	ck_assert_str_eq(lot_reader_meta(r, "stack_depth"), "16");
	ck_assert_str_eq(lot_reader_meta(r, "chunk_size"), "16384");
	ck_assert_ptr_nonnull(lot_reader_meta(r, "exe"));
	ck_assert_ptr_nonnull(strstr(lot_reader_meta(r, "cmdline"), "test_record"));
	ck_assert_ptr_nonnull(lot_reader_meta(r, "host"));
	ck_assert_ptr_nonnull(lot_reader_meta(r, "lotrace_version"));
	ck_assert_ptr_nonnull(lot_reader_meta(r, "lotrace_commit"));
	const struct lot_file_header *h = lot_reader_header(r);
	ck_assert_uint_gt(h->clock.freq_hz, 0);
	ck_assert_uint_le(h->clock.time_shift, 6);
	ck_assert_uint_gt(h->n_modules, 0);
	lot_reader_close(r);
	unlink(path);
}
END_TEST

START_TEST(bad_environment_values_are_rejected)
{
	const char *path = test_path("badenv");
	const char *cases[][2] = {
		{"LOTRACE_IO", "fast"},
		{"LOTRACE_STACKS", "yes"},
		{"LOTRACE_STACK_DEPTH", "129"},
		{"LOTRACE_STACK_DEPTH", "0"},
		{"LOTRACE_CHUNK_SIZE", "100"},
		{"LOTRACE_CHUNK_SIZE", "64Q"},
		{"LOTRACE_BUFFER_SIZE", "-1"},
		{"LOTRACE_START", "2"},
		{"LOTRACE_CLOCK", "rdtsc"},
		{"LOTRACE_CLOCK", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		setenv(cases[i][0], cases[i][1], 1);
		ck_assert_int_eq(lot_start(path), -EINVAL);
		ck_assert(!lot_enabled());
		ck_assert_int_ne(access(path, F_OK), 0); /* nothing created */
		unsetenv(cases[i][0]);
	}
}
END_TEST

START_TEST(start_twice_is_busy_and_stop_when_off_is_invalid)
{
	ck_assert_int_eq(lot_stop(), -EINVAL);
	const char *path = test_path("busy");
	ck_assert_int_eq(lot_start(path), 0);
	ck_assert_int_eq(lot_start(test_path("busy2")), -EBUSY);
	ck_assert_int_eq(lot_stop(), 0);
	ck_assert_int_eq(lot_stop(), -EINVAL);
	unlink(path);
}
END_TEST

static uint64_t exiting_tid;

static void *exiting_thread(void *arg)
{
	(void)arg;
	exiting_tid = (uint64_t)gettid();
	lot_thread_name("short-lived");
	lot_instant("one");
	lot_instant("two");
	lot_instant("three");
	return NULL;
}

START_TEST(thread_exit_flushes_its_partial_chunk)
{
	const char *path = test_path("exit");
	ck_assert_int_eq(lot_start(path), 0);
	pthread_t th;
	pthread_create(&th, NULL, exiting_thread, NULL);
	pthread_join(th, NULL);
	ck_assert_int_eq(lot_stop(), 0);
	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	struct tev *e[8];
	ck_assert_uint_eq(events_of(&t, exiting_tid, e, 8), 5);
	ck_assert_uint_eq(e[0]->code, LOT_EV_thread_begin);
	ck_assert_str_eq(e[0]->a[LOT_ARG_thread_begin_name].str, "short-lived");
	ck_assert_str_eq(e[1]->a[LOT_ARG_instant_name].str, "one");
	ck_assert_str_eq(e[3]->a[LOT_ARG_instant_name].str, "three");
	ck_assert_uint_eq(e[4]->code, LOT_EV_thread_end);
	const struct lot_thread_total *tot = trace_total(&t, exiting_tid);
	ck_assert_ptr_nonnull(tot);
	ck_assert_uint_eq(tot->written, 5);
	ck_assert_uint_eq(tot->lost, 0);
	trace_free(&t);
	unlink(path);
}
END_TEST

static bool file_has_instant(const char *path, const char *name)
{
	struct ttrace t;
	if (!trace_load(path, true, &t))
		return false;
	bool found = count_instants(&t, name) > 0;
	trace_free(&t);
	return found;
}

START_TEST(idle_thread_is_flushed_while_recording)
{
	/* A thread records once and then records nothing: the flusher takes its
	 * partial chunk, so the event reaches the file before stop (liveness, not
	 * a timing bound: the loop only gives up after 30 s). */
	const char *path = test_path("idle");
	ck_assert_int_eq(lot_start(path), 0);
	lot_instant("early");
	bool seen = false;
	for (int i = 0; i < 300 && !seen; i++) {
		usleep(100000);
		seen = file_has_instant(path, "early");
	}
	ck_assert(seen);
	/* the thread goes on in a fresh chunk; nothing is written twice */
	lot_instant("late");
	ck_assert_int_eq(lot_stop(), 0);
	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	ck_assert(!t.damaged);
	int early = 0, late = 0;
	for (size_t i = 0; i < t.n; i++)
		if (t.ev[i].code == LOT_EV_instant) {
			early += !strcmp(t.ev[i].a[0].str, "early");
			late += !strcmp(t.ev[i].a[0].str, "late");
		}
	ck_assert_int_eq(early, 1);
	ck_assert_int_eq(late, 1);
	const struct lot_thread_total *tot = trace_total(&t, (uint64_t)gettid());
	ck_assert_ptr_nonnull(tot);
	ck_assert_uint_eq(tot->lost, 0);
	ck_assert_uint_eq(tot->written, 3); /* thread_begin, early, late */
	ck_assert_uint_ge(tot->chunks, 2);
	trace_free(&t);
	unlink(path);
}
END_TEST

extern char **environ;

START_TEST(lotrace_start_traces_until_normal_exit)
{
	const char *path = test_path("autostart");
	setenv("LOTRACE_START", "1", 1);
	setenv("LOTRACE_OUTPUT", path, 1);
	char prog[] = "tests/tracer/autostart_child";
	char *argv[] = {prog, NULL};
	pid_t pid;
	ck_assert_int_eq(posix_spawn(&pid, prog, NULL, NULL, argv, environ), 0);
	unsetenv("LOTRACE_START");
	unsetenv("LOTRACE_OUTPUT");
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	ck_assert(t.has_trailer);
	ck_assert(!t.damaged);
	int main_seen = 0, worker_seen = 0;
	for (size_t i = 0; i < t.n; i++)
		if (t.ev[i].code == LOT_EV_instant) {
			main_seen += !strcmp(t.ev[i].a[0].str, "from-main");
			worker_seen += !strcmp(t.ev[i].a[0].str, "from-worker");
		}
	ck_assert_int_eq(main_seen, 1);
	ck_assert_int_eq(worker_seen, 1);
	trace_free(&t);
	unlink(path);
}
END_TEST

/* A worker of the no-membarrier test: enough events for several chunks. */
#define FENCED_EVENTS 100000
static void *fenced_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < FENCED_EVENTS; i++)
		lot_counter("fenced", i);
	return NULL;
}

/* In a child where membarrier() is refused (a seccomp filter, as some
 * container profiles do), probes fence themselves (lot_rt.on is
 * LOT_ON_FENCED): every event is still recorded and stop still waits for
 * the probes.  The exit status says what went wrong. */
static int fenced_child(const char *path)
{
	static const long refused[] = {__NR_membarrier};
	if (refuse_syscalls(refused, 1, ENOSYS))
		return 10;
	if (syscall(__NR_membarrier, 0, 0, 0) != -1 || errno != ENOSYS)
		return 11;
	if (lot_start(path))
		return 12;
	pthread_t th;
	if (pthread_create(&th, NULL, fenced_worker, NULL))
		return 13;
	for (int i = 0; i < FENCED_EVENTS; i++)
		lot_counter("fenced", i);
	pthread_join(th, NULL);
	return lot_stop() ? 14 : 0;
}

START_TEST(probes_fence_themselves_where_membarrier_is_refused)
{
	const char *path = test_path("fenced");
	setenv("LOTRACE_IO", "pwrite", 1);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(fenced_child(path));
	unsetenv("LOTRACE_IO");
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	ck_assert(t.has_trailer && !t.damaged);
	uint64_t lost = 0, counters = 0;
	for (size_t i = 0; i < t.n_tot; i++)
		lost += t.tot[i].lost;
	for (size_t i = 0; i < t.n; i++)
		counters += t.ev[i].code == LOT_EV_counter &&
			    !strcmp(t.ev[i].a[LOT_ARG_counter_name].str, "fenced");
	ck_assert_uint_eq(lost, 0);
	ck_assert_uint_eq(counters, 2 * FENCED_EVENTS);
	trace_free(&t);
	unlink(path);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, lotrace_start_traces_until_normal_exit);
	tcase_add_test(tc, events_are_recorded_in_order_with_io_uring);
	tcase_add_test(tc, events_are_recorded_in_order_with_pwrite);
	tcase_add_test(tc, file_is_private_and_never_overwritten);
	tcase_add_test(tc, header_records_the_environment);
	tcase_add_test(tc, bad_environment_values_are_rejected);
	tcase_add_test(tc, start_twice_is_busy_and_stop_when_off_is_invalid);
	tcase_add_test(tc, thread_exit_flushes_its_partial_chunk);
	tcase_add_test(tc, idle_thread_is_flushed_while_recording);
	tcase_add_test(tc, probes_fence_themselves_where_membarrier_is_refused);
}
