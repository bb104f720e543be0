/* hub_pg.h — one non-blocking libpq connection living on the hub's loop.
 *
 * Connects with PQconnectStartParams/PQconnectPoll, sends one statement at a
 * time with PQsendQueryParams (PQsendQueryPrepared for the statements it
 * prepares), reads with PQconsumeInput/PQisBusy/PQgetResult, and hands
 * notifications over as they arrive. When the
 * connection fails it reconnects on its own with exponential backoff
 * (0.25 s doubling to 5 s). The owner learns of it through the hooks. */
#ifndef XIAOAN_HUB_PG_H
#define XIAOAN_HUB_PG_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "xiaoan/hub.h"

struct hub_pg;

/* The answer to a statement. res is NULL when the connection was lost
 * before the statement's outcome was known; otherwise it is the statement's
 * last result (tuples, or an error that left the connection usable) and is
 * cleared after the callback returns. The connection is idle during the
 * callback, so it may send the next statement. */
typedef void (*hub_pg_result_fn)(void *arg, PGresult *res);

struct hub_pg_hooks {
	void (*up)(void *arg);    /* connected and idle */
	void (*down)(void *arg);  /* lost (after any pending answer got NULL) */
	void (*idle)(void *arg);  /* idle after an answer: send the next statement */
	void (*notify)(void *arg, const char *channel, const char *payload);
};

/* name ("ingest", "stream", ...) goes into logs and application_name. */
struct hub_pg *hub_pg_new(struct hub *h, const char *name, const struct hub_pg_hooks *hooks, void *arg);
/* Starts connecting (and reconnecting after failures). */
void hub_pg_start(struct hub_pg *c);
/* Closes the connection and frees it; pending answers are dropped silently. */
void hub_pg_free(struct hub_pg *c);

bool hub_pg_up(const struct hub_pg *c);    /* connected, idle or busy */
bool hub_pg_idle(const struct hub_pg *c);  /* connected and idle */

/* Sends one statement (text parameters, NULL = SQL NULL). Only when idle.
 * Returns 0, or -1 when it could not be sent: the connection is then being
 * reset and fn will not be called. */
int hub_pg_send(struct hub_pg *c, const char *sql, int nparams, const char *const *params,
		hub_pg_result_fn fn, void *arg);

/* A statement the connection prepares each time it connects, before its up
 * hook runs; hub_pg_send of the same text then sends it prepared. A
 * statement the server refuses to prepare fails the connection (logged,
 * retried with backoff). For the statements sent hundreds of times a
 * second: parsing and planning them each time costs more than the work of a
 * small one. sql must outlive c; call before hub_pg_start. At most four. */
void hub_pg_prepare(struct hub_pg *c, const char *sql);

const char *hub_pg_name(const struct hub_pg *c);

#endif
