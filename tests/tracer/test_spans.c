/* Spans: nesting under a propagated traceparent, attributes, implicit
 * parents, the scoped macro. */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/check_main.h"
#include "support.h"
#include "tracer/lotrace.h"

#define REMOTE "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

static struct tev *find(struct ttrace *t, uint8_t code, size_t nth)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->ev[i].code == code && !t->ev[i].synthetic && nth-- == 0)
			return &t->ev[i];
	return NULL;
}

START_TEST(nested_spans_under_a_remote_parent_with_attributes)
{
	const char *path = test_path("spans");
	ck_assert_int_eq(lot_start(path), 0);
	lot_span remote;
	ck_assert_int_eq(lot_traceparent_parse(REMOTE, &remote), 0);
	lot_span req = lot_span_begin("request", &remote);
	ck_assert(lot_span_valid(&req));
	ck_assert(!memcmp(req.trace_id, remote.trace_id, 16));
	ck_assert_uint_ne(req.span_id, remote.span_id);
	char value[32];
	strcpy(value, "/checkout");
	lot_span_attr_str(&req, "http.route", value);
	memset(value, 'x', sizeof value - 1); /* the value was copied */
	lot_span db = lot_span_begin("db", NULL); /* implicit parent: req */
	lot_span_attr_int(&db, "rows", -42);
	char out[56];
	ck_assert_int_eq(lot_traceparent_format(&db, out), 0);
	ck_assert_int_eq(strncmp(out, "00-4bf92f3577b34da6a3ce929d0e0e4736-", 36), 0);
	lot_span_end(&db);
	lot_span cache = lot_span_begin("cache", NULL); /* db ended: parent is req again */
	lot_span_end(&cache);
	lot_span_end(&req);
	lot_span root = lot_span_begin("background", NULL); /* nothing open: a new trace */
	ck_assert(memcmp(root.trace_id, remote.trace_id, 16));
	lot_span_end(&root);
	ck_assert_int_eq(lot_stop(), 0);

	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	ck_assert(!t.damaged);
	struct tev *b0 = find(&t, LOT_EV_span_begin, 0), *b1 = find(&t, LOT_EV_span_begin, 1),
		   *b2 = find(&t, LOT_EV_span_begin, 2), *b3 = find(&t, LOT_EV_span_begin, 3);
	ck_assert(b0 && b1 && b2 && b3);
	ck_assert_ptr_null(find(&t, LOT_EV_span_begin, 4));
	ck_assert_str_eq(b0->a[LOT_ARG_span_begin_name].str, "request");
	ck_assert_uint_eq(b0->a[LOT_ARG_span_begin_span].u, req.span_id);
	ck_assert_uint_eq(b0->a[LOT_ARG_span_begin_parent_span].u, remote.span_id);
	ck_assert(!memcmp(b0->a[LOT_ARG_span_begin_trace_id].id, remote.trace_id, 16));
	ck_assert_str_eq(b1->a[LOT_ARG_span_begin_name].str, "db");
	ck_assert_uint_eq(b1->a[LOT_ARG_span_begin_span].u, db.span_id);
	ck_assert_uint_eq(b1->a[LOT_ARG_span_begin_parent_span].u, req.span_id);
	ck_assert(!memcmp(b1->a[LOT_ARG_span_begin_trace_id].id, remote.trace_id, 16));
	ck_assert_str_eq(b2->a[LOT_ARG_span_begin_name].str, "cache");
	ck_assert_uint_eq(b2->a[LOT_ARG_span_begin_parent_span].u, req.span_id);
	ck_assert_str_eq(b3->a[LOT_ARG_span_begin_name].str, "background");
	ck_assert_uint_eq(b3->a[LOT_ARG_span_begin_parent_span].u, 0);
	ck_assert(!memcmp(b3->a[LOT_ARG_span_begin_trace_id].id, root.trace_id, 16));

	struct tev *a0 = find(&t, LOT_EV_span_attr, 0), *a1 = find(&t, LOT_EV_span_attr, 1);
	ck_assert(a0 && a1);
	ck_assert_uint_eq(a0->a[LOT_ARG_span_attr_span].u, req.span_id);
	ck_assert_str_eq(a0->a[LOT_ARG_span_attr_key].str, "http.route");
	ck_assert(a0->a[LOT_ARG_span_attr_value].is_str);
	ck_assert_str_eq(a0->a[LOT_ARG_span_attr_value].str, "/checkout");
	ck_assert_uint_eq(a1->a[LOT_ARG_span_attr_span].u, db.span_id);
	ck_assert(!a1->a[LOT_ARG_span_attr_value].is_str);
	ck_assert_int_eq(a1->a[LOT_ARG_span_attr_value].i, -42);

	/* ends in order: db, cache, request, background */
	uint64_t ends[] = {db.span_id, cache.span_id, req.span_id, root.span_id};
	for (size_t i = 0; i < 4; i++) {
		struct tev *e = find(&t, LOT_EV_span_end, i);
		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(e->a[LOT_ARG_span_end_span].u, ends[i]);
	}
	trace_free(&t);
	unlink(path);
}
END_TEST

