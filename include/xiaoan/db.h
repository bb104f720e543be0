/* db.h — the libpq helpers every program uses.
 *
 * Values never go into SQL text: callers use PQexecParams or
 * PQsendQueryParams. Errors are classified by SQLSTATE so a program can tell
 * "someone acted first" from "the server went away" without parsing text. */
#ifndef XIAOAN_DB_H
#define XIAOAN_DB_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

/* Error classes, by SQLSTATE (the case engine raises the XA0nn ones). */
enum db_err {
	DB_OK,
	DB_STALE,    /* XA001: someone acted on the case first */
	DB_ILLEGAL,  /* XA002: not possible in the case's state */
	DB_DENIED,   /* XA003, 42501: no right */
	DB_BADARG,   /* XA004, class 22 (data), class 23 (constraint) */
	DB_NOTFOUND, /* XA005: no such case, or not visible */
	DB_CONN,     /* class 08, 57P01..57P03, or no result at all */
	DB_OTHER
};

/* Connection parameters for PQconnectdbParams / PQconnectStartParams with
 * expand_dbname = 1: conninfo (a "key=value" string or URI; NULL or "" for
 * libpq's own defaults from PG* variables, pg_service.conf and .pgpass),
 * appname as the fallback application_name (PGAPPNAME or the conninfo win),
 * and client_encoding UTF8. The arrays point into conninfo and appname,
 * which must outlive the connect call. */
#define DB_PARAMS_MAX 4
struct db_params {
	const char *keys[DB_PARAMS_MAX];
	const char *vals[DB_PARAMS_MAX];
};
void db_conninfo_with_app(struct db_params *p, const char *conninfo, const char *appname);

/* Blocking connect, for tools. Returns NULL with err set to what failed and
 * what to check (the server's own reason included). */
PGconn *db_connect(const char *conninfo, const char *appname, char *err, size_t errlen);

/* Classifies a result: DB_OK for PGRES_TUPLES_OK, PGRES_COMMAND_OK and
 * PGRES_SINGLE_TUPLE. Otherwise msg (may be NULL) gets the server's primary
 * message, followed by " — " and the hint when there is one (no "ERROR:"
 * prefix, no trailing newline); with res NULL, libpq's connection error. */
enum db_err db_result_error(const PGresult *res, PGconn *conn, char *msg, size_t n);

/* The SQLSTATE of a failed result, or "" when there is none. */
const char *db_sqlstate(const PGresult *res);

/* A column selected as extract(epoch from x)::bigint; NULL or junk -> 0. */
int64_t db_epoch(const PGresult *res, int row, int col);

/* A column as text; NULL -> "". The string belongs to res. */
const char *db_text(const PGresult *res, int row, int col);

/* True when the column is NULL. */
int db_isnull(const PGresult *res, int row, int col);

#endif
