/*
 * The analysis model (model.h): read chunks, copy their events into the
 * reorder window, take them out in time order and run the state machine.
 *
 * The state machine, per thread T (doc/ANALYSIS.md has the user's view):
 *   - T.cur is the recorder's current task on T: the chunk header's task at
 *     a chunk's start, then the last task_start, T's own task after
 *     task_end.  T.own is T's own (implicit) task.
 *   - When the current task blocks or yields, T is "parked": the task stays
 *     current (as in the recorder) but is not running.  The next event T
 *     records, unless it is a task_start of another task, shows the task
 *     running again (a thread records nothing while blocked): it resumes.
 *     A parked task started elsewhere in the meantime no longer belongs to
 *     T, and T's later events are its own task's.
 *   - task_start(X) on T: X runs on T; T's current task, if it was running
 *     there, is switched out (RUNNABLE) or, if it is T's own task, becomes
 *     HOSTING until T's own task runs again.
 *   - task_unblock(X): X goes BLOCKED -> RUNNABLE; if X is T's own parked
 *     task (a self-unblock after a blocking call) it runs again at once.
 * Each task keeps one open interval (state, since) and one open segment,
 * cut at every stacked event and at every begin/end of one of its spans;
 * closing a segment adds its time to the task's open spans.
 * A CPU sample changes no state: it goes to T's current task, that task's
 * open spans, or, when it has none, the span it inherited at task_create
 * (the creator's innermost span then) and that span's open ancestors.
 */
#include "cmd/model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/idmap.h"
#include "cmd/intern.h"
#include "cmd/reorder.h"
#include "cmd/sources.h"
#include "lib/grow.h"

#define STATE_NONE (-1) /* not known yet */

struct mthread;

struct mtask {
	struct model_task pub;
	struct mtask *prev, *next; /* the live tasks */
	int state;                 /* enum model_state or STATE_NONE */
	int64_t since;
	struct mthread *th;        /* RUNNING/HOSTING: the thread; else where it left one */
	struct model_str reason, detail;
	uint32_t stack;            /* the interval's begin stack */
	int64_t seg_start;
	uint32_t seg_stack;
	bool known;                /* created or started (not only referenced) */
	bool in_map;
	uint32_t cur_of;           /* threads whose recorder-current task this is */
	struct model_reason_ns *by;
	size_t n_by, cap_by;
	struct model_span **spans; /* open spans (struct mspan), outermost first */
	size_t n_spans, cap_spans;
	/* the span current at its task_create (the creator's): its samples go
	 * there while it has no span of its own */
	uint64_t inh_span;
	uint8_t inh_trace[16];
	struct model_str inh_name;
};

struct mspan {
	struct model_span pub; /* first: a model_span pointer is an mspan pointer */
	struct mtask *task;    /* NULL once the task ended */
	struct model_reason_ns *by;
	size_t n_by, cap_by;
	struct model_block *blocks;
	struct model_attr *attrs;
	size_t n_attrs, cap_attrs;
	struct model_child *children;
};

struct mthread {
	struct model_thread pub;
	struct mtask *own, *cur;
	bool parked;
	bool live;             /* its chunks may still come (watermark) */
	int64_t read_until;    /* end of its last chunk read */
	bool have_pending;     /* a chunk header's task awaiting the thread's next event */
	uint64_t pending_task;
	int64_t pending_ns;
};

struct model {
	struct sources *src;   /* the files; one made from the reader for model_new() */
	struct sources own;
	struct source own_src;
	const struct lot_file_header *hdr; /* the first file's */
	struct model_callbacks cb;
	size_t window;
	void (*progress)(void *ctx, uint64_t offset);
	void *progress_ctx;
	struct interner in;
	struct reorder q;
	struct idmap tasks, spans, thread_map;
	uint64_t *cpu_period_ns; /* per file: 1e9 / its header's cpu_hz, 0 if not sampled */
	struct mthread **threads;
	size_t n_threads, cap_threads;
	bool show_tracer;   /* model_opts.show_tracer */
	struct mtask *live; /* list head */
	uint64_t next_key;
	int64_t now;        /* time of the last event processed */
	bool any_event;
	bool oom;
	struct model_summary sum;
	const struct model_span **sample_spans; /* scratch: a sample's spans */
	size_t cap_sample_spans;
	struct model_str s_created, s_unblocked, s_yield, s_switched, s_empty;
};

const char *model_state_name(enum model_state s)
{
	switch (s) {
	case MODEL_RUNNING: return "running";
	case MODEL_RUNNABLE: return "runnable";
	case MODEL_BLOCKED: return "blocked";
	case MODEL_HOSTING: return "hosting";
	default: return "unknown";
	}
}

static struct model_str mstr(struct intern_str s) { return (struct model_str){s.s, s.n}; }

static struct model_str name_of(struct model *m, const char *s, size_t n)
{
	struct intern_str i = intern_str(&m->in, s, n);
	if (!i.s) {
		m->oom = true;
		return m->s_empty;
	}
	return mstr(i);
}


static void add_reason(struct model *m, struct model_reason_ns **v, size_t *n, size_t *cap,
		       struct model_str reason, uint64_t ns)
{
	for (size_t i = 0; i < *n; i++) {
		if ((*v)[i].reason.s == reason.s) {
			(*v)[i].ns += ns;
			return;
		}
	}
	if (!lot_grow((void **)v, cap, *n, sizeof **v)) {
		m->oom = true;
		return;
	}
	(*v)[(*n)++] = (struct model_reason_ns){reason, ns};
}

/* ---- ids keyed by file ---- */

/* A thread, task or span id of file proc as a map key: the id itself for
 * the first file, a bijection of it for the others, so that the same id in
 * two files names two things. */
static uint64_t key_of(unsigned proc, uint64_t id)
{
	return id ^ ((uint64_t)proc * 0x9E3779B97F4A7C15ull);
}

static void *task_find(struct model *m, unsigned proc, uint64_t id)
{
	return idmap_get(&m->tasks, key_of(proc, id));
}

static void *span_find(struct model *m, unsigned proc, uint64_t id)
{
	return idmap_get(&m->spans, key_of(proc, id));
}

/* ---- threads ---- */

static struct mthread *thread_get(struct model *m, unsigned proc, uint64_t tid)
{
	struct mthread *t = idmap_get(&m->thread_map, key_of(proc, tid));
	if (t)
		return t;
	if (!lot_grow((void **)&m->threads, &m->cap_threads, m->n_threads, sizeof *m->threads))
		return NULL;
	t = calloc(1, sizeof *t);
	if (!t || idmap_put(&m->thread_map, key_of(proc, tid), t)) {
		free(t);
		return NULL;
	}
	t->pub.tid = tid;
	t->pub.proc = proc;
	t->pub.name = m->s_empty;
	t->pub.first_ns = INT64_MAX;
	t->pub.last_ns = INT64_MIN;
	m->threads[m->n_threads++] = t;
	return t;
}

