#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xiaoan/sla.h"
#include "xiaoan/util.h"

struct fmt_case {
	int64_t r;
	const char *want;
};

static const struct fmt_case fmt_cases[] = {
	{ 0, "0:00" },
	{ 1, "0:01" },
	{ 59, "0:59" },
	{ 60, "1:00" },
	{ 299, "4:59" },
	{ 3599, "59:59" },
	{ 3600, "1h00m" },
	{ 3659, "1h00m" },
	{ 3660, "1h01m" },
	{ 43199, "11h59m" },
	{ 86399, "23h59m" },
	{ 86400, "1d00h" },
	{ 3 * 86400 + 4 * 3600 + 59, "3d04h" },
	{ 100 * 86400 - 1, "99d23h" },
	{ 100 * 86400, "99d23h" },
	{ INT64_MAX, "99d23h" },
	{ -1, "-0:01" },
	{ -59, "-0:59" },
	{ -65, "-1:05" },
	{ -3599, "-59:59" },
	{ -3600, "-1h00m" },
	{ -(2 * 3600 + 5 * 60), "-2h05m" },
	{ -86399, "-23h59m" },
	{ -86400, "-1d00h" },
	{ INT64_MIN, "-99d23h" },
};

static void test_format_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < XA_ARRAY_LEN(fmt_cases); i++) {
		char buf[SLA_FORMAT_SIZE];
		size_t n = sla_format(fmt_cases[i].r, buf, sizeof buf);
		if (strcmp(buf, fmt_cases[i].want) != 0)
			print_error("r=%lld got \"%s\"\n", (long long)fmt_cases[i].r, buf);
		assert_string_equal(buf, fmt_cases[i].want);
		assert_int_equal(n, strlen(fmt_cases[i].want));
		assert_true(n <= 7);
	}
}

static void test_format_small_buffer(void **state)
{
	(void)state;
	char buf[SLA_FORMAT_SIZE - 1];
	memset(buf, 'x', sizeof buf);
	assert_int_equal(sla_format(5, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
}

static void test_format_width_sweep(void **state)
{
	(void)state;
	for (int64_t r = -200 * 86400; r <= 200 * 86400; r += 97) {
		char buf[SLA_FORMAT_SIZE];
		size_t n = sla_format(r, buf, sizeof buf);
		assert_true(n >= 4 && n <= 7);
		assert_int_equal(buf[0] == '-', r < 0);
	}
}

static void test_window(void **state)
{
	(void)state;
	struct sla_clock c = { 1000, 1000 + 600, 0 };    /* 10 min: 25% = 150 s */
	assert_int_equal(sla_window(&c), 150);
	c.due = 1000 + 12 * 3600;                         /* 12 h: capped at 30 min */
	assert_int_equal(sla_window(&c), 1800);
	c.due = 1000 + 180;                               /* 3 min: 45 s -> at least 60 */
	assert_int_equal(sla_window(&c), 60);
	c.start = 0;
	assert_int_equal(sla_window(&c), 300);
}

struct cls_case {
	struct sla_clock c;
	int64_t now;
	enum sla_urgency want;
};

#define T0 1795507925
static const struct cls_case cls_cases[] = {
	{ { 0, 0, 0 }, T0, SLA_NONE },
	{ { T0, 0, 0 }, T0, SLA_NONE },
	{ { T0, T0 + 600, 0 }, T0, SLA_OK },
	{ { T0, T0 + 600, 0 }, T0 + 449, SLA_OK },        /* 151 s left, window 150 */
	{ { T0, T0 + 600, 0 }, T0 + 450, SLA_DUE_SOON },  /* exactly the window */
	{ { T0, T0 + 600, 0 }, T0 + 600, SLA_DUE_SOON },  /* at the deadline */
	{ { T0, T0 + 600, 0 }, T0 + 601, SLA_OVERDUE },
	{ { T0, T0 + 600, T0 + 600 }, T0 + 9999, SLA_MET },
	{ { T0, T0 + 600, T0 + 601 }, T0 + 9999, SLA_MET_LATE },
	{ { T0, T0 + 600, T0 + 5 }, T0 + 1, SLA_MET },
	{ { T0, 0, T0 + 5 }, T0 + 1, SLA_MET },
	{ { 0, T0 + 600, 0 }, T0 + 299, SLA_OK },          /* unknown start: 5 min */
	{ { 0, T0 + 600, 0 }, T0 + 300, SLA_DUE_SOON },
	{ { T0, T0 + 43200, 0 }, T0 + 43200 - 1801, SLA_OK },
	{ { T0, T0 + 43200, 0 }, T0 + 43200 - 1800, SLA_DUE_SOON },
	{ { T0, T0 + 43200, 0 }, T0 + 86400, SLA_OVERDUE },
};

static void test_classify_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < XA_ARRAY_LEN(cls_cases); i++) {
		enum sla_urgency u = sla_classify(&cls_cases[i].c, cls_cases[i].now);
		if (u != cls_cases[i].want)
			print_error("case %zu: got %s\n", i, sla_urgency_name(u));
		assert_int_equal(u, cls_cases[i].want);
	}
}

