#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xiaoan/log.h"
#include "xiaoan/text.h"
#include "xiaoan/util.h"

#define R TEXT_REPLACEMENT

struct san_case {
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *want;
};

static const struct san_case san_cases[] = {
	{ "plain ascii", 0, "plain ascii" },
	{ "", 0, "" },
	{ "中文校安", 0, "中文校安" },
	{ "\x1b[2Jcleared", 0, R "[2Jcleared" },
	{ "a\tb\nc\rd", 0, "a b c d" },
	{ "bell\a", 0, "bell" R },
	{ "del\x7f", 0, "del" R },
	{ "nul\0x", 5, "nul" R "x" },
	{ "c1 \xc2\x9b" "31m", 0, "c1 " R "31m" },         /* U+009B CSI */
	{ "\xc2\x85", 0, R },                               /* U+0085 NEL */
	{ "\xc0\xaf", 0, R R },                             /* overlong '/' */
	{ "\xe0\x80\xaf", 0, R R R },                       /* overlong 3-byte */
	{ "\xf0\x80\x80\xaf", 0, R R R R },                 /* overlong 4-byte */
	{ "\xed\xa0\x80", 0, R R R },                       /* surrogate D800 */
	{ "\xed\xbf\xbf", 0, R R R },                       /* surrogate DFFF */
	{ "\xf4\x90\x80\x80", 0, R R R R },                 /* > U+10FFFF */
	{ "\xf5\x80\x80\x80", 0, R R R R },
	{ "\xe4\xb8", 0, R },                               /* truncated 中 */
	{ "\xe4\xb8" "A", 0, R "A" },
	{ "\xf0\x9f\x98", 0, R },                           /* truncated emoji */
	{ "\x80\xbf", 0, R R },                             /* stray continuation */
	{ "\xff\xfe", 0, R R },
	{ "\xf0\x9f\x98\x80", 0, "\xf0\x9f\x98\x80" },      /* U+1F600 valid */
	{ "\xf4\x8f\xbf\xbf", 0, "\xf4\x8f\xbf\xbf" },      /* U+10FFFF valid */
	{ "\xef\xbf\xbd", 0, R },                           /* U+FFFD stays */
	{ "a\xe2\x80\x8e" "b", 0, "a" R "b" },              /* LRM */
	{ "a\xe2\x80\x8f" "b", 0, "a" R "b" },              /* RLM */
	{ "\xe2\x80\xae" "evil", 0, R "evil" },                /* RLO */
	{ "\xe2\x80\xaa\xe2\x80\xac", 0, R R },             /* LRE, PDF */
	{ "\xe2\x81\xa6x\xe2\x81\xa9", 0, R "x" R },        /* LRI..PDI */
	{ "\xd8\x9c", 0, R },                               /* ALM U+061C */
	{ "l1\xe2\x80\xa8l2\xe2\x80\xa9", 0, "l1" R "l2" R },
	{ "\xef\xbb\xbf" "bom", 0, R "bom" },
	{ "e\xcc\x81", 0, "e\xcc\x81" },                    /* combining acute */
};

static void test_sanitize_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < XA_ARRAY_LEN(san_cases); i++) {
		const struct san_case *c = &san_cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		char out[128];
		size_t n = text_sanitize(c->in, len, out, sizeof out);
		if (strcmp(out, c->want) != 0)
			print_error("case %zu\n", i);
		assert_string_equal(out, c->want);
		assert_int_equal(n, strlen(c->want));
		assert_true(text_is_clean(out, n));
	}
}

static void test_sanitize_output_always_clean(void **state)
{
	(void)state;
	/* Every single and double byte value: the output must always be clean. */
	char in[2], out[16];
	for (int a = 0; a < 256; a++) {
		for (int b = 0; b < 256; b++) {
			in[0] = (char)a;
			in[1] = (char)b;
			size_t n = text_sanitize(in, 2, out, sizeof out);
			assert_true(text_is_clean(out, n));
			assert_int_equal(strlen(out), n);
		}
	}
}

static void test_sanitize_truncates_at_boundary(void **state)
{
	(void)state;
	char out[8];
	/* "中文中" is 9 bytes: only two characters (6 bytes) + NUL fit. */
	size_t n = text_sanitize("中文中", strlen("中文中"), out, sizeof out);
	assert_int_equal(n, 6);
	assert_string_equal(out, "中文");
	/* A replacement does not fit in 3 bytes either. */
	char small[3];
	n = text_sanitize("a\x1b", 2, small, sizeof small);
	assert_int_equal(n, 1);
	assert_string_equal(small, "a");
	assert_int_equal(text_sanitize("abc", 3, small, 0), 0);
	char one[1];
	assert_int_equal(text_sanitize("abc", 3, one, 1), 0);
	assert_string_equal(one, "");
}

