/* Per-thread blocked time by reason and wakers (thread_blocks.h). */
#include "cmd/thread_blocks.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/escape.h"
#include "cmd/json.h"
#include "cmd/out.h"
#include "cmd/report.h"

static struct tb_thread *thread_of(struct thread_blocks *tb, const struct model_interval *iv)
{
	struct tb_thread *t = idmap_get(&tb->map, iv->task->tid);
	if (!t) {
		t = calloc(1, sizeof *t);
		if (!t || idmap_put(&tb->map, iv->task->tid, t) ||
		    (tb->n == tb->cap &&
		     !(tb->v = realloc(tb->v, (tb->cap = 2 * tb->cap + 16) * sizeof *tb->v)))) {
			free(t);
			tb->oom = true;
			return NULL;
		}
		t->tid = iv->task->tid;
		tb->v[tb->n++] = t;
	}
	t->name = iv->task->name; /* the latest: a thread names itself after it starts */
	return t;
}

static struct tb_reason *reason_of(struct thread_blocks *tb, struct tb_thread *t, struct model_str r)
{
	for (size_t i = 0; i < t->n_by; i++)
		if (t->by[i].reason.s == r.s)
			return &t->by[i];
	struct tb_reason *nb = realloc(t->by, (t->n_by + 1) * sizeof *nb);
	if (!nb) {
		tb->oom = true;
		return NULL;
	}
	t->by = nb;
	nb[t->n_by] = (struct tb_reason){.reason = r};
	return &nb[t->n_by++];
}

static void add_waker(struct thread_blocks *tb, struct tb_reason *r, const struct model_waker *w,
		      uint64_t ns)
{
	size_t i = 0;
	while (i < r->n_wakers && r->wakers[i].tid != w->tid)
		i++;
	if (i == r->n_wakers) {
		struct tb_waker *nw = realloc(r->wakers, (r->n_wakers + 1) * sizeof *nw);
		if (!nw) {
			tb->oom = true;
			return;
		}
		r->wakers = nw;
		nw[r->n_wakers++] = (struct tb_waker){.tid = w->tid};
	}
	r->wakers[i].name = w->task_name;
	r->wakers[i].count++;
	r->wakers[i].ns += ns;
}

void thread_blocks_add(struct thread_blocks *tb, const struct model_interval *iv)
{
	if (iv->state != MODEL_BLOCKED || !iv->task->is_thread || iv->end_ns < iv->start_ns)
		return;
	struct tb_thread *t = thread_of(tb, iv);
	struct tb_reason *r = t ? reason_of(tb, t, iv->reason) : NULL;
	if (!r)
		return;
	uint64_t ns = (uint64_t)(iv->end_ns - iv->start_ns);
	t->blocked_ns += ns;
	r->ns += ns;
	r->count++;
	if (iv->woken) {
		r->woken_count++;
		r->woken_ns += ns;
		add_waker(tb, r, &iv->waker, ns);
	}
}

static int by_tid(const void *a, const void *b)
{
	const struct tb_thread *x = *(struct tb_thread *const *)a, *y = *(struct tb_thread *const *)b;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

void thread_blocks_sort(struct thread_blocks *tb)
{
	if (tb->n > 1)
		qsort(tb->v, tb->n, sizeof *tb->v, by_tid);
}

void thread_blocks_json(const struct thread_blocks *tb)
{
	json_key("threads");
	json_array();
	for (size_t i = 0; i < tb->n; i++) {
		const struct tb_thread *t = tb->v[i];
		json_object();
		json_kv_u64("tid", t->tid);
		json_kv_str("name", t->name.s, t->name.n);
		json_kv_u64("blocked_ns", t->blocked_ns);
		json_key("blocked_by");
		json_object();
		for (size_t j = 0; j < t->n_by; j++) {
			const struct tb_reason *r = &t->by[j];
			json_key_str(r->reason.s, r->reason.n);
			json_object();
			json_kv_u64("ns", r->ns);
			json_kv_u64("count", r->count);
			json_kv_u64("woken_count", r->woken_count);
			json_kv_u64("woken_ns", r->woken_ns);
			json_key("wakers");
			json_array();
			for (size_t k = 0; k < r->n_wakers; k++) {
				const struct tb_waker *w = &r->wakers[k];
				json_object();
				json_kv_u64("tid", w->tid);
				json_kv_str("name", w->name.s, w->name.n);
				json_kv_u64("count", w->count);
				json_kv_u64("ns", w->ns);
				json_object_end();
			}
			json_array_end();
			json_object_end();
		}
		json_object_end();
		json_object_end();
	}
	json_array_end();
}

void thread_blocks_text(const struct thread_blocks *tb)
{
	if (!tb->n)
		return;
	out_str("blocked, per thread:\n");
	for (size_t i = 0; i < tb->n; i++) {
		const struct tb_thread *t = tb->v[i];
		out_str("  ");
		out_text_quoted(t->name.s, t->name.n);
		out_printf(" (tid %" PRIu64 ") ", t->tid);
		out_dur(t->blocked_ns);
		out_char('\n');
		for (size_t j = 0; j < t->n_by; j++) {
			const struct tb_reason *r = &t->by[j];
			out_str("    ");
			out_text_bare(r->reason.s, r->reason.n);
			out_char(' ');
			out_dur(r->ns);
			out_printf(" in %" PRIu64, r->count);
			for (size_t k = 0; k < r->n_wakers; k++) {
				out_str(k ? ", " : "; woken by ");
				out_text_quoted(r->wakers[k].name.s, r->wakers[k].name.n);
				out_printf(" (tid %" PRIu64 ") %" PRIu64 "x", r->wakers[k].tid,
					   r->wakers[k].count);
			}
			out_char('\n');
		}
	}
}

void thread_blocks_free(struct thread_blocks *tb)
{
	for (size_t i = 0; i < tb->n; i++) {
		for (size_t j = 0; j < tb->v[i]->n_by; j++)
			free(tb->v[i]->by[j].wakers);
		free(tb->v[i]->by);
		free(tb->v[i]);
	}
	free(tb->v);
	idmap_free(&tb->map);
}