/* ---- tasks ---- */

static struct mtask *task_new(struct model *m, unsigned proc, uint64_t id, int64_t ns)
{
	struct mtask *x = calloc(1, sizeof *x);
	if (!x) {
		m->oom = true;
		return NULL;
	}
	x->pub.key = ++m->next_key;
	x->pub.id = id;
	x->pub.proc = proc;
	x->pub.name = m->s_empty;
	x->pub.created_ns = ns;
	x->pub.last_ns = ns;
	x->state = STATE_NONE;
	if (id) {
		if (idmap_put(&m->tasks, key_of(proc, id), x)) {
			free(x);
			m->oom = true;
			return NULL;
		}
		x->in_map = true;
	}
	x->next = m->live;
	if (m->live)
		m->live->prev = x;
	m->live = x;
	m->sum.tasks++;
	return x;
}

static struct mtask *task_get(struct model *m, unsigned proc, uint64_t id, int64_t ns)
{
	struct mtask *x = task_find(m, proc, id);
	return x ? x : task_new(m, proc, id, ns);
}

static struct mtask *own_task(struct model *m, struct mthread *t, int64_t ns)
{
	if (!t->own) {
		t->own = task_new(m, t->pub.proc, 0, ns);
		if (t->own) {
			t->own->pub.is_thread = true;
			t->own->pub.tid = t->pub.tid;
			t->own->pub.name = t->pub.name;
			t->own->known = true;
			t->pub.own_task_key = t->own->pub.key;
		}
	}
	return t->own;
}

static void set_cur(struct mthread *t, struct mtask *x)
{
	if (t->cur)
		t->cur->cur_of--;
	t->cur = x;
	if (x)
		x->cur_of++;
}

/* Close the task's open segment at ns: deliver it and add it to its open spans. */
static void seg_close(struct model *m, struct mtask *x, int64_t ns)
{
	if (x->state == STATE_NONE || ns <= x->seg_start) {
		if (ns > x->seg_start)
			x->seg_start = ns;
		return;
	}
	uint64_t d = (uint64_t)(ns - x->seg_start);
	if (m->cb.segment) {
		struct model_segment sg = {
			.task = &x->pub,
			.state = (enum model_state)x->state,
			.start_ns = x->seg_start,
			.end_ns = ns,
			.tid = x->th ? x->th->pub.tid : 0,
			.reason = x->reason,
			.stack = x->seg_stack,
			.spans = (const struct model_span *const *)x->spans,
			.n_spans = x->n_spans,
		};
		m->cb.segment(m->cb.ctx, &sg);
	}
	for (size_t i = 0; i < x->n_spans; i++) {
		struct mspan *s = (struct mspan *)x->spans[i];
		s->pub.state_ns[x->state] += d;
		if (x->state == MODEL_BLOCKED)
			add_reason(m, &s->by, &s->n_by, &s->cap_by, x->reason, d);
	}
	x->seg_start = ns;
}

static void span_add_block(struct model *m, struct mspan *s, const struct model_interval *iv)
{
	(void)m;
	if (s->pub.n_blocks >= MODEL_SPAN_MAX_BLOCKS) {
		s->pub.blocks_dropped++;
		return;
	}
	if (!s->blocks) {
		s->blocks = calloc(MODEL_SPAN_MAX_BLOCKS, sizeof *s->blocks);
		if (!s->blocks) {
			s->pub.blocks_dropped++;
			return;
		}
		s->pub.blocks = s->blocks;
	}
	struct model_block *b = &s->blocks[s->pub.n_blocks++];
	*b = (struct model_block){
		.start_ns = iv->start_ns > s->pub.start_ns ? iv->start_ns : s->pub.start_ns,
		.end_ns = iv->end_ns,
		.reason = iv->reason,
		.detail = iv->detail,
		.stack = iv->stack,
		.woken = iv->woken,
		.open = iv->open,
		.waker = iv->waker,
	};
}

/* Close the task's open interval at ns (and its segment). */
static void iv_close(struct model *m, struct mtask *x, int64_t ns, bool open, bool woken,
		     const struct model_waker *waker)
{
	seg_close(m, x, ns);
	if (x->state == STATE_NONE || ns <= x->since)
		return;
	struct model_interval iv = {
		.task = &x->pub,
		.state = (enum model_state)x->state,
		.start_ns = x->since,
		.end_ns = ns,
		.tid = x->th ? x->th->pub.tid : 0,
		.reason = x->reason,
		.detail = x->detail,
		.stack = x->stack,
		.woken = woken && waker,
		.open = open,
	};
	if (iv.woken)
		iv.waker = *waker;
	uint64_t d = (uint64_t)(ns - x->since);
	x->pub.state_ns[x->state] += d;
	switch (x->state) {
	case MODEL_RUNNING:
		x->pub.running_count++;
		if (x->th)
			x->th->pub.busy_ns += d;
		break;
	case MODEL_RUNNABLE:
		x->pub.runnable_count++;
		break;
	case MODEL_BLOCKED:
		x->pub.blocked_count++;
		add_reason(m, &x->by, &x->n_by, &x->cap_by, x->reason, d);
		for (size_t i = 0; i < x->n_spans; i++)
			span_add_block(m, (struct mspan *)x->spans[i], &iv);
		break;
	}
	if (m->cb.interval)
		m->cb.interval(m->cb.ctx, &iv);
}

/* Move task x to state st at ns. */
static void go(struct model *m, struct mtask *x, int st, int64_t ns, struct mthread *th,
	       struct model_str reason, struct model_str detail, uint32_t stack, bool woken,
	       const struct model_waker *waker)
{
	iv_close(m, x, ns, false, woken, waker);
	x->state = st;
	x->since = x->seg_start = ns;
	x->pub.last_ns = ns;
	if (th)
		x->th = th;
	x->reason = reason;
	x->detail = detail;
	x->stack = stack;
	x->seg_stack = stack;
}

static void go_simple(struct model *m, struct mtask *x, int st, int64_t ns, struct mthread *th,
		      struct model_str reason)
{
	go(m, x, st, ns, th, reason, m->s_empty, 0, false, NULL);
}

