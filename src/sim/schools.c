#include "xiaoan/sim_schools.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/text.h"
#include "xiaoan/util.h"

static bool sim_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "t", "true", "yes", "1", "y" };
	static const char *const no[] = { "f", "false", "no", "0", "n" };
	for (size_t i = 0; i < XA_ARRAY_LEN(yes); i++) {
		if (strcmp(s, yes[i]) == 0)
			return *out = true, true;
		if (strcmp(s, no[i]) == 0)
			return *out = false, true;
	}
	return false;
}

static bool sim_code_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= SIM_CODE_SIZE)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* Fills s from its fields (kind and boarding may be NULL). */
static int sim_school_set(struct sim_school *s, const char *code, const char *name, const char *kind,
			  const char *boarding, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	if (!sim_code_ok(code)) {
		snprintf(err, errlen, "school code \"%.40s\" is not [A-Za-z0-9._-]{1,32}", code);
		return -1;
	}
	if (!*name || !text_is_clean(name, strlen(name)) || text_copy(s->name, sizeof s->name, name) >= sizeof s->name) {
		snprintf(err, errlen, "school %s: the name must be 1..%d bytes of clean UTF-8", code,
			 SIM_NAME_SIZE - 1);
		return -1;
	}
	xstrlcpy(s->code, code, sizeof s->code);
	s->kind = SIM_PRIMARY;
	if (kind && *kind) {
		int k = sim_kind_parse(kind);
		if (k < 0) {
			snprintf(err, errlen, "school %s: unknown kind \"%.20s\" (kindergarten, primary, middle, "
				 "nine_year, high)", code, kind);
			return -1;
		}
		s->kind = (enum sim_school_kind)k;
	}
	if (boarding && *boarding && !sim_parse_bool(boarding, &s->boarding)) {
		snprintf(err, errlen, "school %s: boarding must be t or f, not \"%.10s\"", code, boarding);
		return -1;
	}
	return 0;
}

int sim_schools_parse_line(const char *line, struct sim_school *s, char *err, size_t errlen)
{
	char buf[512];
	char *f[5] = { 0 };
	int nf = 0;

	size_t len = strcspn(line, "\r\n");
	if (len >= sizeof buf) {
		snprintf(err, errlen, "line longer than %zu bytes", sizeof buf - 1);
		return -1;
	}
	memcpy(buf, line, len);
	buf[len] = '\0';
	char *p = buf;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	const char *sep = strchr(p, '|') ? "|" : "\t";
	for (char *tok = p; tok && nf < 5; nf++) {
		f[nf] = tok;
		tok = strpbrk(tok, sep);
		if (tok)
			*tok++ = '\0';
	}
	if (nf < 2 || nf > 4) {
		snprintf(err, errlen, "expected CODE|NAME[|KIND[|BOARDING]], got %d field%s", nf, nf == 1 ? "" : "s");
		return -1;
	}
	return sim_school_set(s, f[0], f[1], f[2], f[3], err, errlen) == 0 ? 1 : -1;
}

int sim_schools_load_file(const char *path, struct sim_school **out, size_t *n, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char line[1024], why[200];
	size_t cap = 0, lineno = 0;

	*out = NULL;
	*n = 0;
	if (!fp) {
		snprintf(err, errlen, "%s: %m", path);
		return -1;
	}
	while (fgets(line, sizeof line, fp)) {
		struct sim_school s;
		lineno++;
		int r = sim_schools_parse_line(line, &s, why, sizeof why);
		if (r < 0) {
			snprintf(err, errlen, "%s:%zu: %s", path, lineno, why);
			break;
		}
		if (r == 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 128;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		(*out)[(*n)++] = s;
	}
	bool bad = !feof(fp); /* stopped at a bad line, or a read error */
	if (ferror(fp))
		snprintf(err, errlen, "%s: read error", path);
	fclose(fp);
	if (bad || *n == 0) {
		if (!bad)
			snprintf(err, errlen, "%s: no schools in the file", path);
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int sim_schools_load_db(const char *conninfo, struct sim_school **out, size_t *n, int *utc_offset, char *err,
			size_t errlen)
{
	PGconn *db = PQconnectdb(conninfo);
	PGresult *r = NULL;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (PQstatus(db) != CONNECTION_OK) {
		snprintf(err, errlen, "database: %s", PQerrorMessage(db));
		goto done;
	}
	r = PQexec(db, "SELECT s.code, u.name, s.kind::text, s.boarding::text FROM xiaoan.school s "
		       "JOIN xiaoan.unit u USING (code) ORDER BY s.code");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		snprintf(err, errlen, "reading the schools: %s", PQerrorMessage(db));
		goto done;
	}
	int rows = PQntuples(r);
	if (rows == 0) {
		snprintf(err, errlen, "the database has no schools (xiaoan.school is empty: run xiaoan-admin migrate)");
		goto done;
	}
	*out = xcalloc((size_t)rows, sizeof **out);
	for (int i = 0; i < rows; i++) {
		if (sim_school_set(&(*out)[i], PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
				   PQgetvalue(r, i, 3), err, errlen) != 0)
			goto done;
	}
	*n = (size_t)rows;
	PQclear(r);
	r = PQexec(db, "SELECT utc_offset FROM xiaoan.clock()");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		snprintf(err, errlen, "reading the district's clock: %s", PQerrorMessage(db));
		goto done;
	}
	*utc_offset = atoi(PQgetvalue(r, 0, 0));
	rc = 0;
done:
	PQclear(r);
	PQfinish(db);
	if (rc != 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

void sim_schools_builtin(struct sim_school **out, size_t *n)
{
	/* Roughly the reference district's mix: mostly primary schools and
	 * kindergartens, some middle, nine-year and high schools. */
	static const enum sim_school_kind cycle[] = {
		SIM_PRIMARY, SIM_KINDERGARTEN, SIM_MIDDLE, SIM_PRIMARY, SIM_KINDERGARTEN,
		SIM_NINE_YEAR, SIM_PRIMARY, SIM_HIGH, SIM_KINDERGARTEN, SIM_MIDDLE,
	};
	static const char *const kind_zh[SIM_NKINDS] = {
		[SIM_KINDERGARTEN] = "幼儿园", [SIM_PRIMARY] = "小学", [SIM_MIDDLE] = "中学",
		[SIM_NINE_YEAR] = "九年一贯制学校", [SIM_HIGH] = "高级中学",
	};
	*n = 120;
	*out = xcalloc(*n, sizeof **out);
	for (size_t i = 0; i < *n; i++) {
		struct sim_school *s = &(*out)[i];
		s->kind = cycle[i % XA_ARRAY_LEN(cycle)];
		s->boarding = s->kind == SIM_HIGH || (s->kind == SIM_NINE_YEAR && i % 2 == 1);
		snprintf(s->code, sizeof s->code, "S%03zu", i + 1);
		snprintf(s->name, sizeof s->name, "奉化区第%zu%s", i + 1, kind_zh[s->kind]);
	}
}
