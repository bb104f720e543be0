#include "xiaoan/sla.h"

#include <stdio.h>
#include <string.h>

int64_t sla_window(const struct sla_clock *c)
{
	if (c->start == 0)
		return 300;
	int64_t w = (c->due - c->start) / 4;
	if (w > 1800)
		w = 1800;
	if (w < 60)
		w = 60;
	return w;
}

enum sla_urgency sla_classify(const struct sla_clock *c, int64_t now)
{
	if (c->done != 0)
		return c->due == 0 || c->done <= c->due ? SLA_MET : SLA_MET_LATE;
	if (c->due == 0)
		return SLA_NONE;
	if (now > c->due)
		return SLA_OVERDUE;
	if (c->due - now <= sla_window(c))
		return SLA_DUE_SOON;
	return SLA_OK;
}

int sla_next(const struct sla_clock clocks[SLA_NSTAGES], int64_t now)
{
	int best = -1;

	(void)now; /* the smallest due is next whether or not it has passed */
	for (int i = 0; i < SLA_NSTAGES; i++) {
		if (clocks[i].done != 0 || clocks[i].due == 0)
			continue;
		if (best < 0 || clocks[i].due < clocks[best].due)
			best = i;
	}
	return best;
}

static int sla_severity(enum sla_urgency u)
{
	switch (u) {
	case SLA_OVERDUE:
		return 5;
	case SLA_DUE_SOON:
		return 4;
	case SLA_OK:
		return 3;
	case SLA_MET_LATE:
		return 2;
	case SLA_MET:
		return 1;
	case SLA_NONE:
		break;
	}
	return 0;
}

enum sla_urgency sla_case_urgency(const struct sla_clock clocks[SLA_NSTAGES], int64_t now)
{
	enum sla_urgency worst = SLA_NONE;

	for (int i = 0; i < SLA_NSTAGES; i++) {
		enum sla_urgency u = sla_classify(&clocks[i], now);
		if (sla_severity(u) > sla_severity(worst))
			worst = u;
	}
	return worst;
}

size_t sla_format(int64_t r, char *buf, size_t n)
{
	const char *sign = "";
	uint64_t a;
	int len;

	if (n == 0)
		return 0;
	buf[0] = '\0';
	if (n < SLA_FORMAT_SIZE)
		return 0;
	if (r < 0) {
		sign = "-";
		a = (uint64_t)(-(r + 1)) + 1; /* no overflow at INT64_MIN */
	} else {
		a = (uint64_t)r;
	}
	if (a < 3600)
		len = snprintf(buf, n, "%s%u:%02u", sign, (unsigned)(a / 60), (unsigned)(a % 60));
	else if (a < 86400)
		len = snprintf(buf, n, "%s%uh%02um", sign, (unsigned)(a / 3600), (unsigned)(a / 60 % 60));
	else if (a < 100 * 86400ULL)
		len = snprintf(buf, n, "%s%ud%02uh", sign, (unsigned)(a / 86400), (unsigned)(a / 3600 % 24));
	else
		len = snprintf(buf, n, "%s99d23h", sign);
	return len < 0 ? 0 : (size_t)len;
}

static const char *const sla_stage_names[SLA_NSTAGES] = { "sign", "feedback", "close" };

const char *sla_stage_name(enum sla_stage s)
{
	return (unsigned)s < SLA_NSTAGES ? sla_stage_names[s] : "?";
}

int sla_stage_parse(const char *name)
{
	for (int i = 0; i < SLA_NSTAGES; i++)
		if (strcmp(name, sla_stage_names[i]) == 0)
			return i;
	return -1;
}

const char *sla_urgency_name(enum sla_urgency u)
{
	switch (u) {
	case SLA_NONE:
		return "none";
	case SLA_OK:
		return "ok";
	case SLA_DUE_SOON:
		return "due_soon";
	case SLA_OVERDUE:
		return "overdue";
	case SLA_MET:
		return "met";
	case SLA_MET_LATE:
		return "met_late";
	}
	return "?";
}

static int sla_group(enum sla_urgency u)
{
	switch (u) {
	case SLA_OVERDUE:
		return 0;
	case SLA_DUE_SOON:
		return 1;
	case SLA_OK:
		return 2;
	default:
		return 3;
	}
}

int sla_compare_urgency(enum sla_urgency ua, int64_t due_a, enum sla_urgency ub, int64_t due_b)
{
	int ga = sla_group(ua), gb = sla_group(ub);

	if (ga != gb)
		return ga < gb ? -1 : 1;
	if (due_a == due_b)
		return 0;
	if (due_a == 0)
		return 1;
	if (due_b == 0)
		return -1;
	return due_a < due_b ? -1 : 1;
}

int sla_compare_clocks(const struct sla_clock a[SLA_NSTAGES], const struct sla_clock b[SLA_NSTAGES],
		       int64_t now)
{
	int na = sla_next(a, now), nb = sla_next(b, now);

	return sla_compare_urgency(sla_case_urgency(a, now), na < 0 ? 0 : a[na].due,
				   sla_case_urgency(b, now), nb < 0 ? 0 : b[nb].due);
}
