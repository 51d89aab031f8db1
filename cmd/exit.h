/*
 * The exit statuses of every subcommand (the man page's EXIT STATUS section):
 *   0  the file was read completely and is valid
 *   1  usage error (unknown option, missing or extra argument)
 *   2  the file could not be read as a trace: one line on stderr,
 *      "lotrace: FILE: offset N: reason", nothing on stdout
 *      (also: the output could not be written)
 *   3  the file was read, but damaged or truncated parts were skipped:
 *      one warning line per damaged part, "lotrace: FILE: offset N: reason",
 *      and everything else printed as usual
 * A header of its own because the lowest modules (cmd/out.c) exit too.
 */
#ifndef LOT_CMD_EXIT_H
#define LOT_CMD_EXIT_H

enum cmd_exit {
	CMD_EXIT_OK = 0,
	CMD_EXIT_USAGE = 1,
	CMD_EXIT_UNREADABLE = 2,
	CMD_EXIT_DAMAGED = 3,
	CMD_EXIT_PIPE = 141, /* what a shell reports for death by SIGPIPE */
};

#endif
