/*
 * Control figures, in one process and its child:
 *  - event cost in flight mode against stream mode: lot_counter() in a loop
 *    of N events, alternating a stream session (to a file in $TMPDIR,
 *    deleted after) and a flight session, ROUNDS times each; the fastest
 *    round of each (the least disturbed); the target is no more than 10%
 *    apart, since the probe's path is the same and only the flusher differs;
 *  - the signal window's latencies, WINDOWS windows in a child started with
 *    LOTRACE_SIGNAL=USR2 whose ticker thread records a counter every
 *    ~100 us: from kill() to the first event recorded in the window, and
 *    from the window's last event (the stop's final clock_sync) to the file
 *    complete: closed, which the child's state file then says (polled every
 *    0.25 ms; file mtimes are too coarse).  Medians of the windows.
 * Under callgrind (--callgrind) nothing is measured: these are wall-clock
 * figures of threads working together.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "trace-format/reader.h"
#include "tracer/lotrace.h"

#define N 2000000
#define ROUNDS 5
#define WINDOWS 7
#define WINDOW_MS 200

static double counters(void)
{
	uint64_t t0 = bench_ns();
	for (int64_t i = 0; i < N; i++)
		lot_counter("bench", i);
	return (double)(bench_ns() - t0) / N;
}

static void event_cost(const char *dir)
{
	setenv("LOTRACE_BUFFER_SIZE", "64M", 1);
	setenv("LOTRACE_FLIGHT_SIZE", "192M", 1);
	setenv("LOTRACE_STACKS", "0", 1);
	double best_stream = 1e9, best_flight = 1e9;
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/bench-control-%d.lot", dir, (int)getpid());
	for (int r = 0; r < ROUNDS; r++) {
		unlink(path);
		if (lot_start(path)) {
			bench_skip("control", "flight_event", "lot_start failed");
			return;
		}
		double s = counters();
		lot_stop();
		unlink(path);
		if (lot_flight_start()) {
			bench_skip("control", "flight_event", "lot_flight_start failed");
			return;
		}
		double f = counters();
		lot_stop();
		best_stream = s < best_stream ? s : best_stream;
		best_flight = f < best_flight ? f : best_flight;
	}
	bench_emit(&(struct bench_result){
		.bench = "control", .metric = "flight_event",
		.what = "lot_counter() while the flight recorder runs (fastest of 5 rounds of 2 M)",
		.unit = "ns", .value = best_flight, .base = "stream mode, same run",
		.base_value = best_stream, .ratio_target = "<= 1.1"});
}

/* ---- the child: idle but instrumented ---- */

static int child(void)
{
	for (int64_t i = 0;; i++) {
		lot_counter("tick", i);
		nanosleep(&(struct timespec){0, 100000}, NULL);
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The first tick's CLOCK_MONOTONIC and the last event's CLOCK_REALTIME. */
static bool window_times(const char *path, uint64_t *first_mono, uint64_t *last_real)
{
	struct lot_read_error err;
	struct lot_reader *r = lot_reader_open(path, NULL, &err);
	if (!r)
		return false;
	const struct lot_clock_info *c = &lot_reader_header(r)->clock;
	struct lot_chunk *ch;
	struct lot_event ev;
	uint64_t first = UINT64_MAX, last = 0;
	while (lot_reader_next_chunk(r, &ch) == 1)
		while (lot_chunk_next_event(r, &ev) == 1) {
			if (ev.synthetic)
				continue;
			if (ev.code == LOT_EV_counter && ev.ticks < first)
				first = ev.ticks;
			last = ev.ticks > last ? ev.ticks : last;
		}
	bool ok = lot_reader_trailer_summary(r) && first != UINT64_MAX;
	if (ok) {
		*first_mono = c->start_mono_ns + (uint64_t)lot_ticks_to_ns(c, first);
		*last_real = c->start_real_ns + (uint64_t)lot_ticks_to_ns(c, last);
	}
	lot_reader_close(r);
	return ok;
}

static long long state_completed(const char *state)
{
	FILE *f = fopen(state, "re");
	char line[PATH_MAX + 64];
	long long n = -1;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "completed ", 10))
			n = atoll(line + 10);
	if (f)
		fclose(f);
	return n;
}

static void latencies(const char *self, const char *dir)
{
	char xdg[PATH_MAX], win[16], state[PATH_MAX + 64];
	snprintf(xdg, sizeof xdg, "%s/bench-control-%d", dir, (int)getpid());
	mkdir(xdg, 0700);
	snprintf(win, sizeof win, "%dms", WINDOW_MS);
	pid_t pid = fork();
	if (pid == 0) {
		setenv("XDG_RUNTIME_DIR", xdg, 1);
		setenv("LOTRACE_DIR", xdg, 1);
		setenv("LOTRACE_SIGNAL", "USR2", 1);
		setenv("LOTRACE_WINDOW", win, 1);
		setenv("LOTRACE_OUTPUT", "w-%n.lot", 1);
		setenv("LOTRACE_BUFFER_SIZE", "4M", 1);
		execl(self, self, "--child", (char *)NULL);
		_exit(127);
	}
	snprintf(state, sizeof state, "%s/lotrace/%d", xdg, (int)pid);
	for (int i = 0; i < 500 && access(state, R_OK); i++)
		usleep(10000);
	double to_first[WINDOWS], to_file[WINDOWS];
	int n = 0;
	for (int w = 1; w <= WINDOWS; w++) {
		usleep(300000);
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		uint64_t sent = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		kill(pid, SIGUSR2);
		/* the control thread publishes the state once the file is closed */
		for (int i = 0; i < 20000 && state_completed(state) < w; i++)
			usleep(250);
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t done = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		char path[PATH_MAX + 32];
		snprintf(path, sizeof path, "%s/w-%d.lot", xdg, w);
		uint64_t first, last;
		if (!window_times(path, &first, &last) || done < last || first < sent)
			continue;
		to_first[n] = (double)(first - sent) / 1e6;
		to_file[n] = (double)(done - last) / 1e6;
		n++;
		unlink(path);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	rmdir(state); /* not a directory: harmless */
	unlink(state);
	char lotdir[PATH_MAX + 16];
	snprintf(lotdir, sizeof lotdir, "%s/lotrace", xdg);
	rmdir(lotdir);
	rmdir(xdg);
	if (n < 5) {
		bench_skip("control", "signal_to_first_event", "fewer than 5 windows completed");
		return;
	}
	qsort(to_first, (size_t)n, sizeof *to_first, cmp_double);
	qsort(to_file, (size_t)n, sizeof *to_file, cmp_double);
	bench_emit(&(struct bench_result){
		.bench = "control", .metric = "signal_to_first_event",
		.what = "kill(USR2) to the first event of the window (median of 7 windows; "
			"events every ~0.1 ms)",
		.unit = "ms", .value = to_first[n / 2]});
	bench_emit(&(struct bench_result){
		.bench = "control", .metric = "window_end_to_file",
		.what = "the window's last event to its file complete and announced in the state file "
			"(median of 7 windows)",
		.unit = "ms", .value = to_file[n / 2]});
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--child"))
		return child();
	bench_init(argc, argv);
	if (bench_callgrind)
		return 0;
	const char *dir = getenv("TMPDIR");
	if (!dir)
		dir = "/tmp";
	event_cost(dir);
	latencies(argv[0], dir);
	return 0;
}
