#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json.h>

#include "xiaoan/alert.h"
#include "xiaoan/util.h"

#define F_SRC "\"source_id\":\"gw-1\""
#define F_TYPE "\"type\":\"gate_open\""
#define F_SCHOOL "\"school\":\"S001\""
#define F_AT "\"occurred_at\":\"2026-11-24T16:12:05+08:00\""
#define F_SUM "\"summary\":\"东门开启超过120秒\""
#define OKF F_SRC "," F_TYPE "," F_SCHOOL "," F_AT "," F_SUM
#define OBJ "{" OKF "}"
#define NOSRC F_TYPE "," F_SCHOOL "," F_AT "," F_SUM
#define NOTYPE F_SRC "," F_SCHOOL "," F_AT "," F_SUM
#define NOSCHOOL F_SRC "," F_TYPE "," F_AT "," F_SUM
#define NOAT F_SRC "," F_TYPE "," F_SCHOOL "," F_SUM
#define NOSUM F_SRC "," F_TYPE "," F_SCHOOL "," F_AT
#define A8 "aaaaaaaa"
#define A32 A8 A8 A8 A8
#define A128 A32 A32 A32 A32
#define D9 "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":1}}}}}}}}}"
#define D8 "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":1}}}}}}}}"

#define MAX_ITEMS 3

struct bad_case {
	const char *body;
	size_t len; /* 0: strlen(body) */
	int index;  /* -1: whole body, else the failing item */
	const char *field;
	const char *msg_part;
};

static const struct bad_case bad[] = {
	/* the body as a whole */
	{ "", 0, -1, "", "empty" },
	{ " \r\n\t", 0, -1, "", "empty" },
	{ "{", 0, -1, "", "end of input" },
	{ "{\"source_id\":", 0, -1, "", "end of input" },
	{ "{\"source_id\":\"gw", 0, -1, "", "end of input" },
	{ "not json", 0, -1, "", "unexpected character" },
	{ OBJ " x", 0, -1, "", "after the JSON value" },
	{ OBJ "{}", 0, -1, "", "after the JSON value" },
	{ "[]", 0, -1, "", "batch is empty" },
	{ "[" OBJ "," OBJ "," OBJ "," OBJ "]", 0, -1, "", "at most 3" },
	{ "42", 0, -1, "", "alert object" },
	{ "\"gate_open\"", 0, -1, "", "alert object" },
	{ "null", 0, -1, "", "alert object" },
	{ "{\"source_id\":\"\xc0\xaf\"}", 0, -1, "", "invalid UTF-8" },
	{ "{\"source_id\":\"\xed\xa0\x80\"}", 0, -1, "", "invalid UTF-8" },
	{ "{\"source_id\":\"\xe4\xb8\"}", 0, -1, "", "invalid UTF-8" },
	{ "{'source_id':'gw-1'}", 0, -1, "", "member name" },
	{ "{" OKF ",}", 0, -1, "", "trailing comma" },
	{ "{\"source_id\":\"a\x01" "b\"}", 0, -1, "", "control character" },
	{ "{\"summary\":\"\\ud800\"}", 0, -1, "", "surrogate" },
	{ "{\"x\":NaN}", 0, -1, "", "unexpected character" },
	{ "{\"x\":012}", 0, -1, "", "leading zero" },
	{ "{\"x\":99999999999999999999}", 0, -1, "", "out of range" },
	{ "{\"x\":\"\\q\"}", 0, -1, "", "invalid escape" },
	{ OBJ "\0", sizeof(OBJ), -1, "", "after the JSON value" },
	/* one alert */
	{ "{" NOSRC "}", 0, 0, "source_id", "missing required field" },
	{ "{\"source_id\":\"\"," NOSRC "}", 0, 0, "source_id", "1 to 128" },
	{ "{\"source_id\":\"" A128 "a\"," NOSRC "}", 0, 0, "source_id", "got 129" },
	{ "{\"source_id\":5," NOSRC "}", 0, 0, "source_id", "must be a string" },
	{ "{\"source_id\":null," NOSRC "}", 0, 0, "source_id", "must be a string" },
	{ "{\"source_id\":\"gw\\u001b[2J\"," NOSRC "}", 0, 0, "source_id", "control" },
	{ "{\"source_id\":\"gw\\u0000\"," NOSRC "}", 0, 0, "source_id", "control" },
	{ "{\"type\":\"Gate-Open\"," NOTYPE "}", 0, 0, "type", "a-z and _" },
	{ "{\"type\":\"" A32 "a\"," NOTYPE "}", 0, 0, "type", "1 to 32" },
	{ "{\"type\":\"\"," NOTYPE "}", 0, 0, "type", "1 to 32" },
	{ "{\"type\":[\"gate_open\"]," NOTYPE "}", 0, 0, "type", "must be a string" },
	{ "{" NOTYPE "}", 0, 0, "type", "missing" },
	{ "{\"school\":\"S 001\"," NOSCHOOL "}", 0, 0, "school", "school code" },
	{ "{\"school\":\"学校\"," NOSCHOOL "}", 0, 0, "school", "school code" },
	{ "{" NOSCHOOL "}", 0, 0, "school", "missing" },
	{ "{\"occurred_at\":\"2026-02-30T00:00:00Z\"," NOAT "}", 0, 0, "occurred_at", "RFC 3339" },
	{ "{\"occurred_at\":\"2026-11-24T16:12:05\"," NOAT "}", 0, 0, "occurred_at", "RFC 3339" },
	{ "{\"occurred_at\":1795507925," NOAT "}", 0, 0, "occurred_at", "must be a string" },
	{ "{\"occurred_at\":\"2026-11-24T08:12:05Z\\u0000x\"," NOAT "}", 0, 0, "occurred_at", "RFC 3339" },
	{ "{\"summary\":\"\"," NOSUM "}", 0, 0, "summary", "must not be empty" },
	{ "{\"summary\":\"   \"," NOSUM "}", 0, 0, "summary", "must not be empty" },
	{ "{\"summary\":\"line1\\nline2\"," NOSUM "}", 0, 0, "summary", "control" },
	{ "{\"summary\":\"x\\u202egnp.exe\"," NOSUM "}", 0, 0, "summary", "bidi" },
	{ "{\"summary\":\"\x1b[2J\"," NOSUM "}", 0, -1, "", "control character" },
	{ "{\"summary\":true," NOSUM "}", 0, 0, "summary", "must be a string" },
	{ "{" NOSUM "}", 0, 0, "summary", "missing" },
	{ "{" OKF ",\"severity\":\"urgent\"}", 0, 0, "severity", "low, normal, high, critical" },
	{ "{" OKF ",\"severity\":3}", 0, 0, "severity", "must be a string" },
	{ "{" OKF ",\"grade\":\"extreme\"}", 0, 0, "grade", "low, medium, high" },
	{ "{" OKF ",\"details\":\"x\"}", 0, 0, "details", "JSON object" },
	{ "{" OKF ",\"details\":[]}", 0, 0, "details", "JSON object" },
	{ "{" OKF ",\"details\":" D9 "}", 0, 0, "details", "deeper than 8" },
	{ "{" OKF ",\"details\":{\"k\":\"a\\u0000b\"}}", 0, 0, "details", "\\u0000" },
	{ "{" OKF ",\"details\":{\"k\":1e999}}", 0, 0, "details", "too large" },
	{ "{" OKF ",\"sevrity\":\"high\"}", 0, 0, "sevrity", "unknown field \"sevrity\"" },
	{ "{\"a\\u001bb\":1," OKF "}", 0, 0, "a\xEF\xBF\xBD" "b", "unknown field" },
	{ "[" OBJ ",{" OKF ",\"type\":1}]", 0, 1, "type", "must be a string" },
	{ "[" OBJ "," OBJ ",5]", 0, 2, "", "must be a JSON object" },
};

