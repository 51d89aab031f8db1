/*
 * The list of `lotrace` subcommands.  Adding one is a file cmd/<name>.c
 * defining `int cmd_<name>(int argc, char **argv)` plus one line here (and
 * the file in cmd/local.mk); main.c generates its dispatch table and the
 * prototypes from this list.
 *
 * Each entry: X(name, one-line summary for `lotrace --help`).
 * A subcommand gets argv[0] == its name and returns the exit status.
 */
#ifndef LOT_CMD_COMMANDS_H
#define LOT_CMD_COMMANDS_H

#define LOT_COMMANDS(X)                                                        \
	X(info, "summarise a trace: metadata, clock, threads, counts, losses")  \
	X(dump, "print every event, one per line (text or JSON lines)")         \
	X(spans, "span latency per name; the slowest spans, where their time went") \
	X(tasks, "per task name: running, runnable (scheduler latency), blocked")  \
	X(flame, "folded stacks (or an SVG flame graph) weighted by time in a state") \
	X(profile, "CPU time from CPU samples by function, span (endpoint), task or thread") \
	X(timeline, "per-thread or per-task states over time (terminal, SVG)") \
	X(export, "convert for the Perfetto UI: Chrome JSON or Perfetto protobuf") \
	X(record, "run a program with tracing on from its start")              \
	X(trigger, "make a running process write a trace window or snapshot")

#define LOT_CMD_PROTO(name, summary) int cmd_##name(int argc, char **argv);
LOT_COMMANDS(LOT_CMD_PROTO)
#undef LOT_CMD_PROTO

#endif
