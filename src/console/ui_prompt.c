/* ui_prompt.c — the prompt line (search, filter, notes typed in place with
 * full UTF-8), y/n questions before irreversible steps, and the searchable
 * unit picker. */
#include "xiaoan/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/i18n.h"
#include "xiaoan/layout.h"
#include "xiaoan/palette.h"
#include "xiaoan/text.h"

static WINDOW *pick_win;

void prompt_open(enum prompt_kind kind, const char *label, const char *init)
{
	app->pr.kind = kind;
	xstrlcpy(app->pr.label, label, sizeof app->pr.label);
	/* 2000 characters: the database's limit for notes. */
	lineedit_init(&app->pr.le, kind == PR_YESNO ? NULL : init, kind == PR_NOTE ? 2000 : 250);
	app->redraw |= RD_STATUS;
}

void prompt_close(void)
{
	if (app->pr.kind == PR_PICK) {
		if (pick_win)
			delwin(pick_win);
		pick_win = NULL;
		free(app->pr.items);
		app->pr.items = NULL;
		app->pr.nitems = 0;
		/* The picker covered part of the list. */
		app->redraw |= RD_ALL;
	}
	app->pr.kind = PR_NONE;
	curs_set(0);
	app->redraw |= RD_STATUS;
}

void prompt_resize(void)
{
	/* The picker is sized to the screen: make it again at the new size. */
	if (pick_win)
		delwin(pick_win);
	pick_win = NULL;
}

static bool pick_wanted(const struct munit *u)
{
	const struct mcase *c = model_find(&app->m, app->pr.step.id);

	if (app->pr.pick_kind == 't')
		return strcmp(u->kind, "town") == 0;
	if (app->pr.pick_kind == 'g')
		return strcmp(u->kind, "district") == 0 || strcmp(u->kind, "town") == 0 || strcmp(u->kind, "school") == 0;
	if (app->pr.pick_kind == 'a')
		return strcmp(u->kind, "city") != 0 && strcmp(u->kind, "district") != 0 && strcmp(u->kind, "town") != 0 &&
		       (!c || strcmp(c->holder, u->code) != 0);
	if (app->pr.pick_kind == 's')
		return strcmp(u->kind, "school") == 0 &&
		       (strcmp(app->me.role, "town_staff") != 0 || strcmp(u->town, app->me.town) == 0);
	if (strcmp(u->kind, "city") == 0 || strcmp(u->kind, "district") == 0 || strcmp(u->kind, "town") == 0)
		return false;
	return !c || strcmp(c->holder, u->code) != 0;
}

static void pick_refilter(void)
{
	const char *q = app->pr.le.buf;

	free(app->pr.items);
	app->pr.items = xcalloc(app->m.nunits + app->ncats + 4, sizeof *app->pr.items);
	app->pr.nitems = 0;
	if (app->pr.pick_kind == 'c' || app->pr.pick_kind == 'o') {
		const struct munit *from = app->pr.pick_kind == 'c' ? app->cats : app->outcomes;
		size_t n = app->pr.pick_kind == 'c' ? app->ncats : XA_ARRAY_LEN(app->outcomes);
		for (size_t i = 0; i < n; i++) {
			const struct munit *u = &from[i];
			if (*q && !strcasestr(u->code, q) && !(u->name && strcasestr(u->name, q)))
				continue;
			app->pr.items[app->pr.nitems++] = u;
		}
		app->pr.cur = app->pr.top = 0;
		return;
	}
	/* A hazard's holder comes first: picking it keeps the hazard. */
	if (app->pr.pick_kind == 'a') {
		const struct mcase *c = model_find(&app->m, app->pr.step.id);
		const struct munit *h = c ? model_unit(&app->m, c->holder) : NULL;
		if (!h && app->det.id == app->pr.step.id)
			h = model_unit(&app->m, app->det.c.holder);
		if (h && (!*q || strcasestr(h->code, q) || (h->name && strcasestr(h->name, q))))
			app->pr.items[app->pr.nitems++] = h;
	}
	/* Departments and towns first, schools last: the usual targets on top. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < app->m.nunits; i++) {
			const struct munit *u = &app->m.units[i];
			bool school = strcmp(u->kind, "school") == 0;
			if (school != (pass == 1) || !pick_wanted(u))
				continue;
			if (*q && !strcasestr(u->code, q) && !(u->name && strcasestr(u->name, q)))
				continue;
			app->pr.items[app->pr.nitems++] = u;
		}
	app->pr.cur = 0;
	app->pr.top = 0;
}

void prompt_pick_open(char kind, const char *label)
{
	app->pr.pick_kind = kind;
	prompt_open(PR_PICK, label, NULL);
	pick_refilter();
}

static void prompt_search_live(void)
{
	xstrlcpy(app->m.filter.text, app->pr.le.buf, sizeof app->m.filter.text);
	app->m.dirty = true;
	app->top = 0;
	app->cur_id = 0; /* the cursor goes to the first match */
}

