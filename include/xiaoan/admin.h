/* admin.h — xiaoan-admin: schema migrations, officers, producer tokens and
 * reference look-ups, run by the database owner. */
#ifndef XIAOAN_ADMIN_H
#define XIAOAN_ADMIN_H

#include <libpq-fe.h>

#include "xiaoan/util.h"

/* Exit codes. */
#define ADMIN_OK 0
#define ADMIN_FAIL 1  /* runtime error: the message says what to do */
#define ADMIN_USAGE 2 /* bad command line */

struct admin_ctx {
	const char *prog;     /* for messages */
	const char *conninfo; /* --db; NULL = libpq defaults */
	const char *sql_dir;  /* resolved --sql-dir */
	PGconn *conn;         /* opened by admin_conn() */
};

/* Messages on stderr, prefixed with the program name. admin_usage_error
 * adds "try --help" and returns ADMIN_USAGE; admin_fail returns ADMIN_FAIL. */
int admin_fail(const struct admin_ctx *ctx, const char *fmt, ...) XA_PRINTF(2, 3);
int admin_usage_error(const struct admin_ctx *ctx, const char *fmt, ...) XA_PRINTF(2, 3);

/* The open connection, connecting on first use; NULL after printing why. */
PGconn *admin_conn(struct admin_ctx *ctx);

/* Runs a parameterised statement; on failure prints "<what>: <server
 * message>" and returns NULL. A result that is not NULL must be PQclear'd. */
PGresult *admin_exec(struct admin_ctx *ctx, const char *what, const char *sql, int nparams,
		     const char *const *params);

/* The subcommands: argv[0] is the subcommand's name. */
int admin_migrate(struct admin_ctx *ctx, int argc, char **argv);
int admin_officer(struct admin_ctx *ctx, int argc, char **argv);
int admin_token(struct admin_ctx *ctx, int argc, char **argv);
int admin_hub_role(struct admin_ctx *ctx, int argc, char **argv);
int admin_units(struct admin_ctx *ctx, int argc, char **argv);
int admin_schools(struct admin_ctx *ctx, int argc, char **argv);
int admin_types(struct admin_ctx *ctx, int argc, char **argv);

/* Where the SQL files are: $XIAOAN_SQL_DIR, else ../sql beside the
 * executable (the build tree), else the installed XIAOAN_DATADIR/sql.
 * Returns a malloc'd path. */
char *admin_default_sql_dir(void);

#endif
