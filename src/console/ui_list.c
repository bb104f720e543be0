/* ui_list.c — the case lists (dispatch and supervision), the schools
 * dashboard and one school's page. A tick redraws only countdown cells
 * whose text changed. */
#include "xiaoan/console.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/i18n.h"
#include "xiaoan/layout.h"
#include "xiaoan/palette.h"
#include "xiaoan/text.h"
#include "xiaoan/xtime.h"

enum { C_MARK, C_ID, C_TYPE, C_SCHOOL, C_TOWN, C_HOLDER, C_STATE, C_DUE, C_SUP, C_SUMMARY, C_N };

static struct layout_col list_cols[C_N] = {
	[C_MARK] = { "", 2, 2, 0, 0, 0, 0 },
	[C_ID] = { N_("Case"), 6, 6, 0, LAYOUT_RIGHT, 0, 0 },
	[C_TYPE] = { N_("Type"), 8, 16, 1, 0, 0, 0 },
	[C_SCHOOL] = { N_("School"), 12, 30, 3, 0, 0, 0 },
	[C_TOWN] = { N_("Town"), 8, 12, 1, 0, 0, 0 },
	[C_HOLDER] = { N_("Holder"), 8, 22, 2, 0, 0, 0 },
	[C_STATE] = { N_("State"), 6, 11, 1, 0, 0, 0 },
	[C_DUE] = { N_("Next due"), 8, 8, 0, LAYOUT_RIGHT, 0, 0 },
	[C_SUP] = { N_("Sup"), 3, 3, 0, 0, 0, 0 },
	[C_SUMMARY] = { N_("Summary"), 12, 0, 4, LAYOUT_OPTIONAL, 0, 0 },
};

static enum theme_element list_state_el(enum model_state s)
{
	static const enum theme_element el[] = { TH_STATE_NEW, TH_STATE_SIGNED, TH_STATE_IN_PROGRESS, TH_STATE_CLOSED,
						 TH_STATE_CONFIRMED };
	return (unsigned)s < MS_COUNT ? el[s] : TH_NORMAL;
}

static int list_height(void)
{
	return getmaxy(app->body) - 1;
}

/* The cursor's index in the view, following the case it was on. */
long ui_list_cursor(void)
{
	static long last;
	long i;

	if (app->m.nview == 0)
		return -1;
	i = app->cur_id ? model_view_index(&app->m, app->cur_id) : -1;
	if (i < 0) {
		i = last < (long)app->m.nview ? last : (long)app->m.nview - 1;
		if (i < 0)
			i = 0;
		app->cur_id = app->m.view[i]->id;
	}
	last = i;
	return i;
}

static void list_header(WINDOW *w, const struct layout_col *cols, size_t n)
{
	ui_attr(w, TH_TITLE);
	wattron(w, A_UNDERLINE);
	mvwhline(w, 0, 0, ' ', getmaxx(w));
	for (size_t i = 0; i < n; i++)
		ui_put(w, 0, cols[i].x, cols[i].w, cols[i].title[0] ? _(cols[i].title) : "", cols[i].flags & LAYOUT_RIGHT);
}

