/* report: the monthly and weekly campaign reports, and CSV exports of the
 * rows behind them. Every figure is read from the SQL functions of 005 that
 * the console's supervisor view shows; this file only lays them out. */
#include "xiaoan/admin_report.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xiaoan/admin.h"
#include "xiaoan/admin_report_out.h"
#include "xiaoan/admin_table.h"
#include "xiaoan/db.h"
#include "xiaoan/util.h"

#define REP_PROG "xiaoan-admin report"
#define REP_TOP_DEFAULT 20
#define REP_BASELINE_DAYS "30"
/* In place of a note typed on a sensitive case (SQL literal). */
#define REP_NOTE_PRIVATE "'（备注仅经办单位可见）'"

struct rep {
	PGconn *conn;
	struct report_out out;
	int top;           /* rows in the longer lists */
	const char *kind;  /* "monthly" or "weekly" */
	const char *scope; /* NULL = the whole district */
	char *from, *to;   /* the period as the server printed it: [from, to) */
	bool sparkline;    /* short enough for one mark per day */
	bool usage;        /* the last failure was a bad argument (XA004) */
};

/* A parameterised query; NULL after printing "<what>: <server message>". */
static PGresult *rep_exec(struct rep *r, const char *what, const char *sql, int n, const char *const *params)
{
	PGresult *res = PQexecParams(r->conn, sql, n, NULL, params, NULL, NULL, 0);
	char msg[1024];

	if (db_result_error(res, r->conn, msg, sizeof(msg)) == DB_OK)
		return res;
	r->usage = res && !strcmp(db_sqlstate(res), "XA004");
	report_fail("%s: %s", what, msg);
	PQclear(res);
	return NULL;
}

/* Sections ------------------------------------------------------------------------------ */

/* The query a section reads, with its CSV; NULL after printing why. */
static PGresult *rep_read(struct rep *r, const char *what, const char *csv, const char *sql, int n,
			  const char *const *params)
{
	PGresult *res = rep_exec(r, what, sql, n, params);

	if (res && csv && report_csv(&r->out, csv, res) != ADMIN_OK) {
		PQclear(res);
		return NULL;
	}
	return res;
}

static const struct report_col rep_stat_cols[] = {
	{"名称", "label", REPORT_TEXT},
	{"案件数", "cases", REPORT_INT},
	{"按时签收率", "sign_on_time_pct", REPORT_PCT},
	{"按时先期反馈率", "feedback_on_time_pct", REPORT_PCT},
	{"按时闭环率", "close_on_time_pct", REPORT_PCT},
	{"平均签收用时", "mean_sign_secs", REPORT_SECS},
	{"签收用时中位数", "median_sign_secs", REPORT_SECS},
	{"平均闭环用时", "mean_close_secs", REPORT_SECS},
	{"闭环用时中位数", "median_close_secs", REPORT_SECS},
	{"超时案件", "overdue", REPORT_INT},
	{"重新办理", "reopened", REPORT_INT},
};

#define REP_STATS_SQL "SELECT * FROM xiaoan.stats($1, $2, $4, $3)"

/* A small bar per day of the period: ▁ (none) to █ (the busiest day). */
static void rep_sparkline(struct rep *r)
{
	static const char *const bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
	const char *p[] = {r->from, r->to, r->scope};
	PGresult *res;
	long max = 0;
	struct sbuf line;

	if (!r->sparkline)
		return;
	res = rep_exec(r, "cases per day", "SELECT day, cases FROM xiaoan.cases_per_day($1, $2, $3)", 3, p);
	if (!res)
		return;
	for (int i = 0; i < PQntuples(res); i++)
		if (atol(PQgetvalue(res, i, 1)) > max)
			max = atol(PQgetvalue(res, i, 1));
	sbuf_init(&line);
	for (int i = 0; i < PQntuples(res); i++)
		sbuf_adds(&line, bars[max ? atol(PQgetvalue(res, i, 1)) * 7 / max : 0]);
	if (PQntuples(res) > 0)
		report_line(&r->out, false, "每日案件：%s（%s 至 %s，最多 %ld 件/日）", line.s, PQgetvalue(res, 0, 0),
			 PQgetvalue(res, PQntuples(res) - 1, 0), max);
	fputc('\n', r->out.f);
	sbuf_free(&line);
	PQclear(res);
}

