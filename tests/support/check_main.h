/*
 * The main() of every Check test program: include it after the tests and
 * define add_tests(TCase *), which adds them.  One suite named after the
 * file, one case, a timeout generous enough for sanitizer builds (the tests
 * assert behaviour, never timings).
 */
#ifndef LOT_TESTS_CHECK_MAIN_H
#define LOT_TESTS_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

static void add_tests(TCase *tc);

int main(void)
{
	Suite *s = suite_create(__FILE__);
	TCase *tc = tcase_create("behaviour");
	tcase_set_timeout(tc, 120);
	add_tests(tc);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
