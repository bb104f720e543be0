/* steps.c — the case steps from the keyboard: who may do what (the same
 * rules as the engine's step_begin, so keys the user has no right to are
 * not offered), gathering the note, target and confirmation, and calling
 * the step function with the version the user saw. */
#include "xiaoan/console.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/i18n.h"
#include "xiaoan/supfmt.h"
#include "xiaoan/text.h"
#include "xiaoan/xtime.h"

static char steps_why[512];

static bool steps_role(const char *r)
{
	return strcmp(app->me.role, r) == 0;
}

static bool steps_holder_right(const struct mcase *c)
{
	return strcmp(c->holder, app->me.unit) == 0 || steps_role("dispatcher") || steps_role("supervisor");
}

static bool steps_issuer_right(const struct mcase *c)
{
	return strcmp(c->issuer, app->me.unit) == 0 || steps_role("supervisor");
}

bool steps_is_case_action(enum action act)
{
	switch (act) {
	case ACTION_SIGN:
	case ACTION_FEEDBACK:
	case ACTION_FORWARD:
	case ACTION_ESCALATE:
	case ACTION_DISPATCH_DOWN:
	case ACTION_RETURN:
	case ACTION_CLOSE:
	case ACTION_CONFIRM:
	case ACTION_REOPEN:
	case ACTION_SUPERVISE:
	case ACTION_UNSUPERVISE:
	case ACTION_ASSIGN:
		return true;
	default:
		return false;
	}
}

static const char *steps_not_holder(const struct mcase *c)
{
	snprintf(steps_why, sizeof steps_why, _("Case %" PRId64 " is held by %s: you cannot act on it."), c->id,
		 model_unit_name(&app->m, c->holder));
	return steps_why;
}

static const char *steps_wrong_state(const struct mcase *c, const char *fmt)
{
	snprintf(steps_why, sizeof steps_why, fmt, c->id, ui_state_label(c->state));
	return steps_why;
}

static bool steps_working(const struct mcase *c)
{
	return c->state == MS_NEW || c->state == MS_SIGNED || c->state == MS_IN_PROGRESS;
}

const char *steps_why_not(enum action act, const struct mcase *c)
{
	const struct munit *hu;

	if (!app->me.loaded)
		return _("Your officer record is not loaded yet.");
	if (!c)
		return _("No case is selected.");
	switch (act) {
	case ACTION_SIGN:
		if (c->state != MS_NEW)
			return steps_wrong_state(c, _("Case %" PRId64 " is %s: only new cases can be signed."));
		return steps_holder_right(c) ? NULL : steps_not_holder(c);
	case ACTION_FEEDBACK:
		if (c->state != MS_SIGNED)
			return steps_wrong_state(c, _("Case %" PRId64 " is %s: first feedback follows signing."));
		return steps_holder_right(c) ? NULL : steps_not_holder(c);
	case ACTION_FORWARD:
	case ACTION_ESCALATE:
	case ACTION_RETURN:
		if (!steps_working(c))
			return steps_wrong_state(c, _("Case %" PRId64 " is %s: it can no longer be handed on."));
		return steps_holder_right(c) ? NULL : steps_not_holder(c);
	case ACTION_DISPATCH_DOWN:
		if (!steps_working(c))
			return steps_wrong_state(c, _("Case %" PRId64 " is %s: it can no longer be handed on."));
		if (!steps_holder_right(c))
			return steps_not_holder(c);
		hu = model_unit(&app->m, c->holder);
		if (hu && strcmp(hu->kind, "department") != 0 && strcmp(hu->kind, "district") != 0) {
			snprintf(steps_why, sizeof steps_why,
				 _("Case %" PRId64 " is held by %s at town level: only district units dispatch down."),
				 c->id, model_unit_name(&app->m, c->holder));
			return steps_why;
		}
		return NULL;
	case ACTION_CLOSE:
		if (c->state != MS_SIGNED && c->state != MS_IN_PROGRESS)
			return steps_wrong_state(c, _("Case %" PRId64 " is %s: only signed cases can be closed."));
		return steps_holder_right(c) ? NULL : steps_not_holder(c);
	case ACTION_ASSIGN:
		return hazard_why_not_assign(c);
	case ACTION_CONFIRM:
	case ACTION_REOPEN:
		if (c->state != MS_CLOSED)
			return steps_wrong_state(c, _("Case %" PRId64 " is %s: only closed cases can be confirmed or reopened."));
		if (!steps_issuer_right(c)) {
			snprintf(steps_why, sizeof steps_why,
				 _("Case %" PRId64 " was issued by %s: only that unit or a supervisor can confirm or reopen it."),
				 c->id, model_unit_name(&app->m, c->issuer));
			return steps_why;
		}
		return NULL;
	case ACTION_SUPERVISE:
		if (!steps_role("supervisor"))
			return _("Only supervisors can put cases under supervision.");
		if (c->supervised) {
			snprintf(steps_why, sizeof steps_why, _("Case %" PRId64 " is already under supervision."), c->id);
			return steps_why;
		}
		return NULL;
	case ACTION_UNSUPERVISE:
		if (!steps_role("supervisor"))
			return _("Only supervisors can lift a supervision.");
		if (!c->supervised) {
			snprintf(steps_why, sizeof steps_why, _("Case %" PRId64 " is not under supervision."), c->id);
			return steps_why;
		}
		return NULL;
	default:
		return _("That is not a case step.");
	}
}