/* A new stack for the task from now on (a stacked event of it). */
static void task_stack(struct model *m, struct mtask *x, int64_t ns, uint32_t stack)
{
	if (!stack)
		return;
	seg_close(m, x, ns);
	x->seg_stack = stack;
}

/* ---- spans ---- */

static void span_free(struct mspan *s)
{
	for (size_t i = 0; i < s->pub.n_attrs; i++)
		free((void *)s->attrs[i].str);
	free(s->attrs);
	free(s->by);
	free(s->blocks);
	free(s->children);
	free(s);
}

static void span_finish(struct model *m, struct mspan *s, int64_t ns, uint64_t end_tid, bool open)
{
	struct mtask *x = s->task;
	if (ns < s->pub.start_ns)
		ns = s->pub.start_ns;
	if (x) {
		seg_close(m, x, ns);
		for (size_t i = x->n_spans; i-- > 0;) {
			if (x->spans[i] == &s->pub) {
				memmove(x->spans + i, x->spans + i + 1,
					(x->n_spans - i - 1) * sizeof *x->spans);
				x->n_spans--;
				break;
			}
		}
		if (x->state == MODEL_BLOCKED && x->since < ns) {
			struct model_interval iv = {
				.start_ns = x->since, .end_ns = ns, .reason = x->reason,
				.detail = x->detail, .stack = x->stack, .open = true,
			};
			span_add_block(m, s, &iv);
		}
	}
	s->pub.end_ns = ns;
	s->pub.end_tid = end_tid;
	s->pub.open = open;
	uint64_t wall = (uint64_t)(ns - s->pub.start_ns), sum = 0;
	for (int i = 0; i < MODEL_STATES; i++)
		sum += s->pub.state_ns[i];
	s->pub.unknown_ns = wall > sum ? wall - sum : 0;
	s->pub.blocked_by = s->by;
	s->pub.n_blocked_by = s->n_by;
	s->pub.attrs = s->attrs;
	idmap_del(&m->spans, key_of(s->pub.proc, s->pub.span_id));
	m->sum.spans++;
	if (m->cb.span)
		m->cb.span(m->cb.ctx, &s->pub);
	struct mspan *p = s->pub.parent_id ? span_find(m, s->pub.proc, s->pub.parent_id) : NULL;
	if (p) {
		if (p->pub.n_children >= MODEL_SPAN_MAX_CHILDREN) {
			p->pub.children_dropped++;
		} else {
			if (!p->children) {
				p->children = calloc(MODEL_SPAN_MAX_CHILDREN, sizeof *p->children);
				p->pub.children = p->children;
			}
			if (p->children)
				p->children[p->pub.n_children++] = (struct model_child){
					s->pub.span_id, s->pub.name, s->pub.start_ns, ns};
			else
				p->pub.children_dropped++;
		}
	}
	span_free(s);
}

/* ---- task end ---- */

/* Take a task out of the map and the live list, and free it. */
static void task_free(struct model *m, struct mtask *x)
{
	if (x->in_map)
		idmap_del(&m->tasks, key_of(x->pub.proc, x->pub.id));
	if (x->prev)
		x->prev->next = x->next;
	else
		m->live = x->next;
	if (x->next)
		x->next->prev = x->prev;
	free(x->by);
	free(x->spans);
	free(x);
}

static void task_done(struct model *m, struct mtask *x, bool open)
{
	x->pub.ended = !open;
	x->pub.referenced_only = !x->known;
	x->pub.blocked_by = x->by;
	x->pub.n_blocked_by = x->n_by;
	for (size_t i = 0; i < x->n_spans; i++)
		((struct mspan *)x->spans[i])->task = NULL;
	x->n_spans = 0;
	if (m->cb.task_done)
		m->cb.task_done(m->cb.ctx, &x->pub);
	if (x->cur_of) {
		for (size_t i = 0; i < m->n_threads; i++) {
			struct mthread *t = m->threads[i];
			if (t->cur == x)
				set_cur(t, t->own != x ? t->own : NULL);
		}
	}
	for (size_t i = 0; i < m->n_threads; i++)
		if (m->threads[i]->own == x)
			m->threads[i]->own = NULL;
	task_free(m, x);
}

/* ---- the state machine ---- */

/* T records an event at ns: its current task is running (doc: resume rule). */
static void thread_active(struct model *m, struct mthread *t, int64_t ns)
{
	struct mtask *c = t->cur;
	if (!c || (c != t->own && c->th && c->th != t)) {
		/* no task yet, or the current one now belongs to another thread */
		c = own_task(m, t, ns);
		if (!c)
			return;
		set_cur(t, c);
	}
	if (c->state == MODEL_RUNNING && c->th == t) {
		t->parked = false;
		return;
	}
	go_simple(m, c, MODEL_RUNNING, ns, t, m->s_empty);
	t->parked = false;
}

static void task_start(struct model *m, struct mthread *t, uint64_t id, int64_t ns)
{
	struct mtask *x;
	if (!id || (t->own && t->own->pub.id == id))
		x = own_task(m, t, ns);
	else
		x = task_get(m, t->pub.proc, id, ns);
	if (!x)
		return;
	x->known = true;
	struct mtask *c = t->cur;
	if (c == x && x->state == MODEL_RUNNING && x->th == t) {
		t->parked = false;
		return;
	}
	struct mtask *own = own_task(m, t, ns);
	if (c && c != x && c->th == t && c != own && c->state == MODEL_RUNNING)
		go_simple(m, c, MODEL_RUNNABLE, ns, t, m->s_switched);
	if (own && own != x && own->state != MODEL_HOSTING)
		go_simple(m, own, MODEL_HOSTING, ns, t, m->s_empty);
	/* x may have been running on another thread: that thread's next event
	 * is then its own task's (thread_active) */
	go_simple(m, x, MODEL_RUNNING, ns, t, m->s_empty);
	set_cur(t, x);
	t->parked = false;
}

/* Forget a task that was only referenced, delivering nothing. */
static void task_drop(struct model *m, struct mtask *x)
{
	for (size_t i = 0; i < m->n_threads; i++)
		if (m->threads[i]->cur == x)
			set_cur(m->threads[i], NULL);
	task_free(m, x);
	m->sum.tasks--;
}

/* T's own task is h (from thread_begin, or a chunk header's task that is no
 * known task) unless T's own id is known already or h is another known
 * task: adopt it.  A task known only by reference (an unblock read first)
 * was T's own task all along: it goes.  True if T's own task is h. */
