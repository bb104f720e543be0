/* supfmt.c — bars, sparklines, typed dates and durations for the
 * supervision screens. */
#include "xiaoan/supfmt.h"

#include <stdio.h>
#include <string.h>

#include "xiaoan/xtime.h"

static const char *const supfmt_eighths[8] = { "", "▏", "▎", "▍", "▌", "▋", "▊", "▉" };
static const char *const supfmt_levels[8] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };

static bool supfmt_add(char *buf, size_t n, size_t *len, const char *s)
{
	size_t l = strlen(s);

	if (*len + l + 1 > n)
		return false;
	memcpy(buf + *len, s, l + 1);
	*len += l;
	return true;
}

size_t supfmt_bar(double value, double max, int width, char *buf, size_t n)
{
	size_t len = 0;
	long eighths = 0, cols = 0;

	if (!n)
		return 0;
	buf[0] = '\0';
	if (width <= 0)
		return 0;
	if (max > 0 && value > 0) {
		double f = value >= max ? 1.0 : value / max;
		eighths = (long)(f * width * 8 + 0.5);
		if (eighths < 1)
			eighths = 1;
	}
	for (; eighths >= 8; eighths -= 8, cols++)
		if (!supfmt_add(buf, n, &len, "█"))
			goto full;
	if (eighths > 0) {
		if (!supfmt_add(buf, n, &len, supfmt_eighths[eighths]))
			goto full;
		cols++;
	}
	for (; cols < width; cols++)
		if (!supfmt_add(buf, n, &len, " "))
			goto full;
	return len;
full:
	buf[0] = '\0';
	return 0;
}

int supfmt_spark(const long *v, size_t nv, int width, char *buf, size_t n)
{
	long bucket[512], max = 0;
	size_t nb, len = 0;

	if (!n)
		return 0;
	buf[0] = '\0';
	if (width <= 0 || nv == 0)
		return 0;
	nb = nv < (size_t)width ? nv : (size_t)width;
	if (nb > sizeof bucket / sizeof bucket[0])
		nb = sizeof bucket / sizeof bucket[0];
	memset(bucket, 0, sizeof bucket);
	/* Value i goes to bucket i * nb / nv: equal shares, in order. */
	for (size_t i = 0; i < nv; i++)
		bucket[i * nb / nv] += v[i] > 0 ? v[i] : 0;
	for (size_t i = 0; i < nb; i++)
		if (bucket[i] > max)
			max = bucket[i];
	for (size_t i = 0; i < nb; i++) {
		long lv = max ? (bucket[i] * 7 + max / 2) / max : 0;
		if (!supfmt_add(buf, n, &len, supfmt_levels[lv])) {
			buf[0] = '\0';
			return 0;
		}
	}
	return (int)nb;
}

static bool supfmt_digits(const char *s, int k, int *out)
{
	int v = 0;

	for (int i = 0; i < k; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool supfmt_day_ok(const char *s)
{
	int y, m, d;
	int64_t y2;
	unsigned m2, d2;

	if (!supfmt_digits(s, 4, &y) || s[4] != '-' || !supfmt_digits(s + 5, 2, &m) || s[7] != '-' ||
	    !supfmt_digits(s + 8, 2, &d))
		return false;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	/* A day that does not exist (02-30) does not survive the round trip. */
	xtime_civil_from_days(xtime_days_from_civil(y, (unsigned)m, (unsigned)d), &y2, &m2, &d2);
	return y2 == y && m2 == (unsigned)m && d2 == (unsigned)d;
}

bool supfmt_date_ok(const char *s)
{
	return s && strlen(s) == 10 && supfmt_day_ok(s);
}

bool supfmt_datetime_ok(const char *s)
{
	int h, mi;

	return s && strlen(s) == 16 && supfmt_day_ok(s) && s[10] == ' ' && supfmt_digits(s + 11, 2, &h) &&
	       s[13] == ':' && supfmt_digits(s + 14, 2, &mi) && h <= 23 && mi <= 59;
}

size_t supfmt_duration(long long secs, char *buf, size_t n)
{
	int r;

	if (secs < 0)
		r = snprintf(buf, n, "-");
	else if (secs < 60)
		r = snprintf(buf, n, "%llds", secs);
	else if (secs < 3600)
		r = snprintf(buf, n, "%lldm", secs / 60);
	else if (secs < 86400)
		r = snprintf(buf, n, "%lldh%02lldm", secs / 3600, secs % 3600 / 60);
	else
		r = snprintf(buf, n, "%lldd%02lldh", secs / 86400, secs % 86400 / 3600);
	return r < 0 || (size_t)r >= n ? 0 : (size_t)r;
}
