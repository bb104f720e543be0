/* hub_stream.c — subscribers, the database reads behind them, fan-out.
 *
 * The "stream" connection runs one job at a time, in this order of
 * preference: the clock (at start, after a reconnect, every minute), the
 * live fetch (after a notification), session checks of new subscribers,
 * then backlog pages for subscribers replaying from ?since (round robin,
 * only while their queue has room). */
#include "xiaoan/hub_stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/db.h"
#include "xiaoan/hub_ingest.h"
#include "xiaoan/hub_pg.h"
#include "xiaoan/hub_sub.h"
#include "xiaoan/log.h"
#include "xiaoan/proto.h"
#include "xiaoan/util.h"
#include "xiaoan/xtime.h"

#define HUB_STREAM_PAGE 500
#define HUB_CLOCK_REFRESH_MS 60000
#define HUB_STREAM_RETRY_MS 1000
#define HUB_MAX_PARTIES 64

static const char hub_events_sql[] =
	"SELECT seq, kind, stage, floor(extract(epoch FROM at) * 1000)::bigint, actor_name, unit,"
	" case_id, type, school, town, holder, state, severity, summary, version, supervised, sensitive,"
	" floor(extract(epoch FROM opened_at))::bigint, floor(extract(epoch FROM sign_start))::bigint,"
	" floor(extract(epoch FROM sign_due))::bigint, floor(extract(epoch FROM signed_at))::bigint,"
	" floor(extract(epoch FROM feedback_due))::bigint, floor(extract(epoch FROM feedback_at))::bigint,"
	" floor(extract(epoch FROM close_due))::bigint, floor(extract(epoch FROM closed_at))::bigint,"
	" array_to_string(parties, ',')"
	" FROM xiaoan.stream_events($1, $2)";
static const char hub_session_sql[] =
	"SELECT s.login, s.role, s.unit, coalesce(s.town, ''), xiaoan.last_seq()"
	" FROM xiaoan.session_check($1) AS s";
static const char hub_last_sql[] = "SELECT xiaoan.last_seq()";
static const char hub_clock_sql[] =
	"SELECT floor(extract(epoch FROM c.now) * 1000)::bigint, c.utc_offset, xiaoan.last_seq()"
	" FROM xiaoan.clock() AS c";

enum hub_job { HUB_JOB_NONE, HUB_JOB_CLOCK, HUB_JOB_FETCH, HUB_JOB_AUTH, HUB_JOB_REPLAY };

struct hub_stream {
	struct hub *hub;
	struct hub_pg *pg;     /* reads */
	struct hub_pg *listen; /* LISTEN xiaoan_event, nothing else */
	bool listening;
	struct hub_sub *head, *tail;
	size_t nsubs;
	int64_t live_seq;      /* the last event read for the live fan-out */
	bool have_seq;
	bool fetch_wanted, clock_wanted;
	int utc_offset;
	int64_t clock_offset_ms; /* database clock minus ours */
	int64_t clock_mono_ms;
	enum hub_job job;
	struct hub_sub *job_sub; /* the subscriber the job is for (NULL if it left) */
	int64_t retry_at_ms;     /* after a failed job: wait until then */
	char last_error[600];    /* of the last failed job, to log a repeat once */
	bool last_db_up;
	lws_sorted_usec_list_t heartbeat_sul;
	lws_sorted_usec_list_t retry_sul;
};

static void hub_stream_pump(struct hub_stream *st);

/* --- rows ----------------------------------------------------------------- */

/* One row of hub_events_sql. parties points into pbuf. */
struct hub_row {
	struct proto_event ev;
	int64_t at_ms;
	struct scope_case sc;
	const char *parties[HUB_MAX_PARTIES];
	char pbuf[2048];
	bool known; /* a kind this hub can render */
};

