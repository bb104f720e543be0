/* keymap.c — key bindings per context, parsed from the user's file syntax. */
#include "xiaoan/keymap.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curses.h>

#include "xiaoan/embedded.h"
#include "xiaoan/text.h"
#include "xiaoan/util.h"

#define KEYMAP_LINE_MAX 1024
#define KEYMAP_FILE_MAX (1024 * 1024)

/* action == ACTION_NONE marks a key unbound in a view context: the lookup
 * stops there instead of falling back to generic. */
struct keymap_binding {
	int key;
	enum action action;
};

struct keymap_list {
	struct keymap_binding *b;
	size_t n, cap;
};

struct keymap {
	struct keymap_list ctx[KM_COUNT];
};

static const char *const keymap_context_names[KM_COUNT] = {
	[KM_GENERIC] = "generic",
	[KM_DISPATCH] = "dispatch",
	[KM_SCHOOLS] = "schools",
	[KM_DETAIL] = "detail",
	[KM_SUPERVISOR] = "supervisor",
	[KM_HELP] = "help",
};

static const char *const keymap_context_titles[KM_COUNT] = {
	[KM_GENERIC] = N_("general"),
	[KM_DISPATCH] = N_("dispatch"),
	[KM_SCHOOLS] = N_("schools"),
	[KM_DETAIL] = N_("case detail"),
	[KM_SUPERVISOR] = N_("supervision"),
	[KM_HELP] = N_("help"),
};

/* Named keys; the first entry for a code is its canonical name. */
struct keymap_named {
	const char *name;
	int key;
};

#define FK(k) (KEYMAP_FKEY | (k))
static const struct keymap_named keymap_names[] = {
	{ "Enter", '\n' },
	{ "Esc", 27 },
	{ "Tab", '\t' },
	{ "BTab", FK(KEY_BTAB) },
	{ "Space", ' ' },
	{ "BS", FK(KEY_BACKSPACE) },
	{ "Del", FK(KEY_DC) },
	{ "Up", FK(KEY_UP) },
	{ "Down", FK(KEY_DOWN) },
	{ "Left", FK(KEY_LEFT) },
	{ "Right", FK(KEY_RIGHT) },
	{ "PgUp", FK(KEY_PPAGE) },
	{ "PgDown", FK(KEY_NPAGE) },
	{ "Home", FK(KEY_HOME) },
	{ "End", FK(KEY_END) },
	{ "Ins", FK(KEY_IC) },
	/* Accepted spellings, never printed. */
	{ "Return", '\n' },
	{ "Escape", 27 },
	{ "S-Tab", FK(KEY_BTAB) },
	{ "Backspace", FK(KEY_BACKSPACE) },
	{ "Delete", FK(KEY_DC) },
	{ "PageUp", FK(KEY_PPAGE) },
	{ "PageDown", FK(KEY_NPAGE) },
	{ "PgDn", FK(KEY_NPAGE) },
	{ "Insert", FK(KEY_IC) },
};

static void keymap_list_free(struct keymap_list *l)
{
	free(l->b);
	l->b = NULL;
	l->n = l->cap = 0;
}

struct keymap *keymap_new(void)
{
	return xcalloc(1, sizeof(struct keymap));
}

void keymap_free(struct keymap *km)
{
	if (!km)
		return;
	for (int c = 0; c < KM_COUNT; c++)
		keymap_list_free(&km->ctx[c]);
	free(km);
}

const char *keymap_context_name(enum keymap_context ctx)
{
	if ((unsigned)ctx >= KM_COUNT)
		return NULL;
	return keymap_context_names[ctx];
}

const char *keymap_context_title(enum keymap_context ctx)
{
	if ((unsigned)ctx >= KM_COUNT)
		return NULL;
	return keymap_context_titles[ctx];
}

int keymap_context_parse(const char *name)
{
	for (int c = 0; c < KM_COUNT; c++)
		if (strcmp(keymap_context_names[c], name) == 0)
			return c;
	return -1;
}

/* The terminal may deliver the same key in several ways: Enter as CR, LF
 * or the keypad's KEY_ENTER; Backspace as DEL (^?) or KEY_BACKSPACE. */
static int keymap_normalize(int key)
{
	if (key == '\r' || key == FK(KEY_ENTER))
		return '\n';
	if (key == 127)
		return FK(KEY_BACKSPACE);
	return key;
}

static bool keymap_is_char(int key)
{
	return key >= 0 && !(key & KEYMAP_FKEY) && key <= 0x10FFFF &&
	       !(key >= 0xD800 && key <= 0xDFFF);
}