/* ---- running a step --------------------------------------------------------- */

struct steps_call {
	enum action act;
	int64_t id;
	struct steps_bulk *bulk;
};

struct steps_bulk {
	int total, answered, ok;
	char first_err[512];
};

static const char *steps_done_text(enum action act)
{
	switch (act) {
	case ACTION_SIGN:
		return _("Case %" PRId64 " signed.");
	case ACTION_FEEDBACK:
		return _("First feedback on case %" PRId64 " recorded.");
	case ACTION_FORWARD:
		return _("Case %" PRId64 " forwarded.");
	case ACTION_ESCALATE:
		return _("Case %" PRId64 " escalated.");
	case ACTION_DISPATCH_DOWN:
		return _("Case %" PRId64 " dispatched down.");
	case ACTION_RETURN:
		return _("Case %" PRId64 " returned.");
	case ACTION_CLOSE:
		return _("Case %" PRId64 " closed.");
	case ACTION_CONFIRM:
		return _("Case %" PRId64 " confirmed.");
	case ACTION_REOPEN:
		return _("Case %" PRId64 " reopened.");
	case ACTION_SUPERVISE:
		return _("Case %" PRId64 " is under supervision.");
	case ACTION_UNSUPERVISE:
		return _("Supervision of case %" PRId64 " lifted.");
	case ACTION_ASSIGN:
		return _("Hazard case %" PRId64 " assigned.");
	default:
		return "%" PRId64;
	}
}

static void steps_on_result(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	struct steps_call *call = ud;
	struct steps_bulk *bulk = call->bulk;

	(void)res;
	if (bulk) {
		bulk->answered++;
		if (err == DB_OK) {
			struct mcase *c = model_find(&app->m, call->id);
			bulk->ok++;
			if (c)
				c->selected = false;
		} else if (!bulk->first_err[0]) {
			xstrlcpy(bulk->first_err, msg, sizeof bulk->first_err);
		}
		if (bulk->answered == bulk->total) {
			if (bulk->ok == bulk->total)
				app_message(false, _("Signed %d of %d selected cases."), bulk->ok, bulk->total);
			else
				app_message(true, _("Signed %d of %d selected cases; first problem: %s"), bulk->ok,
					    bulk->total, bulk->first_err);
			free(bulk);
		}
	} else if (err == DB_OK) {
		app_message(false, steps_done_text(call->act), call->id);
	} else {
		/* The engine's messages are written for the officer: "case 17
		 * already signed by 王伟 (…) at 08:12:05". Show them as they are. */
		app_message(true, "%s", msg);
	}
	/* Whatever happened, show the case as it is now. */
	app_refresh_case(call->id);
	if (app->view == VIEW_SUPERVISOR)
		super_load();
	free(call);
}

void steps_run(enum action act, int64_t id, const char *sql, int np, const char *const *p)
{
	struct steps_call *call = xcalloc(1, sizeof *call);

	call->act = act;
	call->id = id;
	cdb_query(app->db, sql, np, p, steps_on_result, call);
}

