/* Alert generation: templates, per-type generators checked by the hub's own
 * validator, determinism, replay lines and school lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "xiaoan/alert.h"
#include "xiaoan/sim_gen.h"
#include "xiaoan/sim_replay.h"
#include "xiaoan/sim_schools.h"
#include "xiaoan/util.h"
#include "xiaoan/xtime.h"

#define HM(h, m) ((h) * 60 + (m))
#define NOW 1795507925 /* 2026-11-24T08:12:05Z */

static const struct sim_school schools[] = {
	{ "S001", "奉化区锦屏雪窦中学", SIM_MIDDLE, false },
	{ "S002", "奉化区锦屏城北九年一贯制学校", SIM_NINE_YEAR, true },
	{ "S003", "奉化区锦屏华山小学", SIM_PRIMARY, false },
	{ "S005", "奉化区锦屏明德高级中学", SIM_HIGH, true },
	{ "S006", "奉化区锦屏城北幼儿园", SIM_KINDERGARTEN, false },
};

static const char *member(struct json_object *o, const char *k)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static void test_template(void **state)
{
	(void)state;
	struct json_object *vars = json_object_new_object(), *d = json_object_new_object();
	json_object_object_add(vars, "school", json_object_new_string("华山小学"));
	json_object_object_add(d, "gate", json_object_new_string("南门"));
	json_object_object_add(d, "secs", json_object_new_int64(245));
	json_object_object_add(d, "score", json_object_new_double(0.9345));
	json_object_object_add(d, "school", json_object_new_string("not this one"));
	json_object_object_add(d, "obj", json_object_new_object());

	char *s = sim_template_render("{school}{gate}开启{secs}秒", vars, d);
	assert_string_equal(s, "华山小学南门开启245秒");
	free(s);
	s = sim_template_render("{score} {{literal}}", vars, d);
	assert_string_equal(s, "0.93 {literal}");
	free(s);
	s = sim_template_render("", vars, d);
	assert_string_equal(s, "");
	free(s);
	s = sim_template_render("no variables", NULL, NULL);
	assert_string_equal(s, "no variables");
	free(s);
	assert_null(sim_template_render("{missing}", vars, d));
	assert_null(sim_template_render("{obj}", vars, d));
	assert_null(sim_template_render("{gate", vars, d));
	assert_null(sim_template_render("gate}", vars, d));
	assert_null(sim_template_render("{}", vars, d));
	json_object_put(vars);
	json_object_put(d);
}

static void test_rng(void **state)
{
	(void)state;
	struct sim_rng a, b;
	sim_rng_seed(&a, 42);
	sim_rng_seed(&b, 42);
	for (int i = 0; i < 100; i++)
		assert_true(sim_rng_next(&a) == sim_rng_next(&b));
	for (int i = 0; i < 10000; i++) {
		int64_t v = sim_rng_range(&a, -3, 3);
		assert_true(v >= -3 && v <= 3);
		double u = sim_rng_unit(&a);
		assert_true(u >= 0 && u < 1);
	}
	assert_int_equal(sim_rng_range(&a, 5, 5), 5);
	const double w[] = { 0, 1, 0, 3, 0 };
	size_t hits[5] = { 0 };
	for (int i = 0; i < 4000; i++)
		hits[sim_rng_weighted(&a, w, 5)]++;
	assert_int_equal(hits[0] + hits[2] + hits[4], 0);
	assert_true(hits[3] > hits[1]);
}

/* Every type from every kind of school at several hours: what the hub's
 * validator accepts, with the promised fields. */
