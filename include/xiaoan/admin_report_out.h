/* admin_report_out.h — what `xiaoan-admin report` writes: a Markdown or
 * plain-text document (titles, numbered sections, aligned tables) and CSV
 * files. Cells are formatted for Chinese readers (percentages, durations,
 * state names); everything from the database is sanitised on the way out. */
#ifndef XIAOAN_ADMIN_REPORT_OUT_H
#define XIAOAN_ADMIN_REPORT_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <libpq-fe.h>

#include "xiaoan/admin_table.h"
#include "xiaoan/util.h"

enum report_fmt {
	REPORT_TEXT,
	REPORT_INT,
	REPORT_PCT,   /* 71.4 -> "71.4%" */
	REPORT_SECS,  /* seconds -> "3分12秒" */
	REPORT_TIME,  /* local RFC 3339 -> "2026-10-10 14:05" */
	REPORT_STATE, /* case state -> 待签收 ... */
	REPORT_STAGE, /* sign | feedback | close -> 签收 ... */
	REPORT_KIND,  /* event kind -> 推送, 签收, 交办 ... */
	REPORT_YESNO, /* true/false -> 是/否 */
};

/* A column of a report table: its heading and the result column it shows
 * (whose name is the English key of the CSV). */
struct report_col {
	const char *head;
	const char *field;
	enum report_fmt fmt;
};

struct report_out {
	FILE *f;            /* the document */
	bool md;            /* Markdown, else plain text */
	const char *outdir; /* where CSV files go; NULL = none */
	bool bom;           /* CSV files start with a UTF-8 BOM */
	struct sbuf files;  /* names of the CSV files written, "、"-separated */
	int nfiles;         /* how many */
	int section;        /* numbered headings so far */
};

/* "error: ..." on stderr prefixed with "xiaoan-admin report: "; returns 1. */
int report_fail(const char *fmt, ...) XA_PRINTF(1, 2);

/* "2天3小时", "5小时12分", "3分12秒", "45秒" (zero parts left out). */
void report_duration(long long secs, char *buf, size_t n);

/* One result cell as readers see it: NULL is "—" (empty for text); buf
 * holds the formatted value when one is needed. */
const char *report_cell(const PGresult *res, int row, int col, enum report_fmt fmt, char *buf, size_t n);

void report_title(struct report_out *o, const char *title);
/* "## 一、<text>", numbered in order of calls. */
void report_heading(struct report_out *o, const char *text);
void report_subheading(struct report_out *o, const char *text);
/* One line (a list item in Markdown when item is set); report_para adds a
 * blank line after it. The text is sanitised. */
void report_line(struct report_out *o, bool item, const char *fmt, ...) XA_PRINTF(3, 4);
void report_para(struct report_out *o, const char *fmt, ...) XA_PRINTF(2, 3);

/* Prints a table whose cells are in t (row 0 = headings); fmts (may be
 * NULL) right-aligns the numeric columns of a Markdown table. */
void report_emit(struct report_out *o, const struct admin_table *t, const enum report_fmt *fmts);

/* The rows of res that keep() accepts (all when NULL), at most limit of them
 * (0 = no limit), as a table of cols (at most 16). Nothing is printed when
 * no row matches. Returns how many rows matched, shown or not. */
int report_table(struct report_out *o, const PGresult *res, const struct report_col *cols, size_t ncols,
		 int limit, bool (*keep)(const PGresult *, int));

/* One CSV field: sanitised, quoted when it holds a comma, a quote or outer
 * blanks, and with a leading ' when a spreadsheet would take it for a
 * formula (text starting with = + - @ that is not a number). */
void report_csv_field(FILE *f, const char *v);

/* Writes res as <outdir>/<name> (header = the column names, lines end in
 * LF, NULL = empty field) and remembers the name. Does nothing without an
 * outdir. Returns 0 or 1 after printing why. */
int report_csv(struct report_out *o, const char *name, const PGresult *res);

#endif
