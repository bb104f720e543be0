/* ui_detail.c — a case's page (every field, the three stage clocks, the
 * parties and the audit trail) and the help screen built from the keymap. */
#include "xiaoan/console.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/detfmt.h"
#include "xiaoan/i18n.h"
#include "xiaoan/layout.h"
#include "xiaoan/palette.h"
#include "xiaoan/text.h"
#include "xiaoan/xtime.h"

void ui_detail_free_events(struct detail *d)
{
	for (size_t i = 0; i < d->nev; i++) {
		free(d->ev[i].actor_name);
		free(d->ev[i].unit);
		free(d->ev[i].from_unit);
		free(d->ev[i].to_unit);
		free(d->ev[i].note);
	}
	free(d->ev);
	d->ev = NULL;
	d->nev = 0;
}

void ui_detail_free(struct detail *d)
{
	free(d->c.summary);
	free(d->grade);
	free(d->source);
	free(d->source_id);
	free(d->signed_by);
	free(d->supervise_note);
	free(d->supervise_until);
	free(d->details);
	free(d->private_summary);
	free(d->private_details);
	detfmt_free(&d->fmt);
	ui_detail_free_events(d);
	free(d->units);
	hazard_detail_free(&d->hz);
	memset(d, 0, sizeof *d);
}

/* Lines are laid out on a virtual page; the window shows from scroll on. */
struct page {
	WINDOW *w;
	int y, scroll, h, cols;
};

static void page_line(struct page *p, enum theme_element el, int indent, const char *text)
{
	int y = p->y++ - p->scroll;

	if (y < 0 || y >= p->h)
		return;
	ui_attr(p->w, el);
	ui_put(p->w, y, indent, p->cols - indent, text, 0);
}

static void detail_time(int64_t t, char *buf, size_t n)
{
	if (!t) {
		snprintf(buf, n, "-");
		return;
	}
	xtime_format_local(t, app->utc_offset, "%Y-%m-%d %H:%M:%S", buf, n);
}

static void detail_clock(struct page *p, const char *label, const struct sla_clock *k, int64_t now)
{
	char due[32], left[SLA_FORMAT_SIZE], done[32], text[512], lab[128], line[700];
	enum sla_urgency u = sla_classify(k, now);
	enum theme_element el = TH_NORMAL;

	detail_time(k->due, due, sizeof due);
	if (!k->due && !k->done) {
		snprintf(text, sizeof text, "%s", _("no deadline"));
	} else if (u == SLA_MET || u == SLA_MET_LATE) {
		detail_time(k->done, done, sizeof done);
		snprintf(text, sizeof text, u == SLA_MET ? _("due %s, done at %s (on time)") : _("due %s, done at %s (late)"),
			 due, done);
		el = u == SLA_MET ? TH_COUNTDOWN_MET : TH_COUNTDOWN_DUE_SOON;
	} else if (u == SLA_OVERDUE) {
		sla_format(now - k->due, left, sizeof left);
		snprintf(text, sizeof text, _("due %s, OVERDUE by %s"), due, left);
		el = TH_COUNTDOWN_OVERDUE;
	} else {
		sla_format(k->due - now, left, sizeof left);
		snprintf(text, sizeof text, _("due %s, %s left"), due, left);
		el = u == SLA_DUE_SOON ? TH_COUNTDOWN_DUE_SOON : TH_COUNTDOWN_OK;
	}
	/* The stage names line up by display width, Chinese ones too. */
	layout_cell(label, 16, 0, lab, sizeof lab);
	snprintf(line, sizeof line, "%s %s", lab, text);
	page_line(p, el, 2, line);
}

static const char *detail_kind_label(const char *kind)
{
	static const struct {
		const char *kind, *label;
	} k[] = {
		{ "open", N_("opened") },        { "sign", N_("signed") },
		{ "feedback", N_("feedback") },  { "forward", N_("forwarded") },
		{ "escalate", N_("escalated") }, { "dispatch_down", N_("dispatched down") },
		{ "return", N_("returned") },    { "close", N_("closed") },
		{ "confirm", N_("confirmed") },  { "reopen", N_("reopened") },
		{ "supervise", N_("supervised") }, { "unsupervise", N_("supervision lifted") },
		{ "due_soon", N_("due soon") },  { "overdue", N_("overdue") },
		{ "assign", N_("assigned") },
	};
	for (size_t i = 0; i < XA_ARRAY_LEN(k); i++)
		if (strcmp(k[i].kind, kind) == 0)
			return _(k[i].label);
	return kind;
}

