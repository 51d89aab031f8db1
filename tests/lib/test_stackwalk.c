/*
 * The frame-pointer walk: a call chain of known shape is returned exactly,
 * and a damaged chain ends the walk without a fault.
 *
 * PCs are checked against the functions' address ranges, found with
 * dladdr1(RTLD_DL_SYMENT): the functions under test are exported (default
 * visibility, the program is linked with -export-dynamic).
 */
#include <check.h>
#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>

#include "lib/stackwalk.h"

/* No inlining, cloning or other interprocedural changes: each function must
 * keep its own frame at its own symbol. */
#if defined(__clang__)
#define FRAME __attribute__((noinline, visibility("default")))
#else
#define FRAME __attribute__((noipa, visibility("default")))
#endif

#define MAXF 64

static volatile size_t sink; /* a use after each call: no tail calls */

/* Whether pc is a return address inside fn (after its first byte, at most at its end). */
static int pc_in(uint64_t pc, void *fn)
{
	Dl_info info;
	const ElfW(Sym) *sym = NULL;
	if (!dladdr1((void *)(uintptr_t)pc, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym)
		return 0;
	return info.dli_saddr == fn && pc > (uintptr_t)fn && pc <= (uintptr_t)fn + sym->st_size;
}

FRAME size_t lt_walk_here(unsigned skip, uint64_t *pcs, size_t max);
FRAME size_t lt_recurse(unsigned depth, unsigned skip, uint64_t *pcs, size_t max);
/* A walk here, in the caller's frame (a statement expression: a function
 * would add a frame); its hash must be lot_hash_words of what it found. */
#define WALK(b, skip, pcs, max)                                                     \
	({                                                                          \
		uint64_t h_;                                                        \
		size_t n_ = lot_stack_walk((b), (skip), (pcs), (max), &h_);         \
		ck_assert_uint_eq(h_, lot_hash_words((pcs), n_));                   \
		n_;                                                                 \
	})

FRAME size_t lt_c(uint64_t *pcs, size_t max);
FRAME size_t lt_b(uint64_t *pcs, size_t max);
FRAME size_t lt_a(uint64_t *pcs, size_t max);
FRAME size_t lt_damaged(uintptr_t fake_next, const struct lot_stack_bounds *b, uint64_t *pcs,
			size_t max);
FRAME void lt_fake_chain_caller(void);
FRAME void lt_recursion_test_body(void);

FRAME size_t lt_walk_here(unsigned skip, uint64_t *pcs, size_t max)
{
	struct lot_stack_bounds b;
	ck_assert_int_eq(lot_stack_bounds_current(&b), 0);
	return WALK(&b, skip, pcs, max);
}

FRAME size_t lt_recurse(unsigned depth, unsigned skip, uint64_t *pcs, size_t max)
{
	size_t n = depth ? lt_recurse(depth - 1, skip, pcs, max) : lt_walk_here(skip, pcs, max);
	sink = n;
	return n;
}

FRAME size_t lt_c(uint64_t *pcs, size_t max)
{
	size_t n = lt_walk_here(0, pcs, max);
	sink = n;
	return n;
}

FRAME size_t lt_b(uint64_t *pcs, size_t max)
{
	size_t n = lt_c(pcs, max);
	sink = n;
	return n;
}

FRAME size_t lt_a(uint64_t *pcs, size_t max)
{
	size_t n = lt_b(pcs, max);
	sink = n;
	return n;
}

START_TEST(bounds_contain_the_current_frame)
{
	struct lot_stack_bounds b;
	ck_assert_int_eq(lot_stack_bounds_current(&b), 0);
	uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
	ck_assert(b.lo < b.hi);
	ck_assert(b.lo <= fp && fp < b.hi);
}
END_TEST

START_TEST(walk_returns_each_caller_innermost_first)
{
	uint64_t pcs[MAXF];
	size_t n = lt_a(pcs, MAXF);
	ck_assert_uint_ge(n, 4);
	ck_assert(pc_in(pcs[0], (void *)lt_c));
	ck_assert(pc_in(pcs[1], (void *)lt_b));
	ck_assert(pc_in(pcs[2], (void *)lt_a));
}
END_TEST

#define DEPTH 10

FRAME void lt_recursion_test_body(void)
{
	uint64_t pcs[MAXF];
	size_t n = lt_recurse(DEPTH, 0, pcs, MAXF);
	sink = n;
	/* lt_recurse(DEPTH..0) is DEPTH+1 frames; the walk starts in lt_walk_here,
	 * whose first PC is its call site in lt_recurse(0). */
	ck_assert_uint_ge(n, DEPTH + 2);
	for (unsigned i = 0; i <= DEPTH; i++)
		ck_assert_msg(pc_in(pcs[i], (void *)lt_recurse), "frame %u", i);
	ck_assert(pc_in(pcs[DEPTH + 1], (void *)lt_recursion_test_body));
}

START_TEST(recursion_of_known_depth_shows_exactly_its_frames)
{
	lt_recursion_test_body();
}
END_TEST

START_TEST(skip_drops_the_innermost_frames)
{
	uint64_t all[MAXF], skipped[MAXF];
	size_t n = lt_recurse(DEPTH, 0, all, MAXF);
	size_t m = lt_recurse(DEPTH, 3, skipped, MAXF);
	ck_assert_uint_eq(m + 3, n);
	/* Same call sites inside the recursion, so the same PCs three frames
	 * further out (the two calls from this function differ). */
	for (size_t i = 0; i + 3 <= DEPTH; i++)
		ck_assert_uint_eq(skipped[i], all[i + 3]);
}
END_TEST

START_TEST(walk_stops_at_max)
{
	uint64_t pcs[MAXF];
	pcs[3] = 42;
	ck_assert_uint_eq(lt_recurse(DEPTH, 0, pcs, 3), 3);
	ck_assert_uint_eq(pcs[3], 42);
	ck_assert_uint_eq(lt_recurse(DEPTH, 0, pcs, 0), 0);
}
END_TEST

START_TEST(empty_bounds_give_an_empty_stack)
{
	uint64_t pcs[MAXF];
	struct lot_stack_bounds none = {0, 0}, tiny = {8, 16};
	ck_assert_uint_eq(WALK(&none, 0, pcs, MAXF), 0);
	ck_assert_uint_eq(WALK(&tiny, 0, pcs, MAXF), 0);
}
END_TEST

/*
 * Walk from a frame whose saved frame pointer has been replaced by
 * fake_next, then put it back.  The first PC is lt_damaged's own return
 * address; what follows depends on where fake_next leads.
 */
FRAME size_t lt_damaged(uintptr_t fake_next, const struct lot_stack_bounds *b, uint64_t *pcs,
			size_t max)
{
	volatile uintptr_t *saved = (volatile uintptr_t *)__builtin_frame_address(0);
	uintptr_t real = saved[0];
	saved[0] = fake_next;
	size_t n = WALK(b, 0, pcs, max);
	saved[0] = real;
	return n;
}

/* Fake frame records live in this caller's frame (above lt_damaged's, as a
 * real caller's would be); ASan's fake stacks would move them off the stack. */
__attribute__((no_sanitize("address"))) FRAME void lt_fake_chain_caller(void)
{
	struct lot_stack_bounds b;
	ck_assert_int_eq(lot_stack_bounds_current(&b), 0);
	uint64_t pcs[MAXF];
	uintptr_t here = (uintptr_t)__builtin_frame_address(0);

	/* Garbage that fails each check: each walk keeps only the first PC. */
	uintptr_t bad[] = {
		0,                        /* end of chain */
		here - 4096,              /* goes down the stack */
		here + 3,                 /* misaligned */
		b.hi,                     /* outside the stack */
		b.hi - 8,                 /* record would cross the top */
		(uintptr_t)0xdeadbeef0ull,/* wild */
		UINTPTR_MAX & ~(uintptr_t)7,
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(lt_damaged(bad[i], &b, pcs, MAXF) == 1, "garbage %zu", i);

	/* A well-formed fake chain is followed until it breaks off. */
	volatile uintptr_t fake[6];
	fake[0] = (uintptr_t)&fake[2]; /* next */
	fake[1] = 0x1111;               /* return address */
	fake[2] = (uintptr_t)&fake[4];
	fake[3] = 0x2222;
	fake[4] = 12345;                /* garbage next: ends the walk after 0x3333 */
	fake[5] = 0x3333;
	size_t n = lt_damaged((uintptr_t)&fake[0], &b, pcs, MAXF);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(pcs[1], 0x1111);
	ck_assert_uint_eq(pcs[2], 0x2222);
	ck_assert_uint_eq(pcs[3], 0x3333);

	/* A zero return address ends the walk before it is recorded. */
	fake[3] = 0;
	ck_assert_uint_eq(lt_damaged((uintptr_t)&fake[0], &b, pcs, MAXF), 2);
	sink = n;
}

START_TEST(damaged_frame_chain_ends_the_walk_without_fault)
{
	lt_fake_chain_caller();
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, bounds_contain_the_current_frame);
	tcase_add_test(tc, walk_returns_each_caller_innermost_first);
	tcase_add_test(tc, recursion_of_known_depth_shows_exactly_its_frames);
	tcase_add_test(tc, skip_drops_the_innermost_frames);
	tcase_add_test(tc, walk_stops_at_max);
	tcase_add_test(tc, empty_bounds_give_an_empty_stack);
	tcase_add_test(tc, damaged_frame_chain_ends_the_walk_without_fault);
}

#include "tests/support/check_main.h"
