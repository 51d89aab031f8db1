/*
 * `lotrace tasks FILE`: per task name (like Go's goroutine analysis): how
 * many, their total and per-instance running time, runnable time with the
 * scheduler latency (each wait from runnable to running) as percentiles, and
 * blocked time by reason.  A thread's own task is listed under its thread's
 * name, marked as a thread.  Figures from cmd/model.h (doc/ANALYSIS.md).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/dist.h"
#include "cmd/escape.h"
#include "cmd/idmap.h"
#include "cmd/json.h"
#include "cmd/out.h"
#include "cmd/report.h"
#include "cmd/thread_blocks.h"

static const char usage[] = "lotrace tasks [--json] [--show-tracer] FILE...";
static const char help[] =
	"Per task name: count, running, runnable (scheduler latency percentiles), blocked by reason.\n"
	"  --json          one JSON object (schema: doc/JSON.md)\n"
	CMD_SHOW_TRACER_HELP
	"  --help          this text\n";

struct group {
	struct model_str name;
	bool thread;
	uint64_t count, open;
	uint64_t state_ns[MODEL_STATES];
	struct model_reason_ns *by;
	size_t n_by;
	struct dist running;  /* per instance */
	struct dist sched;    /* each runnable wait */
};

struct tasks {
	struct report rep;
	struct idmap map; /* name pointer | thread bit -> group */
	struct group **v;
	size_t n, cap;
	uint64_t referenced; /* tasks only ever unblocked: not listed */
	struct thread_blocks threads; /* per thread: blocked by reason, wakers */
	bool oom;
};

static struct group *group_of(struct tasks *st, const struct model_task *t)
{
	uint64_t key = (uint64_t)(uintptr_t)t->name.s | (t->is_thread ? 1 : 0);
	struct group *g = idmap_get(&st->map, key);
	if (g)
		return g;
	g = calloc(1, sizeof *g);
	if (!g || idmap_put(&st->map, key, g) ||
	    (st->n == st->cap &&
	     !(st->v = realloc(st->v, (st->cap = 2 * st->cap + 16) * sizeof *st->v)))) {
		free(g);
		st->oom = true;
		return NULL;
	}
	g->name = t->name;
	g->thread = t->is_thread;
	st->v[st->n++] = g;
	return g;
}

static void on_interval(void *ctx, const struct model_interval *iv)
{
	struct tasks *st = ctx;
	thread_blocks_add(&st->threads, iv);
	st->oom |= st->threads.oom;
	if (iv->state != MODEL_RUNNABLE || iv->open)
		return;
	struct group *g = group_of(st, iv->task);
	if (g && dist_add(&g->sched, (uint64_t)(iv->end_ns - iv->start_ns)))
		st->oom = true;
}

static void on_task(void *ctx, const struct model_task *t)
{
	struct tasks *st = ctx;
	uint64_t any = 0;
	for (int k = 0; k < MODEL_STATES; k++)
		any |= t->state_ns[k];
	if (!any)
		return; /* never seen in any state */
	if (t->referenced_only) {
		st->referenced++;
		return;
	}
	struct group *g = group_of(st, t);
	if (!g)
		return;
	g->count++;
	g->open += !t->ended;
	for (int k = 0; k < MODEL_STATES; k++)
		g->state_ns[k] += t->state_ns[k];
	for (size_t i = 0; i < t->n_blocked_by; i++) {
		size_t j = 0;
		while (j < g->n_by && g->by[j].reason.s != t->blocked_by[i].reason.s)
			j++;
		if (j == g->n_by) {
			struct model_reason_ns *nb = realloc(g->by, (g->n_by + 1) * sizeof *nb);
			if (!nb) {
				st->oom = true;
				continue;
			}
			g->by = nb;
			g->by[g->n_by++] = (struct model_reason_ns){t->blocked_by[i].reason, 0};
		}
		g->by[j].ns += t->blocked_by[i].ns;
	}
	if (dist_add(&g->running, t->state_ns[MODEL_RUNNING]))
		st->oom = true;
}

static int by_running(const void *a, const void *b)
{
	const struct group *x = *(struct group *const *)a, *y = *(struct group *const *)b;
	if (x->state_ns[MODEL_RUNNING] != y->state_ns[MODEL_RUNNING])
		return x->state_ns[MODEL_RUNNING] < y->state_ns[MODEL_RUNNING] ? 1 : -1;
	return strcmp(x->name.s, y->name.s);
}

static void text_pcts(struct dist *d)
{
	out_str("p50 ");
	out_dur(dist_pct(d, 50));
	out_str("  p90 ");
	out_dur(dist_pct(d, 90));
	out_str("  p99 ");
	out_dur(dist_pct(d, 99));
	out_str("  max ");
	out_dur(d->max);
}