static void test_every_type_valid(void **state)
{
	(void)state;
	struct sim_gen g;
	static const int hours[] = { HM(3, 0), HM(7, 30), HM(12, 0), HM(16, 0), HM(21, 30) };

	sim_gen_init(&g, schools, XA_ARRAY_LEN(schools), 7, "t");
	for (int t = 0; t < SIM_NTYPES; t++) {
		for (size_t s = 0; s < XA_ARRAY_LEN(schools); s++) {
			for (size_t h = 0; h < XA_ARRAY_LEN(hours); h++) {
				for (int rep = 0; rep < 8; rep++) {
					struct sim_when w = { hours[h], (int)(h + rep) % 7 };
					struct json_object *a = sim_gen_alert_of(&g, (enum sim_type)t, &schools[s], w, NOW);
					char *body = xjson_to_string(a);
					struct alert_item *items;
					size_t n;
					struct alert_error err;
					bool batch;
					assert_int_equal(alert_parse(body, strlen(body), &items, &n, &err, 1, &batch), 0);
					assert_int_equal(n, 1);
					if (!items[0].ok)
						fail_msg("%s: %s: %s", body, items[0].err.field, items[0].err.message);
					const struct alert *al = &items[0].a;
					assert_string_equal(al->type, sim_type_code((enum sim_type)t));
					assert_string_equal(al->school, schools[s].code);
					assert_non_null(strstr(al->summary, schools[s].name));
					assert_null(strchr(al->summary, '{'));
					assert_true(al->occurred_at <= NOW && al->occurred_at > NOW - 4 * 3600);
					assert_non_null(al->details_json);
					if (t == SIM_MENTAL_CARE)
						assert_true(strcmp(al->grade, "low") == 0 || strcmp(al->grade, "medium") == 0 ||
							    strcmp(al->grade, "high") == 0);
					else
						assert_string_equal(al->grade, "");
					struct json_object *d;
					assert_true(json_object_object_get_ex(a, "details", &d));
					if (t == SIM_MINOR_VENUE || t == SIM_RISK_PERSON) {
						struct json_object *score;
						assert_true(json_object_object_get_ex(d, "face_match", &score));
						double x = json_object_get_double(score);
						assert_true(x >= (t == SIM_MINOR_VENUE ? 0.90 : 0.85) && x < 1.0);
					}
					if (t == SIM_GATE_OPEN) {
						assert_non_null(member(d, "camera_id"));
						assert_non_null(member(d, "gate"));
					}
					alert_free_items(items, n);
					free(body);
					json_object_put(a);
				}
			}
		}
	}
	sim_gen_free(&g);
}

static void test_severity_spread(void **state)
{
	(void)state;
	struct sim_gen g;
	int seen[4] = { 0 };
	static const char *const sev[] = { "low", "normal", "high", "critical" };

	sim_gen_init(&g, schools, XA_ARRAY_LEN(schools), 11, "t");
	for (int i = 0; i < 3000; i++) {
		struct sim_when w = { (i * 7) % 1440, i % 7 };
		struct json_object *a = sim_gen_alert(&g, w, NOW);
		const char *s = member(a, "severity");
		for (int k = 0; k < 4; k++)
			if (strcmp(s, sev[k]) == 0)
				seen[k]++;
		json_object_put(a);
	}
	for (int k = 0; k < 4; k++)
		assert_true(seen[k] > 0);
	assert_true(seen[1] + seen[2] > seen[3]); /* critical is the exception */
	sim_gen_free(&g);
}

static void test_follows_model(void **state)
{
	(void)state;
	struct sim_gen g;
	struct sim_when rush = { HM(7, 30), 1 }, evening = { HM(21, 30), 2 };

	sim_gen_init(&g, schools, XA_ARRAY_LEN(schools), 3, "t");
	int patrol = 0;
	for (int i = 0; i < 2000; i++) {
		struct json_object *a = sim_gen_alert(&g, rush, NOW);
		assert_string_not_equal(member(a, "type"), "gate_open");
		patrol += strcmp(member(a, "type"), "patrol_post") == 0;
		json_object_put(a);
	}
	assert_true(patrol > 200);
	int dorm = 0;
	for (int i = 0; i < 2000; i++) {
		struct json_object *a = sim_gen_alert(&g, evening, NOW);
		if (strcmp(member(a, "type"), "dorm_absence") == 0) {
			dorm++;
			const char *s = member(a, "school");
			assert_true(strcmp(s, "S002") == 0 || strcmp(s, "S005") == 0); /* the boarding ones */
		}
		assert_string_not_equal(member(a, "type"), "legal_edu");
		json_object_put(a);
	}
	assert_true(dorm > 100);
	sim_gen_free(&g);
}

static void test_deterministic(void **state)
{
	(void)state;
	struct sim_gen a, b, c;
	struct sim_when w = { HM(16, 0), 2 };
	sim_gen_init(&a, schools, XA_ARRAY_LEN(schools), 99, "sim-99");
	sim_gen_init(&b, schools, XA_ARRAY_LEN(schools), 99, "sim-99");
	sim_gen_init(&c, schools, XA_ARRAY_LEN(schools), 100, "sim-100");
	int differ = 0;
	for (int i = 0; i < 50; i++) {
		struct json_object *x = sim_gen_alert(&a, w, NOW), *y = sim_gen_alert(&b, w, NOW);
		struct json_object *z = sim_gen_alert(&c, w, NOW);
		char *sx = xjson_to_string(x), *sy = xjson_to_string(y), *sz = xjson_to_string(z);
		assert_string_equal(sx, sy);
		differ += strcmp(member(x, "summary"), member(z, "summary")) != 0;
		if (i == 0) {
			assert_string_equal(member(x, "source_id"), "sim-99-1");
			assert_string_equal(member(z, "source_id"), "sim-100-1");
		}
		free(sx);
		free(sy);
		free(sz);
		json_object_put(x);
		json_object_put(y);
		json_object_put(z);
	}
	assert_true(differ > 25);
	sim_gen_free(&a);
	sim_gen_free(&b);
	sim_gen_free(&c);
}

