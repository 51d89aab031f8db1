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
 */
#include "cmd/model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/idmap.h"
#include "cmd/intern.h"
#include "cmd/reorder.h"

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
	struct lot_reader *r;
	const struct lot_file_header *hdr;
	struct model_callbacks cb;
	size_t window;
	void (*progress)(void *ctx, uint64_t offset);
	void *progress_ctx;
	struct interner in;
	struct reorder q;
	struct idmap tasks, spans, thread_map;
	struct mthread **threads;
	size_t n_threads, cap_threads;
	struct mtask *live; /* list head */
	uint64_t next_key;
	int64_t now;        /* time of the last event processed */
	bool any_event;
	bool oom;
	struct model_summary sum;
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

static bool grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return true;
	size_t c = *cap ? 2 * *cap : 8;
	void *p = realloc(*v, c * size);
	if (!p)
		return false;
	*v = p;
	*cap = c;
	return true;
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
	if (!grow((void **)v, cap, *n, sizeof **v)) {
		m->oom = true;
		return;
	}
	(*v)[(*n)++] = (struct model_reason_ns){reason, ns};
}

/* ---- threads ---- */

static struct mthread *thread_get(struct model *m, uint64_t tid)
{
	struct mthread *t = idmap_get(&m->thread_map, tid);
	if (t)
		return t;
	if (!grow((void **)&m->threads, &m->cap_threads, m->n_threads, sizeof *m->threads))
		return NULL;
	t = calloc(1, sizeof *t);
	if (!t || idmap_put(&m->thread_map, tid, t)) {
		free(t);
		return NULL;
	}
	t->pub.tid = tid;
	t->pub.name = m->s_empty;
	t->pub.first_ns = INT64_MAX;
	t->pub.last_ns = INT64_MIN;
	m->threads[m->n_threads++] = t;
	return t;
}

/* ---- tasks ---- */

