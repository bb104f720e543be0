#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xiaoan/notify.h"

static void test_gate_one_notice_per_burst(void **state)
{
	struct notify_gate g;

	(void)state;
	memset(&g, 0, sizeof g);
	assert_true(notify_gate_pass(&g, 1000));
	/* A storm: everything in the next 10 s is held and counted. */
	for (int i = 1; i <= 50; i++)
		assert_false(notify_gate_pass(&g, 1000 + i * 100));
	assert_int_equal(g.held, 50);
	assert_false(notify_gate_pass(&g, 1000 + NOTIFY_QUIET_MS - 1));
	assert_true(notify_gate_pass(&g, 1000 + NOTIFY_QUIET_MS));
}

static void test_mode_names(void **state)
{
	(void)state;
	assert_int_equal(notify_mode_parse("auto"), NOTIFY_AUTO);
	assert_int_equal(notify_mode_parse("desktop"), NOTIFY_DESKTOP);
	assert_int_equal(notify_mode_parse("bell"), NOTIFY_BELL);
	assert_int_equal(notify_mode_parse("flash"), NOTIFY_FLASH);
	assert_int_equal(notify_mode_parse("off"), NOTIFY_OFF);
	assert_int_equal(notify_mode_parse("loud"), -1);
}

static void test_off_posts_nothing(void **state)
{
	(void)state;
	assert_int_equal(notify_setup(NOTIFY_OFF), NOTIFY_OFF);
	assert_false(notify_post("t", "b", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gate_one_notice_per_burst),
		cmocka_unit_test(test_mode_names),
		cmocka_unit_test(test_off_posts_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
