/* ui_super.c — the supervision view: the overdue review grouped by unit,
 * town or type; the supervised cases with their progress; the statistics
 * of a period with bars, a sparkline, problem-prone schools and the
 * 4 × 100 % baseline. Tab (or the view key again) goes to the next section. */
#include "xiaoan/console.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/i18n.h"
#include "xiaoan/layout.h"
#include "xiaoan/palette.h"
#include "xiaoan/supfmt.h"
#include "xiaoan/text.h"
#include "xiaoan/xtime.h"

static const char *super_stage_label(const char *stage)
{
	if (strcmp(stage, "sign") == 0)
		return _("sign");
	if (strcmp(stage, "feedback") == 0)
		return _("first feedback");
	if (strcmp(stage, "close") == 0)
		return _("closed loop");
	return stage;
}

static const char *super_state_label(const char *state)
{
	int s = model_state_parse(state);
	return s >= 0 ? ui_state_label((enum model_state)s) : state;
}

/* ---- the section line ------------------------------------------------------- */

static void super_tabs(WINDOW *w)
{
	struct super *s = &app->sv;
	char t[3][128];
	int x = 0;

	snprintf(t[0], sizeof t[0], _(" Overdue review (%zu) "), s->nover);
	snprintf(t[1], sizeof t[1], _(" Supervised cases (%zu) "), s->nsup);
	snprintf(t[2], sizeof t[2], "%s", _(" Statistics "));
	ui_attr(w, TH_NORMAL);
	mvwhline(w, 0, 0, ' ', getmaxx(w));
	for (int i = 0; i < 3; i++) {
		int tw = text_width(t[i]);
		ui_attr(w, (int)s->sec == i ? TH_SELECTED : TH_DIM);
		ui_put(w, 0, x, tw, t[i], 0);
		x += tw + 1;
	}
	if (s->pending) {
		ui_attr(w, TH_DIM);
		ui_put(w, 0, x + 1, getmaxx(w) - x - 1, _("loading…"), 0);
	}
}

static void super_head(WINDOW *w, int y, const struct layout_col *cols, size_t n)
{
	ui_attr(w, TH_TITLE);
	wattron(w, A_UNDERLINE);
	mvwhline(w, y, 0, ' ', getmaxx(w));
	for (size_t i = 0; i < n; i++)
		ui_put(w, y, cols[i].x, cols[i].w, cols[i].title[0] ? _(cols[i].title) : "", cols[i].flags & LAYOUT_RIGHT);
}

static void super_scroll(long cur, long *top, long h, long n)
{
	if (cur < *top)
		*top = cur;
	if (cur >= *top + h)
		*top = cur - h + 1;
	if (*top > 0 && *top + h > n)
		*top = n > h ? n - h : 0;
}

static void super_empty(WINDOW *w, const char *text)
{
	ui_attr(w, TH_DIM);
	ui_put(w, 3, 2, getmaxx(w) - 4, app->sv.loaded_ms ? text : _("Loading…"), 0);
}

/* ---- overdue review ------------------------------------------------------ */

enum { O_ID, O_STAGE, O_OVER, O_SCHOOL, O_HOLDER, O_STATE, O_SUP, O_SUMMARY, O_N };

static struct layout_col over_cols[O_N] = {
	[O_ID] = { N_("Case"), 8, 8, 0, LAYOUT_RIGHT, 0, 0 },
	[O_STAGE] = { N_("Stage"), 8, 14, 1, 0, 0, 0 },
	[O_OVER] = { N_("Over by"), 8, 8, 0, LAYOUT_RIGHT, 0, 0 },
	[O_SCHOOL] = { N_("School"), 12, 26, 3, 0, 0, 0 },
	[O_HOLDER] = { N_("Holder"), 8, 20, 2, 0, 0, 0 },
	[O_STATE] = { N_("State"), 6, 11, 1, 0, 0, 0 },
	[O_SUP] = { N_("Sup"), 3, 3, 0, 0, 0, 0 },
	[O_SUMMARY] = { N_("Summary"), 10, 0, 4, LAYOUT_OPTIONAL, 0, 0 },
};

