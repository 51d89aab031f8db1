/*
 * The critical path (critical_path.h), walked backwards from the root's end:
 *
 *   path(S, from, to):
 *     cur = to
 *     for each child C of S (local or in another process), latest end first:
 *       if C begins at or after cur: it did not hold S up at cur, skip it
 *       e = min(C.end, cur)
 *       S's own states over [e, cur]          (S waited for nobody there)
 *       path(C, max(C.start, from), e)        (S waited for C)
 *       cur = max(C.start, from)
 *     S's own states over [from, cur]
 *
 * "S's own states" are the state segments of S's task (running, runnable,
 * blocked by reason, hosting) clipped to the window; time with no recorded
 * state is "unknown".  Every level partitions its window, so the steps add up
 * to the root's wall time exactly.  A remote child (clock skew corrected,
 * cmd/sources.h) is clipped to its parent's window the same way.
 */
#include "cmd/critical_path.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/escape.h"
#include "cmd/json.h"
#include "cmd/out.h"
#include "cmd/sources.h"
#include "lib/grow.h"

struct cspan {
	uint64_t id, parent;
	unsigned proc;
	uint8_t trace[16];
	struct model_str name;
	int64_t start, end;
	uint64_t task_key;
};

struct cseg {
	uint64_t task_key;
	int64_t start, end;
	int state;
	struct model_str reason;
};

struct cp {
	const uint8_t (*traces)[16];
	size_t n_traces;
	struct cspan *spans;
	size_t n_spans, cap_spans;
	struct cseg *segs;
	size_t n_segs, cap_segs;
	struct cp_step *steps;
	size_t n_steps, cap_steps;
	bool oom;
	struct sources src;
	struct model *m; /* names stay valid while it lives */
};


static bool wanted(const struct cp *cp, const uint8_t trace[16])
{
	for (size_t i = 0; i < cp->n_traces; i++)
		if (!memcmp(cp->traces[i], trace, 16))
			return true;
	return false;
}

static void on_span(void *ctx, const struct model_span *sp)
{
	struct cp *cp = ctx;
	if (!wanted(cp, sp->trace_id))
		return;
	if (!lot_grow((void **)&cp->spans, &cp->cap_spans, cp->n_spans, sizeof *cp->spans)) {
		cp->oom = true;
		return;
	}
	struct cspan *c = &cp->spans[cp->n_spans++];
	*c = (struct cspan){.id = sp->span_id, .parent = sp->parent_id, .proc = sp->proc,
			    .name = sp->name, .start = sp->start_ns, .end = sp->end_ns,
			    .task_key = sp->task_key};
	memcpy(c->trace, sp->trace_id, 16);
}

static void on_segment(void *ctx, const struct model_segment *sg)
{
	struct cp *cp = ctx;
	bool keep = false;
	for (size_t i = 0; i < sg->n_spans && !keep; i++)
		keep = wanted(cp, sg->spans[i]->trace_id);
	if (!keep)
		return;
	if (!lot_grow((void **)&cp->segs, &cp->cap_segs, cp->n_segs, sizeof *cp->segs)) {
		cp->oom = true;
		return;
	}
	struct cseg *s = &cp->segs[cp->n_segs++];
	*s = (struct cseg){.task_key = sg->task->key, .start = sg->start_ns, .end = sg->end_ns,
			   .state = (int)sg->state, .reason = sg->reason};
	if (sg->state == MODEL_RUNNING || sg->state == MODEL_HOSTING)
		s->reason = (struct model_str){"", 0};
}

static int seg_order(const void *a, const void *b)
{
	const struct cseg *x = a, *y = b;
	if (x->task_key != y->task_key)
		return x->task_key < y->task_key ? -1 : 1;
	return (x->start > y->start) - (x->start < y->start);
}

struct cp *cp_collect(struct report *rep, const uint8_t (*traces)[16], size_t n)
{
	struct cp *cp = calloc(1, sizeof *cp);
	if (!cp)
		return NULL;
	cp->traces = traces;
	cp->n_traces = n;
	char **paths = calloc(rep->src.n, sizeof *paths);
	if (!paths) {
		free(cp);
		return NULL;
	}
	for (size_t i = 0; i < rep->src.n; i++)
		paths[i] = (char *)rep->src.v[i].path;
	cp->src.quiet = true; /* the first pass printed the warnings */
	int rc = sources_open(&cp->src, paths, rep->src.n);
	free(paths);
	if (rc) {
		free(cp);
		return NULL;
	}
	struct model_callbacks cb = {.ctx = cp, .span = on_span, .segment = on_segment};
	struct model_summary sum;
	cp->m = model_new_sources(&cp->src, &cb, NULL);
	if (!cp->m || model_run(cp->m, &sum) < 0 || cp->oom) {
		cp_free(cp);
		return NULL;
	}
	if (cp->n_segs)
		qsort(cp->segs, cp->n_segs, sizeof *cp->segs, seg_order);
	return cp;
}

