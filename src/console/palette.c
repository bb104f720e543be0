/* palette.c — theme styles as curses colour pairs and attributes. */
#include "xiaoan/palette.h"

#include <stdlib.h>

static attr_t palette_attrs[TH_COUNT];
static short palette_pairs[TH_COUNT];
static int palette_ncolours;

bool palette_no_color_env(void)
{
	const char *v = getenv("NO_COLOR");
	return v && v[0];
}

int palette_colours(void)
{
	return palette_ncolours;
}

/* The xterm palette, to measure which basic colour is nearest. */
static void palette_rgb(int c, int rgb[3])
{
	static const unsigned char basic[16][3] = {
		{ 0, 0, 0 },       { 205, 0, 0 },     { 0, 205, 0 },     { 205, 205, 0 },
		{ 0, 0, 238 },     { 205, 0, 205 },   { 0, 205, 205 },   { 229, 229, 229 },
		{ 127, 127, 127 }, { 255, 0, 0 },     { 0, 255, 0 },     { 255, 255, 0 },
		{ 92, 92, 255 },   { 255, 0, 255 },   { 0, 255, 255 },   { 255, 255, 255 },
	};
	static const int cube[6] = { 0, 95, 135, 175, 215, 255 };

	if (c < 16) {
		for (int i = 0; i < 3; i++)
			rgb[i] = basic[c][i];
	} else if (c < 232) {
		c -= 16;
		rgb[0] = cube[c / 36];
		rgb[1] = cube[(c / 6) % 6];
		rgb[2] = cube[c % 6];
	} else {
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
	}
}

static short palette_nearest(int c, int ncolours)
{
	int want[3], have[3];
	long best = -1;
	short pick = 0;

	palette_rgb(c, want);
	for (int i = 0; i < ncolours; i++) {
		palette_rgb(i, have);
		long d = 0;
		for (int k = 0; k < 3; k++)
			d += (long)(want[k] - have[k]) * (want[k] - have[k]);
		if (best < 0 || d < best) {
			best = d;
			pick = (short)i;
		}
	}
	return pick;
}

/* The nearest of the 8 basic colours by distance picks yellow for mid
 * grey and red for orange-brown; by channel it is what a reader expects:
 * a grey is light or dark, a hue keeps the channels that are lit. */
static short palette_to8(int c)
{
	int rgb[3];

	palette_rgb(c, rgb);
	if (rgb[0] == rgb[1] && rgb[1] == rgb[2])
		return rgb[0] >= 0x80 ? COLOR_WHITE : COLOR_BLACK;
	return (short)((rgb[0] >= 0x80 ? 1 : 0) | (rgb[1] >= 0x80 ? 2 : 0) | (rgb[2] >= 0x80 ? 4 : 0));
}

/* A 256-colour value on a terminal with fewer colours. On 8 colours the
 * bright half becomes its basic colour shown bold (for a foreground). */
static short palette_map(short c, int ncolours, bool fg, attr_t *extra)
{
	if (c < 0 || c < ncolours)
		return c;
	if (ncolours == 8) {
		if (c >= 9 && c <= 15) {
			if (fg)
				*extra |= A_BOLD;
			return (short)(c - 8);
		}
		return palette_to8(c);
	}
	return palette_nearest(c, ncolours);
}

static attr_t palette_theme_attrs(unsigned a)
{
	attr_t r = A_NORMAL;

	if (a & THEME_BOLD)
		r |= A_BOLD;
	if (a & THEME_DIM)
		r |= A_DIM;
	if (a & THEME_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & THEME_REVERSE)
		r |= A_REVERSE;
	if (a & THEME_BLINK)
		r |= A_BLINK;
	if (a & THEME_STANDOUT)
		r |= A_STANDOUT;
#ifdef A_ITALIC
	if (a & THEME_ITALIC)
		r |= A_ITALIC;
#endif
	return r;
}

/* Elements with the same colours share a pair: terminals such as the
 * Linux console offer only 64. Returns 0 (the default pair) when full. */
static short palette_pair_for(short fg, short bg, short *used_fg, short *used_bg, int *npairs)
{
	if (fg == -1 && bg == -1)
		return 0;
	for (int p = 1; p <= *npairs; p++)
		if (used_fg[p] == fg && used_bg[p] == bg)
			return (short)p;
	if (*npairs + 1 >= COLOR_PAIRS || *npairs + 1 > TH_COUNT)
		return 0;
	(*npairs)++;
	if (init_pair((short)*npairs, fg, bg) == ERR) {
		(*npairs)--;
		return 0;
	}
	used_fg[*npairs] = fg;
	used_bg[*npairs] = bg;
	return (short)*npairs;
}

void palette_init(const struct theme *t, bool use_colour)
{
	short used_fg[TH_COUNT + 1], used_bg[TH_COUNT + 1];
	int npairs = 0;
	bool defaults_ok = false;

	palette_ncolours = 0;
	if (use_colour && has_colors() && start_color() == OK) {
		defaults_ok = use_default_colors() == OK;
		palette_ncolours = COLORS >= 256 ? 256 : COLORS >= 16 ? 16 : COLORS >= 8 ? 8 : 0;
	}
	for (int e = 0; e < TH_COUNT; e++) {
		const struct theme_style *st = &t->el[e];
		attr_t a = palette_theme_attrs(st->attrs);
		short pair = 0;

		if (palette_ncolours == 0) {
			/* Without colour a background of its own becomes reverse
			 * video: selected rows, headers and overdue cells stay
			 * visible. */
			if (st->bg != t->el[TH_NORMAL].bg && !(st->attrs & THEME_REVERSE))
				a |= A_REVERSE;
		} else {
			short fg = palette_map(st->fg, palette_ncolours, true, &a);
			short bg = palette_map(st->bg, palette_ncolours, false, &a);
			/* Two colours mapped onto one would hide the text. */
			if (fg == bg && fg >= 0 && st->fg != st->bg)
				fg = bg == COLOR_BLACK ? COLOR_WHITE : COLOR_BLACK;
			if (!defaults_ok) {
				if (fg < 0)
					fg = COLOR_WHITE;
				if (bg < 0)
					bg = COLOR_BLACK;
			}
			pair = palette_pair_for(fg, bg, used_fg, used_bg, &npairs);
		}
		palette_pairs[e] = pair;
		palette_attrs[e] = a | COLOR_PAIR(pair);
	}
}

attr_t palette_attr(enum theme_element e)
{
	if ((unsigned)e >= TH_COUNT)
		return A_NORMAL;
	return palette_attrs[e];
}

short palette_pair(enum theme_element e)
{
	if ((unsigned)e >= TH_COUNT)
		return 0;
	return palette_pairs[e];
}