static void print_text(struct tasks *st)
{
	report_header_text(&st->rep);
	if (!st->n)
		out_str("no tasks\n");
	if (st->referenced)
		out_printf("note: %" PRIu64 " task ids were only ever unblocked, never created or "
			   "started in the trace: not listed\n",
			   st->referenced);
	for (size_t i = 0; i < st->n; i++) {
		struct group *g = st->v[i];
		out_str(g->thread ? "thread " : "task ");
		out_text_quoted(g->name.s, g->name.n);
		out_printf("  count %" PRIu64, g->count);
		if (g->open)
			out_printf(" (%" PRIu64 " open at trace end)", g->open);
		out_char('\n');
		for (int k = 0; k < MODEL_STATES; k++) {
			if (k == MODEL_HOSTING && !g->state_ns[k])
				continue;
			out_printf("  %-9s total ", model_state_name((enum model_state)k));
			out_dur(g->state_ns[k]);
			if (k == MODEL_RUNNING) {
				out_str("  per task: ");
				text_pcts(&g->running);
			} else if (k == MODEL_RUNNABLE) {
				out_printf("  scheduler latency (%" PRIu64 " waits): ", g->sched.count);
				text_pcts(&g->sched);
			} else if (k == MODEL_BLOCKED && g->n_by) {
				out_str("  (");
				for (size_t j = 0; j < g->n_by; j++) {
					if (j)
						out_str(", ");
					out_text_bare(g->by[j].reason.s, g->by[j].reason.n);
					out_char(' ');
					out_dur(g->by[j].ns);
				}
				out_char(')');
			}
			out_char('\n');
		}
	}
	thread_blocks_text(&st->threads);
}

static void json_pcts(const char *key, struct dist *d)
{
	json_key(key);
	json_object();
	json_kv_u64("count", d->count);
	json_kv_u64("total_ns", d->total);
	json_kv_u64("p50_ns", dist_pct(d, 50));
	json_kv_u64("p90_ns", dist_pct(d, 90));
	json_kv_u64("p99_ns", dist_pct(d, 99));
	json_kv_u64("max_ns", d->max);
	json_kv_bool("exact", dist_exact(d));
	json_object_end();
}

static void print_json(struct tasks *st)
{
	json_object();
	report_header_json(&st->rep);
	json_kv_u64("referenced_only", st->referenced);
	json_key("tasks");
	json_array();
	for (size_t i = 0; i < st->n; i++) {
		struct group *g = st->v[i];
		json_object();
		json_kv_str("name", g->name.s, g->name.n);
		json_kv_bool("thread", g->thread);
		json_kv_u64("count", g->count);
		json_kv_u64("open", g->open);
		for (int k = 0; k < MODEL_STATES; k++) {
			char key[40];
			snprintf(key, sizeof key, "%s_ns", model_state_name((enum model_state)k));
			json_kv_u64(key, g->state_ns[k]);
		}
		json_key("blocked_by_ns");
		json_object();
		for (size_t j = 0; j < g->n_by; j++) {
			json_key_str(g->by[j].reason.s, g->by[j].reason.n);
			json_u64(g->by[j].ns);
		}
		json_object_end();
		json_pcts("running_per_task", &g->running);
		json_pcts("sched_latency", &g->sched);
		json_object_end();
	}
	json_array_end();
	thread_blocks_json(&st->threads);
	json_object_end();
	out_char('\n');
}

static void print(void *ctx)
{
	struct tasks *st = ctx;
	if (st->n > 1)
		qsort(st->v, st->n, sizeof *st->v, by_running);
	thread_blocks_sort(&st->threads);
	if (st->rep.json)
		print_json(st);
	else
		print_text(st);
}

int cmd_tasks(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, REPORT_OPT_JSON},
		CMD_COMMON_OPTIONS,
	};
	struct tasks st = {.rep = {.cmd = "tasks"}};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return cmd_help(usage, help);
		if (!report_common_opt(&st.rep, c, optarg))
			return cmd_usage_error("tasks", usage, "bad option '%s'", argv[optind - 1]);
	}
	int status = report_file_arg(&st.rep, argc, argv, usage);
	if (status >= 0)
		return status;
	struct model_callbacks cb = {.ctx = &st, .interval = on_interval, .task_done = on_task};
	status = report_main(&st.rep, &cb, print, &st, &st.oom);
	for (size_t i = 0; i < st.n; i++) {
		dist_free(&st.v[i]->running);
		dist_free(&st.v[i]->sched);
		free(st.v[i]->by);
		free(st.v[i]);
	}
	free(st.v);
	idmap_free(&st.map);
	thread_blocks_free(&st.threads);
	return status;
}