void ui_detail_format(struct detail *d)
{
	const char *src = d->private_details ? d->private_details : d->details;
	bool hazard = strcmp(d->c.type, "hazard") == 0;

	detfmt_free(&d->fmt);
	d->fmt_ok = detfmt_parse(src, hazard ? detfmt_hazard_labels : NULL, hazard ? detfmt_hazard_nlabels : 0,
				 &d->fmt);
}

/* The details (the producer's object, or what a hazard report stored) as
 * one "label: value" line each; text that is not a JSON object as it is. */
static void detail_details(struct page *p, const struct mcase *c)
{
	const struct detail *d = &app->det;
	const char *src = d->private_details ? d->private_details : d->details;
	bool hazard = strcmp(c->type, "hazard") == 0;

	if (!src)
		return;
	if (!d->fmt_ok) {
		char *line = xasprintf(_("Details: %s"), src);
		page_line(p, TH_DIM, 0, line);
		free(line);
		return;
	}
	if (!d->fmt.n)
		return;
	p->y++;
	page_line(p, TH_LABEL, 0, _("Details"));
	for (size_t i = 0; i < d->fmt.n; i++) {
		const struct detfmt_line *l = &d->fmt.line[i];
		const char *value = l->value;
		/* A hazard's category by its name, once the hazard's row is in. */
		if (hazard && d->hz.category && strcmp(l->key, "category") == 0)
			value = d->hz.category;
		/* TRANSLATORS: a line of a case's details: label, then value. */
		char *line = xasprintf(_("%s: %s"), l->label, value);
		page_line(p, TH_NORMAL, 2, line);
		free(line);
	}
}

