/* alert.h — the alert JSON that producers POST to the hub, and its mapping to
 * the batch the hub hands to the database function xiaoan.ingest().
 *
 * A body is one alert object or an array of 1..max_items alert objects:
 *   source_id    string, 1..128 bytes, no control characters   (required)
 *   type         string [a-z_]{1,32}                           (required)
 *   school       string [A-Za-z0-9._-]{1,32}                   (required)
 *   occurred_at  RFC 3339 string with a zone                   (required)
 *   summary      string, 1..500 code points, plain text        (required)
 *   severity     low|normal|high|critical, default normal      (optional)
 *   details      JSON object, depth <= 8, <= 16 KiB serialised (optional)
 *   grade        low|medium|high                               (optional)
 * Optional fields may also be null, meaning absent. Any other key is an
 * error. Problems with the body as a whole fail the request; problems with
 * one alert fail only that alert, so a batch is answered item by item. */
#ifndef XIAOAN_ALERT_H
#define XIAOAN_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ALERT_SOURCE_ID_MAX 128    /* bytes */
#define ALERT_SUMMARY_MAX 500      /* code points */
#define ALERT_DETAILS_MAX 16384    /* bytes, serialised */
#define ALERT_DETAILS_DEPTH 8      /* the details object itself is depth 1 */
#define ALERT_BODY_DEPTH 32        /* whole body nesting limit */

struct alert {
	char source_id[ALERT_SOURCE_ID_MAX + 1];
	char type[33];
	char school[33];
	int64_t occurred_at;
	char severity[9];                      /* always set: "normal" by default */
	char summary[ALERT_SUMMARY_MAX * 4 + 1]; /* 500 code points of up to 4 bytes */
	char *details_json;                    /* malloc'd serialised object, or NULL */
	char grade[7];                         /* "" when absent */
};

struct alert_error {
	int index;       /* position in the batch (0 for a single object); -1 = whole body */
	char field[33];  /* the offending field ("" when it is not about one field) */
	char message[200];
};

/* One parsed alert: when ok, a is valid; otherwise err says why. */
struct alert_item {
	struct alert a;
	bool ok;
	struct alert_error err;
};

/* Parse a request body. On success returns 0 with *out (malloc'd, free with
 * alert_free_items) holding *n items, one per alert in body order, each ok or
 * carrying its own error; *is_batch says whether the body was an array.
 * On a whole-body problem (empty, invalid UTF-8, not JSON, trailing data,
 * not an object or array, empty array, more than max_items) returns -1 with
 * err->index = -1, *out = NULL, *n = 0. */
int alert_parse(const char *body, size_t len, struct alert_item **out, size_t *n,
		struct alert_error *err, size_t max_items, bool *is_batch);

/* Validate one alert object (a json_object *) into a. On failure a holds no
 * allocation and err names the field (err->index is left unchanged). */
struct json_object;
bool alert_validate(struct json_object *o, struct alert *a, struct alert_error *err);

void alert_free_items(struct alert_item *items, size_t n);
size_t alert_count_ok(const struct alert_item *items, size_t n);

/* The ok items as a JSON array of objects with the same field names
 * (occurred_at as RFC 3339 UTC, severity always present, details and grade
 * only when given): the jsonb argument of xiaoan.ingest(). malloc'd. */
char *alert_batch_to_json(const struct alert_item *items, size_t n);

/* One alert as such an object, with "producer" first when given (the hub's
 * groups carry each item's producer). The object refers to a->details_json
 * until it is serialised: print it while a lives, then put it. */
struct json_object *alert_json(const struct alert *a, const char *producer);

#endif
