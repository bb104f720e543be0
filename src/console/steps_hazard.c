/* steps_hazard.c — a reported hazard's own steps: assign it (交办) to a
 * unit, or keep it, with a rectification deadline in the district's time;
 * close it with one of the three outcomes (resolved; being resolved by a
 * committed date; hard to resolve in the short term) instead of the plain
 * close. And the hazard's lines of the case detail. */
#include "xiaoan/console.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/i18n.h"
#include "xiaoan/supfmt.h"
#include "xiaoan/xtime.h"

static char hazard_why[512];

bool hazard_is(const struct mcase *c)
{
	return c && strcmp(c->type, "hazard") == 0;
}

const char *hazard_why_not_assign(const struct mcase *c)
{
	if (!hazard_is(c)) {
		snprintf(hazard_why, sizeof hazard_why,
			 _("Case %" PRId64 " is not a reported hazard: only hazards are assigned with a deadline."), c->id);
		return hazard_why;
	}
	if (c->state != MS_NEW && c->state != MS_SIGNED && c->state != MS_IN_PROGRESS) {
		snprintf(hazard_why, sizeof hazard_why, _("Case %" PRId64 " is %s: it can no longer be assigned."), c->id,
			 ui_state_label(c->state));
		return hazard_why;
	}
	if (strcmp(c->holder, app->me.unit) != 0 && strcmp(app->me.role, "dispatcher") != 0 &&
	    strcmp(app->me.role, "supervisor") != 0) {
		snprintf(hazard_why, sizeof hazard_why, _("Case %" PRId64 " is held by %s: only that unit assigns it."),
			 c->id, model_unit_name(&app->m, c->holder));
		return hazard_why;
	}
	return NULL;
}

static const char *hazard_outcome_label(const char *code)
{
	for (size_t i = 0; i < XA_ARRAY_LEN(app->outcomes); i++)
		if (strcmp(app->outcomes[i].code, code) == 0)
			return app->outcomes[i].name;
	return code;
}

/* The next question: assign (unit, deadline, note, y/n) or close
 * (outcome, committed date when being resolved, result, y/n). */
static void hazard_next(void)
{
	struct pending_step *s = &app->pr.step;
	char label[512], def[32];

	if (s->act == ACTION_ASSIGN) {
		switch (s->stage) {
		case 0:
			snprintf(label, sizeof label,
				 _("Assign hazard case %" PRId64 " to (the first line keeps it; type to search): "), s->id);
			prompt_pick_open('a', label);
			return;
		case 1:
			xtime_format_local(app_now() + 7 * 86400, app->utc_offset, "%Y-%m-%d 17:00", def, sizeof def);
			snprintf(label, sizeof label, _("Rectification deadline of case %" PRId64 " (YYYY-MM-DD HH:MM): "),
				 s->id);
			prompt_open(PR_NOTE, label, s->when[0] ? s->when : def);
			return;
		case 2:
			snprintf(label, sizeof label, _("Instructions for case %" PRId64 " (optional): "), s->id);
			prompt_open(PR_NOTE, label, NULL);
			return;
		default:
			snprintf(label, sizeof label, _("Assign case %" PRId64 " to %s by %s? (y/n) "), s->id,
				 model_unit_name(&app->m, s->target), s->when);
			prompt_open(PR_YESNO, label, NULL);
			return;
		}
	}
	switch (s->stage) {
	case 0:
		snprintf(label, sizeof label, _("Outcome of hazard case %" PRId64 ": "), s->id);
		prompt_pick_open('o', label);
		return;
	case 1:
		xtime_format_local(app_now() + 30 * 86400, app->utc_offset, "%Y-%m-%d", def, sizeof def);
		snprintf(label, sizeof label, _("Committed completion date of case %" PRId64 " (YYYY-MM-DD): "), s->id);
		prompt_open(PR_NOTE, label, s->when[0] ? s->when : def);
		return;
	case 2:
		snprintf(label, sizeof label, _("Result of case %" PRId64 ": "), s->id);
		prompt_open(PR_NOTE, label, NULL);
		return;
	default:
		snprintf(label, sizeof label, _("Close case %" PRId64 " as \"%s\"? (y/n) "), s->id,
			 hazard_outcome_label(s->category));
		prompt_open(PR_YESNO, label, NULL);
		return;
	}
}

void hazard_begin(enum action act, const struct mcase *c)
{
	static const char *const codes[3] = { "resolved", "in_progress_committed", "hard_to_resolve" };
	const char *names[3] = { _("resolved"), _("being resolved by a committed date"),
				 _("hard to resolve (for leadership review)") };

	for (size_t i = 0; i < XA_ARRAY_LEN(app->outcomes); i++) {
		xstrlcpy(app->outcomes[i].code, codes[i], sizeof app->outcomes[i].code);
		app->outcomes[i].name = (char *)names[i];
		xstrlcpy(app->outcomes[i].kind, "outcome", sizeof app->outcomes[i].kind);
	}
	steps_reset();
	app->pr.step.act = act;
	app->pr.step.hazard = true;
	app->pr.step.id = c->id;
	app->pr.step.version = c->version;
	hazard_next();
}