/* One case row at body line y. */
static void list_row(WINDOW *w, int y, const struct mcase *c, bool cursor, int64_t now, bool stale)
{
	const struct layout_col *k = list_cols;
	char idbuf[24], mark[8];
	enum theme_element base = cursor ? TH_SELECTED : c->unseen ? TH_NEW : stale ? TH_DIM : TH_NORMAL;

	ui_attr(w, base);
	mvwhline(w, y, 0, ' ', getmaxx(w));
	snprintf(mark, sizeof mark, "%c%c", c->selected ? '*' : ' ', c->unseen ? 'N' : stale ? '~' : ' ');
	if (c->selected && !cursor)
		ui_attr(w, TH_MARKED);
	ui_put(w, y, k[C_MARK].x, k[C_MARK].w, mark, 0);
	ui_attr(w, base);
	snprintf(idbuf, sizeof idbuf, "%" PRId64, c->id);
	ui_put(w, y, k[C_ID].x, k[C_ID].w, idbuf, LAYOUT_RIGHT);
	if (!cursor && c->severity >= MSEV_HIGH)
		ui_attr(w, c->severity == MSEV_CRITICAL ? TH_SEVERITY_CRITICAL : TH_SEVERITY_HIGH);
	ui_put(w, y, k[C_TYPE].x, k[C_TYPE].w, model_type_name(&app->m, c->type), 0);
	ui_attr(w, base);
	ui_put(w, y, k[C_SCHOOL].x, k[C_SCHOOL].w, model_unit_name(&app->m, c->school), 0);
	ui_put(w, y, k[C_TOWN].x, k[C_TOWN].w, model_unit_name(&app->m, c->town), 0);
	ui_put(w, y, k[C_HOLDER].x, k[C_HOLDER].w, model_unit_name(&app->m, c->holder), 0);
	if (!cursor)
		ui_attr(w, list_state_el(c->state));
	ui_put(w, y, k[C_STATE].x, k[C_STATE].w, ui_state_label(c->state), 0);
	ui_attr(w, base);
	if (c->supervised && !cursor)
		ui_attr(w, TH_SUPERVISED);
	ui_put(w, y, k[C_SUP].x, k[C_SUP].w, c->supervised ? _("SUP") : "", 0);
	ui_attr(w, base);
	ui_put(w, y, k[C_SUMMARY].x, k[C_SUMMARY].w, c->summary, 0);
	ui_draw_countdown(w, y, k[C_DUE].x, k[C_DUE].w, c, now);
}

static void list_cd_remember(int y, const struct mcase *c, int64_t now)
{
	char f[SLA_FORMAT_SIZE] = "";

	if (y >= CONSOLE_MAX_ROWS)
		return;
	if (c->next_due)
		sla_format(c->next_due - now, f, sizeof f);
	snprintf(app->cd_text[y], sizeof app->cd_text[y], "%s", f);
}

/* The countdown cells only: a tick costs the bytes of the digits that moved. */
static void list_tick(WINDOW *w, const struct mcase *const *rows, size_t n, long top, int y0, int64_t now)
{
	int h = getmaxy(w);

	for (int y = y0; y < h && y < CONSOLE_MAX_ROWS; y++) {
		long i = top + (y - y0);
		char f[SLA_FORMAT_SIZE] = "";
		if (i >= (long)n)
			break;
		if (rows[i]->next_due)
			sla_format(rows[i]->next_due - now, f, sizeof f);
		if (strcmp(f, app->cd_text[y]) == 0)
			continue;
		ui_draw_countdown(w, y, app->cd_x, app->cd_w, rows[i], now);
		snprintf(app->cd_text[y], sizeof app->cd_text[y], "%s", f);
	}
	wnoutrefresh(w);
}

void ui_list_draw(bool tick_only)
{
	WINDOW *w = app->body;
	long cur = ui_list_cursor(), h = list_height();
	int64_t now = app_now();
	bool stale = app->hub != CS_LIVE;

	if (tick_only) {
		list_tick(w, (const struct mcase *const *)app->m.view, app->m.nview, app->top, 1, now);
		return;
	}
	layout_fit(list_cols, C_N, getmaxx(w));
	app->cd_x = list_cols[C_DUE].x;
	app->cd_w = list_cols[C_DUE].w;
	if (cur >= 0) {
		if (cur < app->top)
			app->top = cur;
		if (cur >= app->top + h)
			app->top = cur - h + 1;
		/* The cursor has been on it: it is no longer new to this user. */
		if (app->m.view[cur]->unseen) {
			app->m.view[cur]->unseen = false;
			app->redraw |= RD_HEADER;
		}
	}
	if (app->top > 0 && app->top + h > (long)app->m.nview)
		app->top = (long)app->m.nview > h ? (long)app->m.nview - h : 0;
	werase(w);
	list_header(w, list_cols, C_N);
	for (long y = 0; y < h; y++) {
		long i = app->top + y;
		if (i >= (long)app->m.nview) {
			if (y + 1 < CONSOLE_MAX_ROWS)
				app->cd_text[y + 1][0] = '\0';
			continue;
		}
		list_row(w, (int)y + 1, app->m.view[i], i == cur, now, stale);
		list_cd_remember((int)y + 1, app->m.view[i], now);
	}
	if (app->m.nview == 0) {
		ui_attr(w, TH_DIM);
		ui_put(w, 2, 2, getmaxx(w) - 4,
		       !app->cases_loaded ? _("Loading cases…")
		       : model_filter_active(&app->m.filter) ? _("No case matches the filter (F clears it).")
							     : _("No open cases."),
		       0);
	}
	wnoutrefresh(w);
}

