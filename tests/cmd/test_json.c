/*
 * cmd/json.c: the writer puts the commas, however objects and arrays nest,
 * and json_break() puts the line break after the comma, not before it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/json.h"
#include "cmd/out.h"

static FILE *capture;
static int saved_stdout;

/* Standard output into a temporary file, read back by written(). */
static void setup(void)
{
	capture = tmpfile();
	ck_assert_ptr_nonnull(capture);
	fflush(stdout);
	saved_stdout = dup(STDOUT_FILENO);
	ck_assert_int_ge(saved_stdout, 0);
	ck_assert_int_ge(dup2(fileno(capture), STDOUT_FILENO), 0);
}

static void teardown(void)
{
	dup2(saved_stdout, STDOUT_FILENO);
	close(saved_stdout);
	fclose(capture);
}

static const char *written(void)
{
	static char buf[4096];
	out_flush();
	size_t n = (size_t)pread(fileno(capture), buf, sizeof buf - 1, 0);
	buf[n] = 0;
	return buf;
}

START_TEST(members_and_items_are_separated_by_commas_at_every_depth)
{
	json_object();
	json_kv_u64("a", 1);
	json_kv_i64("b", -2);
	json_key("list");
	json_array();
	json_object();
	json_object_end();
	json_array();
	json_array_end();
	json_cstr("x");
	json_bool(true);
	json_null();
	json_printf("%.1f", 2.5);
	json_array_end();
	json_key("empty");
	json_object();
	json_object_end();
	json_kv_bool("last", false);
	json_object_end();
	ck_assert_str_eq(written(),
			 "{\"a\":1,\"b\":-2,\"list\":[{},[],\"x\",true,null,2.5],\"empty\":{},\"last\":false}");
}
END_TEST

START_TEST(keys_and_strings_from_the_data_are_escaped)
{
	json_object();
	json_key_str("a\"b", 3);
	json_str("c\nd", 3);
	json_object_end();
	ck_assert_str_eq(written(), "{\"a\\\"b\":\"c\\nd\"}");
}
END_TEST

START_TEST(bytes_are_written_as_a_hex_string)
{
	const uint8_t id[] = {0x00, 0xab, 0x7f};
	json_array();
	json_hex(id, sizeof id);
	json_hex(id, 0);
	json_array_end();
	ck_assert_str_eq(written(), "[\"00ab7f\",\"\"]");
}
END_TEST

START_TEST(a_line_break_between_items_comes_after_the_comma)
{
	json_array();
	json_break();
	json_u64(1);
	json_break();
	json_u64(2);
	out_char('\n');
	json_array_end();
	ck_assert_str_eq(written(), "[\n1,\n2\n]");
}
END_TEST

START_TEST(top_level_values_take_no_comma)
{
	json_object();
	json_object_end();
	json_object();
	json_object_end();
	ck_assert_str_eq(written(), "{}{}");
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, members_and_items_are_separated_by_commas_at_every_depth);
	tcase_add_test(tc, keys_and_strings_from_the_data_are_escaped);
	tcase_add_test(tc, bytes_are_written_as_a_hex_string);
	tcase_add_test(tc, a_line_break_between_items_comes_after_the_comma);
	tcase_add_test(tc, top_level_values_take_no_comma);
}

#include "tests/support/check_main.h"
