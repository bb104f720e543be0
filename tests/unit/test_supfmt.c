#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>

#include <cmocka.h>

#include "xiaoan/supfmt.h"
#include "xiaoan/text.h"

static void test_bar(void **state)
{
	char b[128];

	(void)state;
	supfmt_bar(10, 10, 4, b, sizeof b);
	assert_string_equal(b, "████");
	supfmt_bar(5, 10, 4, b, sizeof b);
	assert_string_equal(b, "██  ");
	supfmt_bar(1, 16, 2, b, sizeof b);
	assert_string_equal(b, "▏ "); /* 1/16 of 2 columns = 1 eighth */
	supfmt_bar(0, 10, 3, b, sizeof b);
	assert_string_equal(b, "   ");
	supfmt_bar(0.001, 1000, 3, b, sizeof b);
	assert_string_equal(b, "▏  "); /* above zero is never invisible */
	supfmt_bar(3, 8, 1, b, sizeof b);
	assert_string_equal(b, "▍");
	supfmt_bar(20, 10, 2, b, sizeof b);
	assert_string_equal(b, "██"); /* clamped */
	supfmt_bar(5, 0, 2, b, sizeof b);
	assert_string_equal(b, "  ");
	assert_int_equal(text_width("▉▉▉ "), 4);
	assert_int_equal(supfmt_bar(5, 10, 40, b, 8), 0); /* does not fit */
	assert_string_equal(b, "");
}

static void test_spark(void **state)
{
	char b[256];
	long v[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	long z[] = { 0, 0, 0 };
	long w[] = { 1, 1, 0, 0, 7, 7 };

	(void)state;
	assert_int_equal(supfmt_spark(v, 8, 20, b, sizeof b), 8);
	assert_string_equal(b, "▁▂▃▄▅▆▇█");
	assert_int_equal(supfmt_spark(z, 3, 20, b, sizeof b), 3);
	assert_string_equal(b, "▁▁▁");
	/* Six values into three columns: pairs are summed. */
	assert_int_equal(supfmt_spark(w, 6, 3, b, sizeof b), 3);
	assert_string_equal(b, "▂▁█"); /* 2/14 of the tallest */
	assert_int_equal(supfmt_spark(v, 0, 3, b, sizeof b), 0);
	assert_string_equal(b, "");
}

static void test_dates(void **state)
{
	(void)state;
	assert_true(supfmt_date_ok("2026-11-30"));
	assert_true(supfmt_date_ok("2028-02-29"));
	assert_false(supfmt_date_ok("2026-02-29"));
	assert_false(supfmt_date_ok("2026-11-31"));
	assert_false(supfmt_date_ok("2026-13-01"));
	assert_false(supfmt_date_ok("2026-1-01"));
	assert_false(supfmt_date_ok("2026-11-30 "));
	assert_false(supfmt_date_ok(""));
	assert_false(supfmt_date_ok(NULL));
	assert_true(supfmt_datetime_ok("2026-12-05 17:00"));
	assert_true(supfmt_datetime_ok("2026-12-05 00:00"));
	assert_false(supfmt_datetime_ok("2026-12-05 24:00"));
	assert_false(supfmt_datetime_ok("2026-12-05 17:60"));
	assert_false(supfmt_datetime_ok("2026-12-05T17:00"));
	assert_false(supfmt_datetime_ok("2026-12-05"));
	assert_false(supfmt_datetime_ok("2026-02-30 10:00"));
}

static void test_duration(void **state)
{
	char b[32];

	(void)state;
	supfmt_duration(45, b, sizeof b);
	assert_string_equal(b, "45s");
	supfmt_duration(720, b, sizeof b);
	assert_string_equal(b, "12m");
	supfmt_duration(3 * 3600 + 5 * 60 + 9, b, sizeof b);
	assert_string_equal(b, "3h05m");
	supfmt_duration(2 * 86400 + 4 * 3600 + 59, b, sizeof b);
	assert_string_equal(b, "2d04h");
	supfmt_duration(-1, b, sizeof b);
	assert_string_equal(b, "-");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bar),
		cmocka_unit_test(test_spark),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_duration),
	};
	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
