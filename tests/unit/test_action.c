#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "xiaoan/action.h"

static void test_names_round_trip(void **state)
{
	(void)state;
	for (unsigned a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
		const char *name = action_name((enum action)a);
		assert_non_null(name);
		assert_true(strlen(name) > 0);
		assert_int_equal(action_parse(name), a);
		/* Names are what users type in keymap files: lower case and '-'. */
		for (const char *c = name; *c; c++)
			assert_true((*c >= 'a' && *c <= 'z') || *c == '-');
		const char *label = action_label((enum action)a);
		assert_non_null(label);
		assert_true(strlen(label) > 0 && strlen(label) <= 16);
		const char *help = action_help((enum action)a);
		assert_non_null(help);
		assert_true(strlen(help) > 0);
	}
}

static void test_names_unique(void **state)
{
	(void)state;
	for (unsigned a = 1; a < ACTION_COUNT; a++)
		for (unsigned b = a + 1; b < ACTION_COUNT; b++)
			assert_string_not_equal(action_name((enum action)a),
						action_name((enum action)b));
}

static void test_known_actions(void **state)
{
	(void)state;
	static const char *const names[] = {
		"quit", "help", "redraw", "reload", "view-dispatch", "view-schools",
		"view-supervisor", "open", "back", "move-up", "move-down", "page-up",
		"page-down", "move-first", "move-last", "search", "filter", "filter-clear",
		"toggle-overdue", "cycle-sort", "toggle-select", "select-all-new", "sign",
		"sign-selected", "feedback", "forward", "escalate", "dispatch-down", "return",
		"close", "confirm", "reopen", "supervise", "unsupervise", "assign", "report-hazard",
		"log-visit", "stats",
	};
	assert_int_equal(sizeof names / sizeof names[0], ACTION_COUNT - 1);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		assert_int_not_equal(action_parse(names[i]), ACTION_NONE);
	assert_int_equal(action_parse("sign"), ACTION_SIGN);
	assert_int_equal(action_parse("quit"), ACTION_QUIT);
	assert_string_equal(action_help(ACTION_QUIT), "Quit xiaoan");
	assert_string_equal(action_label(ACTION_PAGE_DOWN), "Page down");
	assert_string_equal(action_label(ACTION_NONE), "");
	assert_null(action_label(ACTION_COUNT));
}

static void test_bad_input(void **state)
{
	(void)state;
	assert_int_equal(action_parse(""), ACTION_NONE);
	assert_int_equal(action_parse(NULL), ACTION_NONE);
	assert_int_equal(action_parse("Sign"), ACTION_NONE);
	assert_int_equal(action_parse("sign "), ACTION_NONE);
	assert_int_equal(action_parse("nope"), ACTION_NONE);
	assert_string_equal(action_name(ACTION_NONE), "");
	assert_null(action_name(ACTION_COUNT));
	assert_null(action_help((enum action)-1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_names_unique),
		cmocka_unit_test(test_known_actions),
		cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
