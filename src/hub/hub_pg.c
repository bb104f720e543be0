/* hub_pg.c — a libpq connection driven by the lws loop.
 *
 * States: DOWN (a reconnect is scheduled) -> CONNECTING (PQconnectPoll) ->
 * PREPARING (the owner's statements, one PQsendPrepare at a time; skipped
 * when there are none) -> IDLE <-> BUSY (one statement in flight). Any
 * failure goes back to DOWN: the statement in flight is answered with NULL,
 * the owner's down hook runs (if its up hook ran) and a reconnect is
 * scheduled with backoff. */
#include "xiaoan/hub_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/db.h"
#include "xiaoan/log.h"
#include "xiaoan/util.h"

#define HUB_PG_BACKOFF_MIN_MS 250
#define HUB_PG_BACKOFF_MAX_MS 5000
#define HUB_PG_CONNECT_TIMEOUT_MS 10000
#define HUB_PG_MAX_PREPARED 4

enum hub_pg_state { HUB_PG_DOWN, HUB_PG_CONNECTING, HUB_PG_PREPARING, HUB_PG_IDLE, HUB_PG_BUSY };

struct hub_pg {
	struct hub *hub;
	char name[24];
	char appname[48];
	const struct hub_pg_hooks *hooks;
	void *arg;
	PGconn *conn;
	enum hub_pg_state state;
	bool flushing;       /* PQflush said there is more to send */
	hub_pg_result_fn fn; /* the statement in flight */
	void *fn_arg;
	bool fn_prepared;    /* it was sent prepared */
	PGresult *last;      /* its result so far */
	struct hub_watch watch;
	lws_sorted_usec_list_t retry_sul;
	lws_sorted_usec_list_t timeout_sul;
	int64_t backoff_ms;
	char last_error[256]; /* the previous failure, to log a repeated one once */
	const char *stmts[HUB_PG_MAX_PREPARED]; /* prepared as "s<index>" */
	size_t nstmts;
	size_t nprepared; /* on this connection, while PREPARING */
};

static void hub_pg_connect(struct hub_pg *c);
static void hub_pg_prepare_next(struct hub_pg *c);

const char *hub_pg_name(const struct hub_pg *c)
{
	return c->name;
}

bool hub_pg_up(const struct hub_pg *c)
{
	return c->state == HUB_PG_IDLE || c->state == HUB_PG_BUSY;
}

bool hub_pg_idle(const struct hub_pg *c)
{
	return c->state == HUB_PG_IDLE;
}

/* The first line of a libpq message, blanks squeezed: libpq adds a second
 * line of advice ("This probably means ...") that says nothing more here. */
static void hub_pg_one_line(char *dst, size_t n, const char *msg)
{
	size_t i = 0;
	bool blank = false;

	for (; msg && *msg && *msg != '\n' && i + 1 < n; msg++) {
		if (*msg == ' ' || *msg == '\t' || *msg == '\r') {
			blank = i > 0;
			continue;
		}
		if (blank && i + 2 < n)
			dst[i++] = ' ';
		blank = false;
		dst[i++] = *msg;
	}
	dst[i] = '\0';
}

/* Server notices and warnings (libpq would print them on stderr). */
static void hub_pg_notice(void *arg, const char *message)
{
	struct hub_pg *c = arg;
	char line[512];

	hub_pg_one_line(line, sizeof line, message);
	log_info("database connection %s: server says: %s", c->name, line);
}

static void hub_pg_retry_cb(lws_sorted_usec_list_t *sul)
{
	struct hub_pg *c = lws_container_of(sul, struct hub_pg, retry_sul);

	if (c->state == HUB_PG_DOWN && !c->hub->exiting)
		hub_pg_connect(c);
}

/* The connection is unusable: drop it, answer the statement in flight with
 * NULL and schedule a reconnect. */