static void steps_call(const struct pending_step *s, struct steps_bulk *bulk)
{
	char idbuf[24], vbuf[24];
	const char *p[4] = { idbuf, vbuf, NULL, NULL };
	const char *sql;
	int np = 3;
	struct steps_call *call = xcalloc(1, sizeof *call);
	const char *note = s->note && *s->note ? s->note : NULL;

	snprintf(idbuf, sizeof idbuf, "%" PRId64, s->id);
	snprintf(vbuf, sizeof vbuf, "%" PRId64, s->version);
	p[2] = note;
	switch (s->act) {
	case ACTION_SIGN:
		sql = "SELECT version, seq FROM xiaoan.case_sign($1, $2, $3)";
		break;
	case ACTION_FEEDBACK:
		sql = "SELECT version, seq FROM xiaoan.case_feedback($1, $2, $3)";
		break;
	case ACTION_FORWARD:
		sql = "SELECT version, seq FROM xiaoan.case_forward($1, $2, $3, $4)";
		p[2] = s->target;
		p[3] = note;
		np = 4;
		break;
	case ACTION_ESCALATE:
		sql = "SELECT version, seq FROM xiaoan.case_escalate($1, $2, $3)";
		break;
	case ACTION_DISPATCH_DOWN:
		sql = "SELECT version, seq FROM xiaoan.case_dispatch_down($1, $2, $3, $4)";
		p[2] = s->target;
		p[3] = note;
		np = 4;
		break;
	case ACTION_RETURN:
		sql = "SELECT version, seq FROM xiaoan.case_return($1, $2, $3)";
		break;
	case ACTION_CLOSE:
		sql = "SELECT version, seq FROM xiaoan.case_close($1, $2, $3)";
		break;
	case ACTION_CONFIRM:
		sql = "SELECT version, seq FROM xiaoan.case_confirm($1, $2, $3)";
		break;
	case ACTION_REOPEN:
		sql = "SELECT version, seq FROM xiaoan.case_reopen($1, $2, $3)";
		break;
	case ACTION_SUPERVISE:
		sql = "SELECT version, seq FROM xiaoan.case_supervise($1, $2, $3, $4::date)";
		p[3] = s->when;
		np = 4;
		break;
	case ACTION_UNSUPERVISE:
		sql = "SELECT version, seq FROM xiaoan.case_unsupervise($1, $2, $3)";
		break;
	default:
		free(call);
		return;
	}
	call->act = s->act;
	call->id = s->id;
	call->bulk = bulk;
	cdb_query(app->db, sql, np, p, steps_on_result, call);
}

/* ---- gathering what a step needs -------------------------------------------- */

static bool steps_needs_note(enum action act)
{
	return act == ACTION_FEEDBACK || act == ACTION_ESCALATE || act == ACTION_RETURN || act == ACTION_CLOSE ||
	       act == ACTION_REOPEN || act == ACTION_SUPERVISE;
}

static bool steps_asks_note(enum action act)
{
	return steps_needs_note(act) || act == ACTION_FORWARD || act == ACTION_DISPATCH_DOWN;
}

static bool steps_irreversible(enum action act)
{
	return act == ACTION_CLOSE || act == ACTION_CONFIRM || act == ACTION_RETURN || act == ACTION_ESCALATE ||
	       act == ACTION_FORWARD || act == ACTION_DISPATCH_DOWN;
}

void steps_reset(void)
{
	free(app->pr.step.note);
	free(app->pr.step.note2);
	memset(&app->pr.step, 0, sizeof app->pr.step);
}

static void steps_ask_note(void)
{
	struct pending_step *s = &app->pr.step;
	char label[256];
	const char *fmt;

	switch (s->act) {
	case ACTION_FEEDBACK:
		fmt = _("First feedback on case %" PRId64 ": ");
		break;
	case ACTION_ESCALATE:
		fmt = _("Reason for escalating case %" PRId64 ": ");
		break;
	case ACTION_RETURN:
		fmt = _("Reason for returning case %" PRId64 ": ");
		break;
	case ACTION_CLOSE:
		fmt = _("Result of case %" PRId64 ": ");
		break;
	case ACTION_REOPEN:
		fmt = _("Reason for reopening case %" PRId64 ": ");
		break;
	case ACTION_SUPERVISE:
		fmt = _("Reason for supervising case %" PRId64 ": ");
		break;
	default:
		fmt = _("Note on case %" PRId64 " (optional): ");
		break;
	}
	snprintf(label, sizeof label, fmt, s->id);
	prompt_open(PR_NOTE, label, NULL);
}