static void list_open_case(const struct mcase *c)
{
	if (!c)
		return;
	app->detail_from = app->view;
	app_load_detail(c->id);
	app->det.scroll = 0;
	ui_set_view(VIEW_DETAIL);
}

bool ui_list_action(enum action a)
{
	long cur = ui_list_cursor();
	struct mcase *c = cur >= 0 ? app->m.view[cur] : NULL;

	if (layout_move(&cur, (long)app->m.nview, list_height(), a)) {
		if (cur >= 0 && cur < (long)app->m.nview)
			app->cur_id = app->m.view[cur]->id;
		app->redraw |= RD_BODY | RD_STATUS;
		return true;
	}
	switch (a) {
	case ACTION_OPEN:
		list_open_case(c);
		return true;
	case ACTION_TOGGLE_SELECT:
		if (c) {
			c->selected = !c->selected;
			if (cur + 1 < (long)app->m.nview)
				app->cur_id = app->m.view[cur + 1]->id;
		}
		app->redraw |= RD_BODY | RD_STATUS;
		return true;
	case ACTION_SELECT_ALL_NEW: {
		int n = 0;
		for (size_t i = 0; i < app->m.nview; i++)
			if (app->m.view[i]->state == MS_NEW && !steps_why_not(ACTION_SIGN, app->m.view[i])) {
				app->m.view[i]->selected = true;
				n++;
			}
		app_message(false, _("%d new cases selected."), n);
		app->redraw |= RD_BODY;
		return true;
	}
	case ACTION_BACK:
		if (app->view == VIEW_SUPERVISOR) {
			ui_set_view(VIEW_DISPATCH);
			return true;
		}
		return true;
	default:
		return false;
	}
}

/* ---- schools ------------------------------------------------------------------- */

static const char *const schools_base_types[4] = { "guard_absent", "gate_open", "panic_alarm", "patrol_post" };

static bool schools_mine(const struct munit *u)
{
	if (strcmp(app->me.role, "school_officer") == 0)
		return strcmp(u->code, app->me.unit) == 0;
	if (strcmp(app->me.role, "town_staff") == 0 && app->me.town[0])
		return strcmp(u->town, app->me.town) == 0;
	return true;
}

static int schools_cmp(const void *pa, const void *pb)
{
	const struct school_row *a = pa, *b = pb;
	if (a->overdue != b->overdue)
		return b->overdue - a->overdue;
	if (a->open != b->open)
		return b->open - a->open;
	return strcmp(a->u->code, b->u->code);
}

/* bsearch: a school code against a row (rows in unit order, i.e. by code). */
static int schools_code_cmp(const void *key, const void *row)
{
	return strcmp(key, ((const struct school_row *)row)->u->code);
}

