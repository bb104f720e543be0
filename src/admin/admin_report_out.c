/* The report's document (Markdown or plain text) and its CSV files. */
#include "xiaoan/admin_report_out.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/text.h"

static const char *const report_numerals[] = {"一", "二", "三", "四", "五", "六", "七", "八",
					      "九", "十", "十一", "十二", "十三", "十四", "十五"};

static const char *const report_states[][2] = {
	{"new", "待签收"}, {"signed", "已签收"}, {"in_progress", "处置中"}, {"closed", "已办结"}, {"confirmed", "已确认"},
};
static const char *const report_stages[][2] = {{"sign", "签收"}, {"feedback", "先期反馈"}, {"close", "闭环"}};
static const char *const report_kinds[][2] = {
	{"open", "推送"},	   {"sign", "签收"},	      {"feedback", "先期反馈"}, {"forward", "流转"},
	{"escalate", "上报"},	   {"dispatch_down", "下发"}, {"return", "退回"},	{"close", "办结"},
	{"confirm", "确认"},	   {"reopen", "重新办理"},    {"supervise", "挂牌督办"}, {"unsupervise", "撤销督办"},
	{"assign", "交办"},	   {"sample", "抽查"},	      {"audit", "抽查结果"},	{"due_soon", "即将超时"},
	{"overdue", "超时"},
};

int report_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("xiaoan-admin report: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static const char *report_lookup(const char *v, const char *const map[][2], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v, map[i][0]))
			return map[i][1];
	return v;
}

void report_duration(long long s, char *buf, size_t n)
{
	long long d, h, m;

	if (s < 0)
		s = 0;
	d = s / 86400;
	h = s % 86400 / 3600;
	m = s % 3600 / 60;
	s %= 60;
	if (d)
		snprintf(buf, n, h ? "%lld天%lld小时" : "%lld天", d, h);
	else if (h)
		snprintf(buf, n, m ? "%lld小时%lld分" : "%lld小时", h, m);
	else if (m)
		snprintf(buf, n, s ? "%lld分%lld秒" : "%lld分", m, s);
	else
		snprintf(buf, n, "%lld秒", s);
}

const char *report_cell(const PGresult *res, int row, int col, enum report_fmt fmt, char *buf, size_t n)
{
	const char *v;

	if (col < 0 || PQgetisnull(res, row, col))
		return fmt == REPORT_TEXT ? "" : "—";
	v = PQgetvalue(res, row, col);
	switch (fmt) {
	case REPORT_PCT:
		snprintf(buf, n, "%s%%", v);
		return buf;
	case REPORT_SECS:
		report_duration(strtoll(v, NULL, 10), buf, n);
		return buf;
	case REPORT_TIME:
		/* "2026-10-10T14:05:00+08:00" -> "2026-10-10 14:05" */
		xstrlcpy(buf, v, n < 17 ? n : 17);
		if (strlen(buf) > 10 && buf[10] == 'T')
			buf[10] = ' ';
		return buf;
	case REPORT_STATE:
		return report_lookup(v, report_states, XA_ARRAY_LEN(report_states));
	case REPORT_STAGE:
		return report_lookup(v, report_stages, XA_ARRAY_LEN(report_stages));
	case REPORT_KIND:
		return report_lookup(v, report_kinds, XA_ARRAY_LEN(report_kinds));
	case REPORT_YESNO:
		return !strcmp(v, "true") || !strcmp(v, "t") ? "是" : "否";
	case REPORT_TEXT:
	case REPORT_INT:
		break;
	}
	return v;
}

void report_title(struct report_out *o, const char *title)
{
	char *clean = text_sanitize_dup(title);

	if (o->md) {
		fprintf(o->f, "# %s\n\n", clean);
	} else {
		fprintf(o->f, "%s\n", clean);
		for (int w = text_width(clean); w > 0; w--)
			fputc('=', o->f);
		fputs("\n\n", o->f);
	}
	free(clean);
}

void report_heading(struct report_out *o, const char *text)
{
	int last = (int)XA_ARRAY_LEN(report_numerals) - 1;

	fprintf(o->f, o->md ? "## %s、%s\n\n" : "%s、%s\n\n", report_numerals[o->section < last ? o->section : last],
		text);
	o->section++;
}

void report_subheading(struct report_out *o, const char *text)
{
	fprintf(o->f, o->md ? "### %s\n\n" : "%s\n\n", text);
}

