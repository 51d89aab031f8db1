/*
 * `lotrace spans FILE`: span latency per name (count, p50, p90, p99, max,
 * total); `--slowest N`: the N slowest span instances, each with its wall
 * time split into running, runnable and blocked by reason (the parts add up
 * to the wall time), its on-CPU time from CPU samples with its hottest
 * functions (cmd/samples.h), its blocks with who ended them, and its children;
 * `--trace ID`: one trace's spans as a tree with the same breakdown.
 * The figures come from the analysis model (cmd/model.h, doc/ANALYSIS.md).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/critical_path.h"
#include "cmd/dist.h"
#include "cmd/escape.h"
#include "cmd/idmap.h"
#include "cmd/json.h"
#include "cmd/out.h"
#include "cmd/report.h"
#include "cmd/samples.h"
#include "cmd/span_copy.h"

static const char usage[] =
	"lotrace spans [--json] [--slowest N [--name NAME] | --trace ID] [--symbols DIR] [--no-symbols]\n"
	"                     [--show-tracer] FILE...";
static const char help[] =
	"Span latency per name: count, p50, p90, p99, max, total.\n"
	"Several FILEs (or a directory of .lot files): one analysis across the\n"
	"processes, clocks aligned (doc/ANALYSIS.md).\n"
	"  --slowest N     the N slowest spans (with several files: the N slowest\n"
	"                  requests, root spans): running, runnable, blocked by reason,\n"
	"                  on-CPU time from CPU samples and the hottest functions,\n"
	"                  the blocks and who ended them, the children, and the\n"
	"                  critical path across processes\n"
	"  --name NAME     only spans named NAME (the table and --slowest)\n"
	"  --trace ID      one trace's spans (32 hex digits) as a tree, same breakdown\n"
	"  --symbols DIR   look for binaries and debug files by build-id in DIR too\n"
	"  --no-symbols    print raw addresses\n"
	CMD_SHOW_TRACER_HELP
	"  --json          one JSON object (schema: doc/JSON.md)\n"
	"  --help          this text\n";

struct by_name {
	struct model_str name;
	struct dist wall;
};

struct spans {
	struct report rep;
	uint64_t slowest;
	const char *name;   /* --name: only spans so named in the table and --slowest */
	bool want_trace;
	uint8_t trace[16];
	struct idmap names; /* name pointer -> struct by_name */
	struct by_name **order;
	size_t n_names, cap_names;
	struct span_copy **top; /* the slowest, slowest first */
	size_t n_top;
	struct span_copy **tr;  /* --trace: its spans */
	size_t n_tr, cap_tr;
	struct span_hots hots;  /* --slowest, --trace: open spans' sampled functions */
	struct hot_list cur_hot;/* the ending span's */
	struct idmap hot;       /* span_copy pointer -> its struct hot_list */
	struct cp *cp;          /* --slowest: the critical paths (second pass) */
	bool oom;
};

static const struct hot_list *hot_of(const struct spans *st, const struct span_copy *c)
{
	return idmap_get(&st->hot, (uint64_t)(uintptr_t)c);
}

/* A lasting copy of the ending span, with its hot functions. */
static struct span_copy *copy_span(struct spans *st, const struct model_span *sp)
{
	struct span_copy *c = span_copy_new(sp);
	if (!c || !st->cur_hot.n)
		return c;
	struct hot_list *h = malloc(sizeof *h);
	if (!h || idmap_put(&st->hot, (uint64_t)(uintptr_t)c, h)) {
		free(h);
		st->oom = true;
		return c;
	}
	*h = st->cur_hot;
	return c;
}

static void drop_copy(struct spans *st, struct span_copy *c)
{
	if (c)
		free(idmap_del(&st->hot, (uint64_t)(uintptr_t)c));
	span_copy_free(c);
}

static void on_sample(void *ctx, const struct model_sample *sm)
{
	struct spans *st = ctx;
	span_hots_sample(&st->hots, &st->rep, sm);
}

static uint64_t wall(const struct model_span *s) { return (uint64_t)(s->end_ns - s->start_ns); }

