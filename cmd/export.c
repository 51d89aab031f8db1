/*
 * `lotrace export [--format chrome|perfetto] FILE [-o OUT]`: the trace for
 * the Perfetto UI and chrome://tracing.  One pass of the analysis model;
 * each fact is written as it comes (cmd/export.h), so memory stays bounded
 * however large the trace.  The trace's span, its losses and its damage go
 * into the file's metadata and into one summary line on stderr.
 */
#include <getopt.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/escape.h"
#include "cmd/export.h"
#include "cmd/otlp_http.h"
#include "cmd/out.h"
#include "cmd/report.h"

static const char usage[] =
	"lotrace export [--format chrome|perfetto|pprof|otlp|otlp-json] [-o OUT | --otlp URL]\n"
	"                      [--from T] [--to T] [--symbols DIR | --no-symbols] [--show-tracer] FILE...";
static const char help[] =
	"Convert a trace for the Perfetto UI (ui.perfetto.dev) and chrome://tracing.\n"
	"  --format chrome    Chrome JSON Trace Event Format (the default)\n"
	"  --format perfetto  Perfetto protobuf: smaller, for traces too large for JSON\n"
	"  --format pprof     the CPU samples as a gzipped pprof profile (go tool pprof),\n"
	"                     labelled trace_id, span_id, span, task and thread\n"
	"  --format otlp      the spans as OpenTelemetry traces: an OTLP protobuf\n"
	"                     ExportTraceServiceRequest\n"
	"  --format otlp-json the same in the OTLP/JSON mapping\n"
	"  --otlp URL         send the spans to an OTLP/HTTP endpoint (http://host:port,\n"
	"                     path /v1/traces by default) in batches, with retries\n"
	"  -o, --output OUT   write to OUT (default: standard output)\n"
	"  --from T, --to T   only what happens in this window (from the trace start:\n"
	"                     1.5ms, 200us, 2s, or ns), slices cut at its edges\n"
	"  --symbols DIR      look for moved binaries by build-id in DIR too\n"
	"  --no-symbols       stack frames as raw addresses\n"
	"  --show-tracer      the recorder's own threads (flusher, control) too\n"
	"  --help             this text\n"
	"Threads and their spans, instants and counters appear under the process;\n"
	"task states (running, runnable, blocked) under a process named \"tasks\",\n"
	"with arrows from each waker to the task it woke.\n"
	"Several FILEs (or a directory of .lot files) are exported as one trace, one\n"
	"process per file, clocks aligned (doc/ANALYSIS.md).\n";

struct run {
	const struct export_format *fmt;
	void *st;
	int64_t from, to; /* --from/--to: the window (-1: not given) */
};

/* Clip [*start, *end] to the window; false if they do not meet. */
static bool in_window(const struct run *r, int64_t *start, int64_t *end)
{
	if ((r->from >= 0 && *end < r->from) || (r->to >= 0 && *start > r->to))
		return false;
	if (r->from >= 0 && *start < r->from)
		*start = r->from;
	if (r->to >= 0 && *end > r->to)
		*end = r->to;
	return true;
}

static void on_interval(void *ctx, const struct model_interval *iv)
{
	struct run *r = ctx;
	struct model_interval c = *iv;
	if (in_window(r, &c.start_ns, &c.end_ns))
		r->fmt->interval(r->st, &c);
}

static void on_span(void *ctx, const struct model_span *sp)
{
	struct run *r = ctx;
	struct model_span c = *sp;
	if (in_window(r, &c.start_ns, &c.end_ns))
		r->fmt->span(r->st, &c);
}

static void on_point(void *ctx, const struct model_point *pt)
{
	struct run *r = ctx;
	int64_t a = pt->ns, b = pt->ns;
	if (pt->code == LOT_EV_thread_begin || in_window(r, &a, &b))
		r->fmt->point(r->st, pt);
}

static void on_task_done(void *ctx, const struct model_task *t)
{
	struct run *r = ctx;
	r->fmt->task_done(r->st, t);
}

static void on_thread_done(void *ctx, const struct model_thread *th)
{
	struct run *r = ctx;
	r->fmt->thread_done(r->st, th);
}

static void on_sample(void *ctx, const struct model_sample *sm)
{
	struct run *r = ctx;
	r->fmt->sample(r->st, sm);
}

/* The process's name for the viewer: service, else the executable's basename. */
static char *process_name(const struct lot_reader *rd)
{
	const char *s = lot_reader_meta(rd, "service");
	if (!s || !*s) {
		s = lot_reader_meta(rd, "exe");
		if (s && strrchr(s, '/'))
			s = strrchr(s, '/') + 1;
	}
	if (!s || !*s)
		s = "process";
	return text_plain_dup(s, strlen(s));
}

