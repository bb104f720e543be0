/* palette.h — a theme turned into curses attributes.
 *
 * Call palette_init() after initscr()/newterm() (and start_color() is done
 * here when colour is used). With 8 or 16 colours, 256-colour values map to
 * the nearest of the 8 basic ones (a bright one shown with bold on 8);
 * without colour only the attributes are used, which is why every theme
 * makes the urgent elements stand out by attribute too. */
#ifndef XIAOAN_PALETTE_H
#define XIAOAN_PALETTE_H

#include <stdbool.h>

#include <curses.h>

#include "xiaoan/theme.h"

/* use_colour false (NO_COLOR, --no-color, or a terminal without colours)
 * means attributes only. Can be called again (theme switch, reload). */
void palette_init(const struct theme *t, bool use_colour);

/* COLOR_PAIR(n) | attributes of the element, for wattr_set()/wattron()
 * (A_NORMAL before palette_init). */
attr_t palette_attr(enum theme_element e);

/* The colour pair number of the element (0 when colour is off), for
 * wattr_set()'s pair argument and setcchar(). */
short palette_pair(enum theme_element e);

/* True when NO_COLOR is set to a non-empty value (no-color.org). */
bool palette_no_color_env(void);

/* The number of colours palette_init() settled on: 0, 8, 16 or 256. */
int palette_colours(void);

#endif
