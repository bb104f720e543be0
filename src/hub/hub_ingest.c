/* hub_ingest.c — producer tokens, validation, and group commit.
 *
 * A few connections ("lanes", ingest_connections), one statement at a time
 * on each: while statements run, new alerts queue up, and the next lane to
 * be idle takes what is queued — all of it, or its share when the backlog
 * is big enough to keep more lanes busy (hub_ingest_pump), so that the
 * database's cores work side by side. That is the whole of group commit:
 * under load each commit carries many alerts, with no timer and no added
 * latency when the hub is quiet. Sequence numbers stay in
 * commit order across lanes: ingest() reserves them under a row lock held
 * to commit. Token checks go over the same lanes, batched the same way, and
 * valid tokens are remembered for HUB_TOKEN_TTL_MS (less when the token
 * expires sooner), or until the producer table changes
 * (hub_ingest_forget_tokens, on a notification). */
#include "xiaoan/hub_ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "xiaoan/alert.h"
#include "xiaoan/db.h"
#include "xiaoan/hub_pg.h"
#include "xiaoan/log.h"
#include "xiaoan/util.h"
#include "xiaoan/xtime.h"

#define HUB_TOKEN_TTL_MS 30000
#define HUB_TOKEN_CACHE 64
#define HUB_AUTH_BATCH 64
#define HUB_INGEST_RETRIES 3 /* after a deadlock or serialization failure */
#define HUB_LANE_SHARE 32    /* alerts that make a second lane worth starting */

/* Prepared on each lane's connection: sent hundreds of times a second, and
 * parsing and planning it each time cost ~80 µs of a single alert's ~700. */
static const char hub_ingest_sql[] =
	"SELECT idx, case_id, seq, created, error, field FROM xiaoan.ingest(NULL, $1::jsonb)";
static const char hub_auth_sql[] = "SELECT t, a.producer, a.valid_ms FROM unnest($1::text[]) AS t "
				   "LEFT JOIN LATERAL xiaoan.producer_auth_until(t) AS a ON true";

struct hub_token {
	char token[HUB_TOKEN_MAX + 1];
	char producer[HUB_PRODUCER_MAX + 1];
	int64_t until_ms; /* monotonic */
};

/* One alert waiting for (or in) a statement. solo: send it alone, after a
 * statement it was part of failed as a whole. */
struct hub_slot {
	struct hub_req *req;
	size_t item;
	bool solo;
};

struct hub_reqlist {
	struct hub_req **v;
	size_t n, cap;
};

/* One connection and what it has in flight: token checks or a group. */
struct hub_lane {
	struct hub_ingest *in;
	struct hub_pg *pg;
	struct hub_reqlist auth_fly;
	uint64_t auth_epoch; /* in->token_epoch when the token check was sent */
	struct hub_slot *fly;
	size_t nfly;
	char *fly_json;
	int fly_attempts;
	int64_t fly_start_ms;
};

struct hub_ingest {
	struct hub *hub;
	struct hub_lane *lanes;
	size_t nlanes;
	struct hub_token cache[HUB_TOKEN_CACHE];
	uint64_t token_epoch;         /* counts hub_ingest_forget_tokens */
	struct hub_reqlist auth_wait; /* token checks queued */
	struct hub_slot *queue;       /* alerts queued, in arrival order */
	size_t nqueue, capqueue;
};

static void hub_ingest_pump(struct hub_ingest *in);

static void hub_reqlist_push(struct hub_reqlist *l, struct hub_req *r)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = r;
}

static void hub_reqlist_remove(struct hub_reqlist *l, struct hub_req *r)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == r) {
			memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(*l->v));
			l->n--;
			return;
		}
}

/* --- token cache ---------------------------------------------------------- */

static const char *hub_token_lookup(struct hub_ingest *in, const char *token)
{
	int64_t now = xtime_mono_ms();

	for (size_t i = 0; i < HUB_TOKEN_CACHE; i++)
		if (in->cache[i].until_ms > now && strcmp(in->cache[i].token, token) == 0)
			return in->cache[i].producer;
	return NULL;
}

/* valid_ms: how long the token stays good (< 0: no expiry); it is
 * remembered no longer than that. */