static void test_next_and_case_urgency(void **state)
{
	(void)state;
	struct sla_clock c[SLA_NSTAGES] = {
		[SLA_SIGN] = { T0, T0 + 300, 0 },
		[SLA_FEEDBACK] = { T0, T0 + 600, 0 },
		[SLA_CLOSE] = { T0, T0 + 43200, 0 },
	};
	assert_int_equal(sla_next(c, T0), SLA_SIGN);
	assert_int_equal(sla_case_urgency(c, T0), SLA_OK);
	assert_int_equal(sla_case_urgency(c, T0 + 250), SLA_DUE_SOON);
	assert_int_equal(sla_case_urgency(c, T0 + 301), SLA_OVERDUE);
	assert_int_equal(sla_next(c, T0 + 301), SLA_SIGN); /* overdue stays next */
	c[SLA_SIGN].done = T0 + 100;
	assert_int_equal(sla_next(c, T0 + 301), SLA_FEEDBACK);
	assert_int_equal(sla_case_urgency(c, T0 + 301), SLA_OK);
	c[SLA_FEEDBACK].due = 0;                            /* type without feedback */
	assert_int_equal(sla_next(c, T0 + 301), SLA_CLOSE);
	c[SLA_CLOSE].done = T0 + 50000;
	assert_int_equal(sla_next(c, T0 + 60000), -1);
	assert_int_equal(sla_case_urgency(c, T0 + 60000), SLA_MET_LATE);
	c[SLA_CLOSE].done = T0 + 500;
	assert_int_equal(sla_case_urgency(c, T0 + 60000), SLA_MET);
	struct sla_clock none[SLA_NSTAGES] = { { 0, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 } };
	assert_int_equal(sla_next(none, T0), -1);
	assert_int_equal(sla_case_urgency(none, T0), SLA_NONE);
	/* a later stage whose deadline comes first is next */
	struct sla_clock odd[SLA_NSTAGES] = { { T0, T0 + 900, 0 }, { T0, T0 + 600, 0 }, { 0, 0, 0 } };
	assert_int_equal(sla_next(odd, T0), SLA_FEEDBACK);
}

static int cmp_cases(const void *a, const void *b)
{
	const struct sla_clock *ca = a, *cb = b;
	return sla_compare_clocks(ca, cb, T0);
}

static void test_compare(void **state)
{
	(void)state;
	assert_true(sla_compare_urgency(SLA_OVERDUE, T0 + 5, SLA_DUE_SOON, T0 + 1) < 0);
	assert_true(sla_compare_urgency(SLA_DUE_SOON, T0 + 5, SLA_OK, T0 + 1) < 0);
	assert_true(sla_compare_urgency(SLA_OK, T0 + 5, SLA_NONE, 0) < 0);
	assert_true(sla_compare_urgency(SLA_OK, T0 + 5, SLA_MET, 0) < 0);
	assert_true(sla_compare_urgency(SLA_OK, T0 + 5, SLA_OK, T0 + 6) < 0);
	assert_true(sla_compare_urgency(SLA_OK, T0 + 6, SLA_OK, T0 + 5) > 0);
	assert_true(sla_compare_urgency(SLA_OK, 0, SLA_OK, T0) > 0);
	assert_int_equal(sla_compare_urgency(SLA_NONE, 0, SLA_MET, 0), 0);
	assert_true(sla_compare_urgency(SLA_OVERDUE, T0 - 100, SLA_OVERDUE, T0 - 10) < 0);

	/* qsort whole cases: rows are [sign, feedback, close] */
	struct sla_clock rows[4][SLA_NSTAGES] = {
		{ { 0, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 } },                    /* none */
		{ { T0 - 100, T0 + 9000, 0 }, { 0, 0, 0 }, { 0, 0, 0 } },     /* ok */
		{ { T0 - 900, T0 - 10, 0 }, { 0, 0, 0 }, { 0, 0, 0 } },       /* overdue */
		{ { T0 - 500, T0 + 30, 0 }, { 0, 0, 0 }, { 0, 0, 0 } },       /* due soon */
	};
	qsort(rows, 4, sizeof rows[0], cmp_cases);
	assert_int_equal(sla_case_urgency(rows[0], T0), SLA_OVERDUE);
	assert_int_equal(sla_case_urgency(rows[1], T0), SLA_DUE_SOON);
	assert_int_equal(sla_case_urgency(rows[2], T0), SLA_OK);
	assert_int_equal(sla_case_urgency(rows[3], T0), SLA_NONE);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(sla_stage_name(SLA_SIGN), "sign");
	assert_string_equal(sla_stage_name(SLA_FEEDBACK), "feedback");
	assert_string_equal(sla_stage_name(SLA_CLOSE), "close");
	assert_int_equal(sla_stage_parse("feedback"), SLA_FEEDBACK);
	assert_int_equal(sla_stage_parse("Sign"), -1);
	assert_string_equal(sla_urgency_name(SLA_DUE_SOON), "due_soon");
	assert_string_equal(sla_urgency_name(SLA_MET_LATE), "met_late");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_table),
		cmocka_unit_test(test_format_small_buffer),
		cmocka_unit_test(test_format_width_sweep),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_classify_table),
		cmocka_unit_test(test_next_and_case_urgency),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