static void super_draw_overdue(WINDOW *w, int64_t now)
{
	struct super *s = &app->sv;
	long h = getmaxy(w) - 2;
	char line[600], id[24], over[32];

	layout_fit(over_cols, O_N, getmaxx(w));
	super_head(w, 1, over_cols, O_N);
	if (!s->nlines) {
		super_empty(w, _("No stage is overdue."));
		return;
	}
	super_scroll(s->ocur, &s->otop, h, (long)s->nlines);
	for (long y = 0; y < h && s->otop + y < (long)s->nlines; y++) {
		const struct sup_line *l = &s->lines[s->otop + y];
		bool cur = s->otop + y == s->ocur;
		int row = (int)y + 2;
		if (l->row < 0) {
			supfmt_duration(now - l->oldest, over, sizeof over);
			snprintf(line, sizeof line, _("%s: %d overdue stages on %d cases, the oldest over by %s"), l->label,
				 l->stages, l->cases, over);
			ui_attr(w, cur ? TH_SELECTED : TH_LABEL);
			mvwhline(w, row, 0, ' ', getmaxx(w));
			wattron(w, A_BOLD);
			ui_put(w, row, 0, getmaxx(w), line, 0);
			continue;
		}
		const struct sup_over *o = &s->over[l->row];
		const struct mcase *live = model_find(&app->m, o->id);
		bool sup = live ? live->supervised : o->supervised;
		enum theme_element base = cur ? TH_SELECTED : TH_NORMAL;
		ui_attr(w, base);
		mvwhline(w, row, 0, ' ', getmaxx(w));
		snprintf(id, sizeof id, "%" PRId64, o->id);
		ui_put(w, row, over_cols[O_ID].x, over_cols[O_ID].w, id, LAYOUT_RIGHT);
		ui_put(w, row, over_cols[O_STAGE].x, over_cols[O_STAGE].w, super_stage_label(o->stage), 0);
		ui_put(w, row, over_cols[O_SCHOOL].x, over_cols[O_SCHOOL].w, o->school_name, 0);
		ui_put(w, row, over_cols[O_HOLDER].x, over_cols[O_HOLDER].w, o->unit_name, 0);
		ui_put(w, row, over_cols[O_STATE].x, over_cols[O_STATE].w,
		       live ? ui_state_label(live->state) : super_state_label(o->state), 0);
		ui_put(w, row, over_cols[O_SUMMARY].x, over_cols[O_SUMMARY].w, o->summary, 0);
		if (!cur)
			ui_attr(w, TH_SUPERVISED);
		ui_put(w, row, over_cols[O_SUP].x, over_cols[O_SUP].w, sup ? _("SUP") : "", 0);
		ui_attr(w, cur ? TH_SELECTED : TH_COUNTDOWN_OVERDUE);
		supfmt_duration(now - o->due, over, sizeof over);
		snprintf(line, sizeof line, "!%s", over);
		ui_put(w, row, over_cols[O_OVER].x, over_cols[O_OVER].w, line, LAYOUT_RIGHT);
	}
}

/* ---- supervised cases ---------------------------------------------------- */

enum { S_ID, S_SCHOOL, S_HOLDER, S_STATE, S_UNTIL, S_LAST, S_N };

static struct layout_col sup_cols[S_N] = {
	[S_ID] = { N_("Case"), 8, 8, 0, LAYOUT_RIGHT, 0, 0 },
	[S_SCHOOL] = { N_("School"), 12, 24, 3, 0, 0, 0 },
	[S_HOLDER] = { N_("Holder"), 8, 20, 2, 0, 0, 0 },
	[S_STATE] = { N_("State"), 6, 11, 1, 0, 0, 0 },
	[S_UNTIL] = { N_("Follow up"), 11, 11, 0, 0, 0, 0 },
	[S_LAST] = { N_("Last step"), 16, 0, 5, 0, 0, 0 },
};

