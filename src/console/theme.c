/* theme.c — theme files (`element = fg, bg, attrs`) with builtin templates. */
#include "xiaoan/theme.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "xiaoan/embedded.h"
#include "xiaoan/text.h"
#include "xiaoan/util.h"

#define THEME_LINE_MAX 1024
#define THEME_FILE_MAX (256 * 1024)
/* A template may name a template; this bounds a cycle. */
#define THEME_TEMPLATE_DEPTH 4

struct theme_element_info {
	const char *name;
	enum theme_element parent;
};

#define THEME_INFO_(id, name, parent) [TH_##id] = { name, TH_##parent },
static const struct theme_element_info theme_elements[TH_COUNT] = {
	XIAOAN_THEME_ELEMENTS(THEME_INFO_)
};
#undef THEME_INFO_

static const char *const theme_colour_names[16] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
	"bright-black", "bright-red", "bright-green", "bright-yellow",
	"bright-blue", "bright-magenta", "bright-cyan", "bright-white",
};

static const struct {
	const char *name;
	unsigned bit;
} theme_attr_names[] = {
	{ "bold", THEME_BOLD },         { "dim", THEME_DIM },
	{ "underline", THEME_UNDERLINE }, { "reverse", THEME_REVERSE },
	{ "blink", THEME_BLINK },       { "standout", THEME_STANDOUT },
	{ "italic", THEME_ITALIC },     { "none", 0 },
	{ "normal", 0 },
};

/* A theme while it is being read: the styles set so far and which of them
 * were set (by the file or its template); the rest inherit at the end. */
struct theme_draft {
	struct theme_style el[TH_COUNT];
	bool set[TH_COUNT];
};

const char *theme_element_name(enum theme_element e)
{
	if ((unsigned)e >= TH_COUNT)
		return NULL;
	return theme_elements[e].name;
}

int theme_element_parse(const char *name)
{
	for (int e = 0; e < TH_COUNT; e++)
		if (strcmp(theme_elements[e].name, name) == 0)
			return e;
	return -1;
}

enum theme_element theme_element_parent(enum theme_element e)
{
	if ((unsigned)e >= TH_COUNT)
		return TH_NORMAL;
	return theme_elements[e].parent;
}

int theme_color_parse(const char *s, short *out)
{
	const char *digits = NULL;

	if (strcasecmp(s, "default") == 0) {
		*out = THEME_COLOR_DEFAULT;
		return 0;
	}
	for (int i = 0; i < 16; i++) {
		if (strcasecmp(s, theme_colour_names[i]) == 0) {
			*out = (short)i;
			return 0;
		}
	}
	if (strncasecmp(s, "color", 5) == 0)
		digits = s + 5;
	else if (strncasecmp(s, "colour", 6) == 0)
		digits = s + 6;
	else
		digits = s;
	if (!*digits || strlen(digits) > 3)
		return -1;
	for (const char *d = digits; *d; d++)
		if (!isdigit((unsigned char)*d))
			return -1;
	int v = atoi(digits);
	if (v > 255)
		return -1;
	*out = (short)v;
	return 0;
}

/* Trim blanks at both ends, in place. */
static char *theme_trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

struct theme_ctx {
	const char *filename;
	int lineno;
	char *err;
	size_t errlen;
};