static int detail_page(struct page *p)
{
	const struct detail *d = &app->det;
	const struct mcase *live = model_find(&app->m, d->id);
	const struct mcase *c = live ? live : &d->c;
	struct sla_clock k[SLA_NSTAGES];
	char line[1024], t1[32], t2[32];
	int64_t now = app_now();
	struct sbuf b;

	snprintf(line, sizeof line, _("Case %" PRId64 "  %s  [%s]  %s%s"), d->id, model_type_name(&app->m, c->type),
		 c->severity == MSEV_CRITICAL ? _("critical") : c->severity == MSEV_HIGH ? _("high")
			 : c->severity == MSEV_LOW ? _("low") : _("normal"),
		 ui_state_label(c->state), c->supervised ? _("  UNDER SUPERVISION") : "");
	page_line(p, TH_TITLE, 0, line);
	snprintf(line, sizeof line, _("Summary: %s"), d->c.summary ? d->c.summary : c->summary);
	page_line(p, TH_NORMAL, 0, line);
	if (d->private_summary) {
		snprintf(line, sizeof line, _("Personal details: %s"), d->private_summary);
		page_line(p, TH_NORMAL, 0, line);
	}
	snprintf(line, sizeof line, _("School: %s (%s)   Town: %s"), model_unit_name(&app->m, c->school), c->school,
		 model_unit_name(&app->m, c->town));
	page_line(p, TH_NORMAL, 0, line);
	snprintf(line, sizeof line, _("Holder: %s   Issuer: %s"), model_unit_name(&app->m, c->holder),
		 model_unit_name(&app->m, d->c.issuer[0] ? d->c.issuer : c->issuer));
	page_line(p, TH_NORMAL, 0, line);
	detail_time(d->occurred_at, t1, sizeof t1);
	detail_time(c->opened_at, t2, sizeof t2);
	snprintf(line, sizeof line, _("Occurred: %s   Opened: %s   Version: %" PRId64), t1, t2, c->version);
	page_line(p, TH_NORMAL, 0, line);
	snprintf(line, sizeof line, _("Source: %s / %s   Grade: %s   Reopened: %" PRId64 " times"),
		 d->source ? d->source : "-", d->source_id ? d->source_id : "-", d->grade ? d->grade : "-",
		 d->reopen_count);
	page_line(p, TH_NORMAL, 0, line);
	if (d->signed_by) {
		detail_time(c->signed_at, t1, sizeof t1);
		snprintf(line, sizeof line, _("Signed by %s at %s"), d->signed_by, t1);
		page_line(p, TH_NORMAL, 0, line);
	}
	if (c->supervised || d->supervise_note) {
		const char *why = d->supervise_note ? d->supervise_note
				  : d->supervise_note_hidden ? _(CONSOLE_NOTE_PRIVATE) : "-";
		snprintf(line, sizeof line, _("Supervision: %s (follow up by %s)"), why,
			 d->supervise_until ? d->supervise_until : "-");
		page_line(p, TH_SUPERVISED, 0, line);
	}
	if (d->hz.loaded) {
		const struct dhazard *h = &d->hz;
		detail_time(h->deadline, t1, sizeof t1);
		if (h->deadline)
			snprintf(line, sizeof line, _("Rectification deadline: %s (assigned by %s)"), t1,
				 h->assigned_by ? model_unit_name(&app->m, h->assigned_by) : "-");
		else
			snprintf(line, sizeof line, "%s", _("Rectification deadline: not assigned yet"));
		page_line(p, TH_NORMAL, 0, line);
		if (h->outcome) {
			if (h->committed)
				snprintf(line, sizeof line, _("Outcome: %s, to be completed by %s%s"), h->outcome_label,
					 h->committed, h->committed_overdue ? _(" (date passed)") : "");
			else
				snprintf(line, sizeof line, _("Outcome: %s%s"), h->outcome_label,
					 h->leadership_review ? _(" (for leadership review)") : "");
			page_line(p, h->committed_overdue || h->leadership_review ? TH_COUNTDOWN_OVERDUE : TH_NORMAL, 0, line);
		}
	}
	detail_details(p, c);
	p->y++;
	page_line(p, TH_LABEL, 0, _("Time limits"));
	model_clocks(c, k);
	detail_clock(p, _("Sign"), &k[SLA_SIGN], now);
	detail_clock(p, _("First feedback"), &k[SLA_FEEDBACK], now);
	detail_clock(p, _("Closed loop"), &k[SLA_CLOSE], now);
	p->y++;
	page_line(p, TH_LABEL, 0, _("Units on the case"));
	sbuf_init(&b);
	for (size_t i = 0; i < d->nunits; i++) {
		const char *rel = strcmp(d->units[i].relation, "holder") == 0 ? _("holder")
				  : strcmp(d->units[i].relation, "cc") == 0   ? _("cc")
									      : _("earlier holder");
		sbuf_addf(&b, "%s%s (%s)", i ? "; " : "", model_unit_name(&app->m, d->units[i].unit), rel);
	}
	page_line(p, TH_NORMAL, 2, b.s ? b.s : "-");
	sbuf_free(&b);
	p->y++;
	page_line(p, TH_LABEL, 0, _("Audit trail"));
	if (!d->nev)
		page_line(p, TH_DIM, 2, d->pending ? _("Loading…") : "-");
	for (size_t i = 0; i < d->nev; i++) {
		const struct devent *e = &d->ev[i];
		const char *note = e->note_hidden ? _(CONSOLE_NOTE_PRIVATE) : e->note;
		char when[32], to[200] = "", kind[64];
		detail_time(e->at, when, sizeof when);
		layout_cell(detail_kind_label(e->kind), 14, 0, kind, sizeof kind);
		if (e->to_unit[0])
			snprintf(to, sizeof to, " → %s", model_unit_name(&app->m, e->to_unit));
		snprintf(line, sizeof line, "%s  %s %s (%s)%s%s%s", when, kind, e->actor_name,
			 e->unit[0] ? model_unit_name(&app->m, e->unit) : "-", to, note[0] ? ": " : "", note);
		page_line(p, strcmp(e->kind, "overdue") == 0 ? TH_COUNTDOWN_OVERDUE : TH_NORMAL, 2, line);
	}
	return p->y;
}

