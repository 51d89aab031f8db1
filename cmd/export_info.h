/*
 * What every format of `lotrace export` (cmd/export.h) is told about the
 * trace, and the helpers they share to read it: a file's pid and process
 * name, stack frames' text, stacks without the recorder's frames, which
 * wake-ups get a flow arrow.  Below both export.c (which fills it) and the
 * formats (which read it), so neither calls back into the other.
 */
#ifndef LOT_CMD_EXPORT_INFO_H
#define LOT_CMD_EXPORT_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd/model.h"
#include "cmd/symbols.h"

struct sources;

#define EXPORT_TASKS_PID_OFFSET 4194304 /* PID_MAX_LIMIT: no real pid is this high */

struct export_info {
	const char *path;         /* the trace */
	struct model *model;      /* for stacks */
	uint64_t base_ns;         /* CLOCK_MONOTONIC at model time 0 */
	uint64_t pid;             /* header "pid", else 1 */
	const char *process_name; /* plain-escaped: service, else exe's basename, else "process" */
	struct symbolizer *sym;   /* names stack frames (cmd/symbols.h) */
	const struct sources *src;/* the files (processes) exported, cmd/sources.h */
	uint64_t real0_ns;        /* CLOCK_REALTIME at model time 0 */
	const char *otlp_url;     /* OTLP formats: send to this endpoint instead of writing */
	struct symbolizer **syms; /* several files: per file after the first, made on first use */
	const char *symdir;
	bool raw_symbols;
};

/* A file's (process's) pid and name for the viewer: the first file's are
 * pid and process_name; the others', their headers' (pid 0: a made-up one). */
uint64_t export_pid(const struct export_info *info, unsigned proc);
const char *export_process_name(const struct export_info *info, unsigned proc);

/* A stack frame's text: "function (file.c:12)", "module+0xoffset" or
 * "0xaddress" (cmd/symbols.h).  Valid until the export ends. */
const char *export_frame(const struct export_info *info, uint64_t pc);
/* The same for a stack of file proc (model_stack_proc()). */
const char *export_frame_of(const struct export_info *info, unsigned proc, uint64_t pc);
/* The symbolizer of file PROC (made on first use; the first file's if that fails). */
struct symbolizer *export_sym_of(const struct export_info *info, unsigned proc);

/* Whether the end of this interval gets a flow arrow from its waker to the
 * task's next slice: a block ended by an unblock of another task (a task
 * that unblocks itself -- back from a blocking call -- gets none). */
bool export_wake_flow(const struct model_interval *iv);

/* A stack's PCs, innermost first, without the recorder's own frames
 * (sym_program_stack); NULL for none. */
const uint64_t *export_stack(const struct export_info *info, uint32_t stack, size_t *n);

#endif
