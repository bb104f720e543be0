#include "xiaoan/sim_stats.h"

#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/util.h"

void sim_lat_add(struct sim_lat *l, int64_t us)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = us;
}

void sim_lat_free(struct sim_lat *l)
{
	free(l->v);
	memset(l, 0, sizeof *l);
}

static int sim_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

void sim_lat_sort(int64_t *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof *v, sim_cmp_i64);
}

int64_t sim_percentile(const int64_t *sorted, size_t n, double p)
{
	if (n == 0)
		return 0;
	/* rank = ceil(p/100 * n), computed so that p = 50, n = 10 gives exactly 5
	 * despite floating point (the small epsilon absorbs 0.1-style errors). */
	double r = ceil(p / 100.0 * (double)n - 1e-9);
	size_t rank = r < 1 ? 1 : r > (double)n ? n : (size_t)r;
	return sorted[rank - 1];
}

void sim_summarize(int64_t *v, size_t n, struct sim_summary *out)
{
	sim_lat_sort(v, n);
	out->n = n;
	out->p50 = sim_percentile(v, n, 50);
	out->p90 = sim_percentile(v, n, 90);
	out->p99 = sim_percentile(v, n, 99);
	out->max = n ? v[n - 1] : 0;
}

static int64_t sim_member_i64(struct json_object *o, const char *k)
{
	struct json_object *v;
	if (json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_int))
		return json_object_get_int64(v);
	return 0;
}

static void sim_member_str(struct json_object *o, const char *k, char *dst, size_t n)
{
	struct json_object *v;
	if (json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string))
		xstrlcpy(dst, json_object_get_string(v), n);
}

/* One reply object ({case_id, seq} or {error, field}) into r. */
static void sim_result_from(struct json_object *o, int status, struct sim_result *r)
{
	r->status = status;
	r->case_id = sim_member_i64(o, "case_id");
	r->seq = sim_member_i64(o, "seq");
	sim_member_str(o, "error", r->error, sizeof r->error);
	sim_member_str(o, "field", r->field, sizeof r->field);
}

static struct json_object *sim_parse_json(const char *body, size_t len)
{
	if (!body || len == 0 || len > INT32_MAX)
		return NULL;
	struct json_tokener *tok = json_tokener_new();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	struct json_object *o = json_tokener_parse_ex(tok, body, (int)len);
	if (o && json_tokener_get_parse_end(tok) != len) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

size_t sim_reply_parse(int http_status, const char *body, size_t len, bool batch, size_t n,
		       struct sim_result *res)
{
	struct json_object *o = sim_parse_json(body, len);
	struct json_object *results = NULL;
	size_t missing = 0;

	for (size_t i = 0; i < n; i++) {
		memset(&res[i], 0, sizeof res[i]);
		xstrlcpy(res[i].error, "no answer for this item", sizeof res[i].error);
	}
	if (http_status <= 0) {
		for (size_t i = 0; i < n; i++)
			xstrlcpy(res[i].error, "no reply from the hub", sizeof res[i].error);
		json_object_put(o);
		return n;
	}
	if (batch && o && json_object_is_type(o, json_type_object))
		json_object_object_get_ex(o, "results", &results);
	if (batch && results && json_object_is_type(results, json_type_array)) {
		size_t m = json_object_array_length(results);
		for (size_t k = 0; k < m; k++) {
			struct json_object *it = json_object_array_get_idx(results, k);
			if (!json_object_is_type(it, json_type_object))
				continue;
			int64_t idx = sim_member_i64(it, "index");
			int64_t st = sim_member_i64(it, "status");
			if (idx < 0 || (size_t)idx >= n || st < 100 || st > 599 || res[idx].status != 0)
				continue;
			res[idx].error[0] = '\0';
			sim_result_from(it, (int)st, &res[idx]);
		}
	} else if (!batch || http_status >= 400) {
		/* A single alert, or a batch refused as a whole. */
		for (size_t i = 0; i < n; i++) {
			res[i].error[0] = '\0';
			if (o && json_object_is_type(o, json_type_object))
				sim_result_from(o, http_status, &res[i]);
			else
				res[i].status = http_status;
		}
	}
	for (size_t i = 0; i < n; i++)
		missing += res[i].status == 0;
	json_object_put(o);
	return missing;
}

int sim_retry_after(const char *value, int dflt, int max)
{
	int v = dflt;
	if (value && *value) {
		char *end;
		long x = strtol(value, &end, 10);
		if (end != value && *end == '\0' && value[0] >= '0' && value[0] <= '9')
			v = x > max ? max : (int)x;
	}
	return v < 0 ? 0 : v > max ? max : v;
}
