/*
 * cmd/json.c: the writer puts the commas, however objects and arrays nest,
 * and json_break() puts the line break after the comma, not before it;
 * every kind of value takes its comma; a value written apart is put in its
 * place later with the document's commas unchanged.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

START_TEST(literals_and_preformatted_values_take_commas_like_any_value)
{
	json_object();
	json_kv_lit("ph", "X");
	json_key("v");
	json_array();
	json_lit("a");
	json_raw("{\"x\":1}", 7);
	json_raw("[]", 2);
	json_array_end();
	json_kv_lit("cat", "span");
	json_object_end();
	ck_assert_str_eq(written(), "{\"ph\":\"X\",\"v\":[\"a\",{\"x\":1},[]],\"cat\":\"span\"}");
}
END_TEST

START_TEST(nanoseconds_are_written_as_microseconds_with_three_decimals)
{
	json_array();
	json_fixed3(0);
	json_fixed3(5);
	json_fixed3(1234567);
	json_fixed3(90);
	json_array_end();
	ck_assert_str_eq(written(), "[0.000,0.005,1234.567,0.090]");
}
END_TEST

START_TEST(ids_and_64_bit_integers_are_written_as_strings)
{
	json_array();
	json_hex16(0xab);
	json_hex16(UINT64_MAX);
	json_hex_num(0);
	json_hex_num(0x7f001f);
	json_u64_str(UINT64_MAX);
	json_i64_str(INT64_MIN);
	json_array_end();
	ck_assert_str_eq(written(), "[\"00000000000000ab\",\"ffffffffffffffff\",\"0x0\",\"0x7f001f\","
				    "\"18446744073709551615\",\"-9223372036854775808\"]");
}
END_TEST

static void put_buf(void *ctx, const void *p, size_t n)
{
	char *b = ctx;
	size_t len = strlen(b);
	ck_assert_uint_lt(len + n, 256);
	memcpy(b + len, p, n);
	b[len + n] = 0;
}

START_TEST(a_value_written_apart_is_placed_later_with_the_documents_commas)
{
	static char apart[2][256];
	memset(apart, 0, sizeof apart);
	json_object();
	json_key("spans");
	json_array();
	json_u64(1);
	for (int i = 0; i < 2; i++) { /* as the document goes on, in between */
		json_apart(put_buf, apart[i]);
		json_object();
		json_kv_u64("id", 2 + (unsigned)i);
		json_key("a");
		json_array();
		json_null();
		json_array_end();
		json_object_end();
		json_apart_end();
	}
	ck_assert_str_eq(apart[0], "{\"id\":2,\"a\":[null]}");
	ck_assert_str_eq(apart[1], "{\"id\":3,\"a\":[null]}");
	json_raw(apart[0], strlen(apart[0]));
	json_raw(apart[1], strlen(apart[1]));
	json_array_end();
	json_kv_bool("done", true);
	json_object_end();
	ck_assert_str_eq(written(), "{\"spans\":[1,{\"id\":2,\"a\":[null]},{\"id\":3,\"a\":[null]}],\"done\":true}");
}
END_TEST

START_TEST(a_preformatted_value_larger_than_the_buffer_is_written_whole)
{
	volatile size_t over = 10; /* not a constant: the compiler would warn of out_write()'s other branch */
	size_t n = CMD_OUT_CAP + over;
	char *big = malloc(n);
	ck_assert_ptr_nonnull(big);
	memset(big, '1', n);
	json_array();
	json_u64(0);
	json_raw(big, n);
	json_array_end();
	out_flush();
	struct stat st;
	ck_assert_int_eq(fstat(fileno(capture), &st), 0);
	ck_assert_int_eq(st.st_size, (off_t)n + 4); /* "[0," ... "]" */
	char head[4] = {0}, tail[2] = {0};
	ck_assert_int_eq(pread(fileno(capture), head, 3, 0), 3);
	ck_assert_int_eq(pread(fileno(capture), tail, 1, (off_t)n + 3), 1);
	ck_assert_str_eq(head, "[0,");
	ck_assert_str_eq(tail, "]");
	free(big);
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
	tcase_add_test(tc, literals_and_preformatted_values_take_commas_like_any_value);
	tcase_add_test(tc, nanoseconds_are_written_as_microseconds_with_three_decimals);
	tcase_add_test(tc, ids_and_64_bit_integers_are_written_as_strings);
	tcase_add_test(tc, a_value_written_apart_is_placed_later_with_the_documents_commas);
	tcase_add_test(tc, a_preformatted_value_larger_than_the_buffer_is_written_whole);
}

#include "tests/support/check_main.h"
