/* text.h — the one display sanitiser and width function.
 *
 * Anything that reaches the terminal passes through text_sanitize() (or
 * text_fit(), which sanitises on the fly): data can never emit escape
 * sequences, reorder the line with bidi controls, or break a row.
 * Widths are display columns as wcwidth() reports them, so callers must have
 * set a UTF-8 LC_CTYPE (setlocale(LC_ALL, "") with C.UTF-8 or similar). */
#ifndef XIAOAN_TEXT_H
#define XIAOAN_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEXT_REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */
#define TEXT_ELLIPSIS_STR "\xE2\x80\xA6" /* U+2026, 1 column */

/* Decode one UTF-8 character from s (len > 0 bytes available). Returns the
 * bytes consumed (>= 1) and stores the code point, or TEXT_INVALID when the
 * bytes are not valid UTF-8 (overlong, surrogate, > U+10FFFF, truncated or a
 * stray continuation byte). An invalid sequence consumes its maximal
 * subpart, so "\xE4\xB8" followed by "A" is one U+FFFD then "A". */
#define TEXT_INVALID UINT32_C(0xFFFFFFFF)
/* Encodes one code point (at most U+10FFFF) as UTF-8 into out; returns
 * the number of bytes (1-4). */
size_t text_encode(uint32_t cp, char out[4]);

size_t text_decode(const char *s, size_t len, uint32_t *cp);

/* True for the code points that must never reach the terminal: C0 controls
 * (TAB and newline included), DEL, C1 controls, bidi controls (U+061C,
 * U+200E, U+200F, U+202A-202E, U+2066-2069), U+2028, U+2029, U+FEFF. */
bool text_is_control(uint32_t cp);

/* Copy in[0..len) to out as valid UTF-8, always NUL-terminated when outsz > 0.
 * Invalid bytes and controls become U+FFFD; TAB, LF and CR become one space.
 * Truncates at a character boundary when out is too small. Returns the bytes
 * written, not counting the NUL. */
size_t text_sanitize(const char *in, size_t len, char *out, size_t outsz);

/* Sanitised malloc'd copy of a NUL-terminated string (never NULL). */
char *text_sanitize_dup(const char *s);

/* Display columns of one code point: wcwidth(), with controls, invalid
 * and unprintable code points counted as 1 (they display as U+FFFD). */
int text_char_width(uint32_t cp);

/* Display columns of a UTF-8 string (sanitised or not: anything that would
 * be replaced counts as the 1-column U+FFFD). CJK = 2, combining marks = 0. */
int text_width(const char *s);
int text_width_n(const char *s, size_t len);

/* text_fit() flags. */
#define TEXT_ELLIPSIS 1 /* end a truncated string with "…" */
#define TEXT_PAD 2      /* pad with spaces to exactly cols */
#define TEXT_RIGHT 4    /* right-align: pad on the left (implies TEXT_PAD) */

/* Copy at most cols display columns of s into out, sanitising as it goes.
 * A character is never split: a 2-column character that does not fit is
 * dropped. A truncated result is always padded with spaces to exactly cols
 * (the dropped half cell becomes a space; with TEXT_RIGHT the pad goes on the
 * left). Stops early, at a character boundary, if out is too small; out is
 * always NUL-terminated when outsz > 0. Returns the bytes written. */
size_t text_fit(const char *s, int cols, int flags, char *out, size_t outsz);

/* Like text_fit(), returning the display columns of the result instead. */
int text_fit_width(const char *s, int cols, int flags, char *out, size_t outsz);

/* Valid UTF-8 with no text_is_control() character: what input fields accept. */
bool text_is_clean(const char *s, size_t len);

/* Number of code points in valid UTF-8 (invalid sequences count as one). */
size_t text_codepoints(const char *s, size_t len);

/* strlcpy that never cuts a UTF-8 character in half: copies as many whole
 * characters of src as fit in dst (size n > 0). Returns strlen(src), so a
 * return value >= n means truncated. */
size_t text_copy(char *dst, size_t n, const char *src);

#endif