static void keep_slowest(struct spans *st, const struct model_span *sp)
{
	uint64_t w = wall(sp);
	if (st->rep.src.n > 1 && (sp->parent_id || sp->open))
		return; /* several processes: whole end-to-end requests, the root spans */
	if (st->n_top == st->slowest && (st->n_top == 0 || wall(&st->top[st->n_top - 1]->sp) >= w))
		return;
	struct span_copy *c = copy_span(st, sp);
	if (!c) {
		st->oom = true;
		return;
	}
	if (st->n_top == st->slowest)
		drop_copy(st, st->top[--st->n_top]);
	size_t i = st->n_top++;
	while (i > 0 && wall(&st->top[i - 1]->sp) < w) {
		st->top[i] = st->top[i - 1];
		i--;
	}
	st->top[i] = c;
}

static void keep_trace(struct spans *st, const struct model_span *sp)
{
	struct span_copy *c = copy_span(st, sp);
	if (!c || (st->n_tr == st->cap_tr &&
		   !(st->tr = realloc(st->tr, (st->cap_tr = st->cap_tr * 2 + 16) * sizeof *st->tr)))) {
		drop_copy(st, c);
		st->oom = true;
		return;
	}
	st->tr[st->n_tr++] = c;
}

static void count_by_name(struct spans *st, const struct model_span *sp)
{
	struct by_name *b = idmap_get(&st->names, (uint64_t)(uintptr_t)sp->name.s);
	if (!b) {
		b = calloc(1, sizeof *b);
		if (!b || idmap_put(&st->names, (uint64_t)(uintptr_t)sp->name.s, b) ||
		    (st->n_names == st->cap_names &&
		     !(st->order = realloc(st->order, (st->cap_names = st->cap_names * 2 + 16) *
							      sizeof *st->order)))) {
			free(b);
			st->oom = true;
			return;
		}
		b->name = sp->name;
		st->order[st->n_names++] = b;
	}
	if (dist_add(&b->wall, wall(sp)))
		st->oom = true;
}

static void on_span(void *ctx, const struct model_span *sp)
{
	struct spans *st = ctx;
	if (st->slowest || st->want_trace)
		span_hots_take(&st->hots, sp->span_id, &st->cur_hot);
	if (!st->name || (sp->name.n == strlen(st->name) && !memcmp(sp->name.s, st->name, sp->name.n))) {
		count_by_name(st, sp);
		if (st->slowest)
			keep_slowest(st, sp);
	}
	if (st->want_trace && !memcmp(sp->trace_id, st->trace, 16))
		keep_trace(st, sp);
}

static int by_total(const void *a, const void *b)
{
	const struct by_name *x = *(struct by_name *const *)a, *y = *(struct by_name *const *)b;
	if (x->wall.total != y->wall.total)
		return x->wall.total < y->wall.total ? 1 : -1;
	return strcmp(x->name.s, y->name.s);
}

/* ---- text ---- */

static void text_names(struct spans *st)
{
	out_printf("%-32s %10s %10s %10s %10s %10s %12s\n", "span", "count", "p50", "p90", "p99",
		   "max", "total");
	for (size_t i = 0; i < st->n_names; i++) {
		struct by_name *b = st->order[i];
		char *n = text_plain_dup(b->name.s, b->name.n);
		out_printf("%-32s %10" PRIu64, n ? n : "?", b->wall.count);
		free(n);
		uint64_t v[5] = {dist_pct(&b->wall, 50), dist_pct(&b->wall, 90),
				 dist_pct(&b->wall, 99), b->wall.max, b->wall.total};
		for (int k = 0; k < 5; k++) {
			out_char(' ');
			out_dur_right(v[k], k == 4 ? 12 : 10);
		}
		out_char('\n');
	}
}

static void text_breakdown(struct report *rep, const struct model_span *sp, const char *ind)
{
	out_printf("%s", ind);
	for (int k = 0; k < MODEL_STATES; k++) {
		if (k == MODEL_HOSTING && !sp->state_ns[k])
			continue;
		out_printf("%s%s ", k ? "  " : "", model_state_name((enum model_state)k));
		out_dur(sp->state_ns[k]);
		if (k == MODEL_BLOCKED && sp->n_blocked_by) {
			out_str(" (");
			for (size_t i = 0; i < sp->n_blocked_by; i++) {
				if (i)
					out_str(", ");
				out_text_bare(sp->blocked_by[i].reason.s, sp->blocked_by[i].reason.n);
				out_char(' ');
				out_dur(sp->blocked_by[i].ns);
			}
			out_char(')');
		}
	}
	if (sp->unknown_ns) {
		out_str("  unknown ");
		out_dur(sp->unknown_ns);
	}
	out_char('\n');
	(void)rep;
}

