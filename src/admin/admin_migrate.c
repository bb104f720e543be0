/* migrate: numbered schema migrations, each applied once in its own
 * transaction, then the reference data re-applied as a whole. */
#include "xiaoan/admin.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xiaoan/db.h"
#include "xiaoan/text.h"

/* Any constant shared by concurrent migrate runs: they take turns. */
#define MIGRATE_LOCK_KEY "7315720260001"

static bool migrate_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *admin_default_sql_dir(void)
{
	const char *env = getenv("XIAOAN_SQL_DIR");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env)
		return xstrdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash, *cand;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			cand = xasprintf("%s/../sql", exe);
			char *mig = xasprintf("%s/migrations", cand);
			bool found = migrate_is_dir(mig);

			free(mig);
			if (found)
				return cand;
			free(cand);
		}
	}
	return xstrdup(XIAOAN_DATADIR "/sql");
}

static int migrate_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.sql names in dir, sorted bytewise; numbered_only keeps NNN_*.sql. */
static int migrate_list(const char *dir, bool numbered_only, char ***out, size_t *count, char *err,
			size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (!d) {
		snprintf(err, errlen, "cannot read %s: %s (use --sql-dir or XIAOAN_SQL_DIR)", dir,
			 strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len < 5 || strcmp(e->d_name + len - 4, ".sql"))
			continue;
		if (numbered_only && (len < 9 || !strchr("0123456789", e->d_name[0]) ||
				      !strchr("0123456789", e->d_name[1]) ||
				      !strchr("0123456789", e->d_name[2]) || e->d_name[3] != '_'))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), migrate_cmp);
	*out = names;
	*count = n;
	return 0;
}

static void migrate_free_list(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static char *migrate_read(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct sbuf b;
	char buf[8192];
	size_t got;

	if (!f) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	sbuf_init(&b);
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(&b, buf, got);
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		fclose(f);
		sbuf_free(&b);
		return NULL;
	}
	fclose(f);
	if (memchr(b.s ? b.s : "", '\0', b.len)) {
		snprintf(err, errlen, "%s contains a NUL byte: not an SQL file", path);
		sbuf_free(&b);
		return NULL;
	}
	return sbuf_detach(&b);
}

/* The line of a 1-based character position (the server counts characters,
 * not bytes), for "file:line:" in error messages. */
static long migrate_line_of(const char *text, long pos)
{
	long line = 1, ch = 1;
	size_t len = strlen(text), i = 0;

	while (i < len && ch < pos) {
		uint32_t cp;

		if (text[i] == '\n')
			line++;
		i += text_decode(text + i, len - i, &cp);
		ch++;
	}
	return line;
}

/* Runs one statement without parameters; false after printing the error. */
static bool migrate_simple(struct admin_ctx *ctx, const char *what, const char *sql)
{
	PGresult *res = admin_exec(ctx, what, sql, 0, NULL);

	if (!res)
		return false;
	PQclear(res);
	return true;
}

static void migrate_rollback(struct admin_ctx *ctx)
{
	PGresult *res = PQexec(ctx->conn, "ROLLBACK");
	PQclear(res);
}

/* Runs a whole SQL file (multi-statement text from our own files); prints
 * "path:line: server message" when it fails. */
static bool migrate_run_file(struct admin_ctx *ctx, const char *path)
{
	char err[1024], msg[1024];
	char *text = migrate_read(path, err, sizeof(err));
	PGresult *res;
	const char *pos, *where;

	if (!text) {
		admin_fail(ctx, "%s", err);
		return false;
	}
	res = PQexec(ctx->conn, text);
	if (db_result_error(res, ctx->conn, msg, sizeof(msg)) == DB_OK) {
		PQclear(res);
		free(text);
		return true;
	}
	pos = res ? PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION) : NULL;
	where = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
	if (pos)
		admin_fail(ctx, "%s:%ld: %s", path, migrate_line_of(text, atol(pos)), msg);
	else
		admin_fail(ctx, "%s: %s", path, msg);
	if (where && *where)
		fprintf(stderr, "  (where: %s)\n", where);
	PQclear(res);
	free(text);
	return false;
}

/* Is this migration recorded? Runs inside the migration's transaction, after
 * the lock, so two concurrent runs never apply one file twice. */
static int migrate_applied(struct admin_ctx *ctx, const char *version)
{
	const char *params[1] = {version};
	PGresult *res;
	int applied;

	res = admin_exec(ctx, "checking the schema version",
			 "SELECT to_regclass('xiaoan.schema_migration') IS NOT NULL", 0, NULL);
	if (!res)
		return -1;
	applied = !strcmp(db_text(res, 0, 0), "t");
	PQclear(res);
	if (!applied)
		return 0;
	res = admin_exec(ctx, "checking the schema version",
			 "SELECT count(*) FROM xiaoan.schema_migration WHERE version = $1", 1, params);
	if (!res)
		return -1;
	applied = strcmp(db_text(res, 0, 0), "0") != 0;
	PQclear(res);
	return applied;
}

