/*
 * `lotrace export --format chrome`: the Chrome JSON Trace Event Format
 * (what chrome://tracing and the Perfetto UI open), streamed:
 *
 *   {"traceEvents":[ event, event, ... ],
 *    "displayTimeUnit":"ns", "otherData":{ the trace's span, losses, damage }}
 *
 * ts and dur are microseconds with three decimals (nanosecond precision),
 * ts from the trace start: viewers read them as doubles, which past about
 * 104 days of CLOCK_MONOTONIC no longer hold the nanoseconds that keep
 * touching slices apart.  otherData's start_mono_ns puts them back on the
 * host's clock.
 * Spans that nest on their thread are X slices there; the others (ended on
 * another thread, or overlapping a sibling) are async b/e pairs with the
 * span id as id.  Task states are X slices on the task's track; a wake-up
 * is an "unblock" mark on the waker's track with a flow (s, then f with
 * bp "e": bound to the enclosing slice) to the wakee's next slice.  File
 * order matters where times tie: the viewer sorts stably, so a slice is
 * written before a flow event that must bind to it.  Several files: a
 * process (and its "tasks of" process) per file, and a flow from each span
 * to its children in other processes (cmd/remote_links.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/export.h"
#include "cmd/idmap.h"
#include "cmd/json.h"
#include "cmd/lanes.h"
#include "cmd/out.h"
#include "cmd/remote_links.h"
#include "cmd/report.h"
#include "cmd/sources.h"

/* A wake-up waiting for the wakee's next interval (which starts then). */
struct wake {
	int64_t ns;
	struct model_waker waker;
};

struct chrome {
	const struct export_info *info;
	bool args;           /* the event being written has its "args" open */
	struct idmap lanes;  /* thread_key() -> struct lane: spans placed as X there */
	struct remote_links remote;
	struct idmap wakes;  /* task key -> struct wake */
	uint64_t next_flow;
	bool oom;
};

/* A file's process and its "tasks of" process. */
static uint64_t pid_of(const struct chrome *c, unsigned proc) { return export_pid(c->info, proc); }
static uint64_t tasks_pid_of(const struct chrome *c, unsigned proc)
{
	return export_pid(c->info, proc) + EXPORT_TASKS_PID_OFFSET;
}
/* A thread, told apart by file. */
static uint64_t thread_key(uint64_t tid, unsigned proc) { return tid ^ ((uint64_t)proc << 48); }

/* Times from the trace start, never before it. */
static void put_time(const char *key, int64_t ns)
{
	json_key(key);
	json_fixed3(ns > 0 ? (uint64_t)ns : 0);
}

/* Open an event object: {"ph":..,"cat":..,"name":..,"pid":..,"tid":..,"ts":.. */
static void ev_open(struct chrome *c, const char *ph, const char *cat, const char *name, size_t name_len,
		    uint64_t pid, uint64_t tid, int64_t ns)
{
	json_break();
	json_object();
	json_kv_lit("ph", ph);
	json_kv_lit("cat", cat);
	json_kv_str("name", name, name_len);
	json_kv_u64("pid", pid);
	json_kv_u64("tid", tid);
	put_time("ts", ns);
	c->args = false;
}

static void put_id(const char *key, uint64_t id)
{
	json_key(key);
	json_hex_num(id);
}

/* An argument's key in the event's "args":{...}, opened by the first. */
static void arg_key(struct chrome *c, const char *key)
{
	if (!c->args) {
		json_key("args");
		json_object();
		c->args = true;
	}
	json_key(key);
}

static void arg_str(struct chrome *c, const char *key, const char *s, size_t n)
{
	arg_key(c, key);
	json_str(s, n);
}

static void arg_u64(struct chrome *c, const char *key, uint64_t v)
{
	arg_key(c, key);
	json_u64(v);
}

static void arg_hex(struct chrome *c, const char *key, uint64_t v)
{
	arg_key(c, key);
	json_hex16(v);
}

static void arg_stack(struct chrome *c, uint32_t stack)
{
	size_t n;
	const uint64_t *pcs = export_stack(c->info, stack, &n);
	if (!pcs)
		return;
	unsigned proc = model_stack_proc(c->info->model, stack);
	arg_key(c, "stack");
	json_array();
	for (size_t i = 0; i < n; i++)
		json_cstr(export_frame_of(c->info, proc, pcs[i]));
	json_array_end();
}

