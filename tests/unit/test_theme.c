#include <locale.h>
#include <setjmp.h>
#include <stdbool.h>
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
#include "xiaoan/palette.h"
#include "xiaoan/theme.h"
#include "xiaoan/util.h"

static void test_element_names(void **state)
{
	(void)state;
	assert_int_equal(TH_COUNT, 35);
	for (int e = 0; e < TH_COUNT; e++) {
		const char *name = theme_element_name((enum theme_element)e);
		assert_non_null(name);
		assert_int_equal(theme_element_parse(name), e);
		/* Parents come first, so inheritance resolves in one pass. */
		enum theme_element p = theme_element_parent((enum theme_element)e);
		assert_true(e == TH_NORMAL ? p == TH_NORMAL : (int)p < e);
	}
	assert_string_equal(theme_element_name(TH_COUNTDOWN_OVERDUE), "countdown.overdue");
	assert_string_equal(theme_element_name(TH_HELP_KEY), "help.key");
	assert_int_equal(theme_element_parse("state.in-progress"), TH_STATE_IN_PROGRESS);
	assert_int_equal(theme_element_parse("nope"), -1);
	assert_null(theme_element_name(TH_COUNT));
}

static void test_colours(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		short v;
	} good[] = {
		{ "default", -1 }, { "black", 0 },         { "red", 1 },       { "white", 7 },
		{ "bright-black", 8 }, { "bright-white", 15 }, { "BLUE", 4 },  { "color0", 0 },
		{ "color255", 255 }, { "colour196", 196 },   { "42", 42 },     { "0", 0 },
	};
	static const char *const bad[] = {
		"", "color", "color256", "256", "-1", "1000", "pink", "bright-", "color-1", "12a",
	};
	short v;
	for (size_t i = 0; i < XA_ARRAY_LEN(good); i++) {
		assert_int_equal(theme_color_parse(good[i].s, &v), 0);
		assert_int_equal(v, good[i].v);
	}
	for (size_t i = 0; i < XA_ARRAY_LEN(bad); i++)
		assert_int_equal(theme_color_parse(bad[i], &v), -1);
}

static void test_parse_and_inherit(void **state)
{
	(void)state;
	struct theme t;
	char err[256] = "";
	const char *text = "# a comment\n"
			   "normal = white, black\n"
			   "\theader=blue,color17,bold|underline   # trailing\r\n"
			   "countdown.overdue = bright-red, default, reverse + bold\n"
			   "severity.high = 208\n"
			   "message.error = red, , blink\n"
			   "title = green, black, none\n";
	assert_int_equal(theme_load_string(&t, "/some/where/night.theme", text, err, sizeof err), 0);
	assert_string_equal(t.name, "night");
	assert_int_equal(t.el[TH_NORMAL].fg, 7);
	assert_int_equal(t.el[TH_NORMAL].bg, 0);
	assert_int_equal(t.el[TH_NORMAL].attrs, 0);
	assert_int_equal(t.el[TH_HEADER].fg, 4);
	assert_int_equal(t.el[TH_HEADER].bg, 17);
	assert_int_equal(t.el[TH_HEADER].attrs, THEME_BOLD | THEME_UNDERLINE);
	assert_int_equal(t.el[TH_COUNTDOWN_OVERDUE].fg, 9);
	assert_int_equal(t.el[TH_COUNTDOWN_OVERDUE].bg, -1);
	assert_int_equal(t.el[TH_COUNTDOWN_OVERDUE].attrs, THEME_REVERSE | THEME_BOLD);
	assert_int_equal(t.el[TH_SEVERITY_HIGH].fg, 208);
	assert_int_equal(t.el[TH_SEVERITY_HIGH].bg, -1);
	assert_int_equal(t.el[TH_MESSAGE_ERROR].bg, -1);
	assert_int_equal(t.el[TH_MESSAGE_ERROR].attrs, THEME_BLINK);
	/* Unset elements inherit their parent, through chains. */
	assert_memory_equal(&t.el[TH_HEADER_ALERT], &t.el[TH_HEADER], sizeof t.el[0]);
	assert_memory_equal(&t.el[TH_CONN_STALE], &t.el[TH_HEADER], sizeof t.el[0]);
	assert_memory_equal(&t.el[TH_SEVERITY_CRITICAL], &t.el[TH_SEVERITY_HIGH], sizeof t.el[0]);
	assert_memory_equal(&t.el[TH_COUNTDOWN_OK], &t.el[TH_NORMAL], sizeof t.el[0]);
	assert_memory_equal(&t.el[TH_MESSAGE_INFO], &t.el[TH_NORMAL], sizeof t.el[0]);

	/* An empty file: the terminal's defaults everywhere. */
	assert_int_equal(theme_load_string(&t, "empty.theme", "", err, sizeof err), 0);
	for (int e = 0; e < TH_COUNT; e++) {
		assert_int_equal(t.el[e].fg, -1);
		assert_int_equal(t.el[e].bg, -1);
		assert_int_equal(t.el[e].attrs, 0);
	}
}

