#include "xiaoan/sim_model.h"

#include <string.h>
#include <strings.h>

static const char *const sim_type_codes[SIM_NTYPES] = {
#define SIM_TYPE_CODE(id, code) code,
	SIM_TYPES(SIM_TYPE_CODE)
#undef SIM_TYPE_CODE
};

static const char *const sim_kind_codes[SIM_NKINDS] = {
	"kindergarten", "primary", "middle", "nine_year", "high",
};

const char *sim_type_code(enum sim_type t)
{
	return (unsigned)t < SIM_NTYPES ? sim_type_codes[t] : "?";
}

int sim_type_parse(const char *code)
{
	for (int i = 0; i < SIM_NTYPES; i++)
		if (strcmp(code, sim_type_codes[i]) == 0)
			return i;
	return -1;
}

const char *sim_kind_code(enum sim_school_kind k)
{
	return (unsigned)k < SIM_NKINDS ? sim_kind_codes[k] : "?";
}

int sim_kind_parse(const char *code)
{
	for (int i = 0; i < SIM_NKINDS; i++)
		if (strcmp(code, sim_kind_codes[i]) == 0)
			return i;
	return -1;
}

/* Minutes since midnight of HH:MM. */
#define HM(h, m) ((h) * 60 + (m))

static bool sim_between(int minute, int from, int to)
{
	return minute >= from && minute < to;
}

/* The two periods when the gate is meant to be open and the school-crossing
 * posts are manned: morning entry and afternoon exit. */
static bool sim_entry_exit(int m)
{
	return sim_between(m, HM(7, 0), HM(8, 30)) || sim_between(m, HM(15, 30), HM(17, 30));
}

static bool sim_rush(int m)
{
	return sim_between(m, HM(7, 0), HM(8, 0)) || sim_between(m, HM(15, 45), HM(17, 15));
}

static bool sim_lessons(int m)
{
	return sim_between(m, HM(8, 30), HM(15, 30));
}

static bool sim_night(int m)
{
	return m < HM(6, 0) || m >= HM(22, 30);
}

/* How often each type happens at its busiest, relative to the others: gate
 * and patrol alerts are the daily bread of the duty room, mental-care
 * reports are rare. */
static const double sim_base[SIM_NTYPES] = {
	[SIM_GATE_OPEN] = 1.0,    [SIM_GUARD_ABSENT] = 0.15, [SIM_PATROL_POST] = 1.2,
	[SIM_PANIC_ALARM] = 0.35, [SIM_RISK_PERSON] = 0.4,   [SIM_MINOR_VENUE] = 0.5,
	[SIM_FOOD_SAFETY] = 0.2,  [SIM_DROWNING] = 0.7,      [SIM_TRAFFIC] = 0.8,
	[SIM_MENTAL_CARE] = 0.04, [SIM_DORM_ABSENCE] = 1.5,  [SIM_LEGAL_EDU] = 0.25,
};

