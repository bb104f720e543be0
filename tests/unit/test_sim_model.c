/* The school-day rate model and the --clock arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "xiaoan/sim_model.h"
#include "xiaoan/util.h"

#define HM(h, m) ((h) * 60 + (m))

static const struct sim_school day_primary = { "S001", "甲小学", SIM_PRIMARY, false };
static const struct sim_school boarding_high = { "S005", "乙高级中学", SIM_HIGH, true };
static const struct sim_school kindergarten = { "S006", "丙幼儿园", SIM_KINDERGARTEN, false };

static double wt(enum sim_type t, int wday, int minute, const struct sim_school *s)
{
	struct sim_when w = { minute, wday };
	return sim_model_weight(t, w, s);
}

static void test_codes(void **state)
{
	(void)state;
	assert_int_equal(SIM_NTYPES, 12);
	for (int t = 0; t < SIM_NTYPES; t++)
		assert_int_equal(sim_type_parse(sim_type_code((enum sim_type)t)), t);
	assert_string_equal(sim_type_code(SIM_GATE_OPEN), "gate_open");
	assert_string_equal(sim_type_code(SIM_LEGAL_EDU), "legal_edu");
	assert_int_equal(sim_type_parse("hazard"), -1);
	for (int k = 0; k < SIM_NKINDS; k++)
		assert_int_equal(sim_kind_parse(sim_kind_code((enum sim_school_kind)k)), k);
	assert_int_equal(sim_kind_parse("university"), -1);
}

static void test_gate_open_outside_entry_exit(void **state)
{
	(void)state;
	/* Weekdays: never during the entry (07:00-08:30) and exit (15:30-17:30) periods. */
	for (int m = HM(7, 0); m < HM(8, 30); m++)
		assert_true(wt(SIM_GATE_OPEN, 1, m, &day_primary) == 0);
	for (int m = HM(15, 30); m < HM(17, 30); m++)
		assert_true(wt(SIM_GATE_OPEN, 3, m, &day_primary) == 0);
	assert_true(wt(SIM_GATE_OPEN, 1, HM(6, 59), &day_primary) > 0);
	assert_true(wt(SIM_GATE_OPEN, 1, HM(8, 30), &day_primary) > 0);
	assert_true(wt(SIM_GATE_OPEN, 1, HM(10, 0), &day_primary) > wt(SIM_GATE_OPEN, 1, HM(3, 0), &day_primary));
	/* The weekend has no entry period. */
	assert_true(wt(SIM_GATE_OPEN, 5, HM(7, 30), &day_primary) > 0);
}

static void test_patrol_post_rush_hours(void **state)
{
	(void)state;
	assert_true(wt(SIM_PATROL_POST, 0, HM(7, 15), &day_primary) > 0);
	assert_true(wt(SIM_PATROL_POST, 4, HM(16, 0), &day_primary) > 0);
	assert_true(wt(SIM_PATROL_POST, 0, HM(10, 0), &day_primary) == 0);
	assert_true(wt(SIM_PATROL_POST, 0, HM(21, 0), &day_primary) == 0);
	assert_true(wt(SIM_PATROL_POST, 6, HM(7, 15), &day_primary) == 0);
}

static void test_drowning_afternoons_and_weekends(void **state)
{
	(void)state;
	double wd_afternoon = wt(SIM_DROWNING, 2, HM(16, 0), &day_primary);
	double wd_morning = wt(SIM_DROWNING, 2, HM(10, 0), &day_primary);
	double we_afternoon = wt(SIM_DROWNING, 6, HM(15, 0), &day_primary);
	double we_morning = wt(SIM_DROWNING, 5, HM(10, 0), &day_primary);
	assert_true(wd_afternoon > 10 * wd_morning);
	assert_true(we_afternoon > wd_afternoon);
	assert_true(we_morning > wd_morning);
	assert_true(wt(SIM_DROWNING, 2, HM(2, 0), &day_primary) == 0);
	assert_true(wt(SIM_DROWNING, 6, HM(15, 0), &kindergarten) < we_afternoon);
}

static void test_boarding_evenings(void **state)
{
	(void)state;
	/* Dorm roll call: boarding schools only, weekday evenings, Sunday return. */
	assert_true(wt(SIM_DORM_ABSENCE, 1, HM(21, 30), &boarding_high) > 0);
	assert_true(wt(SIM_DORM_ABSENCE, 1, HM(21, 30), &day_primary) == 0);
	assert_true(wt(SIM_DORM_ABSENCE, 6, HM(19, 0), &boarding_high) > 0);
	assert_true(wt(SIM_DORM_ABSENCE, 5, HM(21, 30), &boarding_high) == 0);
	assert_true(wt(SIM_DORM_ABSENCE, 4, HM(21, 30), &boarding_high) == 0);
	assert_true(wt(SIM_DORM_ABSENCE, 1, HM(10, 0), &boarding_high) == 0);
	/* Evening panic alarms and risk persons come from boarding schools. */
	assert_true(wt(SIM_PANIC_ALARM, 1, HM(20, 0), &boarding_high) >
		    wt(SIM_PANIC_ALARM, 1, HM(20, 0), &day_primary));
	assert_true(wt(SIM_RISK_PERSON, 1, HM(20, 0), &boarding_high) >
		    wt(SIM_RISK_PERSON, 1, HM(20, 0), &day_primary));
}