static void test_template(void **state)
{
	(void)state;
	struct theme base, t;
	char err[256] = "";
	assert_int_equal(theme_load_builtin(&base, "mono", err, sizeof err), 0);
	const char *text = "template = mono\n"
			   "countdown.ok = green\n"
			   "header = yellow, default, bold\n";
	assert_int_equal(theme_load_string(&t, "mine", text, err, sizeof err), 0);
	assert_string_equal(t.name, "mine");
	assert_int_equal(t.el[TH_COUNTDOWN_OK].fg, 2);
	assert_int_equal(t.el[TH_HEADER].fg, 3);
	/* What the template set itself stays, even under a changed parent. */
	assert_memory_equal(&t.el[TH_HEADER_ALERT], &base.el[TH_HEADER_ALERT], sizeof t.el[0]);
	assert_memory_equal(&t.el[TH_COUNTDOWN_OVERDUE], &base.el[TH_COUNTDOWN_OVERDUE],
			    sizeof t.el[0]);
	for (int e = 0; e < TH_COUNT; e++)
		if (e != TH_COUNTDOWN_OK && e != TH_HEADER)
			assert_memory_equal(&t.el[e], &base.el[e], sizeof t.el[0]);
}

struct bad_case {
	const char *text;
	const char *err;
};

static void test_bad_files(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ "normal = red\nheadr = blue\n", "bad.theme:2: unknown element 'headr'" },
		{ "normal = pink\n", "bad.theme:1: unknown colour 'pink'" },
		{ "normal = red, pinkish\n", "bad.theme:1: unknown colour 'pinkish'" },
		{ "normal = red, blue, bold|loud\n",
		  "bad.theme:1: unknown attribute 'loud' (bold, dim, underline, reverse, blink, "
		  "standout, italic)" },
		{ "normal = red, blue, bold||dim\n",
		  "bad.theme:1: empty attribute between '|' or '+'" },
		{ "normal = red, blue, bold, x\n",
		  "bad.theme:1: too many fields for 'normal' (fg, bg, attrs)" },
		{ "normal red\n", "bad.theme:1: expected 'element = fg, bg, attrs'" },
		{ "= red\n", "bad.theme:1: expected an element name before '='" },
		{ "normal =\n", "bad.theme:1: 'normal' needs a foreground colour" },
		{ "normal = , red\n", "bad.theme:1: 'normal' needs a foreground colour" },
		{ "\n\ntemplate = sepia\n",
		  "bad.theme:3: unknown theme 'sepia' (default, light, high-contrast, mono)" },
		{ "template = ../x\n",
		  "bad.theme:1: unknown theme '../x' (default, light, high-contrast, mono)" },
		{ "template =\n", "bad.theme:1: 'template' needs a theme name" },
		{ "normal = red\ntemplate = mono\n",
		  "bad.theme:2: 'template' must come before the elements" },
		{ "normal = color256\n", "bad.theme:1: unknown colour 'color256'" },
		{ "normal = red\x1b\n", "bad.theme:1: invalid UTF-8 or control character" },
		{ "normal = r\xe9\n", "bad.theme:1: invalid UTF-8 or control character" },
	};
	for (size_t i = 0; i < XA_ARRAY_LEN(cases); i++) {
		char err[256] = "";
		struct theme t;
		assert_int_equal(theme_load_builtin(&t, "default", err, sizeof err), 0);
		struct theme before = t;
		assert_int_equal(theme_load_string(&t, "bad.theme", cases[i].text, err, sizeof err),
				 -1);
		assert_string_equal(err, cases[i].err);
		/* All or nothing: the theme in use is untouched. */
		assert_memory_equal(&t, &before, sizeof t);
	}
}

