/*
 * `lotrace profile [--by function|span|task|thread] [--span NAME]
 * [--trace ID] [--json] FILE`: CPU time from the trace's CPU samples,
 * broken down by function (self time, with total time beside it), by span
 * name (the endpoint, "(no span)" included), by task or by thread.  The
 * samples are attributed to tasks and spans by the model (cmd/model.h,
 * doc/ANALYSIS.md "CPU samples"); --span and --trace keep the samples
 * attributed to one span name or one request.
 *
 * By function, samples are first summed per stack as they come (a few
 * thousand distinct stacks at most), then each stack is symbolized once:
 * its innermost function gets the self time, every function on it the
 * total time (once per stack, however deep the recursion).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/escape.h"
#include "cmd/idmap.h"
#include "cmd/intern.h"
#include "cmd/json.h"
#include "cmd/out.h"
#include "cmd/report.h"
#include "cmd/samples.h"
#include "lib/grow.h"

static const char usage[] =
	"lotrace profile [--by function|span|task|thread] [--span NAME] [--trace ID] [--json]\n"
	"                       [--symbols DIR] [--no-symbols] [--show-tracer] FILE...";
static const char help[] =
	"CPU time from the trace's CPU samples (recorded with LOTRACE_CPU_HZ), by a key:\n"
	"  --by function   by function, self time first, total time beside it (default)\n"
	"  --by span       by span name (endpoint), \"(no span)\" included\n"
	"  --by task       by task name; a thread's own work as \"NAME (thread TID)\"\n"
	"  --by thread     by thread\n"
	"  --span NAME     only samples attributed to spans named NAME\n"
	"  --trace ID      only samples attributed to one trace (32 hex digits): a request\n"
	"  --symbols DIR   look for binaries and debug files by build-id in DIR too\n"
	"  --no-symbols    raw addresses (module+0xoffset)\n"
	CMD_SHOW_TRACER_HELP
	"  --json          one JSON object (schema: doc/JSON.md)\n"
	"  --help          this text\n"
	"Several FILEs (or a directory of .lot files): one analysis across the processes.\n"
	"CPU time is samples x the sampling period; a sample of a task with no span of\n"
	"its own counts for the span open where the task was created.\n";

enum by { BY_FUNCTION, BY_SPAN, BY_TASK, BY_THREAD };
static const char *const by_names[] = {"function", "span", "task", "thread"};

struct row {
	uint64_t key;           /* interned name pointer, or a tid */
	const char *name;       /* interned; NULL: a thread, named at print */
	uint64_t tid;
	uint64_t samples, periods;           /* total */
	uint64_t self_samples, self_periods; /* innermost frame (function); else = total */
};

struct stack_sum {
	uint32_t stack;
	uint64_t samples, periods;
};

struct profile {
	struct report rep;
	enum by by;
	struct sample_filter filter;
	struct interner names;
	struct idmap rows_map; /* key -> row index + 1 */
	struct row *rows;
	size_t n_rows, cap_rows;
	struct idmap stacks_map; /* stack -> index + 1 */
	struct stack_sum *stacks;
	size_t n_stacks, cap_stacks;
	struct idmap thread_names; /* tid -> interned name */
	uint64_t samples, periods;
	bool oom;
};


static struct row *row_of(struct profile *p, uint64_t key, const char *name, uint64_t tid)
{
	uintptr_t i = (uintptr_t)idmap_get(&p->rows_map, key);
	if (i)
		return &p->rows[i - 1];
	if (!lot_grow((void **)&p->rows, &p->cap_rows, p->n_rows, sizeof *p->rows) ||
	    idmap_put(&p->rows_map, key, (void *)(uintptr_t)(p->n_rows + 1))) {
		p->oom = true;
		return NULL;
	}
	p->rows[p->n_rows] = (struct row){.key = key, .name = name, .tid = tid};
	return &p->rows[p->n_rows++];
}

static const char *intern(struct profile *p, const char *s, size_t n)
{
	struct intern_str i = intern_str(&p->names, s ? s : "", s ? n : 0);
	if (!i.s)
		p->oom = true;
	return i.s;
}

static void count(struct row *r, uint64_t weight, bool self)
{
	if (!r)
		return;
	r->samples++;
	r->periods += weight;
	if (self) {
		r->self_samples++;
		r->self_periods += weight;
	}
}