/* One migration file: 1 applied, 0 already there, -1 failed (rolled back). */
static int migrate_one(struct admin_ctx *ctx, const char *dir, const char *file)
{
	char *version = xstrndup(file, strlen(file) - 4);
	char *path = xasprintf("%s/%s", dir, file);
	const char *params[1] = {version};
	PGresult *res;
	int applied, rc = -1;

	if (!migrate_simple(ctx, "starting a transaction", "BEGIN"))
		goto out;
	if (!migrate_simple(ctx, "waiting for other migrate runs",
			    "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ")"))
		goto fail;
	applied = migrate_applied(ctx, version);
	if (applied < 0)
		goto fail;
	if (applied) {
		migrate_rollback(ctx);
		rc = 0;
		goto out;
	}
	if (!migrate_run_file(ctx, path))
		goto fail;
	res = admin_exec(ctx, "recording the migration",
			 "INSERT INTO xiaoan.schema_migration(version) VALUES ($1)", 1, params);
	if (!res) {
		fprintf(stderr, "  (%s must create xiaoan.schema_migration or run after one that does)\n", path);
		goto fail;
	}
	PQclear(res);
	if (!migrate_simple(ctx, "committing", "COMMIT"))
		goto out;
	printf("applied %s\n", version);
	rc = 1;
	goto out;
fail:
	migrate_rollback(ctx);
	fprintf(stderr, "%s: %s was not applied (nothing of it was kept); fix it and run migrate again\n",
		ctx->prog, file);
out:
	free(path);
	free(version);
	return rc;
}

/* Every sql/ref file in one transaction: upserts, safe to repeat. */
static int migrate_ref(struct admin_ctx *ctx)
{
	char *dir = xasprintf("%s/ref", ctx->sql_dir);
	char **files = NULL;
	size_t n = 0;
	char err[1024];
	int rc = ADMIN_FAIL;

	if (migrate_list(dir, false, &files, &n, err, sizeof(err)) < 0) {
		admin_fail(ctx, "%s", err);
		free(dir);
		return ADMIN_FAIL;
	}
	if (!migrate_simple(ctx, "starting a transaction", "BEGIN"))
		goto out;
	if (!migrate_simple(ctx, "waiting for other migrate runs",
			    "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ")"))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, files[i]);
		bool ok = migrate_run_file(ctx, path);

		free(path);
		if (!ok)
			goto fail;
	}
	if (!migrate_simple(ctx, "committing", "COMMIT"))
		goto out;
	for (size_t i = 0; i < n; i++)
		printf("reference data %s\n", files[i]);
	rc = ADMIN_OK;
	goto out;
fail:
	migrate_rollback(ctx);
	fprintf(stderr, "%s: the reference data was not changed; fix the file and run migrate again\n",
		ctx->prog);
out:
	migrate_free_list(files, n);
	free(dir);
	return rc;
}

int admin_migrate(struct admin_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	char *dir;
	char **files = NULL;
	size_t n = 0, applied = 0;
	char err[1024];
	int c, rc = ADMIN_OK;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: %s [--db CONNINFO] [--sql-dir DIR] migrate\n"
			       "Applies %s/migrations/NNN_*.sql not applied yet, each in its own transaction,\n"
			       "then re-applies %s/ref/*.sql in one transaction.\n",
			       ctx->prog, ctx->sql_dir, ctx->sql_dir);
			return ADMIN_OK;
		}
		return admin_usage_error(ctx, "migrate takes no options");
	}
	if (optind < argc)
		return admin_usage_error(ctx, "migrate takes no arguments ('%s')", argv[optind]);

	dir = xasprintf("%s/migrations", ctx->sql_dir);
	if (migrate_list(dir, true, &files, &n, err, sizeof(err)) < 0) {
		free(dir);
		return admin_fail(ctx, "%s", err);
	}
	if (n == 0) {
		rc = admin_fail(ctx, "no migrations (NNN_name.sql) in %s: check --sql-dir", dir);
		goto out;
	}
	if (!admin_conn(ctx)) {
		rc = ADMIN_FAIL;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		int r = migrate_one(ctx, dir, files[i]);

		if (r < 0) {
			rc = ADMIN_FAIL;
			goto out;
		}
		applied += (size_t)r;
	}
	if (applied == 0)
		printf("schema up to date (%zu migrations)\n", n);
	rc = migrate_ref(ctx);
out:
	migrate_free_list(files, n);
	free(dir);
	return rc;
}