static uint64_t scoped_id;

static void scoped(void)
{
	LOT_SPAN_SCOPED(s, "scoped");
	scoped_id = s.span_id;
	lot_instant("inside");
}

START_TEST(scoped_span_ends_when_the_block_is_left)
{
	const char *path = test_path("scoped");
	ck_assert_int_eq(lot_start(path), 0);
	scoped();
	lot_instant("after");
	ck_assert_int_eq(lot_stop(), 0);
	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	size_t b = 0, in = 0, e = 0, after = 0;
	for (size_t i = 0; i < t.n; i++) {
		if (t.ev[i].code == LOT_EV_span_begin)
			b = i;
		if (t.ev[i].code == LOT_EV_span_end) {
			e = i;
			ck_assert_uint_eq(t.ev[i].a[0].u, scoped_id);
		}
		if (t.ev[i].code == LOT_EV_instant)
			*(strcmp(t.ev[i].a[0].str, "inside") ? &after : &in) = i;
	}
	ck_assert(b < in && in < e && e < after);
	trace_free(&t);
	unlink(path);
}
END_TEST

START_TEST(span_ids_of_a_thread_are_distinct_and_nonzero)
{
	const char *path = test_path("ids");
	ck_assert_int_eq(lot_start(path), 0);
	uint64_t prev = 0;
	for (int i = 0; i < 1000; i++) {
		lot_span s = lot_span_begin("s", NULL);
		ck_assert_uint_ne(s.span_id, 0);
		ck_assert_uint_ne(s.span_id, prev);
		prev = s.span_id;
		lot_span_end(&s);
	}
	ck_assert_int_eq(lot_stop(), 0);
	unlink(path);
}
END_TEST

/* Span ids are stored XORed with each chunk's span_base, which follows the
 * thread's span counter: ids from many small chunks, a parent from the
 * first one, and counters past several multiples of 4096 read back as made. */