static void on_sample(void *ctx, const struct model_sample *sm)
{
	struct profile *p = ctx;
	if (!sample_filter_match(&p->filter, sm))
		return;
	p->samples++;
	p->periods += sm->weight;
	const char *name;
	switch (p->by) {
	case BY_FUNCTION: {
		uintptr_t i = (uintptr_t)idmap_get(&p->stacks_map, sm->stack + 1ull);
		if (!i) {
			if (!lot_grow((void **)&p->stacks, &p->cap_stacks, p->n_stacks, sizeof *p->stacks) ||
			    idmap_put(&p->stacks_map, sm->stack + 1ull, (void *)(uintptr_t)(p->n_stacks + 1))) {
				p->oom = true;
				return;
			}
			p->stacks[p->n_stacks] = (struct stack_sum){.stack = sm->stack};
			i = ++p->n_stacks;
		}
		p->stacks[i - 1].samples++;
		p->stacks[i - 1].periods += sm->weight;
		return;
	}
	case BY_SPAN:
		name = sm->span_id ? intern(p, sm->span_name.s, sm->span_name.n) : intern(p, "(no span)", 9);
		if (name)
			count(row_of(p, (uint64_t)(uintptr_t)name, name, 0), sm->weight, true);
		return;
	case BY_TASK:
		if (sm->task && !sm->task->is_thread) {
			name = intern(p, sm->task->name.s, sm->task->name.n);
			if (name)
				count(row_of(p, (uint64_t)(uintptr_t)name, name, 0), sm->weight, true);
			return;
		}
		/* a thread's own work */
		/* fall through */
	case BY_THREAD:
		count(row_of(p, sm->tid ^ (1ull << 63), NULL, sm->tid), sm->weight, true);
		return;
	}
}

static void on_thread_done(void *ctx, const struct model_thread *th)
{
	struct profile *p = ctx;
	const char *n = intern(p, th->name.s, th->name.n);
	if (n && idmap_put(&p->thread_names, th->tid ^ (1ull << 63), (void *)n))
		p->oom = true;
}

/* Rows per function from the stacks: self for the innermost, total once per stack. */
static void function_rows(struct profile *p)
{
	const char *fns[SAMPLE_FRAMES_MAX];
	for (size_t i = 0; i < p->n_stacks; i++) {
		const struct stack_sum *s = &p->stacks[i];
		size_t n = sample_functions(&p->rep, &p->names, s->stack, fns, SAMPLE_FRAMES_MAX);
		for (size_t k = 0; k < n; k++) {
			bool again = false;
			for (size_t j = 0; j < k && !again; j++)
				again = fns[j] == fns[k];
			if (again)
				continue; /* recursion: total once */
			struct row *r = row_of(p, (uint64_t)(uintptr_t)fns[k], fns[k], 0);
			if (!r)
				return;
			r->samples += s->samples;
			r->periods += s->periods;
			if (k == 0) {
				r->self_samples += s->samples;
				r->self_periods += s->periods;
			}
		}
	}
}

static int by_self(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->self_periods != y->self_periods)
		return x->self_periods < y->self_periods ? 1 : -1;
	if (x->periods != y->periods)
		return x->periods < y->periods ? 1 : -1;
	if (x->name && y->name)
		return strcmp(x->name, y->name);
	return (x->tid > y->tid) - (x->tid < y->tid);
}

/* A row's label: its name, or for a thread "NAME (thread TID)". */
static void put_label(struct profile *p, const struct row *r, bool json)
{
	char buf[64];
	const char *s = r->name;
	if (!s) {
		const char *tn = idmap_get(&p->thread_names, r->tid ^ (1ull << 63));
		char *plain = text_plain_dup(tn ? tn : "", tn ? strlen(tn) : 0);
		snprintf(buf, sizeof buf, "%.32s%s(thread %" PRIu64 ")", plain ? plain : "",
			 plain && *plain ? " " : "", r->tid);
		free(plain);
		s = buf;
	}
	if (json) {
		json_cstr(s);
	} else {
		char *t = text_plain_dup(s, strlen(s));
		out_str(t ? t : "?");
		free(t);
	}
}