static void hub_row_read(const PGresult *res, int row, struct hub_row *r)
{
	struct proto_event *ev = &r->ev;
	int kind;
	char *p;

	memset(ev, 0, sizeof(*ev));
	ev->seq = atoll(db_text(res, row, 0));
	kind = proto_kind_parse(db_text(res, row, 1));
	r->known = kind >= 0;
	ev->kind = kind >= 0 ? (enum proto_kind)kind : PROTO_KIND_OPEN;
	ev->stage = db_isnull(res, row, 2) ? -1 : sla_stage_parse(db_text(res, row, 2));
	r->at_ms = atoll(db_text(res, row, 3));
	ev->at = r->at_ms / 1000;
	xstrlcpy(ev->actor, db_text(res, row, 4), sizeof ev->actor);
	xstrlcpy(ev->unit, db_text(res, row, 5), sizeof ev->unit);
	ev->c.id = atoll(db_text(res, row, 6));
	xstrlcpy(ev->c.type, db_text(res, row, 7), sizeof ev->c.type);
	xstrlcpy(ev->c.school, db_text(res, row, 8), sizeof ev->c.school);
	xstrlcpy(ev->c.town, db_text(res, row, 9), sizeof ev->c.town);
	xstrlcpy(ev->c.holder, db_text(res, row, 10), sizeof ev->c.holder);
	xstrlcpy(ev->c.state, db_text(res, row, 11), sizeof ev->c.state);
	xstrlcpy(ev->c.severity, db_text(res, row, 12), sizeof ev->c.severity);
	xstrlcpy(ev->c.summary, db_text(res, row, 13), sizeof ev->c.summary);
	ev->c.version = atoll(db_text(res, row, 14));
	ev->c.supervised = db_text(res, row, 15)[0] == 't';
	ev->c.sensitive = db_text(res, row, 16)[0] == 't';
	ev->c.opened_at = db_epoch(res, row, 17);
	ev->c.sign_start = db_epoch(res, row, 18);
	ev->c.sign_due = db_epoch(res, row, 19);
	ev->c.signed_at = db_epoch(res, row, 20);
	ev->c.feedback_due = db_epoch(res, row, 21);
	ev->c.feedback_at = db_epoch(res, row, 22);
	ev->c.close_due = db_epoch(res, row, 23);
	ev->c.closed_at = db_epoch(res, row, 24);

	r->sc.school = ev->c.school;
	r->sc.town = ev->c.town;
	r->sc.holder = ev->c.holder;
	r->sc.sensitive = ev->c.sensitive;
	r->sc.parties = r->parties;
	r->sc.nparties = 0;
	xstrlcpy(r->pbuf, db_text(res, row, 25), sizeof r->pbuf);
	for (p = r->pbuf; *p && r->sc.nparties < HUB_MAX_PARTIES;) {
		char *comma = strchr(p, ',');

		r->parties[r->sc.nparties++] = p;
		if (!comma)
			break;
		*comma = '\0';
		p = comma + 1;
	}
}

static int64_t hub_stream_server_time(const struct hub_stream *st)
{
	return (xtime_now_ms() + st->clock_offset_ms) / 1000;
}

/* --- subscribers ------------------------------------------------------------ */

static struct hub_msg *hub_heartbeat_msg(struct hub_stream *st, int64_t seq)
{
	struct proto_heartbeat hb = {hub_stream_server_time(st), seq, !st->hub->db_up};

	return hub_msg_new(proto_heartbeat_to_json(&hb), false);
}

static void hub_stream_heartbeat_all(struct hub_stream *st)
{
	for (struct hub_sub *s = st->head; s; s = s->next) {
		if (s->state != HUB_SUB_REPLAY && s->state != HUB_SUB_LIVE)
			continue;
		struct hub_msg *m = hub_heartbeat_msg(st, s->cursor);
		hub_sub_push(s, m);
		hub_msg_unref(m);
	}
}

static void hub_stream_unlink(struct hub_stream *st, struct hub_sub *s)
{
	if (!s->linked)
		return;
	if (s->prev)
		s->prev->next = s->next;
	else
		st->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		st->tail = s->prev;
	s->prev = s->next = NULL;
	s->linked = false;
	st->nsubs--;
}

static void hub_stream_append(struct hub_stream *st, struct hub_sub *s)
{
	s->prev = st->tail;
	s->next = NULL;
	if (st->tail)
		st->tail->next = s;
	else
		st->head = s;
	st->tail = s;
	s->linked = true;
	st->nsubs++;
}

/* The one place a subscriber is taken apart (LWS_CALLBACK_CLOSED). */
static void hub_sub_destroy(struct hub_stream *st, struct hub_sub *s)
{
	hub_stream_unlink(st, s);
	if (st->job_sub == s)
		st->job_sub = NULL;
	if (s->authorised) {
		st->hub->metrics.subscribers--;
		log_info("stream: %s left (seq %lld)", s->login, (long long)s->cursor);
	}
	hub_sub_clear(s);
	s->wsi = NULL;
}

