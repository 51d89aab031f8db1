/*
 * `lotrace timeline FILE`: what each thread (or, with --tasks, each task)
 * was doing across the trace: running, runnable, blocked, with span names
 * over the bars.  Drawn on the terminal (cmd/timeline_term.h), as SVG
 * (--svg, cmd/timeline_svg.h) or given as JSON intervals (--json, streamed:
 * doc/JSON.md).  One pass of the analysis model into a bounded grid
 * (cmd/timeline_grid.h); the picture is drawn once the file is read.
 *
 * Thread rows: a thread is running while any task runs on it, runnable when
 * its own task is, and blocked when its own task is or a task blocks there
 * (a pool thread's blocking call: the thread waits with it).  Blocked time
 * only fills what running and runnable leave of a column, so tasks that
 * block side by side on one thread (coroutines) do not hide its running.
 * Task rows show each task's own states.
 *
 * CPU samples (cmd/model.h) are marked on the rows of their thread (or
 * task): '*' cells in the terminal, ticks in the SVG, and in JSON each
 * running interval's cpu_samples and cpu_ns, so that running time that was
 * not on a CPU (preempted) shows (doc/ANALYSIS.md).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/escape.h"
#include "cmd/idmap.h"
#include "cmd/intern.h"
#include "cmd/json.h"
#include "cmd/model.h"
#include "cmd/out.h"
#include "cmd/report.h"
#include "cmd/timeline_grid.h"
#include "cmd/timeline_svg.h"
#include "cmd/timeline_term.h"

static const char usage[] =
	"lotrace timeline [--tasks] [--from T] [--to T] [--width N] [--color=WHEN]\n"
	"                        [--svg OUT | --json] [--show-tracer] FILE...";
static const char help[] =
	"Per-thread (or per-task) states over time: running, runnable, blocked.\n"
	"  --tasks         one row per task instead of per thread\n"
	"  --from T        start of the window (from the trace start: 1.5ms, 200us, 2s, or ns)\n"
	"  --to T          end of the window\n"
	"  --width N       columns (default: the terminal's width, else 100)\n"
	"  --color=WHEN    always, never or auto (default: auto, a terminal without NO_COLOR)\n"
	"  --svg OUT       write the picture as SVG to OUT instead\n"
	"  --json          print the intervals as JSON (doc/JSON.md)\n"
	CMD_SHOW_TRACER_HELP
	"  --help          this text\n";

struct timeline {
	struct report rep; /* the files, the model's run, the exit status */
	bool tasks, json;
	int64_t from, to; /* -1: not given */
	struct tl_grid grid;
	struct interner reasons; /* plain-escaped block reasons, kept for the grid */
	struct idmap cpu;        /* --json: task key -> struct cpu_tally since its interval began */
};

struct cpu_tally {
	uint64_t samples, ns;
};

static enum tl_state grid_state(enum model_state s)
{
	switch (s) {
	case MODEL_RUNNING: return TL_RUNNING;
	case MODEL_RUNNABLE: return TL_RUNNABLE;
	case MODEL_BLOCKED: return TL_BLOCKED;
	default: return TL_IDLE;
	}
}

/* "request #2", "main (thread 14745)": from what both tasks and spans tell
 * (a thread's own task has no id). */
static void task_label(struct model_str name, uint64_t id, uint64_t tid, char *buf, size_t cap)
{
	char *n = text_plain_dup(name.s, name.n);
	if (id)
		snprintf(buf, cap, "%s #%" PRIu64, n ? n : "?", id);
	else
		snprintf(buf, cap, "%s (thread %" PRIu64 ")", n ? n : "?", tid);
	free(n);
}

