/* admin_report.h — `xiaoan-admin report`: the monthly report (seed 001, due
 * by the 1st) and the weekly campaign report (seed 004) for a period and a
 * scope, as Markdown or plain text, with CSV exports of the rows behind it.
 *
 * Every figure comes from the SQL functions the console shows (xiaoan.stats,
 * problem_schools, baseline, overdue_list, supervised_list, hazard_summary,
 * ...), so the report and the console agree. The layout and the
 * definitions are in docs/report-format.md. */
#ifndef XIAOAN_ADMIN_REPORT_H
#define XIAOAN_ADMIN_REPORT_H

#include <stdio.h>

#include <libpq-fe.h>

/* Runs `report monthly|weekly [OPTIONS]` (argv[0] is "report"). The
 * connection is only used after the command line has been checked, so it
 * may be NULL when argv asks for --help. Returns 0, 1 (runtime error, the
 * message on stderr) or 2 (usage error). */
int admin_report_main(PGconn *conn, int argc, char **argv);

/* The synopsis and options, for `xiaoan-admin report --help`. */
void admin_report_usage(FILE *f);

#endif