void hazard_pick_done(const char *code)
{
	struct pending_step *s = &app->pr.step;

	if (s->act == ACTION_ASSIGN) {
		xstrlcpy(s->target, code, sizeof s->target);
		s->stage = 1;
	} else {
		xstrlcpy(s->category, code, sizeof s->category);
		/* Only a hazard still being resolved has a committed date. */
		s->stage = strcmp(code, "in_progress_committed") == 0 ? 1 : 2;
	}
	hazard_next();
}

void hazard_note_done(const char *text)
{
	struct pending_step *s = &app->pr.step;
	const char *p = text;

	while (*p == ' ')
		p++;
	if (s->stage == 1) {
		bool ok = s->act == ACTION_ASSIGN ? supfmt_datetime_ok(p) : supfmt_date_ok(p);
		xstrlcpy(s->when, p, sizeof s->when);
		if (!ok) {
			app_message(true,
				    s->act == ACTION_ASSIGN
					    ? _("\"%s\" is not a deadline: type it as YYYY-MM-DD HH:MM, or Esc to cancel.")
					    : _("\"%s\" is not a date: type it as YYYY-MM-DD, or Esc to cancel."),
				    p);
			hazard_next();
			return;
		}
	} else if (s->stage == 2) {
		if (s->act == ACTION_CLOSE && !*p) {
			app_message(true, "%s", _("A note is required for this step; type it, or Esc to cancel."));
			hazard_next();
			return;
		}
		free(s->note);
		s->note = xstrdup(text);
	}
	s->stage++;
	hazard_next();
}

void hazard_confirmed(void)
{
	struct pending_step *s = &app->pr.step;
	char idbuf[24], vbuf[24];
	const char *note = s->note && *s->note ? s->note : NULL;

	snprintf(idbuf, sizeof idbuf, "%" PRId64, s->id);
	snprintf(vbuf, sizeof vbuf, "%" PRId64, s->version);
	if (s->act == ACTION_ASSIGN) {
		const char *p[5] = { idbuf, vbuf, s->target, s->when, note };
		/* The deadline is typed in the district's time, whatever the
		 * session's time zone is. */
		steps_run(ACTION_ASSIGN, s->id,
			  "SELECT version, seq FROM xiaoan.hazard_assign($1, $2, $3, "
			  "$4::timestamp AT TIME ZONE xiaoan.district_zone(), $5)",
			  5, p);
	} else {
		const char *p[5] = { idbuf, vbuf, s->category, s->when[0] ? s->when : NULL, note };
		steps_run(ACTION_CLOSE, s->id, "SELECT version, seq FROM xiaoan.hazard_close($1, $2, $3, $4::date, $5)", 5,
			  p);
	}
}

/* ---- the detail's hazard lines ---------------------------------------------------- */

void hazard_detail_free(struct dhazard *h)
{
	free(h->category);
	free(h->outcome);
	free(h->outcome_label);
	free(h->committed);
	free(h->assigned_by);
	memset(h, 0, sizeof *h);
}

static char *hazard_dup(const PGresult *res, int c)
{
	return db_isnull(res, 0, c) ? NULL : xstrdup(db_text(res, 0, c));
}

static void hazard_on_detail(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	int64_t id = (int64_t)(intptr_t)ud;
	struct dhazard *h = &app->det.hz;

	if (app->det.id != id)
		return;
	if (app->det.pending > 0)
		app->det.pending--;
	app->redraw |= RD_BODY;
	if (err != DB_OK) {
		if (err != DB_CONN)
			app_message(true, _("Could not load case %" PRId64 ": %s"), id, msg);
		return;
	}
	hazard_detail_free(h);
	if (PQntuples(res) != 1)
		return;
	h->category = hazard_dup(res, 0);
	h->outcome = hazard_dup(res, 1);
	h->outcome_label = hazard_dup(res, 2);
	h->committed = hazard_dup(res, 3);
	h->deadline = db_epoch(res, 0, 4);
	h->assigned_by = hazard_dup(res, 5);
	h->leadership_review = db_text(res, 0, 6)[0] == 't';
	h->committed_overdue = db_text(res, 0, 7)[0] == 't';
	h->loaded = true;
}

void hazard_load_detail(int64_t id)
{
	char idbuf[24];
	const char *p[1] = { idbuf };

	snprintf(idbuf, sizeof idbuf, "%" PRId64, id);
	cdb_query(app->db,
		  "SELECT category_name, outcome, outcome_label, committed_date::text, "
		  "extract(epoch FROM deadline)::bigint, assigned_by, leadership_review, committed_overdue "
		  "FROM xiaoan.hazard_cases WHERE case_id = $1",
		  1, p, hazard_on_detail, (void *)(intptr_t)id);
}