void cp_free(struct cp *cp)
{
	if (!cp)
		return;
	model_free(cp->m);
	sources_close(&cp->src);
	free(cp->spans);
	free(cp->segs);
	free(cp->steps);
	free(cp);
}

static void step(struct cp *cp, const struct cspan *s, int state, struct model_str reason,
		 int64_t start, int64_t end)
{
	if (end <= start)
		return;
	if (!lot_grow((void **)&cp->steps, &cp->cap_steps, cp->n_steps, sizeof *cp->steps)) {
		cp->oom = true;
		return;
	}
	cp->steps[cp->n_steps++] = (struct cp_step){
		.proc = s->proc, .span = s->name, .span_id = s->id, .state = state,
		.reason = reason, .start_ns = start, .ns = (uint64_t)(end - start)};
}

/* S's own task states over [a, b]; what no segment covers is unknown. */
static void own(struct cp *cp, const struct cspan *s, int64_t a, int64_t b)
{
	static const struct model_str none = {"", 0};
	if (b <= a)
		return;
	/* the task's segments are sorted by start: find the first that may overlap */
	size_t lo = 0, hi = cp->n_segs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct cseg *g = &cp->segs[mid];
		if (g->task_key < s->task_key || (g->task_key == s->task_key && g->end <= a))
			lo = mid + 1;
		else
			hi = mid;
	}
	int64_t cur = a;
	for (size_t i = lo; i < cp->n_segs; i++) {
		const struct cseg *g = &cp->segs[i];
		if (g->task_key != s->task_key || g->start >= b)
			break;
		int64_t x = g->start > cur ? g->start : cur, y = g->end < b ? g->end : b;
		if (y <= x)
			continue;
		step(cp, s, -1, none, cur, x);
		step(cp, s, g->state, g->reason, x, y);
		cur = y;
	}
	step(cp, s, -1, none, cur, b);
}

static int later_end(const void *a, const void *b)
{
	const struct cspan *x = *(const struct cspan *const *)a, *y = *(const struct cspan *const *)b;
	return (x->end < y->end) - (x->end > y->end);
}

static void path(struct cp *cp, const struct cspan *s, int64_t from, int64_t to, unsigned depth)
{
	size_t n = 0;
	const struct cspan **kids = NULL;
	if (depth < 256) {
		for (size_t i = 0; i < cp->n_spans; i++)
			n += cp->spans[i].parent == s->id && !memcmp(cp->spans[i].trace, s->trace, 16);
		kids = n ? malloc(n * sizeof *kids) : NULL;
		if (n && !kids) {
			cp->oom = true;
			n = 0;
		}
		n = 0;
		for (size_t i = 0; kids && i < cp->n_spans; i++)
			if (cp->spans[i].parent == s->id && !memcmp(cp->spans[i].trace, s->trace, 16))
				kids[n++] = &cp->spans[i];
		if (n)
			qsort(kids, n, sizeof *kids, later_end);
	}
	int64_t cur = to;
	for (size_t i = 0; i < n && cur > from; i++) {
		const struct cspan *c = kids[i];
		if (c->start >= cur || c->end <= from)
			continue;
		int64_t e = c->end < cur ? c->end : cur;
		int64_t b = c->start > from ? c->start : from;
		own(cp, s, e, cur);
		path(cp, c, b, e, depth + 1);
		cur = b;
	}
	own(cp, s, from, cur);
	free(kids);
}

static int by_start(const void *a, const void *b)
{
	const struct cp_step *x = a, *y = b;
	return (x->start_ns > y->start_ns) - (x->start_ns < y->start_ns);
}