static void steps_ask_confirm(void)
{
	struct pending_step *s = &app->pr.step;
	char label[512];

	switch (s->act) {
	case ACTION_FORWARD:
		snprintf(label, sizeof label, _("Forward case %" PRId64 " to %s? (y/n) "), s->id,
			 model_unit_name(&app->m, s->target));
		break;
	case ACTION_DISPATCH_DOWN:
		snprintf(label, sizeof label, _("Dispatch case %" PRId64 " down to %s? (y/n) "), s->id,
			 model_unit_name(&app->m, s->target));
		break;
	case ACTION_ESCALATE:
		snprintf(label, sizeof label, _("Escalate case %" PRId64 " to the level above? (y/n) "), s->id);
		break;
	case ACTION_RETURN:
		snprintf(label, sizeof label, _("Return case %" PRId64 " to its sender? (y/n) "), s->id);
		break;
	case ACTION_CLOSE:
		snprintf(label, sizeof label, _("Close case %" PRId64 " with this result? (y/n) "), s->id);
		break;
	case ACTION_CONFIRM:
		snprintf(label, sizeof label, _("Confirm the result of case %" PRId64 "? (y/n) "), s->id);
		break;
	default:
		snprintf(label, sizeof label, _("Go ahead with case %" PRId64 "? (y/n) "), s->id);
		break;
	}
	prompt_open(PR_YESNO, label, NULL);
}

static void steps_next(void)
{
	struct pending_step *s = &app->pr.step;

	if (steps_irreversible(s->act)) {
		steps_ask_confirm();
		return;
	}
	steps_call(s, NULL);
	steps_reset();
}

void steps_begin(enum action act, const struct mcase *c)
{
	const char *why = steps_why_not(act, c);

	if (why) {
		app_message(true, "%s", why);
		return;
	}
	if (act == ACTION_ASSIGN || (act == ACTION_CLOSE && hazard_is(c))) {
		hazard_begin(act, c);
		return;
	}
	steps_reset();
	app->pr.step.act = act;
	app->pr.step.id = c->id;
	app->pr.step.version = c->version;
	if (act == ACTION_FORWARD) {
		char label[256];
		snprintf(label, sizeof label, _("Forward case %" PRId64 " to (type to search): "), c->id);
		prompt_pick_open('f', label);
	} else if (act == ACTION_DISPATCH_DOWN) {
		char label[256];
		snprintf(label, sizeof label, _("Dispatch case %" PRId64 " down to town (type to search): "), c->id);
		prompt_pick_open('t', label);
	} else if (steps_asks_note(act)) {
		steps_ask_note();
	} else {
		steps_next();
	}
}

static void steps_report_next(void);

/* The follow-up date of a supervision: asked with a week from today filled
 * in (text NULL), then checked before the call. */
static void steps_supervise_until(const char *text)
{
	struct pending_step *s = &app->pr.step;
	char label[256], def[16];

	if (text && supfmt_date_ok(text)) {
		xstrlcpy(s->when, text, sizeof s->when);
		steps_next();
		return;
	}
	if (text)
		app_message(true, _("\"%s\" is not a date: type it as YYYY-MM-DD, or Esc to cancel."), text);
	xtime_format_local(app_now() + 7 * 86400, app->utc_offset, "%Y-%m-%d", def, sizeof def);
	snprintf(label, sizeof label, _("Follow up case %" PRId64 " by (YYYY-MM-DD): "), s->id);
	prompt_open(PR_NOTE, label, text ? text : def);
}

void steps_pick_done(const char *code)
{
	struct pending_step *s = &app->pr.step;

	if (s->hazard) {
		hazard_pick_done(code);
		return;
	}
	if (s->act == ACTION_STATS) {
		steps_reset();
		super_set_scope(code);
		return;
	}
	if (s->act == ACTION_REPORT_HAZARD || s->act == ACTION_LOG_VISIT) {
		if (s->stage == 0)
			xstrlcpy(s->target, code, sizeof s->target);
		else
			xstrlcpy(s->category, code, sizeof s->category);
		s->stage++;
		steps_report_next();
		return;
	}
	xstrlcpy(s->target, code, sizeof s->target);
	steps_ask_note();
}