static void summary_line(const char *path, const struct export_format *fmt, const char *out,
			 const struct model_summary *sum)
{
	fprintf(stderr,
		"lotrace export: %s: %s written to %s: %.6f s from %.6f s, %" PRIu64
		" threads, %" PRIu64 " tasks, %" PRIu64 " spans, %" PRIu64 " events lost%s\n",
		path, fmt->name, strcmp(out, "-") ? out : "standard output",
		(double)(sum->end_ns - sum->start_ns) / 1e9, (double)sum->start_ns / 1e9,
		sum->threads, sum->tasks, sum->spans, sum->lost,
		sum->damaged ? " (damaged: parts skipped)" : "");
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"from", required_argument, NULL, 'F'},
		{"to", required_argument, NULL, 'T'},
		REPORT_SYMBOL_OPTIONS,
		{"otlp", required_argument, NULL, 'U'},
		CMD_COMMON_OPTIONS,
	};
	const struct export_format *fmt = &export_chrome;
	const char *out = "-", *otlp_url = NULL;
	struct report rep = {.cmd = "export"};
	int64_t from = -1, to = -1;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "chrome") || !strcmp(optarg, "json"))
				fmt = &export_chrome;
			else if (!strcmp(optarg, "perfetto"))
				fmt = &export_perfetto;
			else if (!strcmp(optarg, "pprof"))
				fmt = &export_pprof;
			else if (!strcmp(optarg, "otlp"))
				fmt = &export_otlp_proto;
			else if (!strcmp(optarg, "otlp-json"))
				fmt = &export_otlp_json;
			else
				return cmd_usage_error(argv[0], usage, "unknown format '%s'", optarg);
			break;
		case 'o':
			out = optarg;
			break;
		case 'F':
		case 'T': {
			int64_t v = cmd_parse_time(optarg);
			if (v < 0)
				return cmd_usage_error(argv[0], usage, "bad time '%s'", optarg);
			*(c == 'F' ? &from : &to) = v;
			break;
		}
		case 'U': {
			char why[300];
			if (otlp_http_check(optarg, why, sizeof why))
				return cmd_usage_error(argv[0], usage, "--otlp %s: %s", optarg, why);
			otlp_url = optarg;
			fmt = &export_otlp_proto;
			break;
		}
		case 'h':
			return cmd_help(usage, help);
		default:
			if (report_common_opt(&rep, c, optarg))
				break;
			if (optopt > 0xff) /* a long option's code: its value is missing */
				return cmd_usage_error(argv[0], usage, "option '%s' needs a value",
						       argv[optind - 1]);
			if (optopt == 'f' || optopt == 'o')
				return cmd_usage_error(argv[0], usage, "option '-%c' needs a value", optopt);
			if (optopt)
				return cmd_usage_error(argv[0], usage, "unknown option '-%c'", optopt);
			return cmd_usage_error(argv[0], usage, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (otlp_url && (fmt != &export_otlp_proto || strcmp(out, "-")))
		return cmd_usage_error(argv[0], usage, "--otlp sends OTLP protobuf: no --format or -o");
	int st = report_file_arg(&rep, argc, argv, usage);
	if (st >= 0)
		return st;
	if (from >= 0 && to >= 0 && to <= from) {
		report_close(&rep);
		return cmd_usage_error(argv[0], usage, "--to must be after --from");
	}
	bool binary = fmt == &export_perfetto || fmt == &export_otlp_proto || fmt == &export_pprof;
	if (binary && !otlp_url && !strcmp(out, "-") && isatty(STDOUT_FILENO)) {
		report_close(&rep);
		return cmd_usage_error(argv[0], usage, "binary output: give -o OUT");
	}

	st = report_open(&rep);
	if (st < 0 && cmd_redirect_stdout(argv[0], out) < 0)
		st = CMD_EXIT_UNREADABLE;
	if (st >= 0) {
		report_close(&rep);
		return st;
	}
	const char *path = rep.path;
	const struct lot_file_header *h = lot_reader_header(rep.r);
	const char *pid = lot_reader_meta(rep.r, "pid");
	struct export_info info = {
		.path = path,
		.base_ns = rep.src.mono0_ns,
		.pid = pid && strtoull(pid, NULL, 10) ? strtoull(pid, NULL, 10) : 1,
		.process_name = process_name(rep.r),
		.sym = sym_new(h->modules, h->n_modules, rep.symdir, rep.no_symbols),
		.src = &rep.src,
		.real0_ns = rep.src.real0_ns,
		.otlp_url = otlp_url,
		.syms = calloc(rep.src.n, sizeof *info.syms),
		.symdir = rep.symdir,
		.raw_symbols = rep.no_symbols,
	};
	struct run run = {.fmt = fmt, .from = from, .to = to};
	struct model_callbacks cb = {
		.ctx = &run,
		.interval = fmt->interval ? on_interval : NULL,
		.span = fmt->span ? on_span : NULL,
		.point = fmt->point ? on_point : NULL,
		.task_done = fmt->task_done ? on_task_done : NULL,
		.thread_done = fmt->thread_done ? on_thread_done : NULL,
		.sample = fmt->sample ? on_sample : NULL,
	};
	int fin = 0;
	if (!info.process_name || !info.sym) {
		cmd_warn(path, 0, "out of memory");
		st = CMD_EXIT_UNREADABLE;
	} else if ((st = report_model(&rep, &cb)) < 0) {
		info.model = rep.m;
		run.st = fmt->begin(&info);
		if (!run.st) {
			cmd_warn(path, 0, "out of memory");
			st = CMD_EXIT_UNREADABLE;
		} else {
			st = report_read(&rep);
			fin = fmt->finish(run.st, &rep.sum); /* frees run.st */
			if (fin == -1 && st < 0) {
				cmd_warn(path, 0, "out of memory");
				st = CMD_EXIT_UNREADABLE;
			}
		}
	}
	free((char *)info.process_name);
	if (info.sym)
		sym_free(info.sym);
	for (size_t i = 1; info.syms && i < rep.src.n; i++)
		if (info.syms[i])
			sym_free(info.syms[i]);
	free(info.syms);
	if (st < 0 && fin == EXPORT_SEND_FAILED)
		st = CMD_EXIT_UNREADABLE;
	if (st >= 0) {
		report_close(&rep);
		return st;
	}
	summary_line(path, fmt, otlp_url ? otlp_url : out, &rep.sum);
	return report_close(&rep);
}