static void test_shipped_themes(void **state)
{
	(void)state;
	char err[256] = "";
	static const char *const names[] = { "default", "light", "high-contrast", "mono" };
	struct theme t;
	for (size_t i = 0; i < XA_ARRAY_LEN(names); i++) {
		if (theme_load_builtin(&t, names[i], err, sizeof err) != 0)
			print_error("%s\n", err);
		assert_int_equal(theme_load_builtin(&t, names[i], err, sizeof err), 0);
		assert_string_equal(t.name, names[i]);
		/* Overdue and due-soon must differ from ok and from each other
		 * by attribute alone, so they read without colour. */
		unsigned ok = t.el[TH_COUNTDOWN_OK].attrs;
		unsigned soon = t.el[TH_COUNTDOWN_DUE_SOON].attrs;
		unsigned over = t.el[TH_COUNTDOWN_OVERDUE].attrs;
		/* (without colour a background of its own turns into reverse) */
		if (t.el[TH_COUNTDOWN_OVERDUE].bg != t.el[TH_NORMAL].bg)
			over |= THEME_REVERSE;
		if (t.el[TH_COUNTDOWN_DUE_SOON].bg != t.el[TH_NORMAL].bg)
			soon |= THEME_REVERSE;
		assert_true(over != ok);
		assert_true(soon != ok);
		assert_true(over != soon);
		assert_true(over & (THEME_REVERSE | THEME_BOLD));
	}
	/* mono: no colour at all, overdue in reverse video and bold. */
	assert_int_equal(theme_load_builtin(&t, "mono", err, sizeof err), 0);
	for (int e = 0; e < TH_COUNT; e++) {
		assert_int_equal(t.el[e].fg, -1);
		assert_int_equal(t.el[e].bg, -1);
	}
	assert_int_equal(t.el[TH_COUNTDOWN_OVERDUE].attrs, THEME_REVERSE | THEME_BOLD);

	size_t seen = 0;
	for (size_t i = 0; i < embedded_count; i++) {
		if (strncmp(embedded_files[i].path, "themes/", 7) != 0)
			continue;
		if (theme_load_string(&t, embedded_files[i].path, embedded_files[i].text, err,
				      sizeof err) != 0)
			print_error("%s\n", err);
		assert_int_equal(theme_load_string(&t, embedded_files[i].path,
						   embedded_files[i].text, err, sizeof err), 0);
		seen++;
	}
	assert_true(seen >= 4);
	assert_int_equal(theme_load_builtin(&t, "sepia", err, sizeof err), -1);
	assert_string_equal(err, "unknown theme 'sepia' (default, light, high-contrast, mono)");
	assert_int_equal(theme_load_builtin(&t, NULL, err, sizeof err), -1);
}

