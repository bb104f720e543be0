#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>

#include <cmocka.h>

#include "xiaoan/detfmt.h"
#include "xiaoan/text.h"

#define FFFD TEXT_REPLACEMENT

/* Every line as "key|label|value", one per line, for whole-result checks. */
static char *lines_of(const struct detfmt *d)
{
	size_t n = 1;
	char *s, *p;

	for (size_t i = 0; i < d->n; i++)
		n += strlen(d->line[i].key) + strlen(d->line[i].label) + strlen(d->line[i].value) + 3;
	s = p = malloc(n);
	*p = '\0';
	for (size_t i = 0; i < d->n; i++)
		p += sprintf(p, "%s|%s|%s\n", d->line[i].key, d->line[i].label, d->line[i].value);
	return s;
}

static void assert_lines(const char *json, const struct detfmt_label *labels, size_t nlabels, const char *want)
{
	struct detfmt d;
	char *got;

	assert_true(detfmt_parse(json, labels, nlabels, &d));
	got = lines_of(&d);
	assert_string_equal(got, want);
	free(got);
	detfmt_free(&d);
	assert_int_equal(d.n, 0);
}

/* What hazard_open stores, in the order jsonb gives it back: the labelled
 * members come out in the table's order, the photos joined. */
static void test_hazard(void **state)
{
	(void)state;
	assert_lines("{\"photos\": [\"p/1.jpg\", \"p/2.jpg\"], \"category\": \"street_vendors\", "
		     "\"description\": \"校门口流动摊贩占道\"}",
		     detfmt_hazard_labels, detfmt_hazard_nlabels,
		     "category|Hazard category|street_vendors\n"
		     "description|Hazard description|校门口流动摊贩占道\n"
		     "photos|Photos|p/1.jpg, p/2.jpg\n");
	assert_lines("{\"photos\": [], \"category\": \"fire_exit\", \"description\": \"x\"}", detfmt_hazard_labels,
		     detfmt_hazard_nlabels,
		     "category|Hazard category|fire_exit\ndescription|Hazard description|x\nphotos|Photos|-\n");
}

/* A member the table does not name shows its own name, after the named
 * ones; without a table every member does (gate_open's details). */
static void test_unknown_keys(void **state)
{
	(void)state;
	assert_lines("{\"gate\": \"南门\", \"open_seconds\": 245, \"category\": \"c\"}", detfmt_hazard_labels,
		     detfmt_hazard_nlabels,
		     "category|Hazard category|c\ngate|gate|南门\nopen_seconds|open_seconds|245\n");
	assert_lines("{\"gate\": \"南门\", \"open_seconds\": 245}", NULL, 0,
		     "gate|gate|南门\nopen_seconds|open_seconds|245\n");
}

static void test_values(void **state)
{
	(void)state;
	assert_lines("{\"camera\": {\"id\": \"CAM-S001-03\", \"pos\": {\"x\": 1.5, \"y\": -2e3}}, \"ok\": true, "
		     "\"off\": false, \"none\": null, \"empty\": {}, \"list\": [1, \"二\", null, true], "
		     "\"people\": [{\"name\": \"王\"}, {\"name\": \"李\", \"tags\": [\"a\", \"b\"]}], \"deep\": [[1, 2], 3]}",
		     NULL, 0,
		     "camera.id|camera.id|CAM-S001-03\n"
		     "camera.pos.x|camera.pos.x|1.5\n"
		     "camera.pos.y|camera.pos.y|-2e3\n"
		     "ok|ok|yes\n"
		     "off|off|no\n"
		     "none|none|-\n"
		     "empty|empty|-\n"
		     "list|list|1, 二, -, yes\n"
		     "people.1.name|people.1.name|王\n"
		     "people.2.name|people.2.name|李\n"
		     "people.2.tags|people.2.tags|a, b\n"
		     "deep.1|deep.1|1, 2\n"
		     "deep.2|deep.2|3\n");
	/* A nested member can be labelled by its dotted name. */
	static const struct detfmt_label cam[] = { { "camera.id", "Camera" } };
	assert_lines("{\"camera\": {\"id\": \"C1\", \"model\": \"X\"}}", cam, 1,
		     "camera.id|Camera|C1\ncamera.model|camera.model|X\n");
	/* An empty object is no line at all. */
	assert_lines("{}", detfmt_hazard_labels, detfmt_hazard_nlabels, "");
}

/* Data never writes a control character to the terminal: not in a value,
 * not in a member's name (escapes, C1, bidi overrides, TAB/LF, NUL). */
static void test_controls(void **state)
{
	(void)state;
	assert_lines("{\"description\": \"\\u001b]0;PWNED\\u0007 \\u001b[2JWIPED\", \"c1\": \"\\u009b31mRED\", "
		     "\"rlo\": \"\\u202eRLO\", \"tab\": \"a\\tb\\nc\", \"nul\": \"a\\u0000b\", "
		     "\"\\u001b[2Jkey\": \"v\", \"arr\": [\"\\u001b[1m\", \"ok\"]}",
		     detfmt_hazard_labels, detfmt_hazard_nlabels,
		     "description|Hazard description|" FFFD "]0;PWNED" FFFD " " FFFD "[2JWIPED\n"
		     "c1|c1|" FFFD "31mRED\n"
		     "rlo|rlo|" FFFD "RLO\n"
		     "tab|tab|a b c\n"
		     "nul|nul|a" FFFD "b\n"
		     FFFD "[2Jkey|" FFFD "[2Jkey|v\n"
		     "arr|arr|" FFFD "[1m, ok\n");
}

/* What is not a JSON object is left to the caller, to show as text. */
static void test_not_an_object(void **state)
{
	static const char *const bad[] = { "[1, 2]", "\"text\"", "42", "null", "", "{\"a\": ", "not json",
					   "{\"a\": \"\xff\"}" };
	struct detfmt d;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_false(detfmt_parse(bad[i], detfmt_hazard_labels, detfmt_hazard_nlabels, &d));
		assert_int_equal(d.n, 0);
		assert_null(d.line);
	}
	assert_false(detfmt_parse(NULL, NULL, 0, &d));
	detfmt_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hazard),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_not_an_object),
	};
	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