static void test_sanitize_dup(void **state)
{
	(void)state;
	char *s = text_sanitize_dup("\x1b\x1b\x1b");
	assert_string_equal(s, R R R);
	free(s);
}

static void test_is_clean(void **state)
{
	(void)state;
	assert_true(text_is_clean("校园封闭式管理 gate", strlen("校园封闭式管理 gate")));
	assert_true(text_is_clean("", 0));
	assert_false(text_is_clean("a\nb", 3));
	assert_false(text_is_clean("a\tb", 3));
	assert_false(text_is_clean("\x1b[31m", 5));
	assert_false(text_is_clean("\xc0\xaf", 2));
	assert_false(text_is_clean("\xed\xa0\x80", 3));
	assert_false(text_is_clean("\xe2\x80\xae", 3));
	assert_false(text_is_clean("\xef\xbb\xbf", 3));
	assert_false(text_is_clean("ab\0", 3));
	assert_false(text_is_clean("\xe4\xb8", 2));
}

static void test_width(void **state)
{
	(void)state;
	assert_int_equal(text_width(""), 0);
	assert_int_equal(text_width("abc"), 3);
	assert_int_equal(text_width("中文"), 4);
	assert_int_equal(text_width("王伟 fh.jp"), 10);
	assert_int_equal(text_width("e\xcc\x81"), 1);            /* combining */
	assert_int_equal(text_width("\xef\xbc\xa1"), 2);         /* fullwidth A */
	assert_int_equal(text_width("\x1b"), 1);                 /* shown as U+FFFD */
	assert_int_equal(text_width("\xe4\xb8"), 1);             /* one U+FFFD */
	assert_int_equal(text_width(TEXT_ELLIPSIS_STR), 1);
	assert_int_equal(text_width_n("中文", 3), 2);
	assert_int_equal(text_char_width(0x4E2D), 2);
	assert_int_equal(text_char_width(TEXT_INVALID), 1);
}

struct fit_case {
	const char *in;
	int cols, flags;
	const char *want;
	int want_cols;
};

static const struct fit_case fit_cases[] = {
	{ "abc", 5, 0, "abc", 3 },
	{ "abc", 5, TEXT_PAD, "abc  ", 5 },
	{ "abc", 5, TEXT_RIGHT, "  abc", 5 },
	{ "abcdef", 4, 0, "abcd", 4 },
	{ "abcdef", 4, TEXT_ELLIPSIS, "abc…", 4 },
	{ "abcd", 4, TEXT_ELLIPSIS, "abcd", 4 },
	{ "中文", 4, 0, "中文", 4 },
	{ "中文", 3, 0, "中 ", 3 },                  /* never half a 文 */
	{ "中文", 3, TEXT_ELLIPSIS, "中…", 3 },
	{ "中文中", 4, TEXT_ELLIPSIS, "中… ", 4 },  /* 文 would need col 3-4 */
	{ "中文中", 4, TEXT_ELLIPSIS | TEXT_RIGHT, " 中…", 4 },
	{ "a中", 2, 0, "a ", 2 },
	{ "中", 1, 0, " ", 1 },
	{ "中", 1, TEXT_ELLIPSIS, "…", 1 },
	{ "abc", 0, TEXT_PAD, "", 0 },
	{ "abc", -3, TEXT_PAD, "", 0 },
	{ "", 3, TEXT_PAD, "   ", 3 },
	{ "e\xcc\x81x", 2, 0, "e\xcc\x81x", 2 },
	{ "ab\xcc\x81" "cd", 2, 0, "ab\xcc\x81", 2 },   /* mark rides along */
	{ "\x1b[2J", 3, 0, R "[2", 3 },
	{ "a\xe2\x80\xae" "b", 5, TEXT_PAD, "a" R "b  ", 5 },
	{ "x\ty", 3, 0, "x y", 3 },
};

static void test_fit_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < XA_ARRAY_LEN(fit_cases); i++) {
		const struct fit_case *c = &fit_cases[i];
		char out[64];
		size_t n = text_fit(c->in, c->cols, c->flags, out, sizeof out);
		if (strcmp(out, c->want) != 0)
			print_error("case %zu: got \"%s\"\n", i, out);
		assert_string_equal(out, c->want);
		assert_int_equal(n, strlen(c->want));
		assert_int_equal(text_width(out), c->want_cols);
		assert_int_equal(text_fit_width(c->in, c->cols, c->flags, out, sizeof out),
				 c->want_cols);
	}
}