void prompt_key(int key)
{
	struct prompt *pr = &app->pr;
	enum lineedit_result r;
	char text[LINEEDIT_MAX];

	if (pr->kind == PR_YESNO) {
		if (key == 'y' || key == 'Y') {
			prompt_close();
			steps_confirmed();
		} else if (key == 'n' || key == 'N' || key == 27 || key == 7) {
			prompt_close();
			steps_cancel();
		}
		return;
	}
	if (pr->kind == PR_PICK) {
		switch (key) {
		case KEYMAP_FKEY | KEY_UP:
			if (pr->cur > 0)
				pr->cur--;
			return;
		case KEYMAP_FKEY | KEY_DOWN:
			if (pr->cur + 1 < pr->nitems)
				pr->cur++;
			return;
		case KEYMAP_FKEY | KEY_PPAGE:
			pr->cur = pr->cur > 10 ? pr->cur - 10 : 0;
			return;
		case KEYMAP_FKEY | KEY_NPAGE:
			pr->cur = pr->cur + 10 < pr->nitems ? pr->cur + 10 : (pr->nitems ? pr->nitems - 1 : 0);
			return;
		default:
			break;
		}
	}
	r = lineedit_key(&pr->le, key);
	if (r == LE_CANCEL) {
		enum prompt_kind k = pr->kind;
		prompt_close();
		if (k == PR_SEARCH) {
			app->m.filter.text[0] = '\0';
			app->m.dirty = true;
		} else if (k == PR_NOTE || k == PR_PICK) {
			steps_cancel();
		}
		return;
	}
	if (r == LE_CHANGED) {
		if (pr->kind == PR_PICK)
			pick_refilter();
		else if (pr->kind == PR_SEARCH)
			prompt_search_live();
		return;
	}
	if (r != LE_ENTER)
		return;
	xstrlcpy(text, pr->le.buf, sizeof text);
	switch (pr->kind) {
	case PR_SEARCH:
		prompt_close();
		prompt_search_live();
		xstrlcpy(app->m.filter.text, text, sizeof app->m.filter.text);
		break;
	case PR_FILTER: {
		struct mfilter f;
		char err[256];
		if (model_filter_parse(&app->m, text, &f, err, sizeof err) != 0) {
			app_message(true, "%s", err);
			return;
		}
		/* The search text is the search prompt's; keep it unless typed here. */
		if (!f.text[0])
			xstrlcpy(f.text, app->m.filter.text, sizeof f.text);
		f.watch = app->m.filter.watch;
		app->m.filter = f;
		app->m.dirty = true;
		app->top = 0;
		app->cur_id = 0;
		prompt_close();
		break;
	}
	case PR_NOTE:
		prompt_close();
		steps_note_done(text);
		break;
	case PR_PICK:
		if (!pr->nitems) {
			app_message(true, "%s", _("No unit matches: change the search text."));
			return;
		}
		xstrlcpy(text, pr->items[pr->cur]->code, sizeof text);
		prompt_close();
		steps_pick_done(text);
		break;
	default:
		prompt_close();
		break;
	}
}

void prompt_pick_draw(void)
{
	int h = app->rows - 8, w = app->cols - 10, y0 = 3, x0 = 5;
	struct prompt *pr = &app->pr;
	char line[512];

	if (h < 5)
		return;
	if (!pick_win)
		pick_win = newwin(h, w, y0, x0);
	werase(pick_win);
	ui_attr(pick_win, TH_BORDER);
	box(pick_win, 0, 0);
	ui_attr(pick_win, TH_TITLE);
	snprintf(line, sizeof line, _(" %zu units match "), pr->nitems);
	ui_put(pick_win, 0, 2, w - 4, line, 0);
	if (pr->cur < pr->top)
		pr->top = pr->cur;
	if (pr->cur >= pr->top + (size_t)(h - 2))
		pr->top = pr->cur - (size_t)(h - 2) + 1;
	for (int y = 0; y < h - 2; y++) {
		size_t i = pr->top + (size_t)y;
		const struct munit *u;
		if (i >= pr->nitems)
			break;
		u = pr->items[i];
		ui_attr(pick_win, i == pr->cur ? TH_SELECTED : TH_NORMAL);
		snprintf(line, sizeof line, "%-12s %s", u->code, u->name ? u->name : "");
		ui_put(pick_win, y + 1, 1, w - 2, line, 0);
	}
	wnoutrefresh(pick_win);
}

void prompt_draw(void)
{
	WINDOW *w = app->status;
	struct prompt *pr = &app->pr;
	int lw, avail, cx;
	char shown[LINEEDIT_MAX];
	size_t i;

	if (pr->kind == PR_PICK)
		prompt_pick_draw();
	ui_attr(w, TH_PROMPT);
	mvwhline(w, 1, 0, ' ', app->cols);
	lw = text_width(pr->label);
	if (lw > app->cols / 2)
		lw = app->cols / 2;
	ui_put(w, 1, 0, lw, pr->label, 0);
	if (pr->kind == PR_YESNO) {
		curs_set(0);
		wnoutrefresh(w);
		return;
	}
	avail = app->cols - lw - 1;
	cx = lineedit_view(&pr->le, avail);
	/* From the scroll position on, as much as fits: never half a character. */
	i = pr->le.len - pr->le.scroll;
	memcpy(shown, pr->le.buf + pr->le.scroll, i);
	shown[i] = '\0';
	ui_attr(w, TH_NORMAL);
	ui_put(w, 1, lw, avail, shown, 0);
	wmove(w, 1, lw + cx);
	curs_set(1);
	wnoutrefresh(w);
}
