#include "cmd/report.h"

#ifndef LOT_DOCDIR
#define LOT_DOCDIR "doc" /* built outside automake: the source tree's */
#endif

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/common.h"
#include "cmd/escape.h"
#include "cmd/json.h"
#include "cmd/out.h"

static void clear_progress(void *ctx)
{
	struct report *rep = ctx;
	progress_clear(&rep->progress);
}

static void on_progress(void *ctx, uint64_t offset)
{
	struct report *rep = ctx;
	progress_update(&rep->progress, offset);
}

int report_open(struct report *rep)
{
	char *one[1] = {(char *)rep->path};
	char *const *paths = rep->n_paths ? rep->paths : one;
	size_t n = rep->n_paths ? rep->n_paths : 1;
	rep->src.before_warn = clear_progress;
	rep->src.before_warn_ctx = rep;
	if (sources_open(&rep->src, paths, n))
		return CMD_EXIT_UNREADABLE;
	rep->r = rep->src.v[0].r;
	rep->path = rep->src.v[0].path; /* the first in the sources' order, not the arguments' */
	return -1;
}

int report_model(struct report *rep, const struct model_callbacks *cb)
{
	struct model_opts mo = {.progress = on_progress, .progress_ctx = rep,
				.show_tracer = rep->show_tracer};
	rep->m = model_new_sources(&rep->src, cb, &mo);
	if (!rep->m) {
		cmd_warn(rep->path, 0, "out of memory");
		return CMD_EXIT_UNREADABLE;
	}
	return -1;
}

int report_read(struct report *rep)
{
	progress_start(&rep->progress, rep->cmd, rep->path);
	int rc = model_run(rep->m, &rep->sum);
	progress_clear(&rep->progress);
	const char *at = rep->src.v[rep->sum.read_proc].path;
	if (rc < 0) {
		cmd_warn(at, (unsigned long long)rep->sum.read_at, "out of memory");
		return CMD_EXIT_UNREADABLE;
	}
	if (rep->sum.read_error)
		cmd_read_error(at, (unsigned long long)rep->sum.read_at);
	return -1;
}

int report_run(struct report *rep, const struct model_callbacks *cb)
{
	int st = report_open(rep);
	if (st < 0)
		st = report_model(rep, cb);
	if (st < 0)
		st = report_read(rep);
	return st;
}

int report_close(struct report *rep)
{
	out_flush();
	int st = CMD_EXIT_OK;
	if (rep->r && (sources_damaged(&rep->src) || rep->sum.read_error))
		st = CMD_EXIT_DAMAGED;
	sym_free(rep->sym);
	for (size_t i = 1; rep->syms && i < rep->src.n; i++)
		sym_free(rep->syms[i]);
	free(rep->syms);
	model_free(rep->m);
	sources_close(&rep->src);
	sources_free_paths(rep->paths, rep->n_paths);
	rep->paths = NULL;
	rep->n_paths = 0;
	rep->syms = NULL;
	rep->sym = NULL;
	rep->m = NULL;
	rep->r = NULL;
	return st;
}

int report_main(struct report *rep, const struct model_callbacks *cb, void (*print)(void *ctx),
		void *ctx, const bool *oom)
{
	int status = report_run(rep, cb);
	if (status >= 0) {
		report_close(rep);
		return status;
	}
	if (*oom)
		cmd_warn(rep->path, 0, "out of memory: figures are incomplete");
	print(ctx);
	return report_close(rep);
}

bool report_common_opt(struct report *rep, int c, const char *arg)
{
	switch (c) {
	case REPORT_OPT_JSON: rep->json = true; return true;
	case REPORT_OPT_SYMBOLS: rep->symdir = arg; return true;
	case REPORT_OPT_NO_SYMBOLS: rep->no_symbols = true; return true;
	case REPORT_OPT_SHOW_TRACER: rep->show_tracer = true; return true;
	default: return false;
	}
}

