/* lot_buf_read_file: whole files, /proc files whose size stat does not
 * tell, a NUL after the data, and -errno for a file that cannot be read. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"

START_TEST(reads_a_whole_file_larger_than_one_read)
{
	char path[] = "/tmp/lotrace-test-buf-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	static char data[10000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (char)('a' + i % 26);
	ck_assert_int_eq(write(fd, data, sizeof data), (int)sizeof data);
	close(fd);
	struct lot_buf b = {0};
	lot_buf_append(&b, "x", 1); /* appends after what is there */
	ck_assert_int_eq(lot_buf_read_file(&b, path), 0);
	unlink(path);
	ck_assert_uint_eq(b.len, 1 + sizeof data);
	ck_assert(!memcmp(b.data + 1, data, sizeof data));
	ck_assert_uint_eq(b.data[b.len], 0);
	lot_buf_free(&b);
}
END_TEST

START_TEST(reads_proc_files_and_reports_errors)
{
	struct lot_buf b = {0};
	ck_assert_int_eq(lot_buf_read_file(&b, "/proc/self/cmdline"), 0);
	ck_assert_uint_gt(b.len, 0);
	ck_assert_ptr_nonnull(strstr((const char *)b.data, "test_buf"));
	lot_buf_free(&b);
	ck_assert_int_eq(lot_buf_read_file(&b, "/nonexistent/lotrace"), -ENOENT);
	ck_assert_int_eq(lot_buf_read_file(&b, "/"), -EISDIR);
	lot_buf_free(&b);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, reads_a_whole_file_larger_than_one_read);
	tcase_add_test(tc, reads_proc_files_and_reports_errors);
}

#include "tests/support/check_main.h"