static void super_draw_supervised(WINDOW *w)
{
	struct super *s = &app->sv;
	long h = getmaxy(w) - 2;
	char line[1200], id[24], when[32], until[40];

	layout_fit(sup_cols, S_N, getmaxx(w));
	super_head(w, 1, sup_cols, S_N);
	if (!s->nsup) {
		super_empty(w, _("No case is under supervision."));
		return;
	}
	super_scroll(s->scur, &s->stop, h, (long)s->nsup);
	for (long y = 0; y < h && s->stop + y < (long)s->nsup; y++) {
		const struct sup_case *c = &s->sup[s->stop + y];
		const char *note;
		bool cur = s->stop + y == s->scur;
		int row = (int)y + 2;
		ui_attr(w, cur ? TH_SELECTED : TH_NORMAL);
		mvwhline(w, row, 0, ' ', getmaxx(w));
		snprintf(id, sizeof id, "%s%" PRId64, c->overdue ? "!" : "", c->id);
		ui_put(w, row, sup_cols[S_ID].x, sup_cols[S_ID].w, id, LAYOUT_RIGHT);
		ui_put(w, row, sup_cols[S_SCHOOL].x, sup_cols[S_SCHOOL].w, c->school_name, 0);
		ui_put(w, row, sup_cols[S_HOLDER].x, sup_cols[S_HOLDER].w, c->holder_name, 0);
		ui_put(w, row, sup_cols[S_STATE].x, sup_cols[S_STATE].w, super_state_label(c->state), 0);
		if (c->last_at)
			xtime_format_local(c->last_at, app->utc_offset, "%m-%d %H:%M", when, sizeof when);
		else
			xstrlcpy(when, "-", sizeof when);
		note = c->last_note_hidden ? _(CONSOLE_NOTE_PRIVATE) : c->last_note;
		snprintf(line, sizeof line, "%s %s %s%s%s", when, c->last_kind, c->last_actor, note[0] ? ": " : "", note);
		ui_put(w, row, sup_cols[S_LAST].x, sup_cols[S_LAST].w, line, 0);
		/* A follow-up date that has passed stands out without colour too. */
		snprintf(until, sizeof until, "%s%s", c->follow_up_due ? "!" : "", c->until ? c->until : "-");
		if (c->follow_up_due)
			wattrset(w, palette_attr(cur ? TH_SELECTED : TH_COUNTDOWN_OVERDUE) | A_BOLD);
		ui_put(w, row, sup_cols[S_UNTIL].x, sup_cols[S_UNTIL].w, until, 0);
	}
}

/* ---- statistics ------------------------------------------------------------ */

enum { T_NAME, T_CASES, T_BAR, T_SIGN, T_FB, T_CLOSE, T_TSIGN, T_TCLOSE, T_OVER, T_REOPEN, T_N };

static struct layout_col stat_cols[T_N] = {
	[T_NAME] = { N_("Name"), 10, 24, 2, 0, 0, 0 },
	[T_CASES] = { N_("Cases"), 6, 6, 0, LAYOUT_RIGHT, 0, 0 },
	[T_BAR] = { "", 6, 14, 1, LAYOUT_OPTIONAL, 0, 0 },
	[T_SIGN] = { N_("Sign%"), 6, 7, 0, LAYOUT_RIGHT, 0, 0 },
	[T_FB] = { N_("Fdbk%"), 6, 7, 0, LAYOUT_RIGHT, 0, 0 },
	[T_CLOSE] = { N_("Close%"), 6, 7, 0, LAYOUT_RIGHT, 0, 0 },
	[T_TSIGN] = { N_("Sign mean/med"), 13, 14, 0, LAYOUT_RIGHT | LAYOUT_OPTIONAL, 0, 0 },
	[T_TCLOSE] = { N_("Close mean/med"), 14, 14, 0, LAYOUT_RIGHT | LAYOUT_OPTIONAL, 0, 0 },
	[T_OVER] = { N_("Overdue"), 7, 7, 0, LAYOUT_RIGHT, 0, 0 },
	[T_REOPEN] = { N_("Reopened"), 8, 8, 0, LAYOUT_RIGHT, 0, 0 },
};

struct spage {
	WINDOW *w;
	int y, scroll, h, cols;
};

/* The screen row of the next page line, or -1 when scrolled off. */
static int spage_row(struct spage *p)
{
	int y = p->y++ - p->scroll + 1;
	return y >= 1 && y < p->h ? y : -1;
}

static void spage_line(struct spage *p, enum theme_element el, int indent, const char *text)
{
	int y = spage_row(p);

	if (y < 0)
		return;
	ui_attr(p->w, el);
	mvwhline(p->w, y, 0, ' ', p->cols);
	ui_put(p->w, y, indent, p->cols - indent, text, 0);
}

static void super_pct(char *buf, size_t n, const char *v)
{
	snprintf(buf, n, v ? "%s%%" : "-", v);
}

static void super_pair(char *buf, size_t n, const char *mean, const char *median)
{
	char a[24] = "-", b[24] = "-";

	if (mean)
		supfmt_duration(strtoll(mean, NULL, 10), a, sizeof a);
	if (median)
		supfmt_duration(strtoll(median, NULL, 10), b, sizeof b);
	snprintf(buf, n, "%s/%s", a, b);
}