static void text_span_head(const struct report *rep, const struct model_span *sp)
{
	char tid[33];
	lot_trace_id_hex(sp->trace_id, tid);
	const char *proc = report_proc_name(rep, sp->proc);
	if (*proc)
		out_printf("%s ", proc);
	out_text_quoted(sp->name.s, sp->name.n);
	out_char(' ');
	out_dur(wall(sp));
	out_printf("%s  trace %s span %016" PRIx64 "  at ", sp->open ? " (open at trace end)" : "",
		   tid, sp->span_id);
	out_dur((uint64_t)(sp->start_ns > 0 ? sp->start_ns : 0));
	out_str("  task ");
	out_text_quoted(sp->task_name.s, sp->task_name.n);
	out_printf(" (id %" PRIu64 ")  thread %" PRIu64, sp->task_id, sp->begin_tid);
	if (sp->end_tid && sp->end_tid != sp->begin_tid)
		out_printf(" -> %" PRIu64, sp->end_tid);
	out_char('\n');
}

/* On-CPU time next to running time, and the hottest functions (traces with samples). */
static void text_cpu(struct report *rep, const struct model_span *sp, const struct hot_list *hot,
		     const char *ind)
{
	if (!rep->sum.cpu_samples)
		return;
	out_printf("%son cpu ", ind);
	out_dur(sp->cpu_ns);
	out_printf(" (%" PRIu64 " samples%s) of running ", sp->cpu_samples,
		   rep->sum.cpu_period_ns ? "" : ", period unknown");
	out_dur(sp->state_ns[MODEL_RUNNING]);
	for (size_t i = 0; hot && i < hot->n; i++) {
		out_str(i ? ", " : "; hot: ");
		char *f = text_plain_dup(hot->v[i].fn, strlen(hot->v[i].fn));
		out_str(f ? f : "?");
		free(f);
		out_printf(" %" PRIu64, hot->v[i].samples);
	}
	out_char('\n');
}

static void text_span_detail(struct report *rep, const struct model_span *sp,
			     const struct hot_list *hot, const char *ind)
{
	char ind2[64];
	snprintf(ind2, sizeof ind2, "%s      ", ind);
	text_breakdown(rep, sp, ind);
	text_cpu(rep, sp, hot, ind);
	for (size_t i = 0; i < sp->n_attrs; i++) {
		const struct model_attr *a = &sp->attrs[i];
		out_printf("%sattr ", ind);
		out_text_bare(a->key.s, a->key.n);
		out_char('=');
		if (a->is_str)
			out_text_quoted(a->str, a->len);
		else
			out_i64(a->i);
		out_char('\n');
	}
	for (size_t i = 0; i < sp->n_blocks; i++) {
		const struct model_block *b = &sp->blocks[i];
		out_printf("%sblocked ", ind);
		out_text_bare(b->reason.s, b->reason.n);
		if (b->detail.n) {
			out_char(' ');
			out_text_quoted(b->detail.s, b->detail.n);
		}
		out_char(' ');
		out_dur((uint64_t)(b->end_ns - b->start_ns));
		out_str(" from +");
		out_dur((uint64_t)(b->start_ns - sp->start_ns));
		if (b->open)
			out_str(", still blocked at the span's end");
		out_char('\n');
		report_stack_text(rep, b->stack, ind2, 8);
		if (b->woken) {
			out_printf("%s  woken by task ", ind);
			out_text_quoted(b->waker.task_name.s, b->waker.task_name.n);
			out_printf(" (id %" PRIu64 ") on thread %" PRIu64 "\n", b->waker.task_id,
				   b->waker.tid);
			report_stack_text(rep, b->waker.stack, ind2, 8);
		} else if (!b->open) {
			out_printf("%s  no recorded wakeup (seen running again)\n", ind);
		}
	}
	if (sp->n_blocks && sp->blocks_dropped)
		out_printf("%s... %" PRIu64 " more blocks\n", ind, sp->blocks_dropped);
	for (size_t i = 0; i < sp->n_children; i++) {
		const struct model_child *c = &sp->children[i];
		out_printf("%schild ", ind);
		out_text_quoted(c->name.s, c->name.n);
		out_char(' ');
		out_dur((uint64_t)(c->end_ns - c->start_ns));
		out_str(" from +");
		out_dur((uint64_t)(c->start_ns - sp->start_ns));
		out_printf(" span %016" PRIx64 "\n", c->span_id);
	}
	if (sp->children_dropped)
		out_printf("%s... %" PRIu64 " more children\n", ind, sp->children_dropped);
}