/* Rows of a page for one replaying subscriber. */
static void hub_replay_rows(struct hub_sub *s, const PGresult *res, struct hub_row *row)
{
	for (int i = 0; i < PQntuples(res) && s->state == HUB_SUB_REPLAY; i++) {
		hub_row_read(res, i, row);
		if (row->ev.seq <= s->cursor)
			continue;
		if (row->known && scope_allows(&s->who, &row->sc)) {
			struct hub_msg *m = hub_msg_new(proto_event_to_json(&row->ev), true);
			hub_sub_push(s, m);
			hub_msg_unref(m);
		}
		s->cursor = row->ev.seq;
	}
}

/* --- jobs --------------------------------------------------------------- */

/* Events per page: at most a quarter of a subscriber's queue, so that one
 * page can never overflow a queue that was being drained. */
static size_t hub_page(const struct hub_stream *st)
{
	size_t page = HUB_STREAM_PAGE;

	if (page > st->hub->cfg.queue_messages / 4)
		page = st->hub->cfg.queue_messages / 4;
	/* An event message is rarely over 2.5 kB. */
	if (page > st->hub->cfg.queue_bytes / 4 / 2500)
		page = st->hub->cfg.queue_bytes / 4 / 2500;
	return page ? page : 1;
}

static void hub_stream_retry_cb(lws_sorted_usec_list_t *sul)
{
	hub_stream_pump(lws_container_of(sul, struct hub_stream, retry_sul));
}

/* A job failed with the connection still up: pause, then go on. */
static void hub_stream_backoff(struct hub_stream *st, const char *what, const char *msg)
{
	char line[600];

	snprintf(line, sizeof line, "stream: %s failed: %s", what, msg);
	if (strcmp(line, st->last_error) != 0)
		log_warn("%s; retrying every %d s", line, HUB_STREAM_RETRY_MS / 1000);
	else
		log_debug("%s", line);
	xstrlcpy(st->last_error, line, sizeof st->last_error);
	st->retry_at_ms = xtime_mono_ms() + HUB_STREAM_RETRY_MS;
	lws_sul_schedule(st->hub->ctx, 0, &st->retry_sul, hub_stream_retry_cb,
			 HUB_STREAM_RETRY_MS * LWS_US_PER_MS);
}

static void hub_clock_result(void *arg, PGresult *res)
{
	struct hub_stream *st = arg;
	char msg[512];

	st->job = HUB_JOB_NONE;
	if (!res)
		return;
	if (db_result_error(res, NULL, msg, sizeof msg) != DB_OK || PQntuples(res) != 1) {
		st->clock_wanted = true;
		hub_stream_backoff(st, "reading the clock", msg);
		return;
	}
	st->last_error[0] = '\0';
	st->clock_offset_ms = atoll(db_text(res, 0, 0)) - xtime_now_ms();
	st->utc_offset = atoi(db_text(res, 0, 1));
	st->clock_mono_ms = xtime_mono_ms();
	if (!st->have_seq) {
		st->live_seq = atoll(db_text(res, 0, 2));
		st->have_seq = true;
		log_info("stream: live from seq %lld", (long long)st->live_seq);
	}
}

static void hub_fetch_result(void *arg, PGresult *res)
{
	struct hub_stream *st = arg;
	struct hub_metrics *m = &st->hub->metrics;
	struct hub_row *row;
	char msg[512];
	int n;

	st->job = HUB_JOB_NONE;
	if (!res) {
		st->fetch_wanted = true;
		return;
	}
	if (db_result_error(res, NULL, msg, sizeof msg) != DB_OK) {
		st->fetch_wanted = true;
		hub_stream_backoff(st, "reading events", msg);
		return;
	}
	st->last_error[0] = '\0';
	row = xmalloc(sizeof(*row));
	n = PQntuples(res);
	for (int i = 0; i < n; i++) {
		struct hub_msg *msgbuf = NULL;

		hub_row_read(res, i, row);
		if (!row->known)
			log_warn("stream: event %lld has a kind this hub does not know: not sent",
				 (long long)row->ev.seq);
		for (struct hub_sub *s = st->head; s; s = s->next) {
			if (s->state != HUB_SUB_LIVE || s->cursor >= row->ev.seq)
				continue;
			if (row->known && scope_allows(&s->who, &row->sc)) {
				if (!msgbuf)
					msgbuf = hub_msg_new(proto_event_to_json(&row->ev), true);
				hub_sub_push(s, msgbuf);
			}
			s->cursor = row->ev.seq;
		}
		hub_msg_unref(msgbuf);
		st->live_seq = row->ev.seq;
		m->events_fetched++;
		m->stream_lag_seconds = (double)(xtime_now_ms() + st->clock_offset_ms - row->at_ms) / 1000.0;
		if (m->stream_lag_seconds < 0)
			m->stream_lag_seconds = 0;
	}
	free(row);
	if ((size_t)n == hub_page(st))
		st->fetch_wanted = true;
}