static void hub_pg_fail(struct hub_pg *c, const char *why)
{
	char line[256];
	bool was_up = hub_pg_up(c);
	hub_pg_result_fn fn = c->fn;
	void *fn_arg = c->fn_arg;

	hub_pg_one_line(line, sizeof line, why && *why ? why : (c->conn ? PQerrorMessage(c->conn) : ""));
	if (!line[0])
		snprintf(line, sizeof line, "connection closed");
	if (was_up)
		log_warn("database connection %s lost: %s; reconnecting", c->name, line);
	else if (strcmp(line, c->last_error) != 0)
		log_warn("database connection %s: cannot connect: %s; retrying every %.2g s at most",
			 c->name, line, HUB_PG_BACKOFF_MAX_MS / 1000.0);
	else
		log_debug("database connection %s: still cannot connect: %s", c->name, line);
	xstrlcpy(c->last_error, line, sizeof c->last_error);

	hub_watch_stop(&c->watch);
	PQclear(c->last);
	c->last = NULL;
	if (c->conn)
		PQfinish(c->conn);
	c->conn = NULL;
	c->fn = NULL;
	c->fn_arg = NULL;
	c->flushing = false;
	c->state = HUB_PG_DOWN;
	lws_sul_cancel(&c->timeout_sul);
	if (!c->hub->exiting) {
		lws_sul_schedule(c->hub->ctx, 0, &c->retry_sul, hub_pg_retry_cb,
				 c->backoff_ms * LWS_US_PER_MS);
		c->backoff_ms *= 2;
		if (c->backoff_ms > HUB_PG_BACKOFF_MAX_MS)
			c->backoff_ms = HUB_PG_BACKOFF_MAX_MS;
	}
	if (fn)
		fn(fn_arg, NULL);
	if (was_up && c->hooks->down)
		c->hooks->down(c->arg);
}

static void hub_pg_timeout_cb(lws_sorted_usec_list_t *sul)
{
	struct hub_pg *c = lws_container_of(sul, struct hub_pg, timeout_sul);

	if (c->state == HUB_PG_CONNECTING || c->state == HUB_PG_PREPARING)
		hub_pg_fail(c, "timed out connecting");
}

/* Makes the watch follow PQsocket(): it changes while connecting (another
 * address, another attempt). */
static int hub_pg_rewatch(struct hub_pg *c)
{
	int fd = PQsocket(c->conn);

	if (fd < 0)
		return -1;
	if (c->watch.wsi && hub_watch_is(&c->watch, fd))
		return 0;
	hub_watch_stop(&c->watch);
	return hub_watch_start(c->hub, &c->watch, fd);
}

static void hub_pg_connect_poll(struct hub_pg *c)
{
	switch (PQconnectPoll(c->conn)) {
	case PGRES_POLLING_FAILED:
		hub_pg_fail(c, NULL);
		return;
	case PGRES_POLLING_READING:
		if (hub_pg_rewatch(c) < 0)
			hub_pg_fail(c, "cannot watch the connection's socket");
		return;
	case PGRES_POLLING_WRITING:
		if (hub_pg_rewatch(c) < 0) {
			hub_pg_fail(c, "cannot watch the connection's socket");
			return;
		}
		hub_watch_want_write(&c->watch);
		return;
	case PGRES_POLLING_OK:
		break;
	default: /* PGRES_POLLING_ACTIVE: obsolete, not returned */
		return;
	}
	if (hub_pg_rewatch(c) < 0) {
		hub_pg_fail(c, "cannot watch the connection's socket");
		return;
	}
	if (PQsetnonblocking(c->conn, 1) != 0) {
		hub_pg_fail(c, NULL);
		return;
	}
	c->nprepared = 0;
	hub_pg_prepare_next(c);
	if (c->state == HUB_PG_IDLE && c->hooks->idle)
		c->hooks->idle(c->arg);
}

static void hub_pg_notifies(struct hub_pg *c)
{
	PGnotify *n;

	while (c->conn && (n = PQnotifies(c->conn)) != NULL) {
		if (c->hooks->notify)
			c->hooks->notify(c->arg, n->relname, n->extra);
		PQfreemem(n);
	}
}

/* Reads what is there, passes notifications on and finishes the statement
 * in flight when its results are complete. */