static int by_start(const void *a, const void *b)
{
	const struct span_copy *x = *(struct span_copy *const *)a, *y = *(struct span_copy *const *)b;
	return (x->sp.start_ns > y->sp.start_ns) - (x->sp.start_ns < y->sp.start_ns);
}

static bool in_trace(const struct spans *st, uint64_t id)
{
	for (size_t i = 0; id && i < st->n_tr; i++)
		if (st->tr[i]->sp.span_id == id)
			return true;
	return false;
}

static void text_tree(struct spans *st, uint64_t parent, unsigned depth, bool roots)
{
	char ind[64];
	unsigned d = depth > 20 ? 20 : depth;
	memset(ind, ' ', 2 * d + 4);
	ind[2 * d + 4] = '\0';
	for (size_t i = 0; i < st->n_tr; i++) {
		const struct model_span *sp = &st->tr[i]->sp;
		bool root = !in_trace(st, sp->parent_id);
		if (roots ? !root : sp->parent_id != parent || root)
			continue;
		out_printf("%.*s", (int)(2 * d), ind);
		text_span_head(&st->rep, sp);
		text_span_detail(&st->rep, sp, hot_of(st, st->tr[i]), ind);
		if (depth < 1000)
			text_tree(st, sp->span_id, depth + 1, false);
	}
}

/* ---- JSON ---- */

static void json_kv_span_id(const char *key, uint64_t id)
{
	json_key(key);
	json_hex16(id);
}