static bool own_bind(struct model *m, struct mthread *t, uint64_t h, int64_t ns)
{
	struct mtask *own = own_task(m, t, ns);
	if (!own || !h)
		return false;
	if (own->pub.id == h)
		return true;
	struct mtask *x = task_find(m, t->pub.proc, h);
	if (own->pub.id || (x && x->known))
		return false;
	if (x)
		task_drop(m, x);
	own->pub.id = h;
	if (!idmap_put(&m->tasks, key_of(t->pub.proc, h), own))
		own->in_map = true;
	return true;
}

/* The chunk header's task, resolved at the thread's next event: unless that
 * event starts the same task (the recorder sets its current task before
 * recording task_start, so a chunk may begin with it), it is the task
 * running there: T's own task if T's own id is not known yet and the id is
 * no known task, else a resynchronisation after lost events. */
static void resolve_pending(struct model *m, struct mthread *t, const struct rev *e)
{
	if (!t->have_pending)
		return;
	t->have_pending = false;
	uint64_t h = t->pending_task;
	if (e->code == LOT_EV_task_start && e->a == h) {
		if (!t->cur)
			set_cur(t, own_task(m, t, e->ns));
		return;
	}
	struct mtask *own = own_task(m, t, t->pending_ns);
	if (!own)
		return;
	if (own_bind(m, t, h, t->pending_ns))
		goto cur_own;
	if (t->cur && t->cur->pub.id == h)
		return;
	if (t->cur) /* disagreement: lost events changed the current task */
		m->sum.resyncs++;
	task_start(m, t, h, t->pending_ns);
	return;
cur_own:
	if (t->cur != own) {
		if (t->cur)
			m->sum.resyncs++;
		task_start(m, t, 0, t->pending_ns);
	}
}

static struct model_waker waker_of(struct mthread *t, uint32_t stack)
{
	struct mtask *w = t->cur;
	struct model_waker k = {.tid = t->pub.tid, .stack = stack};
	if (w) {
		k.task_key = w->pub.key;
		k.task_id = w->pub.id;
		k.task_name = w->pub.name;
	}
	return k;
}

static void task_unblock(struct model *m, struct mthread *t, const struct rev *e)
{
	uint64_t id = e->a;
	struct mtask *x = (t->own && t->own->pub.id == id) ? t->own : task_find(m, t->pub.proc, id);
	if (x && x == t->cur && t->parked && x->state == MODEL_BLOCKED) {
		/* a self-unblock after a blocking call: it runs on at once */
		struct model_waker k = waker_of(t, e->stack);
		go(m, x, MODEL_RUNNING, e->ns, t, m->s_empty, m->s_empty, e->stack, true, &k);
		t->parked = false;
		return;
	}
	thread_active(m, t, e->ns);
	if (!x && !id) { /* no task: the waker had no id to give */
		m->sum.spurious_unblocks++;
		return;
	}
	if (!x)
		x = task_get(m, t->pub.proc, id, e->ns);
	if (!x)
		return;
	if (t->cur)
		task_stack(m, t->cur, e->ns, e->stack); /* where the waker is */
	if (x->state == MODEL_BLOCKED || x->state == STATE_NONE) {
		struct model_waker k = waker_of(t, e->stack);
		go(m, x, MODEL_RUNNABLE, e->ns, NULL, m->s_unblocked, m->s_empty, e->stack,
		   x->state == MODEL_BLOCKED, &k);
	} else {
		m->sum.spurious_unblocks++;
	}
}

static void task_end(struct model *m, struct mthread *t, int64_t ns)
{
	thread_active(m, t, ns);
	struct mtask *c = t->cur;
	if (!c || c == t->own)
		return; /* the thread's own task does not end this way */
	iv_close(m, c, ns, false, false, NULL);
	c->pub.last_ns = ns;
	task_done(m, c, false);
	struct mtask *own = own_task(m, t, ns);
	set_cur(t, own);
	if (own)
		go_simple(m, own, MODEL_RUNNING, ns, t, m->s_empty);
	t->parked = false;
}

static void thread_end(struct model *m, struct mthread *t, int64_t ns)
{
	thread_active(m, t, ns);
	struct mtask *c = t->cur;
	if (c && c != t->own && c->state == MODEL_RUNNING && c->th == t) {
		iv_close(m, c, ns, false, false, NULL);
		c->state = STATE_NONE; /* where it goes on is unknown */
	}
	set_cur(t, NULL);
	if (t->own) {
		struct mtask *own = t->own;
		iv_close(m, own, ns, false, false, NULL);
		own->pub.last_ns = ns;
		task_done(m, own, false);
	}
	t->own = NULL;
	t->parked = false;
	t->pub.ended = true;
}

static void span_begin(struct model *m, struct mthread *t, const struct rev *e)
{
	thread_active(m, t, e->ns);
	struct mtask *x = t->cur;
	if (span_find(m, t->pub.proc, e->a)) { /* a damaged or hostile file: keep the first */
		m->sum.spans_duplicate++;
		return;
	}
	struct mspan *s = calloc(1, sizeof *s);
	if (!s || !x || idmap_put(&m->spans, key_of(t->pub.proc, e->a), s)) {
		free(s);
		m->oom = m->oom || !s;
		return;
	}
	s->task = x;
	s->pub.span_id = e->a;
	s->pub.parent_id = e->b;
	s->pub.proc = t->pub.proc;
	memcpy(s->pub.trace_id, e->trace, 16);
	s->pub.name = mstr(e->s1);
	s->pub.task_key = x->pub.key;
	s->pub.task_id = x->pub.id;
	s->pub.task_name = x->pub.name;
	s->pub.begin_tid = t->pub.tid;
	s->pub.start_ns = e->ns;
	s->pub.stack = e->stack;
	seg_close(m, x, e->ns);
	if (!lot_grow((void **)&x->spans, &x->cap_spans, x->n_spans, sizeof *x->spans)) {
		idmap_del(&m->spans, key_of(t->pub.proc, e->a));
		free(s);
		m->oom = true;
		return;
	}
	x->spans[x->n_spans++] = &s->pub;
	if (e->stack)
		x->seg_stack = e->stack;
}

static void span_attr(struct model *m, struct rev *e)
{
	struct mspan *s = span_find(m, e->proc, e->a);
	if (!s) {
		m->sum.span_ends_unmatched++;
		return;
	}
	if (!lot_grow((void **)&s->attrs, &s->cap_attrs, s->pub.n_attrs, sizeof *s->attrs)) {
		m->oom = true;
		return;
	}
	s->attrs[s->pub.n_attrs++] = (struct model_attr){
		.key = mstr(e->s1), .is_str = e->is_str, .i = e->i, .str = e->str, .len = e->len};
	e->str = NULL; /* the span owns it now */
}

