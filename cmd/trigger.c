/*
 * `lotrace trigger PID [--for DURATION] [--snapshot] [--signal SIG]`: make a
 * running process that uses liblotrace write a trace window (or, with the
 * flight recorder, a snapshot), wait until the file is complete and print
 * its path.
 *
 * How it knows (doc/RECORDER.md, "Control"): the signal comes from
 * LOTRACE_SIGNAL in /proc/PID/environ (or --signal); the library publishes
 * a state file (lib/control_state.h) under the process's XDG_RUNTIME_DIR or
 * /tmp/lotrace-<uid>, which says the process is listening, its mode, and how
 * many files it completed with the last one's path.  We read the counters,
 * send the signal with sigqueue (value: the window in ms, -1 for a
 * snapshot, 0 for the process's LOTRACE_WINDOW), and poll the file until
 * `completed` (done) or `failed` (refused, with the reason) moves.
 *
 * Exit status: 0 done (the path on stdout); 1 usage; 2 the process cannot be
 * triggered (no such process, not permitted, no lotrace control); 3 it
 * refused, exited, or the file did not complete in time.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/out.h"
#include "lib/buf.h"
#include "lib/parse.h"
#include "lib/control_state.h"

static const char usage[] =
	"lotrace trigger PID [--for DURATION] [--snapshot] [--signal SIG] [--timeout DURATION]";
static const char help[] =
	"Make a running process write a trace window (or a flight-recorder snapshot); print its path.\n"
	"  --for DURATION      window length (500ms, 5s, 2m); default: the process's LOTRACE_WINDOW\n"
	"  --snapshot          write the flight recorder's history (LOTRACE_MODE=flight)\n"
	"  --signal SIG        the signal to send, when the process's LOTRACE_SIGNAL cannot be read\n"
	"  --timeout DURATION  how long to wait beyond the window (default 30s)\n"
	"  --help              this text\n";

enum { EXIT_CANNOT = 2, EXIT_FAILED = 3 };

struct target {
	int pid;
	unsigned uid;
	char *environ_;  /* NUL-separated, or NULL */
	size_t env_len;
};

static int fail(int pid, int status, const char *fmt, const char *arg)
{
	fprintf(stderr, "lotrace trigger: process %d: ", pid);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return status;
}

static const char *env_get(const struct target *t, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = 0; t->environ_ && i < t->env_len; i += strlen(t->environ_ + i) + 1)
		if (!strncmp(t->environ_ + i, key, kl) && t->environ_[i + kl] == '=')
			return t->environ_ + i + kl + 1;
	return NULL;
}

/* 0, or -errno from reading /proc/PID/environ. */
static int read_environ(struct target *t)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/environ", t->pid);
	struct lot_buf b = {0};
	int err = lot_buf_read_file(&b, p);
	if (err) {
		lot_buf_free(&b);
		return err;
	}
	t->environ_ = (char *)b.data;
	t->env_len = b.len;
	return 0;
}

/* Read the process's state file: never through a symlink, only if the
 * process's user owns it. */