static int theme_fail(const struct theme_ctx *c, const char *fmt, ...) XA_PRINTF(2, 3);
static int theme_fail(const struct theme_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int o = snprintf(c->err, c->errlen, "%s:%d: ", c->filename, c->lineno);

	if (o >= 0 && (size_t)o < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + o, c->errlen - (size_t)o, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* "bold|underline", "bold + reverse", "" or "none". */
static int theme_parse_attrs(const struct theme_ctx *c, char *s, unsigned *out)
{
	*out = 0;
	s = theme_trim(s);
	if (!*s)
		return 0;
	for (char *tok = s; tok;) {
		char *sep = strpbrk(tok, "|+");
		if (sep)
			*sep = '\0';
		char *word = theme_trim(tok);
		size_t i;
		for (i = 0; i < XA_ARRAY_LEN(theme_attr_names); i++)
			if (strcasecmp(word, theme_attr_names[i].name) == 0)
				break;
		if (i == XA_ARRAY_LEN(theme_attr_names))
			return *word ? theme_fail(c, "unknown attribute '%s' (bold, dim, underline, "
						  "reverse, blink, standout, italic)", word)
				     : theme_fail(c, "empty attribute between '|' or '+'");
		*out |= theme_attr_names[i].bit;
		tok = sep ? sep + 1 : NULL;
	}
	return 0;
}

static int theme_draft_builtin(struct theme_draft *d, const char *name, int depth, char *err,
			       size_t errlen);

/* `template = name`: only before the first element, so that what the file
 * says always wins over the template. */
static int theme_template(const struct theme_ctx *c, struct theme_draft *d, char *value,
			  bool any_element, int depth)
{
	if (any_element)
		return theme_fail(c, "'template' must come before the elements");
	if (!*value)
		return theme_fail(c, "'template' needs a theme name");
	if (depth >= THEME_TEMPLATE_DEPTH)
		return theme_fail(c, "templates nested too deeply (a cycle?)");
	char sub[256];
	if (theme_draft_builtin(d, value, depth + 1, sub, sizeof sub) < 0)
		return theme_fail(c, "%s", sub);
	return 0;
}

/* `element = fg[, bg[, attrs]]` */
static int theme_element_line(const struct theme_ctx *c, struct theme_draft *d, const char *key,
			      char *value)
{
	int e = theme_element_parse(key);
	char *field[3] = { NULL, NULL, NULL };
	int nf = 0;
	struct theme_style st = { THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT, 0 };

	if (e < 0)
		return theme_fail(c, "unknown element '%s'", key);
	for (char *tok = value; tok;) {
		char *comma = strchr(tok, ',');
		if (comma)
			*comma = '\0';
		if (nf == 3)
			return theme_fail(c, "too many fields for '%s' (fg, bg, attrs)", key);
		field[nf++] = theme_trim(tok);
		tok = comma ? comma + 1 : NULL;
	}
	if (nf == 0 || !*field[0])
		return theme_fail(c, "'%s' needs a foreground colour", key);
	if (theme_color_parse(field[0], &st.fg) < 0)
		return theme_fail(c, "unknown colour '%s'", field[0]);
	if (nf > 1 && *field[1] && theme_color_parse(field[1], &st.bg) < 0)
		return theme_fail(c, "unknown colour '%s'", field[1]);
	if (nf > 2 && theme_parse_attrs(c, field[2], &st.attrs) < 0)
		return -1;
	d->el[e] = st;
	d->set[e] = true;
	return 0;
}

static int theme_draft_text(struct theme_draft *d, const char *filename, const char *text,
			    int depth, char *err, size_t errlen)
{
	struct theme_ctx c = { filename, 0, err, errlen };
	char line[THEME_LINE_MAX];
	bool any_element = false;

	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		const char *next = eol ? eol + 1 : NULL;
		c.lineno++;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len >= sizeof line)
			return theme_fail(&c, "line too long");
		for (size_t i = 0; i < len; i++)
			line[i] = p[i] == '\t' ? ' ' : p[i];
		line[len] = '\0';
		p = next;
		if (!text_is_clean(line, len))
			return theme_fail(&c, "invalid UTF-8 or control character");
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = theme_trim(line);
		if (!*s)
			continue;
		char *eq = strchr(s, '=');
		if (!eq)
			return theme_fail(&c, "expected 'element = fg, bg, attrs'");
		*eq = '\0';
		char *key = theme_trim(s);
		char *value = theme_trim(eq + 1);
		if (!*key)
			return theme_fail(&c, "expected an element name before '='");
		if (strcmp(key, "template") == 0) {
			if (theme_template(&c, d, value, any_element, depth) < 0)
				return -1;
			continue;
		}
		if (theme_element_line(&c, d, key, value) < 0)
			return -1;
		any_element = true;
	}
	return 0;
}

