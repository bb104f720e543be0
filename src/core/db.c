#include "xiaoan/db.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/util.h"

void db_conninfo_with_app(struct db_params *p, const char *conninfo, const char *appname)
{
	int i = 0;

	memset(p, 0, sizeof(*p));
	/* dbname first: with expand_dbname its key=value pairs are expanded
	 * in place, so the fixed ones after it win where they must. */
	if (conninfo && *conninfo) {
		p->keys[i] = "dbname";
		p->vals[i++] = conninfo;
	}
	if (appname && *appname) {
		p->keys[i] = "fallback_application_name";
		p->vals[i++] = appname;
	}
	p->keys[i] = "client_encoding";
	p->vals[i++] = "UTF8";
	p->keys[i] = NULL;
	p->vals[i] = NULL;
}

/* Copies a libpq message as one line: runs of newlines, tabs and spaces
 * become one space, leading and trailing blanks go. */
static void db_one_line(char *dst, size_t n, const char *src)
{
	size_t len;

	if (n == 0)
		return;
	xstrlcpy(dst, src ? src : "", n);
	len = 0;
	for (const char *c = dst; *c; c++) {
		bool blank = *c == '\n' || *c == '\t' || *c == '\r' || *c == ' ';

		if (blank && (len == 0 || dst[len - 1] == ' '))
			continue;
		dst[len++] = blank ? ' ' : *c;
	}
	dst[len] = '\0';
	while (len > 0 && dst[len - 1] == ' ')
		dst[--len] = '\0';
}

PGconn *db_connect(const char *conninfo, const char *appname, char *err, size_t errlen)
{
	struct db_params p;
	PGconn *conn;
	char why[512];

	db_conninfo_with_app(&p, conninfo, appname);
	conn = PQconnectdbParams(p.keys, p.vals, 1);
	if (!conn) {
		snprintf(err, errlen, "cannot connect to the database: out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		db_one_line(why, sizeof(why), PQerrorMessage(conn));
		snprintf(err, errlen, "cannot connect to the database%s%s: %s (check --db / PGHOST, PGPORT, PGUSER)",
			 conninfo && *conninfo ? " " : "", conninfo && *conninfo ? conninfo : "", why);
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

const char *db_sqlstate(const PGresult *res)
{
	const char *s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	return s ? s : "";
}

static enum db_err db_classify(const char *st)
{
	if (strlen(st) != 5)
		return DB_OTHER;
	if (!strcmp(st, "XA001"))
		return DB_STALE;
	if (!strcmp(st, "XA002"))
		return DB_ILLEGAL;
	if (!strcmp(st, "XA003") || !strcmp(st, "42501"))
		return DB_DENIED;
	if (!strcmp(st, "XA004") || !strncmp(st, "22", 2) || !strncmp(st, "23", 2))
		return DB_BADARG;
	if (!strcmp(st, "XA005"))
		return DB_NOTFOUND;
	if (!strncmp(st, "08", 2) || !strcmp(st, "57P01") || !strcmp(st, "57P02") || !strcmp(st, "57P03"))
		return DB_CONN;
	return DB_OTHER;
}

enum db_err db_result_error(const PGresult *res, PGconn *conn, char *msg, size_t n)
{
	const char *primary, *hint, *st;
	char line[1024];
	enum db_err e;

	if (msg && n)
		msg[0] = '\0';
	if (res) {
		switch (PQresultStatus(res)) {
		case PGRES_TUPLES_OK:
		case PGRES_COMMAND_OK:
		case PGRES_SINGLE_TUPLE:
			return DB_OK;
		default:
			break;
		}
	}
	if (!res) {
		if (msg && n) {
			db_one_line(line, sizeof(line), conn ? PQerrorMessage(conn) : "");
			snprintf(msg, n, "%s", *line ? line : "no result from the database server");
		}
		return DB_CONN;
	}
	st = db_sqlstate(res);
	primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	if (*st)
		e = db_classify(st);
	else
		/* A client-side failure (no SQLSTATE): lost connection or the like. */
		e = (conn && PQstatus(conn) == CONNECTION_BAD) ? DB_CONN : DB_OTHER;
	if (msg && n) {
		if (!primary || !*primary) {
			db_one_line(line, sizeof(line), PQresultErrorMessage(res));
			if (!*line && conn)
				db_one_line(line, sizeof(line), PQerrorMessage(conn));
			if (!*line)
				snprintf(line, sizeof(line), "unexpected result %s",
					 PQresStatus(PQresultStatus(res)));
		} else {
			db_one_line(line, sizeof(line), primary);
		}
		if (hint && *hint)
			snprintf(msg, n, "%s \xE2\x80\x94 %s", line, hint);
		else
			snprintf(msg, n, "%s", line);
	}
	return e;
}

int64_t db_epoch(const PGresult *res, int row, int col)
{
	const char *s;
	char *end;
	long long v;

	if (!res || row < 0 || col < 0 || row >= PQntuples(res) || col >= PQnfields(res) ||
	    PQgetisnull(res, row, col))
		return 0;
	s = PQgetvalue(res, row, col);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return 0;
	return (int64_t)v;
}

const char *db_text(const PGresult *res, int row, int col)
{
	if (!res || row < 0 || col < 0 || row >= PQntuples(res) || col >= PQnfields(res) ||
	    PQgetisnull(res, row, col))
		return "";
	return PQgetvalue(res, row, col);
}

int db_isnull(const PGresult *res, int row, int col)
{
	if (!res || row < 0 || col < 0 || row >= PQntuples(res) || col >= PQnfields(res))
		return 1;
	return PQgetisnull(res, row, col);
}