static void super_stat_line(struct spage *p, const struct sup_stat *st, long max, bool total)
{
	const struct layout_col *k = stat_cols;
	char v[64], bar[256];
	int y = spage_row(p);

	if (y < 0)
		return;
	ui_attr(p->w, total ? TH_LABEL : TH_NORMAL);
	mvwhline(p->w, y, 0, ' ', p->cols);
	if (total)
		wattron(p->w, A_BOLD);
	ui_put(p->w, y, k[T_NAME].x, k[T_NAME].w, st->label, 0);
	snprintf(v, sizeof v, "%ld", st->cases);
	ui_put(p->w, y, k[T_CASES].x, k[T_CASES].w, v, LAYOUT_RIGHT);
	super_pct(v, sizeof v, st->f[0]);
	ui_put(p->w, y, k[T_SIGN].x, k[T_SIGN].w, v, LAYOUT_RIGHT);
	super_pct(v, sizeof v, st->f[1]);
	ui_put(p->w, y, k[T_FB].x, k[T_FB].w, v, LAYOUT_RIGHT);
	super_pct(v, sizeof v, st->f[2]);
	ui_put(p->w, y, k[T_CLOSE].x, k[T_CLOSE].w, v, LAYOUT_RIGHT);
	super_pair(v, sizeof v, st->f[3], st->f[4]);
	ui_put(p->w, y, k[T_TSIGN].x, k[T_TSIGN].w, v, LAYOUT_RIGHT);
	super_pair(v, sizeof v, st->f[5], st->f[6]);
	ui_put(p->w, y, k[T_TCLOSE].x, k[T_TCLOSE].w, v, LAYOUT_RIGHT);
	ui_put(p->w, y, k[T_OVER].x, k[T_OVER].w, st->f[7] ? st->f[7] : "0", LAYOUT_RIGHT);
	ui_put(p->w, y, k[T_REOPEN].x, k[T_REOPEN].w, st->f[8] ? st->f[8] : "0", LAYOUT_RIGHT);
	if (!total && k[T_BAR].w > 0) {
		ui_attr(p->w, TH_CHART_BAR);
		supfmt_bar((double)st->cases, (double)max, k[T_BAR].w, bar, sizeof bar);
		ui_put(p->w, y, k[T_BAR].x, k[T_BAR].w, bar, 0);
	}
}

static int super_stats_page(struct spage *p)
{
	struct super *s = &app->sv;
	char line[1200], spark[2048], marks[4][8];
	long max = 0;
	size_t meets = 0;
	int y;

	snprintf(line, sizeof line, _("Period: %s (%s)   %s   by %s"), s->period_label ? s->period_label : "…",
		 s->period, super_scope_name() ? super_scope_name() : _("the whole district"),
		 _(super_group_name(s->sgroup)));
	spage_line(p, TH_TITLE, 0, line);
	if ((y = spage_row(p)) >= 0) {
		const char *lab = s->period_day ? _("Cases per hour: ") : _("Cases per day: ");
		int lw = text_width(lab);
		ui_attr(p->w, TH_LABEL);
		mvwhline(p->w, y, 0, ' ', p->cols);
		ui_put(p->w, y, 0, lw, lab, 0);
		supfmt_spark(s->spark, s->nspark, p->cols - lw - 1, spark, sizeof spark);
		ui_attr(p->w, TH_CHART_SPARK);
		ui_put(p->w, y, lw, p->cols - lw, s->nspark ? spark : "-", 0);
	}
	p->y++;
	layout_fit(stat_cols, T_N, p->cols);
	if ((y = spage_row(p)) >= 0)
		super_head(p->w, y, stat_cols, T_N);
	if (s->total.label)
		super_stat_line(p, &s->total, 0, true);
	for (size_t i = 0; i < s->nstats; i++)
		if (s->stats[i].cases > max)
			max = s->stats[i].cases;
	for (size_t i = 0; i < s->nstats; i++)
		super_stat_line(p, &s->stats[i], max, false);
	if (!s->nstats)
		spage_line(p, TH_DIM, 2, s->pending ? _("Loading…") : _("No cases in this period."));
	p->y++;
	spage_line(p, TH_LABEL, 0, _("Problem-prone schools (cases, overdue, repeated types)"));
	for (size_t i = 0; i < s->nprobs; i++) {
		const struct sup_problem *q = &s->probs[i];
		snprintf(line, sizeof line, _("%2d. %s (%s): %ld cases, %ld overdue  %s"), q->rank, q->school, q->town,
			 q->cases, q->overdue, q->repeats);
		spage_line(p, TH_NORMAL, 2, line);
	}
	if (!s->nprobs)
		spage_line(p, TH_DIM, 2, "-");
	p->y++;
	for (size_t i = 0; i < s->nbase; i++)
		meets += s->base[i].ok[0] && s->base[i].ok[1] && s->base[i].ok[2] && s->base[i].ok[3];
	snprintf(line, sizeof line,
		 _("4 × 100%% baseline, last 30 days: %zu of %zu schools meet all four (guards, closed gate, alarm and video, crossing post)"),
		 meets, s->nbase);
	spage_line(p, TH_LABEL, 0, line);
	for (size_t i = 0; i < s->nbase; i++) {
		const struct sup_base *b = &s->base[i];
		if (b->ok[0] && b->ok[1] && b->ok[2] && b->ok[3])
			continue;
		for (int k = 0; k < 4; k++)
			snprintf(marks[k], sizeof marks[k], "%s", b->ok[k] ? "✓" : "✗");
		snprintf(line, sizeof line, _("%s (%s): guards %s  closed gate %s  alarm and video %s  crossing post %s"),
			 b->school, b->town, marks[0], marks[1], marks[2], marks[3]);
		spage_line(p, TH_COUNTDOWN_OVERDUE, 2, line);
	}
	return p->y;
}

