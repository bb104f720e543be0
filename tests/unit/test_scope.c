#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "xiaoan/scope.h"
#include "xiaoan/util.h"

static const char *const parties_jp[] = { "fh.edu", "fh.jp.cmd", "fh.police.jp" };
static const char *const parties_empty_name[] = { "" };

/* case A: ordinary gate alert at school S001 in town fh.jp */
static const struct scope_case case_a = { "S001", "fh.jp", "fh.jp.cmd", false, parties_jp, 3 };
/* case B: sensitive (mental care) at S001, held by the school */
static const struct scope_case case_b = { "S001", "fh.jp", "S001", true, NULL, 0 };
/* case C: in another town, no parties */
static const struct scope_case case_c = { "S077", "fh.xk", "fh.xk.cmd", false, NULL, 0 };
/* case D: nothing known */
static const struct scope_case case_d = { NULL, NULL, NULL, false, parties_empty_name, 1 };

struct row {
	const char *role;
	const char *unit, *town;
	const struct scope_case *c;
	bool want;
};

static const struct row rows[] = {
	{ "dispatcher", "fh.edu.duty", "", &case_c, true },
	{ "supervisor", "", "", &case_b, true },
	{ "admin", "", "", &case_d, true },
	/* unit staff: only as holder or party */
	{ "unit_staff", "fh.police.jp", "", &case_a, true },
	{ "unit_staff", "fh.jp.cmd", "", &case_a, true },
	{ "unit_staff", "fh.police.jp", "fh.jp", &case_b, false },
	{ "unit_staff", "fh.police.xk", "", &case_a, false },
	{ "unit_staff", "fh.xk.cmd", "", &case_c, true },
	{ "unit_staff", "", "", &case_d, false },              /* empty never matches */
	/* town staff: own town unless sensitive, plus party cases */
	{ "town_staff", "fh.jp.grid", "fh.jp", &case_a, true },
	{ "town_staff", "fh.jp.grid", "fh.jp", &case_b, false },
	{ "town_staff", "fh.jp.grid", "fh.jp", &case_c, false },
	{ "town_staff", "fh.xk.grid", "fh.xk", &case_c, true },
	{ "town_staff", "fh.jp.cmd", "fh.jp", &case_a, true },
	{ "town_staff", "", "", &case_d, false },
	/* school officer: their school, sensitive included */
	{ "school_officer", "S001", "fh.jp", &case_a, true },
	{ "school_officer", "S001", "fh.jp", &case_b, true },
	{ "school_officer", "S002", "fh.jp", &case_a, false },
	{ "school_officer", "S001", "fh.jp", &case_c, false },
	{ "school_officer", "fh.edu", "", &case_a, true },       /* as a party */
	/* unknown role sees nothing */
	{ "janitor", "fh.jp.cmd", "fh.jp", &case_a, false },
};

static void test_rule_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < XA_ARRAY_LEN(rows); i++) {
		struct scope_subject who;
		memset(&who, 0, sizeof who);
		who.role = scope_role_parse(rows[i].role);
		strcpy(who.unit, rows[i].unit);
		strcpy(who.town, rows[i].town);
		bool got = scope_allows(&who, rows[i].c);
		if (got != rows[i].want)
			print_error("row %zu: %s %s/%s got %d\n", i, rows[i].role, rows[i].unit, rows[i].town, got);
		assert_int_equal(got, rows[i].want);
	}
}

static void test_roles(void **state)
{
	(void)state;
	static const char *const names[] = { "dispatcher", "unit_staff", "town_staff",
					     "school_officer", "supervisor", "admin" };
	for (size_t i = 0; i < XA_ARRAY_LEN(names); i++) {
		enum scope_role r = scope_role_parse(names[i]);
		assert_int_equal(r, (int)i);
		assert_string_equal(scope_role_name(r), names[i]);
	}
	assert_int_equal(scope_role_parse("Dispatcher"), SCOPE_ROLE_INVALID);
	assert_int_equal(scope_role_parse(""), SCOPE_ROLE_INVALID);
	assert_int_equal(scope_role_parse(NULL), SCOPE_ROLE_INVALID);
	assert_string_equal(scope_role_name(SCOPE_ROLE_INVALID), "?");
	assert_true(scope_sees_all(SCOPE_SUPERVISOR));
	assert_false(scope_sees_all(SCOPE_TOWN_STAFF));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_table),
		cmocka_unit_test(test_roles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
