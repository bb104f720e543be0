#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "xiaoan/util.h"
#include "xiaoan/xtime.h"

struct good_case {
	const char *in;
	int64_t want;
};

static const struct good_case good[] = {
	{ "1970-01-01T00:00:00Z", 0 },
	{ "2026-11-24T08:12:05Z", 1795507925 },
	{ "2026-11-24t08:12:05z", 1795507925 },
	{ "2026-11-24 08:12:05Z", 1795507925 },
	{ "2026-11-24T16:12:05+08:00", 1795507925 },
	{ "2026-11-24T16:12:05.999999+08:00", 1795507925 },
	{ "2026-11-24T08:12:05.1Z", 1795507925 },
	{ "2026-11-24T08:12:05.123456789Z", 1795507925 },
	{ "2026-11-24T03:42:05-04:30", 1795507925 },
	{ "2024-02-29T00:00:00Z", 1709164800 },       /* leap year */
	{ "2000-02-29T12:00:00Z", 951825600 },        /* divisible by 400 */
	{ "1969-12-31T23:59:59Z", -1 },
	{ "2038-01-19T03:14:08Z", 2147483648LL },
	{ "9999-12-31T23:59:59Z", 253402300799LL },
	{ "0001-01-01T00:00:00Z", -62135596800LL },
	{ "2026-01-01T00:00:00+23:59", 1767139260 },
	{ "2026-12-31T23:59:59Z", 1798761599 },
};

static const char *const bad[] = {
	"",
	"2026",
	"2026-11-24",
	"2026-11-24T08:12",
	"2026-11-24T08:12:05",           /* no zone */
	"2026-11-24T08:12:05Zjunk",
	"2026-11-24T08:12:05Z ",
	" 2026-11-24T08:12:05Z",
	"2026-11-24X08:12:05Z",
	"2026-11-24T08:12:05.Z",         /* empty fraction */
	"2026-11-24T08:12:05.1234567890Z",
	"2026-13-01T00:00:00Z",
	"2026-00-01T00:00:00Z",
	"2026-11-00T00:00:00Z",
	"2026-11-31T00:00:00Z",
	"2023-02-29T00:00:00Z",          /* not a leap year */
	"1900-02-29T00:00:00Z",          /* divisible by 100 */
	"2026-04-31T00:00:00Z",
	"2026-11-24T24:00:00Z",
	"2026-11-24T23:60:00Z",
	"2026-11-24T23:59:60Z",
	"2026-11-24T08:12:05+24:00",
	"2026-11-24T08:12:05+08:60",
	"2026-11-24T08:12:05+0800",
	"2026-11-24T08:12:05+8:00",
	"0000-01-01T00:00:00Z",
	"26-11-24T08:12:05Z",
	"2026-1-24T08:12:05Z",
	"2026/11/24T08:12:05Z",
	"２０２６-11-24T08:12:05Z",
	"2026-11-24T08:12:05UTC",
	"+2026-11-24T08:12:05Z",
	"2026-11-24T-8:12:05Z",
};

static void test_parse_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < XA_ARRAY_LEN(good); i++) {
		int64_t t = 12345;
		if (!xtime_parse_rfc3339(good[i].in, &t))
			print_error("rejected \"%s\"\n", good[i].in);
		assert_true(xtime_parse_rfc3339(good[i].in, &t));
		assert_int_equal(t, good[i].want);
	}
}

static void test_parse_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < XA_ARRAY_LEN(bad); i++) {
		int64_t t = 12345;
		if (xtime_parse_rfc3339(bad[i], &t))
			print_error("accepted \"%s\"\n", bad[i]);
		assert_false(xtime_parse_rfc3339(bad[i], &t));
		assert_int_equal(t, 12345);
	}
}

static void test_format_rfc3339(void **state)
{
	(void)state;
	char buf[XTIME_RFC3339_SIZE];
	assert_int_equal(xtime_format_rfc3339(1795507925, buf, sizeof buf), 20);
	assert_string_equal(buf, "2026-11-24T08:12:05Z");
	xtime_format_rfc3339(0, buf, sizeof buf);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	xtime_format_rfc3339(-1, buf, sizeof buf);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	xtime_format_rfc3339(1709164800 + 86399, buf, sizeof buf);
	assert_string_equal(buf, "2024-02-29T23:59:59Z");
	/* too small: nothing, not a truncated timestamp */
	char small[20];
	assert_int_equal(xtime_format_rfc3339(0, small, sizeof small), 0);
	assert_string_equal(small, "");
	assert_int_equal(xtime_format_rfc3339(253402300800LL, buf, sizeof buf), 0);
}

static void test_round_trip(void **state)
{
	(void)state;
	/* Every good case formats back to a string that parses to the same time. */
	for (size_t i = 0; i < XA_ARRAY_LEN(good); i++) {
		char buf[XTIME_RFC3339_SIZE];
		int64_t t;
		assert_true(xtime_format_rfc3339(good[i].want, buf, sizeof buf) > 0);
		assert_true(xtime_parse_rfc3339(buf, &t));
		assert_int_equal(t, good[i].want);
	}
	/* and a sweep over 400 years of day boundaries */
	for (int64_t t = -62135596800LL; t < 253402300799LL; t += 86400 * 97 + 3601) {
		char buf[XTIME_RFC3339_SIZE];
		int64_t back;
		assert_true(xtime_format_rfc3339(t, buf, sizeof buf) > 0);
		assert_true(xtime_parse_rfc3339(buf, &back));
		assert_int_equal(back, t);
	}
}

static void test_civil(void **state)
{
	(void)state;
	int64_t y;
	unsigned m, d;
	assert_int_equal(xtime_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(xtime_days_from_civil(2000, 3, 1), 11017);
	xtime_civil_from_days(11016, &y, &m, &d);
	assert_int_equal(y, 2000);
	assert_int_equal(m, 2);
	assert_int_equal(d, 29);
}

static void test_format_local(void **state)
{
	(void)state;
	char buf[64];
	/* Beijing time is UTC+8: 08:12:05Z is 16:12:05 local. */
	assert_int_equal(xtime_format_local(1795507925, 28800, "%Y-%m-%d %H:%M:%S", buf, sizeof buf), 19);
	assert_string_equal(buf, "2026-11-24 16:12:05");
	xtime_format_local(1795507925, 57600, "%m-%d %H:%M", buf, sizeof buf);
	assert_string_equal(buf, "11-25 00:12");
	xtime_format_local(1795507925, -36000, "%H:%M", buf, sizeof buf);
	assert_string_equal(buf, "22:12");
	char small[4];
	assert_int_equal(xtime_format_local(1795507925, 0, "%H:%M", small, sizeof small), 0);
	assert_string_equal(small, "");
}

static void test_clocks(void **state)
{
	(void)state;
	/* Sanity only (no timing asserts): after 2020, ms agrees with s. */
	int64_t s = xtime_now(), ms = xtime_now_ms();
	assert_true(s > 1577836800);
	assert_true(ms / 1000 >= s);
	assert_true(xtime_mono_ms() >= 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_format_rfc3339),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_civil),
		cmocka_unit_test(test_format_local),
		cmocka_unit_test(test_clocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