static void json_span(struct report *rep, const struct model_span *sp, const struct hot_list *hot,
		      struct cp *cp)
{
	const struct source *src = sp->proc < rep->src.n ? &rep->src.v[sp->proc] : NULL;
	json_object();
	json_kv_str("name", sp->name.s, sp->name.n);
	json_kv_cstr("service", src ? src->service : "");
	json_kv_u64("pid", src ? src->pid : 0);
	json_key("trace_id");
	json_hex(sp->trace_id, 16);
	json_kv_span_id("span_id", sp->span_id);
	json_kv_span_id("parent_id", sp->parent_id);
	json_kv_u64("task_id", sp->task_id);
	json_kv_str("task_name", sp->task_name.s, sp->task_name.n);
	json_kv_u64("begin_tid", sp->begin_tid);
	json_kv_u64("end_tid", sp->end_tid);
	json_kv_i64("start_ns", sp->start_ns);
	json_kv_i64("end_ns", sp->end_ns);
	json_kv_u64("wall_ns", wall(sp));
	json_kv_bool("open", sp->open);
	for (int k = 0; k < MODEL_STATES; k++) {
		char key[40];
		snprintf(key, sizeof key, "%s_ns", model_state_name((enum model_state)k));
		json_kv_u64(key, sp->state_ns[k]);
	}
	json_kv_u64("cpu_ns", sp->cpu_ns);
	json_kv_u64("cpu_samples", sp->cpu_samples);
	json_key("hot");
	json_array();
	for (size_t i = 0; hot && i < hot->n; i++) {
		json_object();
		json_kv_cstr("function", hot->v[i].fn);
		json_kv_u64("samples", hot->v[i].samples);
		json_object_end();
	}
	json_array_end();
	json_kv_u64("unknown_ns", sp->unknown_ns);
	json_key("blocked_by_ns");
	json_object();
	for (size_t i = 0; i < sp->n_blocked_by; i++) {
		json_key_str(sp->blocked_by[i].reason.s, sp->blocked_by[i].reason.n);
		json_u64(sp->blocked_by[i].ns);
	}
	json_object_end();
	json_key("attrs");
	report_attrs_json(sp->attrs, sp->n_attrs);
	json_key("stack");
	report_stack_json(rep, sp->stack);
	json_key("blocks");
	json_array();
	for (size_t i = 0; i < sp->n_blocks; i++) {
		const struct model_block *b = &sp->blocks[i];
		json_object();
		json_kv_str("reason", b->reason.s, b->reason.n);
		json_kv_str("detail", b->detail.s, b->detail.n);
		json_kv_i64("start_ns", b->start_ns);
		json_kv_i64("end_ns", b->end_ns);
		json_kv_u64("duration_ns", (uint64_t)(b->end_ns - b->start_ns));
		json_kv_bool("open", b->open);
		json_key("stack");
		report_stack_json(rep, b->stack);
		json_key("waker");
		if (b->woken) {
			json_object();
			json_kv_u64("task_id", b->waker.task_id);
			json_kv_str("task_name", b->waker.task_name.s, b->waker.task_name.n);
			json_kv_u64("tid", b->waker.tid);
			json_key("stack");
			report_stack_json(rep, b->waker.stack);
			json_object_end();
		} else {
			json_null();
		}
		json_object_end();
	}
	json_array_end();
	json_kv_u64("blocks_dropped", sp->blocks_dropped);
	json_key("children");
	json_array();
	for (size_t i = 0; i < sp->n_children; i++) {
		const struct model_child *c = &sp->children[i];
		json_object();
		json_kv_str("name", c->name.s, c->name.n);
		json_kv_span_id("span_id", c->span_id);
		json_kv_i64("start_ns", c->start_ns);
		json_kv_i64("end_ns", c->end_ns);
		json_kv_u64("wall_ns", (uint64_t)(c->end_ns - c->start_ns));
		json_object_end();
	}
	json_array_end();
	json_kv_u64("children_dropped", sp->children_dropped);
	size_t n = 0;
	const struct cp_step *v = cp ? cp_path(cp, sp->proc, sp->span_id, &n) : NULL;
	if (n)
		cp_print_json(rep, v, n);
	json_object_end();
}

static void print_json(struct spans *st)
{
	json_object();
	report_header_json(&st->rep);
	json_key("names");
	json_array();
	for (size_t i = 0; i < st->n_names; i++) {
		struct by_name *b = st->order[i];
		json_object();
		json_kv_str("name", b->name.s, b->name.n);
		json_kv_u64("count", b->wall.count);
		json_kv_u64("p50_ns", dist_pct(&b->wall, 50));
		json_kv_u64("p90_ns", dist_pct(&b->wall, 90));
		json_kv_u64("p99_ns", dist_pct(&b->wall, 99));
		json_kv_u64("max_ns", b->wall.max);
		json_kv_u64("total_ns", b->wall.total);
		json_kv_bool("exact", dist_exact(&b->wall));
		json_object_end();
	}
	json_array_end();
	if (st->slowest) {
		json_key("slowest");
		json_array();
		for (size_t i = 0; i < st->n_top; i++)
			json_span(&st->rep, &st->top[i]->sp, hot_of(st, st->top[i]), st->cp);
		json_array_end();
	}
	if (st->want_trace) {
		json_key("spans");
		json_array();
		for (size_t i = 0; i < st->n_tr; i++) {
			const struct model_span *sp = &st->tr[i]->sp;
			json_span(&st->rep, sp, hot_of(st, st->tr[i]),
				  in_trace(st, sp->parent_id) ? NULL : st->cp);
		}
		json_array_end();
	}
	json_object_end();
	out_char('\n');
}

