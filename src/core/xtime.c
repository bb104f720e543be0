#include "xiaoan/xtime.h"

#include <stdio.h>
#include <time.h>

/* Howard Hinnant's days_from_civil / civil_from_days: exact for every
 * proleptic Gregorian date, no tables, no time zone. */
int64_t xtime_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void xtime_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	unsigned doe = (unsigned)(days - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool xtime_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned xtime_mdays(int64_t y, unsigned m)
{
	static const unsigned char md[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && xtime_leap(y) ? 29 : md[m - 1];
}

/* Exactly n ASCII digits at s. */
static bool xtime_digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool xtime_parse_rfc3339(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;

	if (!xtime_digits(s, 4, &y) || s[4] != '-' || !xtime_digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !xtime_digits(s + 8, 2, &d))
		return false;
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return false;
	if (!xtime_digits(s + 11, 2, &h) || s[13] != ':' || !xtime_digits(s + 14, 2, &mi) ||
	    s[16] != ':' || !xtime_digits(s + 17, 2, &sec))
		return false;
	const char *p = s + 19;
	if (*p == '.') {
		int n = 0;
		p++;
		while (*p >= '0' && *p <= '9') {
			p++;
			n++;
		}
		if (n < 1 || n > 9)
			return false;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (!xtime_digits(p + 1, 2, &oh) || p[3] != ':' || !xtime_digits(p + 4, 2, &om))
			return false;
		p += 6;
	} else {
		return false;
	}
	if (*p != '\0')
		return false;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || (unsigned)d > xtime_mdays(y, (unsigned)mo) ||
	    h > 23 || mi > 59 || sec > 59 || oh > 23 || om > 59)
		return false;
	int64_t days = xtime_days_from_civil(y, (unsigned)mo, (unsigned)d);
	int64_t t = days * 86400 + h * 3600 + mi * 60 + sec;
	t -= (int64_t)sign * (oh * 3600 + om * 60);
	if (t < -62135596800LL || t > 253402300799LL) /* in UTC, still 0001..9999: formattable */
		return false;
	*out = t;
	return true;
}

size_t xtime_format_rfc3339(int64_t t, char *buf, size_t n)
{
	int64_t days = t / 86400, rem = t % 86400, y;
	unsigned m, d;

	if (n)
		buf[0] = '\0';
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	xtime_civil_from_days(days, &y, &m, &d);
	if (y < 1 || y > 9999 || n < 21)
		return 0;
	int len = snprintf(buf, n, "%04d-%02u-%02uT%02d:%02d:%02dZ", (int)y, m, d, (int)(rem / 3600),
			   (int)(rem / 60 % 60), (int)(rem % 60));
	return len < 0 ? 0 : (size_t)len;
}

size_t xtime_format_local(int64_t t, int utc_offset_secs, const char *fmt, char *buf, size_t n)
{
	time_t tt = (time_t)(t + utc_offset_secs);
	struct tm tm;

	if (n == 0)
		return 0;
	buf[0] = '\0';
	if (!gmtime_r(&tt, &tm))
		return 0;
	size_t len = strftime(buf, n, fmt, &tm);
	if (len == 0)
		buf[0] = '\0';
	return len;
}

int64_t xtime_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

int64_t xtime_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t xtime_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