static void test_fit_never_exceeds_cols(void **state)
{
	(void)state;
	const char *s = "校a园b安c全ddd\xcc\x81中";
	for (int cols = 0; cols < 20; cols++) {
		for (int flags = 0; flags < 8; flags++) {
			char out[128];
			text_fit(s, cols, flags, out, sizeof out);
			int w = text_width(out);
			assert_true(w <= cols);
			if (flags & (TEXT_PAD | TEXT_RIGHT))
				assert_int_equal(w, cols);
			assert_true(text_is_clean(out, strlen(out)));
		}
	}
}

static void test_fit_small_buffer(void **state)
{
	(void)state;
	char out[5];
	size_t n = text_fit("中文中文", 8, 0, out, sizeof out);
	assert_int_equal(n, 3);
	assert_string_equal(out, "中");
}

static void test_codepoints_and_copy(void **state)
{
	(void)state;
	assert_int_equal(text_codepoints("中a文", strlen("中a文")), 3);
	assert_int_equal(text_codepoints("", 0), 0);
	char dst[5];
	assert_int_equal(text_copy(dst, sizeof dst, "中文"), 6);
	assert_string_equal(dst, "中");
	assert_int_equal(text_copy(dst, sizeof dst, "abcd"), 4);
	assert_string_equal(dst, "abcd");
	assert_int_equal(text_copy(dst, sizeof dst, "abcde"), 5);
	assert_string_equal(dst, "abcd");
}

static void test_decode(void **state)
{
	(void)state;
	uint32_t cp;
	assert_int_equal(text_decode("\xe4\xb8\xad", 3, &cp), 3);
	assert_int_equal(cp, 0x4E2D);
	assert_int_equal(text_decode("\xe4\xb8\xad", 2, &cp), 2);
	assert_int_equal(cp, TEXT_INVALID);
	assert_int_equal(text_decode("\xc3\xa9", 2, &cp), 2);
	assert_int_equal(cp, 0xE9);
	assert_int_equal(text_decode("\xc1\xbf", 2, &cp), 1);
	assert_int_equal(cp, TEXT_INVALID);
	assert_int_equal(text_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1F600);
}

static void test_sbuf(void **state)
{
	(void)state;
	struct sbuf b;
	sbuf_init(&b);
	sbuf_adds(&b, "seq=");
	sbuf_addf(&b, "%d", 42);
	sbuf_add(&b, "xyz", 1);
	sbuf_addc(&b, '!');
	assert_string_equal(b.s, "seq=42x!");
	assert_int_equal(b.len, 8);
	for (int i = 0; i < 1000; i++)
		sbuf_adds(&b, "0123456789");
	assert_int_equal(b.len, 10008);
	assert_int_equal(strlen(b.s), b.len);
	sbuf_reset(&b);
	assert_string_equal(b.s, "");
	char *s = sbuf_detach(&b);
	assert_string_equal(s, "");
	assert_null(b.s);
	free(s);
	char *f = xasprintf("%s-%03d", "ab", 7);
	assert_string_equal(f, "ab-007");
	free(f);
	sbuf_free(&b);
}

/* The log line goes through the same sanitiser: always exactly one line. */
static void test_log_line(void **state)
{
	(void)state;
	char *l = log_format_line(1795507925123LL, LOG_LEVEL_WARN, "xiaoan-hub", "bad\nline \x1b[2J 中");
	assert_string_equal(l, "2026-11-24T08:12:05.123Z WARN xiaoan-hub: bad line " R "[2J 中\n");
	free(l);
	l = log_format_line(1795507925007LL, LOG_LEVEL_ERROR, NULL, "x\r");
	assert_string_equal(l, "2026-11-24T08:12:05.007Z ERROR x \n");
	free(l);
	l = log_format_line(-1, LOG_LEVEL_DEBUG, "", "");
	assert_string_equal(l, "1969-12-31T23:59:59.999Z DEBUG \n");
	free(l);
	enum log_level lv;
	assert_true(log_parse_level("Warning", &lv));
	assert_int_equal(lv, LOG_LEVEL_WARN);
	assert_false(log_parse_level("loud", &lv));
	log_set_level(LOG_LEVEL_ERROR);
	assert_false(log_enabled(LOG_LEVEL_WARN));
	assert_true(log_enabled(LOG_LEVEL_ERROR));
	log_set_level(LOG_LEVEL_INFO);
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8")) {
		fprintf(stderr, "test_text: the C.UTF-8 locale is required\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize_table),
		cmocka_unit_test(test_sanitize_output_always_clean),
		cmocka_unit_test(test_sanitize_truncates_at_boundary),
		cmocka_unit_test(test_sanitize_dup),
		cmocka_unit_test(test_is_clean),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_fit_table),
		cmocka_unit_test(test_fit_never_exceeds_cols),
		cmocka_unit_test(test_fit_small_buffer),
		cmocka_unit_test(test_codepoints_and_copy),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_sbuf),
		cmocka_unit_test(test_log_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
