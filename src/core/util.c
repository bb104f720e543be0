#include "xiaoan/util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "xiaoan/text.h"

XA_NORETURN static void util_oom(size_t n)
{
	fprintf(stderr, "xiaoan: out of memory (allocating %zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		util_oom(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		util_oom(nmemb * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		util_oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s);
	char *d = xmalloc(n + 1);
	memcpy(d, s, n + 1);
	return d;
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = xmalloc(len + 1);
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		fprintf(stderr, "xiaoan: bad format string \"%s\"\n", fmt);
		abort();
	}
	char *s = xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

size_t xstrlcpy(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);
	if (n) {
		size_t c = len < n ? len : n - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return len;
}

void sbuf_init(struct sbuf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
}

static void sbuf_grow(struct sbuf *b, size_t extra)
{
	if (extra > (size_t)-1 / 2 - b->len)
		util_oom(extra);
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
}

void sbuf_add(struct sbuf *b, const char *data, size_t len)
{
	sbuf_grow(b, len);
	if (len)
		memcpy(b->s + b->len, data, len);
	b->len += len;
	b->s[b->len] = '\0';
}

void sbuf_adds(struct sbuf *b, const char *str)
{
	sbuf_add(b, str, strlen(str));
}

void sbuf_addc(struct sbuf *b, char c)
{
	sbuf_add(b, &c, 1);
}

void sbuf_vaddf(struct sbuf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		fprintf(stderr, "xiaoan: bad format string \"%s\"\n", fmt);
		abort();
	}
	sbuf_grow(b, (size_t)n);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void sbuf_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sbuf_vaddf(b, fmt, ap);
	va_end(ap);
}

void sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

char *sbuf_detach(struct sbuf *b)
{
	char *s = b->s ? b->s : xstrdup("");
	sbuf_init(b);
	return s;
}

void sbuf_free(struct sbuf *b)
{
	free(b->s);
	sbuf_init(b);
}

struct xjson_checker {
	const char *s;
	size_t len, pos;
	int max_depth;
	const char *why;
};

static bool xjson_fail(struct xjson_checker *c, const char *why)
{
	if (!c->why)
		c->why = why;
	return false;
}

static void xjson_ws(struct xjson_checker *c)
{
	while (c->pos < c->len && (c->s[c->pos] == ' ' || c->s[c->pos] == '\t' || c->s[c->pos] == '\n' ||
				   c->s[c->pos] == '\r'))
		c->pos++;
}

static bool xjson_lit(struct xjson_checker *c, const char *word)
{
	size_t n = strlen(word);
	if (c->len - c->pos < n || memcmp(c->s + c->pos, word, n) != 0)
		return xjson_fail(c, c->len - c->pos < n && memcmp(c->s + c->pos, word, c->len - c->pos) == 0
					     ? "unexpected end of input"
					     : "unexpected character");
	c->pos += n;
	return true;
}

static int xjson_hex4(struct xjson_checker *c)
{
	unsigned v = 0;
	if (c->len - c->pos < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char h = c->s[c->pos + (size_t)i];
		v <<= 4;
		if (h >= '0' && h <= '9')
			v |= (unsigned)(h - '0');
		else if (h >= 'a' && h <= 'f')
			v |= (unsigned)(h - 'a' + 10);
		else if (h >= 'A' && h <= 'F')
			v |= (unsigned)(h - 'A' + 10);
		else
			return -1;
	}
	c->pos += 4;
	return (int)v;
}

static bool xjson_string(struct xjson_checker *c)
{
	c->pos++; /* opening quote */
	while (c->pos < c->len) {
		unsigned char ch = (unsigned char)c->s[c->pos];
		if (ch == '"') {
			c->pos++;
			return true;
		}
		if (ch < 0x20)
			return xjson_fail(c, "control character in string (escape it)");
		if (ch >= 0x80) {
			uint32_t cp;
			size_t n = text_decode(c->s + c->pos, c->len - c->pos, &cp);
			if (cp == TEXT_INVALID)
				return xjson_fail(c, "invalid UTF-8");
			c->pos += n;
			continue;
		}
		c->pos++;
		if (ch != '\\')
			continue;
		if (c->pos >= c->len)
			break;
		ch = (unsigned char)c->s[c->pos++];
		if (strchr("\"\\/bfnrt", ch) && ch != '\0')
			continue;
		if (ch != 'u') {
			c->pos--;
			return xjson_fail(c, "invalid escape in string");
		}
		int u = xjson_hex4(c);
		if (u < 0)
			return xjson_fail(c, "invalid \\u escape");
		if (u >= 0xDC00 && u <= 0xDFFF)
			return xjson_fail(c, "unpaired surrogate in \\u escape");
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (c->len - c->pos < 2 || c->s[c->pos] != '\\' || c->s[c->pos + 1] != 'u')
				return xjson_fail(c, "unpaired surrogate in \\u escape");
			c->pos += 2;
			int lo = xjson_hex4(c);
			if (lo < 0xDC00 || lo > 0xDFFF)
				return xjson_fail(c, "unpaired surrogate in \\u escape");
		}
	}
	return xjson_fail(c, "unexpected end of input");
}