static void ev_close(struct chrome *c)
{
	if (c->args)
		json_object_end();
	json_object_end();
}

static void meta_name(struct chrome *c, const char *what, uint64_t pid, uint64_t tid,
		      const char *name, size_t n)
{
	ev_open(c, "M", "__metadata", what, strlen(what), pid, tid, 0);
	arg_str(c, "name", name, n);
	ev_close(c);
}

static void *chrome_begin(const struct export_info *info)
{
	struct chrome *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->info = info;
	json_object();
	json_key("traceEvents");
	json_array();
	for (unsigned i = 0; i < (info->src ? info->src->n : 1); i++) {
		const char *pn = export_process_name(info, i);
		meta_name(c, "process_name", pid_of(c, i), 0, pn, strlen(pn));
		char tn[300];
		snprintf(tn, sizeof tn, "tasks of %.250s", pn);
		meta_name(c, "process_name", tasks_pid_of(c, i), 0, tn, strlen(tn));
	}
	return c;
}

/* "running", "blocked: io", ... */
static void state_label(const struct model_interval *iv, char *buf, size_t cap, size_t *len)
{
	const char *st = model_state_name(iv->state);
	if (iv->state == MODEL_BLOCKED && iv->reason.n)
		*len = (size_t)snprintf(buf, cap, "%s: %.*s", st, (int)(iv->reason.n < 200 ? iv->reason.n : 200),
					iv->reason.s);
	else
		*len = (size_t)snprintf(buf, cap, "%s", st);
	if (*len >= cap)
		*len = cap - 1;
}

/* The waker's mark and the flow's start; the caller then writes the wakee's
 * slice and flow_end(). */
static uint64_t flow_begin(struct chrome *c, const struct wake *w, const struct model_task *wakee)
{
	uint64_t flow = ++c->next_flow;
	uint64_t pid = w->waker.task_key ? tasks_pid_of(c, wakee->proc) : pid_of(c, wakee->proc);
	uint64_t tid = w->waker.task_key ? w->waker.task_key : w->waker.tid;
	ev_open(c, "X", "flow", "unblock", 7, pid, tid, w->ns);
	put_time("dur", 0);
	arg_str(c, "wakes", wakee->name.s, wakee->name.n);
	arg_u64(c, "wakee_task", wakee->key);
	arg_u64(c, "thread", w->waker.tid);
	arg_stack(c, w->waker.stack);
	ev_close(c);
	ev_open(c, "s", "flow", "unblock", 7, pid, tid, w->ns);
	put_id("id", flow);
	ev_close(c);
	return flow;
}

static void flow_end(struct chrome *c, uint64_t flow, const struct model_task *wakee, int64_t ns)
{
	ev_open(c, "f", "flow", "unblock", 7, tasks_pid_of(c, wakee->proc), wakee->key, ns);
	put_id("id", flow);
	json_kv_lit("bp", "e");
	ev_close(c);
}

static void chrome_interval(void *st, const struct model_interval *iv)
{
	struct chrome *c = st;
	const struct model_task *t = iv->task;
	struct wake *w = idmap_del(&c->wakes, t->key);
	uint64_t flow = 0;
	if (w && w->ns == iv->start_ns && iv->end_ns > iv->start_ns)
		flow = flow_begin(c, w, t);
	free(w);

	char label[256];
	size_t len;
	state_label(iv, label, sizeof label, &len);
	ev_open(c, "X", "state", label, len, tasks_pid_of(c, t->proc), t->key, iv->start_ns);
	put_time("dur", iv->end_ns - iv->start_ns);
	if (iv->tid)
		arg_u64(c, "thread", iv->tid);
	if (iv->reason.n)
		arg_str(c, "reason", iv->reason.s, iv->reason.n);
	if (iv->detail.n)
		arg_str(c, "detail", iv->detail.s, iv->detail.n);
	if (iv->woken) {
		arg_str(c, "woken_by", iv->waker.task_name.s, iv->waker.task_name.n);
		arg_u64(c, "waker_task", iv->waker.task_key);
		arg_u64(c, "waker_thread", iv->waker.tid);
	}
	if (iv->open)
		arg_u64(c, "open_at_trace_end", 1);
	arg_stack(c, iv->stack);
	ev_close(c);
	if (flow)
		flow_end(c, flow, t, iv->start_ns);

	if (export_wake_flow(iv)) {
		struct wake *nw = malloc(sizeof *nw);
		if (!nw || idmap_put(&c->wakes, t->key, nw) < 0) {
			free(nw);
			c->oom = true;
			return;
		}
		*nw = (struct wake){.ns = iv->end_ns, .waker = iv->waker};
	}
}