static struct mtask *task_new(struct model *m, uint64_t id, int64_t ns)
{
	struct mtask *x = calloc(1, sizeof *x);
	if (!x) {
		m->oom = true;
		return NULL;
	}
	x->pub.key = ++m->next_key;
	x->pub.id = id;
	x->pub.name = m->s_empty;
	x->pub.created_ns = ns;
	x->pub.last_ns = ns;
	x->state = STATE_NONE;
	if (id) {
		if (idmap_put(&m->tasks, id, x)) {
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

static struct mtask *task_get(struct model *m, uint64_t id, int64_t ns)
{
	struct mtask *x = idmap_get(&m->tasks, id);
	return x ? x : task_new(m, id, ns);
}

static struct mtask *own_task(struct model *m, struct mthread *t, int64_t ns)
{
	if (!t->own) {
		t->own = task_new(m, 0, ns);
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
	idmap_del(&m->spans, s->pub.span_id);
	m->sum.spans++;
	if (m->cb.span)
		m->cb.span(m->cb.ctx, &s->pub);
	struct mspan *p = s->pub.parent_id ? idmap_get(&m->spans, s->pub.parent_id) : NULL;
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
		idmap_del(&m->tasks, x->pub.id);
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
		x = task_get(m, id, ns);
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
	struct mtask *x = idmap_get(&m->tasks, h);
	if (own->pub.id || (x && x->known))
		return false;
	if (x)
		task_drop(m, x);
	own->pub.id = h;
	if (!idmap_put(&m->tasks, h, own))
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
	struct mtask *x = (t->own && t->own->pub.id == id) ? t->own : idmap_get(&m->tasks, id);
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
		x = task_get(m, id, e->ns);
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
	if (idmap_get(&m->spans, e->a)) { /* a damaged or hostile file: keep the first */
		m->sum.spans_duplicate++;
		return;
	}
	struct mspan *s = calloc(1, sizeof *s);
	if (!s || !x || idmap_put(&m->spans, e->a, s)) {
		free(s);
		m->oom = m->oom || !s;
		return;
	}
	s->task = x;
	s->pub.span_id = e->a;
	s->pub.parent_id = e->b;
	memcpy(s->pub.trace_id, e->trace, 16);
	s->pub.name = mstr(e->s1);
	s->pub.task_key = x->pub.key;
	s->pub.task_id = x->pub.id;
	s->pub.task_name = x->pub.name;
	s->pub.begin_tid = t->pub.tid;
	s->pub.start_ns = e->ns;
	s->pub.stack = e->stack;
	seg_close(m, x, e->ns);
	if (!grow((void **)&x->spans, &x->cap_spans, x->n_spans, sizeof *x->spans)) {
		idmap_del(&m->spans, e->a);
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
	struct mspan *s = idmap_get(&m->spans, e->a);
	if (!s) {
		m->sum.span_ends_unmatched++;
		return;
	}
	if (!grow((void **)&s->attrs, &s->cap_attrs, s->pub.n_attrs, sizeof *s->attrs)) {
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
		.tid = t->pub.tid,
		.task = t->cur ? &t->cur->pub : NULL,
		.name = mstr(e->s1),
		.value = e->code == LOT_EV_lost ? (int64_t)e->a : e->i,
		.stack = e->stack,
		.synthetic = e->synthetic,
	};
	m->cb.point(m->cb.ctx, &p);
}

static void process(struct model *m, struct rev *e)
{
	if (e->ns < m->now) {
		m->sum.late_events++;
		e->ns = m->now;
	}
	m->now = e->ns;
	struct mthread *t = thread_get(m, e->tid);
	if (!t) {
		m->oom = true;
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
		struct mtask *x = task_get(m, e->a, e->ns);
		if (!x)
			break;
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
		struct mspan *s = idmap_get(&m->spans, e->a);
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

static int64_t ns_of(const struct model *m, uint64_t ticks) { return lot_ticks_to_ns(&m->hdr->clock, ticks); }

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

static uint32_t arg_stack(struct model *m, const struct lot_arg *a)
{
	return a->pcs ? intern_stack(&m->in, a->pcs, a->n_pcs) : 0;
}

/* Copy a decoded event into the window's form. */
static void convert(struct model *m, const struct lot_event *ev, struct rev *e)
{
	*e = (struct rev){.ns = ns_of(m, ev->ticks), .tid = ev->tid, .code = ev->code,
			  .synthetic = ev->synthetic};
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
		e->stack = arg_stack(m, &a[LOT_ARG_task_create_stack]);
		break;
	case LOT_EV_task_start:
		e->a = a[LOT_ARG_task_start_task].u;
		break;
	case LOT_EV_task_block:
		e->s1 = arg_str(m, &a[LOT_ARG_task_block_reason]);
		e->s2 = arg_str(m, &a[LOT_ARG_task_block_detail]);
		e->stack = arg_stack(m, &a[LOT_ARG_task_block_stack]);
		break;
	case LOT_EV_task_unblock:
		e->a = a[LOT_ARG_task_unblock_task].u;
		e->stack = arg_stack(m, &a[LOT_ARG_task_unblock_stack]);
		break;
	case LOT_EV_span_begin:
		e->a = a[LOT_ARG_span_begin_span].u;
		e->b = a[LOT_ARG_span_begin_parent_span].u;
		if (a[LOT_ARG_span_begin_trace_id].u && a[LOT_ARG_span_begin_trace_id].id128)
			memcpy(e->trace, a[LOT_ARG_span_begin_trace_id].id128, 16);
		e->s1 = arg_str(m, &a[LOT_ARG_span_begin_name]);
		e->stack = arg_stack(m, &a[LOT_ARG_span_begin_stack]);
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
		e->stack = arg_stack(m, &a[LOT_ARG_instant_stack]);
		break;
	case LOT_EV_counter:
		e->s1 = arg_str(m, &a[LOT_ARG_counter_name]);
		e->i = a[LOT_ARG_counter_value].i;
		break;
	case LOT_EV_lost:
		e->a = ev->nargs ? a[LOT_ARG_lost_count].u : 0;
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

struct model *model_new(struct lot_reader *r, const struct model_callbacks *cb,
			const struct model_opts *opts)
{
	struct model *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->r = r;
	m->hdr = lot_reader_header(r);
	if (cb)
		m->cb = *cb;
	m->window = opts && opts->window_events ? opts->window_events : MODEL_WINDOW_DEFAULT;
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
		if (m->cb.thread_done)
			m->cb.thread_done(m->cb.ctx, &t->pub);
	}
}

int model_run(struct model *m, struct model_summary *sum)
{
	struct lot_chunk *ch;
	struct lot_event ev;
	struct rev e;
	int rc;
	int64_t last = INT64_MIN, first = INT64_MAX;
	m->sum.read_at = m->hdr->size;
	while ((rc = lot_reader_next_chunk(m->r, &ch)) == 1 && !m->oom) {
		const struct lot_chunk_info *ci = &ch->info;
		m->sum.read_at = ch->offset;
		if (m->cb.progress)
			m->cb.progress(m->cb.ctx, ch->offset);
		if (m->progress)
			m->progress(m->progress_ctx, ch->offset);
		struct mthread *t = thread_get(m, ci->tid);
		if (!t)
			break;
		t->live = true;
		note_thread_name(m, t, ci->thread_name, ci->thread_name ? strlen(ci->thread_name) : 0);
		e = (struct rev){.ns = ns_of(m, ci->base_ticks), .tid = ci->tid,
				 .code = REORDER_CHUNK_BEGIN, .a = ci->task};
		push(m, &e);
		while (lot_chunk_next_event(m->r, &ev) == 1) {
			convert(m, &ev, &e);
			if (!ev.synthetic) {
				m->sum.events++;
				t->pub.events++;
			}
			if (e.ns < t->pub.first_ns)
				t->pub.first_ns = e.ns;
			if (e.ns > t->pub.last_ns)
				t->pub.last_ns = e.ns;
			if (e.ns > last)
				last = e.ns;
			if (e.ns < first)
				first = e.ns;
			/* the chunk header's name is the later one (a thread named
			 * after its begin, in the same chunk) */
			if (ev.code == LOT_EV_thread_begin && !(ci->thread_name && *ci->thread_name))
				note_thread_name(m, t, e.s1.s, e.s1.n);
			if (ev.code == LOT_EV_thread_end)
				t->live = false;
			else if (ev.code == LOT_EV_thread_begin)
				t->live = true;
			push(m, &e);
		}
		int64_t until = ns_of(m, ci->end_ticks);
		if (until > t->read_until)
			t->read_until = until;
		release(m);
	}
	if (rc < 0)
		m->sum.read_error = true;
	/* losses only the trailer knows */
	while (rc == 0 && !m->oom && lot_reader_next_tail_event(m->r, &ev) == 1) {
		convert(m, &ev, &e);
		push(m, &e);
	}
	while (m->q.n)
		take(m);
	const struct lot_trailer *tr = lot_reader_trailer_summary(m->r);
	if (tr && tr->end_ticks) {
		int64_t end = ns_of(m, tr->end_ticks);
		if (end > last)
			last = end;
	}
	if (last == INT64_MIN)
		last = 0;
	if (m->now > last)
		last = m->now;
	finish(m, last);
	m->sum.start_ns = first == INT64_MAX ? 0 : first;
	m->sum.end_ns = last;
	m->sum.start_real_ns = m->hdr->clock.start_real_ns;
	m->sum.threads = m->n_threads;
	m->sum.damaged = lot_reader_damaged(m->r) || m->sum.read_error;
	m->sum.warnings = lot_reader_warnings(m->r);
	*sum = m->sum;
	if (m->oom) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

const uint64_t *model_stack(const struct model *m, uint32_t id, size_t *n)
{
	return intern_stack_get(&m->in, id, n);
}

const struct lot_file_header *model_header(const struct model *m) { return m->hdr; }

void model_free(struct model *m)
{
	if (!m)
		return;
	while (m->spans.n) {
		for (size_t i = 0; i < m->spans.n_slots; i++) {
			struct mspan *s = m->spans.slots[i].val;
			if (s) {
				idmap_del(&m->spans, s->pub.span_id);
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
	free(m);
}
