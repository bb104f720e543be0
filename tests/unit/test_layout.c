#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>

#include <cmocka.h>

#include "xiaoan/layout.h"
#include "xiaoan/text.h"
#include "xiaoan/util.h"

static struct layout_col cols_template[] = {
	{ "id", 6, 6, 0, LAYOUT_RIGHT, 0, 0 },
	{ "school", 10, 30, 3, 0, 0, 0 },
	{ "town", 6, 10, 1, 0, 0, 0 },
	{ "due", 7, 7, 0, LAYOUT_RIGHT, 0, 0 },
	{ "summary", 10, 0, 2, LAYOUT_OPTIONAL, 0, 0 },
};

static void test_fit_wide(void **state)
{
	struct layout_col c[5];
	int used;

	(void)state;
	memcpy(c, cols_template, sizeof c);
	used = layout_fit(c, 5, 120);
	assert_int_equal(used, 120);
	assert_int_equal(c[0].x, 0);
	assert_int_equal(c[0].w, 6);
	assert_int_equal(c[1].x, 7);
	assert_int_equal(c[1].w, 30); /* capped at max */
	assert_int_equal(c[2].w, 10);
	assert_int_equal(c[3].w, 7);
	assert_true(c[4].w > 10);      /* the rest goes to the summary */
	for (int i = 1; i < 5; i++)
		assert_int_equal(c[i].x, c[i - 1].x + c[i - 1].w + 1);
}

static void test_fit_narrow_drops_optional(void **state)
{
	struct layout_col c[5];
	int used;

	(void)state;
	memcpy(c, cols_template, sizeof c);
	used = layout_fit(c, 5, 40);
	assert_int_equal(c[4].w, 0);
	assert_true(used <= 40);
	assert_int_equal(c[0].w + c[1].w + c[2].w + c[3].w + 3, used);
}

static void test_cell_cjk_never_split(void **state)
{
	char out[128];

	(void)state;
	/* 奉化区锦屏雪窦中学 is 18 columns; 9 columns cannot hold 4.5 characters. */
	layout_cell("奉化区锦屏雪窦中学", 9, 0, out, sizeof out);
	assert_int_equal(text_width(out), 9);
	assert_string_equal(out, "奉化区锦…");
	layout_cell("岳林", 8, 0, out, sizeof out);
	assert_string_equal(out, "岳林    ");
	layout_cell("42", 6, LAYOUT_RIGHT, out, sizeof out);
	assert_string_equal(out, "    42");
	/* Controls never reach the terminal. */
	layout_cell("a\x1b[2Jb", 6, 0, out, sizeof out);
	assert_null(strchr(out, '\x1b'));
	assert_int_equal(text_width(out), 6);
	layout_cell("x", 0, 0, out, sizeof out);
	assert_string_equal(out, "");
}

static void test_mixed_columns_align(void **state)
{
	static const char *const names[] = { "奉化区锦屏雪窦中学", "Fenghua No.1 Middle School", "岳林a小学", "" };
	char out[128];

	(void)state;
	for (size_t i = 0; i < XA_ARRAY_LEN(names); i++) {
		layout_cell(names[i], 15, 0, out, sizeof out);
		assert_int_equal(text_width(out), 15);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit_wide),
		cmocka_unit_test(test_fit_narrow_drops_optional),
		cmocka_unit_test(test_cell_cjk_never_split),
		cmocka_unit_test(test_mixed_columns_align),
	};
	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