/* Whether the span can be an X slice on its thread. */
static bool nests_on_thread(struct chrome *c, const struct model_span *sp)
{
	if (sp->open || sp->begin_tid != sp->end_tid)
		return false;
	struct lane *l = idmap_get(&c->lanes, thread_key(sp->begin_tid, sp->proc));
	if (!l) {
		l = calloc(1, sizeof *l);
		if (!l || idmap_put(&c->lanes, thread_key(sp->begin_tid, sp->proc), l) < 0) {
			free(l);
			c->oom = true;
			return false;
		}
	}
	return lane_try_add(l, sp->start_ns, sp->end_ns);
}

static void span_args(struct chrome *c, const struct model_span *sp)
{
	arg_hex(c, "span_id", sp->span_id);
	if (sp->parent_id)
		arg_hex(c, "parent_span_id", sp->parent_id);
	arg_key(c, "trace_id");
	json_hex(sp->trace_id, 16);
	arg_str(c, "task", sp->task_name.s, sp->task_name.n);
	arg_u64(c, "task_key", sp->task_key);
	arg_u64(c, "begin_thread", sp->begin_tid);
	if (sp->end_tid)
		arg_u64(c, "end_thread", sp->end_tid);
	if (sp->open)
		arg_u64(c, "open_at_trace_end", 1);
	arg_u64(c, "running_ns", sp->state_ns[MODEL_RUNNING]);
	arg_u64(c, "runnable_ns", sp->state_ns[MODEL_RUNNABLE]);
	arg_u64(c, "blocked_ns", sp->state_ns[MODEL_BLOCKED]);
	arg_u64(c, "hosting_ns", sp->state_ns[MODEL_HOSTING]);
	arg_u64(c, "unknown_ns", sp->unknown_ns);
	if (sp->n_attrs) {
		arg_key(c, "attributes");
		report_attrs_json(sp->attrs, sp->n_attrs);
	}
	arg_stack(c, sp->stack);
	ev_close(c);
}

/* Arrows from span sp to its children in other processes: from sp's thread
 * at the child's start (inside sp) to the child's first slice. */
static void remote_flows(struct chrome *c, const struct model_span *sp)
{
	struct remote_child *kids = remote_links_span(&c->remote, sp);
	for (struct remote_child *k = kids; k; k = k->next) {
		int64_t at = k->start_ns < sp->start_ns ? sp->start_ns
			     : k->start_ns > sp->end_ns ? sp->end_ns : k->start_ns;
		uint64_t flow = ++c->next_flow;
		ev_open(c, "s", "remote", "request", 7, pid_of(c, sp->proc), sp->begin_tid, at);
		put_id("id", flow);
		ev_close(c);
		ev_open(c, "f", "remote", "request", 7, pid_of(c, k->proc), k->tid, k->start_ns);
		put_id("id", flow);
		json_kv_lit("bp", "e");
		ev_close(c);
	}
	remote_links_free(kids);
}

static void chrome_span(void *st, const struct model_span *sp)
{
	struct chrome *c = st;
	uint64_t pid = pid_of(c, sp->proc);
	if (nests_on_thread(c, sp)) {
		ev_open(c, "X", "span", sp->name.s, sp->name.n, pid, sp->begin_tid, sp->start_ns);
		put_time("dur", sp->end_ns - sp->start_ns);
		span_args(c, sp);
	} else {
		/* async: begin on the thread it began on, end where it ended */
		ev_open(c, "b", "span", sp->name.s, sp->name.n, pid, sp->begin_tid, sp->start_ns);
		put_id("id", sp->span_id);
		span_args(c, sp);
		ev_open(c, "e", "span", sp->name.s, sp->name.n, pid,
			sp->end_tid ? sp->end_tid : sp->begin_tid, sp->end_ns);
		put_id("id", sp->span_id);
		ev_close(c);
	}
	if (c->info->src && c->info->src->n > 1)
		remote_flows(c, sp);
}