void ui_schools_rebuild(void)
{
	size_t n = 0;
	int64_t now = app_now();

	app->schools_stale = false;

	free(app->schools);
	app->schools = xcalloc(app->m.nunits ? app->m.nunits : 1, sizeof *app->schools);
	for (size_t i = 0; i < app->m.nunits; i++) {
		const struct munit *u = &app->m.units[i];
		if (strcmp(u->kind, "school") != 0 || !schools_mine(u))
			continue;
		app->schools[n].u = u;
		for (int b = 0; b < 4; b++)
			app->schools[n].base_ok[b] = true;
		n++;
	}
	app->nschools = n;
	/* One pass over the cases, tens of thousands of them on a busy day:
	 * the rows are still in unit order, so each case's school is a binary
	 * search away. */
	for (size_t i = 0; i < app->m.n; i++) {
		const struct mcase *c = &app->m.cases[i];
		struct school_row *r = bsearch(c->school, app->schools, n, sizeof *r, schools_code_cmp);
		if (!r)
			continue;
		r->open++;
		if (c->urgency == SLA_OVERDUE)
			r->overdue++;
		if (c->next_due && (!r->next_due || c->next_due < r->next_due)) {
			r->next_due = c->next_due;
			r->urgency = c->urgency;
		}
		for (int b = 0; b < 4; b++)
			if (strcmp(c->type, schools_base_types[b]) == 0)
				r->base_ok[b] = false;
	}
	for (size_t i = 0; i < app->nrecent; i++)
		for (size_t s = 0; s < n; s++)
			if (strcmp(app->schools[s].u->code, app->recent[i].school) == 0)
				app->schools[s].recent30 += app->recent[i].n;
	if (n > 1)
		qsort(app->schools, n, sizeof *app->schools, schools_cmp);
	(void)now;
	if (app->view == VIEW_SCHOOLS || app->view == VIEW_SCHOOL)
		app->redraw |= RD_BODY;
}

enum { S_NAME, S_TOWN, S_OPEN, S_OVER, S_DUE, S_B1, S_B2, S_B3, S_B4, S_30, S_N };

static struct layout_col school_cols[S_N] = {
	[S_NAME] = { N_("School"), 16, 36, 3, 0, 0, 0 },
	[S_TOWN] = { N_("Town"), 6, 12, 1, 0, 0, 0 },
	[S_OPEN] = { N_("Open"), 5, 5, 0, LAYOUT_RIGHT, 0, 0 },
	[S_OVER] = { N_("Overdue"), 7, 7, 0, LAYOUT_RIGHT, 0, 0 },
	[S_DUE] = { N_("Next due"), 8, 8, 0, LAYOUT_RIGHT, 0, 0 },
	[S_B1] = { N_("Guards"), 6, 8, 0, 0, 0, 0 },
	[S_B2] = { N_("Closed"), 6, 8, 0, 0, 0, 0 },
	[S_B3] = { N_("Alarm"), 6, 8, 0, 0, 0, 0 },
	[S_B4] = { N_("Post"), 6, 8, 0, 0, 0, 0 },
	[S_30] = { N_("30 days"), 7, 7, 0, LAYOUT_RIGHT | LAYOUT_OPTIONAL, 0, 0 },
};

static void schools_countdown(WINDOW *w, int y, const struct school_row *r, int64_t now)
{
	struct mcase fake;

	memset(&fake, 0, sizeof fake);
	fake.next_due = r->next_due;
	fake.urgency = r->urgency;
	ui_draw_countdown(w, y, school_cols[S_DUE].x, school_cols[S_DUE].w, &fake, now);
}