static int rep_totals(struct rep *r)
{
	const char *p[] = {r->from, r->to, r->scope, "all"};
	PGresult *res = rep_read(r, "statistics", "stats_all.csv", REP_STATS_SQL, 4, p);
	struct admin_table t;
	const char *heads[] = {"指标", "数值"};
	static const enum report_fmt fmts[] = {REPORT_TEXT, REPORT_INT};
	char buf[64];

	if (!res)
		return ADMIN_FAIL;
	report_heading(&r->out, "总体情况");
	if (PQntuples(res) == 0) {
		report_para(&r->out, "本期无案件。");
		PQclear(res);
		return ADMIN_OK;
	}
	admin_table_init(&t, 2, heads);
	for (size_t c = 1; c < XA_ARRAY_LEN(rep_stat_cols); c++) {
		const char *row[2] = {rep_stat_cols[c].head, report_cell(res, 0, PQfnumber(res, rep_stat_cols[c].field),
								      rep_stat_cols[c].fmt, buf, sizeof(buf))};
		admin_table_add(&t, row);
	}
	report_emit(&r->out, &t, fmts);
	admin_table_free(&t);
	PQclear(res);
	rep_sparkline(r);
	return ADMIN_OK;
}

static int rep_groups(struct rep *r)
{
	static const char *const groups[][3] = {
		{"unit", "分承办单位统计", "承办单位"}, {"town", "分镇（街道）统计", "镇（街道）"},
		{"type", "分预警类型统计", "预警类型"}, {"school", NULL, NULL},
	};
	struct report_col cols[XA_ARRAY_LEN(rep_stat_cols)];

	memcpy(cols, rep_stat_cols, sizeof(cols));
	for (size_t g = 0; g < XA_ARRAY_LEN(groups); g++) {
		const char *p[] = {r->from, r->to, r->scope, groups[g][0]};
		char *csv = xasprintf("stats_%s.csv", groups[g][0]);
		PGresult *res = rep_read(r, "statistics", csv, REP_STATS_SQL, 4, p);

		free(csv);
		if (!res)
			return ADMIN_FAIL;
		if (groups[g][1]) { /* per school: in the CSV only (the ranking follows) */
			report_heading(&r->out, groups[g][1]);
			cols[0].head = groups[g][2];
			if (report_table(&r->out, res, cols, XA_ARRAY_LEN(cols), 0, NULL) == 0)
				report_para(&r->out, "本期无案件。");
		}
		PQclear(res);
	}
	return ADMIN_OK;
}