void steps_note_done(const char *note)
{
	struct pending_step *s = &app->pr.step;
	const char *p = note;

	if (s->act == ACTION_STATS) {
		steps_reset();
		super_set_period(note);
		return;
	}
	if (s->hazard) {
		hazard_note_done(note);
		return;
	}
	if (s->act == ACTION_SUPERVISE && s->stage == 1) {
		steps_supervise_until(note);
		return;
	}
	if (s->act == ACTION_REPORT_HAZARD || s->act == ACTION_LOG_VISIT) {
		while (*p == ' ')
			p++;
		/* A hazard's description and what a visit checked are required;
		 * a visit's findings are not. */
		if (!*p && !(s->act == ACTION_LOG_VISIT && s->stage == 2)) {
			app_message(true, "%s", _("This is required; type it, or Esc to cancel."));
			steps_report_next();
			return;
		}
		if (s->note) {
			free(s->note2);
			s->note2 = xstrdup(note);
		} else {
			s->note = xstrdup(note);
		}
		s->stage++;
		steps_report_next();
		return;
	}
	while (*p == ' ')
		p++;
	if (steps_needs_note(s->act) && !*p) {
		app_message(true, "%s", _("A note is required for this step; type it, or Esc to cancel."));
		steps_ask_note();
		return;
	}
	free(s->note);
	s->note = xstrdup(note);
	if (s->act == ACTION_SUPERVISE) {
		s->stage = 1;
		steps_supervise_until(NULL);
		return;
	}
	steps_next();
}

static void steps_report_call(void);

void steps_confirmed(void)
{
	if (app->pr.step.hazard) {
		hazard_confirmed();
		steps_reset();
		return;
	}
	if (app->pr.step.act == ACTION_REPORT_HAZARD || app->pr.step.act == ACTION_LOG_VISIT) {
		steps_report_call();
		steps_reset();
		return;
	}
	steps_call(&app->pr.step, NULL);
	steps_reset();
}

void steps_cancel(void)
{
	if (app->pr.step.act != ACTION_NONE)
		app_message(false, "%s", _("Cancelled."));
	steps_reset();
}

void steps_sign_selected(void)
{
	struct steps_bulk *bulk = xcalloc(1, sizeof *bulk);
	int skipped = 0;

	for (size_t i = 0; i < app->m.n; i++) {
		const struct mcase *c = &app->m.cases[i];
		if (c->selected && !steps_why_not(ACTION_SIGN, c))
			bulk->total++;
		else if (c->selected)
			skipped++;
	}
	if (bulk->total == 0) {
		free(bulk);
		app_message(true, "%s",
			    skipped ? _("None of the selected cases can be signed by you.")
				    : _("No cases are selected: select them with the select key first."));
		return;
	}
	/* Collect first: answers may arrive while we are still queueing. */
	int64_t *ids = xcalloc((size_t)bulk->total, sizeof *ids), *vers = xcalloc((size_t)bulk->total, sizeof *vers);
	int n = 0;
	for (size_t i = 0; i < app->m.n; i++) {
		const struct mcase *c = &app->m.cases[i];
		if (c->selected && !steps_why_not(ACTION_SIGN, c)) {
			ids[n] = c->id;
			vers[n] = c->version;
			n++;
		}
	}
	for (int i = 0; i < n; i++) {
		struct pending_step s = { .act = ACTION_SIGN, .id = ids[i], .version = vers[i] };
		steps_call(&s, bulk);
	}
	free(ids);
	free(vers);
}

/* ---- hazards and visits -------------------------------------------------------- */

static bool steps_is_school_officer(void)
{
	return strcmp(app->me.role, "school_officer") == 0;
}

bool steps_report_offered(enum action act)
{
	if (act == ACTION_LOG_VISIT)
		return app->me.loaded && !steps_is_school_officer();
	return act == ACTION_REPORT_HAZARD && app->me.loaded;
}

/* The next question of a report (school, category, description, y/n) or a
 * visit (school, what was checked, findings, y/n). */