/* With no live subscriber the live position only has to move on: reading
 * the events themselves (tens of thousands a second under load) would cost
 * the database a core for nothing. It never moves past a subscriber that
 * went live meanwhile; that one's events are read as usual. */
static void hub_skip_result(void *arg, PGresult *res)
{
	struct hub_stream *st = arg;
	char msg[512];
	int64_t last;

	st->job = HUB_JOB_NONE;
	if (!res) {
		st->fetch_wanted = true;
		return;
	}
	if (db_result_error(res, NULL, msg, sizeof msg) != DB_OK || PQntuples(res) != 1) {
		st->fetch_wanted = true;
		hub_stream_backoff(st, "reading the last event", msg);
		return;
	}
	st->last_error[0] = '\0';
	last = atoll(db_text(res, 0, 0));
	for (struct hub_sub *s = st->head; s; s = s->next)
		if (s->state == HUB_SUB_LIVE && s->cursor < last) {
			last = s->cursor;
			st->fetch_wanted = true;
		}
	if (last > st->live_seq)
		st->live_seq = last;
}

static bool hub_stream_any_live(const struct hub_stream *st)
{
	for (const struct hub_sub *s = st->head; s; s = s->next)
		if (s->state == HUB_SUB_LIVE)
			return true;
	return false;
}

static void hub_auth_result(void *arg, PGresult *res)
{
	struct hub_stream *st = arg;
	struct hub_sub *s = st->job_sub;
	struct proto_hello hello;
	int64_t db_last;
	char msg[512];
	int role;

	st->job = HUB_JOB_NONE;
	st->job_sub = NULL;
	if (!s || s->state != HUB_SUB_AUTH)
		return;
	if (!res) {
		hub_sub_close(s, HUB_CLOSE_UNAVAILABLE, "database unavailable");
		return;
	}
	if (db_result_error(res, NULL, msg, sizeof msg) != DB_OK) {
		log_warn("stream: checking a session token failed: %s", msg);
		hub_sub_close(s, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION, "cannot check the session token");
		return;
	}
	role = PQntuples(res) == 1 ? scope_role_parse(db_text(res, 0, 1)) : SCOPE_ROLE_INVALID;
	if (role == SCOPE_ROLE_INVALID) {
		log_info("stream: refused a subscriber with an invalid or expired session token");
		hub_sub_close(s, HUB_CLOSE_UNAUTHORIZED, "invalid or expired session token");
		return;
	}
	xstrlcpy(s->login, db_text(res, 0, 0), sizeof s->login);
	s->who.role = (enum scope_role)role;
	xstrlcpy(s->who.unit, db_text(res, 0, 2), sizeof s->who.unit);
	xstrlcpy(s->who.town, db_text(res, 0, 3), sizeof s->who.town);
	db_last = atoll(db_text(res, 0, 4));
	if (s->has_since && s->since > db_last) {
		char why[160];

		snprintf(why, sizeof why, "since=%lld is ahead of the latest event (%lld): wrong database?",
			 (long long)s->since, (long long)db_last);
		hub_sub_resync(s, why);
		return;
	}
	s->authorised = true;
	st->hub->metrics.subscribers++;
	memset(&hello, 0, sizeof hello);
	hello.server_time = hub_stream_server_time(st);
	hello.seq = db_last;
	xstrlcpy(hello.hub, st->hub->cfg.name, sizeof hello.hub);
	hello.utc_offset = st->utc_offset;
	struct hub_msg *m = hub_msg_new(proto_hello_to_json(&hello), false);
	hub_sub_push(s, m);
	hub_msg_unref(m);
	s->cursor = s->has_since ? s->since : db_last;
	s->state = s->cursor >= db_last && s->cursor >= st->live_seq ? HUB_SUB_LIVE : HUB_SUB_REPLAY;
	if (s->has_since)
		log_info("stream: %s (%s %s) joined, replaying from seq %lld", s->login,
			 scope_role_name(s->who.role), s->who.unit, (long long)s->since);
	else
		log_info("stream: %s (%s %s) joined at seq %lld", s->login, scope_role_name(s->who.role),
			 s->who.unit, (long long)db_last);
}