static int rep_overdue(struct rep *r)
{
	static const struct report_col by_unit[] = {
		{"承办单位", "label", REPORT_TEXT},	     {"超时环节", "stages", REPORT_INT},
		{"涉及案件", "cases", REPORT_INT},	     {"最早期限", "oldest_due", REPORT_TIME},
		{"最长超时", "max_over_secs", REPORT_SECS},
	};
	static const struct report_col list[] = {
		{"案件", "case_id", REPORT_INT},	   {"类型", "type_name", REPORT_TEXT},  {"学校", "school_name", REPORT_TEXT},
		{"承办单位", "unit_name", REPORT_TEXT}, {"环节", "stage", REPORT_STAGE},    {"期限", "due", REPORT_TIME},
		{"已超时", "over_secs", REPORT_SECS},  {"督办", "supervised", REPORT_YESNO},
	};
	const char *p[] = {r->scope};
	PGresult *res;
	int n;

	report_heading(&r->out, "超时未办情况（截至报告生成时）");
	res = rep_read(r, "overdue stages by unit", NULL,
		       "SELECT key, label, stages, cases, xiaoan.local_iso(oldest_due) AS oldest_due, max_over_secs "
		       "FROM xiaoan.overdue_by('unit', $1)",
		       1, p);
	if (!res)
		return ADMIN_FAIL;
	n = report_table(&r->out, res, by_unit, XA_ARRAY_LEN(by_unit), 0, NULL);
	PQclear(res);
	if (n == 0) {
		report_para(&r->out, "无超时未办的环节。");
		res = rep_read(r, "overdue stages", "overdue.csv",
			       "SELECT * FROM xiaoan.overdue_list($1) WHERE false", 1, p);
		PQclear(res);
		return res ? ADMIN_OK : ADMIN_FAIL;
	}
	res = rep_read(r, "overdue stages", "overdue.csv",
		       "SELECT case_id, type, type_name, school, school_name, town, town_name, unit, unit_name, stage, "
		       "xiaoan.local_iso(due) AS due, over_secs, state, severity, summary, supervised::text "
		       "FROM xiaoan.overdue_list($1)",
		       1, p);
	if (!res)
		return ADMIN_FAIL;
	report_subheading(&r->out, "超时最久的环节");
	n = report_table(&r->out, res, list, XA_ARRAY_LEN(list), r->top, NULL);
	if (n > r->top)
		report_para(&r->out, "（共 %d 个超时环节，此处列出最早的 %d 个%s）", n, r->top,
			 r->out.outdir ? "，全部见 overdue.csv" : "");
	PQclear(res);
	return ADMIN_OK;
}

static int rep_supervised(struct rep *r)
{
	static const struct report_col cols[] = {
		{"案件", "case_id", REPORT_INT},	       {"类型", "type_name", REPORT_TEXT},
		{"学校", "school_name", REPORT_TEXT},      {"承办单位", "holder_name", REPORT_TEXT},
		{"状态", "state", REPORT_STATE},	       {"督办事由", "supervise_note", REPORT_TEXT},
		{"跟进日期", "supervise_until", REPORT_TEXT}, {"跟进逾期", "follow_up_due", REPORT_YESNO},
		{"最新进展", "last_kind", REPORT_KIND},     {"时间", "last_at", REPORT_TIME},
	};
	const char *p[] = {r->scope};
	/* A report is read beyond the units on a case, and the owner it runs
	 * as is not held by row-level security: the notes of sensitive cases
	 * are masked here, whoever runs it. */
	PGresult *res = rep_read(
		r, "supervised cases", "supervised.csv",
		"SELECT case_id, type, type_name, school, school_name, town, town_name, holder, holder_name, state, "
		"summary, CASE WHEN supervise_note_private THEN " REP_NOTE_PRIVATE " ELSE supervise_note END "
		"AS supervise_note, supervise_until, follow_up_due::text, xiaoan.local_iso(supervised_at) AS "
		"supervised_at, supervised_by, last_kind, xiaoan.local_iso(last_at) AS last_at, last_actor, "
		"CASE WHEN last_note_private THEN " REP_NOTE_PRIVATE " ELSE last_note END AS last_note, "
		"overdue::text FROM xiaoan.supervised_list($1)",
		1, p);

	if (!res)
		return ADMIN_FAIL;
	report_heading(&r->out, "挂牌督办案件（截至报告生成时）");
	if (report_table(&r->out, res, cols, XA_ARRAY_LEN(cols), 0, NULL) == 0)
		report_para(&r->out, "无挂牌督办案件。");
	PQclear(res);
	return ADMIN_OK;
}

