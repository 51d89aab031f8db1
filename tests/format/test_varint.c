/* LEB128 varints and zigzag: the encoding of every event argument. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/varint.h"

static void round_trip(uint64_t v, size_t want_len)
{
	uint8_t buf[LOT_VARINT_MAX + 1];
	uint8_t *e = lot_varint_put(buf, v);
	ck_assert_uint_eq((size_t)(e - buf), want_len);
	ck_assert_uint_eq(lot_varint_len(v), want_len);
	const uint8_t *p = buf;
	uint64_t out = ~v;
	ck_assert_int_eq(lot_varint_get(&p, e, &out), 0);
	ck_assert_ptr_eq(p, e);
	ck_assert_uint_eq(out, v);
}

START_TEST(varint_round_trips_edge_values)
{
	round_trip(0, 1);
	round_trip(1, 1);
	round_trip(127, 1);
	round_trip(128, 2);
	round_trip(16383, 2);
	round_trip(16384, 3);
	round_trip(UINT32_MAX, 5);
	round_trip(1ull << 63, 10);
	round_trip((1ull << 63) - 1, 9);
	round_trip(UINT64_MAX, 10);
}
END_TEST

START_TEST(varint_rejects_overlong_input)
{
	/* eleven continuation-bit bytes */
	uint8_t eleven[11];
	for (int i = 0; i < 10; i++)
		eleven[i] = 0x80;
	eleven[10] = 0;
	const uint8_t *p = eleven;
	uint64_t v;
	ck_assert_int_eq(lot_varint_get(&p, eleven + 11, &v), -1);
	ck_assert_ptr_eq(p, eleven);
	/* a tenth byte carrying bits beyond 64 */
	uint8_t big[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
	p = big;
	ck_assert_int_eq(lot_varint_get(&p, big + 10, &v), -1);
	ck_assert_ptr_eq(p, big);
	/* ...but 0x01 there is UINT64_MAX */
	big[9] = 0x01;
	ck_assert_int_eq(lot_varint_get(&p, big + 10, &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
}
END_TEST

START_TEST(varint_rejects_truncated_input)
{
	uint8_t buf[LOT_VARINT_MAX];
	uint8_t *e = lot_varint_put(buf, 1ull << 40);
	for (const uint8_t *cut = buf; cut < e; cut++) {
		const uint8_t *p = buf;
		uint64_t v;
		ck_assert_int_eq(lot_varint_get(&p, cut, &v), -1);
		ck_assert_ptr_eq(p, buf);
	}
}
END_TEST

START_TEST(zigzag_round_trips_extremes)
{
	const int64_t vals[] = {0, -1, 1, -2, 2, 63, -64, 64, INT32_MIN, INT64_MAX, INT64_MIN};
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		uint8_t buf[LOT_VARINT_MAX];
		uint8_t *e = lot_svarint_put(buf, vals[i]);
		const uint8_t *p = buf;
		int64_t out;
		ck_assert_int_eq(lot_svarint_get(&p, e, &out), 0);
		ck_assert_int_eq(out, vals[i]);
	}
	ck_assert_uint_eq(lot_zigzag_encode(-1), 1);
	ck_assert_uint_eq(lot_zigzag_encode(INT64_MIN), UINT64_MAX);
	ck_assert_uint_eq(lot_zigzag_encode(INT64_MAX), UINT64_MAX - 1);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, varint_round_trips_edge_values);
	tcase_add_test(tc, varint_rejects_overlong_input);
	tcase_add_test(tc, varint_rejects_truncated_input);
	tcase_add_test(tc, zigzag_round_trips_extremes);
}

#include "tests/support/check_main.h"