static void test_rare_and_daytime_types(void **state)
{
	(void)state;
	/* mental_care is rare: never more than a tenth of the busiest gate hour. */
	for (int m = 0; m < 1440; m += 30)
		assert_true(wt(SIM_MENTAL_CARE, 2, m, &day_primary) < 0.1 * wt(SIM_GATE_OPEN, 2, HM(10, 0), &day_primary));
	assert_true(wt(SIM_MENTAL_CARE, 2, HM(10, 0), &kindergarten) == 0);
	/* legal_edu: weekday daytime courses only. */
	assert_true(wt(SIM_LEGAL_EDU, 2, HM(10, 0), &day_primary) > 0);
	assert_true(wt(SIM_LEGAL_EDU, 2, HM(20, 0), &day_primary) == 0);
	assert_true(wt(SIM_LEGAL_EDU, 6, HM(10, 0), &day_primary) == 0);
	/* Kindergartners do not visit internet cafés. */
	assert_true(wt(SIM_MINOR_VENUE, 5, HM(20, 0), &kindergarten) == 0);
	assert_true(wt(SIM_MINOR_VENUE, 5, HM(20, 0), &day_primary) > 0);
	/* Food complaints cluster around lunch. */
	assert_true(wt(SIM_FOOD_SAFETY, 1, HM(12, 0), &day_primary) > 5 * wt(SIM_FOOD_SAFETY, 1, HM(15, 0), &day_primary));
}

static void test_never_silent(void **state)
{
	(void)state;
	const struct sim_school *all[] = { &day_primary, &boarding_high, &kindergarten };
	for (int d = 0; d < 7; d++) {
		for (int m = 0; m < 1440; m++) {
			for (size_t s = 0; s < XA_ARRAY_LEN(all); s++) {
				double sum = 0;
				for (int t = 0; t < SIM_NTYPES; t++) {
					double w = wt((enum sim_type)t, d, m, all[s]);
					assert_true(w >= 0);
					sum += w;
				}
				assert_true(sum > 0);
			}
		}
	}
}

static void test_when_at(void **state)
{
	(void)state;
	/* 2026-11-24T00:12:05Z is a Tuesday, 08:12 in the district (UTC+8). */
	struct sim_when w = sim_when_at(1795479125, 8 * 3600);
	assert_int_equal(w.wday, 1);
	assert_int_equal(w.minute, HM(8, 12));
	/* 1970-01-01 was a Thursday; a second before it, Wednesday 23:59 UTC. */
	w = sim_when_at(0, 0);
	assert_int_equal(w.wday, 3);
	assert_int_equal(w.minute, 0);
	w = sim_when_at(-1, 0);
	assert_int_equal(w.wday, 2);
	assert_int_equal(w.minute, HM(23, 59));
	/* 2026-11-29T17:00:00Z: Sunday 17:00 UTC, Monday 01:00 in the district. */
	w = sim_when_at(1795971600, 8 * 3600);
	assert_int_equal(w.wday, 0);
	assert_int_equal(w.minute, HM(1, 0));
}

static void test_clock_parse(void **state)
{
	(void)state;
	struct sim_when w;
	bool day;
	assert_true(sim_clock_parse("07:30", &w, &day));
	assert_int_equal(w.minute, HM(7, 30));
	assert_false(day);
	assert_true(sim_clock_parse("sat 14:05", &w, &day));
	assert_int_equal(w.minute, HM(14, 5));
	assert_int_equal(w.wday, 5);
	assert_true(day);
	assert_true(sim_clock_parse("Sun 00:00", &w, &day));
	assert_int_equal(w.wday, 6);
	assert_true(sim_clock_parse("1 23:59", &w, &day));
	assert_int_equal(w.wday, 0);
	assert_int_equal(w.minute, HM(23, 59));
	static const char *const bad[] = { "", "7:30", "24:00", "12:60", "12:30 ", "sat12:00", "xyz 12:00",
					   "8 12:00", "12:3", "12-30" };
	for (size_t i = 0; i < XA_ARRAY_LEN(bad); i++)
		assert_false(sim_clock_parse(bad[i], &w, &day));
}

static void test_clock_delta(void **state)
{
	(void)state;
	const int off = 8 * 3600;
	int64_t now = 1795479125; /* Tue 08:12:05 in the district */
	struct sim_when target = { HM(21, 30), 0 };
	int64_t d = sim_clock_delta(now, off, target, false);
	struct sim_when w = sim_when_at(now + d, off);
	assert_int_equal(w.minute, HM(21, 30));
	assert_int_equal(w.wday, 1);
	assert_int_equal((now + d + off) % 60, 0);
	/* An earlier time of day keeps today's weekday. */
	target.minute = HM(7, 0);
	d = sim_clock_delta(now, off, target, false);
	w = sim_when_at(now + d, off);
	assert_int_equal(w.minute, HM(7, 0));
	assert_int_equal(w.wday, 1);
	/* With a day: Saturday afternoon. */
	target.minute = HM(14, 0);
	target.wday = 5;
	d = sim_clock_delta(now, off, target, true);
	w = sim_when_at(now + d, off);
	assert_int_equal(w.minute, HM(14, 0));
	assert_int_equal(w.wday, 5);
	assert_true(d > -60 && d < 7 * 86400);
	/* The current minute: at most a minute back. */
	target.minute = HM(8, 12);
	target.wday = 1;
	d = sim_clock_delta(now, off, target, true);
	assert_int_equal(d, -5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_gate_open_outside_entry_exit),
		cmocka_unit_test(test_patrol_post_rush_hours),
		cmocka_unit_test(test_drowning_afternoons_and_weekends),
		cmocka_unit_test(test_boarding_evenings),
		cmocka_unit_test(test_rare_and_daytime_types),
		cmocka_unit_test(test_never_silent),
		cmocka_unit_test(test_when_at),
		cmocka_unit_test(test_clock_parse),
		cmocka_unit_test(test_clock_delta),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