static void hub_token_remember(struct hub_ingest *in, const char *token, const char *producer, int64_t valid_ms)
{
	size_t oldest = 0;

	for (size_t i = 0; i < HUB_TOKEN_CACHE; i++) {
		if (strcmp(in->cache[i].token, token) == 0) {
			oldest = i;
			break;
		}
		if (in->cache[i].until_ms < in->cache[oldest].until_ms)
			oldest = i;
	}
	xstrlcpy(in->cache[oldest].token, token, sizeof in->cache[oldest].token);
	xstrlcpy(in->cache[oldest].producer, producer, sizeof in->cache[oldest].producer);
	in->cache[oldest].until_ms =
		xtime_mono_ms() + (valid_ms >= 0 && valid_ms < HUB_TOKEN_TTL_MS ? valid_ms : HUB_TOKEN_TTL_MS);
}

void hub_ingest_forget_tokens(struct hub_ingest *in)
{
	memset(in->cache, 0, sizeof in->cache);
	in->token_epoch++;
}

/* --- answers -------------------------------------------------------------- */

static void hub_unauthorized(struct hub_req *r, const char *why, bool invalid)
{
	r->hub->metrics.rejected[HUB_REJECT_UNAUTHORIZED]++;
	r->www_authenticate = invalid ? "Bearer realm=\"xiaoan\", error=\"invalid_token\"" : "Bearer realm=\"xiaoan\"";
	hub_http_respond_error(r, 401, why, NULL);
}

static void hub_unavailable(struct hub_req *r, const char *why)
{
	r->hub->metrics.rejected[HUB_REJECT_UNAVAILABLE]++;
	r->retry_after = 1;
	hub_http_respond_error(r, 503, why, NULL);
}

static struct json_object *hub_item_json(const struct hub_item_result *res, size_t index, bool batch)
{
	struct json_object *o = json_object_new_object();

	if (!o) {
		fprintf(stderr, "xiaoan-hub: out of memory\n");
		abort();
	}
	if (batch)
		json_object_object_add(o, "index", json_object_new_int64((int64_t)index));
	if (res->status == 200 || res->status == 201) {
		json_object_object_add(o, "case_id", json_object_new_int64(res->case_id));
		json_object_object_add(o, "seq", json_object_new_int64(res->seq));
	} else {
		json_object_object_add(o, "error", json_object_new_string(res->error ? res->error : "error"));
		json_object_object_add(o, "field", res->field[0] ? json_object_new_string(res->field) : NULL);
	}
	if (batch)
		json_object_object_add(o, "status", json_object_new_int(res->status));
	return o;
}

/* Every alert of r has its outcome: answer. A batch is answered 503 as a
 * whole when any of its alerts could not be committed (the producer resends
 * it all; the ones that made it come back 200). */
static void hub_finish(struct hub_req *r)
{
	struct json_object *o;
	int status = 0;
	bool any_201 = false, any_200 = false, any_500 = false;

	for (size_t i = 0; i < r->nitems; i++) {
		switch (r->results[i].status) {
		case 201: any_201 = true; break;
		case 200: any_200 = true; break;
		case 503: status = 503; break;
		case 400: break;
		default: any_500 = true; break;
		}
	}
	if (status == 503) {
		hub_unavailable(r, "the database is unavailable: send the same alerts again shortly");
		return;
	}
	if (!r->is_batch) {
		o = hub_item_json(&r->results[0], 0, false);
		status = r->results[0].status;
	} else {
		struct json_object *arr = json_object_new_array();

		o = json_object_new_object();
		if (!o || !arr) {
			fprintf(stderr, "xiaoan-hub: out of memory\n");
			abort();
		}
		for (size_t i = 0; i < r->nitems; i++)
			json_object_array_add(arr, hub_item_json(&r->results[i], i, true));
		json_object_object_add(o, "results", arr);
		status = any_201 ? 201 : any_200 ? 200 : any_500 ? 500 : 400;
	}
	char *s = xjson_to_string(o);
	json_object_put(o);
	hub_http_respond(r, status, "application/json", s);
}

