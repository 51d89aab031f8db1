/* fork: the child is not tracing (unless it starts again); the parent's
 * trace is intact. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/check_main.h"
#include "support.h"
#include "tracer/lotrace.h"

START_TEST(child_is_not_tracing_and_parent_trace_is_intact)
{
	const char *path = test_path("parent");
	char child_path[512];
	strcpy(child_path, test_path("child"));
	ck_assert_int_eq(lot_start(path), 0);
	lot_instant("before");
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int bad = lot_enabled();
		lot_instant("child");
#ifndef __SANITIZE_THREAD__ /* TSan cannot start threads after a multi-threaded fork */
		/* the child may trace on its own */
		bad |= lot_start(child_path) != 0;
		lot_instant("child-own");
		bad |= lot_stop() != 0;
#endif
		_exit(bad);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	lot_instant("after");
	ck_assert_int_eq(lot_stop(), 0);

	struct ttrace t;
	ck_assert(trace_load(path, true, &t));
	ck_assert(t.has_trailer);
	ck_assert(!t.damaged);
	ck_assert_uint_eq(t.pid, (uint64_t)getpid());
	ck_assert_int_eq(count_instants(&t, "before"), 1);
	ck_assert_int_eq(count_instants(&t, "after"), 1);
	ck_assert_int_eq(count_instants(&t, "child"), 0);
	ck_assert_int_eq(count_instants(&t, "child-own"), 0);
	trace_free(&t);

#ifndef __SANITIZE_THREAD__
	ck_assert(trace_load(child_path, true, &t));
	ck_assert(t.has_trailer);
	ck_assert_uint_eq(t.pid, (uint64_t)pid);
	ck_assert_int_eq(count_instants(&t, "child-own"), 1);
	ck_assert_int_eq(count_instants(&t, "child"), 0);
	ck_assert_int_eq(count_instants(&t, "before"), 0);
	trace_free(&t);
#endif
	unlink(path);
	unlink(child_path);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, child_is_not_tracing_and_parent_trace_is_intact);
}
