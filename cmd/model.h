/*
 * The analysis model: one streaming pass over a trace that turns its events
 * (doc/FORMAT.md §5.3) into derived facts, delivered through callbacks:
 *
 *   - task state intervals: RUNNING on a thread, RUNNABLE, BLOCKED (reason,
 *     detail, the block's stack, and who unblocked it), HOSTING (a thread's
 *     own task while the thread runs another task);
 *   - segments: the same time cut finer, wherever the task's stack or its
 *     set of open spans changes (flame graphs, per-span figures);
 *   - completed spans with their latency breakdown (sum == wall time),
 *     the blocks inside them and who ended each, and their direct children;
 *   - per-task summaries when a task ends (or at trace end, flagged open),
 *     per-thread summaries at trace end;
 *   - instants, counters, thread begin/end and losses, as they come;
 *   - CPU samples, as they come, attributed to a task and a span.
 *
 * The rules (what "runnable" means, how yields, ends, losses and events read
 * out of time order are handled) are in doc/ANALYSIS.md.  In short: chunks of
 * different threads are interleaved in the file only roughly in time, so the
 * model first merges the events into time order through a bounded reorder
 * window (cmd/reorder.h), then runs one state machine per thread and task.
 * Memory is bounded by the window, the live tasks and spans, and the distinct
 * names and stacks, never by the length of the file.
 *
 * Everything delivered to a callback is valid only during the call, except
 * names (struct model_str, interned: valid until model_free(), and equal
 * names have equal pointers) and stacks (ids valid until model_free()).
 * Times are nanoseconds since the trace start (the header's start_ticks; with
 * several files, the earliest file's start on the merged clock,
 * cmd/sources.h); add
 * model_summary.start_real_ns for wall-clock time.
 */
#ifndef LOT_CMD_MODEL_H
#define LOT_CMD_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace-format/reader.h"

/* An interned name from the trace: s is NUL-terminated (the bytes may hold
 * more NULs: use n), and the same bytes always give the same s. */
struct model_str {
	const char *s;
	size_t n;
};

enum model_state {
	MODEL_RUNNING = 0,  /* on a thread (tid) */
	MODEL_RUNNABLE = 1, /* created, unblocked, yielded or switched out, not yet running again */
	MODEL_BLOCKED = 2,  /* blocked by reason until unblocked (or seen running again) */
	MODEL_HOSTING = 3,  /* a thread's own task while its thread runs another task */
	MODEL_STATES = 4,
};

/* "running", "runnable", "blocked", "hosting". */
const char *model_state_name(enum model_state s);

/* Time spent blocked for one reason. */
struct model_reason_ns {
	struct model_str reason;
	uint64_t ns;
};

/* A task.  The pointer is valid until the task_done callback for it returns. */
struct model_task {
	uint64_t key;          /* the model's number for it, unique in the trace, from 1 */
	unsigned proc;         /* the file (process) it is from: index in the sources, 0 for one file */
	uint64_t id;           /* the trace's task id; 0 while unknown (a thread's own task) */
	struct model_str name; /* task_create's name; a thread's own task: the thread's name */
	uint64_t parent;       /* parent task id from task_create, 0 none */
	bool is_thread;        /* a thread's own (implicit) task */
	uint64_t tid;          /* is_thread: its thread */
	int64_t created_ns;    /* task_create's time, or first sight */
	int64_t last_ns;       /* end, or last state change */
	bool ended;            /* task_end seen (else: open at trace end) */
	bool referenced_only;  /* never created nor started in the trace, only unblocked
				  (a thread's own task whose id the trace never tied to
				  its thread, or a task from before the trace) */
	/* Totals so far (complete in task_done). */
	uint64_t state_ns[MODEL_STATES];
	uint64_t runnable_count; /* RUNNABLE intervals (scheduler waits) */
	uint64_t blocked_count;
	uint64_t running_count;
	const struct model_reason_ns *blocked_by; /* BLOCKED time by reason */
	size_t n_blocked_by;
};

/* Who ended a block (woken): the waker's task, thread and the unblock's stack. */
struct model_waker {
	uint64_t task_key, task_id;
	struct model_str task_name;
	uint64_t tid;
	uint32_t stack;
};

/* A closed state interval of one task. */
struct model_interval {
	const struct model_task *task;
	enum model_state state;
	int64_t start_ns, end_ns;
	uint64_t tid;                  /* RUNNING, HOSTING: the thread; else where it began (0: unknown) */
	struct model_str reason;       /* BLOCKED: block reason; RUNNABLE: "created", "unblocked",
					  "yield", "switched out" */
	struct model_str detail;       /* BLOCKED: the block's detail (may be empty) */
	uint32_t stack;                /* stack of the event that began it (block, create, unblock); 0 none */
	bool woken;                    /* BLOCKED: ended by a recorded unblock (waker valid) */
	struct model_waker waker;
	bool open;                     /* still in this state at trace end (end_ns = trace end) */
};

