#include <curses.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "xiaoan/embedded.h"
#include "xiaoan/keymap.h"
#include "xiaoan/util.h"

static void test_key_names_round_trip(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		int key;
	} cases[] = {
		{ "a", 'a' },
		{ "Q", 'Q' },
		{ "?", '?' },
		{ "#", '#' },
		{ "<", '<' },
		{ "签", 0x7B7E },
		{ "\xf0\x9f\x98\x80", 0x1F600 },
		{ "<Enter>", '\n' },
		{ "<Esc>", 27 },
		{ "<Tab>", '\t' },
		{ "<Space>", ' ' },
		{ "<BTab>", KEYMAP_FKEY | KEY_BTAB },
		{ "<BS>", KEYMAP_FKEY | KEY_BACKSPACE },
		{ "<Del>", KEYMAP_FKEY | KEY_DC },
		{ "<Ins>", KEYMAP_FKEY | KEY_IC },
		{ "<Up>", KEYMAP_FKEY | KEY_UP },
		{ "<Down>", KEYMAP_FKEY | KEY_DOWN },
		{ "<Left>", KEYMAP_FKEY | KEY_LEFT },
		{ "<Right>", KEYMAP_FKEY | KEY_RIGHT },
		{ "<PgUp>", KEYMAP_FKEY | KEY_PPAGE },
		{ "<PgDown>", KEYMAP_FKEY | KEY_NPAGE },
		{ "<Home>", KEYMAP_FKEY | KEY_HOME },
		{ "<End>", KEYMAP_FKEY | KEY_END },
		{ "<F1>", KEYMAP_FKEY | KEY_F(1) },
		{ "<F12>", KEYMAP_FKEY | KEY_F(12) },
		{ "<C-a>", 1 },
		{ "<C-l>", 12 },
		{ "<C-x>", 24 },
		{ "<C-z>", 26 },
		{ "<U+001C>", 0x1C },
		{ "<KEY-409>", KEYMAP_FKEY | 409 },
	};
	char buf[KEYMAP_KEY_NAME_MAX];
	for (size_t i = 0; i < XA_ARRAY_LEN(cases); i++) {
		assert_int_equal(keymap_key_parse(cases[i].name), cases[i].key);
		size_t n = keymap_key_name(cases[i].key, buf, sizeof buf);
		assert_string_equal(buf, cases[i].name);
		assert_int_equal(n, strlen(cases[i].name));
	}
}

static void test_key_name_aliases(void **state)
{
	(void)state;
	char buf[KEYMAP_KEY_NAME_MAX];
	assert_int_equal(keymap_key_parse("<enter>"), '\n');
	assert_int_equal(keymap_key_parse("<Return>"), '\n');
	assert_int_equal(keymap_key_parse("<C-m>"), '\n');
	assert_int_equal(keymap_key_parse("<c-X>"), 24);
	assert_int_equal(keymap_key_parse("<PgDn>"), KEYMAP_FKEY | KEY_NPAGE);
	assert_int_equal(keymap_key_parse("<S-Tab>"), KEYMAP_FKEY | KEY_BTAB);
	assert_int_equal(keymap_key_parse("<f5>"), KEYMAP_FKEY | KEY_F(5));
	/* The ways a terminal delivers Enter and Backspace print the same. */
	keymap_key_name('\r', buf, sizeof buf);
	assert_string_equal(buf, "<Enter>");
	keymap_key_name(KEYMAP_FKEY | KEY_ENTER, buf, sizeof buf);
	assert_string_equal(buf, "<Enter>");
	keymap_key_name(127, buf, sizeof buf);
	assert_string_equal(buf, "<BS>");
	/* Keys no terminal sends get a short placeholder, never a long number. */
	assert_int_equal(keymap_key_name(-1, buf, sizeof buf), 3);
	assert_string_equal(buf, "<?>");
	assert_int_equal(keymap_key_name(KEYMAP_FKEY | 0x3FFFFFFF, buf, sizeof buf), 3);
	assert_string_equal(buf, "<?>");
	assert_int_equal(keymap_key_name((int)0xC0000000u, buf, sizeof buf), 3);
	assert_int_equal(keymap_key_name(0x110000, buf, sizeof buf), 3);
	/* Truncation never splits a character. */
	char small[3];
	assert_int_equal(keymap_key_name(0x7B7E, small, sizeof small), 3);
	assert_int_equal(keymap_key_name(KEYMAP_FKEY | KEY_NPAGE, small, sizeof small), 8);
	assert_string_equal(small, "<P");
}

