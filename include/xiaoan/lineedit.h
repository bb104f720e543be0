/* lineedit.h — a one-line UTF-8 text editor for prompts and notes.
 *
 * The cursor moves and deletes by character (code point), the display
 * scrolls by display width so a CJK character is never split at the edge.
 * Pure: keys come in as the keymap's int form (a code point, or
 * KEYMAP_FKEY | KEY_xxx for a function key). */
#ifndef XIAOAN_LINEEDIT_H
#define XIAOAN_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 2000 code points of up to 4 bytes (the database's note limit) + NUL. */
#define LINEEDIT_MAX 8001

struct lineedit {
	char buf[LINEEDIT_MAX];
	size_t len;    /* bytes */
	size_t cur;    /* byte offset of the cursor, always on a character boundary */
	size_t max_cp; /* most code points accepted (0: no limit beyond the buffer) */
	size_t scroll; /* byte offset of the first shown character */
};

enum lineedit_result {
	LE_IGNORED,  /* not an editing key */
	LE_CHANGED,  /* text or cursor changed */
	LE_REFUSED,  /* an editing key that could not apply (full, control character) */
	LE_ENTER,
	LE_CANCEL
};

void lineedit_init(struct lineedit *le, const char *text, size_t max_cp);
/* Insert one character: control characters and invalid code points are refused. */
enum lineedit_result lineedit_insert(struct lineedit *le, uint32_t cp);
enum lineedit_result lineedit_key(struct lineedit *le, int key);

/* Horizontal view of cols columns: updates le->scroll so the cursor shows
 * and returns the cursor's column within the view. */
int lineedit_view(struct lineedit *le, int cols);

#endif