static void super_draw_stats(WINDOW *w)
{
	struct spage p = { w, 0, app->sv.scroll, getmaxy(w), getmaxx(w) };
	int total = super_stats_page(&p);

	/* Clamp the scroll to the page and draw again if it moved. */
	if (app->sv.scroll > 0 && app->sv.scroll > total - (getmaxy(w) - 1)) {
		app->sv.scroll = total - (getmaxy(w) - 1) > 0 ? total - (getmaxy(w) - 1) : 0;
		werase(w);
		super_tabs(w);
		p = (struct spage){ w, 0, app->sv.scroll, getmaxy(w), getmaxx(w) };
		super_stats_page(&p);
	}
}

void ui_super_draw(bool tick_only)
{
	WINDOW *w = app->body;
	int64_t now = app_now();

	/* Only the overdue times move with the clock. */
	if (tick_only && app->sv.sec != SUP_OVERDUE)
		return;
	werase(w);
	super_tabs(w);
	switch (app->sv.sec) {
	case SUP_OVERDUE:
		super_draw_overdue(w, now);
		break;
	case SUP_SUPERVISED:
		super_draw_supervised(w);
		break;
	default:
		super_draw_stats(w);
		break;
	}
	wnoutrefresh(w);
}

/* ---- the case under the cursor ----------------------------------------------- */

const struct mcase *ui_super_current(void)
{
	static struct mcase tmp;
	struct super *s = &app->sv;
	const struct mcase *live;
	int st;

	memset(&tmp, 0, sizeof tmp);
	if (s->sec == SUP_OVERDUE && s->ocur >= 0 && s->ocur < (long)s->nlines && s->lines[s->ocur].row >= 0) {
		const struct sup_over *o = &s->over[s->lines[s->ocur].row];
		if ((live = model_find(&app->m, o->id)))
			return live;
		tmp.id = o->id;
		tmp.version = o->version;
		tmp.supervised = o->supervised;
		xstrlcpy(tmp.type, o->type, sizeof tmp.type);
		xstrlcpy(tmp.holder, o->unit, sizeof tmp.holder);
		st = model_state_parse(o->state);
	} else if (s->sec == SUP_SUPERVISED && s->scur >= 0 && s->scur < (long)s->nsup) {
		const struct sup_case *c = &s->sup[s->scur];
		if ((live = model_find(&app->m, c->id)))
			return live;
		tmp.id = c->id;
		tmp.version = c->version;
		tmp.supervised = true;
		st = model_state_parse(c->state);
	} else {
		return NULL;
	}
	tmp.state = st >= 0 ? (enum model_state)st : MS_NEW;
	tmp.summary = "";
	return &tmp;
}

/* ---- keys ---------------------------------------------------------------------- */

static void super_hint(struct sbuf *b, enum action a, const char *label)
{
	char keys[64];

	keymap_keys_for(app->km, KM_SUPERVISOR, a, keys, sizeof keys);
	if (!keys[0])
		return;
	*strchrnul(keys, ',') = '\0';
	sbuf_addf(b, "%s %s  ", keys, label);
}

