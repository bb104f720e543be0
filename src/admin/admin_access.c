/* Who may connect besides officers: producer tokens (the simulator and real
 * alert sources post with them) and the hub's own role. */
#include "xiaoan/admin.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/admin_table.h"
#include "xiaoan/db.h"
#include "xiaoan/xtime.h"

#define TOKEN_MAX_DAYS 3650

/* The CHECK on producer.name, checked here for a clear message. */
static bool token_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 64)
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* The district's UTC offset, for showing times as the duty room reads them. */
static int token_utc_offset(struct admin_ctx *ctx, int *off)
{
	PGresult *res = admin_exec(ctx, "reading the database clock", "SELECT utc_offset FROM xiaoan.clock()", 0,
				   NULL);

	if (!res)
		return -1;
	*off = (int)db_epoch(res, 0, 0);
	PQclear(res);
	return 0;
}

static void token_time(int64_t t, int off, char *buf, size_t n)
{
	if (!t || !xtime_format_local(t, off, "%Y-%m-%d %H:%M", buf, n))
		xstrlcpy(buf, "", n);
}

static int token_create(struct admin_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"expires", required_argument, NULL, 'x'},
		{"days", required_argument, NULL, 'd'},
		{NULL, 0, NULL, 0},
	};
	const char *expires = NULL, *days = NULL, *params[3];
	char exp_epoch[32], when[64];
	int64_t t = 0;
	PGresult *res;
	int c, off;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'x')
			expires = optarg;
		else if (c == 'd')
			days = optarg;
		else
			return admin_usage_error(ctx, "token create PRODUCER [--expires RFC3339 | --days N]");
	}
	if (argc - optind != 1)
		return admin_usage_error(ctx, "token create: give exactly one PRODUCER name");
	if (!token_name_ok(argv[optind]))
		return admin_usage_error(ctx, "producer name '%s': 1-64 letters, digits, '.', '_' or '-'",
					 argv[optind]);
	if (expires && days)
		return admin_usage_error(ctx, "token create: --expires or --days, not both");
	if (expires) {
		if (!xtime_parse_rfc3339(expires, &t))
			return admin_usage_error(ctx, "--expires '%s' is not an RFC 3339 time "
						      "(like 2027-01-31T18:00:00+08:00)", expires);
		if (t <= xtime_now())
			return admin_usage_error(ctx, "--expires %s is in the past", expires);
		snprintf(exp_epoch, sizeof(exp_epoch), "%lld", (long long)t);
	}
	if (days) {
		char *end;
		long d;

		errno = 0;
		d = strtol(days, &end, 10);
		if (errno || end == days || *end || d < 1 || d > TOKEN_MAX_DAYS)
			return admin_usage_error(ctx, "--days takes a whole number from 1 to %d", TOKEN_MAX_DAYS);
	}
	params[0] = argv[optind];
	params[1] = expires ? exp_epoch : NULL;
	params[2] = days;
	res = admin_exec(ctx, "creating the token",
			 "SELECT xiaoan.producer_token_create($1, CASE"
			 "   WHEN $2::bigint IS NOT NULL THEN to_timestamp($2::bigint)"
			 "   WHEN $3::integer IS NOT NULL THEN now() + make_interval(days => $3::integer) END),"
			 " (SELECT utc_offset FROM xiaoan.clock())",
			 3, params);
	if (!res)
		return ADMIN_FAIL;
	off = (int)db_epoch(res, 0, 1);
	printf("%s\n", db_text(res, 0, 0));
	PQclear(res);
	if (fflush(stdout) != 0)
		return admin_fail(ctx, "cannot write the token: %s", strerror(errno));
	res = admin_exec(ctx, "reading the token's expiry",
			 "SELECT extract(epoch FROM expires)::bigint FROM xiaoan.producer WHERE name = $1", 1,
			 params);
	if (!res)
		return ADMIN_FAIL;
	t = db_epoch(res, 0, 0);
	PQclear(res);
	token_time(t, off, when, sizeof(when));
	fprintf(stderr, "%s: token for producer %s, %s%s; it is shown only this once and replaces any earlier one\n",
		ctx->prog, argv[optind], t ? "valid until " : "no expiry", when);
	return ADMIN_OK;
}

static int token_revoke(struct admin_ctx *ctx, int argc, char **argv)
{
	const char *params[1];
	PGresult *res;
	bool done;

	if (getopt_long(argc, argv, "", (const struct option[]){{NULL, 0, NULL, 0}}, NULL) != -1 ||
	    argc - optind != 1)
		return admin_usage_error(ctx, "token revoke: give exactly one PRODUCER name");
	params[0] = argv[optind];
	res = admin_exec(ctx, "revoking the token", "SELECT xiaoan.producer_token_revoke($1)", 1, params);
	if (!res)
		return ADMIN_FAIL;
	done = !strcmp(db_text(res, 0, 0), "t");
	PQclear(res);
	if (!done)
		return admin_fail(ctx, "producer %s has no active token (see 'token list')", params[0]);
	printf("token of %s revoked: its posts are refused from now on\n", params[0]);
	return ADMIN_OK;
}