static void test_key_parse_bad(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "ab", "签收", " ", "\t", "\x1b", "<>", "<Foo>", "<C-1>", "<C-ab>", "<F0>",
		"<F13>", "<F99>", "<U+D800>", "<U+110000>", "<U+>", "<KEY-1>", "<KEY-x>",
		"\xe4\xb8", "\xc0\xaf", "<Enter", "Enter>", "\xe2\x80\xae",
	};
	for (size_t i = 0; i < XA_ARRAY_LEN(bad); i++) {
		if (keymap_key_parse(bad[i]) != -1)
			print_error("accepted '%s'\n", bad[i]);
		assert_int_equal(keymap_key_parse(bad[i]), -1);
	}
	assert_int_equal(keymap_key_parse(NULL), -1);
}

static void test_lookup_and_fallback(void **state)
{
	(void)state;
	char err[256] = "";
	struct keymap *km = keymap_new();
	const char *text = "# comment\n"
			   "\n"
			   "bind generic q back   # trailing comment\n"
			   "bind generic <Enter> open\n"
			   "bind dispatch s sign\n"
			   "bind dispatch q quit\n"
			   "  bind\tdetail\t签 sign\r\n"
			   "bind generic # help\n";
	assert_int_equal(keymap_load_string(km, "t.keys", text, err, sizeof err), 0);
	assert_int_equal(keymap_lookup(km, KM_GENERIC, 'q'), ACTION_BACK);
	assert_int_equal(keymap_lookup(km, KM_DISPATCH, 'q'), ACTION_QUIT);
	assert_int_equal(keymap_lookup(km, KM_SCHOOLS, 'q'), ACTION_BACK);
	assert_int_equal(keymap_lookup(km, KM_DISPATCH, 's'), ACTION_SIGN);
	assert_int_equal(keymap_lookup(km, KM_SCHOOLS, 's'), ACTION_NONE);
	assert_int_equal(keymap_lookup(km, KM_DETAIL, 0x7B7E), ACTION_SIGN);
	assert_int_equal(keymap_lookup(km, KM_HELP, '#'), ACTION_HELP);
	/* CR and the keypad's Enter reach the <Enter> binding. */
	assert_int_equal(keymap_lookup(km, KM_DISPATCH, '\n'), ACTION_OPEN);
	assert_int_equal(keymap_lookup(km, KM_DISPATCH, '\r'), ACTION_OPEN);
	assert_int_equal(keymap_lookup(km, KM_DISPATCH, KEYMAP_FKEY | KEY_ENTER), ACTION_OPEN);
	assert_int_equal(keymap_lookup(km, KM_DISPATCH, 'z'), ACTION_NONE);
	assert_int_equal(keymap_lookup(km, KM_COUNT, 'q'), ACTION_NONE);
	assert_int_equal(keymap_lookup(NULL, KM_GENERIC, 'q'), ACTION_NONE);

	/* A later file rebinds and unbinds. */
	text = "bind generic q quit\n"
	       "unbind dispatch q\n"
	       "unbind schools <Enter>\n"
	       "unbind generic #\n";
	assert_int_equal(keymap_load_string(km, "u.keys", text, err, sizeof err), 0);
	assert_int_equal(keymap_lookup(km, KM_GENERIC, 'q'), ACTION_QUIT);
	assert_int_equal(keymap_lookup(km, KM_DISPATCH, 'q'), ACTION_NONE);
	assert_int_equal(keymap_lookup(km, KM_SCHOOLS, '\n'), ACTION_NONE);
	assert_int_equal(keymap_lookup(km, KM_DETAIL, '\n'), ACTION_OPEN);
	assert_int_equal(keymap_lookup(km, KM_HELP, '#'), ACTION_NONE);
	keymap_free(km);
}

