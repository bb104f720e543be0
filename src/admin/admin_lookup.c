/* units, schools, types: the reference data as an operator looks it up
 * (unit codes for 'officer add', routing and limits of the alert types). */
#include "xiaoan/admin.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "xiaoan/admin_table.h"
#include "xiaoan/db.h"

static const char *const lookup_kinds[] = {
	"city", "district", "department", "town", "command_room", "police_station", "school",
};

/* One optional filter option (--kind or --town); no positional arguments. */
static int lookup_parse(struct admin_ctx *ctx, int argc, char **argv, const char *optname,
			const char **value)
{
	const struct option opts[] = {{optname, required_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
	int c;

	*value = NULL;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'f')
			return admin_usage_error(ctx, "%s takes only --%s", argv[0], optname);
		*value = optarg;
	}
	if (optind < argc)
		return admin_usage_error(ctx, "%s takes no arguments ('%s')", argv[0], argv[optind]);
	return ADMIN_OK;
}

/* Prints every column of res as text in a table with these headers. */
static void lookup_print(const PGresult *res, const char *const *head, size_t ncols)
{
	struct admin_table t;
	const char *row[16];

	admin_table_init(&t, ncols, head);
	for (int r = 0; r < PQntuples(res); r++) {
		for (size_t c = 0; c < ncols && c < XA_ARRAY_LEN(row); c++)
			row[c] = db_text(res, r, (int)c);
		admin_table_add(&t, row);
	}
	admin_table_print(&t, stdout);
	admin_table_free(&t);
}

int admin_units(struct admin_ctx *ctx, int argc, char **argv)
{
	static const char *const head[] = {"CODE", "NAME", "KIND", "PARENT", "TOWN", "DEPT KEY"};
	const char *kind, *params[1];
	PGresult *res;
	int rc = lookup_parse(ctx, argc, argv, "kind", &kind);
	bool known = !kind;

	if (rc != ADMIN_OK)
		return rc;
	for (size_t i = 0; kind && i < XA_ARRAY_LEN(lookup_kinds); i++)
		known = known || !strcmp(kind, lookup_kinds[i]);
	if (!known)
		return admin_usage_error(ctx, "unknown unit kind '%s': city, district, department, town, "
					      "command_room, police_station or school", kind);
	params[0] = kind;
	res = admin_exec(ctx, "listing units",
			 "SELECT u.code, u.name, u.kind::text, u.parent, t.name, u.dept_key"
			 "  FROM xiaoan.unit u LEFT JOIN xiaoan.unit t ON t.code = u.town"
			 " WHERE $1::text IS NULL OR u.kind::text = $1"
			 " ORDER BY u.kind, u.code",
			 1, params);
	if (!res)
		return ADMIN_FAIL;
	if (PQntuples(res) == 0)
		rc = admin_fail(ctx, "no units%s: run 'xiaoan-admin migrate' to load the reference data",
				kind ? " of that kind" : "");
	else
		lookup_print(res, head, XA_ARRAY_LEN(head));
	PQclear(res);
	return rc;
}

int admin_schools(struct admin_ctx *ctx, int argc, char **argv)
{
	static const char *const head[] = {"CODE", "NAME", "KIND", "BOARDING", "TOWN", "SAFETY OFFICER", "PHONE"};
	const char *town, *params[1];
	PGresult *res;
	int rc = lookup_parse(ctx, argc, argv, "town", &town);

	if (rc != ADMIN_OK)
		return rc;
	params[0] = town;
	/* --town takes the code (fh.jp) or the name (锦屏街道). */
	res = admin_exec(ctx, "listing schools",
			 "SELECT u.code, u.name, s.kind::text, CASE WHEN s.boarding THEN 'yes' ELSE 'no' END,"
			 "       t.name, s.officer_name, s.officer_phone"
			 "  FROM xiaoan.school s JOIN xiaoan.unit u ON u.code = s.code"
			 "  JOIN xiaoan.unit t ON t.code = u.town"
			 " WHERE $1::text IS NULL OR t.code = $1 OR t.name = $1"
			 " ORDER BY u.code",
			 1, params);
	if (!res)
		return ADMIN_FAIL;
	if (PQntuples(res) == 0)
		rc = town ? admin_fail(ctx, "no schools in '%s': see 'xiaoan-admin units --kind town'", town)
			  : admin_fail(ctx, "no schools: run 'xiaoan-admin migrate' to load the reference data");
	else
		lookup_print(res, head, XA_ARRAY_LEN(head));
	PQclear(res);
	return rc;
}