static void print_text(struct spans *st)
{
	report_header_text(&st->rep);
	if (!st->n_names)
		out_str("no spans\n");
	else
		text_names(st);
	if (st->slowest) {
		out_printf("\nslowest %zu\n", st->n_top);
		for (size_t i = 0; i < st->n_top; i++) {
			out_printf("#%zu ", i + 1);
			text_span_head(&st->rep, &st->top[i]->sp);
			text_span_detail(&st->rep, &st->top[i]->sp, hot_of(st, st->top[i]), "    ");
			size_t n = 0;
			const struct model_span *sp = &st->top[i]->sp;
			const struct cp_step *v = st->cp ? cp_path(st->cp, sp->proc, sp->span_id, &n) : NULL;
			if (n)
				cp_print_text(&st->rep, v, n, "    ");
		}
	}
	if (st->want_trace) {
		char tid[33];
		lot_trace_id_hex(st->trace, tid);
		out_printf("\ntrace %s: %zu spans\n", tid, st->n_tr);
		text_tree(st, 0, 0, true);
		for (size_t i = 0; st->cp && i < st->n_tr; i++) {
			const struct model_span *sp = &st->tr[i]->sp;
			size_t n = 0;
			const struct cp_step *v = in_trace(st, sp->parent_id) ? NULL
						  : cp_path(st->cp, sp->proc, sp->span_id, &n);
			if (!n)
				continue;
			out_str("\n");
			text_span_head(&st->rep, sp);
			cp_print_text(&st->rep, v, n, "");
		}
	}
}

static void print(void *ctx)
{
	struct spans *st = ctx;
	if (st->n_names > 1)
		qsort(st->order, st->n_names, sizeof *st->order, by_total);
	if (st->n_tr > 1)
		qsort(st->tr, st->n_tr, sizeof *st->tr, by_start);
	/* the critical paths of the slowest and of --trace's roots */
	size_t n = st->n_top + (st->n_tr > 0);
	uint8_t (*traces)[16] = n ? calloc(n, sizeof *traces) : NULL;
	for (size_t i = 0; traces && i < st->n_top; i++)
		memcpy(traces[i], st->top[i]->sp.trace_id, 16);
	if (traces && st->n_tr)
		memcpy(traces[n - 1], st->trace, 16);
	if (traces && !(st->cp = cp_collect(&st->rep, (const uint8_t(*)[16])traces, n)))
		cmd_warn(st->rep.path, 0, "out of memory: no critical paths");
	if (st->rep.json)
		print_json(st);
	else
		print_text(st);
	cp_free(st->cp);
	st->cp = NULL;
	free(traces);
}

int cmd_spans(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, REPORT_OPT_JSON},
		{"slowest", required_argument, NULL, 's'},
		{"name", required_argument, NULL, 'n'},
		{"trace", required_argument, NULL, 't'},
		REPORT_SYMBOL_OPTIONS,
		CMD_COMMON_OPTIONS,
	};
	struct spans st = {.rep = {.cmd = "spans"}};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!report_parse_u64(optarg, &st.slowest) || st.slowest > 100000)
				return cmd_usage_error("spans", usage, "--slowest: not a count: '%s'", optarg);
			break;
		case 'n':
			st.name = optarg;
			break;
		case 't':
			if (!report_parse_trace_id(optarg, st.trace))
				return cmd_usage_error("spans", usage, "--trace: not 32 hex digits: '%s'",
						       optarg);
			st.want_trace = true;
			break;
		case 'h':
			return cmd_help(usage, help);
		default:
			if (!report_common_opt(&st.rep, c, optarg))
				return cmd_usage_error("spans", usage, "bad option '%s'", argv[optind - 1]);
		}
	}
	int status = report_file_arg(&st.rep, argc, argv, usage);
	if (status >= 0)
		return status;
	if (st.slowest && !(st.top = calloc(st.slowest, sizeof *st.top)))
		return CMD_EXIT_UNREADABLE;
	struct model_callbacks cb = {.ctx = &st, .span = on_span};
	if (st.slowest || st.want_trace)
		cb.sample = on_sample;
	status = report_main(&st.rep, &cb, print, &st, &st.oom);
	for (size_t i = 0; i < st.n_names; i++) {
		dist_free(&st.order[i]->wall);
		free(st.order[i]);
	}
	free(st.order);
	idmap_free(&st.names);
	for (size_t i = 0; i < st.n_top; i++)
		drop_copy(&st, st.top[i]);
	free(st.top);
	for (size_t i = 0; i < st.n_tr; i++)
		drop_copy(&st, st.tr[i]);
	span_hots_free(&st.hots);
	idmap_free(&st.hot);
	free(st.tr);
	return status;
}
