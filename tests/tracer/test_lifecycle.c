/*
 * Process lifecycle while tracing: fork and exec (no tracer descriptor
 * leaks into the new program), exit() from a thread other than main while
 * others record, a library that records being loaded and unloaded, and
 * signals whose handlers record arriving during lot_start/lot_stop.  No
 * deadlock (a child that does not end in 30 s fails the test), no corrupt
 * file.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/check_main.h"
#include "support.h"
#include "tracer/lotrace.h"

static void check_complete(const char *path)
{
	struct ttrace t;
	ck_assert(trace_load(path, false, &t));
	ck_assert(t.has_trailer);
	ck_assert(!t.damaged);
	trace_free(&t);
}

/* Wait for a child for up to 30 s; kill it and fail when it hangs. */
static int wait_child(pid_t pid)
{
	int st;
	for (int i = 0; i < 3000; i++) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return st;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	ck_abort_msg("the child hangs (deadlock?)");
	return -1;
}

START_TEST(exec_after_fork_inherits_no_tracer_descriptor)
{
	const char *path = test_path("exec");
	ck_assert_int_eq(lot_start(path), 0);
	lot_instant("before");
	/* popen forks and execs a shell: list what the new program holds */
	FILE *p = popen("ls -l /proc/self/fd/ 2>/dev/null", "r");
	ck_assert_ptr_nonnull(p);
	char line[1024];
	int lines = 0;
	while (fgets(line, sizeof line, p)) {
		lines++;
		ck_assert_msg(!strstr(line, path) && !strstr(line, "eventfd") && !strstr(line, "io_uring"),
			      "inherited: %s", line);
	}
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_int_gt(lines, 3);
	lot_instant("after");
	ck_assert_int_eq(lot_stop(), 0);
	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	ck_assert(t.has_trailer && !t.damaged);
	ck_assert_int_eq(count_instants(&t, "before"), 1);
	ck_assert_int_eq(count_instants(&t, "after"), 1);
	trace_free(&t);
	unlink(path);
}
END_TEST

static void *record_forever(void *arg)
{
	(void)arg;
	for (int64_t i = 0;; i++) {
		lot_counter("forever", i);
		if (i % 64 == 0)
			usleep(50);
	}
	return NULL;
}

static void *exit_soon(void *arg)
{
	(void)arg;
	usleep(200000);
	exit(0); /* atexit completes the trace while the others record */
}

START_TEST(exit_from_a_thread_while_others_record_completes_the_file)
{
	const char *path = test_path("exit-thread");
	fflush(stderr);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (lot_start(path))
			_exit(10);
		pthread_t th;
		for (int i = 0; i < 3; i++)
			pthread_create(&th, NULL, record_forever, NULL);
		pthread_create(&th, NULL, exit_soon, NULL);
		record_forever(NULL);
	}
	int st = wait_child(pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	check_complete(path);
	unlink(path);
}
END_TEST

START_TEST(a_library_that_records_can_be_loaded_and_unloaded)
{
	static const char lib[] = "tests/tracer/.libs/libdlrecord.so";
	if (access(lib, F_OK)) {
		fprintf(stderr, "skipped: no %s (configured with --disable-shared?)\n", lib);
		return;
	}
	const char *path = test_path("dlopen");
	ck_assert_int_eq(lot_start(path), 0);
	for (int round = 0; round < 3; round++) {
		void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
		ck_assert_msg(h != NULL, "%s", dlerror());
		int (*run)(int) = (int (*)(int))dlsym(h, "dlrecord_run");
		ck_assert_ptr_nonnull(run);
		ck_assert_int_eq(run(100), 100);
		ck_assert_int_eq(dlclose(h), 0);
		lot_instant("between"); /* the library's strings are gone now */
	}
	ck_assert_int_eq(lot_stop(), 0);
	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	ck_assert(t.has_trailer && !t.damaged);
	ck_assert_int_eq(count_instants(&t, "from-plugin"), 300);
	ck_assert_int_eq(count_instants(&t, "between"), 3);
	int attrs = 0;
	for (size_t i = 0; i < t.n; i++)
		if (t.ev[i].code == LOT_EV_span_attr) {
			ck_assert_str_eq(t.ev[i].a[LOT_ARG_span_attr_key].str, "plugin-key");
			ck_assert_str_eq(t.ev[i].a[LOT_ARG_span_attr_value].str, "plugin-value");
			attrs++;
		}
	ck_assert_int_eq(attrs, 300);
	trace_free(&t);
	unlink(path);
}
END_TEST

/* ---- signals during start and stop ---- */

static atomic_int signalling, recording;
static pthread_t targets[3];

static void on_signal(int sig)
{
	(void)sig;
	lot_instant("in-handler");
}

static void *recorder(void *arg)
{
	(void)arg;
	/* a thread's state is made (allocated) here, not in a handler, even if
	 * the warm-up session stopped before this thread ran */
	lot_thread_name("recorder");
	lot_instant("first");
	for (int64_t i = 0; atomic_load(&recording); i++)
		lot_counter("between-signals", i);
	return NULL;
}

static void *signaller(void *arg)
{
	(void)arg;
	while (atomic_load(&signalling)) {
		for (int i = 0; i < 3; i++)
			pthread_kill(targets[i], SIGUSR1);
		usleep(100);
	}
	return NULL;
}

START_TEST(signals_that_record_during_start_and_stop)
{
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	setenv("LOTRACE_CHUNK_SIZE", "8K", 1);
	lot_thread_name("main"); /* creates this thread's state outside a handler */
	ck_assert_int_eq(lot_start(test_path("sig-warm")), 0);
	lot_instant("first");
	atomic_store(&recording, 1);
	targets[0] = pthread_self();
	pthread_create(&targets[1], NULL, recorder, NULL);
	pthread_create(&targets[2], NULL, recorder, NULL);
	ck_assert_int_eq(lot_stop(), 0);
	unlink(test_path("sig-warm"));

	atomic_store(&signalling, 1);
	pthread_t sig;
	pthread_create(&sig, NULL, signaller, NULL);
	for (int s = 0; s < 10; s++) {
		char name[16];
		snprintf(name, sizeof name, "sig%d", s);
		const char *path = test_path(name);
		ck_assert_int_eq(lot_start(path), 0);
		usleep(20000);
		ck_assert_int_eq(lot_stop(), 0);
		check_complete(path);
		unlink(path);
	}
	atomic_store(&signalling, 0);
	pthread_join(sig, NULL);
	atomic_store(&recording, 0);
	pthread_join(targets[1], NULL);
	pthread_join(targets[2], NULL);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, exec_after_fork_inherits_no_tracer_descriptor);
	tcase_add_test(tc, exit_from_a_thread_while_others_record_completes_the_file);
	tcase_add_test(tc, a_library_that_records_can_be_loaded_and_unloaded);
	tcase_add_test(tc, signals_that_record_during_start_and_stop);
}