/* "5 min", "12 h", "90 s"; "-" for none. */
static void lookup_duration(const PGresult *res, int row, int col, char *buf, size_t n)
{
	int64_t s = db_epoch(res, row, col);

	if (db_isnull(res, row, col))
		snprintf(buf, n, "-");
	else if (s % 3600 == 0)
		snprintf(buf, n, "%lld h", (long long)(s / 3600));
	else if (s % 60 == 0)
		snprintf(buf, n, "%lld min", (long long)(s / 60));
	else
		snprintf(buf, n, "%lld s", (long long)s);
}

int admin_types(struct admin_ctx *ctx, int argc, char **argv)
{
	static const char *const head[] = {"CODE", "NAME", "FUNCTION", "SIGN", "FEEDBACK", "CLOSE",
					   "HOLDER", "CC", "CC IF HIGH", "SENSITIVE"};
	PGresult *res;

	if (getopt_long(argc, argv, "", (const struct option[]){{NULL, 0, NULL, 0}}, NULL) != -1 ||
	    optind < argc)
		return admin_usage_error(ctx, "types takes no arguments");
	res = admin_exec(ctx, "listing alert types",
			 "SELECT t.code, t.name_zh, t.function::text,"
			 "       extract(epoch FROM xiaoan.sign_limit_of(t))::bigint, t.sign_promptly,"
			 "       extract(epoch FROM t.feedback_limit)::bigint,"
			 "       extract(epoch FROM t.close_limit)::bigint, t.clock_from, t.is_hazard,"
			 "       t.holder, array_to_string(t.cc, ','), array_to_string(t.cc_high, ','),"
			 "       CASE WHEN t.sensitive THEN 'yes' ELSE 'no' END"
			 "  FROM xiaoan.alert_type t ORDER BY t.is_hazard, t.code",
			 0, NULL);
	if (!res)
		return ADMIN_FAIL;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return admin_fail(ctx, "no alert types: run 'xiaoan-admin migrate' to load the reference data");
	}
	struct admin_table t;

	admin_table_init(&t, XA_ARRAY_LEN(head), head);
	for (int r = 0; r < PQntuples(res); r++) {
		char sign[48], feedback[32], close[64];
		bool hazard = !strcmp(db_text(res, r, 8), "t");
		const char *row[XA_ARRAY_LEN(head)] = {
			db_text(res, r, 0), db_text(res, r, 1), db_text(res, r, 2), sign, feedback, close,
			db_text(res, r, 9), db_text(res, r, 10), db_text(res, r, 11), db_text(res, r, 12),
		};

		lookup_duration(res, r, 3, sign, sizeof(sign));
		if (!strcmp(db_text(res, r, 4), "t"))
			/* the seed says "promptly": the limit is a setting */
			xstrlcpy(sign + strlen(sign), " (promptly)", sizeof(sign) - strlen(sign));
		lookup_duration(res, r, 5, feedback, sizeof(feedback));
		lookup_duration(res, r, 6, close, sizeof(close));
		if (hazard && db_isnull(res, r, 6))
			xstrlcpy(close, "set when assigned", sizeof(close));
		else if (!strcmp(db_text(res, r, 7), "occurred"))
			xstrlcpy(close + strlen(close), " after it occurred", sizeof(close) - strlen(close));
		admin_table_add(&t, row);
	}
	admin_table_print(&t, stdout);
	admin_table_free(&t);
	PQclear(res);
	return ADMIN_OK;
}