void ui_detail_draw(void)
{
	struct page p = { app->body, 0, app->det.scroll, getmaxy(app->body), getmaxx(app->body) };

	werase(app->body);
	if (!app->det.loaded) {
		page_line(&p, TH_DIM, 0, _("Loading the case…"));
	} else {
		int total = detail_page(&p);
		if (app->det.scroll > 0 && app->det.scroll > total - p.h) {
			app->det.scroll = total - p.h > 0 ? total - p.h : 0;
			p.y = 0;
			p.scroll = app->det.scroll;
			werase(app->body);
			detail_page(&p);
		}
	}
	wnoutrefresh(app->body);
}

static bool page_scroll(int *scroll, enum action a, int h)
{
	switch (a) {
	case ACTION_MOVE_UP:
		(*scroll)--;
		break;
	case ACTION_MOVE_DOWN:
		(*scroll)++;
		break;
	case ACTION_PAGE_UP:
		*scroll -= h;
		break;
	case ACTION_PAGE_DOWN:
		*scroll += h;
		break;
	case ACTION_MOVE_FIRST:
		*scroll = 0;
		break;
	case ACTION_MOVE_LAST:
		*scroll += 10000;
		break;
	default:
		return false;
	}
	if (*scroll < 0)
		*scroll = 0;
	app->redraw |= RD_BODY;
	return true;
}

bool ui_detail_action(enum action a)
{
	if (page_scroll(&app->det.scroll, a, getmaxy(app->body) - 1))
		return true;
	if (a == ACTION_BACK) {
		ui_set_view(app->detail_from == VIEW_DETAIL ? VIEW_DISPATCH : app->detail_from);
		return true;
	}
	if (a == ACTION_OPEN) {
		app_load_detail(app->det.id);
		return true;
	}
	return false;
}

/* ---- help -------------------------------------------------------------------- */

/* Actions this user can never take are left out of the help, as from the
 * hints: what is shown can be done. */
static bool help_applicable(enum action a)
{
	bool sup = strcmp(app->me.role, "supervisor") == 0;
	const struct munit *u = model_unit(&app->m, app->me.unit);

	switch (a) {
	case ACTION_REPORT_HAZARD:
	case ACTION_LOG_VISIT:
		return steps_report_offered(a);
	case ACTION_STATS:
	case ACTION_VIEW_SUPERVISOR:
		return super_offered();
	case ACTION_SUPERVISE:
	case ACTION_UNSUPERVISE:
		return sup;
	case ACTION_CONFIRM:
	case ACTION_REOPEN:
		return sup || strcmp(app->me.unit, app->issuer) == 0;
	case ACTION_DISPATCH_DOWN:
		return sup || strcmp(app->me.role, "dispatcher") == 0 ||
		       (u && (strcmp(u->kind, "department") == 0 || strcmp(u->kind, "district") == 0));
	default:
		return true;
	}
}

void ui_help_draw(void)
{
	struct keymap_help_line lines[ACTION_COUNT];
	enum keymap_context ctx = ui_context(app->help_from);
	size_t n = keymap_help(app->km, ctx, lines, XA_ARRAY_LEN(lines));
	struct page p = { app->body, 0, app->help_scroll, getmaxy(app->body), getmaxx(app->body) };
	char line[512];

	if (n > XA_ARRAY_LEN(lines))
		n = XA_ARRAY_LEN(lines);
	werase(app->body);
	snprintf(line, sizeof line, _("Keys in the %s view (q or Esc closes this help)"), _(keymap_context_title(ctx)));
	page_line(&p, TH_TITLE, 0, line);
	p.y++;
	for (size_t i = 0; i < n; i++) {
		int y = p.y - p.scroll;
		if (!help_applicable(lines[i].action))
			continue;
		if (y >= 0 && y < p.h) {
			ui_attr(app->body, TH_HELP_KEY);
			ui_put(app->body, y, 2, 18, lines[i].keys, 0);
		}
		page_line(&p, TH_NORMAL, 21, _(lines[i].help));
	}
	wnoutrefresh(app->body);
}

bool ui_help_action(enum action a)
{
	if (page_scroll(&app->help_scroll, a, getmaxy(app->body) - 1))
		return true;
	if (a == ACTION_BACK || a == ACTION_HELP) {
		ui_set_view(app->help_from == VIEW_HELP ? VIEW_DISPATCH : app->help_from);
		return true;
	}
	return true; /* nothing else acts from the help screen */
}
