/* Control by signal: windows started by plain kill and by sigqueue with a
 * length, ended early by a second signal, bursts of signals, and the flight
 * recorder's snapshot on signal.  Each test runs tests/tracer/control_child
 * with LOTRACE_SIGNAL and reads the files it writes.  Timing bounds are
 * generous: the machine is shared. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control_support.h"
#include "tests/support/check_main.h"

#define MS 1000000ull
/* Slack for the flush period, scheduling and a loaded machine. */
#define SLACK (1500 * MS)

static void signal_env(const char *window)
{
	control_dir();
	setenv("LOTRACE_SIGNAL", "USR2", 1);
	setenv("LOTRACE_WINDOW", window, 1);
	setenv("LOTRACE_OUTPUT", "w-%p-%n.lot", 1);
	setenv("LOTRACE_BUFFER_SIZE", "2M", 1);
}

/* The window's file covers [sent, sent + len], give or take the slack. */
static void check_window(const char *path, uint64_t sent, uint64_t len_ns)
{
	struct span s = trace_span(path);
	ck_assert(s.ok);
	ck_assert(s.has_trailer);
	ck_assert(!s.damaged);
	ck_assert_str_eq(s.mode, "window");
	ck_assert_uint_gt(s.events, 10);
	ck_assert_uint_ge(s.first_ns, sent);
	ck_assert_uint_le(s.first_ns, sent + SLACK);
	ck_assert_uint_le(s.last_ns, sent + len_ns + SLACK);
	/* the ticker records every millisecond: the file reaches the window's end */
	ck_assert_uint_ge(s.last_ns, sent + len_ns - 100 * MS);
}

START_TEST(plain_kill_records_a_window_of_LOTRACE_WINDOW)
{
	signal_env("700ms");
	pid_t pid = control_child(30);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(state_number(pid, "completed"), 0);
	uint64_t sent = mono_now_ns();
	ck_assert_int_eq(kill(pid, SIGUSR2), 0);
	ck_assert(wait_state(pid, "completed", 1, 30));
	char path[4096];
	ck_assert(state_last(pid, path, sizeof path));
	ck_assert_ptr_nonnull(strstr(path, "-1.lot"));
	check_window(path, sent, 700 * MS);
	ck_assert_int_eq(trailer_stat(path, "window_ms"), 700);
	ck_assert_int_eq(trailer_stat(path, "window_seq"), 1);
	ck_assert_int_eq(trailer_stat(path, "window_ended_early"), 0);
	ck_assert_int_eq(trailer_stat(path, "control_windows"), 1);
	ck_assert_int_eq(trailer_stat(path, "control_signals"), 1);
	child_end(pid);
}
END_TEST

START_TEST(sigqueue_value_sets_the_window_length_in_ms)
{
	signal_env("60s");
	pid_t pid = control_child(30);
	ck_assert_int_gt(pid, 0);
	uint64_t sent = mono_now_ns();
	ck_assert_int_eq(sigqueue(pid, SIGUSR2, (union sigval){.sival_int = 400}), 0);
	ck_assert(wait_state(pid, "completed", 1, 20));
	char path[4096];
	ck_assert(state_last(pid, path, sizeof path));
	check_window(path, sent, 400 * MS);
	ck_assert_int_eq(trailer_stat(path, "window_ms"), 400);

	/* a second window goes to a new file, numbered 2 */
	sent = mono_now_ns();
	ck_assert_int_eq(sigqueue(pid, SIGUSR2, (union sigval){.sival_int = 300}), 0);
	ck_assert(wait_state(pid, "completed", 2, 20));
	char path2[4096];
	ck_assert(state_last(pid, path2, sizeof path2));
	ck_assert_str_ne(path, path2);
	ck_assert_ptr_nonnull(strstr(path2, "-2.lot"));
	check_window(path2, sent, 300 * MS);
	child_end(pid);
}
END_TEST

START_TEST(second_signal_ends_the_window_early)
{
	signal_env("60s");
	pid_t pid = control_child(30);
	ck_assert_int_gt(pid, 0);
	uint64_t sent = mono_now_ns();
	ck_assert_int_eq(kill(pid, SIGUSR2), 0);
	usleep(500000);
	uint64_t second = mono_now_ns();
	ck_assert_int_eq(kill(pid, SIGUSR2), 0);
	ck_assert(wait_state(pid, "completed", 1, 20));
	char path[4096];
	ck_assert(state_last(pid, path, sizeof path));
	struct span s = trace_span(path);
	ck_assert(s.has_trailer && !s.damaged);
	ck_assert_uint_ge(s.first_ns, sent);
	ck_assert_uint_le(s.last_ns, second + SLACK);
	ck_assert_int_eq(trailer_stat(path, "window_ended_early"), 1);
	ck_assert_int_eq(trailer_stat(path, "control_windows_ended_early"), 1);
	child_end(pid);
}
END_TEST

/* lotrace trigger (sigqueue) during a window is refused, as lotrace(1)
 * says; the window runs its whole length. */
START_TEST(trigger_during_a_window_is_refused)
{
	signal_env("60s");
	pid_t pid = control_child(30);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(sigqueue(pid, SIGUSR2, (union sigval){.sival_int = 700}), 0);
	ck_assert(wait_window_open(pid, 20));
	ck_assert_int_eq(sigqueue(pid, SIGUSR2, (union sigval){.sival_int = 100}), 0);
	ck_assert(wait_state(pid, "failed", 1, 20));
	ck_assert(wait_state(pid, "completed", 1, 20));
	char path[4096];
	ck_assert(state_last(pid, path, sizeof path));
	ck_assert_int_eq(trailer_stat(path, "window_ms"), 700);
	ck_assert_int_eq(trailer_stat(path, "window_ended_early"), 0);
	ck_assert_int_eq(trailer_stat(path, "control_signals_refused"), 1);
	child_end(pid);
}
END_TEST