static int theme_draft_builtin(struct theme_draft *d, const char *name, int depth, char *err,
			       size_t errlen)
{
	char path[96];
	const char *text = NULL;
	bool ok = *name && strlen(name) <= 32;

	for (const char *c = name; ok && *c; c++)
		ok = islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-';
	if (ok) {
		snprintf(path, sizeof path, "themes/%s.theme", name);
		text = embedded_find(path);
	}
	if (!text) {
		snprintf(err, errlen, "unknown theme '%s' (default, light, high-contrast, mono)",
			 name);
		return -1;
	}
	return theme_draft_text(d, path, text, depth, err, errlen);
}

static void theme_draft_init(struct theme_draft *d)
{
	for (int e = 0; e < TH_COUNT; e++) {
		d->el[e] = (struct theme_style){ THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT, 0 };
		d->set[e] = false;
	}
}

/* Parents come before their children in the table, so one pass settles
 * every chain. */
static void theme_draft_finish(const struct theme_draft *d, struct theme *t, const char *name)
{
	t->el[TH_NORMAL] = d->el[TH_NORMAL];
	for (int e = TH_NORMAL + 1; e < TH_COUNT; e++)
		t->el[e] = d->set[e] ? d->el[e] : t->el[theme_elements[e].parent];
	text_copy(t->name, sizeof t->name, name);
}

/* "dir/light.theme" -> "light" */
static void theme_base_name(const char *filename, char *out, size_t n)
{
	const char *slash = strrchr(filename, '/');
	const char *base = slash ? slash + 1 : filename;
	size_t len = strlen(base);

	if (len > 6 && strcmp(base + len - 6, ".theme") == 0)
		len -= 6;
	if (len >= n)
		len = n - 1;
	memcpy(out, base, len);
	out[len] = '\0';
}

int theme_load_string(struct theme *t, const char *filename, const char *text, char *err,
		      size_t errlen)
{
	struct theme_draft d;
	char name[sizeof t->name];

	theme_draft_init(&d);
	if (theme_draft_text(&d, filename, text, 0, err, errlen) < 0)
		return -1;
	theme_base_name(filename, name, sizeof name);
	theme_draft_finish(&d, t, name);
	return 0;
}

int theme_load_file(struct theme *t, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct sbuf sb;
	char chunk[4096];
	size_t got;
	int rc = -1;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	sbuf_init(&sb);
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && sb.len <= THEME_FILE_MAX)
		sbuf_add(&sb, chunk, got);
	if (ferror(f))
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else if (sb.len > THEME_FILE_MAX)
		snprintf(err, errlen, "%s: file too large", path);
	else if (sb.len && memchr(sb.s, '\0', sb.len))
		snprintf(err, errlen, "%s: not a text file", path);
	else
		rc = theme_load_string(t, path, sb.s ? sb.s : "", err, errlen);
	fclose(f);
	sbuf_free(&sb);
	return rc;
}

int theme_load_builtin(struct theme *t, const char *name, char *err, size_t errlen)
{
	struct theme_draft d;

	theme_draft_init(&d);
	if (theme_draft_builtin(&d, name ? name : "", 0, err, errlen) < 0)
		return -1;
	theme_draft_finish(&d, t, name);
	return 0;
}

int theme_load_named(struct theme *t, const char *name, char *err, size_t errlen)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char *path = NULL;
	int rc;

	if (!name || !*name)
		name = "default";
	size_t len = strlen(name);
	if (strchr(name, '/') || (len > 6 && strcmp(name + len - 6, ".theme") == 0))
		return theme_load_file(t, name, err, errlen);
	/* The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored. */
	if (xdg && xdg[0] == '/')
		path = xasprintf("%s/xiaoan/themes/%s.theme", xdg, name);
	else if (home && home[0])
		path = xasprintf("%s/.config/xiaoan/themes/%s.theme", home, name);
	if (path && access(path, F_OK) == 0)
		rc = theme_load_file(t, path, err, errlen);
	else
		rc = theme_load_builtin(t, name, err, errlen);
	free(path);
	return rc;
}