static void hub_item_done(struct hub_req *r, size_t i, int status, const char *error, const char *field)
{
	struct hub_item_result *res = &r->results[i];
	struct hub_metrics *m = &r->hub->metrics;

	res->status = status;
	if (error) {
		free(res->error);
		res->error = xstrdup(error);
	}
	xstrlcpy(res->field, field ? field : "", sizeof res->field);
	switch (status) {
	case 201: m->alerts_created++; break;
	case 200: m->alerts_duplicate++; break;
	case 503: break; /* counted once per request by hub_unavailable */
	case 500: m->rejected[HUB_REJECT_ERROR]++; break;
	default: m->rejected[HUB_REJECT_UNKNOWN]++; break;
	}
	if (r->waiting > 0 && --r->waiting == 0) {
		hub_finish(r);
		hub_http_release(r);
	}
}

/* --- the queue ------------------------------------------------------------- */

static void hub_queue_push(struct hub_ingest *in, struct hub_req *r, size_t item, bool front, bool solo)
{
	if (in->nqueue == in->capqueue) {
		in->capqueue = in->capqueue ? in->capqueue * 2 : 256;
		in->queue = xrealloc(in->queue, in->capqueue * sizeof(*in->queue));
	}
	if (front) {
		memmove(in->queue + 1, in->queue, in->nqueue * sizeof(*in->queue));
		in->queue[0] = (struct hub_slot){r, item, solo};
	} else {
		in->queue[in->nqueue] = (struct hub_slot){r, item, solo};
	}
	in->nqueue++;
}

/* Validates the body of an authenticated request and queues its alerts. */
static void hub_accept(struct hub_ingest *in, struct hub_req *r)
{
	struct alert_error err;
	size_t nok;

	int rc = alert_parse(r->body.s ? r->body.s : "", r->body.len, &r->items, &r->nitems, &err,
			     in->hub->cfg.max_batch, &r->is_batch);

	sbuf_free(&r->body); /* the items hold all that is needed */
	if (rc < 0) {
		in->hub->metrics.rejected[HUB_REJECT_MALFORMED]++;
		hub_http_respond_error(r, 400, err.message, err.field);
		hub_http_release(r);
		return;
	}
	r->results = xcalloc(r->nitems, sizeof(*r->results));
	nok = 0;
	for (size_t i = 0; i < r->nitems; i++) {
		if (r->items[i].ok) {
			nok++;
			continue;
		}
		in->hub->metrics.rejected[HUB_REJECT_INVALID]++;
		r->results[i].status = 400;
		r->results[i].error = xstrdup(r->items[i].err.message);
		xstrlcpy(r->results[i].field, r->items[i].err.field, sizeof r->results[i].field);
	}
	if (nok == 0) {
		hub_finish(r);
		hub_http_release(r);
		return;
	}
	r->waiting = nok;
	for (size_t i = 0; i < r->nitems; i++)
		if (r->items[i].ok)
			hub_queue_push(in, r, i, false, false);
	hub_ingest_pump(in);
}