static void report_vline(struct report_out *o, bool item, const char *fmt, va_list ap)
{
	char *raw = xvasprintf(fmt, ap);
	char *clean = text_sanitize_dup(raw);

	fprintf(o->f, "%s%s\n", item && o->md ? "- " : "", clean);
	free(clean);
	free(raw);
}

void report_line(struct report_out *o, bool item, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_vline(o, item, fmt, ap);
	va_end(ap);
}

void report_para(struct report_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_vline(o, false, fmt, ap);
	va_end(ap);
	fputc('\n', o->f);
}

static bool report_is_number(enum report_fmt f)
{
	return f == REPORT_INT || f == REPORT_PCT || f == REPORT_SECS;
}

static void report_md_cell(FILE *f, const char *s)
{
	fputc(' ', f);
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputs(" |", f);
}

void report_emit(struct report_out *o, const struct admin_table *t, const enum report_fmt *fmts)
{
	if (!o->md) {
		admin_table_print(t, o->f);
		fputc('\n', o->f);
		return;
	}
	for (size_t row = 0; row < t->nrows; row++) {
		fputc('|', o->f);
		for (size_t c = 0; c < t->ncols; c++)
			report_md_cell(o->f, t->cells[row * t->ncols + c]);
		fputc('\n', o->f);
		if (row == 0) {
			fputc('|', o->f);
			for (size_t c = 0; c < t->ncols; c++)
				fputs(fmts && report_is_number(fmts[c]) ? " ---: |" : " --- |", o->f);
			fputc('\n', o->f);
		}
	}
	fputc('\n', o->f);
}

int report_table(struct report_out *o, const PGresult *res, const struct report_col *cols, size_t ncols, int limit,
		 bool (*keep)(const PGresult *, int))
{
	const char *heads[16], *cells[16];
	enum report_fmt fmts[16];
	int idx[16], matched = 0;
	char bufs[16][64];
	struct admin_table t;

	if (ncols > XA_ARRAY_LEN(heads))
		ncols = XA_ARRAY_LEN(heads);
	for (size_t c = 0; c < ncols; c++) {
		heads[c] = cols[c].head;
		fmts[c] = cols[c].fmt;
		idx[c] = PQfnumber(res, cols[c].field);
	}
	admin_table_init(&t, ncols, heads);
	for (int row = 0; row < PQntuples(res); row++) {
		if (keep && !keep(res, row))
			continue;
		if (limit <= 0 || matched < limit) {
			for (size_t c = 0; c < ncols; c++)
				cells[c] = report_cell(res, row, idx[c], fmts[c], bufs[c], sizeof(bufs[c]));
			admin_table_add(&t, cells);
		}
		matched++;
	}
	if (t.nrows > 1)
		report_emit(o, &t, fmts);
	admin_table_free(&t);
	return matched;
}

void report_csv_field(FILE *f, const char *v)
{
	char *s = text_sanitize_dup(v);
	size_t len = strlen(s);
	bool formula = false, quote;

	if (len && strchr("=+-@", s[0])) {
		char *end;

		strtod(s, &end);
		formula = *end != '\0';
	}
	quote = formula || strpbrk(s, ",\"") || (len && (s[0] == ' ' || s[len - 1] == ' '));
	if (quote)
		fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	if (quote)
		fputc('"', f);
	free(s);
}

int report_csv(struct report_out *o, const char *name, const PGresult *res)
{
	char *path;
	FILE *f;
	int rc = 0;

	if (!o->outdir)
		return 0;
	path = xasprintf("%s/%s", o->outdir, name);
	f = fopen(path, "w");
	if (!f) {
		rc = report_fail("cannot write %s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	if (o->bom)
		fputs("\xEF\xBB\xBF", f);
	for (int c = 0; c < PQnfields(res); c++) {
		if (c)
			fputc(',', f);
		report_csv_field(f, PQfname(res, c));
	}
	fputc('\n', f);
	for (int row = 0; row < PQntuples(res); row++) {
		for (int c = 0; c < PQnfields(res); c++) {
			if (c)
				fputc(',', f);
			if (!PQgetisnull(res, row, c))
				report_csv_field(f, PQgetvalue(res, row, c));
		}
		fputc('\n', f);
	}
	if (ferror(f) | (fclose(f) != 0)) {
		rc = report_fail("cannot write %s: %s", path, strerror(errno));
	} else {
		sbuf_addf(&o->files, "%s%s", o->files.len ? "、" : "", name);
		o->nfiles++;
	}
	free(path);
	return rc;
}