size_t keymap_key_name(int key, char *buf, size_t n)
{
	char tmp[KEYMAP_KEY_NAME_MAX + 8];

	key = keymap_normalize(key);
	tmp[0] = '\0';
	for (size_t i = 0; i < XA_ARRAY_LEN(keymap_names); i++) {
		if (keymap_names[i].key == key) {
			snprintf(tmp, sizeof tmp, "<%s>", keymap_names[i].name);
			break;
		}
	}
	if (tmp[0]) {
		/* named */
	} else if (key >= 1 && key <= 26) {
		snprintf(tmp, sizeof tmp, "<C-%c>", 'a' + key - 1);
	} else if (key >= 0 && (key & KEYMAP_FKEY)) {
		int code = key & ~KEYMAP_FKEY;
		if (code >= KEY_F(1) && code <= KEY_F(12))
			snprintf(tmp, sizeof tmp, "<F%d>", code - KEY_F0);
		else if (code >= KEY_MIN && code <= KEY_MAX)
			snprintf(tmp, sizeof tmp, "<KEY-%d>", code);
		else
			snprintf(tmp, sizeof tmp, "<?>");
	} else if (keymap_is_char(key) && !text_is_control((uint32_t)key)) {
		tmp[text_encode((uint32_t)key, tmp)] = '\0';
	} else if (keymap_is_char(key)) {
		snprintf(tmp, sizeof tmp, "<U+%04X>", (unsigned)key);
	} else {
		snprintf(tmp, sizeof tmp, "<?>");
	}
	if (n > 0)
		xstrlcpy(buf, tmp, n);
	return strlen(tmp);
}

/* "<U+4E2D>" and "<KEY-338>": the spellings keymap_key_name() falls back
 * to, so every name it prints parses back. */
static int keymap_parse_numeric(const char *inner, size_t len)
{
	char num[16];
	const char *digits;
	int base;
	bool fkey;

	if (len > 2 && strncasecmp(inner, "U+", 2) == 0) {
		digits = inner + 2, base = 16, fkey = false;
	} else if (len > 4 && strncasecmp(inner, "KEY-", 4) == 0) {
		digits = inner + 4, base = 10, fkey = true;
	} else {
		return -1;
	}
	size_t dl = len - (size_t)(digits - inner);
	if (dl == 0 || dl >= sizeof num)
		return -1;
	memcpy(num, digits, dl);
	num[dl] = '\0';
	for (size_t i = 0; i < dl; i++)
		if (!(base == 16 ? isxdigit((unsigned char)num[i]) : isdigit((unsigned char)num[i])))
			return -1;
	long v = strtol(num, NULL, base);
	if (fkey)
		return v >= KEY_MIN && v <= KEY_MAX ? FK((int)v) : -1;
	return keymap_is_char((int)v) && v <= 0x10FFFF ? keymap_normalize((int)v) : -1;
}

int keymap_key_parse(const char *s)
{
	size_t len = s ? strlen(s) : 0;

	if (len == 0)
		return -1;
	if (s[0] == '<' && len > 2 && s[len - 1] == '>') {
		const char *inner = s + 1;
		size_t il = len - 2;
		for (size_t i = 0; i < XA_ARRAY_LEN(keymap_names); i++)
			if (strlen(keymap_names[i].name) == il &&
			    strncasecmp(keymap_names[i].name, inner, il) == 0)
				return keymap_names[i].key;
		if (il == 3 && (inner[0] == 'C' || inner[0] == 'c') && inner[1] == '-' &&
		    isalpha((unsigned char)inner[2]))
			return keymap_normalize(tolower((unsigned char)inner[2]) - 'a' + 1);
		if ((inner[0] == 'F' || inner[0] == 'f') && il >= 2 && il <= 3 &&
		    isdigit((unsigned char)inner[1]) && (il == 2 || isdigit((unsigned char)inner[2]))) {
			int f = atoi(inner + 1);
			return f >= 1 && f <= 12 ? FK(KEY_F(f)) : -1;
		}
		return keymap_parse_numeric(inner, il);
	}
	/* Exactly one printable character, CJK included. */
	uint32_t cp;
	size_t used = text_decode(s, len, &cp);
	if (used != len || cp == TEXT_INVALID || text_is_control(cp) || cp == ' ')
		return -1;
	return (int)cp;
}

static struct keymap_binding *keymap_find(const struct keymap_list *l, int key)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->b[i].key == key)
			return &l->b[i];
	return NULL;
}

static void keymap_set(struct keymap_list *l, int key, enum action action)
{
	struct keymap_binding *b = keymap_find(l, key);

	if (b) {
		b->action = action;
		return;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->b = xrealloc(l->b, l->cap * sizeof *l->b);
	}
	l->b[l->n++] = (struct keymap_binding){ key, action };
}

