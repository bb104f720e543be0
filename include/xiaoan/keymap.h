/* keymap.h — key bindings per view context, in the user's file syntax.
 *
 * A key is an int: a Unicode code point for a character (CJK included,
 * control keys as their C0 code: C-a = 1, Enter = '\n' ...), or
 * KEYMAP_FKEY | <ncurses KEY_* code> for a function key, which is what the
 * console builds from get_wch() returning KEY_CODE_YES.
 *
 * Files (keymaps/default.keys is compiled in; see xiaoan-keymap(5)):
 *     # comment
 *     bind <context> <key> <action>
 *     unbind <context> <key>
 * A lookup in a view's context that finds nothing falls back to generic. */
#ifndef XIAOAN_KEYMAP_H
#define XIAOAN_KEYMAP_H

#include <stddef.h>

#include "xiaoan/action.h"

#define KEYMAP_FKEY 0x40000000
/* Longest key name keymap_key_name() writes, NUL included ("<PgDown>",
 * or a 4-byte UTF-8 character). */
#define KEYMAP_KEY_NAME_MAX 16

enum keymap_context {
	KM_GENERIC,
	KM_DISPATCH,
	KM_SCHOOLS,
	KM_DETAIL,
	KM_SUPERVISOR,
	KM_HELP,
	KM_COUNT
};

struct keymap;

/* Empty keymap (no bindings). Never NULL. */
struct keymap *keymap_new(void);
void keymap_free(struct keymap *km);

/* "generic", "dispatch", ...; NULL out of range. */
const char *keymap_context_name(enum keymap_context ctx);
/* The context by name, or -1. */
int keymap_context_parse(const char *name);
/* A title for the help screen ("dispatch", "case detail"...): a msgid,
 * wrap it in gettext(). NULL out of range. */
const char *keymap_context_title(enum keymap_context ctx);

/* Apply a file's text on top of the current bindings. filename is used in
 * messages only. All or nothing: on any error returns -1 with
 * err = "file:line: message" and km unchanged; 0 on success. */
int keymap_load_string(struct keymap *km, const char *filename, const char *text, char *err,
		       size_t errlen);
/* Same for a file on disk ("path: <strerror>" when it cannot be read). */
int keymap_load_file(struct keymap *km, const char *path, char *err, size_t errlen);

/* The built-in keymaps/default.keys, then keymaps/<flavour>.keys on top
 * ("default", "vi", "emacs"; NULL means "default"). NULL with err set for an
 * unknown flavour. The caller then applies keymap_load_user(). */
struct keymap *keymap_load_default(const char *flavour, char *err, size_t errlen);

/* Apply the user's file, $XDG_CONFIG_HOME/xiaoan/keys (or
 * ~/.config/xiaoan/keys): 0 loaded, 1 there is none, -1 error (err set,
 * km unchanged). */
int keymap_load_user(struct keymap *km, char *err, size_t errlen);

/* The action bound to key in ctx, else in generic, else ACTION_NONE. */
enum action keymap_lookup(const struct keymap *km, enum keymap_context ctx, int key);

/* The keys that reach action from ctx (its own bindings, then generic ones
 * not shadowed by ctx), as "s, <Enter>"; "" if unbound. Always
 * NUL-terminated when n > 0; returns the length it needed (as snprintf). */
size_t keymap_keys_for(const struct keymap *km, enum keymap_context ctx, enum action action,
		       char *buf, size_t n);

/* The file-syntax name of a key: "a", "中", "<Enter>", "<C-x>", "<F5>".
 * Other curses keys are "<KEY-nnn>"; anything no terminal sends (a
 * negative value, a code beyond KEY_MAX) is "<?>". Returns the length (as
 * snprintf), always below KEYMAP_KEY_NAME_MAX. */
size_t keymap_key_name(int key, char *buf, size_t n);
/* The key named s (see keymap_key_name), or -1. */
int keymap_key_parse(const char *s);

/* One line of the help screen. help is the action's msgid (gettext it). */
struct keymap_help_line {
	char keys[64];
	enum action action;
	const char *help;
};

/* Every action reachable from ctx (bound in ctx or in generic), in action
 * table order; fills up to max lines and returns the number there are. */
size_t keymap_help(const struct keymap *km, enum keymap_context ctx, struct keymap_help_line *lines,
		   size_t max);

#endif
