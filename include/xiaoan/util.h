/* util.h — allocation wrappers that never return NULL, and a growable string. */
#ifndef XIAOAN_UTIL_H
#define XIAOAN_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#define XA_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define XA_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define XA_NORETURN __attribute__((noreturn))
#else
#define XA_PRINTF(f, a)
#define XA_NORETURN
/* Strict JSON (RFC 8259) in front of json-c, whose tokener even in strict
 * mode accepts single quotes, raw control characters in strings, NaN, lone
 * surrogate escapes and overlong UTF-8, and saturates huge integers. The
 * text is checked first, then handed to json-c. max_depth counts nested
 * objects/arrays (the top-level container is depth 1). Returns 0 with *out
 * a new reference (NULL when the document is just `null`), or -1 with err =
 * "at byte N: reason" (or "empty input"). */
struct json_object;
int xjson_parse(const char *buf, size_t len, int max_depth, struct json_object **out, char *err,
		size_t errlen);

/* Compact serialisation (no "\/" escaping) as a malloc'd string. */
char *xjson_to_string(struct json_object *o);

#endif

/* Out of memory is not recoverable for these programs: the wrappers print a
 * message and abort() instead of returning NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) XA_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) XA_PRINTF(1, 0);

/* Copy src into dst (size n > 0), always NUL-terminated; returns strlen(src)
 * so truncation is detectable as a return value >= n. */
size_t xstrlcpy(char *dst, const char *src, size_t n);

/* Growable string; s is always NUL-terminated once anything was added
 * (after sbuf_init it is NULL with len 0). */
struct sbuf {
	char *s;
	size_t len, cap;
};

void sbuf_init(struct sbuf *b);
void sbuf_add(struct sbuf *b, const char *data, size_t len);
void sbuf_adds(struct sbuf *b, const char *str);
void sbuf_addc(struct sbuf *b, char c);
void sbuf_addf(struct sbuf *b, const char *fmt, ...) XA_PRINTF(2, 3);
void sbuf_vaddf(struct sbuf *b, const char *fmt, va_list ap) XA_PRINTF(2, 0);
/* Empty the string but keep the allocation. */
void sbuf_reset(struct sbuf *b);
/* Hand the string to the caller (never NULL: "" if empty); b is reset. */
char *sbuf_detach(struct sbuf *b);
void sbuf_free(struct sbuf *b);

/* Strict JSON (RFC 8259) in front of json-c, whose tokener even in strict
 * mode accepts single quotes, raw control characters in strings, NaN, lone
 * surrogate escapes and overlong UTF-8, and saturates huge integers. The
 * text is checked first, then handed to json-c. max_depth counts nested
 * objects/arrays (the top-level container is depth 1). Returns 0 with *out
 * a new reference (NULL when the document is just `null`), or -1 with err =
 * "at byte N: reason" (or "empty input"). */
struct json_object;
int xjson_parse(const char *buf, size_t len, int max_depth, struct json_object **out, char *err,
		size_t errlen);

/* Compact serialisation (no "\/" escaping) as a malloc'd string. */
char *xjson_to_string(struct json_object *o);

#endif