/* The answer to a group: row i belongs to lane->fly[i]. */
static void hub_ingest_result(void *arg, PGresult *res)
{
	struct hub_lane *lane = arg;
	struct hub_ingest *in = lane->in;
	struct hub_slot *fly = lane->fly;
	size_t nfly = lane->nfly;
	char msg[512];
	enum db_err e;

	hub_metrics_db_latency(&in->hub->metrics, (double)(xtime_mono_ms() - lane->fly_start_ms) / 1000.0);
	e = db_result_error(res, NULL, msg, sizeof msg);
	if (res && e != DB_OK && e != DB_CONN) {
		const char *st = db_sqlstate(res);

		if (strncmp(st, "40", 2) == 0 && ++lane->fly_attempts < HUB_INGEST_RETRIES) {
			log_info("ingest: %s (%s); sending the %zu alerts again", msg, st, nfly);
			lane->fly_start_ms = xtime_mono_ms();
			if (hub_pg_send(lane->pg, hub_ingest_sql, 1, (const char *const *)&lane->fly_json,
					hub_ingest_result, lane) == 0)
				return;
			/* The connection went: fall through to "unavailable". */
			res = NULL;
			e = DB_CONN;
		}
	}
	lane->fly = NULL;
	lane->nfly = 0;
	free(lane->fly_json);
	lane->fly_json = NULL;

	if (!res || e == DB_CONN) {
		log_warn("ingest: %zu alerts in flight when the database connection went: answering 503", nfly);
		for (size_t i = 0; i < nfly; i++)
			hub_item_done(fly[i].req, fly[i].item, 503, NULL, NULL);
	} else if (e != DB_OK && nfly > 1) {
		/* One alert made the whole statement fail: find it by sending
		 * each alone. */
		log_warn("ingest: statement of %zu alerts failed (%s): retrying them one by one", nfly, msg);
		for (size_t i = nfly; i-- > 0;)
			hub_queue_push(in, fly[i].req, fly[i].item, true, true);
	} else if (e != DB_OK) {
		log_warn("ingest: alert %s of producer %s failed: %s",
			 fly[0].req->items[fly[0].item].a.source_id, fly[0].req->producer, msg);
		hub_item_done(fly[0].req, fly[0].item, e == DB_BADARG ? 400 : 500, msg, NULL);
	} else {
		int rows = PQntuples(res);

		for (size_t i = 0; i < nfly; i++) {
			int row = (int)i;

			if (row >= rows || (size_t)atoll(PQgetvalue(res, row, 0)) != i) {
				hub_item_done(fly[i].req, fly[i].item, 500, "the database returned no answer for this alert",
					      NULL);
				continue;
			}
			if (!PQgetisnull(res, row, 4)) {
				hub_item_done(fly[i].req, fly[i].item, 400, PQgetvalue(res, row, 4),
					      PQgetisnull(res, row, 5) ? NULL : PQgetvalue(res, row, 5));
				continue;
			}
			struct hub_item_result *ir = &fly[i].req->results[fly[i].item];
			ir->case_id = atoll(PQgetvalue(res, row, 1));
			ir->seq = atoll(PQgetvalue(res, row, 2));
			hub_item_done(fly[i].req, fly[i].item, PQgetvalue(res, row, 3)[0] == 't' ? 201 : 200, NULL,
				      NULL);
		}
	}
	free(fly);
}

/* Sends the next group on lane: its share of the queue, rounded up to whole
 * requests (at most max_group alerts), or one solo alert. Alerts of requests whose client has gone
 * are dropped (it will send them again). */
static void hub_ingest_send_group(struct hub_lane *lane, size_t share)
{
	struct hub_ingest *in = lane->in;
	size_t max = in->hub->cfg.max_group, take = 0, n = 0;
	struct json_object *group;

	while (in->nqueue > 0 && in->queue[0].req->wsi == NULL) {
		struct hub_req *r = in->queue[0].req;

		memmove(in->queue, in->queue + 1, --in->nqueue * sizeof(*in->queue));
		if (--r->waiting == 0)
			hub_http_release(r);
	}
	if (in->nqueue == 0)
		return;
	if (in->queue[0].solo)
		max = 1;
	lane->fly = xmalloc((in->nqueue < max ? in->nqueue : max) * sizeof(*lane->fly));
	group = json_object_new_array_ext((int)(in->nqueue < max ? in->nqueue : max));
	if (!group) {
		log_error("ingest: out of memory building a group");
		abort();
	}
	for (take = 0; take < in->nqueue && n < max; take++) {
		struct hub_slot *s = &in->queue[take];
		struct hub_req *r = s->req;

		if (n > 0 && s->solo)
			break;
		/* Its share taken, a lane stops at the end of a request: halves
		 * of one batch would be two small groups, and each statement has
		 * a fixed cost. */
		if (n >= share && r != lane->fly[n - 1].req)
			break;
		if (!r->wsi) {
			if (--r->waiting == 0)
				hub_http_release(r);
			continue;
		}
		if (json_object_array_add(group, alert_json(&r->items[s->item].a, r->producer)) != 0) {
			log_error("ingest: out of memory building a group");
			abort();
		}
		lane->fly[n++] = *s;
	}
	memmove(in->queue, in->queue + take, (in->nqueue - take) * sizeof(*in->queue));
	in->nqueue -= take;
	if (n == 0) {
		free(lane->fly);
		lane->fly = NULL;
		json_object_put(group);
		return;
	}
	lane->nfly = n;
	lane->fly_json = xjson_to_string(group);
	json_object_put(group);
	lane->fly_attempts = 0;
	lane->fly_start_ms = xtime_mono_ms();
	in->hub->metrics.ingest_statements++;
	in->hub->metrics.ingest_alerts_sent += n;
	if (hub_pg_send(lane->pg, hub_ingest_sql, 1, (const char *const *)&lane->fly_json, hub_ingest_result,
			lane) < 0) {
		/* The connection failed while sending (already reset): nothing
		 * reached the database. */
		struct hub_slot *fly = lane->fly;

		lane->fly = NULL;
		lane->nfly = 0;
		free(lane->fly_json);
		lane->fly_json = NULL;
		for (size_t i = 0; i < n; i++)
			hub_item_done(fly[i].req, fly[i].item, 503, NULL, NULL);
		free(fly);
	}
}