double sim_model_weight(enum sim_type t, struct sim_when w, const struct sim_school *s)
{
	const int m = w.minute;
	const bool weekend = w.wday >= 5;
	const bool kg = s->kind == SIM_KINDERGARTEN;
	double f = 0;

	switch (t) {
	case SIM_GATE_OPEN:
		/* Open gates are only an alert outside entry and exit. */
		if (!weekend && sim_entry_exit(m))
			f = 0;
		else if (sim_night(m))
			f = 0.3;
		else if (weekend)
			f = 0.4;
		else
			f = sim_lessons(m) ? 1.0 : 0.6;
		break;
	case SIM_GUARD_ABSENT:
		/* The face-capture check runs once a morning; stragglers after. */
		f = sim_between(m, HM(8, 0), HM(9, 0)) ? 1.0 : sim_night(m) ? 0 : 0.1;
		break;
	case SIM_PATROL_POST:
		f = !weekend && sim_rush(m) ? 1.0 : 0;
		break;
	case SIM_PANIC_ALARM:
		if (s->boarding && sim_between(m, HM(18, 0), HM(23, 0)))
			f = 1.0;
		else if (!weekend && sim_between(m, HM(7, 0), HM(18, 0)))
			f = 0.5;   /* device tests and offline reports */
		else
			f = 0.15;
		break;
	case SIM_RISK_PERSON:
		if (!weekend && sim_entry_exit(m))
			f = 1.0;   /* crowds at the gate */
		else if (s->boarding && sim_between(m, HM(18, 0), HM(22, 30)))
			f = 0.8;
		else if (!weekend && sim_lessons(m))
			f = 0.3;
		else
			f = 0.05;
		break;
	case SIM_MINOR_VENUE:
		if (kg)
			f = 0;
		else if (weekend)
			f = sim_between(m, HM(10, 0), HM(23, 59)) ? 1.0 : 0.2;
		else if (sim_between(m, HM(16, 30), HM(23, 30)))
			f = 1.0;
		else
			f = 0.05;
		break;
	case SIM_FOOD_SAFETY:
		if (sim_between(m, HM(11, 0), HM(13, 30)))
			f = weekend ? 0.1 : 1.0;
		else if (s->boarding && sim_between(m, HM(17, 0), HM(19, 0)))
			f = 0.7;
		else
			f = sim_night(m) ? 0 : 0.05;
		break;
	case SIM_DROWNING:
		if (sim_between(m, HM(13, 0), HM(19, 0)))
			f = weekend ? 1.0 : 0.6;
		else if (weekend && sim_between(m, HM(9, 0), HM(13, 0)))
			f = 0.5;
		else
			f = sim_night(m) ? 0 : 0.03;
		if (kg)
			f *= 0.2;
		break;
	case SIM_TRAFFIC:
		if (!weekend && sim_rush(m))
			f = 1.0;
		else if (sim_night(m))
			f = 0.02;
		else if (m >= HM(19, 0))
			f = 0.06;
		else
			f = weekend ? 0.1 : 0.25;
		break;
	case SIM_MENTAL_CARE:
		f = kg ? 0 : sim_night(m) ? 0.3 : 1.0;
		break;
	case SIM_DORM_ABSENCE:
		if (!s->boarding)
			f = 0;
		else if (w.wday == 6 && sim_between(m, HM(17, 0), HM(21, 0)))
			f = 1.0;   /* boarders come back on Sunday evening */
		else if (w.wday < 5 && w.wday != 4 && sim_between(m, HM(21, 0), HM(23, 0)))
			f = 1.0;   /* the evening roll call (no boarders on Friday night) */
		else if (w.wday < 5 && sim_between(m, HM(12, 0), HM(13, 30)))
			f = 0.1;   /* the midday rest */
		else
			f = 0;
		break;
	case SIM_LEGAL_EDU:
		f = !weekend && sim_between(m, HM(9, 0), HM(16, 0)) ? 1.0 : 0;
		break;
	case SIM_NTYPES:
		break;
	}
	return (unsigned)t < SIM_NTYPES ? sim_base[t] * f : 0;
}

struct sim_when sim_when_at(int64_t t, int utc_offset)
{
	int64_t local = t + utc_offset;
	int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	int64_t secs = local - days * 86400;
	/* 1970-01-01 was a Thursday (wday 3 with Monday = 0). */
	int64_t wd = (days + 3) % 7;
	struct sim_when w = { (int)(secs / 60), (int)(wd < 0 ? wd + 7 : wd) };
	return w;
}

bool sim_clock_parse(const char *s, struct sim_when *w, bool *has_day)
{
	static const char *const days[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
	int wday = -1;

	*has_day = false;
	if (s[0] >= '1' && s[0] <= '7' && s[1] == ' ') {
		wday = s[0] - '1';
		s += 2;
	} else {
		for (int i = 0; i < 7; i++) {
			if (strncasecmp(s, days[i], 3) == 0 && s[3] == ' ') {
				wday = i;
				s += 4;
				break;
			}
		}
	}
	if (!(s[0] >= '0' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' && s[2] == ':' &&
	      s[3] >= '0' && s[3] <= '5' && s[4] >= '0' && s[4] <= '9' && s[5] == '\0'))
		return false;
	int h = (s[0] - '0') * 10 + (s[1] - '0');
	int mi = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23)
		return false;
	w->minute = h * 60 + mi;
	w->wday = wday >= 0 ? wday : 0;
	*has_day = wday >= 0;
	return true;
}

int64_t sim_clock_delta(int64_t now, int utc_offset, struct sim_when target, bool has_day)
{
	struct sim_when cur = sim_when_at(now, utc_offset);
	int64_t local = now + utc_offset;
	int64_t sec_of_min = ((local % 60) + 60) % 60;
	int64_t cur_min = (int64_t)cur.wday * 1440 + cur.minute;
	int64_t want_min = (int64_t)(has_day ? target.wday : cur.wday) * 1440 + target.minute;
	int64_t d = ((want_min - cur_min) % (7 * 1440) + 7 * 1440) % (7 * 1440);
	/* Land on the start of the wanted minute. */
	return d * 60 - sec_of_min;
}