static void test_bad_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < XA_ARRAY_LEN(bad); i++) {
		const struct bad_case *c = &bad[i];
		size_t len = c->len ? c->len : strlen(c->body);
		struct alert_item *items = (void *)1;
		size_t n = 99;
		bool batch;
		struct alert_error err;
		memset(&err, 0x55, sizeof err);
		int r = alert_parse(c->body, len, &items, &n, &err, MAX_ITEMS, &batch);
		if (r < 0 && (c->index >= 0 || strstr(err.message, c->msg_part) == NULL))
			print_error("case %zu: err={%d,%s,%s}\n", i, err.index, err.field, err.message);
		if (c->index < 0) {
			assert_int_equal(r, -1);
			assert_int_equal(err.index, -1);
			assert_string_equal(err.field, c->field);
			assert_non_null(strstr(err.message, c->msg_part));
			assert_null(items);
			assert_int_equal(n, 0);
			continue;
		}
		assert_int_equal(r, 0);
		assert_true((size_t)c->index < n);
		for (size_t k = 0; k < n; k++) {
			if (k != (size_t)c->index) {
				assert_true(items[k].ok);
				continue;
			}
			const struct alert_error *e = &items[k].err;
			if (items[k].ok || strcmp(e->field, c->field) != 0 || !strstr(e->message, c->msg_part))
				print_error("case %zu item %zu: ok=%d {%d,%s,%s}\n", i, k, items[k].ok, e->index,
					    e->field, e->message);
			assert_false(items[k].ok);
			assert_int_equal(e->index, c->index);
			assert_string_equal(e->field, c->field);
			assert_non_null(strstr(e->message, c->msg_part));
			assert_null(items[k].a.details_json);
		}
		alert_free_items(items, n);
	}
}

