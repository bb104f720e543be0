/* supfmt.h — small pure helpers of the supervision screens: bar and
 * sparkline cells made of block characters, and the dates officers type
 * (checked here so a typo is caught before a round trip to the database). */
#ifndef XIAOAN_SUPFMT_H
#define XIAOAN_SUPFMT_H

#include <stdbool.h>
#include <stddef.h>

/* A horizontal bar of value/max over width display columns, in eighths of a
 * column (█ then one of ▏▎▍▌▋▊▉), padded with spaces to exactly width
 * columns. A value above 0 shows at least ▏. Returns the bytes written
 * (buf is always terminated; "" when it does not fit). */
size_t supfmt_bar(double value, double max, int width, char *buf, size_t n);

/* One of ▁▂▃▄▅▆▇█ per value, scaled to the largest (all ▁ when every
 * value is 0). When there are more values than width columns, consecutive
 * values are summed into width buckets. Returns the columns written. */
int supfmt_spark(const long *v, size_t nv, int width, char *buf, size_t n);

/* "2026-11-30": a real calendar day, exactly this shape. */
bool supfmt_date_ok(const char *s);
/* "2026-11-30 17:00" (hours 00-23, minutes 00-59). */
bool supfmt_datetime_ok(const char *s);

/* A duration in seconds as "45s", "12m", "3h05m", "2d04h" ("-" when < 0). */
size_t supfmt_duration(long long secs, char *buf, size_t n);

#endif
