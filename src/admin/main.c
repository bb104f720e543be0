/* xiaoan-admin: global options, then one subcommand. */
#include "xiaoan/admin.h"

#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/admin_report.h"
#include "xiaoan/db.h"

/* The report prints its own usage without needing a database. */
static int admin_report(struct admin_ctx *ctx, int argc, char **argv)
{
	PGconn *conn;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return admin_report_main(NULL, argc, argv);
	conn = admin_conn(ctx);
	return conn ? admin_report_main(conn, argc, argv) : ADMIN_FAIL;
}

struct admin_cmd {
	const char *name;
	int (*run)(struct admin_ctx *ctx, int argc, char **argv);
	const char *synopsis;
};

static const struct admin_cmd admin_cmds[] = {
	{"migrate", admin_migrate, "migrate                 apply new schema migrations, re-apply reference data"},
	{"officer", admin_officer,
	 "officer add LOGIN --name NAME --unit UNIT --role ROLE [--phone P]\n"
	 "  officer set LOGIN [--name N] [--unit U] [--role R] [--phone P] [--enable]\n"
	 "  officer disable LOGIN\n"
	 "  officer list [--unit U] [--role R]"},
	{"token", admin_token,
	 "token create PRODUCER [--expires RFC3339 | --days N]\n"
	 "  token revoke PRODUCER\n"
	 "  token list"},
	{"hub-role", admin_hub_role, "hub-role                let the hub's role xiaoan_hub log in"},
	{"units", admin_units, "units [--kind KIND]     list units (city district department town ...)"},
	{"schools", admin_schools, "schools [--town TOWN]   list schools"},
	{"types", admin_types, "types                   list alert types with their routing and time limits"},
	{"report", admin_report,
	 "report monthly|weekly [--month YYYY-MM | --week YYYY-Www | --from D --to D]\n"
	 "         [--scope district|town:T|unit:U] [--out DIR] [--format md|txt]\n"
	 "                          the monthly (seed 001) or weekly campaign report, with CSV exports"},
};

static void admin_help(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [--db CONNINFO] [--sql-dir DIR] COMMAND [ARGS]\n"
		"\n"
		"Administration of a xiaoan database (run as its owner or a superuser).\n"
		"\n"
		"Options:\n"
		"  --db CONNINFO   libpq connection string or URI (default: PGHOST, PGDATABASE, ...)\n"
		"  --sql-dir DIR   folder with migrations/ and ref/ (default: $XIAOAN_SQL_DIR,\n"
		"                  the build tree's sql/, or %s/sql)\n"
		"  -h, --help      this help\n"
		"  --version       print the version\n"
		"\n"
		"Commands:\n",
		prog, XIAOAN_DATADIR);
	for (size_t i = 0; i < XA_ARRAY_LEN(admin_cmds); i++)
		fprintf(f, "  %s\n", admin_cmds[i].synopsis);
	fprintf(f, "\n"
		   "ROLE is one of dispatcher, unit_staff, town_staff, school_officer, supervisor, admin.\n"
		   "Exit status: 0 ok, 1 runtime error, 2 usage error. See xiaoan-admin(1).\n");
}

static void admin_vmsg(const struct admin_ctx *ctx, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", ctx->prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int admin_fail(const struct admin_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	admin_vmsg(ctx, fmt, ap);
	va_end(ap);
	return ADMIN_FAIL;
}

int admin_usage_error(const struct admin_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	admin_vmsg(ctx, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help'.\n", ctx->prog);
	return ADMIN_USAGE;
}

/* Server notices (NOTICE "already exists, skipping" and the like) are noise
 * for an operator; warnings are not. A warning is one line, prefixed as the
 * tool's own messages are ("xiaoan-admin: warning: ..."): the server's
 * message alone, without its "WARNING:  " and trailing newline, and with its
 * hint when it has one, as errors show it. */
static void admin_notice(void *arg, const PGresult *res)
{
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	const struct admin_ctx *ctx = arg;
	size_t len;

	if (!sev || strcmp(sev, "WARNING"))
		return;
	if (!msg)
		msg = PQresultErrorMessage(res);
	len = strlen(msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		len--;
	fprintf(stderr, "%s: warning: %.*s", ctx->prog, (int)len, msg);
	if (hint && *hint)
		fprintf(stderr, " \xE2\x80\x94 %s", hint);
	fputc('\n', stderr);
}

PGconn *admin_conn(struct admin_ctx *ctx)
{
	char err[1024];

	if (ctx->conn)
		return ctx->conn;
	ctx->conn = db_connect(ctx->conninfo, "xiaoan-admin", err, sizeof(err));
	if (!ctx->conn) {
		admin_fail(ctx, "%s", err);
		return NULL;
	}
	PQsetNoticeReceiver(ctx->conn, admin_notice, ctx);
	return ctx->conn;
}

PGresult *admin_exec(struct admin_ctx *ctx, const char *what, const char *sql, int nparams,
		     const char *const *params)
{
	PGconn *conn = admin_conn(ctx);
	PGresult *res;
	char msg[1024];

	if (!conn)
		return NULL;
	res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	if (db_result_error(res, conn, msg, sizeof(msg)) != DB_OK) {
		admin_fail(ctx, "%s: %s", what, msg);
		PQclear(res);
		return NULL;
	}
	return res;
}

/* Display widths of Chinese names need a UTF-8 LC_CTYPE; C.UTF-8 is there
 * when the environment names none. */
static void admin_locale(void)
{
	const char *cs;

	if (!setlocale(LC_ALL, ""))
		setlocale(LC_ALL, "C");
	cs = nl_langinfo(CODESET);
	if (!cs || strcmp(cs, "UTF-8"))
		setlocale(LC_CTYPE, "C.UTF-8");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"sql-dir", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct admin_ctx ctx = {.prog = "xiaoan-admin"};
	char *sql_dir = NULL;
	int c, rc;

	admin_locale();
	/* "+": stop at the subcommand; its options are its own. */
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			ctx.conninfo = optarg;
			break;
		case 's':
			free(sql_dir);
			sql_dir = xstrdup(optarg);
			break;
		case 'h':
			admin_help(stdout, ctx.prog);
			free(sql_dir);
			return ADMIN_OK;
		case 'V':
			printf("xiaoan-admin %s\n", XIAOAN_VERSION);
			free(sql_dir);
			return ADMIN_OK;
		default:
			free(sql_dir);
			fprintf(stderr, "Try '%s --help'.\n", ctx.prog);
			return ADMIN_USAGE;
		}
	}
	if (optind >= argc) {
		free(sql_dir);
		return admin_usage_error(&ctx, "no command given");
	}
	if (!sql_dir)
		sql_dir = admin_default_sql_dir();
	ctx.sql_dir = sql_dir;

	rc = -1;
	for (size_t i = 0; i < XA_ARRAY_LEN(admin_cmds); i++) {
		if (!strcmp(argv[optind], admin_cmds[i].name)) {
			char **sub = argv + optind;
			int nsub = argc - optind;

			optind = 0; /* re-initialise getopt for the subcommand */
			rc = admin_cmds[i].run(&ctx, nsub, sub);
			break;
		}
	}
	if (rc == -1)
		rc = admin_usage_error(&ctx, "unknown command '%s'", argv[optind]);
	if (ctx.conn)
		PQfinish(ctx.conn);
	free(sql_dir);
	return rc;
}
