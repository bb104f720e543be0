/* conf.h — the small configuration syntax shared by the programs:
 *
 *   # comment (a line whose first non-blank character is #)
 *   key = value            leading/trailing blanks trimmed; # inside is literal
 *   key = "quoted value"   \" \\ \n \t escapes; may be followed by # comment
 *   key =                  empty value
 *
 * Keys are [A-Za-z0-9_.-]{1,64}. Lines must be valid UTF-8 without control
 * characters (TAB is a blank). Errors read "file:line: message". */
#ifndef XIAOAN_CONF_H
#define XIAOAN_CONF_H

#include <stdbool.h>
#include <stddef.h>

/* Called once per key in file order. Return 0 to go on; anything else stops
 * the load, which then fails with "file:line: <what the callback wrote into
 * err>" (or "invalid value for key" when it wrote nothing). */
typedef int (*conf_cb)(void *ctx, const char *key, const char *value, char *err, size_t errlen);

#define CONF_MAX_FILE (1024 * 1024)

/* Returns 0 when loaded, 1 when path does not exist (err says so), -1 on any
 * other error (err = "file:line: message" or "file: reason"). */
int conf_load(const char *path, conf_cb cb, void *ctx, char *err, size_t errlen);

/* The same over text in memory (built-in defaults); name is used in errors. */
int conf_parse_buffer(const char *name, const char *text, size_t len, conf_cb cb, void *ctx, char *err,
		      size_t errlen);

/* true/yes/on/1 and false/no/off/0, any case. */
bool conf_parse_bool(const char *s, bool *out);
/* A decimal integer (optional sign, nothing else) within [min, max]. */
bool conf_parse_int(const char *s, long min, long max, long *out);
/* A duration: an integer with an optional unit s, m, h or d (default s),
 * e.g. "90", "90s", "5m", "12h"; non-negative, at most 400 days. */
bool conf_parse_duration(const char *s, long *secs);

#endif
