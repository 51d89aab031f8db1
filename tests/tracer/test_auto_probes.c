/* The interposer's probes (tracer/auto_probes.h): a block that began in
 * the past with a per-call detail, the resume, an unblock, and frames
 * skipped off the top of the stack. */
#include <string.h>
#include <unistd.h>

#include "tests/support/check_main.h"
#include "support.h"
#include "tracer/auto_probes.h"

static size_t blocks_of(struct ttrace *t, uint64_t tid, struct tev **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n && n < max; i++) {
		struct tev *e = &t->ev[i];
		if (e->tid == tid && !e->synthetic &&
		    (e->code == LOT_EV_task_block || e->code == LOT_EV_task_start ||
		     e->code == LOT_EV_task_unblock))
			out[n++] = e;
	}
	return n;
}

/* A stand-in for a wrapper: one frame above the probe, skipped. */
__attribute__((noinline)) static void wrapper_blocks(uint64_t t0, const char *detail)
{
	struct lot_auto_block b = {.reason = "io", .detail = detail, .t0 = t0, .skip = 1};
	lot__auto_block(&b);
	__asm__ __volatile__("" ::: "memory");
}

__attribute__((noinline)) static void caller_of_wrapper(uint64_t t0, const char *detail)
{
	wrapper_blocks(t0, detail);
	__asm__ __volatile__("" ::: "memory");
}

START_TEST(auto_block_records_past_start_detail_and_skips_wrapper_frames)
{
	const char *path = test_path("auto_probes");
	ck_assert_int_eq(lot_start(path), 0);
	ck_assert_uint_eq(lot__auto_now() != 0, 1);
	uint64_t t0 = lot__auto_now();
	usleep(2000);
	ck_assert_uint_ge(lot__auto_since_ns(t0), 2000000);
	char detail[16];
	strcpy(detail, "read fd 7");
	caller_of_wrapper(t0, detail);
	lot__auto_resume();
	strcpy(detail, "read fd 8"); /* the same buffer, other text: not cached by address */
	caller_of_wrapper(0, detail);
	lot__auto_resume();
	uint64_t me = lot_task_current();
	lot__auto_unblock(me + 1000, 0);
	ck_assert_int_eq(lot_stop(), 0);
	ck_assert_uint_eq(lot__auto_now(), 0); /* off */

	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	struct tev *e[8];
	ck_assert_uint_eq(blocks_of(&t, (uint64_t)gettid(), e, 8), 5);
	ck_assert_uint_eq(e[0]->code, LOT_EV_task_block);
	ck_assert_str_eq(e[0]->a[LOT_ARG_task_block_reason].str, "io");
	ck_assert_str_eq(e[0]->a[LOT_ARG_task_block_detail].str, "read fd 7");
	ck_assert_uint_eq(e[1]->code, LOT_EV_task_start);
	ck_assert_uint_eq(e[1]->a[LOT_ARG_task_start_task].u, me);
	/* it began 2 ms before the resume */
	ck_assert_uint_gt(e[1]->ticks - e[0]->ticks, 0);
	ck_assert_str_eq(e[2]->a[LOT_ARG_task_block_detail].str, "read fd 8");
	/* the top frame is the wrapper's caller: the return address into
	 * caller_of_wrapper, not into wrapper_blocks */
	const struct targ *st = &e[0]->a[LOT_ARG_task_block_stack];
	ck_assert_uint_gt(st->n_pcs, 1);
	ck_assert_uint_gt(st->pcs[0], (uint64_t)(uintptr_t)caller_of_wrapper);
	ck_assert_uint_lt(st->pcs[0], (uint64_t)(uintptr_t)caller_of_wrapper + 64);
	ck_assert_uint_eq(e[4]->code, LOT_EV_task_unblock);
	ck_assert_uint_eq(e[4]->a[LOT_ARG_task_unblock_task].u, me + 1000);
	trace_free(&t);
	unlink(path);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, auto_block_records_past_start_detail_and_skips_wrapper_frames);
}