/* --- token checks ------------------------------------------------------- */

static void hub_auth_result(void *arg, PGresult *res)
{
	struct hub_lane *lane = arg;
	struct hub_ingest *in = lane->in;
	struct hub_reqlist fly = lane->auth_fly;
	char msg[512];
	enum db_err e = db_result_error(res, NULL, msg, sizeof msg);

	memset(&lane->auth_fly, 0, sizeof lane->auth_fly);
	if (e != DB_OK)
		log_warn("ingest: checking producer tokens failed: %s", msg);
	for (size_t i = 0; i < fly.n; i++) {
		struct hub_req *r = fly.v[i];
		const char *producer = NULL;
		int64_t valid_ms = -1;

		if (!r->wsi) {
			hub_http_release(r);
			continue;
		}
		if (e != DB_OK) {
			hub_unavailable(r, "cannot check the token now: try again shortly");
			hub_http_release(r);
			continue;
		}
		for (int row = 0; row < PQntuples(res); row++)
			if (strcmp(PQgetvalue(res, row, 0), r->token) == 0 && !PQgetisnull(res, row, 1)) {
				producer = PQgetvalue(res, row, 1);
				if (!PQgetisnull(res, row, 2))
					valid_ms = strtoll(PQgetvalue(res, row, 2), NULL, 10);
			}
		if (!producer || strlen(producer) > HUB_PRODUCER_MAX ||
		    strspn(producer, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
			    strlen(producer)) {
			log_info("ingest: rejected a request with an unknown, expired or revoked token");
			hub_unauthorized(r, "unknown, expired or revoked producer token", true);
			hub_http_release(r);
			continue;
		}
		/* An answer read before the producer table last changed still
		 * lets this request in (it was asked first), but is not kept. */
		if (lane->auth_epoch == in->token_epoch)
			hub_token_remember(in, r->token, producer, valid_ms);
		xstrlcpy(r->producer, producer, sizeof r->producer);
		hub_accept(in, r);
	}
	free(fly.v);
}

static void hub_auth_send(struct hub_lane *lane)
{
	struct hub_ingest *in = lane->in;
	struct sbuf b;
	char *arr;
	size_t n = 0;

	sbuf_init(&b);
	sbuf_addc(&b, '{');
	while (in->auth_wait.n > 0 && n < HUB_AUTH_BATCH) {
		struct hub_req *r = in->auth_wait.v[0];

		hub_reqlist_remove(&in->auth_wait, r);
		if (!r->wsi) {
			hub_http_release(r);
			continue;
		}
		/* Tokens are b64token characters only (hub_ingest_head): no quoting needed. */
		sbuf_addf(&b, "%s\"%s\"", n ? "," : "", r->token);
		hub_reqlist_push(&lane->auth_fly, r);
		n++;
	}
	sbuf_addc(&b, '}');
	arr = sbuf_detach(&b);
	lane->auth_epoch = in->token_epoch;
	if (n > 0 && hub_pg_send(lane->pg, hub_auth_sql, 1, (const char *const *)&arr, hub_auth_result, lane) < 0)
		hub_auth_result(lane, NULL);
	free(arr);
}

static bool hub_lane_idle(const struct hub_lane *lane)
{
	return hub_pg_idle(lane->pg) && !lane->fly && !lane->auth_fly.n;
}

static bool hub_ingest_any_up(const struct hub_ingest *in)
{
	for (size_t i = 0; i < in->nlanes; i++)
		if (hub_pg_up(in->lanes[i].pg))
			return true;
	return false;
}

/* Gives work to idle lanes: token checks first, then alerts. A group goes
 * to another lane only with HUB_LANE_SHARE alerts or more for each: every
 * ingest transaction takes the event counter's row lock and holds it
 * through its commit, so two small groups commit one after the other
 * anyway, each paying the statement's fixed cost, where one lane would
 * have carried them together a moment later. A busy lane takes what
 * queued meanwhile when it is done; big backlogs (batches) are shared out. */
static void hub_ingest_pump(struct hub_ingest *in)
{
	size_t idle = 0, busy = 0, lanes = 0;

	for (size_t i = 0; i < in->nlanes; i++) {
		if (hub_lane_idle(&in->lanes[i]))
			idle++;
		else if (hub_pg_up(in->lanes[i].pg))
			busy++;
	}
	for (size_t i = 0; i < in->nlanes && idle > 0 && in->auth_wait.n; i++)
		if (hub_lane_idle(&in->lanes[i])) {
			hub_auth_send(&in->lanes[i]);
			idle--;
			busy++;
		}
	if (in->nqueue == 0 || idle == 0)
		return;
	lanes = in->nqueue / HUB_LANE_SHARE;
	if (lanes > idle)
		lanes = idle;
	if (lanes == 0 && busy == 0)
		lanes = 1;
	for (size_t i = 0; i < in->nlanes && lanes > 0 && in->nqueue; i++) {
		struct hub_lane *lane = &in->lanes[i];

		if (!hub_lane_idle(lane))
			continue;
		hub_ingest_send_group(lane, (in->nqueue + lanes - 1) / lanes);
		lanes--;
	}
}

/* --- requests ----------------------------------------------------------- */

static bool hub_media_is_json(const char *ct)
{
	static const char want[] = "application/json";
	size_t n = sizeof want - 1;

	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, want, n) != 0)
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