static int rep_problem_schools(struct rep *r)
{
	static const struct report_col cols[] = {
		{"排名", "rank", REPORT_INT},	  {"学校", "school_name", REPORT_TEXT}, {"镇（街道）", "town_name", REPORT_TEXT},
		{"案件数", "cases", REPORT_INT},	  {"超时案件", "overdue", REPORT_INT},   {"反复发生的类型", "repeats", REPORT_TEXT},
	};
	const char *p[] = {r->from, r->to, r->scope};
	PGresult *res = rep_read(r, "problem-prone schools", "problem_schools.csv",
				 "SELECT * FROM xiaoan.problem_schools($1, $2, 100000, $3)", 3, p);
	int n;

	if (!res)
		return ADMIN_FAIL;
	report_heading(&r->out, "问题多发学校");
	n = report_table(&r->out, res, cols, XA_ARRAY_LEN(cols), r->top, NULL);
	if (n == 0)
		report_para(&r->out, "本期无案件。");
	else if (n > r->top)
		report_para(&r->out, "（共 %d 所学校有案件，此处列出前 %d 所%s）", n, r->top,
			 r->out.outdir ? "，全部见 problem_schools.csv" : "");
	PQclear(res);
	return ADMIN_OK;
}

static bool rep_not_all_ok(const PGresult *res, int row)
{
	return strcmp(PQgetvalue(res, row, PQfnumber(res, "all_ok")), "true") != 0;
}

static int rep_baseline(struct rep *r)
{
	static const char *const crit[][2] = {
		{"guards_ok", "专职保安配备"},
		{"closed_ok", "校园封闭化管理"},
		{"alarm_ok", "一键式紧急报警、视频监控联网"},
		{"post_ok", "护学岗设置"},
		{"all_ok", "四项全部达标"},
	};
	static const struct report_col cols[] = {
		{"学校", "school_name", REPORT_TEXT},	    {"镇（街道）", "town_name", REPORT_TEXT},
		{"保安", "guards_ok", REPORT_YESNO},	    {"封闭管理", "closed_ok", REPORT_YESNO},
		{"报警联网", "alarm_ok", REPORT_YESNO},	    {"护学岗", "post_ok", REPORT_YESNO},
		{"保安未处置", "guard_open", REPORT_INT},	    {"校门开启", "gate_cases", REPORT_INT},
		{"报警离线", "offline_cases", REPORT_INT},	    {"护学岗未到岗", "post_cases", REPORT_INT},
	};
	const char *p[] = {r->scope};
	const char *heads[] = {"指标", "达标学校", "达标率"};
	static const enum report_fmt fmts[] = {REPORT_TEXT, REPORT_INT, REPORT_PCT};
	PGresult *res = rep_read(r, "baseline", "baseline.csv",
				 "SELECT school, school_name, town, town_name, guards_ok::text, closed_ok::text, "
				 "alarm_ok::text, post_ok::text, all_ok::text, guard_open, gate_cases, offline_cases, "
				 "post_cases FROM xiaoan.baseline(" REP_BASELINE_DAYS ", $1)",
				 1, p);
	struct admin_table t;
	int total, n;

	if (!res)
		return ADMIN_FAIL;
	report_heading(&r->out, "“四个百分百”底线（近" REP_BASELINE_DAYS "天，截至报告生成时）");
	total = PQntuples(res);
	admin_table_init(&t, 3, heads);
	for (size_t c = 0; c < XA_ARRAY_LEN(crit); c++) {
		int col = PQfnumber(res, crit[c][0]), ok = 0;
		char count[32], rate[32];

		for (int row = 0; row < total; row++)
			ok += !strcmp(PQgetvalue(res, row, col), "true");
		snprintf(count, sizeof(count), "%d/%d", ok, total);
		if (total)
			snprintf(rate, sizeof(rate), "%.1f%%", 100.0 * ok / total);
		else
			xstrlcpy(rate, "—", sizeof(rate));
		admin_table_add(&t, (const char *[]){crit[c][1], count, rate});
	}
	report_emit(&r->out, &t, fmts);
	admin_table_free(&t);
	report_subheading(&r->out, "未全部达标的学校");
	n = report_table(&r->out, res, cols, XA_ARRAY_LEN(cols), r->top, rep_not_all_ok);
	if (n == 0)
		report_para(&r->out, "无。");
	else if (n > r->top)
		report_para(&r->out, "（共 %d 所，此处列出 %d 所%s）", n, r->top, r->out.outdir ? "，全部见 baseline.csv" : "");
	PQclear(res);
	return ADMIN_OK;
}

