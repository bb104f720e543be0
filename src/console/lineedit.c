#include "xiaoan/lineedit.h"

#include <string.h>

#include <curses.h>

#include "xiaoan/keymap.h"
#include "xiaoan/text.h"

void lineedit_init(struct lineedit *le, const char *text, size_t max_cp)
{
	memset(le, 0, sizeof *le);
	le->max_cp = max_cp;
	if (text) {
		/* Anything pre-filled goes through the same door as typing. */
		size_t n = strlen(text), off = 0;
		while (off < n) {
			uint32_t cp;
			off += text_decode(text + off, n - off, &cp);
			if (cp != TEXT_INVALID)
				lineedit_insert(le, cp);
		}
	}
}

enum lineedit_result lineedit_insert(struct lineedit *le, uint32_t cp)
{
	char enc[4];
	size_t n;

	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || text_is_control(cp))
		return LE_REFUSED;
	if (le->max_cp && text_codepoints(le->buf, le->len) >= le->max_cp)
		return LE_REFUSED;
	n = text_encode(cp, enc);
	if (le->len + n >= sizeof le->buf)
		return LE_REFUSED;
	memmove(le->buf + le->cur + n, le->buf + le->cur, le->len - le->cur);
	memcpy(le->buf + le->cur, enc, n);
	le->len += n;
	le->cur += n;
	le->buf[le->len] = '\0';
	return LE_CHANGED;
}

/* Byte offset of the character before off. */
static size_t lineedit_prev(const struct lineedit *le, size_t off)
{
	if (off == 0)
		return 0;
	off--;
	while (off > 0 && ((unsigned char)le->buf[off] & 0xC0) == 0x80)
		off--;
	return off;
}

static size_t lineedit_next(const struct lineedit *le, size_t off)
{
	uint32_t cp;
	if (off >= le->len)
		return le->len;
	return off + text_decode(le->buf + off, le->len - off, &cp);
}

static void lineedit_cut(struct lineedit *le, size_t from, size_t to)
{
	memmove(le->buf + from, le->buf + to, le->len - to);
	le->len -= to - from;
	le->buf[le->len] = '\0';
	if (le->cur > to)
		le->cur -= to - from;
	else if (le->cur > from)
		le->cur = from;
	if (le->scroll > le->cur)
		le->scroll = le->cur;
}

static bool lineedit_is_space(const struct lineedit *le, size_t off)
{
	return le->buf[off] == ' ';
}

enum lineedit_result lineedit_key(struct lineedit *le, int key)
{
	size_t p;

	switch (key) {
	case '\n':
	case '\r':
	case KEYMAP_FKEY | KEY_ENTER:
		return LE_ENTER;
	case 27:  /* Esc */
	case 7:   /* C-g */
		return LE_CANCEL;
	case KEYMAP_FKEY | KEY_BACKSPACE:
	case 127:
	case 8:
		if (le->cur == 0)
			return LE_REFUSED;
		lineedit_cut(le, lineedit_prev(le, le->cur), le->cur);
		return LE_CHANGED;
	case KEYMAP_FKEY | KEY_DC:
	case 4: /* C-d */
		if (le->cur >= le->len)
			return LE_REFUSED;
		lineedit_cut(le, le->cur, lineedit_next(le, le->cur));
		return LE_CHANGED;
	case KEYMAP_FKEY | KEY_LEFT:
	case 2: /* C-b */
		le->cur = lineedit_prev(le, le->cur);
		return LE_CHANGED;
	case KEYMAP_FKEY | KEY_RIGHT:
	case 6: /* C-f */
		le->cur = lineedit_next(le, le->cur);
		return LE_CHANGED;
	case KEYMAP_FKEY | KEY_HOME:
	case 1: /* C-a */
		le->cur = 0;
		return LE_CHANGED;
	case KEYMAP_FKEY | KEY_END:
	case 5: /* C-e */
		le->cur = le->len;
		return LE_CHANGED;
	case 21: /* C-u: delete to the start */
		lineedit_cut(le, 0, le->cur);
		return LE_CHANGED;
	case 11: /* C-k: delete to the end */
		lineedit_cut(le, le->cur, le->len);
		return LE_CHANGED;
	case 23: /* C-w: delete the word before the cursor */
		p = le->cur;
		while (p > 0 && lineedit_is_space(le, lineedit_prev(le, p)))
			p = lineedit_prev(le, p);
		while (p > 0 && !lineedit_is_space(le, lineedit_prev(le, p)))
			p = lineedit_prev(le, p);
		if (p == le->cur)
			return LE_REFUSED;
		lineedit_cut(le, p, le->cur);
		return LE_CHANGED;
	default:
		if (key & KEYMAP_FKEY)
			return LE_IGNORED;
		if (key < 0x20 || key == 0x7F)
			return LE_IGNORED;
		return lineedit_insert(le, (uint32_t)key);
	}
}

int lineedit_view(struct lineedit *le, int cols)
{
	int w;

	if (cols < 2)
		cols = 2;
	if (le->scroll > le->cur)
		le->scroll = le->cur;
	/* Keep one column free after the cursor for the cursor itself. */
	while ((w = text_width_n(le->buf + le->scroll, le->cur - le->scroll)) > cols - 1)
		le->scroll = lineedit_next(le, le->scroll);
	return w;
}
