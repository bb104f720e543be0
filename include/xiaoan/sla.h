/* sla.h — SLA clock arithmetic (pure: the caller passes "now").
 *
 * Each case has three clocks: sign (签收), first feedback (先期反馈) and
 * close (闭环). Boundaries, which the database's due_soon/overdue events
 * follow too:
 *   done != 0              -> MET when done <= due (or no due), else MET_LATE
 *   due == 0               -> NONE
 *   now >  due             -> OVERDUE (finishing exactly at due is on time)
 *   due - now <= window    -> DUE_SOON
 *   otherwise              -> OK
 * window = min(25% of (due - start), 30 min), at least 60 s; 5 min when the
 * start is unknown (0). */
#ifndef XIAOAN_SLA_H
#define XIAOAN_SLA_H

#include <stddef.h>
#include <stdint.h>

enum sla_stage { SLA_SIGN, SLA_FEEDBACK, SLA_CLOSE, SLA_NSTAGES };

enum sla_urgency { SLA_NONE, SLA_OK, SLA_DUE_SOON, SLA_OVERDUE, SLA_MET, SLA_MET_LATE };

/* All times in seconds since the epoch; 0 = none / not yet. */
struct sla_clock {
	int64_t start, due, done;
};

/* The widest sla_format() result, "-99d23h", plus NUL. */
#define SLA_FORMAT_SIZE 8

int64_t sla_window(const struct sla_clock *c);
enum sla_urgency sla_classify(const struct sla_clock *c, int64_t now);

/* The running stage (not done, has a due) with the smallest due; -1 if none. */
int sla_next(const struct sla_clock clocks[SLA_NSTAGES], int64_t now);

/* The worst urgency over the stages, worst first:
 * OVERDUE, DUE_SOON, OK, MET_LATE, MET, NONE. */
enum sla_urgency sla_case_urgency(const struct sla_clock clocks[SLA_NSTAGES], int64_t now);

/* Countdown text, at most 7 columns, ASCII only:
 *   |r| < 1 h  "M:SS"   (0:00, 4:59, 59:59)
 *   |r| < 1 d  "HhMMm"  (1h00m, 11h59m)
 *   otherwise  "DdHHh"  (3d04h), capped at 99d23h
 * negative (overdue) values get a leading '-': "-1:05", "-2h05m".
 * Returns the length; 0 (buf = "" if n > 0) when n < SLA_FORMAT_SIZE. */
size_t sla_format(int64_t remaining_secs, char *buf, size_t n);

const char *sla_stage_name(enum sla_stage s);     /* "sign", "feedback", "close" */
int sla_stage_parse(const char *name);            /* enum sla_stage or -1 */
const char *sla_urgency_name(enum sla_urgency u); /* "none", "ok", "due_soon", ... */

/* Sort order for case lists, most urgent first: OVERDUE, DUE_SOON, OK, then
 * everything else (NONE, MET, MET_LATE) together; within a group by next due
 * ascending, no due (0) last. Returns <0 when a sorts before b. */
int sla_compare_urgency(enum sla_urgency ua, int64_t due_a, enum sla_urgency ub, int64_t due_b);

/* The same order computed from two cases' clocks. */
int sla_compare_clocks(const struct sla_clock a[SLA_NSTAGES], const struct sla_clock b[SLA_NSTAGES],
		       int64_t now);

#endif
