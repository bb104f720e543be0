/* log.h — one line per event on stderr (or another fd):
 *
 *   2026-11-24T08:12:05.123Z INFO xiaoan-hub: message
 *
 * Callers log their own data, so the final line is passed through
 * text_sanitize(): control characters (newlines included) can never split a
 * line or reach a terminal as escape sequences. Each line is written with a
 * single write(). errno is preserved. */
#ifndef XIAOAN_LOG_H
#define XIAOAN_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "xiaoan/util.h"

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };

/* Lines below this level are dropped (default LOG_LEVEL_INFO). */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* "debug", "info", "warn"/"warning", "error", any case. */
bool log_parse_level(const char *s, enum log_level *out);
const char *log_level_name(enum log_level level); /* "DEBUG", "INFO", ... */
/* Program name shown after the level (not copied: pass a string literal or
 * something that outlives logging). NULL or "" shows none. */
void log_set_name(const char *prog);
/* Where lines go (default 2, stderr). */
void log_set_fd(int fd);
bool log_enabled(enum log_level level);

void log_msg(enum log_level level, const char *fmt, ...) XA_PRINTF(2, 3);
void log_vmsg(enum log_level level, const char *fmt, va_list ap) XA_PRINTF(2, 0);
void log_debug(const char *fmt, ...) XA_PRINTF(1, 2);
void log_info(const char *fmt, ...) XA_PRINTF(1, 2);
void log_warn(const char *fmt, ...) XA_PRINTF(1, 2);
void log_error(const char *fmt, ...) XA_PRINTF(1, 2);

/* Format a complete line (with the trailing newline) for time_ms without
 * writing it; malloc'd. log_vmsg() uses it; exposed for tests. */
char *log_format_line(int64_t time_ms, enum log_level level, const char *prog, const char *msg);

#endif