static void point(struct model *m, struct mthread *t, const struct rev *e)
{
	if (!m->cb.point)
		return;
	struct model_point p = {
		.code = (uint8_t)e->code,
		.ns = e->ns,
		.proc = t->pub.proc,
		.tid = t->pub.tid,
		.task = t->cur ? &t->cur->pub : NULL,
		.name = mstr(e->s1),
		.value = e->code == LOT_EV_lost ? (int64_t)e->a : e->i,
		.stack = e->stack,
		.synthetic = e->synthetic,
	};
	m->cb.point(m->cb.ctx, &p);
}

/* x, created by creator, inherits the creator's innermost open span, or
 * what the creator inherited itself. */
static void inherit_span(struct mtask *x, const struct mtask *creator)
{
	if (!creator)
		return;
	if (creator->n_spans) {
		const struct model_span *s = creator->spans[creator->n_spans - 1];
		x->inh_span = s->span_id;
		memcpy(x->inh_trace, s->trace_id, 16);
		x->inh_name = s->name;
	} else if (creator->inh_span) {
		x->inh_span = creator->inh_span;
		memcpy(x->inh_trace, creator->inh_trace, 16);
		x->inh_name = creator->inh_name;
	}
}

#define SAMPLE_WEIGHT_MAX (1u << 20) /* a damaged weight cannot overflow the sums */
#define INHERIT_DEPTH_MAX 64         /* open ancestors of an inherited span counted */

static bool sample_span_add(struct model *m, size_t *n, const struct model_span *s)
{
	for (size_t i = 0; i < *n; i++)
		if (m->sample_spans[i] == s)
			return false; /* a parent cycle in a damaged file */
	if (!lot_grow((void **)&m->sample_spans, &m->cap_sample_spans, *n, sizeof *m->sample_spans)) {
		m->oom = true;
		return false;
	}
	m->sample_spans[(*n)++] = s;
	return true;
}

/* A CPU sample on T (doc/ANALYSIS.md "CPU samples"). */
static void sample(struct model *m, struct mthread *t, const struct rev *e)
{
	struct mtask *x = t->cur;
	if (x && x != t->own && x->th && x->th != t)
		x = t->own; /* the current task now runs elsewhere (thread_active) */
	uint64_t w = e->a ? e->a : 1;
	if (w > SAMPLE_WEIGHT_MAX)
		w = SAMPLE_WEIGHT_MAX;
	struct model_sample sm = {
		.ns = e->ns,
		.proc = t->pub.proc,
		.tid = t->pub.tid,
		.task = x ? &x->pub : NULL,
		.stack = e->stack,
		.weight = w,
		.cpu_ns = w * m->cpu_period_ns[e->proc],
	};
	size_t n = 0;
	if (x && x->n_spans) {
		const struct model_span *in = x->spans[x->n_spans - 1];
		sm.span_id = in->span_id;
		memcpy(sm.trace_id, in->trace_id, 16);
		sm.span_name = in->name;
		for (size_t i = x->n_spans; i-- > 0;)
			sample_span_add(m, &n, x->spans[i]);
	} else if (x && x->inh_span) {
		sm.span_id = x->inh_span;
		memcpy(sm.trace_id, x->inh_trace, 16);
		sm.span_name = x->inh_name;
		sm.inherited = true;
		struct mspan *s = span_find(m, x->pub.proc, x->inh_span);
		if (s && memcmp(s->pub.trace_id, x->inh_trace, 16))
			s = NULL; /* the id was reused: that span is another one */
		for (int d = 0; s && d < INHERIT_DEPTH_MAX && sample_span_add(m, &n, &s->pub); d++)
			s = s->pub.parent_id ? span_find(m, x->pub.proc, s->pub.parent_id) : NULL;
	}
	for (size_t i = 0; i < n; i++) {
		struct model_span *s = (struct model_span *)m->sample_spans[i];
		s->cpu_samples++;
		s->cpu_ns += sm.cpu_ns;
	}
	sm.spans = m->sample_spans;
	sm.n_spans = n;
	m->sum.cpu_samples++;
	if (m->cb.sample)
		m->cb.sample(m->cb.ctx, &sm);
}

static void process(struct model *m, struct rev *e)
{
	if (e->ns < m->now) {
		m->sum.late_events++;
		e->ns = m->now;
	}
	m->now = e->ns;
	struct mthread *t = thread_get(m, e->proc, e->tid);
	if (!t) {
		m->oom = true;
		return;
	}
	if (t->pub.tracer && !m->show_tracer) {
		/* The recorder's own thread: left out of every report, but what it
		 * lost still counts (every chunk of it is marked, and the reorder
		 * window has read the marker before any of its events come out). */
		if (e->code == LOT_EV_lost)
			m->sum.lost += e->a;
		return;
	}
	if (e->code == REORDER_CHUNK_BEGIN) {
		if (e->a) {
			t->have_pending = true;
			t->pending_task = e->a;
			t->pending_ns = e->ns;
		}
		return;
	}
	/* thread_begin is recorded inside a thread's first probe, before that
	 * probe's own event (a task_start that already set the chunk's task) */
	if (e->code != LOT_EV_lost && e->code != LOT_EV_clock_sync && e->code != LOT_EV_thread_begin)
		resolve_pending(m, t, e);
	switch (e->code) {
	case LOT_EV_thread_begin:
		t->pub.began = true;
		t->pub.ended = false;
		own_bind(m, t, e->a, e->ns); /* the thread's own task id, 0 if unknown */
		thread_active(m, t, e->ns);
		point(m, t, e);
		break;
	case LOT_EV_thread_end:
		point(m, t, e);
		thread_end(m, t, e->ns);
		break;
	case LOT_EV_task_create: {
		thread_active(m, t, e->ns);
		if (t->cur)
			task_stack(m, t->cur, e->ns, e->stack);
		struct mtask *x = task_get(m, t->pub.proc, e->a, e->ns);
		if (!x)
			break;
		if (!x->known)
			inherit_span(x, t->cur);
		x->known = true;
		x->pub.name = mstr(e->s1);
		x->pub.parent = e->b;
		x->pub.created_ns = e->ns;
		if (x->state == STATE_NONE)
			go(m, x, MODEL_RUNNABLE, e->ns, t, m->s_created, m->s_empty, e->stack, false,
			   NULL);
		break;
	}
	case LOT_EV_task_start:
		task_start(m, t, e->a, e->ns);
		break;
	case LOT_EV_task_block:
		thread_active(m, t, e->ns);
		if (!t->cur)
			break;
		go(m, t->cur, MODEL_BLOCKED, e->ns, t, mstr(e->s1), mstr(e->s2), e->stack, false,
		   NULL);
		t->parked = true;
		break;
	case LOT_EV_task_yield:
		thread_active(m, t, e->ns);
		if (!t->cur)
			break;
		go_simple(m, t->cur, MODEL_RUNNABLE, e->ns, t, m->s_yield);
		t->parked = true;
		break;
	case LOT_EV_task_end:
		task_end(m, t, e->ns);
		break;
	case LOT_EV_task_unblock:
		task_unblock(m, t, e);
		break;
	case LOT_EV_span_begin:
		span_begin(m, t, e);
		break;
	case LOT_EV_span_end: {
		thread_active(m, t, e->ns);
		struct mspan *s = span_find(m, t->pub.proc, e->a);
		if (s)
			span_finish(m, s, e->ns, t->pub.tid, false);
		else
			m->sum.span_ends_unmatched++;
		break;
	}
	case LOT_EV_span_attr:
		thread_active(m, t, e->ns);
		span_attr(m, e);
		break;
	case LOT_EV_instant:
		thread_active(m, t, e->ns);
		if (t->cur)
			task_stack(m, t->cur, e->ns, e->stack);
		point(m, t, e);
		break;
	case LOT_EV_counter:
		thread_active(m, t, e->ns);
		point(m, t, e);
		break;
	case LOT_EV_cpu_sample:
		sample(m, t, e);
		break;
	case LOT_EV_lost:
		t->pub.lost += e->a;
		m->sum.lost += e->a;
		point(m, t, e);
		break;
	default: /* clock_sync, types of a newer minor version */
		break;
	}
}