static void hub_pg_io(struct hub_pg *c, bool writable)
{
	if (!writable && !PQconsumeInput(c->conn)) {
		hub_pg_fail(c, NULL);
		return;
	}
	if (c->flushing) {
		int r = PQflush(c->conn);

		if (r < 0) {
			hub_pg_fail(c, NULL);
			return;
		}
		c->flushing = r == 1;
		if (c->flushing)
			hub_watch_want_write(&c->watch);
	}
	hub_pg_notifies(c);
	while ((c->state == HUB_PG_BUSY || c->state == HUB_PG_PREPARING) && !c->flushing && !PQisBusy(c->conn)) {
		PGresult *r = PQgetResult(c->conn);
		hub_pg_result_fn fn;
		void *fn_arg;

		if (r) {
			/* Keep the last result, but never let a later one hide an error. */
			if (c->last && PQresultStatus(c->last) == PGRES_FATAL_ERROR) {
				PQclear(r);
			} else {
				PQclear(c->last);
				c->last = r;
			}
			continue;
		}
		if (PQstatus(c->conn) == CONNECTION_BAD) {
			hub_pg_fail(c, NULL);
			return;
		}
		r = c->last;
		if (c->state == HUB_PG_BUSY && c->fn_prepared && r &&
		    strcmp(db_sqlstate(r), "0A000") == 0 && PQresultStatus(r) == PGRES_FATAL_ERROR) {
			/* "cached plan must not change result type": a migration
			 * changed what a prepared statement returns. Answered as
			 * a lost connection; the new one prepares it afresh. */
			char msg[200];

			db_result_error(r, c->conn, msg, sizeof msg);
			hub_pg_fail(c, msg);
			return;
		}
		fn = c->fn;
		fn_arg = c->fn_arg;
		c->last = NULL;
		c->fn = NULL;
		c->fn_arg = NULL;
		if (c->state == HUB_PG_PREPARING) {
			char msg[200], why[256];

			if (db_result_error(r, c->conn, msg, sizeof msg) != DB_OK) {
				PQclear(r);
				snprintf(why, sizeof why, "%s (is the database migrated? xiaoan-admin migrate)", msg);
				hub_pg_fail(c, why);
				return;
			}
			c->nprepared++;
			hub_pg_prepare_next(c);
		} else {
			c->state = HUB_PG_IDLE;
			if (fn)
				fn(fn_arg, r);
		}
		PQclear(r);
		/* The callback may have sent the next statement already. */
		if (c->state == HUB_PG_IDLE && c->hooks->idle)
			c->hooks->idle(c->arg);
		/* Notifications that came with the answer. */
		hub_pg_notifies(c);
	}
	if (c->conn && PQstatus(c->conn) == CONNECTION_BAD)
		hub_pg_fail(c, NULL);
}

static void hub_pg_ready(struct hub_watch *w, bool writable)
{
	struct hub_pg *c = w->arg;

	if (c->state == HUB_PG_CONNECTING)
		hub_pg_connect_poll(c);
	else if (c->state != HUB_PG_DOWN)
		hub_pg_io(c, writable);
}

static void hub_pg_closed(struct hub_watch *w)
{
	struct hub_pg *c = w->arg;

	if (c->state != HUB_PG_DOWN)
		hub_pg_fail(c, "the server closed the connection");
}

static void hub_pg_connect(struct hub_pg *c)
{
	struct db_params p;

	db_conninfo_with_app(&p, c->hub->cfg.db, c->appname);
	c->conn = PQconnectStartParams(p.keys, p.vals, 1);
	if (!c->conn) {
		hub_pg_fail(c, "out of memory");
		return;
	}
	if (PQstatus(c->conn) == CONNECTION_BAD) {
		hub_pg_fail(c, NULL);
		return;
	}
	PQsetNoticeProcessor(c->conn, hub_pg_notice, c);
	c->state = HUB_PG_CONNECTING;
	lws_sul_schedule(c->hub->ctx, 0, &c->timeout_sul, hub_pg_timeout_cb,
			 HUB_PG_CONNECT_TIMEOUT_MS * LWS_US_PER_MS);
	/* As if PQconnectPoll had said PGRES_POLLING_WRITING. */
	if (hub_pg_rewatch(c) < 0) {
		hub_pg_fail(c, "cannot watch the connection's socket");
		return;
	}
	hub_watch_want_write(&c->watch);
}

struct hub_pg *hub_pg_new(struct hub *h, const char *name, const struct hub_pg_hooks *hooks, void *arg)
{
	struct hub_pg *c = xcalloc(1, sizeof(*c));