void ui_schools_draw(bool tick_only)
{
	WINDOW *w = app->body;
	long h = getmaxy(w) - 1, cur = app->school_cur;
	int64_t now = app_now();

	if (cur >= (long)app->nschools)
		cur = app->school_cur = (long)app->nschools - 1;
	if (cur < 0)
		cur = app->school_cur = 0;
	if (cur < app->school_top)
		app->school_top = cur;
	if (cur >= app->school_top + h)
		app->school_top = cur - h + 1;
	if (tick_only) {
		for (long y = 0; y < h; y++) {
			long i = app->school_top + y;
			if (i >= (long)app->nschools)
				break;
			if (app->schools[i].next_due)
				schools_countdown(w, (int)y + 1, &app->schools[i], now);
		}
		wnoutrefresh(w);
		return;
	}
	layout_fit(school_cols, S_N, getmaxx(w));
	werase(w);
	list_header(w, school_cols, S_N);
	for (long y = 0; y < h; y++) {
		long i = app->school_top + y;
		const struct school_row *r;
		char num[16];
		if (i >= (long)app->nschools)
			break;
		r = &app->schools[i];
		ui_attr(w, i == cur ? TH_SELECTED : TH_NORMAL);
		mvwhline(w, (int)y + 1, 0, ' ', getmaxx(w));
		ui_put(w, (int)y + 1, school_cols[S_NAME].x, school_cols[S_NAME].w, r->u->name, 0);
		ui_put(w, (int)y + 1, school_cols[S_TOWN].x, school_cols[S_TOWN].w, model_unit_name(&app->m, r->u->town), 0);
		snprintf(num, sizeof num, "%d", r->open);
		ui_put(w, (int)y + 1, school_cols[S_OPEN].x, school_cols[S_OPEN].w, num, LAYOUT_RIGHT);
		snprintf(num, sizeof num, "%d", r->overdue);
		if (r->overdue && i != cur)
			ui_attr(w, TH_COUNTDOWN_OVERDUE);
		ui_put(w, (int)y + 1, school_cols[S_OVER].x, school_cols[S_OVER].w, num, LAYOUT_RIGHT);
		for (int b = 0; b < 4; b++) {
			ui_attr(w, i == cur ? TH_SELECTED : r->base_ok[b] ? TH_COUNTDOWN_OK : TH_COUNTDOWN_OVERDUE);
			ui_put(w, (int)y + 1, school_cols[S_B1 + b].x, school_cols[S_B1 + b].w,
			       r->base_ok[b] ? "✓" : "✗", 0);
		}
		ui_attr(w, i == cur ? TH_SELECTED : TH_NORMAL);
		snprintf(num, sizeof num, "%d", r->recent30);
		ui_put(w, (int)y + 1, school_cols[S_30].x, school_cols[S_30].w, num, LAYOUT_RIGHT);
		schools_countdown(w, (int)y + 1, r, now);
	}
	if (app->nschools == 0) {
		ui_attr(w, TH_DIM);
		ui_put(w, 2, 2, getmaxx(w) - 4, _("No schools to show."), 0);
	}
	wnoutrefresh(w);
}

bool ui_schools_action(enum action a)
{
	long cur = app->school_cur;

	if (layout_move(&cur, (long)app->nschools, getmaxy(app->body) - 1, a)) {
		app->school_cur = cur;
		app->redraw |= RD_BODY;
		return true;
	}
	if (a == ACTION_OPEN && app->nschools) {
		xstrlcpy(app->school_code, app->schools[app->school_cur].u->code, sizeof app->school_code);
		app->sc_cur = app->sc_top = 0;
		app_load_school_history(app->school_code);
		ui_set_view(VIEW_SCHOOL);
		return true;
	}
	if (a == ACTION_BACK) {
		ui_set_view(VIEW_DISPATCH);
		return true;
	}
	return false;
}

/* ---- one school ------------------------------------------------------------------ */

/* The school's open cases, most urgent first (from the dispatch view's
 * order when it is sorted by urgency, else its own). */