static void hub_replay_result(void *arg, PGresult *res)
{
	struct hub_stream *st = arg;
	struct hub_sub *s = st->job_sub;
	struct hub_row *row;
	char msg[512];

	st->job = HUB_JOB_NONE;
	st->job_sub = NULL;
	if (!s || s->state != HUB_SUB_REPLAY || !res)
		return; /* gone, or the connection went: the next page is read later */
	if (db_result_error(res, NULL, msg, sizeof msg) != DB_OK) {
		hub_stream_backoff(st, "reading a backlog", msg);
		return;
	}
	row = xmalloc(sizeof(*row));
	hub_replay_rows(s, res, row);
	free(row);
	/* A short page reached the end of the table as it was then, which is
	 * at or past live_seq: the live fan-out takes over from the cursor. */
	if (s->state == HUB_SUB_REPLAY &&
	    ((size_t)PQntuples(res) < hub_page(st) || s->cursor >= st->live_seq)) {
		s->state = HUB_SUB_LIVE;
		log_debug("stream: %s caught up at seq %lld", s->login, (long long)s->cursor);
	}
}

static void hub_stream_send(struct hub_stream *st, enum hub_job job, struct hub_sub *s, const char *sql,
			    int nparams, const char *const *params, hub_pg_result_fn fn)
{
	st->job = job;
	st->job_sub = s;
	if (hub_pg_send(st->pg, sql, nparams, params, fn, st) < 0) {
		st->job = HUB_JOB_NONE;
		st->job_sub = NULL;
	}
}

static void hub_stream_pump(struct hub_stream *st)
{
	char a[24], b[24];
	const char *params[2] = {a, b};

	if (st->job != HUB_JOB_NONE || !hub_pg_idle(st->pg) || st->hub->exiting ||
	    xtime_mono_ms() < st->retry_at_ms)
		return;
	if (st->clock_wanted || !st->have_seq) {
		st->clock_wanted = false;
		hub_stream_send(st, HUB_JOB_CLOCK, NULL, hub_clock_sql, 0, NULL, hub_clock_result);
		return;
	}
	if (st->fetch_wanted) {
		st->fetch_wanted = false;
		if (!hub_stream_any_live(st)) {
			hub_stream_send(st, HUB_JOB_FETCH, NULL, hub_last_sql, 0, NULL, hub_skip_result);
			return;
		}
		snprintf(a, sizeof a, "%lld", (long long)st->live_seq);
		snprintf(b, sizeof b, "%zu", hub_page(st));
		hub_stream_send(st, HUB_JOB_FETCH, NULL, hub_events_sql, 2, params, hub_fetch_result);
		return;
	}
	for (struct hub_sub *s = st->head; s; s = s->next)
		if (s->state == HUB_SUB_AUTH) {
			const char *tok = s->token;

			hub_stream_send(st, HUB_JOB_AUTH, s, hub_session_sql, 1, &tok, hub_auth_result);
			return;
		}
	for (struct hub_sub *s = st->head; s; s = s->next)
		if (s->state == HUB_SUB_REPLAY && hub_sub_room(s, hub_page(st))) {
			/* Round robin: to the back of the list. */
			hub_stream_unlink(st, s);
			hub_stream_append(st, s);
			snprintf(a, sizeof a, "%lld", (long long)s->cursor);
			snprintf(b, sizeof b, "%zu", hub_page(st));
			hub_stream_send(st, HUB_JOB_REPLAY, s, hub_events_sql, 2, params, hub_replay_result);
			return;
		}
}

/* --- connections -------------------------------------------------------- */

static void hub_listen_result(void *arg, PGresult *res)
{
	struct hub_stream *st = arg;
	char msg[512];

	if (!res)
		return;
	if (db_result_error(res, NULL, msg, sizeof msg) != DB_OK) {
		log_error("stream: LISTEN xiaoan_event failed: %s", msg);
		return;
	}
	st->listening = true;
	/* Whatever was committed while nobody listened: new events, and
	 * producer tokens revoked or replaced. */
	st->fetch_wanted = true;
	hub_ingest_forget_tokens(st->hub->ingest);
	hub_db_changed(st->hub);
	hub_stream_pump(st);
}