static int token_list(struct admin_ctx *ctx, int argc, char **argv)
{
	static const char *const head[] = {"PRODUCER", "CREATED", "EXPIRES", "REVOKED", "STATUS"};
	struct admin_table t;
	PGresult *res;
	int off;

	if (getopt_long(argc, argv, "", (const struct option[]){{NULL, 0, NULL, 0}}, NULL) != -1 ||
	    argc - optind != 0)
		return admin_usage_error(ctx, "token list takes no arguments");
	if (token_utc_offset(ctx, &off) < 0)
		return ADMIN_FAIL;
	res = admin_exec(ctx, "listing tokens",
			 "SELECT name, extract(epoch FROM created)::bigint, extract(epoch FROM expires)::bigint,"
			 "       extract(epoch FROM revoked)::bigint,"
			 "       CASE WHEN revoked IS NOT NULL THEN 'revoked'"
			 "            WHEN expires <= now() THEN 'expired' ELSE 'valid' END"
			 "  FROM xiaoan.producer ORDER BY name",
			 0, NULL);
	if (!res)
		return ADMIN_FAIL;
	admin_table_init(&t, XA_ARRAY_LEN(head), head);
	for (int r = 0; r < PQntuples(res); r++) {
		char created[64], expires[64], revoked[64];
		const char *row[5] = {db_text(res, r, 0), created, expires, revoked, db_text(res, r, 4)};

		token_time(db_epoch(res, r, 1), off, created, sizeof(created));
		token_time(db_epoch(res, r, 2), off, expires, sizeof(expires));
		if (!*expires)
			xstrlcpy(expires, "never", sizeof(expires));
		token_time(db_epoch(res, r, 3), off, revoked, sizeof(revoked));
		if (!*revoked)
			xstrlcpy(revoked, "-", sizeof(revoked));
		admin_table_add(&t, row);
	}
	if (PQntuples(res) > 0)
		admin_table_print(&t, stdout);
	else
		fprintf(stderr, "%s: no producer tokens yet ('token create NAME')\n", ctx->prog);
	admin_table_free(&t);
	PQclear(res);
	return ADMIN_OK;
}

int admin_token(struct admin_ctx *ctx, int argc, char **argv)
{
	if (argc < 2)
		return admin_usage_error(ctx, "token: say create, revoke or list");
	optind = 0;
	if (!strcmp(argv[1], "create"))
		return token_create(ctx, argc - 1, argv + 1);
	if (!strcmp(argv[1], "revoke"))
		return token_revoke(ctx, argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return token_list(ctx, argc - 1, argv + 1);
	return admin_usage_error(ctx, "token: unknown action '%s' (create, revoke, list)", argv[1]);
}

int admin_hub_role(struct admin_ctx *ctx, int argc, char **argv)
{
	PGresult *res;
	bool could;
	const char *db;

	if (getopt_long(argc, argv, "", (const struct option[]){{NULL, 0, NULL, 0}}, NULL) != -1 ||
	    argc - optind != 0)
		return admin_usage_error(ctx, "hub-role takes no arguments");
	res = admin_exec(ctx, "looking up the role xiaoan_hub",
			 "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'xiaoan_hub'", 0, NULL);
	if (!res)
		return ADMIN_FAIL;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return admin_fail(ctx, "the role xiaoan_hub does not exist: run 'xiaoan-admin migrate' first");
	}
	could = !strcmp(db_text(res, 0, 0), "t");
	PQclear(res);
	if (!could) {
		res = admin_exec(ctx, "letting xiaoan_hub log in", "ALTER ROLE xiaoan_hub LOGIN", 0, NULL);
		if (!res)
			return ADMIN_FAIL;
		PQclear(res);
	}
	db = PQdb(ctx->conn);
	printf("xiaoan_hub %s log in to this cluster.\n"
	       "\n"
	       "The hub connects as the database role xiaoan_hub (user=xiaoan_hub in its conninfo).\n"
	       "With peer authentication on the unix socket, the OS account that runs xiaoan-hub\n"
	       "must map to that role. If the account is called xiaoan-hub, add to pg_ident.conf:\n"
	       "\n"
	       "    xiaoan   xiaoan-hub   xiaoan_hub\n"
	       "\n"
	       "and to pg_hba.conf, above the general 'local all all peer' line:\n"
	       "\n"
	       "    local   %s   xiaoan_hub   peer map=xiaoan\n"
	       "\n"
	       "then reload the server (SELECT pg_reload_conf()). Officers need no map: their\n"
	       "login role has the same name as their OS account.\n",
	       could ? "can already" : "can now", db && *db ? db : "DBNAME");
	return ADMIN_OK;
}
