/* xtime.h — timestamps as int64_t seconds since the epoch (UTC); 0 = none.
 *
 * The district's time zone is a fixed UTC offset read from the database, so
 * local formatting never touches TZ or the C library's zone tables. */
#ifndef XIAOAN_XTIME_H
#define XIAOAN_XTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "2026-11-24T08:12:05Z" plus NUL; negative or far offsets fit in 32. */
#define XTIME_RFC3339_SIZE 32

/* Parse YYYY-MM-DD(T|t| )HH:MM:SS[.frac](Z|z|+HH:MM|-HH:MM). Strict: exact
 * digit counts, month/day ranges with leap years, hour <= 23, minute and
 * second <= 59 (no leap second), offset <= 23:59, 1..9 fraction digits
 * (truncated), year 0001..9999, nothing after the zone. */
bool xtime_parse_rfc3339(const char *s, int64_t *out);

/* "2026-11-24T08:12:05Z" (UTC). Returns the length, or 0 (and buf = "") when
 * n is too small or the year falls outside 0001..9999. */
size_t xtime_format_rfc3339(int64_t t, char *buf, size_t n);

/* strftime(fmt) of t shifted by utc_offset_secs, formatted as if UTC (so %Z
 * is meaningless; %z prints +0000). Returns strftime's result: 0 when the
 * text does not fit (buf = "" then). */
size_t xtime_format_local(int64_t t, int utc_offset_secs, const char *fmt, char *buf, size_t n);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t xtime_days_from_civil(int64_t y, unsigned m, unsigned d);
void xtime_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* Wall clock (CLOCK_REALTIME) in seconds and milliseconds. */
int64_t xtime_now(void);
int64_t xtime_now_ms(void);
/* Monotonic clock in milliseconds, for timers and timeouts. */
int64_t xtime_mono_ms(void);

#endif
