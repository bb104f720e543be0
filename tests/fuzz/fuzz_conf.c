/* fuzz_conf.c — a configuration file through conf_parse_buffer(), the reader
 * of hub.conf and the console's config. Keys handed to the callback match
 * [A-Za-z0-9_.-]{1,64}; values are valid UTF-8 whose only controls are the
 * TAB and newline a quoted value may spell; errors read "file:line: ..."
 * with a line that exists. A callback refusal (key "stop" with a message,
 * "refuse" without) ends the load. Every value also goes through the bool,
 * int and duration readers, which must keep to their ranges. */
#include "fuzz.h"

#include <stdbool.h>
#include <string.h>

#include "xiaoan/conf.h"
#include "xiaoan/text.h"

#define FUZZ_CONF_NAME "fuzz.conf"

struct fuzz_conf_ctx {
	size_t calls;
};

static void fuzz_conf_value(const char *v)
{
	size_t len = strlen(v), i = 0;

	while (i < len) {
		uint32_t cp;
		i += text_decode(v + i, len - i, &cp);
		FUZZ_CHECK(cp != TEXT_INVALID);
		FUZZ_CHECK(cp == '\t' || cp == '\n' || !text_is_control(cp));
	}

	bool b;
	long n;
	if (conf_parse_int(v, -1000, 1000, &n))
		FUZZ_CHECK(n >= -1000 && n <= 1000);
	if (conf_parse_duration(v, &n))
		FUZZ_CHECK(n >= 0 && n <= 400L * 86400);
	(void)conf_parse_bool(v, &b);
}

static int fuzz_conf_cb(void *ctx, const char *key, const char *value, char *err, size_t errlen)
{
	struct fuzz_conf_ctx *c = ctx;
	size_t klen = strlen(key);

	c->calls++;
	FUZZ_CHECK(klen >= 1 && klen <= 64);
	FUZZ_CHECK(strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == klen);
	fuzz_conf_value(value);
	if (strcmp(key, "stop") == 0) {
		snprintf(err, errlen, "stopped at \"%s\"", value);
		return 1;
	}
	return strcmp(key, "refuse") == 0 ? -1 : 0;
}

static void fuzz_conf(const uint8_t *data, size_t size)
{
	struct fuzz_conf_ctx ctx = { 0 };
	char err[512];
	size_t lines = 1;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	memset(err, 0, sizeof err);
	int rc = conf_parse_buffer(FUZZ_CONF_NAME, (const char *)data, size, fuzz_conf_cb, &ctx, err,
				   sizeof err);
	FUZZ_CHECK(rc == 0 || rc == -1);
	FUZZ_CHECK(ctx.calls <= lines);
	if (rc == 0)
		return;
	FUZZ_CHECK(fuzz_terminated(err, sizeof err));
	size_t line = 0;
	int used = 0;
	FUZZ_CHECK(sscanf(err, FUZZ_CONF_NAME ":%zu: %n", &line, &used) == 1 && used > 0);
	FUZZ_CHECK(line >= 1 && line <= lines && err[used] != '\0');
}

FUZZ_ENTRY(fuzz_conf)