struct model_span;

/* A piece of an interval over which the task's stack and open spans stay the
 * same: what flame graphs weigh.  stack is the last stacked event of the task
 * (block, unblock by it, span begin, instant, create) at or after the
 * interval's start; 0 when none yet. */
struct model_segment {
	const struct model_task *task;
	enum model_state state;
	int64_t start_ns, end_ns;
	uint64_t tid;
	struct model_str reason; /* as in model_interval */
	uint32_t stack;
	const struct model_span *const *spans; /* the task's open spans, outermost first */
	size_t n_spans;
};

struct model_attr {
	struct model_str key;
	bool is_str;
	int64_t i;
	const char *str; /* is_str: the value (a copy, not interned) */
	size_t len;
};

/* A block of the span's task while the span was open. */
struct model_block {
	int64_t start_ns, end_ns;     /* clipped to the span */
	struct model_str reason, detail;
	uint32_t stack;               /* the block's stack */
	bool woken;                   /* waker valid */
	bool open;                    /* still blocked when the span ended */
	struct model_waker waker;
};

struct model_child {
	uint64_t span_id;
	struct model_str name;
	int64_t start_ns, end_ns;
};

#define MODEL_SPAN_MAX_BLOCKS 32    /* kept per span; more are counted in blocks_dropped */
#define MODEL_SPAN_MAX_CHILDREN 64  /* likewise children_dropped */

/* A completed span.  The breakdown covers [start_ns, end_ns] exactly:
 * state_ns[RUNNING] + [RUNNABLE] + [BLOCKED] + [HOSTING] + unknown_ns == wall. */
struct model_span {
	uint64_t span_id, parent_id;
	unsigned proc;                /* the file (process): index in the sources */
	uint8_t trace_id[16];
	struct model_str name;
	uint64_t task_key, task_id;   /* the task current on the thread at span_begin */
	struct model_str task_name;
	uint64_t begin_tid, end_tid;  /* end_tid 0: open at trace end */
	int64_t start_ns, end_ns;
	uint32_t stack;               /* span_begin's stack */
	bool open;                    /* never ended: closed at trace end */
	const struct model_attr *attrs;
	size_t n_attrs;
	uint64_t state_ns[MODEL_STATES];
	uint64_t unknown_ns;          /* the task's state was unknown (or the task had ended) */
	const struct model_reason_ns *blocked_by; /* BLOCKED time by reason */
	size_t n_blocked_by;
	const struct model_block *blocks;
	size_t n_blocks;
	uint64_t blocks_dropped;
	const struct model_child *children; /* direct children that ended inside it */
	size_t n_children;
	uint64_t children_dropped;
	/* CPU samples counted for it (doc/ANALYSIS.md "CPU samples"): its
	 * task's while it was open (children's included, as running time is),
	 * and those of tasks that inherited it or a descendant */
	uint64_t cpu_samples;
	uint64_t cpu_ns;              /* their weights times the sampling period */
};

/* A CPU sample (cpu_sample event): the thread was on a CPU for `weight`
 * sampling periods, running the code of `stack` (innermost first: the
 * interrupted PC).  A sample never changes a task's state. */
struct model_sample {
	int64_t ns;
	unsigned proc;                 /* the file (process) */
	uint64_t tid;
	const struct model_task *task; /* the thread's current task; NULL: none (the thread's alone) */
	uint32_t stack;
	uint64_t weight;               /* sampling periods it stands for (>= 1) */
	uint64_t cpu_ns;               /* weight * period (0 when the period is unknown) */
	/* The span it is attributed to: the task's innermost open span, else the
	 * span the task inherited at its task_create (inherited; that span may
	 * have ended).  span_id 0: none. */
	uint64_t span_id;
	uint8_t trace_id[16];
	struct model_str span_name;
	bool inherited;
	/* The open spans whose cpu_samples/cpu_ns it adds to, innermost first. */
	const struct model_span *const *spans;
	size_t n_spans;
};

/* Instants, counters, thread begin/end, losses: passed through in time order. */
struct model_point {
	uint8_t code;                    /* LOT_EV_instant, _counter, _thread_begin, _thread_end, _lost */
	unsigned proc;                   /* the file (process) */
	int64_t ns;
	uint64_t tid;
	const struct model_task *task;   /* the thread's current task (NULL if none yet) */
	struct model_str name;           /* instant/counter name, thread_begin name */
	int64_t value;                   /* counter value; lost: the count */
	uint32_t stack;
	bool synthetic;                  /* lost: from a chunk header or the trailer */
};