static void hub_listen_up(void *arg)
{
	struct hub_stream *st = arg;
	struct hub_pg *c = st->listen;

	hub_pg_send(c, "LISTEN xiaoan_event", 0, NULL, hub_listen_result, st);
}

/* A revocation may be missed while nobody listens: every token is checked
 * again until LISTEN is back in place (and then once more). */
static void hub_listen_down(void *arg)
{
	struct hub_stream *st = arg;

	st->listening = false;
	hub_ingest_forget_tokens(st->hub->ingest);
	hub_db_changed(st->hub);
}

/* The payload is empty for new events, "officer:<login>" when an officer
 * was changed or disabled: that officer's streams close (4401), so their
 * consoles reconnect with a fresh token and the new scope — or none.
 * "producers" when a producer's token was revoked, replaced or deleted: the
 * ingest forgets the tokens it remembered. */
static void hub_listen_notify(void *arg, const char *channel, const char *payload)
{
	struct hub_stream *st = arg;

	(void)channel;
	if (strcmp(payload, "producers") == 0) {
		log_info("stream: producer tokens changed in the database: remembered tokens forgotten");
		hub_ingest_forget_tokens(st->hub->ingest);
		return;
	}
	if (strncmp(payload, "officer:", 8) == 0) {
		for (struct hub_sub *s = st->head; s; s = s->next)
			if (strcmp(s->login, payload + 8) == 0) {
				log_info("stream: %s: officer changed or disabled; closing", s->login);
				hub_sub_close(s, HUB_CLOSE_UNAUTHORIZED, "officer changed or disabled");
			}
		return;
	}
	st->fetch_wanted = true;
	hub_stream_pump(st);
}

static const struct hub_pg_hooks hub_listen_hooks = {
	.up = hub_listen_up,
	.down = hub_listen_down,
	.notify = hub_listen_notify,
};

static void hub_reader_up(void *arg)
{
	struct hub_stream *st = arg;

	st->clock_wanted = true;
	st->retry_at_ms = 0;
	hub_db_changed(st->hub);
}

static void hub_reader_down(void *arg)
{
	hub_db_changed(((struct hub_stream *)arg)->hub);
}

static void hub_reader_idle(void *arg)
{
	hub_stream_pump(arg);
}

static const struct hub_pg_hooks hub_reader_hooks = {
	.up = hub_reader_up,
	.down = hub_reader_down,
	.idle = hub_reader_idle,
};

bool hub_stream_db_up(const struct hub_stream *st)
{
	return st && st->pg && hub_pg_up(st->pg) && st->listening;
}

void hub_stream_db_changed(struct hub_stream *st)
{
	if (st->hub->db_up == st->last_db_up)
		return;
	st->last_db_up = st->hub->db_up;
	if (!st->hub->db_up)
		for (struct hub_sub *s = st->head; s; s = s->next)
			if (s->state == HUB_SUB_AUTH && s != st->job_sub)
				hub_sub_close(s, HUB_CLOSE_UNAVAILABLE, "database unavailable");
	hub_stream_heartbeat_all(st);
}

static void hub_heartbeat_cb(lws_sorted_usec_list_t *sul)
{
	struct hub_stream *st = lws_container_of(sul, struct hub_stream, heartbeat_sul);

	hub_stream_heartbeat_all(st);
	if (xtime_mono_ms() - st->clock_mono_ms > HUB_CLOCK_REFRESH_MS) {
		st->clock_wanted = true;
		hub_stream_pump(st);
	}
	lws_sul_schedule(st->hub->ctx, 0, &st->heartbeat_sul, hub_heartbeat_cb,
			 st->hub->cfg.heartbeat_secs * LWS_US_PER_SEC);
}

/* --- the WebSocket protocol ------------------------------------------------ */