static void json_interval(struct timeline *tl, uint64_t row, const struct model_interval *iv,
			  int64_t start, int64_t end)
{
	json_break();
	json_object();
	json_kv_u64("row", row);
	json_kv_u64("task", iv->task->key);
	json_kv_u64("task_id", iv->task->id);
	json_kv_str("task_name", iv->task->name.s, iv->task->name.n);
	json_kv_u64("thread", iv->tid);
	json_kv_cstr("state", model_state_name(iv->state));
	json_kv_str("reason", iv->reason.s ? iv->reason.s : "", iv->reason.n);
	json_kv_i64("start_ns", start);
	json_kv_i64("end_ns", end);
	json_kv_i64("duration_ns", end - start);
	json_kv_bool("open", iv->open);
	struct cpu_tally *c = idmap_get(&tl->cpu, iv->task->key);
	if (iv->state == MODEL_RUNNING) {
		json_kv_u64("cpu_samples", c ? c->samples : 0);
		json_kv_u64("cpu_ns", c ? c->ns : 0);
	}
	json_object_end();
}

/* A thread's row: its tid, told apart by file when several are read. */
static uint64_t thread_row(uint64_t tid, unsigned proc) { return tid ^ ((uint64_t)proc << 48); }

static void on_interval(void *ctx, const struct model_interval *iv)
{
	struct timeline *tl = ctx;
	const struct model_task *t = iv->task;
	uint64_t key, tid = 0;
	char label[300];
	if (tl->tasks) {
		if (iv->state == MODEL_HOSTING)
			return; /* its thread runs another task: shown on that task's row */
		key = t->key;
		task_label(t->name, t->id, t->tid, label, sizeof label);
	} else if (iv->state == MODEL_RUNNING) {
		key = tid = iv->tid;
	} else if (t->is_thread && iv->state != MODEL_HOSTING) {
		key = tid = t->tid;
	} else if (iv->state == MODEL_BLOCKED && iv->tid) {
		key = tid = iv->tid; /* where it blocked */
	} else {
		return;
	}
	if (!tl->tasks) {
		snprintf(label, sizeof label, "thread %" PRIu64, tid);
		key = thread_row(tid, t->proc);
	}
	int64_t start = iv->start_ns, end = iv->end_ns;
	if (tl->from >= 0 && start < tl->from)
		start = tl->from;
	if (tl->to >= 0 && end > tl->to)
		end = tl->to;
	if (end < start || (end == start && iv->end_ns != iv->start_ns))
		return;
	if (tl->json) {
		json_interval(tl, tl->tasks ? key : tid, iv, start, end);
		free(idmap_del(&tl->cpu, t->key)); /* the next interval counts its own */
		return;
	}
	long row = tl_grid_row(&tl->grid, key, label);
	const char *reason = NULL;
	if (iv->state == MODEL_BLOCKED && iv->reason.n) {
		char *r = text_plain_dup(iv->reason.s, iv->reason.n);
		reason = r ? intern_str(&tl->reasons, r, strlen(r)).s : NULL;
		free(r);
	}
	tl_grid_state(&tl->grid, row, grid_state(iv->state), reason, start, end);
}

static void on_sample(void *ctx, const struct model_sample *sm)
{
	struct timeline *tl = ctx;
	if (tl->json) {
		if (!sm->task)
			return; /* a thread without task has no intervals to carry it */
		struct cpu_tally *c = idmap_get(&tl->cpu, sm->task->key);
		if (!c) {
			c = calloc(1, sizeof *c);
			if (!c || idmap_put(&tl->cpu, sm->task->key, c)) {
				free(c);
				tl->grid.oom = true;
				return;
			}
		}
		c->samples++;
		c->ns += sm->cpu_ns;
		return;
	}
	char label[300];
	uint64_t key;
	if (tl->tasks) {
		if (!sm->task)
			return;
		key = sm->task->key;
		task_label(sm->task->name, sm->task->id, sm->task->tid, label, sizeof label);
	} else {
		key = thread_row(sm->tid, sm->proc);
		snprintf(label, sizeof label, "thread %" PRIu64, sm->tid);
	}
	tl_grid_sample(&tl->grid, tl_grid_row(&tl->grid, key, label), sm->ns);
}