const struct cp_step *cp_path(struct cp *cp, unsigned proc, uint64_t span_id, size_t *n)
{
	cp->n_steps = 0;
	*n = 0;
	const struct cspan *root = NULL;
	for (size_t i = 0; i < cp->n_spans && !root; i++)
		if (cp->spans[i].id == span_id && cp->spans[i].proc == proc)
			root = &cp->spans[i];
	if (!root)
		return NULL;
	path(cp, root, root->start, root->end, 0);
	if (cp->n_steps)
		qsort(cp->steps, cp->n_steps, sizeof *cp->steps, by_start);
	size_t k = 0; /* merge neighbours of one span in one state */
	for (size_t i = 0; i < cp->n_steps; i++) {
		struct cp_step *p = k ? &cp->steps[k - 1] : NULL, *q = &cp->steps[i];
		if (p && p->proc == q->proc && p->span_id == q->span_id && p->state == q->state &&
		    p->reason.s == q->reason.s)
			p->ns += q->ns;
		else
			cp->steps[k++] = *q;
	}
	*n = cp->n_steps = k;
	return cp->steps;
}

static const char *state_name(int state)
{
	return state < 0 ? "unknown" : model_state_name((enum model_state)state);
}

static bool same_str(struct model_str a, struct model_str b)
{
	return a.n == b.n && (a.s == b.s || !memcmp(a.s, b.s, a.n));
}

/*
 * The text table folds the path's steps by (process, span, state, reason),
 * in the order each first appears: a request that waits on a loop of
 * hundreds of short blocks reads as a few lines, and the durations still add
 * up to the wall time.  --json keeps every step.
 */
void cp_print_text(struct report *rep, const struct cp_step *v, size_t n, const char *ind)
{
	enum { MAX_ROWS = 24 };
	struct row {
		const struct cp_step *first;
		uint64_t ns;
		size_t steps;
	} rows[MAX_ROWS];
	size_t n_rows = 0, other_steps = 0;
	uint64_t total = 0, other_ns = 0;
	for (size_t i = 0; i < n; i++) {
		const struct cp_step *s = &v[i];
		total += s->ns;
		size_t r = 0;
		while (r < n_rows && !(rows[r].first->proc == s->proc && rows[r].first->state == s->state &&
				       same_str(rows[r].first->span, s->span) &&
				       same_str(rows[r].first->reason, s->reason)))
			r++;
		if (r == n_rows && n_rows == MAX_ROWS) {
			other_ns += s->ns;
			other_steps++;
			continue;
		}
		if (r == n_rows)
			rows[n_rows++] = (struct row){.first = s};
		rows[r].ns += s->ns;
		rows[r].steps++;
	}
	out_printf("%scritical path (%zu steps, ", ind, n);
	out_dur(total);
	out_str("), by span and state:\n");
	for (size_t r = 0; r < n_rows; r++) {
		const struct cp_step *s = rows[r].first;
		char *span = text_plain_dup(s->span.s, s->span.n);
		char *reason = text_plain_dup(s->reason.s, s->reason.n);
		const char *svc = report_proc_name(rep, s->proc);
		out_printf("%s  %-20s %-24s %-9s %-14s ", ind, *svc ? svc : "-", span ? span : "?",
			   state_name(s->state), reason && *reason ? reason : "-");
		out_dur(rows[r].ns);
		out_printf("  (%.1f%%)", total ? 100.0 * (double)rows[r].ns / (double)total : 0.0);
		if (rows[r].steps > 1)
			out_printf("  %zu steps", rows[r].steps);
		out_char('\n');
		free(span);
		free(reason);
	}
	if (other_steps) {
		out_printf("%s  %-20s %-24s %-9s %-14s ", ind, "-", "(other)", "-", "-");
		out_dur(other_ns);
		out_printf("  (%.1f%%)  %zu steps\n", total ? 100.0 * (double)other_ns / (double)total : 0.0,
			   other_steps);
	}
}

void cp_print_json(struct report *rep, const struct cp_step *v, size_t n)
{
	json_key("critical_path");
	json_array();
	for (size_t i = 0; i < n; i++) {
		const struct cp_step *s = &v[i];
		const struct source *src = s->proc < rep->src.n ? &rep->src.v[s->proc] : NULL;
		json_object();
		json_kv_cstr("service", src ? src->service : "");
		json_kv_u64("pid", src ? src->pid : 0);
		json_kv_str("span", s->span.s, s->span.n);
		json_key("span_id");
		json_hex16(s->span_id);
		json_kv_cstr("state", state_name(s->state));
		json_kv_str("reason", s->reason.s, s->reason.n);
		json_kv_i64("start_ns", s->start_ns);
		json_kv_u64("duration_ns", s->ns);
		json_object_end();
	}
	json_array_end();
}