struct bad_case {
	const char *text;
	const char *err;
};

static void test_bad_files(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ "bind generic q nope\n", "bad.keys:1: unknown action 'nope'" },
		{ "\n# c\nbind nowhere q quit\n",
		  "bad.keys:3: unknown context 'nowhere' (generic, dispatch, schools, detail, "
		  "supervisor, help)" },
		{ "bind generic <Foo> quit\n", "bad.keys:1: bad key name '<Foo>'" },
		{ "bind generic qq quit\n", "bad.keys:1: bad key name 'qq'" },
		{ "bind generic q\n", "bad.keys:1: bind needs a context, a key and an action" },
		{ "bind\n", "bad.keys:1: bind needs a context, a key and an action" },
		{ "unbind generic\n", "bad.keys:1: unbind needs a context and a key" },
		{ "bind generic q quit now\n", "bad.keys:1: unexpected 'now' after the action" },
		{ "unbind generic q quit\n", "bad.keys:1: unexpected 'quit' after the key" },
		{ "color normal red\n", "bad.keys:1: unknown command 'color' (expected bind or unbind)" },
		{ "bind generic q quit\nbind generic \x1b quit\n",
		  "bad.keys:2: invalid UTF-8 or control character" },
		{ "bind generic \xe4\xb8 quit\n", "bad.keys:1: invalid UTF-8 or control character" },
		{ "bind generic <C-1> quit\n", "bad.keys:1: bad key name '<C-1>'" },
		{ "bind generic <F13> quit\n", "bad.keys:1: bad key name '<F13>'" },
		{ "bind Generic q quit\n",
		  "bad.keys:1: unknown context 'Generic' (generic, dispatch, schools, detail, "
		  "supervisor, help)" },
		{ "bind generic q none\n", "bad.keys:1: unknown action 'none'" },
	};
	for (size_t i = 0; i < XA_ARRAY_LEN(cases); i++) {
		char err[256] = "";
		struct keymap *km = keymap_new();
		assert_int_equal(keymap_load_string(km, "ok.keys", "bind generic x sign\n", err,
						    sizeof err), 0);
		assert_int_equal(keymap_load_string(km, "bad.keys", cases[i].text, err, sizeof err),
				 -1);
		assert_string_equal(err, cases[i].err);
		/* All or nothing: the earlier bindings survive, nothing half-applied. */
		assert_int_equal(keymap_lookup(km, KM_GENERIC, 'x'), ACTION_SIGN);
		assert_int_equal(keymap_lookup(km, KM_GENERIC, 'q'), ACTION_NONE);
		keymap_free(km);
	}
}

static void test_long_line(void **state)
{
	(void)state;
	char err[256];
	struct sbuf sb;
	sbuf_init(&sb);
	sbuf_adds(&sb, "bind generic q quit\n# ");
	for (int i = 0; i < 2000; i++)
		sbuf_addc(&sb, 'x');
	sbuf_addc(&sb, '\n');
	struct keymap *km = keymap_new();
	assert_int_equal(keymap_load_string(km, "long.keys", sb.s, err, sizeof err), -1);
	assert_string_equal(err, "long.keys:2: line too long");
	keymap_free(km);
	sbuf_free(&sb);
}

