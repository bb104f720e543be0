/* officer add/set/disable/list: officers are login roles plus a row in
 * xiaoan.officer, both kept by xiaoan.officer_set / officer_disable. */
#include "xiaoan/admin.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/admin_table.h"
#include "xiaoan/db.h"

static const char *const officer_roles[] = {
	"dispatcher", "unit_staff", "town_staff", "school_officer", "supervisor", "admin",
};

static bool officer_role_ok(const char *role)
{
	for (size_t i = 0; i < XA_ARRAY_LEN(officer_roles); i++)
		if (!strcmp(role, officer_roles[i]))
			return true;
	return false;
}

static int officer_bad_role(struct admin_ctx *ctx, const char *role)
{
	return admin_usage_error(ctx,
				 "unknown role '%s': use dispatcher, unit_staff, town_staff, school_officer, "
				 "supervisor or admin",
				 role);
}

struct officer_opts {
	const char *login, *name, *unit, *role, *phone;
	bool enable;
};

static const struct option officer_longopts[] = {
	{"name", required_argument, NULL, 'n'},
	{"unit", required_argument, NULL, 'u'},
	{"role", required_argument, NULL, 'r'},
	{"phone", required_argument, NULL, 'p'},
	{"enable", no_argument, NULL, 'e'},
	{NULL, 0, NULL, 0},
};

/* Parses the options after "officer VERB"; "allowed" lists the option
 * letters the verb takes; nargs is the number of positional arguments
 * (0 or 1, the login). */
static int officer_parse(struct admin_ctx *ctx, int argc, char **argv, const char *allowed, int nargs,
			 struct officer_opts *o)
{
	const char *verb = argv[0];
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "", officer_longopts, NULL)) != -1) {
		if (c == '?' || !strchr(allowed, c))
			return admin_usage_error(ctx, "officer %s: option not accepted here", verb);
		switch (c) {
		case 'n':
			o->name = optarg;
			break;
		case 'u':
			o->unit = optarg;
			break;
		case 'r':
			o->role = optarg;
			break;
		case 'p':
			o->phone = optarg;
			break;
		case 'e':
			o->enable = true;
			break;
		}
	}
	if (argc - optind != nargs)
		return admin_usage_error(ctx, "officer %s: %s", verb,
					 nargs ? "give exactly one LOGIN" : "takes no arguments");
	if (nargs)
		o->login = argv[optind];
	if (o->role && !officer_role_ok(o->role))
		return officer_bad_role(ctx, o->role);
	if (o->name && !*o->name)
		return admin_usage_error(ctx, "officer %s: --name must not be empty", verb);
	return ADMIN_OK;
}

/* 1 exists (row loaded into res_out when asked), 0 not, -1 error. */
static int officer_lookup(struct admin_ctx *ctx, const char *login, PGresult **res_out)
{
	const char *params[1] = {login};
	PGresult *res = admin_exec(ctx, "looking up the officer",
				   "SELECT name, unit, role::text, phone, active FROM xiaoan.officer WHERE login = $1",
				   1, params);
	int found;

	if (!res)
		return -1;
	found = PQntuples(res) > 0;
	if (res_out && found)
		*res_out = res;
	else
		PQclear(res);
	return found;
}

static int officer_store(struct admin_ctx *ctx, const char *what, const char *login, const char *name,
			 const char *unit, const char *role, const char *phone, bool active)
{
	const char *params[6] = {login, name, unit, role, phone, active ? "true" : "false"};
	PGresult *res = admin_exec(ctx, what,
				   "SELECT xiaoan.officer_set($1, $2, $3, $4::xiaoan.officer_role, $5, $6::boolean)",
				   6, params);

	if (!res)
		return ADMIN_FAIL;
	PQclear(res);
	return ADMIN_OK;
}

static int officer_add(struct admin_ctx *ctx, int argc, char **argv)
{
	struct officer_opts o;
	int rc = officer_parse(ctx, argc, argv, "nurp", 1, &o);

	if (rc != ADMIN_OK)
		return rc;
	if (!o.name || !o.unit || !o.role)
		return admin_usage_error(ctx, "officer add needs --name, --unit and --role");
	switch (officer_lookup(ctx, o.login, NULL)) {
	case -1:
		return ADMIN_FAIL;
	case 1:
		return admin_fail(ctx, "officer %s already exists: change it with 'officer set %s ...'", o.login,
				  o.login);
	}
	rc = officer_store(ctx, "adding the officer", o.login, o.name, o.unit, o.role, o.phone, true);
	if (rc == ADMIN_OK)
		printf("officer %s added (%s, %s, %s); the login role %s logs in by peer authentication\n",
		       o.login, o.name, o.unit, o.role, o.login);
	return rc;
}

