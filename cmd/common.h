/*
 * What every subcommand shares: opening a trace with warnings printed as
 * they are found (cmd/warn.h), the exit statuses (cmd/exit.h) and the usual
 * "[--json] FILE" options.
 */
#ifndef LOT_CMD_COMMON_H
#define LOT_CMD_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd/exit.h"
#include "cmd/warn.h"
#include "trace-format/reader.h"

/* A time from the trace start, as --from/--to take it: "1.5ms", "200us",
 * "2s", "100ns" or plain nanoseconds; -1 if malformed. */
int64_t cmd_parse_time(const char *s);

/* --show-tracer, which every analysis command takes (model_opts.show_tracer):
 * its getopt_long entry, its code, its --help line. */
#define CMD_OPT_SHOW_TRACER 0x1004
#define CMD_SHOW_TRACER_OPTION {"show-tracer", no_argument, NULL, CMD_OPT_SHOW_TRACER}
/* The end of every command's option table: --show-tracer, --help, the end. */
#define CMD_COMMON_OPTIONS \
	CMD_SHOW_TRACER_OPTION, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
#define CMD_SHOW_TRACER_HELP "  --show-tracer   the recorder's own threads (flusher, control) too\n"

/* Print "lotrace CMD: message" and the subcommand's usage to stderr; returns CMD_EXIT_USAGE. */
int cmd_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Parse "[--json] [--show-tracer] [--help] FILE" (argv[0] is the subcommand;
 * --show-tracer only if show_tracer is not NULL).  Returns -1 when the caller
 * should go on, else the exit status to return right away (0 after --help,
 * CMD_EXIT_USAGE after a usage error, already reported).
 */
int cmd_parse_file_opts(int argc, char **argv, const char *usage, const char *help,
			bool *json, bool *show_tracer, const char **path);

/* After the options: one or more FILEs (or directories of .lot files,
 * cmd/sources.h) in argv[optind..], expanded into *paths (to free with
 * sources_free_paths()).  -1 to go on, else the exit status (reported). */
int cmd_take_files(int argc, char **argv, const char *usage, char ***paths, size_t *n_paths);

/* After the options: exactly one FILE left in argv[optind..].  -1 and *path
 * set, else the usage error's status (reported). */
int cmd_take_file(int argc, char **argv, const char *usage, const char **path);
/* --help: the usage and help text on stdout; returns CMD_EXIT_OK. */
int cmd_help(const char *usage, const char *help);

/* Open a trace; warnings found while reading go to stderr as they are met.
 * NULL after printing why it is not a readable trace (exit with CMD_EXIT_UNREADABLE). */
struct lot_reader *cmd_open(const char *path);

/* Flush the output, close the reader, and return the exit status its read earned. */
int cmd_close(struct lot_reader *r);

/* Make standard output the file OUT (created or truncated), so that
 * everything written through out.h goes there; "-" keeps standard output.
 * 0, or -1 after printing "lotrace CMD: OUT: reason". */
int cmd_redirect_stdout(const char *cmd, const char *out);

#endif
