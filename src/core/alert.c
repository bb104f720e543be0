#include "xiaoan/alert.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "xiaoan/text.h"
#include "xiaoan/util.h"
#include "xiaoan/xtime.h"

static const char *const alert_fields[] = {
	"source_id", "type", "school", "occurred_at", "severity", "summary", "details", "grade",
};
static const char *const alert_severities[] = { "low", "normal", "high", "critical" };
static const char *const alert_grades[] = { "low", "medium", "high" };

XA_PRINTF(3, 4)
static bool alert_fail(struct alert_error *err, const char *field, const char *fmt, ...)
{
	va_list ap;

	text_copy(err->field, sizeof err->field, field);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return false;
}

static bool alert_in(const char *s, size_t len, const char *const *set, size_t nset)
{
	for (size_t i = 0; i < nset; i++)
		if (strlen(set[i]) == len && memcmp(s, set[i], len) == 0)
			return true;
	return false;
}

/* Fetch a string member. Returns 1 if present (s, len set), 0 if absent or
 * (for optional fields) null, -1 after filling err. */
static int alert_get_str(struct json_object *o, const char *key, bool required, const char **s,
			 size_t *len, struct alert_error *err)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || (v == NULL && !required)) {
		if (required) {
			alert_fail(err, key, "missing required field \"%s\"", key);
			return -1;
		}
		return 0;
	}
	if (!json_object_is_type(v, json_type_string)) {
		alert_fail(err, key, "\"%s\" must be a string%s", key,
			   required ? "" : " (or null to leave it out)");
		return -1;
	}
	*s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	return 1;
}

static bool alert_charset(const char *s, size_t len, const char *extra, bool upper_digits)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c >= 'a' && c <= 'z')
			continue;
		if (upper_digits && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			continue;
		if (c != '\0' && strchr(extra, c))
			continue;
		return false;
	}
	return true;
}

/* Depth of nested containers (an object or array counts 1) and whether any
 * string, key or number would be refused by PostgreSQL's jsonb. */
static int alert_depth(struct json_object *v, const char **bad)
{
	int d = 0;

	switch (json_object_get_type(v)) {
	case json_type_object: {
		json_object_object_foreach(v, key, child) {
			(void)key;
			int cd = alert_depth(child, bad);
			if (cd > d)
				d = cd;
		}
		return d + 1;
	}
	case json_type_array: {
		size_t n = json_object_array_length(v);
		for (size_t i = 0; i < n; i++) {
			int cd = alert_depth(json_object_array_get_idx(v, i), bad);
			if (cd > d)
				d = cd;
		}
		return d + 1;
	}
	case json_type_string:
		if (memchr(json_object_get_string(v), '\0', (size_t)json_object_get_string_len(v)))
			*bad = "must not contain \\u0000 in strings (the database cannot store it)";
		return 0;
	case json_type_double:
		if (!isfinite(json_object_get_double(v)))
			*bad = "holds a number too large to store";
		return 0;
	default:
		return 0;
	}
}

static bool alert_details(struct json_object *o, struct alert *a, struct alert_error *err)
{
	struct json_object *v;
	const char *bad = NULL;

	if (!json_object_object_get_ex(o, "details", &v) || v == NULL)
		return true;
	if (!json_object_is_type(v, json_type_object))
		return alert_fail(err, "details", "\"details\" must be a JSON object (or null to leave it out)");
	if (alert_depth(v, &bad) > ALERT_DETAILS_DEPTH)
		return alert_fail(err, "details", "\"details\" nests deeper than %d levels; flatten it",
				  ALERT_DETAILS_DEPTH);
	if (bad)
		return alert_fail(err, "details", "\"details\" %s", bad);
	char *s = xjson_to_string(v);
	size_t n = strlen(s);
	if (n > ALERT_DETAILS_MAX) {
		free(s);
		return alert_fail(err, "details", "\"details\" is %zu bytes serialised; the limit is %d",
				  n, ALERT_DETAILS_MAX);
	}
	a->details_json = s;
	return true;
}