static bool rep_leadership(const PGresult *res, int row)
{
	return !strcmp(PQgetvalue(res, row, PQfnumber(res, "leadership_review")), "true");
}

static bool rep_committed_overdue(const PGresult *res, int row)
{
	return !strcmp(PQgetvalue(res, row, PQfnumber(res, "committed_overdue")), "true");
}

static bool rep_sampled(const PGresult *res, int row)
{
	return !PQgetisnull(res, row, PQfnumber(res, "sample_id"));
}

static int rep_hazards(struct rep *r)
{
	static const struct report_col summary[] = {{"项目", "label", REPORT_TEXT}, {"数量", "cases", REPORT_INT}};
	static const struct report_col list[] = {
		{"案件", "case_id", REPORT_INT},	       {"学校", "school_name", REPORT_TEXT},
		{"类别", "category_name", REPORT_TEXT},     {"承办单位", "holder_name", REPORT_TEXT},
		{"整改期限", "deadline", REPORT_TIME},      {"承诺完成", "committed_date", REPORT_TEXT},
		{"隐患描述", "summary", REPORT_TEXT},
	};
	static const struct report_col audits[] = {
		{"案件", "case_id", REPORT_INT},	  {"学校", "school_name", REPORT_TEXT},   {"类别", "category_name", REPORT_TEXT},
		{"办结结果", "outcome_label", REPORT_TEXT}, {"抽查通过", "audit_passed", REPORT_YESNO},
		{"抽查说明", "audit_note", REPORT_TEXT},
	};
	const char *p[] = {r->from, r->to, r->scope};
	PGresult *sum, *res;

	sum = rep_read(r, "hazards", NULL, "SELECT n, key, label, cases FROM xiaoan.hazard_summary($1, $2, $3)", 3, p);
	if (!sum)
		return ADMIN_FAIL;
	res = rep_read(r, "hazards", "hazards.csv",
		       "SELECT case_id, school, school_name, town, town_name, category, category_name, summary, "
		       "(SELECT string_agg(x, ' ') FROM jsonb_array_elements_text(photos) AS x) AS photos, severity, "
		       "state, holder, holder_name, issuer, issuer_name, xiaoan.local_iso(reported_at) AS reported_at, "
		       "visit_id, assigned_by, xiaoan.local_iso(assigned_at) AS assigned_at, "
		       "xiaoan.local_iso(deadline) AS deadline, xiaoan.local_iso(closed_at) AS closed_at, on_time::text, "
		       "past_deadline::text, outcome, outcome_label, committed_date, committed_overdue::text, "
		       "leadership_review::text, sample_id, audit_passed::text, audit_note, "
		       "xiaoan.local_iso(audited_at) AS audited_at, reopen_count FROM xiaoan.hazard_list($1, $2, $3)",
		       3, p);
	if (!res) {
		PQclear(sum);
		return ADMIN_FAIL;
	}
	report_heading(&r->out, "隐患排查整改（本期上报的隐患）");
	report_table(&r->out, sum, summary, XA_ARRAY_LEN(summary), 0, NULL);
	report_subheading(&r->out, "难以短期化解、提请领导研商的隐患");
	if (report_table(&r->out, res, list, XA_ARRAY_LEN(list), 0, rep_leadership) == 0)
		report_para(&r->out, "无。");
	report_subheading(&r->out, "已过承诺完成时限的隐患");
	if (report_table(&r->out, res, list, XA_ARRAY_LEN(list), 0, rep_committed_overdue) == 0)
		report_para(&r->out, "无。");
	report_heading(&r->out, "抽查情况");
	if (report_table(&r->out, res, audits, XA_ARRAY_LEN(audits), 0, rep_sampled) == 0)
		report_para(&r->out, "本期上报的隐患未被抽查。");
	PQclear(res);
	PQclear(sum);
	return ADMIN_OK;
}