static void test_good_single(void **state)
{
	(void)state;
	const char *body = "{\"source_id\":\"gw-1#77\",\"type\":\"gate_open\",\"school\":\"fh.S-001_a\","
			   "\"occurred_at\":\"2026-11-24T16:12:05.5+08:00\",\"severity\":\"critical\","
			   "\"summary\":\"东门开启超过120秒\",\"grade\":\"high\","
			   "\"details\":{\"gate\":\"east\",\"open_secs\":131,\"cams\":[1,2],\"x\":{\"y\":null}}}";
	struct alert_item *items;
	size_t n;
	bool batch = true;
	struct alert_error err;
	assert_int_equal(alert_parse(body, strlen(body), &items, &n, &err, MAX_ITEMS, &batch), 0);
	assert_false(batch);
	assert_int_equal(n, 1);
	assert_true(items[0].ok);
	const struct alert *a = &items[0].a;
	assert_string_equal(a->source_id, "gw-1#77");
	assert_string_equal(a->type, "gate_open");
	assert_string_equal(a->school, "fh.S-001_a");
	assert_int_equal(a->occurred_at, 1795507925);
	assert_string_equal(a->severity, "critical");
	assert_string_equal(a->summary, "东门开启超过120秒");
	assert_string_equal(a->grade, "high");
	assert_string_equal(a->details_json, "{\"gate\":\"east\",\"open_secs\":131,\"cams\":[1,2],\"x\":{\"y\":null}}");
	char *json = alert_batch_to_json(items, n);
	assert_string_equal(json,
			    "[{\"source_id\":\"gw-1#77\",\"type\":\"gate_open\",\"school\":\"fh.S-001_a\","
			    "\"occurred_at\":\"2026-11-24T08:12:05Z\",\"severity\":\"critical\","
			    "\"summary\":\"东门开启超过120秒\",\"grade\":\"high\","
			    "\"details\":{\"gate\":\"east\",\"open_secs\":131,\"cams\":[1,2],\"x\":{\"y\":null}}}]");
	free(json);
	alert_free_items(items, n);
}

static void test_good_batch_defaults_and_nulls(void **state)
{
	(void)state;
	const char *body = " [ " OBJ ", {" OKF ",\"severity\":null,\"grade\":null,\"details\":null},"
			   "{" OKF ",\"type\":\"bad type\"}, {" OKF ",\"details\":" D8 "} ] \n";
	struct alert_item *items;
	size_t n;
	bool batch = false;
	struct alert_error err;
	assert_int_equal(alert_parse(body, strlen(body), &items, &n, &err, 4, &batch), 0);
	assert_true(batch);
	assert_int_equal(n, 4);
	assert_true(items[0].ok);
	assert_true(items[1].ok);
	assert_false(items[2].ok);
	assert_true(items[3].ok);
	assert_int_equal(alert_count_ok(items, n), 3);
	assert_string_equal(items[1].a.severity, "normal");
	assert_string_equal(items[1].a.grade, "");
	assert_null(items[1].a.details_json);
	assert_int_equal(items[2].err.index, 2);
	assert_string_equal(items[2].err.field, "type");
	char *json = alert_batch_to_json(items, n);
	const char *one = "{\"source_id\":\"gw-1\",\"type\":\"gate_open\",\"school\":\"S001\","
			  "\"occurred_at\":\"2026-11-24T08:12:05Z\",\"severity\":\"normal\","
			  "\"summary\":\"东门开启超过120秒\"";
	char *want = xasprintf("[%s},%s},%s,\"details\":%s}]", one, one, one, D8);
	assert_string_equal(json, want);
	free(want);
	free(json);
	alert_free_items(items, n);
}

static void test_summary_length(void **state)
{
	(void)state;
	/* 500 four-byte characters are fine, 501 are not. */
	struct sbuf b;
	for (int count = 500; count <= 501; count++) {
		sbuf_init(&b);
		sbuf_adds(&b, "{" NOSUM ",\"summary\":\"");
		for (int i = 0; i < count; i++)
			sbuf_adds(&b, "\xf0\x9f\x9a\xa8"); /* U+1F6A8 */
		sbuf_adds(&b, "\"}");
		struct alert_item *items;
		size_t n;
		bool batch;
		struct alert_error err;
		assert_int_equal(alert_parse(b.s, b.len, &items, &n, &err, 1, &batch), 0);
		assert_int_equal(items[0].ok, count == 500);
		if (count == 500) {
			assert_int_equal(strlen(items[0].a.summary), 2000);
		} else {
			assert_string_equal(items[0].err.field, "summary");
			assert_non_null(strstr(items[0].err.message, "501 characters"));
		}
		alert_free_items(items, n);
		sbuf_free(&b);
	}
}

