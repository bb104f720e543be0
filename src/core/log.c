#include "xiaoan/log.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "xiaoan/text.h"
#include "xiaoan/xtime.h"

static enum log_level log_level = LOG_LEVEL_INFO;
static const char *log_name;
static int log_fd = 2;

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

bool log_parse_level(const char *s, enum log_level *out)
{
	static const struct {
		const char *name;
		enum log_level level;
	} names[] = {
		{ "debug", LOG_LEVEL_DEBUG }, { "info", LOG_LEVEL_INFO },   { "warn", LOG_LEVEL_WARN },
		{ "warning", LOG_LEVEL_WARN }, { "error", LOG_LEVEL_ERROR },
	};
	for (size_t i = 0; i < XA_ARRAY_LEN(names); i++) {
		if (strcasecmp(s, names[i].name) == 0) {
			*out = names[i].level;
			return true;
		}
	}
	return false;
}

const char *log_level_name(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_DEBUG:
		return "DEBUG";
	case LOG_LEVEL_INFO:
		return "INFO";
	case LOG_LEVEL_WARN:
		return "WARN";
	case LOG_LEVEL_ERROR:
		return "ERROR";
	}
	return "?";
}

void log_set_name(const char *prog)
{
	log_name = prog;
}

void log_set_fd(int fd)
{
	log_fd = fd;
}

bool log_enabled(enum log_level level)
{
	return level >= log_level;
}

char *log_format_line(int64_t time_ms, enum log_level level, const char *prog, const char *msg)
{
	char when[XTIME_RFC3339_SIZE];
	int64_t secs = time_ms / 1000, ms = time_ms % 1000;
	if (ms < 0) {
		ms += 1000;
		secs--;
	}
	size_t n = xtime_format_rfc3339(secs, when, sizeof when);
	if (n > 0)
		when[n - 1] = '\0'; /* drop the Z: milliseconds go before it */

	char *raw = prog && prog[0] ? xasprintf("%s.%03dZ %s %s: %s", when, (int)ms, log_level_name(level), prog, msg)
				    : xasprintf("%s.%03dZ %s %s", when, (int)ms, log_level_name(level), msg);
	size_t len = strlen(raw), cap = len * 3 + 2;
	char *line = xmalloc(cap);
	size_t out = text_sanitize(raw, len, line, cap - 1);
	line[out] = '\n';
	line[out + 1] = '\0';
	free(raw);
	return line;
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	if (!log_enabled(level))
		return;
	int saved = errno;
	char *msg = xvasprintf(fmt, ap);
	char *line = log_format_line(xtime_now_ms(), level, log_name, msg);
	size_t len = strlen(line), off = 0;
	while (off < len) {
		ssize_t w = write(log_fd, line + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break; /* nowhere left to report a failing log */
		off += (size_t)w;
	}
	free(line);
	free(msg);
	errno = saved;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

#define LOG_FN(name, level)                    \
	void name(const char *fmt, ...)        \
	{                                      \
		va_list ap;                    \
		va_start(ap, fmt);             \
		log_vmsg(level, fmt, ap);      \
		va_end(ap);                    \
	}

LOG_FN(log_debug, LOG_LEVEL_DEBUG)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_warn, LOG_LEVEL_WARN)
LOG_FN(log_error, LOG_LEVEL_ERROR)