static bool alert_validate_fields(struct json_object *o, struct alert *a, struct alert_error *err)
{
	const char *s = NULL;
	size_t len = 0;
	int r;

	/* Unknown keys first: a misspelt optional field would otherwise be
	 * silently dropped. */
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (!alert_in(key, strlen(key), alert_fields, XA_ARRAY_LEN(alert_fields))) {
			char shown[33];
			text_sanitize(key, strlen(key), shown, sizeof shown);
			return alert_fail(err, shown,
					  "unknown field \"%s\"; allowed: source_id, type, school, occurred_at, "
					  "summary, severity, details, grade",
					  shown);
		}
	}

	if (alert_get_str(o, "source_id", true, &s, &len, err) < 0)
		return false;
	if (len < 1 || len > ALERT_SOURCE_ID_MAX)
		return alert_fail(err, "source_id", "\"source_id\" must be 1 to %d bytes long (got %zu)",
				  ALERT_SOURCE_ID_MAX, len);
	if (!text_is_clean(s, len))
		return alert_fail(err, "source_id", "\"source_id\" must not contain control characters");
	memcpy(a->source_id, s, len);

	if (alert_get_str(o, "type", true, &s, &len, err) < 0)
		return false;
	if (len < 1 || len > 32 || !alert_charset(s, len, "_", false))
		return alert_fail(err, "type", "\"type\" must be 1 to 32 characters of a-z and _ (e.g. gate_open)");
	memcpy(a->type, s, len);

	if (alert_get_str(o, "school", true, &s, &len, err) < 0)
		return false;
	if (len < 1 || len > 32 || !alert_charset(s, len, "._-", true))
		return alert_fail(err, "school",
				  "\"school\" must be the school code: 1 to 32 characters of A-Z a-z 0-9 . _ -");
	memcpy(a->school, s, len);

	if (alert_get_str(o, "occurred_at", true, &s, &len, err) < 0)
		return false;
	if (len != strlen(s) || !xtime_parse_rfc3339(s, &a->occurred_at))
		return alert_fail(err, "occurred_at",
				  "\"occurred_at\" must be an RFC 3339 time with a zone, e.g. 2026-11-24T16:12:05+08:00");

	if (alert_get_str(o, "summary", true, &s, &len, err) < 0)
		return false;
	if (!text_is_clean(s, len))
		return alert_fail(err, "summary",
				  "\"summary\" must be one line of plain text: no control characters "
				  "(newline, tab, escape) or bidi marks");
	size_t cps = text_codepoints(s, len);
	if (len == strspn(s, " "))
		return alert_fail(err, "summary", "\"summary\" must not be empty");
	if (cps > ALERT_SUMMARY_MAX)
		return alert_fail(err, "summary", "\"summary\" has %zu characters; the limit is %d", cps,
				  ALERT_SUMMARY_MAX);
	memcpy(a->summary, s, len);

	r = alert_get_str(o, "severity", false, &s, &len, err);
	if (r < 0)
		return false;
	if (r == 0) {
		strcpy(a->severity, "normal");
	} else {
		if (!alert_in(s, len, alert_severities, XA_ARRAY_LEN(alert_severities)))
			return alert_fail(err, "severity", "\"severity\" must be one of low, normal, high, critical");
		memcpy(a->severity, s, len);
	}

	r = alert_get_str(o, "grade", false, &s, &len, err);
	if (r < 0)
		return false;
	if (r == 1) {
		if (!alert_in(s, len, alert_grades, XA_ARRAY_LEN(alert_grades)))
			return alert_fail(err, "grade", "\"grade\" must be one of low, medium, high");
		memcpy(a->grade, s, len);
	}

	return alert_details(o, a, err);
}

bool alert_validate(struct json_object *o, struct alert *a, struct alert_error *err)
{
	memset(a, 0, sizeof *a);
	if (!json_object_is_type(o, json_type_object))
		return alert_fail(err, "", "each alert must be a JSON object");
	if (alert_validate_fields(o, a, err))
		return true;
	free(a->details_json);
	memset(a, 0, sizeof *a);
	return false;
}

int alert_parse(const char *body, size_t len, struct alert_item **out, size_t *n,
		struct alert_error *err, size_t max_items, bool *is_batch)
{
	char why[160];
	struct json_object *root;

