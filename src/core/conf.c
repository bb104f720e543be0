#include "xiaoan/conf.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xiaoan/text.h"
#include "xiaoan/util.h"

XA_PRINTF(5, 6)
static int conf_fail(char *err, size_t errlen, const char *name, size_t line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s:%zu: %s", name, line, msg);
	return -1;
}

static bool conf_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool conf_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '.' || c == '-';
}

/* Unquote "..." at s into out (same size or larger); returns NULL on
 * success or a message. */
static const char *conf_unquote(const char *s, char *out)
{
	s++;
	for (;;) {
		char c = *s++;
		if (c == '\0')
			return "missing closing quote";
		if (c == '"')
			break;
		if (c == '\\') {
			c = *s++;
			switch (c) {
			case '"':
			case '\\':
				break;
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			default:
				return "unknown escape in quoted value (use \\\" \\\\ \\n or \\t)";
			}
		}
		*out++ = c;
	}
	*out = '\0';
	while (conf_blank(*s))
		s++;
	if (*s != '\0' && *s != '#')
		return "unexpected text after the closing quote";
	return NULL;
}

/* line is NUL-terminated, without its newline, and may be modified. */
static int conf_line(const char *name, size_t lineno, char *line, size_t len, conf_cb cb, void *ctx,
		     char *err, size_t errlen)
{
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = text_decode(line + i, len - i, &cp);
		if (cp == TEXT_INVALID)
			return conf_fail(err, errlen, name, lineno, "invalid UTF-8 (byte %zu)", i + 1);
		if (cp != '\t' && text_is_control(cp))
			return conf_fail(err, errlen, name, lineno, "control character (byte %zu)", i + 1);
		i += n;
	}

	char *p = line;
	while (conf_blank(*p))
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	char *key = p;
	while (conf_key_char(*p))
		p++;
	char *key_end = p;
	while (conf_blank(*p))
		p++;
	if (key_end == key)
		return conf_fail(err, errlen, name, lineno, "expected a key (letters, digits, _ . -) before '='");
	if (*p != '=')
		return conf_fail(err, errlen, name, lineno, "expected \"key = value\"");
	if (key_end - key > 64)
		return conf_fail(err, errlen, name, lineno, "key longer than 64 characters");
	*key_end = '\0';
	p++;
	while (conf_blank(*p))
		p++;
	char *value = p;
	if (*p == '"') {
		const char *why = conf_unquote(p, value);
		if (why)
			return conf_fail(err, errlen, name, lineno, "%s", why);
	} else {
		char *end = p + strlen(p);
		while (end > p && conf_blank(end[-1]))
			end--;
		*end = '\0';
	}

	char msg[256] = "";
	if (cb(ctx, key, value, msg, sizeof msg) != 0) {
		if (msg[0] == '\0')
			snprintf(msg, sizeof msg, "invalid value for %s", key);
		return conf_fail(err, errlen, name, lineno, "%s", msg);
	}
	return 0;
}

int conf_parse_buffer(const char *name, const char *text, size_t len, conf_cb cb, void *ctx, char *err,
		      size_t errlen)
{
	size_t pos = 0, lineno = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		lineno++;
		if (memchr(text + pos, '\0', n))
			return conf_fail(err, errlen, name, lineno, "NUL byte in line");
		size_t keep = n;
		if (keep && text[pos + keep - 1] == '\r')
			keep--;
		char *line = xstrndup(text + pos, keep);
		int r = conf_line(name, lineno, line, keep, cb, ctx, err, errlen);
		free(line);
		if (r)
			return r;
		pos += n + (nl ? 1 : 0);
	}
	return 0;
}

int conf_load(const char *path, conf_cb cb, void *ctx, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return e == ENOENT ? 1 : -1;
	}
	struct sbuf b;
	char chunk[4096];
	size_t n;
	sbuf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b.len + n > CONF_MAX_FILE) {
			snprintf(err, errlen, "%s: larger than %d bytes", path, CONF_MAX_FILE);
			sbuf_free(&b);
			fclose(f);
			return -1;
		}
		sbuf_add(&b, chunk, n);
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
		sbuf_free(&b);
		fclose(f);
		return -1;
	}
	fclose(f);
	int r = conf_parse_buffer(path, b.s ? b.s : "", b.len, cb, ctx, err, errlen);
	sbuf_free(&b);
	return r;
}

bool conf_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < XA_ARRAY_LEN(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

static bool conf_strtol(const char *s, const char **end, long *out)
{
	char *e;
	if (!((*s >= '0' && *s <= '9') || ((*s == '-' || *s == '+') && s[1] >= '0' && s[1] <= '9')))
		return false;
	errno = 0;
	long v = strtol(s, &e, 10);
	if (errno == ERANGE)
		return false;
	*end = e;
	*out = v;
	return true;
}

bool conf_parse_int(const char *s, long min, long max, long *out)
{
	const char *end;
	long v;

	if (!conf_strtol(s, &end, &v) || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool conf_parse_duration(const char *s, long *secs)
{
	const char *end;
	long v, mult = 1;

	if (!conf_strtol(s, &end, &v) || v < 0)
		return false;
	if (*end) {
		switch (*end) {
		case 's':
			mult = 1;
			break;
		case 'm':
			mult = 60;
			break;
		case 'h':
			mult = 3600;
			break;
		case 'd':
			mult = 86400;
			break;
		default:
			return false;
		}
		if (end[1] != '\0')
			return false;
	}
	if (v > 400L * 86400 / mult)
		return false;
	*secs = v * mult;
	return true;
}