bool hub_ingest_head(struct hub_ingest *in, struct hub_req *r)
{
	char auth[HUB_TOKEN_MAX + 64];
	char ct[128];
	const char *tok;
	int n;

	if (in->hub->draining) {
		r->close = true;
		hub_unavailable(r, "the hub is shutting down: send to another hub or retry shortly");
		return false;
	}
	n = lws_hdr_copy(r->wsi, auth, sizeof auth, WSI_TOKEN_HTTP_AUTHORIZATION);
	if (n <= 0) {
		hub_unauthorized(r, n < 0 ? "the Authorization header is too long"
					  : "missing Authorization: Bearer <producer token>",
				 n < 0);
		return false;
	}
	if (strncasecmp(auth, "Bearer ", 7) != 0) {
		hub_unauthorized(r, "use Authorization: Bearer <producer token>", false);
		return false;
	}
	tok = auth + 7;
	while (*tok == ' ')
		tok++;
	n = (int)strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");
	while (tok[n] == '=')
		n++;
	if (n == 0 || tok[n] != '\0' || n > HUB_TOKEN_MAX) {
		hub_unauthorized(r, "malformed bearer token", true);
		return false;
	}
	memcpy(r->token, tok, (size_t)n + 1);
	if (lws_hdr_copy(r->wsi, ct, sizeof ct, WSI_TOKEN_HTTP_CONTENT_TYPE) <= 0 || !hub_media_is_json(ct)) {
		in->hub->metrics.rejected[HUB_REJECT_CONTENT_TYPE]++;
		hub_http_respond_error(r, 415, "send Content-Type: application/json", NULL);
		return false;
	}
	return true;
}

void hub_ingest_submit(struct hub_ingest *in, struct hub_req *r)
{
	const char *producer;

	if (in->hub->draining) {
		r->close = true;
		hub_unavailable(r, "the hub is shutting down: send to another hub or retry shortly");
		return;
	}
	if (!hub_ingest_any_up(in)) {
		hub_unavailable(r, "the database is unavailable: retry shortly");
		return;
	}
	r->in_ingest = true;
	producer = hub_token_lookup(in, r->token);
	if (producer) {
		xstrlcpy(r->producer, producer, sizeof r->producer);
		hub_accept(in, r);
		return;
	}
	hub_reqlist_push(&in->auth_wait, r);
	hub_ingest_pump(in);
}

void hub_ingest_abandon(struct hub_ingest *in, struct hub_req *r)
{
	/* Queued pieces are dropped when they reach the front (hub_ingest_send_group,
	 * hub_auth_send); pieces in flight when their answer comes. Only a
	 * request that waits on nothing can go now. */
	for (size_t i = 0; i < in->auth_wait.n; i++)
		if (in->auth_wait.v[i] == r) {
			hub_reqlist_remove(&in->auth_wait, r);
			hub_http_release(r);
			return;
		}
}