/* ---- reading ---- */

/* A file's ticks on the merged clock (sources.h). */
static int64_t ns_of(const struct model *m, unsigned proc, uint64_t ticks)
{
	const struct source *x = &m->src->v[proc];
	return lot_ticks_to_ns(&x->hdr->clock, ticks) + x->offset_ns;
}

/* Stacks of the second and later files end with this tag + the file (a
 * value no user-space PC takes), so that equal PCs of two processes (two
 * address spaces) stay two stacks; model_stack() hides it. */
#define PROC_TAG 0xffffff0000000000ull

static struct intern_str arg_str(struct model *m, const struct lot_arg *a)
{
	if (!a->str)
		return (struct intern_str){m->s_empty.s, 0};
	struct intern_str s = intern_str(&m->in, a->str, a->len);
	if (!s.s) {
		m->oom = true;
		return (struct intern_str){m->s_empty.s, 0};
	}
	return s;
}

static uint32_t arg_stack(struct model *m, unsigned proc, const struct lot_arg *a)
{
	if (!a->pcs)
		return 0;
	if (!proc)
		return intern_stack(&m->in, a->pcs, a->n_pcs);
	uint64_t pcs[257]; /* the recorder keeps at most 128 frames */
	size_t n = a->n_pcs < 256 ? a->n_pcs : 256;
	memcpy(pcs, a->pcs, n * sizeof *pcs);
	pcs[n] = PROC_TAG | proc;
	return intern_stack(&m->in, pcs, n + 1);
}

/* Copy a decoded event into the window's form. */
static void convert(struct model *m, unsigned proc, const struct lot_event *ev, struct rev *e)
{
	*e = (struct rev){.ns = ns_of(m, proc, ev->ticks), .tid = ev->tid, .code = ev->code,
			  .proc = (uint16_t)proc, .synthetic = ev->synthetic};
	const struct lot_arg *a = ev->args;
	switch (ev->code) {
	case LOT_EV_thread_begin:
		e->s1 = arg_str(m, &a[LOT_ARG_thread_begin_name]);
		e->a = a[LOT_ARG_thread_begin_task].u;
		break;
	case LOT_EV_task_create:
		e->a = a[LOT_ARG_task_create_task].u;
		e->b = a[LOT_ARG_task_create_parent].u;
		e->s1 = arg_str(m, &a[LOT_ARG_task_create_name]);
		e->stack = arg_stack(m, proc, &a[LOT_ARG_task_create_stack]);
		break;
	case LOT_EV_task_start:
		e->a = a[LOT_ARG_task_start_task].u;
		break;
	case LOT_EV_task_block:
		e->s1 = arg_str(m, &a[LOT_ARG_task_block_reason]);
		e->s2 = arg_str(m, &a[LOT_ARG_task_block_detail]);
		e->stack = arg_stack(m, proc, &a[LOT_ARG_task_block_stack]);
		break;
	case LOT_EV_task_unblock:
		e->a = a[LOT_ARG_task_unblock_task].u;
		e->stack = arg_stack(m, proc, &a[LOT_ARG_task_unblock_stack]);
		break;
	case LOT_EV_span_begin:
		e->a = a[LOT_ARG_span_begin_span].u;
		e->b = a[LOT_ARG_span_begin_parent_span].u;
		if (a[LOT_ARG_span_begin_trace_id].u && a[LOT_ARG_span_begin_trace_id].id128)
			memcpy(e->trace, a[LOT_ARG_span_begin_trace_id].id128, 16);
		e->s1 = arg_str(m, &a[LOT_ARG_span_begin_name]);
		e->stack = arg_stack(m, proc, &a[LOT_ARG_span_begin_stack]);
		break;
	case LOT_EV_span_end:
		e->a = a[LOT_ARG_span_end_span].u;
		break;
	case LOT_EV_span_attr: {
		const struct lot_arg *v = &a[LOT_ARG_span_attr_value];
		e->a = a[LOT_ARG_span_attr_span].u;
		e->s1 = arg_str(m, &a[LOT_ARG_span_attr_key]);
		e->is_str = v->is_str;
		if (v->is_str) {
			e->str = malloc(v->len + 1);
			if (e->str) {
				if (v->len)
					memcpy(e->str, v->str, v->len);
				e->str[v->len] = '\0';
				e->len = v->len;
			} else {
				m->oom = true;
			}
		} else {
			e->i = v->i;
		}
		break;
	}
	case LOT_EV_instant:
		e->s1 = arg_str(m, &a[LOT_ARG_instant_name]);
		e->stack = arg_stack(m, proc, &a[LOT_ARG_instant_stack]);
		break;
	case LOT_EV_counter:
		e->s1 = arg_str(m, &a[LOT_ARG_counter_name]);
		e->i = a[LOT_ARG_counter_value].i;
		break;
	case LOT_EV_lost:
		e->a = ev->nargs ? a[LOT_ARG_lost_count].u : 0;
		break;
	case LOT_EV_cpu_sample:
		e->stack = arg_stack(m, proc, &a[LOT_ARG_cpu_sample_stack]);
		e->a = a[LOT_ARG_cpu_sample_weight].u;
		break;
	default:
		break;
	}
}

