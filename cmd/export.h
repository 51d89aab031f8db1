/*
 * The formats of `lotrace export`: each turns the analysis model's facts
 * (cmd/model.h) into a file a trace viewer opens, written through cmd/out.h
 * as the facts come.  export.c owns the options and runs the model through
 * the driver every analysis command shares (cmd/report.h).
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
 *     export_process_name(): cmd/export_info.h), on the merged clock, and
 *     an arrow from each span to its children in other processes
 *     (cmd/remote_links.h).
 * pprof (cmd/export_pprof.c) is the exception: the CPU samples only, as a
 * profile for `go tool pprof`.
 */
#ifndef LOT_CMD_EXPORT_H
#define LOT_CMD_EXPORT_H

#include "cmd/export_info.h"
#include "cmd/model.h"

/* finish()'s status when the OTLP endpoint could not take the data (reported). */
#define EXPORT_SEND_FAILED (-2)

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