/* --- the connection -------------------------------------------------------- */

static void hub_ingest_up(void *arg)
{
	struct hub_lane *lane = arg;

	hub_db_changed(lane->in->hub);
	hub_ingest_pump(lane->in);
}

/* A connection went (what it had in flight has already been answered
 * through its callback). The others carry on with the queue; when none is
 * left, whatever was waiting gets 503 now. */
static void hub_ingest_down(void *arg)
{
	struct hub_lane *lane = arg;
	struct hub_ingest *in = lane->in;

	if (hub_ingest_any_up(in)) {
		hub_ingest_pump(in);
		return;
	}
	while (in->auth_wait.n) {
		struct hub_req *r = in->auth_wait.v[0];

		hub_reqlist_remove(&in->auth_wait, r);
		if (r->wsi)
			hub_unavailable(r, "the database is unavailable: retry shortly");
		hub_http_release(r);
	}
	while (in->nqueue) {
		struct hub_slot s = in->queue[0];

		memmove(in->queue, in->queue + 1, --in->nqueue * sizeof(*in->queue));
		hub_item_done(s.req, s.item, 503, NULL, NULL);
	}
	hub_db_changed(in->hub);
}

static void hub_ingest_idle_hook(void *arg)
{
	struct hub_lane *lane = arg;

	hub_ingest_pump(lane->in);
}

static const struct hub_pg_hooks hub_ingest_hooks = {
	.up = hub_ingest_up,
	.down = hub_ingest_down,
	.idle = hub_ingest_idle_hook,
};

struct hub_ingest *hub_ingest_new(struct hub *h)
{
	struct hub_ingest *in = xcalloc(1, sizeof(*in));

	in->hub = h;
	in->nlanes = h->cfg.ingest_connections ? h->cfg.ingest_connections : 1;
	in->lanes = xcalloc(in->nlanes, sizeof(*in->lanes));
	for (size_t i = 0; i < in->nlanes; i++) {
		char name[32];

		/* The first keeps the plain name that operators and tests look for. */
		if (i == 0)
			snprintf(name, sizeof name, "ingest");
		else
			snprintf(name, sizeof name, "ingest%zu", i + 1);
		in->lanes[i].in = in;
		in->lanes[i].pg = hub_pg_new(h, name, &hub_ingest_hooks, &in->lanes[i]);
		hub_pg_prepare(in->lanes[i].pg, hub_ingest_sql);
	}
	return in;
}

void hub_ingest_start(struct hub_ingest *in)
{
	for (size_t i = 0; i < in->nlanes; i++)
		hub_pg_start(in->lanes[i].pg);
}

bool hub_ingest_db_up(const struct hub_ingest *in)
{
	return in && hub_ingest_any_up(in);
}

bool hub_ingest_idle(const struct hub_ingest *in)
{
	for (size_t i = 0; i < in->nlanes; i++)
		if (in->lanes[i].fly || in->lanes[i].auth_fly.n)
			return false;
	return !in->auth_wait.n && !in->nqueue;
}

void hub_ingest_shutdown(struct hub_ingest *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->nlanes; i++) {
		hub_pg_free(in->lanes[i].pg);
		in->lanes[i].pg = NULL;
	}
}

void hub_ingest_free(struct hub_ingest *in)
{
	if (!in)
		return;
	/* The lws context is gone: every request is abandoned; free each once. */
	for (size_t i = 0; i < in->auth_wait.n; i++)
		hub_http_release(in->auth_wait.v[i]);
	for (size_t l = 0; l < in->nlanes; l++) {
		struct hub_lane *lane = &in->lanes[l];

		for (size_t i = 0; i < lane->auth_fly.n; i++)
			hub_http_release(lane->auth_fly.v[i]);
		for (size_t i = 0; i < lane->nfly; i++)
			if (--lane->fly[i].req->waiting == 0)
				hub_http_release(lane->fly[i].req);
		free(lane->auth_fly.v);
		free(lane->fly);
		free(lane->fly_json);
	}
	for (size_t i = 0; i < in->nqueue; i++)
		if (--in->queue[i].req->waiting == 0)
			hub_http_release(in->queue[i].req);
	free(in->auth_wait.v);
	free(in->lanes);
	free(in->queue);
	free(in);
}