static void push(struct model *m, struct rev *e)
{
	if (reorder_push(&m->q, e))
		m->oom = true;
}

static void take(struct model *m)
{
	struct rev e;
	if (!reorder_pop(&m->q, &e))
		return;
	process(m, &e);
	free(e.str);
}

/* Keep the window full: the oldest event goes once it is more than full.
 * (No watermark from the threads' read positions: a thread whose first
 * chunk is yet to come may still hold events of any time.) */
static void release(struct model *m)
{
	while (m->q.n > m->window)
		take(m);
}

uint64_t model_cpu_hz(const struct lot_reader *r)
{
	const char *s = lot_reader_meta(r, "cpu_hz");
	uint64_t hz = 0;
	for (; s && *s >= '0' && *s <= '9' && hz <= 1000000000u; s++)
		hz = hz * 10 + (uint64_t)(*s - '0');
	return s && !*s && hz <= 1000000000u ? hz : 0;
}

/* A trailer stat by key, 0 if absent. */
static uint64_t trailer_stat(const struct lot_trailer *tr, const char *key)
{
	for (size_t i = 0; tr && i < tr->n_stats; i++)
		if (tr->stats[i].key && !strcmp(tr->stats[i].key, key))
			return tr->stats[i].value;
	return 0;
}

struct model *model_new(struct lot_reader *r, const struct model_callbacks *cb,
			const struct model_opts *opts)
{
	struct model *m = model_new_sources(NULL, cb, opts);
	if (!m)
		return NULL;
	m->own_src = (struct source){.path = "", .r = r, .hdr = lot_reader_header(r),
				     .service = "", .host = "", .set = &m->own};
	m->own = (struct sources){.v = &m->own_src, .n = 1, .n_hosts = 1,
				  .mono0_ns = m->own_src.hdr->clock.start_mono_ns,
				  .real0_ns = m->own_src.hdr->clock.start_real_ns};
	m->src = &m->own;
	m->hdr = m->own_src.hdr;
	return m;
}

struct model *model_new_sources(struct sources *src, const struct model_callbacks *cb,
				const struct model_opts *opts)
{
	struct model *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	if (src) {
		m->src = src;
		m->hdr = src->v[0].hdr;
	}
	if (cb)
		m->cb = *cb;
	m->window = opts && opts->window_events ? opts->window_events : MODEL_WINDOW_DEFAULT;
	m->show_tracer = opts && opts->show_tracer;
	m->q.limit = m->window + 1; /* release() keeps it at most one over the window */
	if (opts) {
		m->progress = opts->progress;
		m->progress_ctx = opts->progress_ctx;
	}
	m->s_empty = name_of(m, "", 0);
	m->s_created = name_of(m, "created", 7);
	m->s_unblocked = name_of(m, "unblocked", 9);
	m->s_yield = name_of(m, "yield", 5);
	m->s_switched = name_of(m, "switched out", 12);
	if (m->oom) {
		model_free(m);
		return NULL;
	}
	m->now = INT64_MIN;
	return m;
}

static void note_thread_name(struct model *m, struct mthread *t, const char *name, size_t len)
{
	if (!name || !len || (t->pub.name.n == len && !memcmp(t->pub.name.s, name, len)))
		return;
	t->pub.name = name_of(m, name, len);
	if (t->own)
		t->own->pub.name = t->pub.name;
}

static int later_first(const void *a, const void *b)
{
	const struct mspan *x = *(struct mspan *const *)a, *y = *(struct mspan *const *)b;
	return (x->pub.start_ns < y->pub.start_ns) - (x->pub.start_ns > y->pub.start_ns);
}

/* Close everything still open at the trace's end. */
static void finish(struct model *m, int64_t end)
{
	/* spans first, so that a blocked task's ongoing block is theirs; the
	 * latest begun first, so that their parents list them */
	size_t n = 0;
	struct mspan **open = m->spans.n ? malloc(m->spans.n * sizeof *open) : NULL;
	if (open) {
		for (size_t i = 0; i < m->spans.n_slots; i++)
			if (m->spans.slots[i].val)
				open[n++] = m->spans.slots[i].val;
		qsort(open, n, sizeof *open, later_first);
		for (size_t i = 0; i < n; i++)
			span_finish(m, open[i], end, 0, true);
		free(open);
	}
	for (struct mtask *x = m->live; x; x = x->next)
		iv_close(m, x, end, true, false, NULL);
	while (m->live)
		task_done(m, m->live, true);
	for (size_t i = 0; i < m->n_threads; i++) {
		struct mthread *t = m->threads[i];
		if (t->pub.first_ns == INT64_MAX)
			t->pub.first_ns = t->pub.last_ns = 0;
		if (t->pub.tracer && !m->show_tracer)
			continue;
		m->sum.threads++;
		if (m->cb.thread_done)
			m->cb.thread_done(m->cb.ctx, &t->pub);
	}
}

/* Copy one chunk's events into the window. */
static void read_chunk(struct model *m, unsigned proc, struct lot_chunk *ch, int64_t *first,
		       int64_t *last)
{
	struct lot_reader *r = m->src->v[proc].r;
	const struct lot_chunk_info *ci = &ch->info;
	struct lot_event ev;
	struct rev e;
	m->sum.read_at = ch->offset;
	m->sum.read_proc = proc;
	if (m->cb.progress && !proc) /* progress: how far the first file is read */
		m->cb.progress(m->cb.ctx, ch->offset);
	if (m->progress && !proc)
		m->progress(m->progress_ctx, ch->offset);
	struct mthread *t = thread_get(m, proc, ci->tid);
	if (!t) {
		m->oom = true;
		return;
	}
	t->live = true;
	note_thread_name(m, t, ci->thread_name, ci->thread_name ? strlen(ci->thread_name) : 0);
	e = (struct rev){.ns = ns_of(m, proc, ci->base_ticks), .tid = ci->tid, .proc = (uint16_t)proc,
			 .code = REORDER_CHUNK_BEGIN, .a = ci->task};
	push(m, &e);
	while (lot_chunk_next_event(r, &ev) == 1) {
		convert(m, proc, &ev, &e);
		if (!ev.synthetic) {
			m->sum.events++;
			t->pub.events++;
		}
		if (e.ns < t->pub.first_ns)
			t->pub.first_ns = e.ns;
		if (e.ns > t->pub.last_ns)
			t->pub.last_ns = e.ns;
		if (e.ns > *last)
			*last = e.ns;
		if (e.ns < *first)
			*first = e.ns;
		/* the chunk header's name is the later one (a thread named
		 * after its begin, in the same chunk) */
		if (ev.code == LOT_EV_thread_begin && !(ci->thread_name && *ci->thread_name))
			note_thread_name(m, t, e.s1.s, e.s1.n);
		if (ev.code == LOT_EV_tracer_thread)
			t->pub.tracer = true;
		if (ev.code == LOT_EV_thread_end)
			t->live = false;
		else if (ev.code == LOT_EV_thread_begin)
			t->live = true;
		push(m, &e);
	}
	int64_t until = ns_of(m, proc, ci->end_ticks);
	if (until > t->read_until)
		t->read_until = until;
	release(m);
}