static int officer_set(struct admin_ctx *ctx, int argc, char **argv)
{
	struct officer_opts o;
	PGresult *cur = NULL;
	int rc = officer_parse(ctx, argc, argv, "nurpe", 1, &o);
	bool active;

	if (rc != ADMIN_OK)
		return rc;
	if (!o.name && !o.unit && !o.role && !o.phone && !o.enable)
		return admin_usage_error(ctx, "officer set: nothing to change (--name, --unit, --role, --phone, --enable)");
	switch (officer_lookup(ctx, o.login, &cur)) {
	case -1:
		return ADMIN_FAIL;
	case 0:
		return admin_fail(ctx, "no officer %s: add one with 'officer add %s --name .. --unit .. --role ..'",
				  o.login, o.login);
	}
	active = o.enable || !strcmp(db_text(cur, 0, 4), "t");
	rc = officer_store(ctx, "changing the officer", o.login, o.name ? o.name : db_text(cur, 0, 0),
			   o.unit ? o.unit : db_text(cur, 0, 1), o.role ? o.role : db_text(cur, 0, 2),
			   o.phone, active);
	PQclear(cur);
	if (rc == ADMIN_OK)
		printf("officer %s updated%s\n", o.login, o.enable ? " and enabled" : "");
	return rc;
}

static int officer_disable(struct admin_ctx *ctx, int argc, char **argv)
{
	struct officer_opts o;
	const char *params[1];
	PGresult *res;
	int rc = officer_parse(ctx, argc, argv, "", 1, &o);
	bool done;

	if (rc != ADMIN_OK)
		return rc;
	params[0] = o.login;
	res = admin_exec(ctx, "disabling the officer", "SELECT xiaoan.officer_disable($1)", 1, params);
	if (!res)
		return ADMIN_FAIL;
	done = !strcmp(db_text(res, 0, 0), "t");
	PQclear(res);
	if (!done)
		return admin_fail(ctx, "no officer %s (see 'officer list')", o.login);
	printf("officer %s disabled: the login is refused; the audit trail keeps the name "
	       "('officer set %s --enable' undoes it)\n",
	       o.login, o.login);
	return ADMIN_OK;
}

static int officer_list(struct admin_ctx *ctx, int argc, char **argv)
{
	static const char *const head[] = {"LOGIN", "NAME", "UNIT", "UNIT NAME", "ROLE", "STATUS", "PHONE"};
	struct officer_opts o;
	struct admin_table t;
	const char *params[2];
	PGresult *res;
	int rc = officer_parse(ctx, argc, argv, "ur", 0, &o);

	if (rc != ADMIN_OK)
		return rc;
	params[0] = o.unit;
	params[1] = o.role;
	res = admin_exec(ctx, "listing officers",
			 "SELECT o.login, o.name, o.unit, u.name, o.role::text,"
			 "       CASE WHEN o.active THEN 'active' ELSE 'disabled' END, o.phone"
			 "  FROM xiaoan.officer o JOIN xiaoan.unit u ON u.code = o.unit"
			 " WHERE ($1::text IS NULL OR o.unit = $1)"
			 "   AND ($2::text IS NULL OR o.role::text = $2)"
			 " ORDER BY o.unit, o.login",
			 2, params);
	if (!res)
		return ADMIN_FAIL;
	admin_table_init(&t, XA_ARRAY_LEN(head), head);
	for (int r = 0; r < PQntuples(res); r++) {
		const char *row[XA_ARRAY_LEN(head)];

		for (size_t c = 0; c < XA_ARRAY_LEN(head); c++)
			row[c] = db_text(res, r, (int)c);
		admin_table_add(&t, row);
	}
	if (PQntuples(res) > 0)
		admin_table_print(&t, stdout);
	else
		fprintf(stderr, "%s: no officers%s\n", ctx->prog, o.unit || o.role ? " match" : " yet");
	admin_table_free(&t);
	PQclear(res);
	return ADMIN_OK;
}

int admin_officer(struct admin_ctx *ctx, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(struct admin_ctx *, int, char **);
	} verbs[] = {
		{"add", officer_add},
		{"set", officer_set},
		{"disable", officer_disable},
		{"list", officer_list},
	};

	if (argc < 2)
		return admin_usage_error(ctx, "officer: say add, set, disable or list");
	for (size_t i = 0; i < XA_ARRAY_LEN(verbs); i++)
		if (!strcmp(argv[1], verbs[i].name)) {
			optind = 0;
			return verbs[i].run(ctx, argc - 1, argv + 1);
		}
	return admin_usage_error(ctx, "officer: unknown action '%s' (add, set, disable, list)", argv[1]);
}
