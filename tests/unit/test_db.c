#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "xiaoan/db.h"

/* A result as the server would send it: one text column per value, NULL
 * entries are SQL NULLs. */
static PGresult *fake_result(int ncols, const char *const *vals, int nrows)
{
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc attrs[8];
	char names[8][8];

	assert_non_null(res);
	assert_true(ncols <= 8);
	memset(attrs, 0, sizeof(attrs));
	for (int c = 0; c < ncols; c++) {
		snprintf(names[c], sizeof(names[c]), "c%d", c);
		attrs[c].name = names[c];
		attrs[c].typid = 25; /* text */
		attrs[c].typlen = -1;
		attrs[c].atttypmod = -1;
	}
	assert_int_equal(PQsetResultAttrs(res, ncols, attrs), 1);
	for (int r = 0; r < nrows; r++)
		for (int c = 0; c < ncols; c++) {
			const char *v = vals[r * ncols + c];
			assert_int_equal(PQsetvalue(res, r, c, (char *)v, v ? (int)strlen(v) : -1), 1);
		}
	return res;
}

static void test_epoch_and_text(void **state)
{
	static const char *const vals[] = {
		"1795507925", "王伟", NULL, NULL, "-1", "", "12x", "99999999999999999999999",
	};
	PGresult *res = fake_result(2, vals, 4);

	(void)state;
	assert_int_equal(db_epoch(res, 0, 0), 1795507925);
	assert_string_equal(db_text(res, 0, 1), "王伟");
	assert_int_equal(db_epoch(res, 1, 0), 0);  /* NULL */
	assert_string_equal(db_text(res, 1, 1), ""); /* NULL */
	assert_true(db_isnull(res, 1, 0));
	assert_false(db_isnull(res, 0, 0));
	assert_int_equal(db_epoch(res, 2, 0), -1);
	assert_int_equal(db_epoch(res, 2, 1), 0);   /* empty */
	assert_int_equal(db_epoch(res, 3, 0), 0);   /* junk after digits */
	assert_int_equal(db_epoch(res, 3, 1), 0);   /* out of range */
	/* outside the result */
	assert_int_equal(db_epoch(res, 4, 0), 0);
	assert_int_equal(db_epoch(res, 0, 2), 0);
	assert_int_equal(db_epoch(res, -1, 0), 0);
	assert_string_equal(db_text(res, 9, 9), "");
	assert_true(db_isnull(res, 0, 5));
	assert_int_equal(db_epoch(NULL, 0, 0), 0);
	assert_string_equal(db_text(NULL, 0, 0), "");
	PQclear(res);
}

static void test_result_ok(void **state)
{
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_COMMAND_OK);
	char msg[64] = "junk";

	(void)state;
	assert_int_equal(db_result_error(res, NULL, msg, sizeof(msg)), DB_OK);
	assert_string_equal(msg, "");
	PQclear(res);
	res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	assert_int_equal(db_result_error(res, NULL, NULL, 0), DB_OK);
	assert_string_equal(db_sqlstate(res), "");
	PQclear(res);
}

static void test_result_failures(void **state)
{
	char msg[128];
	PGresult *res;

	(void)state;
	/* No result at all: the connection is the problem. */
	assert_int_equal(db_result_error(NULL, NULL, msg, sizeof(msg)), DB_CONN);
	assert_string_equal(msg, "no result from the database server");
	/* A failure without a SQLSTATE and without a connection. */
	res = PQmakeEmptyPGresult(NULL, PGRES_FATAL_ERROR);
	assert_int_equal(db_result_error(res, NULL, msg, sizeof(msg)), DB_OTHER);
	assert_string_equal(msg, "unexpected result PGRES_FATAL_ERROR");
	assert_string_equal(db_sqlstate(res), "");
	PQclear(res);
	res = PQmakeEmptyPGresult(NULL, PGRES_COPY_IN);
	assert_int_equal(db_result_error(res, NULL, msg, 8), DB_OTHER);
	assert_int_equal(strlen(msg), 7); /* truncated, terminated */
	PQclear(res);
}

static void test_params(void **state)
{
	struct db_params p;

	(void)state;
	db_conninfo_with_app(&p, "host=/tmp dbname=x", "xiaoan-hub");
	assert_string_equal(p.keys[0], "dbname");
	assert_string_equal(p.vals[0], "host=/tmp dbname=x");
	assert_string_equal(p.keys[1], "fallback_application_name");
	assert_string_equal(p.vals[1], "xiaoan-hub");
	assert_string_equal(p.keys[2], "client_encoding");
	assert_string_equal(p.vals[2], "UTF8");
	assert_null(p.keys[3]);
	/* No conninfo: libpq's own defaults, so no dbname key at all. */
	db_conninfo_with_app(&p, "", NULL);
	assert_string_equal(p.keys[0], "client_encoding");
	assert_null(p.keys[1]);
	db_conninfo_with_app(&p, NULL, "a");
	assert_string_equal(p.keys[0], "fallback_application_name");
}

static void test_connect_failure(void **state)
{
	char err[512];
	PGconn *c;

	(void)state;
	/* A socket folder that does not exist fails at once, no server needed. */
	c = db_connect("host=/nonexistent/xiaoan-test port=1 connect_timeout=2", "test", err, sizeof(err));
	assert_null(c);
	assert_non_null(strstr(err, "cannot connect to the database host=/nonexistent/xiaoan-test"));
	assert_non_null(strstr(err, "check --db / PGHOST"));
	assert_null(strchr(err, '\n'));
	c = db_connect("not a conninfo", "test", err, sizeof(err));
	assert_null(c);
	assert_non_null(strstr(err, "cannot connect"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epoch_and_text),
		cmocka_unit_test(test_result_ok),
		cmocka_unit_test(test_result_failures),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_connect_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