static void keymap_unset(struct keymap *km, enum keymap_context ctx, int key)
{
	struct keymap_list *l = &km->ctx[ctx];

	if (ctx != KM_GENERIC) {
		keymap_set(l, key, ACTION_NONE);
		return;
	}
	struct keymap_binding *b = keymap_find(l, key);
	if (b) {
		size_t i = (size_t)(b - l->b);
		memmove(&l->b[i], &l->b[i + 1], (l->n - i - 1) * sizeof *l->b);
		l->n--;
	}
}

static void keymap_copy(struct keymap *dst, const struct keymap *src)
{
	for (int c = 0; c < KM_COUNT; c++) {
		const struct keymap_list *s = &src->ctx[c];
		struct keymap_list *d = &dst->ctx[c];
		d->n = d->cap = s->n;
		d->b = s->n ? xmalloc(s->n * sizeof *d->b) : NULL;
		if (s->n)
			memcpy(d->b, s->b, s->n * sizeof *d->b);
	}
}

enum action keymap_lookup(const struct keymap *km, enum keymap_context ctx, int key)
{
	const struct keymap_binding *b;

	if (!km || (unsigned)ctx >= KM_COUNT)
		return ACTION_NONE;
	key = keymap_normalize(key);
	b = keymap_find(&km->ctx[ctx], key);
	if (b)
		return b->action;
	if (ctx != KM_GENERIC && (b = keymap_find(&km->ctx[KM_GENERIC], key)))
		return b->action;
	return ACTION_NONE;
}

size_t keymap_keys_for(const struct keymap *km, enum keymap_context ctx, enum action action,
		       char *buf, size_t n)
{
	struct sbuf sb;
	char name[KEYMAP_KEY_NAME_MAX + 8];

	sbuf_init(&sb);
	if (km && (unsigned)ctx < KM_COUNT && action != ACTION_NONE) {
		const struct keymap_list *own = &km->ctx[ctx];
		for (int pass = 0; pass < 2; pass++) {
			const struct keymap_list *l = pass == 0 ? own : &km->ctx[KM_GENERIC];
			if (pass == 1 && ctx == KM_GENERIC)
				break;
			for (size_t i = 0; i < l->n; i++) {
				if (l->b[i].action != action)
					continue;
				if (pass == 1 && keymap_find(own, l->b[i].key))
					continue;
				keymap_key_name(l->b[i].key, name, sizeof name);
				if (sb.len)
					sbuf_adds(&sb, ", ");
				sbuf_adds(&sb, name);
			}
		}
	}
	size_t len = sb.len;
	if (n > 0)
		text_copy(buf, n, sb.s ? sb.s : "");
	sbuf_free(&sb);
	return len;
}

size_t keymap_help(const struct keymap *km, enum keymap_context ctx, struct keymap_help_line *lines,
		   size_t max)
{
	size_t count = 0;
	char keys[sizeof lines[0].keys];

	for (unsigned a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
		if (keymap_keys_for(km, ctx, (enum action)a, keys, sizeof keys) == 0)
			continue;
		if (count < max) {
			xstrlcpy(lines[count].keys, keys, sizeof lines[count].keys);
			lines[count].action = (enum action)a;
			lines[count].help = action_help((enum action)a);
		}
		count++;
	}
	return count;
}

/* Splits line in place on blanks: stores up to max words, returns how many
 * there are. */
static size_t keymap_split(char *line, char **words, size_t max)
{
	size_t n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return n;
		if (n < max)
			words[n] = p;
		n++;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
}

#define KM_ERR(...)                                                      \
	do {                                                             \
		int o_ = snprintf(err, errlen, "%s:%d: ", filename, lineno); \
		if (o_ >= 0 && (size_t)o_ < errlen)                      \
			snprintf(err + o_, errlen - (size_t)o_, __VA_ARGS__); \
		return -1;                                               \
	} while (0)

/* One line of a keymap file applied to km; -1 with err set. */
static int keymap_line(struct keymap *km, const char *filename, int lineno, char *line, char *err,
		       size_t errlen)
{
	char *w[5];
	size_t n = keymap_split(line, w, XA_ARRAY_LEN(w));
	size_t need;
	bool bind;

	if (n == 0 || w[0][0] == '#')
		return 0;
	if (strcmp(w[0], "bind") == 0) {
		bind = true, need = 4;
	} else if (strcmp(w[0], "unbind") == 0) {
		bind = false, need = 3;
	} else {
		KM_ERR("unknown command '%s' (expected bind or unbind)", w[0]);
	}
	/* A comment may follow the fields; "#" in the key's place is the key. */
	for (size_t i = 1; i < n && i < XA_ARRAY_LEN(w); i++) {
		if (i != 2 && w[i][0] == '#') {
			n = i;
			break;
		}
	}
	if (n < need)
		KM_ERR(bind ? "bind needs a context, a key and an action"
			    : "unbind needs a context and a key");
	if (n > need)
		KM_ERR("unexpected '%s' after %s", w[need], bind ? "the action" : "the key");
	int ctx = keymap_context_parse(w[1]);
	if (ctx < 0)
		KM_ERR("unknown context '%s' (generic, dispatch, schools, detail, supervisor, help)",
		       w[1]);
	int key = keymap_key_parse(w[2]);
	if (key < 0)
		KM_ERR("bad key name '%s'", w[2]);
	if (!bind) {
		keymap_unset(km, (enum keymap_context)ctx, key);
		return 0;
	}
	enum action a = action_parse(w[3]);
	if (a == ACTION_NONE)
		KM_ERR("unknown action '%s'", w[3]);
	keymap_set(&km->ctx[ctx], key, a);
	return 0;
}