/* A file's chunks are done (rc 0: all read; -1: an I/O error): the losses
 * only its trailer knows. */
static void read_tail(struct model *m, unsigned proc, int rc)
{
	struct lot_reader *r = m->src->v[proc].r;
	struct lot_event ev;
	struct rev e;
	if (rc < 0) {
		m->sum.read_error = true;
		m->sum.read_proc = proc;
	}
	while (rc == 0 && !m->oom && lot_reader_next_tail_event(r, &ev) == 1) {
		convert(m, proc, &ev, &e);
		push(m, &e);
	}
}

/*
 * The files' chunks, merged: each reader holds its next chunk, and the one
 * that begins first (on the merged clock) is read next, so the window sees
 * the files interleaved in time as it sees one file's threads.
 */
int model_run(struct model *m, struct model_summary *sum)
{
	int64_t last = INT64_MIN, first = INT64_MAX;
	size_t n = m->src->n;
	struct lot_chunk **next = calloc(n, sizeof *next);
	int *rc = calloc(n, sizeof *rc);
	if (!next || !rc) {
		free(next);
		free(rc);
		errno = ENOMEM;
		return -1;
	}
	m->sum.read_at = m->hdr->size;
	m->cpu_period_ns = calloc(n, sizeof *m->cpu_period_ns);
	if (!m->cpu_period_ns) {
		free(next);
		free(rc);
		errno = ENOMEM;
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		uint64_t hz = model_cpu_hz(m->src->v[i].r);
		m->cpu_period_ns[i] = hz ? 1000000000u / hz : 0;
		if (i == 0) {
			m->sum.cpu_hz = hz;
			m->sum.cpu_period_ns = m->cpu_period_ns[0];
		}
	}
	for (unsigned i = 0; i < n && !m->oom; i++) {
		rc[i] = lot_reader_next_chunk(m->src->v[i].r, &next[i]);
		if (rc[i] != 1)
			read_tail(m, i, rc[i]);
	}
	while (!m->oom) {
		unsigned best = UINT32_MAX;
		int64_t best_ns = INT64_MAX;
		for (unsigned i = 0; i < n; i++) {
			if (rc[i] != 1)
				continue;
			int64_t ns = ns_of(m, i, next[i]->info.base_ticks);
			if (best == UINT32_MAX || ns < best_ns) {
				best = i;
				best_ns = ns;
			}
		}
		if (best == UINT32_MAX)
			break;
		read_chunk(m, best, next[best], &first, &last);
		if (m->oom)
			break;
		rc[best] = lot_reader_next_chunk(m->src->v[best].r, &next[best]);
		if (rc[best] != 1)
			read_tail(m, best, rc[best]);
	}
	while (m->q.n)
		take(m);
	for (unsigned i = 0; i < n; i++) {
		const struct lot_trailer *tr = lot_reader_trailer_summary(m->src->v[i].r);
		m->sum.cpu_samples_dropped += trailer_stat(tr, "cpu_samples_dropped");
		if (tr && tr->end_ticks) {
			int64_t end = ns_of(m, i, tr->end_ticks);
			if (end > last)
				last = end;
		}
	}
	free(next);
	free(rc);
	if (last == INT64_MIN)
		last = 0;
	if (m->now > last)
		last = m->now;
	finish(m, last);
	m->sum.start_ns = first == INT64_MAX ? 0 : first;
	m->sum.end_ns = last;
	m->sum.start_real_ns = m->src->real0_ns;
	m->sum.damaged = m->sum.read_error;
	for (unsigned i = 0; i < n; i++) {
		m->sum.damaged = m->sum.damaged || lot_reader_damaged(m->src->v[i].r);
		m->sum.warnings += lot_reader_warnings(m->src->v[i].r);
	}
	*sum = m->sum;
	if (m->oom) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

const uint64_t *model_stack(const struct model *m, uint32_t id, size_t *n)
{
	const uint64_t *pcs = intern_stack_get(&m->in, id, n);
	if (pcs && *n && (pcs[*n - 1] & PROC_TAG) == PROC_TAG)
		(*n)--;
	return pcs;
}

unsigned model_stack_proc(const struct model *m, uint32_t id)
{
	size_t n;
	const uint64_t *pcs = intern_stack_get(&m->in, id, &n);
	return pcs && n && (pcs[n - 1] & PROC_TAG) == PROC_TAG ? (unsigned)(pcs[n - 1] & 0xffff) : 0;
}

const struct sources *model_sources(const struct model *m) { return m->src; }

const struct lot_file_header *model_header_of(const struct model *m, unsigned proc)
{
	return proc < m->src->n ? m->src->v[proc].hdr : m->hdr;
}

const struct lot_file_header *model_header(const struct model *m) { return m->hdr; }

struct model_str model_thread_name(const struct model *m, unsigned proc, uint64_t tid)
{
	const struct mthread *t = idmap_get(&m->thread_map, key_of(proc, tid));
	return t ? t->pub.name : m->s_empty;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	while (m->spans.n) {
		for (size_t i = 0; i < m->spans.n_slots; i++) {
			struct mspan *s = m->spans.slots[i].val;
			if (s) {
				idmap_del(&m->spans, key_of(s->pub.proc, s->pub.span_id));
				span_free(s);
				break;
			}
		}
	}
	while (m->live) {
		struct mtask *x = m->live;
		m->live = x->next;
		free(x->by);
		free(x->spans);
		free(x);
	}
	for (size_t i = 0; i < m->n_threads; i++)
		free(m->threads[i]);
	free(m->threads);
	idmap_free(&m->tasks);
	idmap_free(&m->spans);
	idmap_free(&m->thread_map);
	reorder_free(&m->q);
	intern_free(&m->in);
	free(m->sample_spans);
	free(m->cpu_period_ns);
	free(m);
}