static size_t school_cases(const struct mcase ***out)
{
	size_t n = 0;
	const struct mcase **v = xcalloc(app->m.n ? app->m.n : 1, sizeof *v);

	for (size_t i = 0; i < app->m.n; i++)
		if (strcmp(app->m.cases[i].school, app->school_code) == 0)
			v[n++] = &app->m.cases[i];
	for (size_t i = 1; i < n; i++) {
		const struct mcase *c = v[i];
		size_t j = i;
		while (j > 0 && sla_compare_urgency(c->urgency, c->next_due, v[j - 1]->urgency, v[j - 1]->next_due) < 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = c;
	}
	*out = v;
	return n;
}

const struct mcase *ui_school_current(void)
{
	const struct mcase **v, *c = NULL;
	size_t n = school_cases(&v);

	if (n) {
		if (app->sc_cur >= (long)n)
			app->sc_cur = (long)n - 1;
		c = v[app->sc_cur];
	}
	free(v);
	return c;
}

void ui_school_draw(bool tick_only)
{
	WINDOW *w = app->body;
	const struct munit *u = model_unit(&app->m, app->school_code);
	const struct mcase **v;
	size_t n = school_cases(&v);
	int64_t now = app_now();
	int y = 0, h = getmaxy(w), lw = getmaxx(w);
	char line[512];

	/* The open cases take up to half the page; the history the rest. */
	int room = (h - 4) / 2 > 3 ? (h - 4) / 2 : h - 4;

	if (app->sc_cur >= (long)n)
		app->sc_cur = n ? (long)n - 1 : 0;
	if (app->sc_cur < app->sc_top)
		app->sc_top = app->sc_cur;
	if (app->sc_cur >= app->sc_top + room)
		app->sc_top = app->sc_cur - room + 1;
	if (tick_only) {
		list_tick(w, v, n < (size_t)(app->sc_top + room) ? n : (size_t)(app->sc_top + room), app->sc_top, 4,
			  now);
		free(v);
		return;
	}
	werase(w);
	layout_fit(list_cols, C_N, lw);
	app->cd_x = list_cols[C_DUE].x;
	app->cd_w = list_cols[C_DUE].w;
	ui_attr(w, TH_TITLE);
	snprintf(line, sizeof line, "%s (%s), %s", u ? u->name : app->school_code, app->school_code,
		 u ? model_unit_name(&app->m, u->town) : "");
	ui_put(w, y++, 0, lw, line, 0);
	ui_attr(w, TH_LABEL);
	snprintf(line, sizeof line, _("Safety officer: %s   phone: %s"), u && u->officer_name ? u->officer_name : "-",
		 u && u->officer_phone ? u->officer_phone : "-");
	ui_put(w, y++, 0, lw, line, 0);
	snprintf(line, sizeof line, _("Open cases: %zu"), n);
	ui_put(w, y++, 0, lw, line, 0);
	ui_attr(w, TH_TITLE);
	wattron(w, A_UNDERLINE);
	mvwhline(w, 3, 0, ' ', lw);
	for (size_t i = 0; i < C_N; i++)
		ui_put(w, 3, list_cols[i].x, list_cols[i].w, list_cols[i].title[0] ? _(list_cols[i].title) : "",
		       list_cols[i].flags & LAYOUT_RIGHT);
	y = 4;
	for (size_t i = (size_t)app->sc_top; i < n && y < 4 + room; i++, y++) {
		list_row(w, y, v[i], (long)i == app->sc_cur, now, app->hub != CS_LIVE);
		list_cd_remember(y, v[i], now);
	}
	for (int yy = y; yy < CONSOLE_MAX_ROWS && yy < h; yy++)
		app->cd_text[yy][0] = '\0';
	if (y < h - 1) {
		ui_attr(w, TH_TITLE);
		ui_put(w, ++y, 0, lw, _("Last 30 days"), 0);
		y++;
		ui_attr(w, TH_NORMAL);
		if (!app->hist_loaded)
			ui_put(w, y++, 2, lw - 2, _("Loading…"), 0);
		for (size_t i = 0; app->hist_loaded && i < app->nhist && y < h; i++, y++) {
			char when[32] = "";
			const struct hist_row *r = &app->hist[i];
			int st = model_state_parse(r->state);
			xtime_format_local(r->opened_at, app->utc_offset, "%m-%d %H:%M", when, sizeof when);
			char stl[64], tyl[64];
			layout_cell(st >= 0 ? ui_state_label((enum model_state)st) : r->state, 11, 0, stl, sizeof stl);
			layout_cell(model_type_name(&app->m, r->type), 16, 0, tyl, sizeof tyl);
			snprintf(line, sizeof line, "%6" PRId64 "  %s  %s %s %s", r->id, when, stl, tyl, r->summary);
			ui_put(w, y, 0, lw, line, 0);
		}
	}
	free(v);
	wnoutrefresh(w);
}

bool ui_school_action(enum action a)
{
	const struct mcase **v;
	size_t n = school_cases(&v);
	long cur = app->sc_cur;
	bool done = false;

	if (layout_move(&cur, (long)n, (getmaxy(app->body) - 4) / 2, a)) {
		app->sc_cur = cur;
		app->redraw |= RD_BODY | RD_STATUS;
		done = true;
	} else if (a == ACTION_OPEN && n) {
		list_open_case(v[app->sc_cur < (long)n ? app->sc_cur : 0]);
		done = true;
	} else if (a == ACTION_BACK) {
		ui_set_view(VIEW_SCHOOLS);
		done = true;
	}
	free(v);
	return done;
}