	c->hub = h;
	xstrlcpy(c->name, name, sizeof c->name);
	snprintf(c->appname, sizeof c->appname, "xiaoan-hub %s", name);
	c->hooks = hooks;
	c->arg = arg;
	c->state = HUB_PG_DOWN;
	c->backoff_ms = HUB_PG_BACKOFF_MIN_MS;
	c->watch.ready = hub_pg_ready;
	c->watch.closed = hub_pg_closed;
	c->watch.arg = c;
	return c;
}

void hub_pg_start(struct hub_pg *c)
{
	if (c->state == HUB_PG_DOWN)
		hub_pg_connect(c);
}

void hub_pg_prepare(struct hub_pg *c, const char *sql)
{
	if (c->nstmts == HUB_PG_MAX_PREPARED) {
		log_error("hub_pg_prepare: more than %d statements for connection %s", HUB_PG_MAX_PREPARED, c->name);
		abort();
	}
	c->stmts[c->nstmts++] = sql;
}

static void hub_pg_stmt_name(char *dst, size_t n, size_t i)
{
	snprintf(dst, n, "s%zu", i);
}

/* After a PQsend*: the statement is in flight in state, answered to fn. */
static int hub_pg_sent(struct hub_pg *c, int sent, enum hub_pg_state state, hub_pg_result_fn fn, void *arg)
{
	int r;

	if (!sent) {
		hub_pg_fail(c, NULL);
		return -1;
	}
	c->state = state;
	c->fn = fn;
	c->fn_arg = arg;
	r = PQflush(c->conn);
	if (r < 0) {
		/* Not sent: nobody is waiting for an answer yet. */
		c->fn = NULL;
		hub_pg_fail(c, NULL);
		return -1;
	}
	c->flushing = r == 1;
	if (c->flushing)
		hub_watch_want_write(&c->watch);
	return 0;
}

/* Prepares the next of the owner's statements, or, all prepared, makes the
 * connection idle and tells the owner it is up. */
static void hub_pg_prepare_next(struct hub_pg *c)
{
	if (c->nprepared < c->nstmts) {
		char name[24];

		hub_pg_stmt_name(name, sizeof name, c->nprepared);
		hub_pg_sent(c, PQsendPrepare(c->conn, name, c->stmts[c->nprepared], 0, NULL), HUB_PG_PREPARING, NULL,
			    NULL);
		return;
	}
	/* Up only now: a server that refuses a statement is retried with
	 * backoff, its reason logged once, like one that refuses the login. */
	lws_sul_cancel(&c->timeout_sul);
	c->state = HUB_PG_IDLE;
	c->backoff_ms = HUB_PG_BACKOFF_MIN_MS;
	c->last_error[0] = '\0';
	log_info("database connection %s up (server %d, backend pid %d)", c->name, PQserverVersion(c->conn),
		 PQbackendPID(c->conn));
	if (c->hooks->up)
		c->hooks->up(c->arg);
}

int hub_pg_send(struct hub_pg *c, const char *sql, int nparams, const char *const *params,
		hub_pg_result_fn fn, void *arg)
{
	if (c->state != HUB_PG_IDLE)
		return -1;
	for (size_t i = 0; i < c->nstmts; i++) {
		if (strcmp(c->stmts[i], sql) == 0) {
			char name[24];

			hub_pg_stmt_name(name, sizeof name, i);
			c->fn_prepared = true;
			return hub_pg_sent(c, PQsendQueryPrepared(c->conn, name, nparams, params, NULL, NULL, 0),
					   HUB_PG_BUSY, fn, arg);
		}
	}
	c->fn_prepared = false;
	return hub_pg_sent(c, PQsendQueryParams(c->conn, sql, nparams, NULL, params, NULL, NULL, 0), HUB_PG_BUSY,
			   fn, arg);
}

void hub_pg_free(struct hub_pg *c)
{
	if (!c)
		return;
	lws_sul_cancel(&c->retry_sul);
	lws_sul_cancel(&c->timeout_sul);
	hub_watch_stop(&c->watch);
	PQclear(c->last);
	if (c->conn)
		PQfinish(c->conn);
	free(c);
}
