/*
 * The formats of `lotrace export`: each turns the analysis model's facts
 * (cmd/model.h) into a file a trace viewer opens, written through cmd/out.h
 * as the facts come.  export.c drives the model and owns the options.
 *
 * Both formats lay the trace out the same way:
 *   - the traced process (its pid) with one track per thread: spans that
 *     nest there as slices, the others as async slices (cmd/lanes.h),
 *     instants, losses, counters;
 *   - a pseudo-process "tasks" (pid + EXPORT_TASKS_PID_OFFSET, above any
 *     Linux pid) with the tasks' states as slices (running, runnable,
 *     blocked: reason, hosting) -- Chrome JSON: a track per task; Perfetto:
 *     per task name a group of lanes that tasks reuse one after the other --
 *     and a flow arrow from the waker's "unblock" mark to the runnable slice
 *     it began (not for a task that unblocks itself, export_wake_flow());
 *   - Perfetto: times on CLOCK_MONOTONIC (the trace start's start_mono_ns
 *     plus the model's times), so exports of several processes of one host
 *     line up; Chrome JSON: times from the trace start (its viewers read
 *     doubles), with start_mono_ns in otherData;
 *   - several files (cmd/sources.h): the same per file (export_pid(),
 *     export_process_name()), on the merged clock, and an arrow from each
 *     span to its children in other processes (cmd/remote_links.h).
 * pprof (cmd/export_pprof.c) is the exception: the CPU samples only, as a
 * profile for `go tool pprof`.
 */
#ifndef LOT_CMD_EXPORT_H
#define LOT_CMD_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "cmd/model.h"
#include "cmd/symbols.h"

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

/* finish()'s status when the OTLP endpoint could not take the data (reported). */
#define EXPORT_SEND_FAILED (-2)

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

struct export_format {
	const char *name;
	/* Write the prologue; NULL on ENOMEM. */
	void *(*begin)(const struct export_info *info);
	void (*interval)(void *st, const struct model_interval *iv);
	void (*span)(void *st, const struct model_span *sp);
	void (*point)(void *st, const struct model_point *pt);
	void (*task_done)(void *st, const struct model_task *t);
	void (*thread_done)(void *st, const struct model_thread *th);
	void (*sample)(void *st, const struct model_sample *sm);
	/* Any of the callbacks above may be NULL.  Write the epilogue (the summary as the file's metadata) and free st;
	 * -1 if memory ran out on the way (the file is incomplete). */
	int (*finish)(void *st, const struct model_summary *sum);
};

/* The format of a viewer that takes every part of the trace (Chrome JSON,
 * Perfetto): PREFIX_begin, _interval, _span, _point, _task_done,
 * _thread_done and _finish. */
#define EXPORT_TIMELINE_FORMAT(label, prefix)                                   \
	{                                                                      \
		.name = label, .begin = prefix##_begin, .interval = prefix##_interval, \
		.span = prefix##_span, .point = prefix##_point,                \
		.task_done = prefix##_task_done, .thread_done = prefix##_thread_done, \
		.finish = prefix##_finish,                                      \
	}

extern const struct export_format export_chrome, export_perfetto, export_pprof;
extern const struct export_format export_otlp_json, export_otlp_proto;

#endif
