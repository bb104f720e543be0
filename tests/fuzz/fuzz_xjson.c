/* fuzz_xjson.c — xjson_parse(), the strict JSON front of json-c that every
 * network parser goes through. What it accepts, serialised with
 * xjson_to_string(), must parse again to the same text (json-c must never
 * be handed something it reads differently), and a document accepted at a
 * depth limit must be accepted at any larger one. */
#include "fuzz.h"

#include <string.h>

#include <json.h>

#include "xiaoan/util.h"

#define FUZZ_XJSON_DEPTH 32

static void fuzz_xjson_error(const char *err, size_t input_len)
{
	FUZZ_CHECK(fuzz_terminated(err, 160));
	if (strcmp(err, "empty input") == 0 || strcmp(err, "input too large") == 0)
		return;
	size_t at;
	int used = 0;
	FUZZ_CHECK(sscanf(err, "at byte %zu: %n", &at, &used) == 1 && used > 0);
	FUZZ_CHECK(at <= input_len);
	FUZZ_CHECK(err[used] != '\0');
}

/* Parse at depth, serialise, parse the serialisation: same text. Returns
 * the serialisation (malloc'd) or NULL when the input was refused. */
static char *fuzz_xjson_at(const char *buf, size_t len, int depth)
{
	struct json_object *o = (struct json_object *)1, *again;
	char err[160];

	if (xjson_parse(buf, len, depth, &o, err, sizeof err) != 0) {
		FUZZ_CHECK(o == NULL);
		fuzz_xjson_error(err, len);
		return NULL;
	}
	char *s = xjson_to_string(o);
	json_object_put(o);
	size_t n = strlen(s);
	FUZZ_CHECK(xjson_parse(s, n, depth, &again, err, sizeof err) == 0);
	char *s2 = xjson_to_string(again);
	json_object_put(again);
	FUZZ_CHECK(strcmp(s, s2) == 0);
	free(s2);
	return s;
}

static void fuzz_xjson(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	/* A small limit taken from the size, so that every limit is tried. */
	int small = 1 + (int)(size % 8);

	char *deep = fuzz_xjson_at(buf, size, FUZZ_XJSON_DEPTH);
	char *shallow = fuzz_xjson_at(buf, size, small);
	if (shallow) {
		FUZZ_CHECK(deep != NULL);
		FUZZ_CHECK(strcmp(deep, shallow) == 0);
	}
	free(deep);
	free(shallow);
}

FUZZ_ENTRY(fuzz_xjson)
