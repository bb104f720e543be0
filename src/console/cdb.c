#include "xiaoan/cdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xiaoan/cloop.h"
#include "xiaoan/i18n.h"
#include "xiaoan/util.h"

#define CDB_BACKOFF_MIN_MS 500
#define CDB_BACKOFF_MAX_MS 10000

struct cdb_query {
	struct cdb_query *next;
	char *sql;
	int nparams;
	char **params;
	cdb_result_cb cb;
	void *ud;
};

struct cdb {
	char *conninfo;
	PGconn *conn;
	enum cdb_state st;
	cdb_state_cb on_state;
	void *ud;
	struct cloop_fd fdw;
	int sock;                 /* the PQsocket() the watch was made for */
	bool connect_writing;     /* PQconnectPoll wants the socket writable */
	struct cdb_query *head, *tail;
	bool busy;                /* the head is sent and has no final result yet */
	PGresult *res;            /* the head's result, kept until NULL arrives */
	struct cloop_timer retry;
	int backoff_ms;
};

static void cdb_io(struct cloop_fd *w, int events);

/* libpq prints notices (and the server's FATAL on shutdown) to stderr,
 * which is the terminal the screen is drawn on: keep them off it. The
 * state change that follows says what happened. */
static void cdb_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}
static void cdb_kick(struct cdb *db);

struct cdb *cdb_new(const char *conninfo, cdb_state_cb on_state, void *ud)
{
	struct cdb *db = xcalloc(1, sizeof *db);

	db->conninfo = xstrdup(conninfo ? conninfo : "");
	db->on_state = on_state;
	db->ud = ud;
	db->sock = -1;
	db->backoff_ms = CDB_BACKOFF_MIN_MS;
	return db;
}

static void cdb_query_free(struct cdb_query *q)
{
	for (int i = 0; i < q->nparams; i++)
		free(q->params[i]);
	free(q->params);
	free(q->sql);
	free(q);
}

static struct cdb_query *cdb_pop(struct cdb *db)
{
	struct cdb_query *q = db->head;
	if (q) {
		db->head = q->next;
		if (!db->head)
			db->tail = NULL;
	}
	return q;
}

/* Fail every queued query (the connection went away). */
static void cdb_fail_all(struct cdb *db, const char *msg)
{
	struct cdb_query *q;

	if (db->res) {
		PQclear(db->res);
		db->res = NULL;
	}
	db->busy = false;
	while ((q = cdb_pop(db))) {
		q->cb(q->ud, NULL, DB_CONN, msg);
		cdb_query_free(q);
	}
}

static void cdb_set_state(struct cdb *db, enum cdb_state st, const char *msg)
{
	db->st = st;
	if (db->on_state)
		db->on_state(db->ud, st, msg ? msg : "");
}

static void cdb_retry_fire(struct cloop_timer *t)
{
	cdb_connect(t->ud);
}

static void cdb_drop(struct cdb *db, const char *why)
{
	char msg[512];

	snprintf(msg, sizeof msg, "%s", why && *why ? why : _("the database connection was lost"));
	/* Trim libpq's trailing newline. */
	msg[strcspn(msg, "\n")] = '\0';
	cloop_unwatch(&db->fdw);
	db->sock = -1;
	if (db->conn) {
		PQfinish(db->conn);
		db->conn = NULL;
	}
	cdb_fail_all(db, msg);
	cdb_set_state(db, CDB_DOWN, msg);
	cloop_timer_set(&db->retry, db->backoff_ms, cdb_retry_fire, db);
	db->backoff_ms = db->backoff_ms * 2 > CDB_BACKOFF_MAX_MS ? CDB_BACKOFF_MAX_MS : db->backoff_ms * 2;
}

/* (Re-)adopt the current socket: libpq may change it while connecting. */
static int cdb_watch_socket(struct cdb *db)
{
	int s = PQsocket(db->conn), d;

	if (s < 0)
		return -1;
	if (s == db->sock && cloop_watching(&db->fdw))
		return 0;
	cloop_unwatch(&db->fdw);
	/* lws closes what it adopted and libpq closes its own socket: give
	 * lws a duplicate. */
	d = dup(s);
	if (d < 0)
		return -1;
	db->sock = s;
	return cloop_watch(&db->fdw, d, cdb_io, db);
}

void cdb_connect(struct cdb *db)
{
	struct db_params p;

	cloop_timer_cancel(&db->retry);
	if (db->conn) {
		cloop_unwatch(&db->fdw);
		PQfinish(db->conn);
		db->conn = NULL;
	}
	db_conninfo_with_app(&p, db->conninfo, "xiaoan");
	db->conn = PQconnectStartParams(p.keys, p.vals, 1);
	if (!db->conn) {
		cdb_drop(db, _("out of memory starting the database connection"));
		return;
	}
	if (PQstatus(db->conn) == CONNECTION_BAD) {
		cdb_drop(db, PQerrorMessage(db->conn));
		return;
	}
	PQsetNoticeProcessor(db->conn, cdb_notice, db);
	cdb_set_state(db, CDB_CONNECTING, NULL);
	db->connect_writing = true;
	if (cdb_watch_socket(db) < 0) {
		cdb_drop(db, PQerrorMessage(db->conn));
		return;
	}
	cloop_want_write(&db->fdw);
}

