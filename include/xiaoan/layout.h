/* layout.h — fitting table columns to the terminal width, and one cell's
 * text to its column (by display width: CJK counts 2, never split). Pure. */
#ifndef XIAOAN_LAYOUT_H
#define XIAOAN_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "xiaoan/action.h"

#define LAYOUT_OPTIONAL 1 /* dropped (w = 0) when the minimums do not fit */
#define LAYOUT_RIGHT 2    /* right-aligned cell */

struct layout_col {
	const char *title; /* msgid, gettext'd by the caller */
	int min, max;      /* display columns; max 0 = no limit */
	int weight;        /* share of the spare width; 0 = stays at min */
	int flags;
	int x, w;          /* computed: start column and width (w = 0: hidden) */
};

/* Lay the columns out in width columns, one space between shown columns.
 * Optional columns are dropped from the last one backwards until the
 * minimums fit; spare width goes by weight up to each max. Returns the
 * columns used. */
int layout_fit(struct layout_col *cols, size_t n, int width);

/* text fitted to exactly w columns (sanitised, "…" when truncated, padded;
 * right-aligned with LAYOUT_RIGHT). Returns the bytes written. */
size_t layout_cell(const char *text, int w, int flags, char *out, size_t outsz);

/* Moves a list cursor *cur over n rows for a movement action, a page being
 * h rows, and keeps it in 0..n-1. Returns false for any other action. */
bool layout_move(long *cur, long n, long h, enum action a);

#endif
