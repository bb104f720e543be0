#include "xiaoan/text.h"

#include <string.h>
#include <wchar.h>

#include "xiaoan/util.h"

static bool text_is_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

size_t text_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char b0 = p[0];
	size_t need;
	unsigned char lo = 0x80, hi = 0xBF;
	uint32_t v;

	if (b0 < 0x80) {
		*cp = b0;
		return 1;
	}
	if (b0 >= 0xC2 && b0 <= 0xDF) {
		need = 1;
		v = b0 & 0x1F;
	} else if (b0 >= 0xE0 && b0 <= 0xEF) {
		need = 2;
		v = b0 & 0x0F;
		if (b0 == 0xE0)
			lo = 0xA0; /* overlong below U+0800 */
		else if (b0 == 0xED)
			hi = 0x9F; /* UTF-16 surrogates */
	} else if (b0 >= 0xF0 && b0 <= 0xF4) {
		need = 3;
		v = b0 & 0x07;
		if (b0 == 0xF0)
			lo = 0x90; /* overlong below U+10000 */
		else if (b0 == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		/* stray continuation, C0/C1 overlong leads, F5..FF */
		*cp = TEXT_INVALID;
		return 1;
	}
	if (len < 2 || p[1] < lo || p[1] > hi) {
		*cp = TEXT_INVALID;
		return 1;
	}
	v = (v << 6) | (p[1] & 0x3F);
	for (size_t i = 2; i <= need; i++) {
		if (i >= len || !text_is_cont(p[i])) {
			*cp = TEXT_INVALID;
			return i;
		}
		v = (v << 6) | (p[i] & 0x3F);
	}
	*cp = v;
	return need + 1;
}

bool text_is_control(uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
		return true;
	switch (cp) {
	case 0x061C: /* Arabic letter mark */
	case 0x200E:
	case 0x200F:
	case 0x2028:
	case 0x2029:
	case 0xFEFF:
		return true;
	default:
		break;
	}
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The bytes a character stands for on screen: itself, a space, or U+FFFD. */
static const char *text_render(const char *s, size_t n, uint32_t cp, size_t *outn)
{
	if (cp == '\t' || cp == '\n' || cp == '\r') {
		*outn = 1;
		return " ";
	}
	if (cp == TEXT_INVALID || text_is_control(cp)) {
		*outn = 3;
		return TEXT_REPLACEMENT;
	}
	*outn = n;
	return s;
}

size_t text_sanitize(const char *in, size_t len, char *out, size_t outsz)
{
	size_t o = 0, i = 0;

	if (outsz == 0)
		return 0;
	while (i < len) {
		uint32_t cp;
		size_t n = text_decode(in + i, len - i, &cp), rn;
		const char *r = text_render(in + i, n, cp, &rn);
		if (o + rn + 1 > outsz)
			break;
		memcpy(out + o, r, rn);
		o += rn;
		i += n;
	}
	out[o] = '\0';
	return o;
}

char *text_sanitize_dup(const char *s)
{
	size_t len = strlen(s);
	size_t cap = len * 3 + 1; /* each byte becomes at most U+FFFD */
	char *out = xmalloc(cap);
	text_sanitize(s, len, out, cap);
	return out;
}

int text_char_width(uint32_t cp)
{
	if (cp == TEXT_INVALID || text_is_control(cp))
		return 1;
	int w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

int text_width_n(const char *s, size_t len)
{
	int w = 0;
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		i += text_decode(s + i, len - i, &cp);
		w += text_char_width(cp);
	}
	return w;
}

int text_width(const char *s)
{
	return text_width_n(s, strlen(s));
}

struct text_out {
	char *buf;
	size_t size, pos;
	bool full;
	int cols;
};

static void text_emit(struct text_out *o, const char *b, size_t n, int cols)
{
	if (o->full || o->pos + n + 1 > o->size) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->pos, b, n);
	o->pos += n;
	o->cols += cols;
}

static void text_spaces(struct text_out *o, int n)
{
	while (n-- > 0)
		text_emit(o, " ", 1, 1);
}

static void text_fit_impl(const char *s, int cols, int flags, struct text_out *o)
{
	size_t len = strlen(s), i = 0, cut = 0;
	int used = 0, budget = cols;
	bool truncated = false;

	if (cols <= 0)
		return;
	if (text_width_n(s, len) > cols) {
		truncated = true;
		if (flags & TEXT_ELLIPSIS)
			budget = cols - 1;
	}
	while (cut < len) {
		uint32_t cp;
		size_t n = text_decode(s + cut, len - cut, &cp);
		int w = text_char_width(cp);
		if (used + w > budget)
			break;
		used += w;
		cut += n;
	}
	int content = used + (truncated && (flags & TEXT_ELLIPSIS) ? 1 : 0);
	int pad = cols - content;
	if (!truncated && !(flags & (TEXT_PAD | TEXT_RIGHT)))
		pad = 0;

	if (flags & TEXT_RIGHT)
		text_spaces(o, pad);
	while (i < cut) {
		uint32_t cp;
		size_t n = text_decode(s + i, cut - i, &cp), rn;
		const char *r = text_render(s + i, n, cp, &rn);
		text_emit(o, r, rn, text_char_width(cp));
		i += n;
	}
	if (truncated && (flags & TEXT_ELLIPSIS))
		text_emit(o, TEXT_ELLIPSIS_STR, strlen(TEXT_ELLIPSIS_STR), 1);
	if (!(flags & TEXT_RIGHT))
		text_spaces(o, pad);
}

int text_fit_width(const char *s, int cols, int flags, char *out, size_t outsz)
{
	struct text_out o = { out, outsz, 0, false, 0 };

	if (outsz == 0)
		return 0;
	text_fit_impl(s, cols, flags, &o);
	out[o.pos] = '\0';
	return o.cols;
}

size_t text_fit(const char *s, int cols, int flags, char *out, size_t outsz)
{
	struct text_out o = { out, outsz, 0, false, 0 };

	if (outsz == 0)
		return 0;
	text_fit_impl(s, cols, flags, &o);
	out[o.pos] = '\0';
	return o.pos;
}

bool text_is_clean(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		i += text_decode(s + i, len - i, &cp);
		if (cp == TEXT_INVALID || text_is_control(cp))
			return false;
	}
	return true;
}

size_t text_codepoints(const char *s, size_t len)
{
	size_t i = 0, n = 0;

	while (i < len) {
		uint32_t cp;
		i += text_decode(s + i, len - i, &cp);
		n++;
	}
	return n;
}

size_t text_copy(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src), i = 0;

	if (n == 0)
		return len;
	while (i < len) {
		uint32_t cp;
		size_t c = text_decode(src + i, len - i, &cp);
		if (i + c + 1 > n)
			break;
		i += c;
	}
	memcpy(dst, src, i);
	dst[i] = '\0';
	return len;
}

size_t text_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}