static void test_details_size(void **state)
{
	(void)state;
	for (int big = 0; big <= 1; big++) {
		struct sbuf b;
		sbuf_init(&b);
		/* {"k":"xxx..."} serialises to 8 + the string length. */
		sbuf_adds(&b, "{" OKF ",\"details\":{\"k\":\"");
		for (int i = 0; i < ALERT_DETAILS_MAX - 8 + big; i++)
			sbuf_addc(&b, 'x');
		sbuf_adds(&b, "\"}}");
		struct alert_item *items;
		size_t n;
		bool batch;
		struct alert_error err;
		assert_int_equal(alert_parse(b.s, b.len, &items, &n, &err, 1, &batch), 0);
		assert_int_equal(items[0].ok, !big);
		if (big)
			assert_string_equal(items[0].err.field, "details");
		else
			assert_int_equal(strlen(items[0].a.details_json), ALERT_DETAILS_MAX);
		alert_free_items(items, n);
		sbuf_free(&b);
	}
}

static void test_body_too_deep(void **state)
{
	(void)state;
	struct sbuf b;
	sbuf_init(&b);
	for (int i = 0; i < 40; i++)
		sbuf_adds(&b, "[");
	for (int i = 0; i < 40; i++)
		sbuf_adds(&b, "]");
	struct alert_item *items;
	size_t n;
	bool batch;
	struct alert_error err;
	assert_int_equal(alert_parse(b.s, b.len, &items, &n, &err, 1, &batch), -1);
	assert_non_null(strstr(err.message, "nested too deeply"));
	sbuf_free(&b);
}

static void test_not_nul_terminated(void **state)
{
	(void)state;
	/* The body is a length-delimited buffer: bytes after len are not read. */
	char buf[sizeof(OBJ) + 8];
	memcpy(buf, OBJ, strlen(OBJ));
	memcpy(buf + strlen(OBJ), "garbage!", 8);
	struct alert_item *items;
	size_t n;
	bool batch;
	struct alert_error err;
	assert_int_equal(alert_parse(buf, strlen(OBJ), &items, &n, &err, 1, &batch), 0);
	assert_true(items[0].ok);
	alert_free_items(items, n);
}

static void test_xjson(void **state)
{
	(void)state;
	struct json_object *o;
	char err[128];
	assert_int_equal(xjson_parse("5", 1, 4, &o, err, sizeof err), 0);
	assert_int_equal(json_object_get_int64(o), 5);
	json_object_put(o);
	assert_int_equal(xjson_parse(" null ", 6, 4, &o, err, sizeof err), 0);
	assert_null(o);
	assert_int_equal(xjson_parse("\"\\ud83d\\ude00\"", 14, 4, &o, err, sizeof err), 0);
	assert_string_equal(json_object_get_string(o), "\xf0\x9f\x98\x80");
	json_object_put(o);
	assert_int_equal(xjson_parse("[[[[1]]]]", 9, 4, &o, err, sizeof err), 0);
	char *s = xjson_to_string(o);
	assert_string_equal(s, "[[[[1]]]]");
	free(s);
	json_object_put(o);
	assert_int_equal(xjson_parse("[[[[[1]]]]]", 11, 4, &o, err, sizeof err), -1);
	assert_string_equal(err, "at byte 4: nested too deeply");
	assert_int_equal(xjson_parse("-9223372036854775808", 20, 4, &o, err, sizeof err), 0);
	assert_int_equal(json_object_get_int64(o), INT64_MIN);
	json_object_put(o);
	assert_int_equal(xjson_parse("9223372036854775808", 19, 4, &o, err, sizeof err), -1);
	assert_int_equal(xjson_parse("\"a/b\"", 5, 4, &o, err, sizeof err), 0);
	s = xjson_to_string(o);
	assert_string_equal(s, "\"a/b\"");
	free(s);
	json_object_put(o);
	assert_int_equal(xjson_parse("tru", 3, 4, &o, err, sizeof err), -1);
	assert_string_equal(err, "at byte 0: unexpected end of input");
	assert_int_equal(xjson_parse("1.", 2, 4, &o, err, sizeof err), -1);
	assert_int_equal(xjson_parse("\"\\udc00\"", 8, 4, &o, err, sizeof err), -1);
	assert_int_equal(xjson_parse("", 0, 4, &o, err, sizeof err), -1);
	assert_string_equal(err, "empty input");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_table),
		cmocka_unit_test(test_good_single),
		cmocka_unit_test(test_good_batch_defaults_and_nulls),
		cmocka_unit_test(test_summary_length),
		cmocka_unit_test(test_details_size),
		cmocka_unit_test(test_body_too_deep),
		cmocka_unit_test(test_not_nul_terminated),
		cmocka_unit_test(test_xjson),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