static bool xjson_digits(struct xjson_checker *c)
{
	size_t start = c->pos;
	while (c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9')
		c->pos++;
	if (c->pos == start)
		return xjson_fail(c, c->pos >= c->len ? "unexpected end of input" : "digit expected");
	return true;
}

static bool xjson_number(struct xjson_checker *c)
{
	size_t start = c->pos;
	bool integer = true;

	if (c->s[c->pos] == '-')
		c->pos++;
	if (c->pos < c->len && c->s[c->pos] == '0') {
		c->pos++;
		if (c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9')
			return xjson_fail(c, "leading zero in number");
	} else if (!xjson_digits(c)) {
		return false;
	}
	if (c->pos < c->len && c->s[c->pos] == '.') {
		integer = false;
		c->pos++;
		if (!xjson_digits(c))
			return false;
	}
	if (c->pos < c->len && (c->s[c->pos] == 'e' || c->s[c->pos] == 'E')) {
		integer = false;
		c->pos++;
		if (c->pos < c->len && (c->s[c->pos] == '+' || c->s[c->pos] == '-'))
			c->pos++;
		if (!xjson_digits(c))
			return false;
	}
	/* json-c would silently saturate an integer outside int64. */
	if (integer && c->pos - start > 18) {
		char tmp[32];
		size_t n = c->pos - start;
		if (n >= sizeof tmp) {
			c->pos = start;
			return xjson_fail(c, "integer out of range");
		}
		memcpy(tmp, c->s + start, n);
		tmp[n] = '\0';
		errno = 0;
		(void)strtoll(tmp, NULL, 10);
		if (errno == ERANGE) {
			c->pos = start;
			return xjson_fail(c, "integer out of range");
		}
	}
	return true;
}

static bool xjson_value(struct xjson_checker *c, int depth);

static bool xjson_container(struct xjson_checker *c, int depth, char close)
{
	if (depth > c->max_depth)
		return xjson_fail(c, "nested too deeply");
	c->pos++;
	xjson_ws(c);
	if (c->pos < c->len && c->s[c->pos] == close) {
		c->pos++;
		return true;
	}
	for (;;) {
		if (close == '}') {
			if (c->pos >= c->len)
				return xjson_fail(c, "unexpected end of input");
			if (c->s[c->pos] != '"')
				return xjson_fail(c, "member name (a string in double quotes) expected");
			if (!xjson_string(c))
				return false;
			xjson_ws(c);
			if (c->pos >= c->len)
				return xjson_fail(c, "unexpected end of input");
			if (c->s[c->pos] != ':')
				return xjson_fail(c, "':' expected");
			c->pos++;
		}
		if (!xjson_value(c, depth))
			return false;
		xjson_ws(c);
		if (c->pos >= c->len)
			return xjson_fail(c, "unexpected end of input");
		if (c->s[c->pos] == close) {
			c->pos++;
			return true;
		}
		if (c->s[c->pos] != ',')
			return xjson_fail(c, close == '}' ? "',' or '}' expected" : "',' or ']' expected");
		c->pos++;
		xjson_ws(c);
		if (c->pos < c->len && c->s[c->pos] == close)
			return xjson_fail(c, "trailing comma");
	}
}

static bool xjson_value(struct xjson_checker *c, int depth)
{
	xjson_ws(c);
	if (c->pos >= c->len)
		return xjson_fail(c, "unexpected end of input");
	switch (c->s[c->pos]) {
	case '{':
		return xjson_container(c, depth + 1, '}');
	case '[':
		return xjson_container(c, depth + 1, ']');
	case '"':
		return xjson_string(c);
	case 't':
		return xjson_lit(c, "true");
	case 'f':
		return xjson_lit(c, "false");
	case 'n':
		return xjson_lit(c, "null");
	default:
		if (c->s[c->pos] == '-' || (c->s[c->pos] >= '0' && c->s[c->pos] <= '9'))
			return xjson_number(c);
		return xjson_fail(c, "unexpected character");
	}
}

int xjson_parse(const char *buf, size_t len, int max_depth, struct json_object **out, char *err,
		size_t errlen)
{
	struct xjson_checker c = { buf, len, 0, max_depth, NULL };
	size_t i = 0;

	*out = NULL;
	while (i < len) {
		uint32_t cp;
		size_t n = text_decode(buf + i, len - i, &cp);
		if (cp == TEXT_INVALID) {
			snprintf(err, errlen, "at byte %zu: invalid UTF-8", i);
			return -1;
		}
		i += n;
	}
	xjson_ws(&c);
	if (c.pos >= len) {
		snprintf(err, errlen, "empty input");
		return -1;
	}
	if (xjson_value(&c, 0)) {
		xjson_ws(&c);
		if (c.pos < len)
			xjson_fail(&c, "unexpected data after the JSON value");
	}
	if (c.why) {
		snprintf(err, errlen, "at byte %zu: %s", c.pos, c.why);
		return -1;
	}
	if (len > INT32_MAX) {
		snprintf(err, errlen, "input too large");
		return -1;
	}

	struct json_tokener *tok = json_tokener_new_ex(max_depth + 1);
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	struct json_object *o = json_tokener_parse_ex(tok, buf, (int)len);
	enum json_tokener_error e = json_tokener_get_error(tok);
	if (!o && e == json_tokener_continue) {
		/* a bare top-level number is only complete once something follows */
		o = json_tokener_parse_ex(tok, " ", 1);
		e = json_tokener_get_error(tok);
	}
	int rc = 0;
	if (e != json_tokener_success) {
		snprintf(err, errlen, "at byte %zu: %s", json_tokener_get_parse_end(tok),
			 json_tokener_error_desc(e));
		json_object_put(o);
		o = NULL;
		rc = -1;
	}
	json_tokener_free(tok);
	*out = o;
	return rc;
}

char *xjson_to_string(struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	return xstrdup(s ? s : "null");
}
