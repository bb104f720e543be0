#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "xiaoan/conf.h"
#include "xiaoan/util.h"

/* Collects "key=value;" and fails on the key "reject" (with a message) and
 * "silent" (without). */
static int collect(void *ctx, const char *key, const char *value, char *err, size_t errlen)
{
	struct sbuf *b = ctx;
	if (strcmp(key, "reject") == 0) {
		snprintf(err, errlen, "reject must not be \"%s\"", value);
		return -1;
	}
	if (strcmp(key, "silent") == 0)
		return 1;
	sbuf_addf(b, "%s=%s;", key, value);
	return 0;
}

static void test_good_buffer(void **state)
{
	(void)state;
	const char *text = "# xiaoan-hub configuration\n"
			   "\n"
			   "   \t\n"
			   "listen = 127.0.0.1:8700\r\n"
			   "\tname\t=\thub-1  \n"
			   "password = se#cret\n"
			   "motd = \"  校安 \\\"duty\\\" \\\\ room\\n\"   # trailing comment\n"
			   "empty =\n"
			   "quoted_empty = \"\"\n"
			   "  # indented comment\n"
			   "a.b-c_d=x=y\n"
			   "last = no newline at end";
	struct sbuf b;
	char err[256] = "";
	sbuf_init(&b);
	assert_int_equal(conf_parse_buffer("hub.conf", text, strlen(text), collect, &b, err, sizeof err), 0);
	assert_string_equal(b.s, "listen=127.0.0.1:8700;name=hub-1;password=se#cret;"
				 "motd=  校安 \"duty\" \\ room\n;empty=;quoted_empty=;a.b-c_d=x=y;"
				 "last=no newline at end;");
	sbuf_free(&b);
	sbuf_init(&b);
	assert_int_equal(conf_parse_buffer("empty.conf", "", 0, collect, &b, err, sizeof err), 0);
	assert_null(b.s);
}

struct bad_case {
	const char *text;
	size_t len; /* 0: strlen */
	const char *want;
};

static const struct bad_case bad[] = {
	{ "a = 1\njust words\n", 0, "t.conf:2: expected \"key = value\"" },
	{ "a = 1\n\n= 5\n", 0, "t.conf:3: expected a key" },
	{ "key with space = 1\n", 0, "t.conf:1: expected \"key = value\"" },
	{ "k\xc3\xa9y = 1\n", 0, "t.conf:1: expected \"key = value\"" },
	{ "x = \"open\n", 0, "t.conf:1: missing closing quote" },
	{ "x = \"a\" b\n", 0, "t.conf:1: unexpected text after the closing quote" },
	{ "x = \"a\\q\"\n", 0, "t.conf:1: unknown escape" },
	{ "#ok\nx = \xff\n", 0, "t.conf:2: invalid UTF-8 (byte 5)" },
	{ "x = \x1b[31m\n", 0, "t.conf:1: control character (byte 5)" },
	{ "x = a\rb\n", 0, "t.conf:1: control character (byte 6)" },
	{ "x = \xe2\x80\xae" "abc\n", 0, "t.conf:1: control character (byte 5)" },
	{ "a = 1\nx = a\0b\n", 12, "t.conf:2: NUL byte in line" },
	{ "a = 1\nb = 2\nreject = 3\nc = 4\n", 0, "t.conf:3: reject must not be \"3\"" },
	{ "silent = 1\n", 0, "t.conf:1: invalid value for silent" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa = 1\n", 0,
	  "t.conf:1: key longer than 64 characters" },
};

static void test_bad_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < XA_ARRAY_LEN(bad); i++) {
		struct sbuf b;
		char err[256] = "";
		size_t len = bad[i].len ? bad[i].len : strlen(bad[i].text);
		sbuf_init(&b);
		int r = conf_parse_buffer("t.conf", bad[i].text, len, collect, &b, err, sizeof err);
		if (r != -1 || strncmp(err, bad[i].want, strlen(bad[i].want)) != 0)
			print_error("case %zu: r=%d err=\"%s\"\n", i, r, err);
		assert_int_equal(r, -1);
		assert_memory_equal(err, bad[i].want, strlen(bad[i].want));
		sbuf_free(&b);
	}
}

static void test_load_file(void **state)
{
	(void)state;
	char path[] = "/tmp/xiaoan-test-conf-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "a = 1\n# c\nb = \"two\"\nreject = x\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);

	struct sbuf b;
	char err[256] = "";
	sbuf_init(&b);
	assert_int_equal(conf_load(path, collect, &b, err, sizeof err), -1);
	char *want = xasprintf("%s:4: reject must not be \"x\"", path);
	assert_string_equal(err, want);
	free(want);
	assert_string_equal(b.s, "a=1;b=two;");
	sbuf_free(&b);
	unlink(path);

	sbuf_init(&b);
	assert_int_equal(conf_load(path, collect, &b, err, sizeof err), 1);
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(conf_load("/tmp", collect, &b, err, sizeof err), -1);
	assert_non_null(strstr(err, "/tmp: "));
	sbuf_free(&b);
}

static void test_parse_values(void **state)
{
	(void)state;
	bool v = false;
	assert_true(conf_parse_bool("YES", &v));
	assert_true(v);
	assert_true(conf_parse_bool("off", &v));
	assert_false(v);
	assert_true(conf_parse_bool("1", &v));
	assert_true(v);
	assert_false(conf_parse_bool("", &v));
	assert_false(conf_parse_bool("yess", &v));
	assert_false(conf_parse_bool(" true", &v));

	long n = 0;
	assert_true(conf_parse_int("8700", 1, 65535, &n));
	assert_int_equal(n, 8700);
	assert_true(conf_parse_int("-5", -10, 10, &n));
	assert_int_equal(n, -5);
	assert_true(conf_parse_int("+7", 0, 10, &n));
	assert_int_equal(n, 7);
	assert_false(conf_parse_int("65536", 1, 65535, &n));
	assert_false(conf_parse_int("0", 1, 65535, &n));
	assert_false(conf_parse_int("12abc", 0, 100, &n));
	assert_false(conf_parse_int(" 12", 0, 100, &n));
	assert_false(conf_parse_int("", 0, 100, &n));
	assert_false(conf_parse_int("-", -100, 100, &n));
	assert_false(conf_parse_int("99999999999999999999999", 0, 100, &n));
	assert_int_equal(n, 7);

	long s = 0;
	assert_true(conf_parse_duration("90", &s));
	assert_int_equal(s, 90);
	assert_true(conf_parse_duration("90s", &s));
	assert_int_equal(s, 90);
	assert_true(conf_parse_duration("5m", &s));
	assert_int_equal(s, 300);
	assert_true(conf_parse_duration("12h", &s));
	assert_int_equal(s, 43200);
	assert_true(conf_parse_duration("2d", &s));
	assert_int_equal(s, 172800);
	assert_false(conf_parse_duration("-5m", &s));
	assert_false(conf_parse_duration("5 m", &s));
	assert_false(conf_parse_duration("5mm", &s));
	assert_false(conf_parse_duration("m", &s));
	assert_false(conf_parse_duration("401d", &s));
	assert_int_equal(s, 172800);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_buffer),
		cmocka_unit_test(test_bad_table),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_parse_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