static void steps_report_next(void)
{
	struct pending_step *s = &app->pr.step;
	char label[512];

	if (s->act == ACTION_REPORT_HAZARD) {
		switch (s->stage) {
		case 0:
			prompt_pick_open('s', _("Report a hazard at which school (type to search): "));
			return;
		case 1:
			prompt_pick_open('c', _("Which kind of hazard (type to search): "));
			return;
		case 2:
			prompt_open(PR_NOTE, _("Describe the hazard: "), NULL);
			return;
		default:
			snprintf(label, sizeof label, _("Report this hazard at %s? (y/n) "),
				 model_unit_name(&app->m, s->target));
			prompt_open(PR_YESNO, label, NULL);
			return;
		}
	}
	switch (s->stage) {
	case 0:
		prompt_pick_open('s', _("Log a visit to which school (type to search): "));
		return;
	case 1:
		snprintf(label, sizeof label, _("What was checked at %s: "), model_unit_name(&app->m, s->target));
		prompt_open(PR_NOTE, label, NULL);
		return;
	case 2:
		prompt_open(PR_NOTE, _("Findings (optional): "), NULL);
		return;
	default:
		snprintf(label, sizeof label, _("Log this visit to %s? (y/n) "), model_unit_name(&app->m, s->target));
		prompt_open(PR_YESNO, label, NULL);
		return;
	}
}

static void steps_on_report(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	enum action act = (enum action)(intptr_t)ud;

	if (err != DB_OK) {
		app_message(true, "%s", msg);
		return;
	}
	if (act == ACTION_REPORT_HAZARD)
		app_message(false, _("Hazard reported as case %s."), db_text(res, 0, 0));
	else if (db_isnull(res, 0, 1))
		app_message(false, _("Visit %s logged."), db_text(res, 0, 0));
	else
		app_message(false, _("Visit %s logged; it opened case %s."), db_text(res, 0, 0), db_text(res, 0, 1));
	/* The stream brings a new case; without it, read the list again. */
	if (app->hub != CS_LIVE)
		app_reload();
}

static void steps_report_call(void)
{
	struct pending_step *s = &app->pr.step;

	if (s->act == ACTION_REPORT_HAZARD) {
		const char *p[3] = { s->category, s->note, s->target };
		cdb_query(app->db, "SELECT case_id FROM xiaoan.hazard_report($1, $2, '{}', 'normal', $3)", 3, p,
			  steps_on_report, (void *)(intptr_t)s->act);
	} else {
		const char *p[3] = { s->target, s->note, s->note2 && *s->note2 ? s->note2 : NULL };
		cdb_query(app->db, "SELECT visit_id, case_id FROM xiaoan.visit_log($1, now(), $2, $3)", 3, p,
			  steps_on_report, (void *)(intptr_t)s->act);
	}
}

static void steps_on_categories(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	size_t n;

	(void)ud;
	if (err != DB_OK) {
		app_message(true, _("Could not load the hazard categories: %s"), msg);
		steps_reset();
		return;
	}
	n = (size_t)PQntuples(res);
	app->cats = xcalloc(n ? n : 1, sizeof *app->cats);
	for (size_t i = 0; i < n; i++) {
		xstrlcpy(app->cats[i].code, db_text(res, (int)i, 0), sizeof app->cats[i].code);
		app->cats[i].name = xstrdup(db_text(res, (int)i, 1));
		xstrlcpy(app->cats[i].kind, "category", sizeof app->cats[i].kind);
	}
	app->ncats = n;
	steps_report_next();
}

void steps_report_begin(enum action act)
{
	if (!app->me.loaded) {
		app_message(true, "%s", _("Your officer record is not loaded yet."));
		return;
	}
	if (act == ACTION_LOG_VISIT && steps_is_school_officer()) {
		app_message(true, "%s", _("Service-guidance visits are logged by the visiting unit, not by the school."));
		return;
	}
	steps_reset();
	app->pr.step.act = act;
	if (steps_is_school_officer()) {
		/* A school officer reports at their own school. */
		xstrlcpy(app->pr.step.target, app->me.unit, sizeof app->pr.step.target);
		app->pr.step.stage = 1;
	}
	if (act == ACTION_REPORT_HAZARD && !app->cats) {
		cdb_query(app->db, "SELECT code, name_zh FROM xiaoan.hazard_category ORDER BY seq", 0, NULL,
			  steps_on_categories, NULL);
		return;
	}
	steps_report_next();
}
