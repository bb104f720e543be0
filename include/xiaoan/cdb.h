/* cdb.h — the console's database queue: one libpq connection, non-blocking,
 * its socket adopted into the event loop. Queries run one at a time in the
 * order queued; each result goes to its callback. Nothing here blocks.
 *
 * While the connection is down, queued and new queries fail at once with
 * DB_CONN (an action must never run minutes later than the user asked);
 * the queue reconnects by itself with backoff and reports the state. */
#ifndef XIAOAN_CDB_H
#define XIAOAN_CDB_H

#include <stddef.h>

#include <libpq-fe.h>

#include "xiaoan/db.h"

enum cdb_state { CDB_DOWN, CDB_CONNECTING, CDB_UP };

/* res is NULL when err is DB_CONN without a server answer; msg is the
 * server's message (with its hint) or libpq's, "" on success. */
typedef void (*cdb_result_cb)(void *ud, const PGresult *res, enum db_err err, const char *msg);
typedef void (*cdb_state_cb)(void *ud, enum cdb_state st, const char *msg);

struct cdb;

/* Does not connect yet: call cdb_connect(). */
struct cdb *cdb_new(const char *conninfo, cdb_state_cb on_state, void *ud);
void cdb_free(struct cdb *db);
void cdb_connect(struct cdb *db);
enum cdb_state cdb_state(const struct cdb *db);

/* Queue a statement; params are copied. */
void cdb_query(struct cdb *db, const char *sql, int nparams, const char *const *params, cdb_result_cb cb,
	       void *ud);
size_t cdb_pending(const struct cdb *db);

#endif