static void on_span(void *ctx, const struct model_span *sp)
{
	struct timeline *tl = ctx;
	if (tl->json)
		return;
	/* a span outside the window must not take one of the TL_MAX_ROWS rows */
	if ((tl->from >= 0 && sp->end_ns < tl->from) || (tl->to >= 0 && sp->start_ns >= tl->to))
		return;
	char label[300];
	uint64_t key;
	if (tl->tasks) {
		key = sp->task_key;
		task_label(sp->task_name, sp->task_id, sp->begin_tid, label, sizeof label);
	} else {
		key = thread_row(sp->begin_tid, sp->proc);
		snprintf(label, sizeof label, "thread %" PRIu64, sp->begin_tid);
	}
	/* A row's intervals may come after its spans (they end later). */
	long row = tl_grid_row(&tl->grid, key, label);
	tl_grid_span(&tl->grid, row, sp->name.s, sp->name.n, sp->start_ns, sp->end_ns);
}

static void name_thread(struct timeline *tl, uint64_t tid, unsigned proc, struct model_str name)
{
	if (tl->tasks || tl->json || !name.n)
		return;
	for (size_t i = 0; i < tl->grid.n_rows; i++) {
		if (tl->grid.rows[i].key != thread_row(tid, proc))
			continue;
		char *n = text_plain_dup(name.s, name.n);
		char label[300];
		snprintf(label, sizeof label, "%s %" PRIu64, n ? n : "?", tid);
		tl_grid_set_label(&tl->grid, (long)i, label);
		free(n);
	}
}

static void on_thread_done(void *ctx, const struct model_thread *th)
{
	name_thread(ctx, th->tid, th->proc, th->name);
}

/* The lines every report starts with: the span, the losses, the damage. */
static size_t header_lines(const struct timeline *tl, const struct model_summary *sum,
			   char lines[4][300])
{
	char a[32], b[32], d[32];
	size_t n = 0;
	tl_fmt_time(sum->start_ns, a);
	tl_fmt_time(sum->end_ns, b);
	tl_fmt_time(sum->end_ns - sum->start_ns, d);
	snprintf(lines[n++], 300,
		 "trace %.120s: %s to %s (%s), %" PRIu64 " threads, %" PRIu64 " tasks, %" PRIu64
		 " spans; %" PRIu64 " events lost",
		 tl->rep.path, a, b, d, sum->threads, sum->tasks, sum->spans, sum->lost);
	if (tl->from >= 0 || tl->to >= 0) {
		int64_t f, t;
		tl_grid_range(&tl->grid, &f, &t);
		tl_fmt_time(f, a);
		tl_fmt_time(t, b);
		snprintf(lines[n++], 300, "window %s to %s", a, b);
	}
	if (sum->damaged || sum->read_error)
		snprintf(lines[n++], 300,
			 "damaged: parts of the file were skipped (warnings above); what was read is shown");
	if (tl->grid.full)
		snprintf(lines[n++], 300, "only the first %d rows are drawn (narrow with --from/--to)",
			 TL_MAX_ROWS);
	return n;
}

static int terminal_width(void)
{
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *c = getenv("COLUMNS");
	if (c && atoi(c) > 0)
		return atoi(c);
	return 100;
}

static void json_tail(const struct timeline *tl, const struct model_summary *sum)
{
	out_char('\n');
	json_array_end();
	json_kv_cstr("file", tl->rep.path);
	json_kv_cstr("rows_are", tl->tasks ? "tasks" : "threads");
	json_kv_i64("start_ns", sum->start_ns);
	json_kv_i64("end_ns", sum->end_ns);
	json_kv_i64("window_start_ns", tl->from >= 0 ? tl->from : sum->start_ns);
	json_kv_i64("window_end_ns", tl->to >= 0 ? tl->to : sum->end_ns);
	json_kv_u64("lost", sum->lost);
	json_kv_bool("damaged", sum->damaged || sum->read_error);
	json_object_end();
	out_char('\n');
}

static void cpu_free(struct idmap *m)
{
	for (size_t i = 0; i < m->n_slots; i++)
		free(m->slots[i].val);
	idmap_free(m);
}