int report_file_arg(struct report *rep, int argc, char **argv, const char *usage)
{
	int st = cmd_take_files(argc, argv, usage, &rep->paths, &rep->n_paths);
	if (st < 0)
		rep->path = rep->paths[0];
	return st;
}

static void out_secs(int64_t ns)
{
	if (ns < 0) {
		out_char('-');
		ns = -ns;
	}
	out_printf("%" PRIu64 ".%09" PRIu64 "s", (uint64_t)ns / 1000000000u,
		   (uint64_t)ns % 1000000000u);
}

void out_dur(uint64_t ns)
{
	if (ns < 1000)
		out_printf("%" PRIu64 "ns", ns);
	else if (ns < 1000000)
		out_printf("%.1fus", (double)ns / 1e3);
	else if (ns < 1000000000)
		out_printf("%.2fms", (double)ns / 1e6);
	else
		out_printf("%.3fs", (double)ns / 1e9);
}

void out_dur_right(uint64_t ns, size_t width)
{
	size_t before = cmd_out_state.len;
	out_dur(ns);
	size_t n = cmd_out_state.len - before;
	if (n < width) { /* shift what was written */
		out_room(width - n + 1);
		char *start = cmd_out_state.buf + cmd_out_state.len - n;
		memmove(start + (width - n), start, n);
		memset(start, ' ', width - n);
		cmd_out_state.len += width - n;
	}
}

void report_header_text(const struct report *rep)
{
	const struct model_summary *s = &rep->sum;
	out_str("trace ");
	out_text_quoted(rep->path, strlen(rep->path));
	if (rep->src.n > 1)
		out_printf(" and %zu more files", rep->src.n - 1);
	out_str(": ");
	out_secs(s->start_ns);
	out_str(" to ");
	out_secs(s->end_ns);
	out_str(" (");
	out_dur((uint64_t)(s->end_ns - s->start_ns));
	out_printf("), %" PRIu64 " events, %" PRIu64 " lost, %" PRIu64 " threads, %" PRIu64
		   " tasks\n",
		   s->events, s->lost, s->threads, s->tasks);
	if (s->lost)
		out_printf("warning: %" PRIu64 " events were lost: figures near the losses may be "
			   "wrong (see lotrace info)\n",
			   s->lost);
	if (s->damaged)
		out_printf("warning: the trace is damaged (%" PRIu64 " warnings): damaged parts were "
			   "skipped\n",
			   s->warnings);
	if (s->late_events)
		out_printf("warning: %" PRIu64 " events arrived after the reorder window and were "
			   "placed late (" LOT_DOCDIR "/ANALYSIS.md)\n",
			   s->late_events);
	if (s->span_ends_unmatched)
		out_printf("note: %" PRIu64 " span ends or attributes without their begin\n",
			   s->span_ends_unmatched);
	if (s->spans_duplicate)
		out_printf("note: %" PRIu64 " span begins reused an open span's id (ignored)\n",
			   s->spans_duplicate);
	sources_header_text(&rep->src);
	out_char('\n');
}

void report_header_json(const struct report *rep)
{
	const struct model_summary *s = &rep->sum;
	json_key("trace");
	json_object();
	json_kv_cstr("file", rep->path);
	json_kv_i64("start_ns", s->start_ns);
	json_kv_i64("end_ns", s->end_ns);
	json_kv_i64("duration_ns", s->end_ns - s->start_ns);
	json_kv_u64("start_real_ns", s->start_real_ns);
	json_kv_u64("events", s->events);
	json_kv_u64("lost", s->lost);
	json_kv_u64("threads", s->threads);
	json_kv_u64("tasks", s->tasks);
	json_kv_u64("spans", s->spans);
	json_kv_u64("late_events", s->late_events);
	json_kv_u64("span_ends_unmatched", s->span_ends_unmatched);
	json_kv_u64("spans_duplicate", s->spans_duplicate);
	json_kv_u64("spurious_unblocks", s->spurious_unblocks);
	json_kv_u64("resyncs", s->resyncs);
	json_kv_bool("damaged", s->damaged);
	json_kv_u64("warnings", s->warnings);
	sources_header_json(&rep->src);
	json_object_end();
}