int keymap_load_string(struct keymap *km, const char *filename, const char *text, char *err,
		       size_t errlen)
{
	struct keymap tmp;
	char line[KEYMAP_LINE_MAX];
	int lineno = 0;
	const char *p = text;
	int rc = 0;

	memset(&tmp, 0, sizeof tmp);
	keymap_copy(&tmp, km);
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		lineno++;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len >= sizeof line) {
			snprintf(err, errlen, "%s:%d: line too long", filename, lineno);
			rc = -1;
			break;
		}
		/* Tabs separate words like spaces; any other control is an error. */
		for (size_t i = 0; i < len; i++)
			line[i] = p[i] == '\t' ? ' ' : p[i];
		line[len] = '\0';
		if (!text_is_clean(line, len)) {
			snprintf(err, errlen, "%s:%d: invalid UTF-8 or control character", filename,
				 lineno);
			rc = -1;
			break;
		}
		if (keymap_line(&tmp, filename, lineno, line, err, errlen) < 0) {
			rc = -1;
			break;
		}
		p = eol ? eol + 1 : NULL;
	}
	if (rc == 0) {
		for (int c = 0; c < KM_COUNT; c++) {
			keymap_list_free(&km->ctx[c]);
			km->ctx[c] = tmp.ctx[c];
		}
	} else {
		for (int c = 0; c < KM_COUNT; c++)
			keymap_list_free(&tmp.ctx[c]);
	}
	return rc;
}

/* Whole file as a string; NULL with err = "path: reason". */
static char *keymap_read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct sbuf sb;
	char chunk[4096];
	size_t got;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	sbuf_init(&sb);
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
		sbuf_add(&sb, chunk, got);
		if (sb.len > KEYMAP_FILE_MAX) {
			snprintf(err, errlen, "%s: file too large", path);
			fclose(f);
			sbuf_free(&sb);
			return NULL;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(f);
		sbuf_free(&sb);
		return NULL;
	}
	fclose(f);
	return sbuf_detach(&sb);
}

int keymap_load_file(struct keymap *km, const char *path, char *err, size_t errlen)
{
	char *text = keymap_read_file(path, err, errlen);
	if (!text)
		return -1;
	int rc = keymap_load_string(km, path, text, err, errlen);
	free(text);
	return rc;
}

struct keymap *keymap_load_default(const char *flavour, char *err, size_t errlen)
{
	char path[96];
	const char *text = embedded_find("keymaps/default.keys");
	struct keymap *km;

	if (!text) {
		snprintf(err, errlen, "keymaps/default.keys: not built in");
		return NULL;
	}
	km = keymap_new();
	if (keymap_load_string(km, "keymaps/default.keys", text, err, errlen) < 0)
		goto fail;
	if (!flavour || strcmp(flavour, "default") == 0)
		return km;
	for (const char *c = flavour; *c; c++) {
		if (!islower((unsigned char)*c) && *c != '-')
			goto unknown;
	}
	if (strlen(flavour) > 32)
		goto unknown;
	snprintf(path, sizeof path, "keymaps/%s.keys", flavour);
	text = embedded_find(path);
	if (!text)
		goto unknown;
	if (keymap_load_string(km, path, text, err, errlen) < 0)
		goto fail;
	return km;
unknown:
	snprintf(err, errlen, "unknown keymap flavour '%s' (default, vi, emacs)", flavour);
fail:
	keymap_free(km);
	return NULL;
}

int keymap_load_user(struct keymap *km, char *err, size_t errlen)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char *path;
	int rc;

	/* The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored. */
	if (xdg && xdg[0] == '/')
		path = xasprintf("%s/xiaoan/keys", xdg);
	else if (home && home[0])
		path = xasprintf("%s/.config/xiaoan/keys", home);
	else
		return 1;
	FILE *f = fopen(path, "rb");
	if (!f && errno == ENOENT) {
		free(path);
		return 1;
	}
	if (f)
		fclose(f);
	rc = keymap_load_file(km, path, err, errlen);
	free(path);
	return rc;
}
