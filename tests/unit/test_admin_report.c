/* The report's output: durations, CSV quoting and formula defusing, tables
 * in Markdown and plain text. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xiaoan/admin_report_out.h"
#include "xiaoan/admin_table.h"
#include "xiaoan/util.h"

static void test_duration(void **state)
{
	static const struct {
		long long secs;
		const char *want;
	} cases[] = {
		{0, "0秒"},	       {45, "45秒"},	     {60, "1分"},	    {192, "3分12秒"},
		{3600, "1小时"},       {3660, "1小时1分"},    {3661, "1小时1分"},   {86400, "1天"},
		{183600, "2天3小时"}, {187200 + 59, "2天4小时"}, {-5, "0秒"},
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < XA_ARRAY_LEN(cases); i++) {
		report_duration(cases[i].secs, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
}

static char *csv_of(const char *v)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	report_csv_field(f, v);
	assert_int_equal(fclose(f), 0);
	return out;
}

static void test_csv_field(void **state)
{
	static const char *const cases[][2] = {
		{"plain", "plain"},
		{"", ""},
		{"奉化区锦屏雪窦中学", "奉化区锦屏雪窦中学"},
		{"a,b", "\"a,b\""},
		{"say \"hi\"", "\"say \"\"hi\"\"\""},
		{" padded", "\" padded\""},
		{"line\nbreak", "line break"},
		{"=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""},
		{"+cmd", "\"'+cmd\""},
		{"@SUM(A1)", "\"'@SUM(A1)\""},
		{"-12.5", "-12.5"},
		{"-", "\"'-\""},
		{"esc\x1b[2J", "esc\xEF\xBF\xBD[2J"},
	};

	(void)state;
	for (size_t i = 0; i < XA_ARRAY_LEN(cases); i++) {
		char *got = csv_of(cases[i][0]);

		assert_string_equal(got, cases[i][1]);
		free(got);
	}
}

static char *emit(bool md)
{
	static const char *const heads[] = {"学校", "案件数"};
	static const char *const row1[] = {"雪窦|中学", "6"};
	static const char *const row2[] = {"S2", "12"};
	static const enum report_fmt fmts[] = {REPORT_TEXT, REPORT_INT};
	struct report_out o = {.md = md};
	struct admin_table t;
	char *out = NULL;
	size_t len = 0;

	o.f = open_memstream(&out, &len);
	assert_non_null(o.f);
	admin_table_init(&t, 2, heads);
	admin_table_add(&t, row1);
	admin_table_add(&t, row2);
	report_heading(&o, "总体情况");
	report_emit(&o, &t, fmts);
	admin_table_free(&t);
	assert_int_equal(fclose(o.f), 0);
	return out;
}

static void test_tables(void **state)
{
	char *md = emit(true), *txt = emit(false);

	(void)state;
	assert_string_equal(md, "## 一、总体情况\n\n"
				"| 学校 | 案件数 |\n"
				"| --- | ---: |\n"
				"| 雪窦\\|中学 | 6 |\n"
				"| S2 | 12 |\n\n");
	assert_string_equal(txt, "一、总体情况\n\n"
				 "学校       案件数\n"
				 "雪窦|中学  6\n"
				 "S2         12\n\n");
	free(md);
	free(txt);
}

static void test_headings_count(void **state)
{
	struct report_out o = {.md = false};
	char *out = NULL;
	size_t len = 0;

	(void)state;
	o.f = open_memstream(&out, &len);
	assert_non_null(o.f);
	for (int i = 0; i < 12; i++)
		report_heading(&o, "x");
	report_para(&o, "line\nwith %s", "a\x1b" "b");
	assert_int_equal(fclose(o.f), 0);
	assert_non_null(strstr(out, "十、x\n\n十一、x\n\n十二、x\n\n"));
	assert_non_null(strstr(out, "line with a\xEF\xBF\xBD" "b\n\n"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_csv_field),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_headings_count),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