static void test_keys_for_and_help(void **state)
{
	(void)state;
	char err[256], buf[64];
	struct keymap *km = keymap_new();
	const char *text = "bind generic s sign\n"
			   "bind generic <Enter> open\n"
			   "bind generic q back\n"
			   "bind generic <Esc> back\n"
			   "bind dispatch <Enter> sign\n"
			   "bind dispatch x quit\n";
	assert_int_equal(keymap_load_string(km, "t.keys", text, err, sizeof err), 0);
	keymap_keys_for(km, KM_DISPATCH, ACTION_SIGN, buf, sizeof buf);
	assert_string_equal(buf, "<Enter>, s");
	keymap_keys_for(km, KM_GENERIC, ACTION_SIGN, buf, sizeof buf);
	assert_string_equal(buf, "s");
	/* <Enter> is shadowed in dispatch: open is not reachable there. */
	assert_int_equal(keymap_keys_for(km, KM_DISPATCH, ACTION_OPEN, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	keymap_keys_for(km, KM_SCHOOLS, ACTION_BACK, buf, sizeof buf);
	assert_string_equal(buf, "q, <Esc>");
	char small[4];
	assert_int_equal(keymap_keys_for(km, KM_SCHOOLS, ACTION_BACK, small, sizeof small), 8);
	assert_string_equal(small, "q, ");

	struct keymap_help_line lines[ACTION_COUNT];
	size_t n = keymap_help(km, KM_DISPATCH, lines, XA_ARRAY_LEN(lines));
	assert_int_equal(n, 3); /* quit, back, sign in action table order */
	assert_int_equal(lines[0].action, ACTION_QUIT);
	assert_string_equal(lines[0].keys, "x");
	assert_string_equal(lines[0].help, "Quit xiaoan");
	assert_int_equal(lines[1].action, ACTION_BACK);
	assert_string_equal(lines[1].keys, "q, <Esc>");
	assert_int_equal(lines[2].action, ACTION_SIGN);
	assert_string_equal(lines[2].keys, "<Enter>, s");
	/* Too small an array: the count still says how many there are. */
	assert_int_equal(keymap_help(km, KM_GENERIC, lines, 1), 3);
	assert_int_equal(lines[0].action, ACTION_OPEN);
	keymap_free(km);
}

static void test_shipped_keymaps(void **state)
{
	(void)state;
	char err[256] = "";
	static const char *const flavours[] = { NULL, "default", "vi", "emacs" };
	for (size_t i = 0; i < XA_ARRAY_LEN(flavours); i++) {
		struct keymap *km = keymap_load_default(flavours[i], err, sizeof err);
		if (!km)
			print_error("%s\n", err);
		assert_non_null(km);
		/* Every action has a key in the default keymaps. */
		for (unsigned a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
			char buf[64];
			if (keymap_keys_for(km, KM_DISPATCH, (enum action)a, buf, sizeof buf) == 0)
				print_error("%s unbound\n", action_name((enum action)a));
			assert_true(buf[0] != '\0');
		}
		assert_int_equal(keymap_lookup(km, KM_DISPATCH, 's'), ACTION_SIGN);
		assert_int_equal(keymap_lookup(km, KM_DISPATCH, 'Q'), ACTION_QUIT);
		assert_int_equal(keymap_lookup(km, KM_HELP, 'q'), ACTION_BACK);
		assert_int_equal(keymap_lookup(km, KM_DETAIL, KEYMAP_FKEY | KEY_DOWN),
				 ACTION_MOVE_DOWN);
		keymap_free(km);
	}
	struct keymap *vi = keymap_load_default("vi", err, sizeof err);
	assert_int_equal(keymap_lookup(vi, KM_DISPATCH, 'j'), ACTION_MOVE_DOWN);
	assert_int_equal(keymap_lookup(vi, KM_DISPATCH, 6), ACTION_PAGE_DOWN);
	keymap_free(vi);
	struct keymap *em = keymap_load_default("emacs", err, sizeof err);
	assert_int_equal(keymap_lookup(em, KM_DISPATCH, 14), ACTION_MOVE_DOWN);
	assert_int_equal(keymap_lookup(em, KM_DISPATCH, 7), ACTION_BACK);
	keymap_free(em);

	/* Every shipped keymap file parses on its own too. */
	size_t seen = 0;
	for (size_t i = 0; i < embedded_count; i++) {
		if (strncmp(embedded_files[i].path, "keymaps/", 8) != 0)
			continue;
		struct keymap *km = keymap_new();
		if (keymap_load_string(km, embedded_files[i].path, embedded_files[i].text, err,
				       sizeof err) != 0)
			print_error("%s\n", err);
		assert_int_equal(keymap_load_string(km, embedded_files[i].path,
						    embedded_files[i].text, err, sizeof err), 0);
		keymap_free(km);
		seen++;
	}
	assert_true(seen >= 3);

	assert_null(keymap_load_default("nano", err, sizeof err));
	assert_string_equal(err, "unknown keymap flavour 'nano' (default, vi, emacs)");
	assert_null(keymap_load_default("../x", err, sizeof err));
}

static void test_files_on_disk(void **state)
{
	(void)state;
	char dir[] = "/tmp/xiaoan-keymap-XXXXXX";
	char err[512], path[256];
	assert_non_null(mkdtemp(dir));
	setenv("XDG_CONFIG_HOME", dir, 1);
	struct keymap *km = keymap_load_default(NULL, err, sizeof err);
	assert_non_null(km);
	/* No user file: 1, nothing changed. */
	assert_int_equal(keymap_load_user(km, err, sizeof err), 1);

	snprintf(path, sizeof path, "%s/xiaoan", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/xiaoan/keys", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("bind dispatch 签 sign\nunbind generic s\n", f);
	fclose(f);
	assert_int_equal(keymap_load_user(km, err, sizeof err), 0);
	assert_int_equal(keymap_lookup(km, KM_DISPATCH, 0x7B7E), ACTION_SIGN);
	assert_int_equal(keymap_lookup(km, KM_DISPATCH, 's'), ACTION_NONE);

	f = fopen(path, "w");
	fputs("bind dispatch z sign\nbind dispatch y sing\n", f);
	fclose(f);
	assert_int_equal(keymap_load_user(km, err, sizeof err), -1);
	char want[512];
	snprintf(want, sizeof want, "%s:2: unknown action 'sing'", path);
	assert_string_equal(err, want);
	/* Nothing of the refused file applies ('z' is unbound by default). */
	assert_int_equal(keymap_lookup(km, KM_DISPATCH, 'z'), ACTION_NONE);

	assert_int_equal(keymap_load_file(km, "/nonexistent/keys", err, sizeof err), -1);
	assert_string_equal(err, "/nonexistent/keys: No such file or directory");

	/* A relative XDG_CONFIG_HOME is ignored (XDG spec): ~/.config then. */
	setenv("XDG_CONFIG_HOME", "relative", 1);
	setenv("HOME", dir, 1);
	assert_int_equal(keymap_load_user(km, err, sizeof err), 1);

	unlink(path);
	snprintf(path, sizeof path, "%s/xiaoan", dir);
	rmdir(path);
	rmdir(dir);
	keymap_free(km);
}

static void test_context_names(void **state)
{
	(void)state;
	for (int c = 0; c < KM_COUNT; c++)
		assert_int_equal(keymap_context_parse(keymap_context_name((enum keymap_context)c)), c);
	assert_int_equal(keymap_context_parse("nope"), -1);
	assert_null(keymap_context_name(KM_COUNT));
	for (int c = 0; c < KM_COUNT; c++)
		assert_non_null(keymap_context_title((enum keymap_context)c));
	assert_string_equal(keymap_context_title(KM_DETAIL), "case detail");
	assert_null(keymap_context_title(KM_COUNT));
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8")) {
		fprintf(stderr, "test_keymap: the C.UTF-8 locale is required\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_names_round_trip),
		cmocka_unit_test(test_key_name_aliases),
		cmocka_unit_test(test_key_parse_bad),
		cmocka_unit_test(test_lookup_and_fallback),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_keys_for_and_help),
		cmocka_unit_test(test_shipped_keymaps),
		cmocka_unit_test(test_files_on_disk),
		cmocka_unit_test(test_context_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