struct symbolizer *report_symbols(struct report *rep)
{
	if (!rep->sym) {
		const struct lot_file_header *h = model_header(rep->m);
		rep->sym = sym_new(h->modules, h->n_modules, rep->symdir, rep->no_symbols);
	}
	return rep->sym;
}

struct symbolizer *report_symbols_of(struct report *rep, unsigned proc)
{
	if (!proc || proc >= rep->src.n)
		return report_symbols(rep);
	if (!rep->syms && !(rep->syms = calloc(rep->src.n, sizeof *rep->syms)))
		return report_symbols(rep);
	if (!rep->syms[proc]) {
		const struct lot_file_header *h = model_header_of(rep->m, proc);
		rep->syms[proc] = sym_new(h->modules, h->n_modules, rep->symdir, rep->no_symbols);
	}
	return rep->syms[proc];
}

const char *report_proc_name(const struct report *rep, unsigned proc)
{
	return rep->src.n > 1 && proc < rep->src.n ? rep->src.v[proc].name : "";
}

/* A frame from the symbolizer: printed as is but for control bytes. */
static void out_frame(const char *f)
{
	for (; *f; f++) {
		unsigned char c = (unsigned char)*f;
		if (c < 0x20 || c == 0x7f)
			out_printf("\\x%02x", c);
		else
			out_char((char)c);
	}
}

const uint64_t *report_stack(struct report *rep, uint32_t stack, size_t *n)
{
	const uint64_t *pcs = model_stack(rep->m, stack, n);
	struct symbolizer *sym = report_symbols_of(rep, model_stack_proc(rep->m, stack));
	return pcs && sym ? sym_program_stack(sym, pcs, n) : pcs;
}

const uint64_t *report_sample_stack(struct report *rep, uint32_t stack, size_t *n, bool *leaf_exact)
{
	const uint64_t *raw = model_stack(rep->m, stack, n);
	const uint64_t *pcs = report_stack(rep, stack, n);
	*leaf_exact = pcs && *n && pcs == raw;
	return pcs;
}

void report_stack_json(struct report *rep, uint32_t stack)
{
	size_t n;
	const uint64_t *pcs = report_stack(rep, stack, &n);
	struct symbolizer *sym = report_symbols_of(rep, model_stack_proc(rep->m, stack));
	json_array();
	for (size_t i = 0; i < n; i++)
		json_cstr(sym ? sym_full(sym, pcs[i]) : "?");
	json_array_end();
}

void report_stack_text(struct report *rep, uint32_t stack, const char *indent, unsigned max)
{
	size_t n;
	const uint64_t *pcs = report_stack(rep, stack, &n);
	struct symbolizer *sym = report_symbols_of(rep, model_stack_proc(rep->m, stack));
	for (size_t i = 0; i < n && i < max; i++) {
		const char *f = sym ? sym_full(sym, pcs[i]) : "?";
		out_str(indent);
		out_str("at ");
		out_frame(f);
		out_char('\n');
	}
	if (n > max)
		out_printf("%s... %zu more frames\n", indent, n - max);
}

bool report_parse_u64(const char *s, uint64_t *v)
{
	if (!s || !*s || *s == '-')
		return false;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*v = x;
	return true;
}

bool report_parse_trace_id(const char *s, uint8_t out[16])
{
	if (strlen(s) != 32)
		return false;
	for (int i = 0; i < 32; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (v < 0)
			return false;
		if (i % 2 == 0)
			out[i / 2] = (uint8_t)(v << 4);
		else
			out[i / 2] |= (uint8_t)v;
	}
	return true;
}

void report_attrs_json(const struct model_attr *attrs, size_t n)
{
	json_object();
	for (size_t i = 0; i < n; i++) {
		const struct model_attr *a = &attrs[i];
		json_key_str(a->key.s, a->key.n);
		if (a->is_str)
			json_str(a->str, a->len);
		else
			json_i64(a->i);
	}
	json_object_end();
}