#define N_CHILDREN 10000
START_TEST(span_ids_and_parents_read_back_across_many_chunks)
{
	const char *path = test_path("manychunks");
	setenv("LOTRACE_CHUNK_SIZE", "4096", 1);
	ck_assert_int_eq(lot_start(path), 0);
	unsetenv("LOTRACE_CHUNK_SIZE");
	static uint64_t ids[N_CHILDREN];
	lot_span root = lot_span_begin("root", NULL);
	for (int i = 0; i < N_CHILDREN; i++) {
		lot_span s = lot_span_begin("child", NULL);
		ids[i] = s.span_id;
		lot_span_end(&s);
	}
	lot_span a = lot_span_begin("a", NULL), b = lot_span_begin("b", NULL);
	lot_span_end(&a); /* not the innermost: the full path */
	lot_span_end(&b);
	lot_span_end(&root);
	ck_assert_int_eq(lot_stop(), 0);

	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	ck_assert(!t.damaged);
	uint64_t chunks = 0;
	for (size_t i = 0; i < t.n_th; i++)
		chunks += t.th[i].chunks;
	ck_assert_uint_gt(chunks, 10);
	size_t nb = 0, ne = 0;
	for (size_t i = 0; i < t.n; i++) {
		struct tev *e = &t.ev[i];
		if (e->synthetic)
			continue;
		if (e->code == LOT_EV_span_begin) {
			if (nb == 0) {
				ck_assert_uint_eq(e->a[LOT_ARG_span_begin_span].u, root.span_id);
			} else if (nb <= N_CHILDREN) {
				ck_assert_uint_eq(e->a[LOT_ARG_span_begin_span].u, ids[nb - 1]);
				ck_assert_uint_eq(e->a[LOT_ARG_span_begin_parent_span].u, root.span_id);
				ck_assert(!memcmp(e->a[LOT_ARG_span_begin_trace_id].id, root.trace_id, 16));
			}
			nb++;
		} else if (e->code == LOT_EV_span_end) {
			uint64_t want = ne < N_CHILDREN ? ids[ne]
					: ne == N_CHILDREN ? a.span_id
					: ne == N_CHILDREN + 1 ? b.span_id : root.span_id;
			ck_assert_uint_eq(e->a[LOT_ARG_span_end_span].u, want);
			ne++;
		}
	}
	ck_assert_uint_eq(nb, N_CHILDREN + 3);
	ck_assert_uint_eq(ne, N_CHILDREN + 3);
	trace_free(&t);
	unlink(path);
}
END_TEST

/* A span that ends on another thread: the thread that began it keeps it as
 * an implicit parent only while its task stays, and a pile of such spans
 * never stops the span stack from working. */
static void *end_here(void *arg)
{
	lot_span_end(arg);
	return NULL;
}

START_TEST(spans_ended_elsewhere_stop_being_parents_when_the_task_changes)
{
	const char *path = test_path("spans-elsewhere");
	ck_assert_int_eq(lot_start(path), 0);
	uint64_t task = lot_task_create("request");
	lot_task_start(task);
	lot_span handed[40];
	for (int i = 0; i < 40; i++) { /* more than the open-span stack holds */
		handed[i] = lot_span_begin("handed", NULL);
		pthread_t th;
		ck_assert_int_eq(pthread_create(&th, NULL, end_here, &handed[i]), 0);
		pthread_join(th, NULL);
	}
	lot_span under = lot_span_begin("under", NULL); /* still the task's: under the last */
	lot_span_end(&under);
	lot_task_end();
	lot_span fresh = lot_span_begin("fresh", NULL); /* another task now: a root */
	lot_span_end(&fresh);
	ck_assert_int_eq(lot_stop(), 0);
	ck_assert(memcmp(fresh.trace_id, handed[39].trace_id, 16));

	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	ck_assert(!t.damaged);
	struct tev *u = NULL, *f = NULL;
	for (size_t i = 0; i < t.n; i++) {
		struct tev *e = &t.ev[i];
		if (e->code != LOT_EV_span_begin)
			continue;
		if (!strcmp(e->a[LOT_ARG_span_begin_name].str, "under"))
			u = e;
		if (!strcmp(e->a[LOT_ARG_span_begin_name].str, "fresh"))
			f = e;
	}
	ck_assert(u && f);
	ck_assert_uint_eq(u->a[LOT_ARG_span_begin_parent_span].u, handed[39].span_id);
	ck_assert_uint_eq(f->a[LOT_ARG_span_begin_parent_span].u, 0);
	trace_free(&t);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, nested_spans_under_a_remote_parent_with_attributes);
	tcase_add_test(tc, scoped_span_ends_when_the_block_is_left);
	tcase_add_test(tc, span_ids_of_a_thread_are_distinct_and_nonzero);
	tcase_add_test(tc, span_ids_and_parents_read_back_across_many_chunks);
	tcase_add_test(tc, spans_ended_elsewhere_stop_being_parents_when_the_task_changes);
}
