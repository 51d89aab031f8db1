/*
 * `lotrace record [-o FILE] [--for DURATION] -- CMD [ARGS...]`: run a
 * program linked with liblotrace with tracing on from its first instruction
 * and print the trace's path when it exits.
 *
 * Everything goes through the environment (doc/ENVIRONMENT.md): the child
 * gets LOTRACE_START=1 (the library's constructor starts tracing before
 * main), LOTRACE_MODE=stream, LOTRACE_OUTPUT (the path, '%' escaped so it is
 * not a template) and, with --for, LOTRACE_DURATION.  Without -o the file is
 * lotrace-<program>-<pid>.lot, named here from the child's pid.
 *
 * Exit status: the command's (128 + signal if it was killed); 2 when it
 * wrote no readable trace although it succeeded (not linked with
 * liblotrace?), 1 on a usage error, 127 when it cannot be run.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/out.h"
#include "cmd/record_auto.h"
#include "lib/parse.h"
#include "trace-format/reader.h"

static const char usage[] =
	"lotrace record [-o FILE] [--for DURATION] [--auto|--no-auto] -- CMD [ARGS...]";
static const char help[] =
	"Run CMD (linked with liblotrace) with tracing on from its start; print the trace's path.\n"
	"  -o, --output FILE  the trace file (default lotrace-<program>-<pid>.lot, in $LOTRACE_DIR\n"
	"                     if set, else here); it must not exist\n"
	"  --for DURATION     stop tracing after DURATION (500ms, 5s, 2m); default: until exit\n"
	"  --auto             trace CMD with no code change: preload liblotrace-auto.so, which\n"
	"                     records threads, blocks (mutex, cond, rwlock, sem, sleep, io,\n"
	"                     poll, fsync) and who woke whom.  The default when CMD does not link\n"
	"                     liblotrace (read from its ELF: DT_NEEDED, or lot_start defined)\n"
	"  --no-auto          never preload: CMD must link liblotrace\n"
	"  --help             this text\n";

/* The child's file name when none is given. */
static void default_path(char *out, size_t cap, const char *cmd, pid_t pid)
{
	const char *base = strrchr(cmd, '/');
	base = base ? base + 1 : cmd;
	char clean[64];
	size_t n = 0;
	for (; *base && n + 1 < sizeof clean; base++, n++) /* no hidden file, no '%' */
		clean[n] = *base == '%' || (*base == '.' && !n) ? '_' : *base;
	clean[n] = 0;
	snprintf(out, cap, "lotrace-%s-%d.lot", clean, (int)pid);
}

/* LOTRACE_OUTPUT is a template: a literal path has its '%' doubled. */
static void escape_percent(char *out, size_t cap, const char *path)
{
	size_t n = 0;
	for (; *path && n + 2 < cap; path++) {
		if (*path == '%')
			out[n++] = '%';
		out[n++] = *path;
	}
	out[n] = 0;
}

/* Where the library puts a relative LOTRACE_OUTPUT: under LOTRACE_DIR. */
static void final_path(char *out, size_t cap, const char *path)
{
	const char *dir = getenv("LOTRACE_DIR");
	if (dir && *dir && path[0] != '/')
		snprintf(out, cap, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", path);
	else
		snprintf(out, cap, "%s", path);
}

static int exec_child(char **cmd, const char *out_path, const char *duration, bool preload)
{
	if (preload && record_auto_preload())
		_exit(127);
	char name[PATH_MAX + 1], tmpl[2 * PATH_MAX];
	if (out_path)
		snprintf(name, sizeof name, "%.*s", PATH_MAX, out_path);
	else
		default_path(name, sizeof name, cmd[0], getpid());
	escape_percent(tmpl, sizeof tmpl, name);
	if (preload && !out_path)
		record_auto_template(tmpl, sizeof tmpl, (int)getpid());
	setenv("LOTRACE_OUTPUT", tmpl, 1);
	setenv("LOTRACE_START", "1", 1);
	setenv("LOTRACE_MODE", "stream", 1);
	if (duration)
		setenv("LOTRACE_DURATION", duration, 1);
	else
		unsetenv("LOTRACE_DURATION");
	execvp(cmd[0], cmd);
	fprintf(stderr, "lotrace record: %s: %s\n", cmd[0], strerror(errno));
	_exit(127);
}

int cmd_record(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"for", required_argument, NULL, 'f'},
		{"auto", no_argument, NULL, 'A'},
		{"no-auto", no_argument, NULL, 'N'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *out_path = NULL, *duration = NULL;
	int want_auto = -1; /* -1: when CMD does not link liblotrace */
	optind = 1;
	opterr = 0;
	int c;
	uint64_t ms;
	/* '+': stop at the first non-option, CMD's own options are its own */
	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out_path = optarg;
			break;
		case 'f':
			if (lot_parse_duration(optarg, &ms))
				return cmd_usage_error("record", usage, "bad duration '%s' (e.g. 500ms, 5s, 2m)",
						       optarg);
			duration = optarg;
			break;
		case 'A':
		case 'N':
			want_auto = c == 'A';
			break;
		case 'h':
			out_printf("usage: %s\n%s", usage, help);
			out_flush();
			return CMD_EXIT_OK;
		case ':':
			return cmd_usage_error("record", usage, "option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt == 'o')
				return cmd_usage_error("record", usage, "option '-o' needs a value");
			if (optopt)
				return cmd_usage_error("record", usage, "unknown option '-%c'", optopt);
			return cmd_usage_error("record", usage, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return cmd_usage_error("record", usage, "missing CMD");
	char **cmd = argv + optind;
	enum record_links links = record_links(cmd[0]);
	if (want_auto == 1 && links == RECORD_LINKS_STATIC)
		return cmd_usage_error("record", usage, "%s contains liblotrace (linked statically): "
				       "--auto would record twice", cmd[0]);
	/* a program linked with the shared liblotrace shares it with the
	 * interposer (one recorder); one linked statically is never preloaded */
	bool preload = want_auto == 1 ||
		       (want_auto == -1 && (links == RECORD_LINKS_NONE || links == RECORD_LINKS_UNKNOWN));

	fflush(NULL);
	time_t started = time(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "lotrace record: fork: %s\n", strerror(errno));
		return CMD_EXIT_UNREADABLE;
	}
	if (pid == 0)
		exec_child(cmd, out_path, duration, preload);
	/* ^C and ^\ go to the whole foreground group: the program decides */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	int status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (status == 127)
		return status; /* could not run it: said so already */

	char name[PATH_MAX + 1], path[2 * PATH_MAX];
	if (out_path)
		snprintf(name, sizeof name, "%.*s", PATH_MAX, out_path);
	else
		default_path(name, sizeof name, cmd[0], pid);
	final_path(path, sizeof path, name);
	struct lot_read_error err;
	struct lot_reader *r = lot_reader_open(path, NULL, &err);
	if (!r) {
		if (access(path, F_OK))
			fprintf(stderr, "lotrace record: %s wrote no trace to %s (is it linked with "
				"liblotrace?)\n", cmd[0], path);
		else
			fprintf(stderr, "lotrace: %s: offset %llu: %s\n", path,
				(unsigned long long)err.offset, err.message);
		return status ? status : CMD_EXIT_UNREADABLE;
	}
	lot_reader_close(r);
	if (preload)
		record_auto_others(path, (long long)started, !out_path);
	out_printf("%s\n", path);
	return status;
}