static int rep_visits(struct rep *r)
{
	static const struct report_col cols[] = {
		{"单位", "unit_name", REPORT_TEXT},
		{"服务指导次数", "visits", REPORT_INT},
		{"学校数", "schools", REPORT_INT},
		{"发现并交办隐患", "hazards_opened", REPORT_INT},
	};
	const char *p[] = {r->from, r->to, r->scope};
	PGresult *res = rep_read(r, "visits", "visits.csv", "SELECT * FROM xiaoan.visit_summary($1, $2, $3)", 3, p);

	if (!res)
		return ADMIN_FAIL;
	report_heading(&r->out, "服务指导");
	if (report_table(&r->out, res, cols, XA_ARRAY_LEN(cols), 0, NULL) == 0)
		report_para(&r->out, "本期无服务指导记录。");
	PQclear(res);
	return ADMIN_OK;
}

static int rep_cases_csv(struct rep *r)
{
	const char *p[] = {r->from, r->to, r->scope};
	PGresult *res;

	if (!r->out.outdir)
		return ADMIN_OK;
	res = rep_read(r, "cases", "cases.csv",
		       "SELECT id, type, type_name, school, school_name, town, town_name, holder, holder_name, state, "
		       "severity, summary, xiaoan.local_iso(opened_at) AS opened_at, "
		       "xiaoan.local_iso(sign_start) AS sign_start, xiaoan.local_iso(sign_due) AS sign_due, "
		       "xiaoan.local_iso(signed_at) AS signed_at, sign_secs, sign_on_time::text, "
		       "xiaoan.local_iso(feedback_due) AS feedback_due, "
		       "xiaoan.local_iso(feedback_done_at) AS feedback_done_at, feedback_on_time::text, "
		       "xiaoan.local_iso(clock_start) AS clock_start, xiaoan.local_iso(close_due) AS close_due, "
		       "xiaoan.local_iso(closed_at) AS closed_at, close_secs, close_on_time::text, overdue::text, "
		       "reopen_count, supervised::text FROM xiaoan.case_figures_in($1, $2, $3)",
		       3, p);
	PQclear(res);
	return res ? ADMIN_OK : ADMIN_FAIL;
}

/* The title block; resolves the period and the scope. */
static int rep_header(struct rep *r, const char *spec, const char *until)
{
	const char *p[] = {spec, until, r->kind};
	const char *ps[] = {r->scope};
	PGresult *res, *sc;
	char *title;

	res = rep_exec(r, "period",
		       "SELECT p.period_from, p.period_to, p.label, xiaoan.local_stamp(p.period_from), "
		       "xiaoan.local_stamp(p.period_to), xiaoan.district_zone(), "
		       "coalesce(xiaoan.setting_text('district_name'), ''), xiaoan.local_stamp(now()), "
		       "(p.period_to - p.period_from <= interval '62 days')::text "
		       "FROM xiaoan.period(coalesce($1, CASE $3 WHEN 'weekly' "
		       "THEN to_char(xiaoan.local_today() - 7, 'IYYY-\"W\"IW') "
		       "ELSE to_char(xiaoan.local_today() - interval '1 month', 'YYYY-MM') END), $2) AS p",
		       3, p);
	if (!res)
		return ADMIN_FAIL;
	sc = rep_exec(r, "scope",
		      "SELECT xiaoan.check_scope($1)::text, CASE WHEN $1 IS NULL OR $1 = 'district' THEN '全区' "
		      "ELSE xiaoan.unit_label(substr($1, position(':' IN $1) + 1)) || "
		      "CASE WHEN $1 LIKE 'unit:%' THEN '（承办、流转经手或抄送的案件）' ELSE '' END END",
		      1, ps);
	if (!sc) {
		PQclear(res);
		return ADMIN_FAIL;
	}
	r->from = xstrdup(PQgetvalue(res, 0, 0));
	r->to = xstrdup(PQgetvalue(res, 0, 1));
	r->sparkline = !strcmp(PQgetvalue(res, 0, 8), "true");
	title = xasprintf("%s%s（%s）", PQgetvalue(res, 0, 6),
			  !strcmp(r->kind, "weekly") ? "校园安全专项整治工作周报" : "“护校安园”工作月报",
			  PQgetvalue(res, 0, 2));
	report_title(&r->out, title);
	report_line(&r->out, true, "统计范围：%s", PQgetvalue(sc, 0, 1));
	report_line(&r->out, true, "统计期间：%s 至 %s（%s，不含结束时刻），按案件推送时间计", PQgetvalue(res, 0, 3),
		 PQgetvalue(res, 0, 4), PQgetvalue(res, 0, 5));
	report_line(&r->out, true, "数据截至：%s（报告生成时；尚未完成的环节按此刻判定是否超时）", PQgetvalue(res, 0, 7));
	fputc('\n', r->out.f);
	free(title);
	PQclear(sc);
	PQclear(res);
	return ADMIN_OK;
}