static void test_files_on_disk(void **state)
{
	(void)state;
	char path[] = "/tmp/xiaoan-theme-XXXXXX";
	char err[512], want[512];
	struct theme t;
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("template = light\n\nnormal = black, white\nbogus = red\n", f);
	fclose(f);
	assert_int_equal(theme_load_file(&t, path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:4: unknown element 'bogus'", path);
	assert_string_equal(err, want);
	f = fopen(path, "w");
	fputs("template = light\nnormal = black, white\n", f);
	fclose(f);
	assert_int_equal(theme_load_file(&t, path, err, sizeof err), 0);
	assert_int_equal(t.el[TH_NORMAL].bg, 7);
	unlink(path);
	assert_int_equal(theme_load_file(&t, "/nonexistent.theme", err, sizeof err), -1);
	assert_string_equal(err, "/nonexistent.theme: No such file or directory");
}

static void test_named(void **state)
{
	(void)state;
	char dir[] = "/tmp/xiaoan-themes-XXXXXX";
	char err[512], path[256];
	struct theme t;
	assert_non_null(mkdtemp(dir));
	setenv("XDG_CONFIG_HOME", dir, 1);
	assert_int_equal(theme_load_named(&t, NULL, err, sizeof err), 0);
	assert_string_equal(t.name, "default");
	assert_int_equal(theme_load_named(&t, "mono", err, sizeof err), 0);
	assert_string_equal(t.name, "mono");
	assert_int_equal(t.el[TH_COUNTDOWN_OVERDUE].bg, -1);

	/* A user theme of the same name wins over the shipped one. */
	snprintf(path, sizeof path, "%s/xiaoan", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/xiaoan/themes", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/xiaoan/themes/mono.theme", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("template = mono\ncountdown.overdue = default, red, reverse|bold\n", f);
	fclose(f);
	assert_int_equal(theme_load_named(&t, "mono", err, sizeof err), 0);
	assert_int_equal(t.el[TH_COUNTDOWN_OVERDUE].bg, 1);
	/* A path is read as a file. */
	assert_int_equal(theme_load_named(&t, path, err, sizeof err), 0);
	assert_int_equal(t.el[TH_COUNTDOWN_OVERDUE].bg, 1);
	assert_int_equal(theme_load_named(&t, "sepia", err, sizeof err), -1);
	assert_string_equal(err, "unknown theme 'sepia' (default, light, high-contrast, mono)");
	assert_int_equal(theme_load_named(&t, "./sepia.theme", err, sizeof err), -1);
	assert_string_equal(err, "./sepia.theme: No such file or directory");
	assert_int_equal(theme_load_named(&t, "sepia.theme", err, sizeof err), -1);
	assert_string_equal(err, "sepia.theme: No such file or directory");

	unlink(path);
	snprintf(path, sizeof path, "%s/xiaoan/themes", dir);
	rmdir(path);
	snprintf(path, sizeof path, "%s/xiaoan", dir);
	rmdir(path);
	rmdir(dir);
	unsetenv("XDG_CONFIG_HOME");
}

/* A curses screen on /dev/null for the palette, as if on terminal term. */
static SCREEN *palette_screen(const char *term, FILE **out, FILE **in)
{
	*out = fopen("/dev/null", "w");
	*in = fopen("/dev/null", "r");
	assert_non_null(*out);
	assert_non_null(*in);
	SCREEN *scr = newterm(term, *out, *in);
	if (!scr)
		print_error("no terminfo entry for %s\n", term);
	assert_non_null(scr);
	return scr;
}

static void palette_screen_end(SCREEN *scr, FILE *out, FILE *in)
{
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
}

static void pair_is(enum theme_element e, short fg, short bg)
{
	short f, b;
	assert_int_equal(pair_content(palette_pair(e), &f, &b), OK);
	assert_int_equal(f, fg);
	assert_int_equal(b, bg);
}

static void test_palette(void **state)
{
	(void)state;
	struct theme t;
	char err[256];
	FILE *out, *in;
	assert_int_equal(theme_load_builtin(&t, "default", err, sizeof err), 0);

	SCREEN *scr = palette_screen("xterm-256color", &out, &in);
	palette_init(&t, true);
	assert_int_equal(palette_colours(), 256);
	pair_is(TH_COUNTDOWN_OVERDUE, 15, 1);
	pair_is(TH_STATUS, 7, 236);
	assert_true(palette_attr(TH_COUNTDOWN_OVERDUE) & A_BOLD);
	assert_int_equal(PAIR_NUMBER(palette_attr(TH_COUNTDOWN_OVERDUE)),
			 palette_pair(TH_COUNTDOWN_OVERDUE));
	assert_int_equal(palette_pair(TH_NORMAL), 0);
	/* Elements with the same colours share a pair. */
	assert_int_equal(palette_pair(TH_COUNTDOWN_OVERDUE), palette_pair(TH_MESSAGE_ERROR));
	palette_screen_end(scr, out, in);

	scr = palette_screen("xterm", &out, &in);
	palette_init(&t, true);
	assert_int_equal(palette_colours(), 8);
	pair_is(TH_COUNTDOWN_OVERDUE, COLOR_WHITE, COLOR_RED); /* bright-white: white + bold */
	assert_true(palette_attr(TH_COUNTDOWN_OVERDUE) & A_BOLD);
	pair_is(TH_STATUS, COLOR_WHITE, COLOR_BLACK);            /* 236 is a dark grey */
	pair_is(TH_DIM, COLOR_WHITE, -1);                        /* 244 a light one */
	pair_is(TH_SEVERITY_HIGH, COLOR_RED, -1);
	palette_screen_end(scr, out, in);

	/* No colour: attributes only, own backgrounds become reverse. */
	scr = palette_screen("xterm-256color", &out, &in);
	palette_init(&t, false);
	assert_int_equal(palette_colours(), 0);
	for (int e = 0; e < TH_COUNT; e++)
		assert_int_equal(palette_pair((enum theme_element)e), 0);
	assert_int_equal(palette_attr(TH_COUNTDOWN_OVERDUE), A_REVERSE | A_BOLD);
	assert_int_equal(palette_attr(TH_COUNTDOWN_DUE_SOON), A_BOLD);
	assert_int_equal(palette_attr(TH_COUNTDOWN_OK), A_NORMAL);
	assert_true(palette_attr(TH_SELECTED) & A_REVERSE);
	assert_true(palette_attr(TH_HEADER) & A_REVERSE);
	/* mono says so itself. */
	assert_int_equal(theme_load_builtin(&t, "mono", err, sizeof err), 0);
	palette_init(&t, true);
	assert_int_equal(palette_attr(TH_COUNTDOWN_OVERDUE), A_REVERSE | A_BOLD);
	assert_int_equal(palette_pair(TH_COUNTDOWN_OVERDUE), 0);
	palette_screen_end(scr, out, in);

	setenv("NO_COLOR", "", 1);
	assert_false(palette_no_color_env());
	setenv("NO_COLOR", "1", 1);
	assert_true(palette_no_color_env());
	unsetenv("NO_COLOR");
	assert_false(palette_no_color_env());
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8")) {
		fprintf(stderr, "test_theme: the C.UTF-8 locale is required\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_element_names),
		cmocka_unit_test(test_colours),
		cmocka_unit_test(test_parse_and_inherit),
		cmocka_unit_test(test_template),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_shipped_themes),
		cmocka_unit_test(test_files_on_disk),
		cmocka_unit_test(test_named),
		cmocka_unit_test(test_palette),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
