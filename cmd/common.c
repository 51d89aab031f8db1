#include "cmd/common.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/out.h"
#include "cmd/sources.h"

int cmd_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "lotrace %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s\nTry 'lotrace %s --help'.\n", usage, cmd);
	return CMD_EXIT_USAGE;
}

/* "[--json] [--show-tracer] [--help]": -1 to go on with the FILE arguments,
 * else the exit status. */
static int parse_json_help(int argc, char **argv, const char *usage, const char *help, bool *json,
			   bool *show_tracer)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		CMD_COMMON_OPTIONS,
	};
	const char *cmd = argv[0];
	*json = false;
	optind = 1;
	opterr = 0; /* we word the message ourselves */
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			*json = true;
			break;
		case 'h':
			return cmd_help(usage, help);
		case CMD_OPT_SHOW_TRACER:
			if (show_tracer) {
				*show_tracer = true;
				break;
			}
			return cmd_usage_error(cmd, usage, "unknown option '%s'", argv[optind - 1]);
		default: /* optopt is set for a bad short option, 0 for a bad long one */
			if (optopt)
				return cmd_usage_error(cmd, usage, "unknown option '-%c'", optopt);
			return cmd_usage_error(cmd, usage, "unknown option '%s'", argv[optind - 1]);
		}
	}
	return -1;
}

int cmd_parse_file_opts(int argc, char **argv, const char *usage, const char *help,
			bool *json, bool *show_tracer, const char **path)
{
	int st = parse_json_help(argc, argv, usage, help, json, show_tracer);
	return st >= 0 ? st : cmd_take_file(argc, argv, usage, path);
}

int cmd_take_files(int argc, char **argv, const char *usage, char ***paths, size_t *n_paths)
{
	if (optind == argc)
		return cmd_usage_error(argv[0], usage, "missing FILE");
	if (sources_expand(argv[0], argv + optind, (size_t)(argc - optind), paths, n_paths))
		return CMD_EXIT_UNREADABLE;
	return -1;
}

int cmd_take_file(int argc, char **argv, const char *usage, const char **path)
{
	if (optind == argc)
		return cmd_usage_error(argv[0], usage, "missing FILE");
	if (optind + 1 < argc)
		return cmd_usage_error(argv[0], usage, "unexpected argument '%s'", argv[optind + 1]);
	*path = argv[optind];
	return -1;
}

int cmd_help(const char *usage, const char *help)
{
	out_printf("usage: %s\n%s", usage, help);
	out_flush();
	return CMD_EXIT_OK;
}

static void diag(void *ctx, uint64_t offset, const char *message)
{
	cmd_warn(ctx, (unsigned long long)offset, message);
}

struct lot_reader *cmd_open(const char *path)
{
	struct lot_reader_opts opts = {.diag = diag, .diag_ctx = (void *)path};
	struct lot_read_error err = {0};
	struct lot_reader *r = lot_reader_open(path, &opts, &err);
	if (!r)
		cmd_warn(path, (unsigned long long)err.offset,
			 err.message[0] ? err.message : "cannot read");
	return r;
}

int cmd_close(struct lot_reader *r)
{
	out_flush();
	bool damaged = lot_reader_damaged(r);
	lot_reader_close(r);
	return damaged ? CMD_EXIT_DAMAGED : CMD_EXIT_OK;
}

int cmd_redirect_stdout(const char *cmd, const char *out)
{
	if (!strcmp(out, "-"))
		return 0;
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) {
		fprintf(stderr, "lotrace %s: %s: %s\n", cmd, out, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int64_t cmd_parse_time(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	double unit = 1;
	if (!strcmp(end, "s"))
		unit = 1e9;
	else if (!strcmp(end, "ms"))
		unit = 1e6;
	else if (!strcmp(end, "us"))
		unit = 1e3;
	else if (strcmp(end, "ns") && *end)
		return -1;
	return (int64_t)(v * unit + 0.5);
}