static void cdb_connect_step(struct cdb *db)
{
	PostgresPollingStatusType ps = PQconnectPoll(db->conn);

	switch (ps) {
	case PGRES_POLLING_OK:
		if (PQsetnonblocking(db->conn, 1) != 0) {
			cdb_drop(db, PQerrorMessage(db->conn));
			return;
		}
		db->backoff_ms = CDB_BACKOFF_MIN_MS;
		if (cdb_watch_socket(db) < 0) {
			cdb_drop(db, PQerrorMessage(db->conn));
			return;
		}
		cdb_set_state(db, CDB_UP, NULL);
		cdb_kick(db);
		return;
	case PGRES_POLLING_FAILED:
		cdb_drop(db, PQerrorMessage(db->conn));
		return;
	case PGRES_POLLING_WRITING:
		db->connect_writing = true;
		break;
	default:
		db->connect_writing = false;
		break;
	}
	if (cdb_watch_socket(db) < 0) {
		cdb_drop(db, PQerrorMessage(db->conn));
		return;
	}
	if (db->connect_writing)
		cloop_want_write(&db->fdw);
}

/* Send the head of the queue if idle. */
static void cdb_kick(struct cdb *db)
{
	struct cdb_query *q = db->head;
	int rc;

	if (db->st != CDB_UP || db->busy || !q)
		return;
	if (!PQsendQueryParams(db->conn, q->sql, q->nparams, NULL, (const char *const *)q->params, NULL,
			       NULL, 0)) {
		cdb_drop(db, PQerrorMessage(db->conn));
		return;
	}
	db->busy = true;
	rc = PQflush(db->conn);
	if (rc < 0)
		cdb_drop(db, PQerrorMessage(db->conn));
	else if (rc > 0)
		cloop_want_write(&db->fdw);
}

static void cdb_finish_head(struct cdb *db)
{
	struct cdb_query *q = cdb_pop(db);
	PGresult *res = db->res;
	char msg[1024] = "";
	enum db_err err;

	db->res = NULL;
	db->busy = false;
	err = db_result_error(res, db->conn, msg, sizeof msg);
	if (q) {
		q->cb(q->ud, res, err, msg);
		cdb_query_free(q);
	}
	if (res)
		PQclear(res);
}

static void cdb_read(struct cdb *db)
{
	PGnotify *n;

	if (!PQconsumeInput(db->conn)) {
		cdb_drop(db, PQerrorMessage(db->conn));
		return;
	}
	while (db->busy && !PQisBusy(db->conn)) {
		PGresult *r = PQgetResult(db->conn);
		if (!r) {
			cdb_finish_head(db);
			if (db->st != CDB_UP)
				return;
			cdb_kick(db);
			continue;
		}
		/* Keep the first error, else the last result. */
		if (db->res && PQresultStatus(db->res) == PGRES_FATAL_ERROR) {
			PQclear(r);
		} else {
			if (db->res)
				PQclear(db->res);
			db->res = r;
		}
	}
	/* Not listening, but never let notifications pile up. */
	while ((n = PQnotifies(db->conn)))
		PQfreemem(n);
	if (!db->busy && PQstatus(db->conn) == CONNECTION_BAD)
		cdb_drop(db, PQerrorMessage(db->conn));
}

static void cdb_io(struct cloop_fd *w, int events)
{
	struct cdb *db = w->ud;

	if (events & CLOOP_HUP) {
		w->wsi = NULL;
		cdb_drop(db, NULL);
		return;
	}
	if (db->st == CDB_CONNECTING) {
		if ((events & CLOOP_WRITE) || !db->connect_writing)
			cdb_connect_step(db);
		return;
	}
	if (db->st != CDB_UP)
		return;
	if (events & CLOOP_WRITE) {
		int rc = PQflush(db->conn);
		if (rc < 0) {
			cdb_drop(db, PQerrorMessage(db->conn));
			return;
		}
		if (rc > 0)
			cloop_want_write(&db->fdw);
	}
	if (events & CLOOP_READ)
		cdb_read(db);
}

void cdb_query(struct cdb *db, const char *sql, int nparams, const char *const *params, cdb_result_cb cb,
	       void *ud)
{
	struct cdb_query *q;

	if (db->st != CDB_UP) {
		cb(ud, NULL, DB_CONN, _("the database is not connected"));
		return;
	}
	q = xcalloc(1, sizeof *q);
	q->sql = xstrdup(sql);
	q->nparams = nparams;
	q->params = xcalloc(nparams > 0 ? (size_t)nparams : 1, sizeof *q->params);
	for (int i = 0; i < nparams; i++)
		q->params[i] = params[i] ? xstrdup(params[i]) : NULL;
	q->cb = cb;
	q->ud = ud;
	if (db->tail)
		db->tail->next = q;
	else
		db->head = q;
	db->tail = q;
	cdb_kick(db);
}

size_t cdb_pending(const struct cdb *db)
{
	size_t n = 0;
	for (const struct cdb_query *q = db->head; q; q = q->next)
		n++;
	return n;
}

enum cdb_state cdb_state(const struct cdb *db)
{
	return db->st;
}

void cdb_free(struct cdb *db)
{
	struct cdb_query *q;

	if (!db)
		return;
	cloop_timer_cancel(&db->retry);
	cloop_unwatch(&db->fdw);
	/* Answer what is still queued, so its owners free what they attached;
	 * anything they queue now fails at once. */
	db->st = CDB_DOWN;
	db->on_state = NULL;
	cdb_fail_all(db, _("the console is closing"));
	while ((q = cdb_pop(db)))
		cdb_query_free(q);
	if (db->conn)
		PQfinish(db->conn);
	free(db->conninfo);
	free(db);
}