static void chrome_point(void *st, const struct model_point *pt)
{
	struct chrome *c = st;
	switch (pt->code) {
	case LOT_EV_instant:
		ev_open(c, "i", "instant", pt->name.s, pt->name.n, pid_of(c, pt->proc), pt->tid, pt->ns);
		json_kv_lit("s", "t");
		if (pt->task)
			arg_str(c, "task", pt->task->name.s, pt->task->name.n);
		arg_stack(c, pt->stack);
		ev_close(c);
		break;
	case LOT_EV_counter:
		ev_open(c, "C", "counter", pt->name.s, pt->name.n, pid_of(c, pt->proc), pt->tid, pt->ns);
		arg_key(c, "value");
		json_i64(pt->value);
		ev_close(c);
		break;
	case LOT_EV_lost:
		ev_open(c, "i", "lost", "events lost", 11, pid_of(c, pt->proc), pt->tid, pt->ns);
		json_kv_lit("s", "t");
		arg_key(c, "count");
		json_i64(pt->value);
		ev_close(c);
		break;
	case LOT_EV_thread_begin:
		if (pt->name.n)
			meta_name(c, "thread_name", pid_of(c, pt->proc), pt->tid, pt->name.s, pt->name.n);
		break;
	default:
		break;
	}
}

static void chrome_task_done(void *st, const struct model_task *t)
{
	struct chrome *c = st;
	char label[300];
	int n;
	if (t->is_thread)
		n = snprintf(label, sizeof label, "%.*s (thread %llu)", (int)(t->name.n < 200 ? t->name.n : 200),
			     t->name.s, (unsigned long long)t->tid);
	else
		n = snprintf(label, sizeof label, "%.*s #%llu", (int)(t->name.n < 200 ? t->name.n : 200),
			     t->name.s, (unsigned long long)t->id);
	meta_name(c, "thread_name", tasks_pid_of(c, t->proc), t->key, label,
		  n < (int)sizeof label ? (size_t)n : sizeof label - 1);
	free(idmap_del(&c->wakes, t->key));
}

static void chrome_thread_done(void *st, const struct model_thread *th)
{
	struct chrome *c = st;
	if (th->name.n)
		meta_name(c, "thread_name", pid_of(c, th->proc), th->tid, th->name.s, th->name.n);
	free(idmap_del(&c->lanes, thread_key(th->tid, th->proc)));
}

static void free_all(struct idmap *m)
{
	for (size_t i = 0; i < m->n_slots; i++)
		free(m->slots[i].val);
	idmap_free(m);
}

static int chrome_finish(void *st, const struct model_summary *sum)
{
	struct chrome *c = st;
	out_char('\n');
	json_array_end();
	json_kv_lit("displayTimeUnit", "ns");
	json_key("otherData");
	json_object();
	json_kv_cstr("lotrace_file", c->info->path);
	json_kv_i64("start_ns", sum->start_ns);
	json_kv_i64("end_ns", sum->end_ns);
	json_kv_u64("start_mono_ns", c->info->base_ns);
	json_kv_u64("start_real_ns", sum->start_real_ns);
	json_kv_u64("events", sum->events);
	json_kv_u64("lost", sum->lost);
	json_kv_u64("late_events", sum->late_events);
	json_kv_bool("damaged", sum->damaged || sum->read_error);
	json_kv_u64("warnings", sum->warnings);
	json_object_end();
	json_object_end();
	out_char('\n');
	int rc = c->oom || c->remote.oom ? -1 : 0;
	remote_links_done(&c->remote);
	free_all(&c->lanes);
	free_all(&c->wakes);
	free(c);
	return rc;
}

const struct export_format export_chrome = EXPORT_TIMELINE_FORMAT("chrome JSON", chrome);
