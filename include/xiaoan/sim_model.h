/* sim_model.h — the school day of the reference district, as relative rates.
 *
 * xiaoan-sim picks each alert's type and school with probability
 * proportional to sim_model_weight(type, local time, school): the mix follows
 * the day (gate_open only outside the entry and exit periods, patrol_post at
 * rush hours, drowning on afternoons and weekends, dorm_absence in boarding
 * schools' evenings, ...) while the total rate is the user's --rate. Times
 * are the district's wall clock (Asia/Shanghai, a fixed UTC offset). */
#ifndef XIAOAN_SIM_MODEL_H
#define XIAOAN_SIM_MODEL_H

#include <stdbool.h>
#include <stdint.h>

/* The alert types a producer sends (xiaoan.alert_type minus the reported
 * hazard, which only officers open). */
#define SIM_TYPES(X)                       \
	X(GATE_OPEN, "gate_open")          \
	X(GUARD_ABSENT, "guard_absent")    \
	X(PATROL_POST, "patrol_post")      \
	X(PANIC_ALARM, "panic_alarm")      \
	X(RISK_PERSON, "risk_person")      \
	X(MINOR_VENUE, "minor_venue")      \
	X(FOOD_SAFETY, "food_safety")      \
	X(DROWNING, "drowning")            \
	X(TRAFFIC, "traffic")              \
	X(MENTAL_CARE, "mental_care")      \
	X(DORM_ABSENCE, "dorm_absence")    \
	X(LEGAL_EDU, "legal_edu")

enum sim_type {
#define SIM_TYPE_ENUM(id, code) SIM_##id,
	SIM_TYPES(SIM_TYPE_ENUM)
#undef SIM_TYPE_ENUM
	SIM_NTYPES
};

/* xiaoan.school_kind */
enum sim_school_kind { SIM_KINDERGARTEN, SIM_PRIMARY, SIM_MIDDLE, SIM_NINE_YEAR, SIM_HIGH, SIM_NKINDS };

#define SIM_CODE_SIZE 33
#define SIM_NAME_SIZE 193 /* 64 CJK characters */

struct sim_school {
	char code[SIM_CODE_SIZE];
	char name[SIM_NAME_SIZE];
	enum sim_school_kind kind;
	bool boarding;
};

/* A moment of the district's week: minute of the day 0..1439 and weekday
 * 0 = Monday .. 6 = Sunday. */
struct sim_when {
	int minute;
	int wday;
};

const char *sim_type_code(enum sim_type t);
int sim_type_parse(const char *code); /* enum sim_type or -1 */
const char *sim_kind_code(enum sim_school_kind k);
int sim_kind_parse(const char *code); /* enum sim_school_kind or -1 */

/* Relative rate (>= 0, unitless) of alerts of type t from school s at w.
 * Summed over every type and school it is never 0: some types happen at
 * any hour. */
double sim_model_weight(enum sim_type t, struct sim_when w, const struct sim_school *s);

/* The district's wall clock at epoch second t. */
struct sim_when sim_when_at(int64_t t, int utc_offset);

/* Parse the --clock argument "[DAY ]HH:MM", DAY = mon..sun (or 1..7,
 * Monday = 1). *has_day says whether a day was given. */
bool sim_clock_parse(const char *s, struct sim_when *w, bool *has_day);

/* Seconds to add to now so that the district's clock reads the start of
 * minute target (on the same weekday as now when !has_day), in (-60 s,
 * 1 week): the simulated clock of a run is then now + delta, advancing in
 * real time. */
int64_t sim_clock_delta(int64_t now, int utc_offset, struct sim_when target, bool has_day);

#endif