static void rep_notes(struct rep *r)
{
	report_heading(&r->out, "说明");
	report_line(&r->out, true, "按时：在期限之时或之前完成（恰在期限完成算按时）；未完成且已过期限的环节计为超时；"
			  "无期限的环节不计入该项按时率；尚未到期的未完成环节不计入。");
	report_line(&r->out, true, "签收：以当前承办单位的签收为准，流转后签收时限重新起算；先期反馈未单独报送而直接办结的，"
			  "以办结视为先期反馈；闭环以最后一次办结为准（重新办理的案件按重新办结的时间计）。");
	report_line(&r->out, true, "超时案件：任一环节超时的案件数；重新办理：被退回重办过的案件数；用时为平均数和中位数。");
	report_line(&r->out, true, "口径详见 docs/report-format.md；数字与值班台统计页面同源。");
	if (r->out.files.len)
		report_line(&r->out, true, "数据文件（CSV，UTF-8）：%s", r->out.files.s);
	fputc('\n', r->out.f);
}

/* Command line ---------------------------------------------------------------------------- */

void admin_report_usage(FILE *f)
{
	fputs("usage: xiaoan-admin report monthly [--month YYYY-MM] [OPTIONS]\n"
	      "       xiaoan-admin report weekly [--week YYYY-Www] [OPTIONS]\n"
	      "       xiaoan-admin report monthly|weekly --from YYYY-MM-DD --to YYYY-MM-DD [OPTIONS]\n"
	      "\n"
	      "The monthly report (default: last month) or the weekly campaign report\n"
	      "(default: last ISO week), in the district's time zone.\n"
	      "\n"
	      "Options:\n"
	      "  --scope SCOPE     district (default), town:<town>, unit:<unit> or school:<school>\n"
	      "  --out DIR         write DIR/report.md (or .txt) and the CSV files there;\n"
	      "                    without it the report goes to standard output\n"
	      "  --format md|txt   Markdown (default) or plain text\n"
	      "  --top N           rows in the longer lists (default 20)\n"
	      "  --bom             start the CSV files with a UTF-8 byte-order mark (Excel)\n"
	      "  -h, --help        this help\n",
	      f);
}

static int rep_run(struct rep *r, const char *spec, const char *until)
{
	int (*const sections[])(struct rep *) = {rep_totals,	      rep_groups,   rep_overdue,
						  rep_supervised,     rep_problem_schools, rep_baseline,
						  rep_hazards,	      rep_visits,	   rep_cases_csv};
	char *path = NULL;
	int rc;

	if (r->out.outdir) {
		if (mkdir(r->out.outdir, 0755) != 0 && errno != EEXIST)
			return report_fail("cannot create %s: %s", r->out.outdir, strerror(errno));
		path = xasprintf("%s/report.%s", r->out.outdir, r->out.md ? "md" : "txt");
		r->out.f = fopen(path, "w");
		if (!r->out.f) {
			rc = report_fail("cannot write %s: %s", path, strerror(errno));
			free(path);
			return rc;
		}
	} else {
		r->out.f = stdout;
	}
	rc = rep_header(r, spec, until);
	for (size_t i = 0; rc == ADMIN_OK && i < XA_ARRAY_LEN(sections); i++)
		rc = sections[i](r);
	if (rc == ADMIN_OK)
		rep_notes(r);
	if (r->out.f != stdout) {
		if ((ferror(r->out.f) | (fclose(r->out.f) != 0)) && rc == ADMIN_OK)
			rc = report_fail("cannot write %s: %s", path, strerror(errno));
	} else if (fflush(stdout) != 0 && rc == ADMIN_OK) {
		rc = report_fail("cannot write the report: %s", strerror(errno));
	}
	if (rc == ADMIN_OK && path)
		fprintf(stderr, "%s: wrote %s and %d CSV files\n", REP_PROG, path, r->out.nfiles);
	free(path);
	return rc != ADMIN_OK && r->usage ? ADMIN_USAGE : rc;
}