int cmd_timeline(int argc, char **argv)
{
	static const struct option opts[] = {
		{"tasks", no_argument, NULL, 'T'},
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"width", required_argument, NULL, 'w'},
		{"color", optional_argument, NULL, 'c'},
		{"colour", optional_argument, NULL, 'c'},
		{"svg", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		CMD_COMMON_OPTIONS,
	};
	static struct timeline tl;
	memset(&tl, 0, sizeof tl);
	tl.rep.cmd = "timeline";
	tl.from = tl.to = -1;
	const char *svg = NULL, *color = "auto";
	int width = 0;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'T': tl.tasks = true; break;
		case 'j': tl.json = true; break;
		case CMD_OPT_SHOW_TRACER: tl.rep.show_tracer = true; break;
		case 's': svg = optarg; break;
		case 'c': color = optarg ? optarg : "always"; break;
		case 'f':
		case 't': {
			int64_t v = cmd_parse_time(optarg);
			if (v < 0)
				return cmd_usage_error(argv[0], usage, "bad time '%s'", optarg);
			*(c == 'f' ? &tl.from : &tl.to) = v;
			break;
		}
		case 'w':
			width = atoi(optarg);
			if (width < 20 || width > 10000)
				return cmd_usage_error(argv[0], usage, "bad width '%s' (20 to 10000)", optarg);
			break;
		case 'h':
			return cmd_help(usage, help);
		default:
			return cmd_usage_error(argv[0], usage, "bad option '%s'", argv[optind - 1]);
		}
	}
	if (svg && tl.json)
		return cmd_usage_error(argv[0], usage, "--svg and --json exclude each other");
	if (tl.from >= 0 && tl.to >= 0 && tl.to <= tl.from)
		return cmd_usage_error(argv[0], usage, "--to must be after --from");
	bool use_color;
	if (!strcmp(color, "always"))
		use_color = true;
	else if (!strcmp(color, "never"))
		use_color = false;
	else if (!strcmp(color, "auto"))
		use_color = isatty(STDOUT_FILENO) && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
	else
		return cmd_usage_error(argv[0], usage, "--color takes always, never or auto");
	if (!width)
		width = terminal_width();
	int st = report_file_arg(&tl.rep, argc, argv, usage); /* last: nothing to free before */
	if (st >= 0)
		return st;
	st = report_open(&tl.rep);
	if (st < 0 && svg && cmd_redirect_stdout(argv[0], svg) < 0)
		st = CMD_EXIT_UNREADABLE;
	if (st >= 0) {
		report_close(&tl.rep);
		return st;
	}
	/* A window with only --to: from the start; only --from: to the end
	 * (then the grid grows as the whole trace does). */
	tl_grid_init(&tl.grid, tl.to >= 0 ? (tl.from >= 0 ? tl.from : 0) : -1, tl.to);
	if (tl.from >= 0 && tl.to < 0)
		tl.grid.origin = tl.from;
	struct model_callbacks cb = {
		.ctx = &tl,
		.interval = on_interval,
		.span = on_span,
		.sample = on_sample,
		.thread_done = on_thread_done,
	};
	st = report_model(&tl.rep, &cb);
	if (st < 0) {
		if (tl.json) {
			json_object();
			json_key("intervals");
			json_array();
		}
		st = report_read(&tl.rep);
	}
	if (st >= 0 || tl.grid.oom) {
		if (st < 0) {
			out_flush();
			fprintf(stderr, "lotrace timeline: %s: out of memory\n", tl.rep.path);
		}
		tl_grid_free(&tl.grid);
		cpu_free(&tl.cpu);
		intern_free(&tl.reasons);
		report_close(&tl.rep);
		return CMD_EXIT_UNREADABLE;
	}
	const struct model_summary *sum = &tl.rep.sum;
	char lines[4][300];
	size_t n = header_lines(&tl, sum, lines);
	if (tl.json) {
		json_tail(&tl, sum);
	} else if (svg) {
		const char *hdr[4];
		for (size_t i = 0; i < n; i++)
			hdr[i] = lines[i];
		tl_render_svg(&tl.grid, hdr, n);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "lotrace timeline: %s\n", lines[i]);
	} else {
		for (size_t i = 0; i < n; i++)
			out_printf("%s\n", lines[i]);
		tl_render_term(&tl.grid, width, use_color);
	}
	tl_grid_free(&tl.grid);
	cpu_free(&tl.cpu);
	intern_free(&tl.reasons);
	return report_close(&tl.rep);
}
