#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>

#include <cmocka.h>
#include <curses.h>

#include "xiaoan/keymap.h"
#include "xiaoan/lineedit.h"

#define FK(k) (KEYMAP_FKEY | (k))

static void type(struct lineedit *le, const char *s)
{
	/* Decode UTF-8 as get_wch() would hand it over: one code point a key. */
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t cp;
		int n = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
		cp = n == 1 ? *p : n == 2 ? *p & 0x1F : n == 3 ? *p & 0x0F : *p & 0x07;
		for (int i = 1; i < n; i++)
			cp = (cp << 6) | (p[i] & 0x3F);
		p += n;
		assert_int_equal(lineedit_key(le, (int)cp), LE_CHANGED);
	}
}

static void test_insert_and_move_by_character(void **state)
{
	struct lineedit le;

	(void)state;
	lineedit_init(&le, NULL, 0);
	type(&le, "已到场a处置");
	assert_string_equal(le.buf, "已到场a处置");
	lineedit_key(&le, FK(KEY_LEFT));
	lineedit_key(&le, FK(KEY_LEFT));
	lineedit_key(&le, FK(KEY_BACKSPACE)); /* removes "a", one byte */
	assert_string_equal(le.buf, "已到场处置");
	lineedit_key(&le, FK(KEY_BACKSPACE)); /* removes "场", three bytes */
	assert_string_equal(le.buf, "已到处置");
	type(&le, "现场");
	assert_string_equal(le.buf, "已到现场处置");
	lineedit_key(&le, FK(KEY_DC));
	assert_string_equal(le.buf, "已到现场置");
	lineedit_key(&le, FK(KEY_HOME));
	assert_int_equal(le.cur, 0);
	assert_int_equal(lineedit_key(&le, FK(KEY_BACKSPACE)), LE_REFUSED);
	lineedit_key(&le, FK(KEY_END));
	assert_int_equal(le.cur, le.len);
}

static void test_refuses_controls_and_limits(void **state)
{
	struct lineedit le;

	(void)state;
	lineedit_init(&le, NULL, 3);
	assert_int_equal(lineedit_insert(&le, 0x1B), LE_REFUSED);   /* ESC */
	assert_int_equal(lineedit_insert(&le, 0x202E), LE_REFUSED); /* bidi override */
	assert_int_equal(lineedit_insert(&le, 0xD800), LE_REFUSED); /* surrogate */
	type(&le, "一二三");
	assert_int_equal(lineedit_insert(&le, 'x'), LE_REFUSED);     /* 3 code points max */
	assert_string_equal(le.buf, "一二三");
	/* Pre-filled text goes through the same checks. */
	lineedit_init(&le, "a\x1b[31mb", 0);
	assert_string_equal(le.buf, "a[31mb");
}

static void test_enter_cancel_and_kills(void **state)
{
	struct lineedit le;

	(void)state;
	lineedit_init(&le, "town:fh.jp 溺水", 0);
	assert_int_equal(lineedit_key(&le, '\n'), LE_ENTER);
	assert_int_equal(lineedit_key(&le, 27), LE_CANCEL);
	assert_int_equal(lineedit_key(&le, 23), LE_CHANGED); /* C-w */
	assert_string_equal(le.buf, "town:fh.jp ");
	lineedit_key(&le, FK(KEY_HOME));
	lineedit_key(&le, 11); /* C-k */
	assert_string_equal(le.buf, "");
	assert_int_equal(lineedit_key(&le, FK(KEY_F(5))), LE_IGNORED);
}

static void test_view_scrolls_by_width(void **state)
{
	struct lineedit le;
	int col;

	(void)state;
	lineedit_init(&le, "一二三四五六七八九十", 0); /* 20 columns */
	col = lineedit_view(&le, 10);
	/* The cursor at the end stays visible, and the view starts on a
	 * character boundary. */
	assert_true(col <= 9);
	assert_int_equal(le.scroll % 3, 0);
	lineedit_key(&le, FK(KEY_HOME));
	col = lineedit_view(&le, 10);
	assert_int_equal(col, 0);
	assert_int_equal(le.scroll, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_and_move_by_character),
		cmocka_unit_test(test_refuses_controls_and_limits),
		cmocka_unit_test(test_enter_cancel_and_kills),
		cmocka_unit_test(test_view_scrolls_by_width),
	};
	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