static void print_json(struct profile *p)
{
	uint64_t per = p->rep.sum.cpu_period_ns;
	json_object();
	report_header_json(&p->rep);
	json_kv_cstr("by", by_names[p->by]);
	json_key("span");
	if (p->filter.span)
		json_cstr(p->filter.span);
	else
		json_null();
	json_key("trace_id");
	if (p->filter.want_trace) {
		char hex[33];
		lot_trace_id_hex(p->filter.trace, hex);
		json_cstr(hex);
	} else {
		json_null();
	}
	json_kv_u64("cpu_hz", p->rep.sum.cpu_hz);
	json_kv_u64("period_ns", per);
	json_kv_u64("samples", p->samples);
	json_kv_u64("cpu_ns", p->periods * per);
	json_kv_u64("dropped", p->rep.sum.cpu_samples_dropped);
	json_key("rows");
	json_array();
	for (size_t i = 0; i < p->n_rows; i++) {
		const struct row *r = &p->rows[i];
		json_object();
		json_key("key");
		put_label(p, r, true);
		json_kv_u64("samples", r->samples);
		json_kv_u64("cpu_ns", r->periods * per);
		json_kv_u64("self_samples", r->self_samples);
		json_kv_u64("self_cpu_ns", r->self_periods * per);
		json_object_end();
	}
	json_array_end();
	json_object_end();
	out_char('\n');
}

static void out_pct(uint64_t part, uint64_t whole)
{
	out_printf("%6.1f%%", whole ? 100.0 * (double)part / (double)whole : 0.0);
}

static void print_text(struct profile *p)
{
	uint64_t per = p->rep.sum.cpu_period_ns;
	report_header_text(&p->rep);
	sample_line_text(&p->rep.sum, p->samples);
	if (p->filter.span || p->filter.want_trace) {
		out_str("only samples of");
		if (p->filter.span) {
			out_str(" spans ");
			out_text_quoted(p->filter.span, strlen(p->filter.span));
		}
		if (p->filter.want_trace) {
			char hex[33];
			lot_trace_id_hex(p->filter.trace, hex);
			out_printf(" trace %s", hex);
		}
		out_char('\n');
	}
	out_char('\n');
	if (!p->n_rows)
		return;
	bool fn = p->by == BY_FUNCTION;
	if (fn)
		out_printf("%10s %7s %10s %7s %8s  %s\n", "self", "self%", "total", "total%", "samples",
			   "function");
	else
		out_printf("%10s %7s %8s  %s\n", "cpu", "cpu%", "samples", by_names[p->by]);
	for (size_t i = 0; i < p->n_rows; i++) {
		const struct row *r = &p->rows[i];
		out_dur_right(r->self_periods * per, 10);
		out_char(' ');
		out_pct(r->self_periods, p->periods);
		if (fn) {
			out_char(' ');
			out_dur_right(r->periods * per, 10);
			out_char(' ');
			out_pct(r->periods, p->periods);
		}
		out_printf(" %8" PRIu64 "  ", fn ? r->samples : r->self_samples);
		put_label(p, r, false);
		out_char('\n');
	}
}

static void print(void *ctx)
{
	struct profile *p = ctx;
	if (p->by == BY_FUNCTION)
		function_rows(p);
	if (p->n_rows > 1)
		qsort(p->rows, p->n_rows, sizeof *p->rows, by_self);
	if (p->rep.json)
		print_json(p);
	else
		print_text(p);
}

int cmd_profile(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, REPORT_OPT_JSON},
		{"by", required_argument, NULL, 'b'},
		{"span", required_argument, NULL, 'p'},
		{"trace", required_argument, NULL, 't'},
		REPORT_SYMBOL_OPTIONS,
		CMD_COMMON_OPTIONS,
	};
	static struct profile p;
	memset(&p, 0, sizeof p);
	p.rep.cmd = "profile";
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b': {
			size_t k = 0;
			while (k < 4 && strcmp(optarg, by_names[k]))
				k++;
			if (k == 4)
				return cmd_usage_error("profile", usage, "--by: '%s' is not function, span, "
						       "task or thread", optarg);
			p.by = (enum by)k;
			break;
		}
		case 'p':
			p.filter.span = optarg;
			break;
		case 't':
			if (!report_parse_trace_id(optarg, p.filter.trace))
				return cmd_usage_error("profile", usage, "--trace: not 32 hex digits: '%s'",
						       optarg);
			p.filter.want_trace = true;
			break;
		case 'h':
			return cmd_help(usage, help);
		default:
			if (!report_common_opt(&p.rep, c, optarg))
				return cmd_usage_error("profile", usage, "bad option '%s'", argv[optind - 1]);
		}
	}
	int status = report_file_arg(&p.rep, argc, argv, usage);
	if (status >= 0)
		return status;
	struct model_callbacks cb = {.ctx = &p, .sample = on_sample, .thread_done = on_thread_done};
	status = report_main(&p.rep, &cb, print, &p, &p.oom);
	free(p.rows);
	free(p.stacks);
	idmap_free(&p.rows_map);
	idmap_free(&p.stacks_map);
	idmap_free(&p.thread_names);
	intern_free(&p.names);
	return status;
}
