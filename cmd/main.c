/*
 * `lotrace`: subcommand dispatch.  The subcommands are listed once, in
 * cmd/commands.h; each lives in its own file.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/out.h"

struct command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

#define LOT_CMD_ENTRY(name, summary) {#name, summary, cmd_##name},
static const struct command commands[] = {LOT_COMMANDS(LOT_CMD_ENTRY)};
#undef LOT_CMD_ENTRY

static void print_usage(FILE *f)
{
	fprintf(f, "usage: lotrace COMMAND [OPTIONS] FILE\n"
		   "       lotrace --help | --version\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'lotrace COMMAND --help' describes a command's options; "
		   "see also lotrace(1).\n");
}

int main(int argc, char **argv)
{
	/* A parent that ignored SIGPIPE must not turn `| head` into EPIPE messages;
	 * out.c also ends quietly on EPIPE should the signal be blocked. */
	signal(SIGPIPE, SIG_DFL);

	if (argc < 2) {
		print_usage(stderr);
		return CMD_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		print_usage(stdout);
		return fflush(stdout) ? CMD_EXIT_UNREADABLE : CMD_EXIT_OK;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
		printf("lotrace %s (git %s)\n", LOT_VERSION, LOT_GIT_COMMIT);
		return fflush(stdout) ? CMD_EXIT_UNREADABLE : CMD_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (!strcmp(name, commands[i].name)) {
			int status = commands[i].run(argc - 1, argv + 1);
			out_flush();
			return status;
		}
	}
	fprintf(stderr, "lotrace: unknown command '%s'\n", name);
	print_usage(stderr);
	return CMD_EXIT_USAGE;
}