void ui_super_hints(struct sbuf *b)
{
	const struct mcase *c = ui_super_current();

	super_hint(b, ACTION_VIEW_SUPERVISOR, _("next section"));
	if (app->sv.sec != SUP_SUPERVISED)
		super_hint(b, ACTION_CYCLE_SORT, _("group by"));
	if (app->sv.sec == SUP_STATS) {
		super_hint(b, ACTION_FILTER, _("period"));
		super_hint(b, ACTION_SEARCH, _("town or school"));
		if (app->sv.scope[0])
			super_hint(b, ACTION_FILTER_CLEAR, _("all"));
	} else {
		super_hint(b, ACTION_OPEN, _("open"));
		if (c && !steps_why_not(ACTION_SUPERVISE, c))
			super_hint(b, ACTION_SUPERVISE, _("supervise"));
		if (c && !steps_why_not(ACTION_UNSUPERVISE, c))
			super_hint(b, ACTION_UNSUPERVISE, _("lift supervision"));
	}
	super_hint(b, ACTION_RELOAD, _("reload"));
	super_hint(b, ACTION_HELP, _("help"));
	super_hint(b, ACTION_BACK, _("back"));
}

static bool super_move(long *cur, long n, long h, enum action a)
{
	if (!layout_move(cur, n, h, a))
		return false;
	app->redraw |= RD_BODY | RD_STATUS;
	return true;
}

bool ui_super_action(enum action a)
{
	struct super *s = &app->sv;
	long h = getmaxy(app->body) - 2;
	const struct mcase *c;

	switch (a) {
	case ACTION_VIEW_SUPERVISOR:
		s->sec = (enum sup_section)((s->sec + 1) % SUP_NSECTIONS);
		super_load();
		return true;
	case ACTION_CYCLE_SORT:
		if (s->sec == SUP_OVERDUE) {
			s->ogroup = (enum sup_group)((s->ogroup + 1) % SUPG_SCHOOL);
			s->ocur = s->otop = 0;
			super_regroup();
			app_message(false, _("Overdue stages grouped by %s."), _(super_group_name(s->ogroup)));
		} else if (s->sec == SUP_STATS) {
			s->sgroup = (enum sup_group)((s->sgroup + 1) % SUPG_COUNT);
			super_load();
		}
		return true;
	case ACTION_FILTER:
		if (s->sec != SUP_STATS)
			return false;
		steps_reset();
		app->pr.step.act = ACTION_STATS;
		prompt_open(PR_NOTE, _("Period (2026-11, 2026-W47 or 2026-11-05): "), s->period);
		return true;
	case ACTION_SEARCH:
		if (s->sec != SUP_STATS)
			return false;
		steps_reset();
		app->pr.step.act = ACTION_STATS;
		prompt_pick_open('g', _("Statistics of which town or school (type to search; the district for all): "));
		return true;
	case ACTION_FILTER_CLEAR:
		if (s->sec != SUP_STATS || !s->scope[0])
			return false;
		super_set_scope("");
		return true;
	case ACTION_OPEN:
		if (s->sec == SUP_STATS || !(c = ui_super_current()))
			return true;
		app->detail_from = VIEW_SUPERVISOR;
		app_load_detail(c->id);
		app->det.scroll = 0;
		ui_set_view(VIEW_DETAIL);
		return true;
	default:
		break;
	}
	if (s->sec == SUP_OVERDUE)
		return super_move(&s->ocur, (long)s->nlines, h, a);
	if (s->sec == SUP_SUPERVISED)
		return super_move(&s->scur, (long)s->nsup, h, a);
	switch (a) {
	case ACTION_MOVE_UP:
		if (s->scroll > 0)
			s->scroll--;
		break;
	case ACTION_MOVE_DOWN:
		s->scroll++;
		break;
	case ACTION_PAGE_UP:
		s->scroll = s->scroll > h ? s->scroll - (int)h : 0;
		break;
	case ACTION_PAGE_DOWN:
		s->scroll += (int)h;
		break;
	case ACTION_MOVE_FIRST:
		s->scroll = 0;
		break;
	case ACTION_MOVE_LAST:
		s->scroll = 1 << 20;
		break;
	default:
		return false;
	}
	app->redraw |= RD_BODY;
	return true;
}