START_TEST(signal_bursts_neither_crash_nor_leak)
{
	signal_env("100ms");
	pid_t pid = control_child(60);
	ck_assert_int_gt(pid, 0);
	int fds = fd_count(pid);
	ck_assert_int_gt(fds, 0);
	for (int i = 0; i < 400; i++) {
		if (i % 2)
			ck_assert_int_eq(kill(pid, SIGUSR2), 0);
		else
			ck_assert_int_eq(sigqueue(pid, SIGUSR2, (union sigval){.sival_int = 50}), 0);
		usleep(2500); /* ~400 per second */
	}
	/* every window ends within 100 ms of its start: let them all finish */
	sleep(2);
	ck_assert_int_eq(kill(pid, 0), 0); /* still alive */
	long long done = state_number(pid, "completed");
	ck_assert_int_gt(done, 0);
	ck_assert_int_eq(fd_count(pid), fds);
	/* every file is a whole trace */
	char cmd[512];
	snprintf(cmd, sizeof cmd, "%s", control_dir());
	int complete = 0;
	for (long long n = 1; n <= done + 5; n++) {
		char p[600];
		snprintf(p, sizeof p, "%s/w-%d-%lld.lot", cmd, (int)pid, n);
		if (access(p, R_OK))
			continue;
		struct span s = trace_span(p);
		ck_assert(s.ok && s.has_trailer && !s.damaged);
		complete++;
	}
	ck_assert_int_eq(complete, done);
	child_end(pid);
}
END_TEST

START_TEST(signal_in_flight_mode_writes_a_snapshot)
{
	control_dir();
	setenv("LOTRACE_SIGNAL", "USR2", 1);
	setenv("LOTRACE_MODE", "flight", 1);
	setenv("LOTRACE_FLIGHT_AGE", "1s", 1);
	setenv("LOTRACE_FLIGHT_SIZE", "8M", 1);
	setenv("LOTRACE_BUFFER_SIZE", "2M", 1);
	setenv("LOTRACE_OUTPUT", "snap-%n.lot", 1);
	pid_t pid = control_child(30);
	ck_assert_int_gt(pid, 0);
	sleep(2);
	uint64_t sent = mono_now_ns();
	ck_assert_int_eq(kill(pid, SIGUSR2), 0);
	ck_assert(wait_state(pid, "completed", 1, 20));
	char path[4096];
	ck_assert(state_last(pid, path, sizeof path));
	struct span s = trace_span(path);
	ck_assert(s.has_trailer && !s.damaged);
	ck_assert_str_eq(s.mode, "snapshot");
	/* the most recent history, and not much more than the age limit (plus
	 * a chunk's span: the idle flush takes chunks every second or two) */
	ck_assert_uint_ge(s.last_ns + SLACK, sent);
	ck_assert_uint_le(s.last_ns, sent + SLACK);
	ck_assert_uint_ge(s.first_ns + 3000 * MS, sent);
	ck_assert_int_eq(trailer_stat(path, "snapshot_seq"), 1);
	/* and again */
	ck_assert_int_eq(kill(pid, SIGUSR2), 0);
	ck_assert(wait_state(pid, "completed", 2, 20));
	child_end(pid);
}
END_TEST

START_TEST(snapshot_request_without_flight_recorder_is_refused)
{
	signal_env("5s");
	pid_t pid = control_child(30);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(sigqueue(pid, SIGUSR2, (union sigval){.sival_int = -1}), 0);
	ck_assert(wait_state(pid, "failed", 1, 20));
	ck_assert_int_eq(state_number(pid, "completed"), 0);
	child_end(pid);
}
END_TEST

START_TEST(a_handler_already_there_is_left_alone)
{
	signal_env("5s");
	signal(SIGUSR2, SIG_IGN); /* inherited through exec: there before the library */
	pid_t pid = control_child(2);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(state_number(pid, "completed"), -1); /* no control state */
	ck_assert_int_eq(kill(pid, SIGUSR2), 0);  /* ignored: nothing happens */
	usleep(200000);
	ck_assert_int_eq(kill(pid, 0), 0);
	child_end(pid);
	char err[600], line[512];
	snprintf(err, sizeof err, "%s/child.err", control_dir());
	FILE *f = fopen(err, "re");
	ck_assert_ptr_nonnull(f);
	bool said = false;
	while (fgets(line, sizeof line, f))
		said |= strstr(line, "LOTRACE_SIGNAL") && strstr(line, "already ignored");
	fclose(f);
	ck_assert(said);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, plain_kill_records_a_window_of_LOTRACE_WINDOW);
	tcase_add_test(tc, sigqueue_value_sets_the_window_length_in_ms);
	tcase_add_test(tc, second_signal_ends_the_window_early);
	tcase_add_test(tc, trigger_during_a_window_is_refused);
	tcase_add_test(tc, signal_bursts_neither_crash_nor_leak);
	tcase_add_test(tc, signal_in_flight_mode_writes_a_snapshot);
	tcase_add_test(tc, snapshot_request_without_flight_recorder_is_refused);
	tcase_add_test(tc, a_handler_already_there_is_left_alone);
}
