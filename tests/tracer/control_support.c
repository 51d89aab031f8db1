#include "control_support.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "trace-format/reader.h"
#include "lib/control_state.h"

extern char **environ;

uint64_t mono_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *control_dir(void)
{
	static char dir[256];
	if (!dir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(dir, sizeof dir, "%s/lotrace-ctl-XXXXXX", t ? t : "/tmp");
		if (!mkdtemp(dir))
			abort();
		setenv("XDG_RUNTIME_DIR", dir, 1);
		setenv("LOTRACE_DIR", dir, 1);
	}
	return dir;
}

static void state_path(pid_t pid, char *out, size_t cap)
{
	lot_control_state_path(out, cap, getenv("XDG_RUNTIME_DIR"), (unsigned)getuid(), pid);
}

static bool signal_ignored(void)
{
	struct sigaction sa;
	return sigaction(SIGUSR2, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN;
}

pid_t control_child(int seconds)
{
	char arg[16], err[512];
	snprintf(arg, sizeof arg, "%d", seconds);
	snprintf(err, sizeof err, "%s/child.err", control_dir());
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_APPEND, 0600);
	char prog[] = "tests/tracer/control_child";
	char *argv[] = {prog, arg, NULL};
	pid_t pid;
	if (posix_spawn(&pid, prog, &fa, NULL, argv, environ))
		return -1;
	posix_spawn_file_actions_destroy(&fa);
	char p[PATH_MAX];
	state_path(pid, p, sizeof p);
	for (int i = 0; i < 1000 && access(p, R_OK) && kill(pid, 0) == 0; i++) {
		if (i == 100 && getenv("LOTRACE_SIGNAL") && signal_ignored())
			break; /* no state file is coming */
		usleep(10000);
	}
	return pid;
}

static bool state_value(pid_t pid, const char *key, char *out, size_t cap)
{
	char p[PATH_MAX], line[PATH_MAX + 64];
	state_path(pid, p, sizeof p);
	FILE *f = fopen(p, "re");
	if (!f)
		return false;
	size_t kl = strlen(key);
	bool found = false;
	while (!found && fgets(line, sizeof line, f))
		if (!strncmp(line, key, kl) && line[kl] == ' ') {
			line[strcspn(line, "\n")] = 0;
			snprintf(out, cap, "%s", line + kl + 1);
			found = true;
		}
	fclose(f);
	return found;
}

long long state_number(pid_t pid, const char *key)
{
	char v[64];
	return state_value(pid, key, v, sizeof v) ? atoll(v) : -1;
}

bool state_last(pid_t pid, char *out, size_t cap)
{
	return state_value(pid, "last", out, cap);
}

bool wait_window_open(pid_t pid, int timeout_s)
{
	char v[PATH_MAX];
	for (int i = 0; i < timeout_s * 100; i++) {
		if (state_value(pid, "window", v, sizeof v) && v[0])
			return true;
		usleep(10000);
	}
	return false;
}

bool wait_state(pid_t pid, const char *key, long long n, int timeout_s)
{
	for (int i = 0; i < timeout_s * 100; i++) {
		if (state_number(pid, key) >= n)
			return true;
		usleep(10000);
	}
	return false;
}

void child_end(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

struct span trace_span(const char *path)
{
	return trace_span_of(path, NULL);
}

struct span trace_span_of(const char *path, const char *counter)
{
	struct span s = {0};
	struct lot_read_error err;
	struct lot_reader *r = lot_reader_open(path, NULL, &err);
	if (!r) {
		fprintf(stderr, "%s: %s\n", path, err.message);
		return s;
	}
	const struct lot_clock_info *c = &lot_reader_header(r)->clock;
	const char *mode = lot_reader_meta(r, "mode");
	snprintf(s.mode, sizeof s.mode, "%s", mode ? mode : "");
	struct lot_chunk *ch;
	struct lot_event ev;
	s.first_ns = UINT64_MAX;
	while (lot_reader_next_chunk(r, &ch) == 1) {
		s.lost += ch->info.lost;
		while (lot_chunk_next_event(r, &ev) == 1) {
			if (ev.synthetic || ev.code == LOT_EV_clock_sync)
				continue;
			if (counter && (ev.code != LOT_EV_counter ||
					ev.args[LOT_ARG_counter_name].len != strlen(counter) ||
					memcmp(ev.args[LOT_ARG_counter_name].str, counter, strlen(counter))))
				continue;
			uint64_t ns = c->start_mono_ns + (uint64_t)lot_ticks_to_ns(c, ev.ticks);
			s.first_ns = ns < s.first_ns ? ns : s.first_ns;
			s.last_ns = ns > s.last_ns ? ns : s.last_ns;
			s.events++;
		}
	}
	const struct lot_trailer *tr = lot_reader_trailer_summary(r);
	s.has_trailer = tr != NULL;
	if (tr) { /* the trailer's per-thread losses include the chunk headers' */
		s.lost = 0;
		for (size_t i = 0; i < tr->n_threads; i++)
			s.lost += tr->threads[i].lost;
	}
	s.damaged = lot_reader_damaged(r);
	s.ok = true;
	lot_reader_close(r);
	return s;
}

long long trailer_stat(const char *path, const char *key)
{
	struct lot_read_error err;
	struct lot_reader *r = lot_reader_open(path, NULL, &err);
	if (!r)
		return -1;
	struct lot_chunk *ch;
	while (lot_reader_next_chunk(r, &ch) == 1)
		;
	long long v = -1;
	const struct lot_trailer *tr = lot_reader_trailer_summary(r);
	for (size_t i = 0; tr && i < tr->n_stats; i++)
		if (!strcmp(tr->stats[i].key, key))
			v = (long long)tr->stats[i].value;
	lot_reader_close(r);
	return v;
}

int fd_count(pid_t pid)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/fd", (int)pid);
	DIR *d = opendir(p);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}
