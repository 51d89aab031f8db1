/* A recursion of known depth: the recorded stack shows exactly its frames. */
#include <dlfcn.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/check_main.h"
#include "support.h"
#include "tracer/lotrace.h"

#define DEPTH 7

/* Not static, default visibility and exported (-export-dynamic), so that
 * dladdr names them. */
int recurse(int n);
int run_recursion(void);

__attribute__((noinline, optimize("no-optimize-sibling-calls"), visibility("default"))) int recurse(int n)
{
	int r;
	if (n == 1) {
		lot_task_block("deep");
		r = 1;
	} else {
		r = recurse(n - 1) + 1;
	}
	__asm__ volatile("" : "+r"(r)); /* keep the frame: no tail call */
	return r;
}

__attribute__((noinline, optimize("no-optimize-sibling-calls"), visibility("default"))) int run_recursion(void)
{
	int r = recurse(DEPTH);
	__asm__ volatile("" : "+r"(r));
	return r;
}

static const char *func_of(uint64_t pc)
{
	Dl_info info;
	/* a return address points after the call: look up the call itself */
	if (!dladdr((void *)(uintptr_t)(pc - 1), &info) || !info.dli_sname)
		return "?";
	return info.dli_sname;
}

START_TEST(stack_of_a_recursion_shows_each_frame)
{
	setenv("LOTRACE_STACKS", "1", 1);
	const char *path = test_path("stack");
	ck_assert_int_eq(lot_start(path), 0);
	ck_assert_int_eq(run_recursion(), DEPTH);
	ck_assert_int_eq(lot_stop(), 0);
	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	struct tev *e = NULL;
	for (size_t i = 0; i < t.n; i++)
		if (t.ev[i].code == LOT_EV_task_block)
			e = &t.ev[i];
	ck_assert_ptr_nonnull(e);
	struct targ *s = &e->a[LOT_ARG_task_block_stack];
	ck_assert_uint_gt(s->n_pcs, DEPTH);
	for (size_t i = 0; i < DEPTH; i++)
		ck_assert_str_eq(func_of(s->pcs[i]), "recurse");
	ck_assert_str_eq(func_of(s->pcs[DEPTH]), "run_recursion");
	trace_free(&t);
	unlink(path);
}
END_TEST

START_TEST(stack_depth_is_bounded)
{
	setenv("LOTRACE_STACK_DEPTH", "3", 1);
	const char *path = test_path("depth");
	ck_assert_int_eq(lot_start(path), 0);
	ck_assert_int_eq(run_recursion(), DEPTH);
	ck_assert_int_eq(lot_stop(), 0);
	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	bool found = false;
	for (size_t i = 0; i < t.n; i++)
		if (t.ev[i].code == LOT_EV_task_block) {
			ck_assert_uint_eq(t.ev[i].a[LOT_ARG_task_block_stack].n_pcs, 3);
			found = true;
		}
	ck_assert(found);
	trace_free(&t);
	unlink(path);
}
END_TEST

START_TEST(stacks_off_records_none)
{
	setenv("LOTRACE_STACKS", "0", 1);
	const char *path = test_path("nostack");
	ck_assert_int_eq(lot_start(path), 0);
	ck_assert_int_eq(run_recursion(), DEPTH);
	ck_assert_int_eq(lot_stop(), 0);
	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	for (size_t i = 0; i < t.n; i++)
		if (t.ev[i].code == LOT_EV_task_block)
			ck_assert_uint_eq(t.ev[i].a[LOT_ARG_task_block_stack].n_pcs, 0);
	trace_free(&t);
	unlink(path);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, stack_of_a_recursion_shows_each_frame);
	tcase_add_test(tc, stack_depth_is_bounded);
	tcase_add_test(tc, stacks_off_records_none);
}
