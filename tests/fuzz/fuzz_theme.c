/* fuzz_theme.c — a user's theme file through theme_load_string(). A refused
 * file leaves the theme untouched with a "file:line: message" error; an
 * accepted one yields only colours curses can take (-1..255), known
 * attribute bits and the file's base name. Colour names alone go through
 * theme_color_parse(). */
#include "fuzz.h"

#include <string.h>

#include "xiaoan/theme.h"

#define FUZZ_THEME_FILE "fuzz/case.theme"
#define FUZZ_THEME_ATTRS \
	(THEME_BOLD | THEME_DIM | THEME_UNDERLINE | THEME_REVERSE | THEME_BLINK | THEME_STANDOUT | THEME_ITALIC)

static void fuzz_theme_valid(const struct theme *t)
{
	FUZZ_CHECK(strcmp(t->name, "case") == 0);
	for (int e = 0; e < TH_COUNT; e++) {
		const struct theme_style *s = &t->el[e];
		FUZZ_CHECK(s->fg >= THEME_COLOR_DEFAULT && s->fg <= 255);
		FUZZ_CHECK(s->bg >= THEME_COLOR_DEFAULT && s->bg <= 255);
		FUZZ_CHECK((s->attrs & ~FUZZ_THEME_ATTRS) == 0);
	}
}

static void fuzz_theme_colour(const char *text, size_t size)
{
	short c = 1000;

	if (size > 16)
		return;
	if (theme_color_parse(text, &c) == 0)
		FUZZ_CHECK(c >= THEME_COLOR_DEFAULT && c <= 255);
	else
		FUZZ_CHECK(c == 1000);
}

static void fuzz_theme(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct theme t, before;
	char err[512];

	/* A recognisable starting point, so that a partial update shows. */
	memset(&t, 0x5A, sizeof t);
	t.name[sizeof t.name - 1] = '\0';
	memcpy(&before, &t, sizeof t);
	memset(err, 0, sizeof err);
	if (theme_load_string(&t, FUZZ_THEME_FILE, text, err, sizeof err) != 0) {
		FUZZ_CHECK(memcmp(&t, &before, sizeof t) == 0);
		FUZZ_CHECK(fuzz_terminated(err, sizeof err));
		FUZZ_CHECK(strncmp(err, FUZZ_THEME_FILE ":", strlen(FUZZ_THEME_FILE ":")) == 0);
	} else {
		fuzz_theme_valid(&t);
	}
	fuzz_theme_colour(text, size);
	free(text);
}

FUZZ_ENTRY(fuzz_theme)