static struct lot_control_state read_state(const struct target *t)
{
	struct lot_control_state s = {0};
	char p[PATH_MAX];
	lot_control_state_path(p, sizeof p, env_get(t, "XDG_RUNTIME_DIR"), t->uid, t->pid);
	int fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return s;
	struct stat st;
	FILE *f = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == t->uid
			  ? fdopen(fd, "r")
			  : NULL;
	if (!f) {
		close(fd);
		return s;
	}
	lot_control_state_parse(f, &s);
	fclose(f);
	/* a state file left by an earlier process with the same pid is not its */
	s.ok = s.ok && s.pid == t->pid && (!s.starttime || s.starttime == lot_proc_starttime(t->pid));
	return s;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int trigger(struct target *t, uint64_t for_ms, bool snapshot, int signo,
		   uint64_t timeout_ms)
{
	if (kill(t->pid, 0) && errno == ESRCH)
		return fail(t->pid, EXIT_CANNOT, "no such process%s", "");
	struct stat st;
	char p[64];
	snprintf(p, sizeof p, "/proc/%d", t->pid);
	if (stat(p, &st))
		return fail(t->pid, EXIT_CANNOT, "no such process%s", "");
	t->uid = st.st_uid;
	int err = read_environ(t);
	if (err && !signo)
		return fail(t->pid, EXIT_CANNOT, "cannot read its environment: %s (not permitted? "
			    "--signal SIG skips it)", strerror(-err));
	const char *sig_text = env_get(t, "LOTRACE_SIGNAL");
	if (!signo) {
		if (!sig_text)
			return fail(t->pid, EXIT_CANNOT, "does not run lotrace with a control signal "
				    "(no LOTRACE_SIGNAL in its environment)%s", "");
		signo = lot_parse_signal(sig_text);
		if (signo < 0)
			return fail(t->pid, EXIT_CANNOT, "its LOTRACE_SIGNAL=%s is not a usable signal",
				    sig_text);
	}
	struct lot_control_state before = read_state(t);
	if (!before.ok)
		return fail(t->pid, EXIT_CANNOT, "no lotrace control state (is it linked with "
			    "liblotrace, and was LOTRACE_SIGNAL set when it started?)%s", "");
	if (before.signal && before.signal != signo)
		fprintf(stderr, "lotrace trigger: process %d listens to signal %d, sending that\n",
			t->pid, signo = before.signal);
	bool flight = before.flight;
	if (snapshot && !flight)
		return fail(t->pid, EXIT_CANNOT, "has no flight recorder (LOTRACE_MODE=flight) to "
			    "snapshot%s", "");
	uint64_t window = for_ms;
	if (!window && !flight) {
		const char *w = env_get(t, "LOTRACE_WINDOW");
		if (!w || lot_parse_duration(w, &window))
			window = 5000;
	}
	if (!flight && before.window[0])
		return fail(t->pid, EXIT_FAILED, "a window is open (writing %s): refused", before.window);
	int value = flight ? -1 : (int)for_ms;
	if (sigqueue(t->pid, signo, (union sigval){.sival_int = value}))
		return fail(t->pid, errno == ESRCH ? EXIT_CANNOT : EXIT_CANNOT, "cannot signal it: %s",
			    strerror(errno));
	uint64_t deadline = now_ms() + (flight ? 0 : window) + timeout_ms;
	for (;;) {
		struct lot_control_state s = read_state(t);
		if (s.ok && s.completed > before.completed) {
			out_printf("%s\n", s.last);
			return CMD_EXIT_OK;
		}
		if (s.ok && s.failed > before.failed)
			return fail(t->pid, EXIT_FAILED, "%s", s.error);
		if (kill(t->pid, 0) && errno == ESRCH)
			return fail(t->pid, EXIT_FAILED, "exited before the file was complete%s", "");
		if (now_ms() > deadline)
			return fail(t->pid, EXIT_FAILED, "no complete file in time (see its stderr)%s",
				    "");
		nanosleep(&(struct timespec){0, 20 * 1000000}, NULL);
	}
}

int cmd_trigger(int argc, char **argv)
{
	static const struct option opts[] = {
		{"for", required_argument, NULL, 'f'},
		{"snapshot", no_argument, NULL, 's'},
		{"signal", required_argument, NULL, 'S'},
		{"timeout", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	uint64_t for_ms = 0, timeout_ms = 30000;
	bool snapshot = false;
	int signo = 0;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (lot_parse_duration(optarg, &for_ms) || for_ms > INT32_MAX)
				return cmd_usage_error("trigger", usage,
						       "bad duration '%s' (e.g. 500ms, 5s, 2m)", optarg);
			break;
		case 't':
			if (lot_parse_duration(optarg, &timeout_ms))
				return cmd_usage_error("trigger", usage,
						       "bad duration '%s' (e.g. 500ms, 5s, 2m)", optarg);
			break;
		case 's':
			snapshot = true;
			break;
		case 'S':
			signo = lot_parse_signal(optarg);
			if (signo < 0)
				return cmd_usage_error("trigger", usage, "bad signal '%s'", optarg);
			break;
		case 'h':
			out_printf("usage: %s\n%s", usage, help);
			out_flush();
			return CMD_EXIT_OK;
		default:
			if (optopt)
				return cmd_usage_error("trigger", usage, "option needs a value or is "
						       "unknown: '%s'", argv[optind - 1]);
			return cmd_usage_error("trigger", usage, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return cmd_usage_error("trigger", usage, "missing PID");
	if (optind + 1 < argc)
		return cmd_usage_error("trigger", usage, "unexpected argument '%s'", argv[optind + 1]);
	if (snapshot && for_ms)
		return cmd_usage_error("trigger", usage, "--snapshot and --for exclude each other");
	char *end;
	long pid = strtol(argv[optind], &end, 10);
	if (*end || end == argv[optind] || pid <= 0 || pid > INT32_MAX)
		return cmd_usage_error("trigger", usage, "bad PID '%s'", argv[optind]);
	struct target t = {.pid = (int)pid};
	int st = trigger(&t, for_ms, snapshot, signo, timeout_ms);
	free(t.environ_);
	return st;
}