static int rep_usage_error(const char *fmt, ...) XA_PRINTF(1, 2);
static int rep_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", REP_PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'xiaoan-admin report --help'.\n");
	return ADMIN_USAGE;
}

int admin_report_main(PGconn *conn, int argc, char **argv)
{
	static const struct option opts[] = {
		{"month", required_argument, NULL, 'm'}, {"week", required_argument, NULL, 'w'},
		{"from", required_argument, NULL, 'f'},	 {"to", required_argument, NULL, 't'},
		{"scope", required_argument, NULL, 's'}, {"out", required_argument, NULL, 'o'},
		{"format", required_argument, NULL, 'F'}, {"top", required_argument, NULL, 'n'},
		{"bom", no_argument, NULL, 'b'},	 {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct rep r = {.conn = conn, .out = {.md = true}, .top = REP_TOP_DEFAULT};
	const char *month = NULL, *week = NULL, *from = NULL, *to = NULL, *format = "md";
	char *end;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1 || optind < argc) {
		if (c == -1) { /* a word between options: the kind */
			if (r.kind)
				return rep_usage_error("unexpected argument '%s'", argv[optind]);
			r.kind = argv[optind++];
			continue;
		}
		switch (c) {
		case 'm':
			month = optarg;
			break;
		case 'w':
			week = optarg;
			break;
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 's':
			r.scope = optarg;
			break;
		case 'o':
			r.out.outdir = optarg;
			break;
		case 'F':
			format = optarg;
			break;
		case 'b':
			r.out.bom = true;
			break;
		case 'n':
			errno = 0;
			r.top = (int)strtol(optarg, &end, 10);
			if (errno || *end || r.top < 1 || r.top > 10000)
				return rep_usage_error("--top wants a number from 1 to 10000, not '%s'", optarg);
			break;
		case 'h':
			admin_report_usage(stdout);
			return ADMIN_OK;
		default:
			return rep_usage_error("unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (!r.kind)
		return rep_usage_error("say which report: monthly or weekly");
	if (strcmp(r.kind, "monthly") && strcmp(r.kind, "weekly"))
		return rep_usage_error("unknown report '%s' (monthly or weekly)", r.kind);
	if (week && !strcmp(r.kind, "monthly"))
		return rep_usage_error("--week goes with the weekly report");
	if (month && !strcmp(r.kind, "weekly"))
		return rep_usage_error("--month goes with the monthly report");
	if (!from != !to)
		return rep_usage_error("--from and --to go together");
	if (from && (month || week))
		return rep_usage_error("give either --from/--to or the month/week, not both");
	if (strcmp(format, "md") && strcmp(format, "txt"))
		return rep_usage_error("--format is md or txt, not '%s'", format);
	if (r.scope && !strcmp(r.scope, "district"))
		r.scope = NULL;
	r.out.md = !strcmp(format, "md");
	if (!conn)
		return report_fail("no database connection");
	sbuf_init(&r.out.files);
	rc = rep_run(&r, from ? from : month ? month : week, to);
	sbuf_free(&r.out.files);
	free(r.from);
	free(r.to);
	return rc;
}
