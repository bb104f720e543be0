/* fuzz_alert.c — a producer's POST body through alert_parse(), the accepted
 * alerts through alert_batch_to_json() (the jsonb handed to
 * xiaoan.ingest()), and that batch back through alert_parse(): it must be
 * strict JSON the hub itself accepts, holding the same alerts. */
#include "fuzz.h"

#include <stdbool.h>
#include <string.h>

#include <json.h>

#include "xiaoan/alert.h"
#include "xiaoan/text.h"
#include "xiaoan/util.h"

#define FUZZ_ALERT_MAX_ITEMS 64

static bool fuzz_alert_one_of(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, set[i]) == 0)
			return true;
	return false;
}

static bool fuzz_alert_chars(const char *s, const char *allowed)
{
	for (; *s; s++)
		if (!strchr(allowed, *s))
			return false;
	return true;
}

/* What alert.h promises about an accepted alert. */
static void fuzz_alert_valid(const struct alert *a)
{
	static const char *const severities[] = { "low", "normal", "high", "critical" };
	static const char *const grades[] = { "low", "medium", "high" };
	static const char type_chars[] = "abcdefghijklmnopqrstuvwxyz_";
	static const char code[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

	FUZZ_CHECK(fuzz_terminated(a->source_id, sizeof a->source_id));
	size_t n = strlen(a->source_id);
	FUZZ_CHECK(n >= 1 && n <= ALERT_SOURCE_ID_MAX && text_is_clean(a->source_id, n));

	FUZZ_CHECK(fuzz_terminated(a->type, sizeof a->type) && a->type[0]);
	FUZZ_CHECK(fuzz_alert_chars(a->type, type_chars));
	FUZZ_CHECK(fuzz_terminated(a->school, sizeof a->school) && a->school[0]);
	FUZZ_CHECK(fuzz_alert_chars(a->school, code));

	FUZZ_CHECK(fuzz_terminated(a->summary, sizeof a->summary));
	n = strlen(a->summary);
	FUZZ_CHECK(text_is_clean(a->summary, n));
	FUZZ_CHECK(text_codepoints(a->summary, n) <= ALERT_SUMMARY_MAX);
	FUZZ_CHECK(strspn(a->summary, " ") < n);

	FUZZ_CHECK(fuzz_terminated(a->severity, sizeof a->severity));
	FUZZ_CHECK(fuzz_alert_one_of(a->severity, severities, XA_ARRAY_LEN(severities)));
	FUZZ_CHECK(fuzz_terminated(a->grade, sizeof a->grade));
	FUZZ_CHECK(!a->grade[0] || fuzz_alert_one_of(a->grade, grades, XA_ARRAY_LEN(grades)));

	if (a->details_json) {
		struct json_object *d;
		char why[160];
		n = strlen(a->details_json);
		FUZZ_CHECK(n <= ALERT_DETAILS_MAX);
		FUZZ_CHECK(xjson_parse(a->details_json, n, ALERT_DETAILS_DEPTH, &d, why, sizeof why) == 0);
		FUZZ_CHECK(json_object_is_type(d, json_type_object));
		json_object_put(d);
	}
}

static void fuzz_alert_error(const struct alert_error *e)
{
	FUZZ_CHECK(fuzz_terminated(e->field, sizeof e->field));
	FUZZ_CHECK(fuzz_terminated(e->message, sizeof e->message));
	FUZZ_CHECK(e->message[0] != '\0');
	/* Both go back to the producer and into the hub's log. */
	FUZZ_CHECK(text_is_clean(e->field, strlen(e->field)));
	FUZZ_CHECK(text_is_clean(e->message, strlen(e->message)));
}

static bool fuzz_alert_same(const struct alert *x, const struct alert *y)
{
	return strcmp(x->source_id, y->source_id) == 0 && strcmp(x->type, y->type) == 0 &&
	       strcmp(x->school, y->school) == 0 && x->occurred_at == y->occurred_at &&
	       strcmp(x->severity, y->severity) == 0 && strcmp(x->summary, y->summary) == 0 &&
	       strcmp(x->grade, y->grade) == 0 && !x->details_json == !y->details_json &&
	       (!x->details_json || strcmp(x->details_json, y->details_json) == 0);
}

/* The batch for the database, read back as a producer's batch. */
static void fuzz_alert_round_trip(const struct alert_item *items, size_t n)
{
	size_t ok = alert_count_ok(items, n);
	char *batch = alert_batch_to_json(items, n);
	struct alert_item *again;
	struct alert_error err;
	size_t m;
	bool is_batch;

	if (ok == 0) {
		FUZZ_CHECK(strcmp(batch, "[]") == 0);
		free(batch);
		return;
	}
	int rc = alert_parse(batch, strlen(batch), &again, &m, &err, ok, &is_batch);
	FUZZ_CHECK(rc == 0);
	FUZZ_CHECK(is_batch && m == ok && alert_count_ok(again, m) == ok);
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		if (!items[i].ok)
			continue;
		FUZZ_CHECK(fuzz_alert_same(&items[i].a, &again[j].a));
		j++;
	}
	alert_free_items(again, m);
	free(batch);
}

static void fuzz_alert(const uint8_t *data, size_t size)
{
	struct alert_item *items = (struct alert_item *)1;
	struct alert_error err;
	size_t n = 99;
	bool is_batch = true;

	memset(&err, 0x55, sizeof err);
	int rc = alert_parse((const char *)data, size, &items, &n, &err, FUZZ_ALERT_MAX_ITEMS, &is_batch);
	if (rc != 0) {
		FUZZ_CHECK(rc == -1 && items == NULL && n == 0 && err.index == -1);
		fuzz_alert_error(&err);
		return;
	}
	FUZZ_CHECK(items != NULL && n >= 1 && n <= FUZZ_ALERT_MAX_ITEMS && (is_batch || n == 1));
	for (size_t i = 0; i < n; i++) {
		if (items[i].ok) {
			fuzz_alert_valid(&items[i].a);
		} else {
			FUZZ_CHECK(items[i].err.index == (int)i);
			FUZZ_CHECK(items[i].a.details_json == NULL);
			fuzz_alert_error(&items[i].err);
		}
	}
	fuzz_alert_round_trip(items, n);
	alert_free_items(items, n);
}

FUZZ_ENTRY(fuzz_alert)