/* Reads the token and since of the upgrade request into s. */
static void hub_sub_request(struct lws *wsi, struct hub_sub *s)
{
	char buf[HUB_TOKEN_MAX + 64];
	const char *v;
	char *end;
	int n;

	n = lws_hdr_copy(wsi, buf, sizeof buf, WSI_TOKEN_HTTP_AUTHORIZATION);
	if (n > 7 && strncasecmp(buf, "Bearer ", 7) == 0) {
		v = buf + 7;
		while (*v == ' ')
			v++;
		if (strlen(v) <= HUB_TOKEN_MAX)
			xstrlcpy(s->token, v, sizeof s->token);
	} else if ((v = lws_get_urlarg_by_name(wsi, "token=", buf, (int)sizeof buf)) != NULL &&
		   strlen(v) <= HUB_TOKEN_MAX) {
		xstrlcpy(s->token, v, sizeof s->token);
	}
	if ((v = lws_get_urlarg_by_name(wsi, "since=", buf, (int)sizeof buf)) != NULL) {
		s->has_since = true;
		if (*v < '0' || *v > '9' || strlen(v) > 18) {
			s->bad_since = true;
		} else {
			s->since = strtoll(v, &end, 10);
			s->bad_since = *end != '\0';
		}
	}
}

static int hub_stream_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
			       size_t len)
{
	struct hub_sub *s = user;
	struct hub *h;
	struct hub_stream *st;
	char uri[32];

	(void)in;
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0 ||
		    (strcmp(uri, "/v1/stream") != 0 && strcmp(uri, "/v1/stream/") != 0))
			return 1; /* an upgrade anywhere else: refused */
		hub_sub_request(wsi, s);
		return 0;
	case LWS_CALLBACK_ESTABLISHED:
		h = hub_of(wsi);
		st = h->stream;
		s->wsi = wsi;
		s->hub = h;
		s->state = HUB_SUB_AUTH;
		hub_stream_append(st, s);
		if (h->draining)
			hub_sub_close(s, LWS_CLOSE_STATUS_GOINGAWAY, "hub shutting down");
		else if (s->bad_since)
			hub_sub_close(s, HUB_CLOSE_BAD_REQUEST, "since must be a sequence number");
		else if (!s->token[0])
			hub_sub_close(s, HUB_CLOSE_UNAUTHORIZED, "missing session token");
		else if (!h->db_up)
			hub_sub_close(s, HUB_CLOSE_UNAVAILABLE, "database unavailable");
		else
			hub_stream_pump(st);
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE: {
		bool replaying = s->state == HUB_SUB_REPLAY;
		int r = hub_sub_write(s);

		if (r == 0 && replaying)
			hub_stream_pump(hub_of(wsi)->stream);
		return r;
	}
	case LWS_CALLBACK_RECEIVE:
		return 0; /* nothing is expected from subscribers */
	case LWS_CALLBACK_CLOSED:
		if (s->wsi)
			hub_sub_destroy(hub_of(wsi)->stream, s);
		return 0;
	default:
		return 0;
	}
}

void hub_stream_protocol(struct lws_protocols *p)
{
	memset(p, 0, sizeof(*p));
	p->name = PROTO_SUBPROTOCOL;
	p->callback = hub_stream_callback;
	p->per_session_data_size = sizeof(struct hub_sub);
	p->rx_buffer_size = 4096;
}

/* --- life cycle ------------------------------------------------------------ */

struct hub_stream *hub_stream_new(struct hub *h)
{
	struct hub_stream *st = xcalloc(1, sizeof(*st));

	st->hub = h;
	st->pg = hub_pg_new(h, "stream", &hub_reader_hooks, st);
	hub_pg_prepare(st->pg, hub_events_sql); /* once per commit, and per page of a replay */
	st->listen = hub_pg_new(h, "listen", &hub_listen_hooks, st);
	return st;
}

void hub_stream_start(struct hub_stream *st)
{
	hub_pg_start(st->listen);
	hub_pg_start(st->pg);
	lws_sul_schedule(st->hub->ctx, 0, &st->heartbeat_sul, hub_heartbeat_cb,
			 st->hub->cfg.heartbeat_secs * LWS_US_PER_SEC);
}

void hub_stream_close_all(struct hub_stream *st)
{
	for (struct hub_sub *s = st->head; s; s = s->next)
		hub_sub_close(s, LWS_CLOSE_STATUS_GOINGAWAY, "hub shutting down");
}

size_t hub_stream_count(const struct hub_stream *st)
{
	return st->nsubs;
}

void hub_stream_shutdown(struct hub_stream *st)
{
	if (!st)
		return;
	lws_sul_cancel(&st->heartbeat_sul);
	lws_sul_cancel(&st->retry_sul);
	hub_pg_free(st->pg);
	hub_pg_free(st->listen);
	st->pg = st->listen = NULL;
}

void hub_stream_free(struct hub_stream *st)
{
	free(st);
}
