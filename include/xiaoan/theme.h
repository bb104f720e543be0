/* theme.h — colours and attributes of the console's semantic elements.
 *
 * Files (themes/default.theme is compiled in; see xiaoan-theme(5)):
 *     # comment
 *     template = <builtin theme>
 *     <element> = <fg>, <bg>, <attrs>
 * An element neither the file nor its template sets takes its parent's
 * style (third column below: header.alert from header, countdown.* from
 * normal, ...), so a theme that sets only `normal` is still complete. */
#ifndef XIAOAN_THEME_H
#define XIAOAN_THEME_H

#include <stddef.h>

/* X(ENUM_SUFFIX, "name-in-theme-files", PARENT_ENUM_SUFFIX) */
#define XIAOAN_THEME_ELEMENTS(X) \
	X(NORMAL,             "normal",             NORMAL) \
	X(HEADER,             "header",             NORMAL) \
	X(HEADER_ALERT,       "header.alert",       HEADER) \
	X(STATUS,             "status",             NORMAL) \
	X(STATUS_KEY,         "status.key",         STATUS) \
	X(TITLE,              "title",              NORMAL) \
	X(LABEL,              "label",              NORMAL) \
	X(DIM,                "dim",                NORMAL) \
	X(BORDER,             "border",             NORMAL) \
	X(SELECTED,           "selected",           NORMAL) \
	X(MARKED,             "marked",             NORMAL) \
	X(NEW,                "new",                NORMAL) \
	X(COUNTDOWN_OK,       "countdown.ok",       NORMAL) \
	X(COUNTDOWN_DUE_SOON, "countdown.due-soon", NORMAL) \
	X(COUNTDOWN_OVERDUE,  "countdown.overdue",  NORMAL) \
	X(COUNTDOWN_MET,      "countdown.met",      NORMAL) \
	X(COUNTDOWN_NONE,     "countdown.none",     NORMAL) \
	X(STATE_NEW,          "state.new",          NORMAL) \
	X(STATE_SIGNED,       "state.signed",       NORMAL) \
	X(STATE_IN_PROGRESS,  "state.in-progress",  NORMAL) \
	X(STATE_CLOSED,       "state.closed",       NORMAL) \
	X(STATE_CONFIRMED,    "state.confirmed",    NORMAL) \
	X(SEVERITY_HIGH,      "severity.high",      NORMAL) \
	X(SEVERITY_CRITICAL,  "severity.critical",  SEVERITY_HIGH) \
	X(SUPERVISED,         "supervised",         NORMAL) \
	X(CONN_LIVE,          "conn.live",          HEADER) \
	X(CONN_RECONNECTING,  "conn.reconnecting",  HEADER_ALERT) \
	X(CONN_STALE,         "conn.stale",         HEADER_ALERT) \
	X(MESSAGE_INFO,       "message.info",       STATUS) \
	X(MESSAGE_ERROR,      "message.error",      STATUS) \
	X(FILTER,             "filter",             STATUS) \
	X(PROMPT,             "prompt",             STATUS) \
	X(CHART_BAR,          "chart.bar",          NORMAL) \
	X(CHART_SPARK,        "chart.spark",        CHART_BAR) \
	X(HELP_KEY,           "help.key",           NORMAL)

#define XIAOAN_THEME_ENUM_(id, name, parent) TH_##id,
enum theme_element {
	XIAOAN_THEME_ELEMENTS(XIAOAN_THEME_ENUM_)
	TH_COUNT
};
#undef XIAOAN_THEME_ENUM_

#define THEME_BOLD      0x01u
#define THEME_DIM       0x02u
#define THEME_UNDERLINE 0x04u
#define THEME_REVERSE   0x08u
#define THEME_BLINK     0x10u
#define THEME_STANDOUT  0x20u
#define THEME_ITALIC    0x40u

#define THEME_COLOR_DEFAULT (-1)

struct theme_style {
	short fg, bg;   /* THEME_COLOR_DEFAULT (-1) = terminal default, else 0..255 */
	unsigned attrs; /* THEME_* bits */
};

struct theme {
	char name[64];
	struct theme_style el[TH_COUNT];
};

/* "normal", "countdown.overdue"...; NULL out of range. */
const char *theme_element_name(enum theme_element e);
/* The element by name, or -1. */
int theme_element_parse(const char *name);
/* The element an unset element inherits from (TH_NORMAL for TH_NORMAL). */
enum theme_element theme_element_parent(enum theme_element e);

/* Load a theme from text. The theme starts as the terminal's defaults
 * (every element default/default/no attrs; a `template =` line replaces
 * it with a builtin), then the lines set elements and unset ones inherit.
 * name = filename's base name without ".theme". All or nothing: returns -1
 * with err = "file:line: message" and t unchanged, or 0. */
int theme_load_string(struct theme *t, const char *filename, const char *text, char *err,
		      size_t errlen);
/* Same for a file on disk ("path: <strerror>" when it cannot be read). */
int theme_load_file(struct theme *t, const char *path, char *err, size_t errlen);
/* A shipped theme: "default", "light", "high-contrast", "mono". */
int theme_load_builtin(struct theme *t, const char *name, char *err, size_t errlen);

/* What a user names: a path (anything with a '/' or ending in ".theme")
 * is read as a file; a
 * plain name is $XDG_CONFIG_HOME/xiaoan/themes/<name>.theme (or
 * ~/.config/xiaoan/themes/...) when that file exists, else the shipped
 * theme of that name. NULL or "" means "default". */
int theme_load_named(struct theme *t, const char *name, char *err, size_t errlen);

/* Colour by name ("red", "bright-red", "color202", "202", "default"):
 * -1..255 stored in *out, returns 0; -1 if not a colour. */
int theme_color_parse(const char *s, short *out);

#endif