	*out = NULL;
	*n = 0;
	*is_batch = false;
	err->index = -1;
	size_t ws = 0;
	while (ws < len && strchr(" \t\r\n", body[ws]) && body[ws] != '\0')
		ws++;
	if (ws == len) {
		alert_fail(err, "", "the body is empty; send an alert object or an array of them");
		return -1;
	}
	if (xjson_parse(body, len, ALERT_BODY_DEPTH, &root, why, sizeof why) < 0) {
		alert_fail(err, "", "the body is not valid JSON: %s", why);
		return -1;
	}

	size_t count;
	if (json_object_is_type(root, json_type_array)) {
		*is_batch = true;
		count = json_object_array_length(root);
		if (count == 0) {
			alert_fail(err, "", "the batch is empty; send 1 to %zu alerts", max_items);
			json_object_put(root);
			return -1;
		}
		if (count > max_items) {
			alert_fail(err, "", "the batch has %zu alerts; send at most %zu per request", count,
				   max_items);
			json_object_put(root);
			return -1;
		}
	} else if (json_object_is_type(root, json_type_object)) {
		count = 1;
	} else {
		alert_fail(err, "", "the body must be an alert object or an array of alert objects");
		json_object_put(root);
		return -1;
	}

	struct alert_item *items = xcalloc(count, sizeof *items);
	for (size_t i = 0; i < count; i++) {
		struct json_object *o = *is_batch ? json_object_array_get_idx(root, i) : root;
		items[i].err.index = (int)i;
		items[i].ok = alert_validate(o, &items[i].a, &items[i].err);
	}
	json_object_put(root);
	*out = items;
	*n = count;
	return 0;
}

void alert_free_items(struct alert_item *items, size_t n)
{
	if (!items)
		return;
	for (size_t i = 0; i < n; i++)
		free(items[i].a.details_json);
	free(items);
}

size_t alert_count_ok(const struct alert_item *items, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += items[i].ok;
	return k;
}

static void alert_put_str(struct json_object *o, const char *key, const char *val)
{
	struct json_object *s = json_object_new_string(val);
	if (!s || json_object_object_add(o, key, s) != 0) {
		fprintf(stderr, "xiaoan: out of memory building JSON\n");
		abort();
	}
}

static void alert_json_add(struct json_object *arr, struct json_object *o)
{
	if (!o || json_object_array_add(arr, o) != 0) {
		fprintf(stderr, "xiaoan: out of memory building JSON\n");
		abort();
	}
}

/* details_json is our own serialisation of a checked object: it goes out as
 * it is, rather than being parsed back into a tree only to be printed again
 * (a cost per alert at tens of thousands a second). */
static int alert_details_out(struct json_object *jso, struct printbuf *pb, int level, int flags)
{
	const char *raw = json_object_get_userdata(jso);

	(void)level;
	(void)flags;
	return printbuf_memappend(pb, raw, (int)strlen(raw));
}

struct json_object *alert_json(const struct alert *a, const char *producer)
{
	struct json_object *o = json_object_new_object();
	char when[XTIME_RFC3339_SIZE];

	if (!o) {
		fprintf(stderr, "xiaoan: out of memory building JSON\n");
		abort();
	}
	if (producer)
		alert_put_str(o, "producer", producer);
	xtime_format_rfc3339(a->occurred_at, when, sizeof when);
	alert_put_str(o, "source_id", a->source_id);
	alert_put_str(o, "type", a->type);
	alert_put_str(o, "school", a->school);
	alert_put_str(o, "occurred_at", when);
	alert_put_str(o, "severity", a->severity);
	alert_put_str(o, "summary", a->summary);
	if (a->grade[0])
		alert_put_str(o, "grade", a->grade);
	if (a->details_json) {
		struct json_object *d = json_object_new_object();
		if (!d || json_object_object_add(o, "details", d) != 0) {
			fprintf(stderr, "xiaoan: out of memory building JSON\n");
			abort();
		}
		json_object_set_serializer(d, alert_details_out, a->details_json, NULL);
	}
	return o;
}

char *alert_batch_to_json(const struct alert_item *items, size_t n)
{
	struct json_object *arr = json_object_new_array_ext((int)n);

	if (!arr) {
		fprintf(stderr, "xiaoan: out of memory building JSON\n");
		abort();
	}
	for (size_t i = 0; i < n; i++)
		if (items[i].ok)
			alert_json_add(arr, alert_json(&items[i].a, NULL));
	char *s = xjson_to_string(arr);
	json_object_put(arr);
	return s;
}
