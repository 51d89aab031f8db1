/* W3C traceparent parsing and formatting (no tracing needed). */
#include <errno.h>
#include <string.h>

#include "tests/support/check_main.h"
#include "tracer/lotrace.h"

#define VALID "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

START_TEST(valid_header_round_trips)
{
	lot_span s;
	ck_assert_int_eq(lot_traceparent_parse(VALID, &s), 0);
	ck_assert_uint_eq(s.span_id, 0x00f067aa0ba902b7ull);
	ck_assert_uint_eq(s.flags, 1);
	ck_assert_uint_eq(s.trace_id[0], 0x4b);
	ck_assert_uint_eq(s.trace_id[15], 0x36);
	char out[56];
	ck_assert_int_eq(lot_traceparent_format(&s, out), 0);
	ck_assert_str_eq(out, VALID);
}
END_TEST

START_TEST(version_ff_is_invalid)
{
	lot_span s;
	ck_assert_int_eq(lot_traceparent_parse("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", &s),
			 -EINVAL);
}
END_TEST

START_TEST(future_version_may_append_fields)
{
	lot_span s;
	ck_assert_int_eq(lot_traceparent_parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz", &s), 0);
	ck_assert_int_eq(lot_traceparent_parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", &s), 0);
	/* but not glued on without a dash */
	ck_assert_int_eq(lot_traceparent_parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x", &s), -EINVAL);
}
END_TEST

START_TEST(all_zero_ids_are_invalid)
{
	lot_span s;
	ck_assert_int_eq(lot_traceparent_parse("00-00000000000000000000000000000000-00f067aa0ba902b7-01", &s), -EINVAL);
	ck_assert_int_eq(lot_traceparent_parse("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", &s), -EINVAL);
}
END_TEST

START_TEST(uppercase_hex_is_rejected)
{
	lot_span s;
	ck_assert_int_eq(lot_traceparent_parse("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", &s), -EINVAL);
	ck_assert_int_eq(lot_traceparent_parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01", &s), -EINVAL);
	ck_assert_int_eq(lot_traceparent_parse("0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", &s), -EINVAL);
}
END_TEST

START_TEST(wrong_length_is_rejected)
{
	lot_span s;
	ck_assert_int_eq(lot_traceparent_parse("", &s), -EINVAL);
	ck_assert_int_eq(lot_traceparent_parse(VALID "0", &s), -EINVAL);  /* version 00: exactly 55 */
	ck_assert_int_eq(lot_traceparent_parse(VALID "-", &s), -EINVAL);
	char shorter[sizeof VALID];
	strcpy(shorter, VALID);
	shorter[54] = 0;
	ck_assert_int_eq(lot_traceparent_parse(shorter, &s), -EINVAL);
	ck_assert_int_eq(lot_traceparent_parse("00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01", &s), -EINVAL);
	ck_assert_int_eq(lot_traceparent_parse(NULL, &s), -EINVAL);
}
END_TEST

START_TEST(failed_parse_leaves_output_alone)
{
	lot_span s;
	memset(&s, 0x5a, sizeof s);
	ck_assert_int_eq(lot_traceparent_parse("00-zz", &s), -EINVAL);
	ck_assert_uint_eq(s.flags, 0x5a);
}
END_TEST

START_TEST(invalid_span_does_not_format)
{
	lot_span zero = {{0}, 0, 0};
	char out[56];
	ck_assert_int_eq(lot_traceparent_format(&zero, out), -EINVAL);
	ck_assert_int_eq(lot_traceparent_format(NULL, out), -EINVAL);
	lot_span s = {{1}, 0, 1};
	ck_assert_int_eq(lot_traceparent_format(&s, out), -EINVAL);
}
END_TEST

START_TEST(span_begin_while_off_makes_ids_under_the_parent)
{
	ck_assert(!lot_enabled());
	lot_span remote, s;
	ck_assert_int_eq(lot_traceparent_parse(VALID, &remote), 0);
	s = lot_span_begin("off", &remote);
	ck_assert(lot_span_valid(&s));
	ck_assert_mem_eq(s.trace_id, remote.trace_id, 16);
	ck_assert(s.span_id != remote.span_id);
	ck_assert_uint_eq(s.flags, remote.flags);
	lot_span_end(&s);

	/* no parent: a new trace, and every span a new id */
	lot_span a = lot_span_begin("off", NULL), b = lot_span_begin("off", NULL);
	ck_assert(lot_span_valid(&a) && lot_span_valid(&b));
	ck_assert(memcmp(a.trace_id, b.trace_id, 16) != 0);
	ck_assert(a.span_id != b.span_id);
	char out[56];
	ck_assert_int_eq(lot_traceparent_format(&a, out), 0);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, valid_header_round_trips);
	tcase_add_test(tc, version_ff_is_invalid);
	tcase_add_test(tc, future_version_may_append_fields);
	tcase_add_test(tc, all_zero_ids_are_invalid);
	tcase_add_test(tc, uppercase_hex_is_rejected);
	tcase_add_test(tc, wrong_length_is_rejected);
	tcase_add_test(tc, failed_parse_leaves_output_alone);
	tcase_add_test(tc, invalid_span_does_not_format);
	tcase_add_test(tc, span_begin_while_off_makes_ids_under_the_parent);
}