static void test_replay_fill(void **state)
{
	(void)state;
	bool obj;
	const char *line = "{\"type\":\"gate_open\",\"school\":\"S001\",\"severity\":\"high\",\"summary\":\"校门未关\"}";
	char *s = sim_replay_fill(line, strlen(line), "r-1", NOW, &obj);
	assert_true(obj);
	struct json_object *o = json_tokener_parse(s);
	assert_string_equal(member(o, "source_id"), "r-1");
	assert_string_equal(member(o, "occurred_at"), "2026-11-24T08:12:05Z");
	assert_string_equal(member(o, "summary"), "校门未关");
	json_object_put(o);
	free(s);

	line = "{\"source_id\":\"mine\",\"occurred_at\":\"2026-11-24T07:00:00+08:00\",\"type\":\"x\"}";
	s = sim_replay_fill(line, strlen(line), "r-2", NOW, &obj);
	o = json_tokener_parse(s);
	assert_string_equal(member(o, "source_id"), "mine");
	assert_string_equal(member(o, "occurred_at"), "2026-11-24T07:00:00+08:00");
	json_object_put(o);
	free(s);

	line = "{\"source_id\":null,\"type\":\"x\"}";
	s = sim_replay_fill(line, strlen(line), "r-3", NOW, &obj);
	o = json_tokener_parse(s);
	assert_string_equal(member(o, "source_id"), "r-3");
	json_object_put(o);
	free(s);

	/* Not an object: sent as it is, for the hub to judge. */
	static const char *const raw[] = { "{\"type\":", "[{\"type\":\"gate_open\"}]", "42", "{'a':1}",
					   "{\"a\":1} trailing" };
	for (size_t i = 0; i < XA_ARRAY_LEN(raw); i++) {
		s = sim_replay_fill(raw[i], strlen(raw[i]), "r", NOW, &obj);
		assert_false(obj);
		assert_string_equal(s, raw[i]);
		free(s);
	}
	/* Only the given length counts (the line's newline is not part of it). */
	s = sim_replay_fill("{\"a\":1}\n", 7, "r-4", NOW, &obj);
	assert_true(obj);
	free(s);
	assert_true(sim_replay_blank(" \t\r", 3));
	assert_true(sim_replay_blank("", 0));
	assert_false(sim_replay_blank(" x", 2));
}

static void test_schools(void **state)
{
	(void)state;
	struct sim_school s;
	char err[200];

	assert_int_equal(sim_schools_parse_line("S001|奉化区锦屏雪窦中学|middle|f\n", &s, err, sizeof err), 1);
	assert_string_equal(s.code, "S001");
	assert_string_equal(s.name, "奉化区锦屏雪窦中学");
	assert_int_equal(s.kind, SIM_MIDDLE);
	assert_false(s.boarding);
	assert_int_equal(sim_schools_parse_line("S002\t某学校\tnine_year\ttrue", &s, err, sizeof err), 1);
	assert_int_equal(s.kind, SIM_NINE_YEAR);
	assert_true(s.boarding);
	assert_int_equal(sim_schools_parse_line("S003|某小学", &s, err, sizeof err), 1);
	assert_int_equal(s.kind, SIM_PRIMARY);
	assert_false(s.boarding);
	assert_int_equal(sim_schools_parse_line("   \n", &s, err, sizeof err), 0);
	assert_int_equal(sim_schools_parse_line("# comment", &s, err, sizeof err), 0);
	assert_int_equal(sim_schools_parse_line("S004", &s, err, sizeof err), -1);
	assert_int_equal(sim_schools_parse_line("S 4|名字", &s, err, sizeof err), -1);
	assert_int_equal(sim_schools_parse_line("S004|名字|university", &s, err, sizeof err), -1);
	assert_non_null(strstr(err, "unknown kind"));
	assert_int_equal(sim_schools_parse_line("S004|名字|high|maybe", &s, err, sizeof err), -1);
	assert_int_equal(sim_schools_parse_line("S004||high", &s, err, sizeof err), -1);
	assert_int_equal(sim_schools_parse_line("S004|a\x01b", &s, err, sizeof err), -1);
	assert_int_equal(sim_schools_parse_line("S004|a|high|t|extra", &s, err, sizeof err), -1);

	struct sim_school *all;
	size_t n;
	sim_schools_builtin(&all, &n);
	assert_int_equal(n, 120);
	assert_string_equal(all[0].code, "S001");
	assert_string_equal(all[119].code, "S120");
	int boarding = 0;
	for (size_t i = 0; i < n; i++)
		boarding += all[i].boarding;
	assert_true(boarding > 0 && boarding < 60);
	free(all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template),
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_every_type_valid),
		cmocka_unit_test(test_severity_spread),
		cmocka_unit_test(test_follows_model),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_replay_fill),
		cmocka_unit_test(test_schools),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