struct model_thread {
	uint64_t tid;
	unsigned proc;               /* the file (process) */
	struct model_str name;
	int64_t first_ns, last_ns;   /* first and last event read */
	bool began, ended;           /* thread_begin / thread_end seen */
	uint64_t events, lost;       /* timed events read; events lost (chunk headers, in-band, trailer) */
	uint64_t own_task_key;       /* its own task (0 if it never ran) */
	uint64_t busy_ns;            /* time some task was RUNNING on it */
	bool tracer;                 /* the recorder's own thread (tracer_thread) */
};

struct model_summary {
	int64_t start_ns, end_ns;    /* first event (or 0) and trace end (last event or trailer end) */
	uint64_t start_real_ns;      /* CLOCK_REALTIME at time 0 */
	uint64_t events;             /* timed events read */
	uint64_t lost;               /* events lost, all threads */
	uint64_t threads, tasks, spans; /* threads: those reported (tracer's own left out) */
	uint64_t late_events;        /* arrived after the reorder window had passed their time */
	uint64_t span_ends_unmatched;/* span_end (or attr) of a span whose begin is not in the file */
	uint64_t spans_duplicate;    /* span_begin of a span id already open (the later one is ignored) */
	uint64_t spurious_unblocks;  /* unblock of a task that was not blocked */
	uint64_t resyncs;            /* a chunk header's task disagreed with the model (after losses) */
	bool damaged;                /* the reader skipped something (warnings were printed) */
	uint64_t warnings;
	bool read_error;             /* an I/O error ended the read early */
	uint64_t read_at;            /* offset of the last chunk read */
	unsigned read_proc;          /* the file read_at is in */
	/* CPU sampling: the header's cpu_hz and the trailer's stats (the first
	 * file's rate; samples and drops of all files) */
	uint64_t cpu_hz;             /* 0: not sampled (or unknown) */
	uint64_t cpu_period_ns;      /* 1e9 / cpu_hz; 0 when unknown */
	uint64_t cpu_samples;        /* cpu_sample events read */
	uint64_t cpu_samples_dropped;/* the trailer's cpu_samples_dropped */
};

struct model_callbacks {
	void *ctx;
	/* Any of these may be NULL. */
	void (*interval)(void *ctx, const struct model_interval *iv);
	void (*segment)(void *ctx, const struct model_segment *sg);
	void (*span)(void *ctx, const struct model_span *sp);
	void (*task_done)(void *ctx, const struct model_task *t);
	void (*thread_done)(void *ctx, const struct model_thread *th);
	void (*point)(void *ctx, const struct model_point *pt);
	void (*sample)(void *ctx, const struct model_sample *sm);
	/* Called about every chunk with the file offset reached (progress). */
	void (*progress)(void *ctx, uint64_t offset);
};

struct model_opts {
	size_t window_events; /* reorder window; 0: MODEL_WINDOW_DEFAULT */
	/* Progress apart from the callbacks' ctx (a report's indicator); may be NULL. */
	void (*progress)(void *progress_ctx, uint64_t offset);
	void *progress_ctx;
	/* Report the recorder's own threads (tracer_thread) too.  By default
	 * the model leaves them out of everything it delivers: this is the one
	 * place that decides, for every report and export. */
	bool show_tracer;
};
#define MODEL_WINDOW_DEFAULT (1u << 18) /* about 34 MB: 128 bytes an event */

struct model;
struct sources;

/* NULL on ENOMEM.  The reader is only borrowed. */
struct model *model_new(struct lot_reader *r, const struct model_callbacks *cb,
			const struct model_opts *opts);
/* Several files as one analysis (cmd/sources.h): their chunks are merged in
 * time order on the sources' merged clock, and ids are keyed by file (the
 * `proc` members).  The sources are only borrowed. */
struct model *model_new_sources(struct sources *s, const struct model_callbacks *cb,
				const struct model_opts *opts);
/* The sources read (one, made from the reader, for model_new()). */
const struct sources *model_sources(const struct model *m);
/* Read the whole trace, delivering facts; fills *sum.  0, or -1 on ENOMEM
 * (an I/O error is not a failure: sum->read_error, and what was read is
 * delivered). */
int model_run(struct model *m, struct model_summary *sum);
/* A stack by id (1..): its PCs, innermost first.  NULL for 0 or unknown. */
const uint64_t *model_stack(const struct model *m, uint32_t id, size_t *n);
/* The header's CPU sampling rate ("cpu_hz"), 0 when absent or malformed. */
uint64_t model_cpu_hz(const struct lot_reader *r);
/* The file (process) a stack was recorded in. */
unsigned model_stack_proc(const struct model *m, uint32_t id);
/* A thread's name as far as the model knows it (chunk headers and
 * thread_begin read so far): empty if it knows none. */
struct model_str model_thread_name(const struct model *m, unsigned proc, uint64_t tid);
/* The module map of the trace's header (for symbolization): the first file's. */
const struct lot_file_header *model_header(const struct model *m);
/* A file's header. */
const struct lot_file_header *model_header_of(const struct model *m, unsigned proc);
void model_free(struct model *m);

#endif
