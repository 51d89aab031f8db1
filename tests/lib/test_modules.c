/* The module map: the test program itself is found, with its build-id. */
#include <check.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracer/modules.h"

__attribute__((noinline)) static int lt_marker(int x) { return x * 3 + 1; }

START_TEST(the_program_itself_is_found_with_its_build_id)
{
	struct lot_module *m;
	size_t n;
	ck_assert_int_eq(lot_modules_snapshot(&m, &n), 0);
	ck_assert_uint_gt(n, 0);
	char exe[PATH_MAX];
	ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
	ck_assert_int_gt(k, 0);
	exe[k] = 0;

	uintptr_t pc = (uintptr_t)lt_marker;
	size_t found = 0;
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_lt(m[i].start, m[i].end);
		ck_assert_ptr_nonnull(m[i].path);
		if (m[i].start <= pc && pc < m[i].end) {
			found++;
			ck_assert_str_eq(m[i].path, exe);
			ck_assert_ptr_nonnull(m[i].build_id);
			ck_assert_uint_ge(m[i].build_id_len, 8); /* sha1 20, md5/uuid 16, xxhash 8 */
		}
	}
	ck_assert_uint_eq(found, 1);
	ck_assert_int_eq(lt_marker(1), 4);
	lot_modules_free(m, n);
}
END_TEST

START_TEST(libc_is_in_the_map)
{
	struct lot_module *m;
	size_t n;
	ck_assert_int_eq(lot_modules_snapshot(&m, &n), 0);
	int found = 0;
	for (size_t i = 0; i < n; i++)
		if (strstr(m[i].path, "libc.so") || strstr(m[i].path, "libc-"))
			found = 1;
	ck_assert(found);
	lot_modules_free(m, n);
}
END_TEST

START_TEST(an_empty_snapshot_frees)
{
	lot_modules_free(NULL, 0);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, the_program_itself_is_found_with_its_build_id);
	tcase_add_test(tc, libc_is_in_the_map);
	tcase_add_test(tc, an_empty_snapshot_frees);
}

#include "tests/support/check_main.h"
