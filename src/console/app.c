/* app.c — the console's data side: the start-up queries, the live stream,
 * connection states and the database clock. Every database call goes
 * through the cdb queue; nothing here waits. */
#include "xiaoan/console.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/cloop.h"
#include "xiaoan/i18n.h"
#include "xiaoan/text.h"
#include "xiaoan/xtime.h"

struct app *app;

static struct cloop_timer app_sec_timer;

/* A time as whole seconds, cut down as the hub's stream cuts it (a case
 * loaded and then updated by an event keeps the same deadlines to the
 * second). date_part is a double: exact to the microsecond at these
 * magnitudes, and much cheaper than extract's numeric over 10,000 rows. */
#define APP_EPOCH(col) "floor(date_part('epoch', " col "))::bigint"
/* The columns every case read uses; app_case_from_row() reads them. */
#define APP_CASE_COLS                                                                                     \
	"id, type, school, town, holder, issuer, state, severity, summary, version, supervised, sensitive, " \
	APP_EPOCH("opened_at") ", " APP_EPOCH("sign_start") ", " APP_EPOCH("sign_due") ", "                 \
	APP_EPOCH("signed_at") ", " APP_EPOCH("feedback_due") ", " APP_EPOCH("feedback_at") ", "            \
	APP_EPOCH("close_due") ", " APP_EPOCH("closed_at")
#define APP_CASE_NCOLS 20

static void app_case_from_row(const PGresult *res, int r, struct mcase *c)
{
	int st = model_state_parse(db_text(res, r, 6)), sev = model_severity_parse(db_text(res, r, 7));

	memset(c, 0, sizeof *c);
	c->id = strtoll(db_text(res, r, 0), NULL, 10);
	xstrlcpy(c->type, db_text(res, r, 1), sizeof c->type);
	xstrlcpy(c->school, db_text(res, r, 2), sizeof c->school);
	xstrlcpy(c->town, db_text(res, r, 3), sizeof c->town);
	xstrlcpy(c->holder, db_text(res, r, 4), sizeof c->holder);
	xstrlcpy(c->issuer, db_text(res, r, 5), sizeof c->issuer);
	c->state = st < 0 ? MS_NEW : (enum model_state)st;
	c->severity = sev < 0 ? MSEV_NORMAL : (enum model_severity)sev;
	c->summary = (char *)db_text(res, r, 8);
	c->version = strtoll(db_text(res, r, 9), NULL, 10);
	c->supervised = db_text(res, r, 10)[0] == 't';
	c->sensitive = db_text(res, r, 11)[0] == 't';
	c->opened_at = db_epoch(res, r, 12);
	c->sign_start = db_epoch(res, r, 13);
	c->sign_due = db_epoch(res, r, 14);
	c->signed_at = db_epoch(res, r, 15);
	c->feedback_due = db_epoch(res, r, 16);
	c->feedback_at = db_epoch(res, r, 17);
	c->close_due = db_epoch(res, r, 18);
	c->closed_at = db_epoch(res, r, 19);
	c->next_stage = -1;
}

int64_t app_now_ms(void)
{
	if (app->clock_ok)
		return xtime_mono_ms() + app->clock_off_ms;
	return xtime_now_ms();
}

int64_t app_now(void)
{
	int64_t ms = app_now_ms();
	return ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
}

void app_message(bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(app->msg, sizeof app->msg, fmt, ap);
	va_end(ap);
	app->msg_err = error;
	app->msg_until_ms = xtime_mono_ms() + (error ? 15000 : 6000);
	app->redraw |= RD_STATUS;
}

const char *app_role_label(const char *role)
{
	if (strcmp(role, "dispatcher") == 0)
		return _("dispatcher");
	if (strcmp(role, "unit_staff") == 0)
		return _("unit staff");
	if (strcmp(role, "town_staff") == 0)
		return _("town staff");
	if (strcmp(role, "school_officer") == 0)
		return _("school safety officer");
	if (strcmp(role, "supervisor") == 0)
		return _("supervisor");
	if (strcmp(role, "admin") == 0)
		return _("administrator");
	return role;
}

/* ---- start-up and reload --------------------------------------------- */

static void app_load_baselines(void);

static void app_load_step_done(void)
{
	if (app->loading > 0 && --app->loading == 0) {
		/* Events that arrived while loading: replay them over the fresh data. */
		for (size_t i = 0; i < app->nheld; i++)
			model_apply_event(&app->m, &app->held[i], app->issuer, app_now());
		free(app->held);
		app->held = NULL;
		app->nheld = 0;
		model_tick(&app->m, app_now());
		app->m.dirty = true;
		ui_schools_rebuild();
		app->redraw |= RD_ALL;
		if (app->reload_queued) {
			app->reload_queued = false;
			app_reload();
			return;
		}
		app_load_baselines();
		if (app->cs && cstream_state(app->cs) == CS_DOWN && !app->hub_ever_live)
			cstream_start(app->cs);
	}
}

static bool app_check(const char *what, enum db_err err, const char *msg)
{
	if (err == DB_OK)
		return true;
	/* The connection-lost case is shown by the header already. */
	if (err != DB_CONN)
		app_message(true, _("Could not load %s: %s"), what, msg);
	return false;
}

static void app_on_me(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	(void)ud;
	if (app_check(_("your officer record"), err, msg)) {
		if (PQntuples(res) == 0 || db_isnull(res, 0, 0)) {
			app_message(true, "%s", _("You are not an active xiaoan officer: ask an administrator."));
		} else {
			xstrlcpy(app->me.login, db_text(res, 0, 0), sizeof app->me.login);
			xstrlcpy(app->me.name, db_text(res, 0, 1), sizeof app->me.name);
			xstrlcpy(app->me.unit, db_text(res, 0, 2), sizeof app->me.unit);
			xstrlcpy(app->me.role, db_text(res, 0, 3), sizeof app->me.role);
			xstrlcpy(app->me.town, db_text(res, 0, 4), sizeof app->me.town);
			xstrlcpy(app->district, db_text(res, 0, 5), sizeof app->district);
			xstrlcpy(app->issuer, db_text(res, 0, 6), sizeof app->issuer);
			app->me.loaded = true;
		}
		app->redraw |= RD_HEADER;
	}
	app_load_step_done();
}

static void app_on_clock(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	(void)ud;
	if (app_check(_("the database clock"), err, msg) && PQntuples(res) == 1) {
		int64_t db_ms = strtoll(db_text(res, 0, 0), NULL, 10);
		app->clock_off_ms = db_ms - xtime_mono_ms();
		app->utc_offset = (int)strtol(db_text(res, 0, 1), NULL, 10);
		app->clock_ok = true;
		app->redraw |= RD_HEADER;
	}
	app_load_step_done();
}

static void app_on_clock_sync(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	(void)ud;
	(void)msg;
	if (err == DB_OK && PQntuples(res) == 1) {
		app->clock_off_ms = strtoll(db_text(res, 0, 0), NULL, 10) - xtime_mono_ms();
		app->utc_offset = (int)strtol(db_text(res, 0, 1), NULL, 10);
		app->clock_ok = true;
	}
}

static void app_on_units(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	(void)ud;
	if (app_check(_("the units"), err, msg)) {
		size_t n = (size_t)PQntuples(res);
		struct munit *u = xcalloc(n ? n : 1, sizeof *u);
		for (size_t i = 0; i < n; i++) {
			xstrlcpy(u[i].code, db_text(res, (int)i, 0), sizeof u[i].code);
			u[i].name = xstrdup(db_text(res, (int)i, 1));
			xstrlcpy(u[i].kind, db_text(res, (int)i, 2), sizeof u[i].kind);
			xstrlcpy(u[i].town, db_text(res, (int)i, 3), sizeof u[i].town);
			if (!db_isnull(res, (int)i, 4))
				u[i].officer_name = xstrdup(db_text(res, (int)i, 4));
			if (!db_isnull(res, (int)i, 5))
				u[i].officer_phone = xstrdup(db_text(res, (int)i, 5));
		}
		/* Schools point into the unit table: drop them first. */
		free(app->schools);
		app->schools = NULL;
		app->nschools = 0;
		model_set_units(&app->m, u, n);
	}
	app_load_step_done();
}

static void app_on_types(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	(void)ud;
	if (app_check(_("the alert types"), err, msg)) {
		size_t n = (size_t)PQntuples(res);
		struct mtype *t = xcalloc(n ? n : 1, sizeof *t);
		for (size_t i = 0; i < n; i++) {
			xstrlcpy(t[i].code, db_text(res, (int)i, 0), sizeof t[i].code);
			t[i].name_zh = xstrdup(db_text(res, (int)i, 1));
			t[i].name_en = xstrdup(db_text(res, (int)i, 2));
		}
		model_set_types(&app->m, t, n);
	}
	app_load_step_done();
}

static int64_t app_loaded_seq;

static void app_on_seq(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	(void)ud;
	if (app_check(_("the event position"), err, msg) && PQntuples(res) == 1)
		app_loaded_seq = strtoll(db_text(res, 0, 0), NULL, 10);
	app_load_step_done();
}

static void app_on_cases(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	(void)ud;
	if (app_check(_("the open cases"), err, msg)) {
		int n = PQntuples(res);
		model_clear_cases(&app->m);
		for (int i = 0; i < n; i++) {
			struct mcase c;
			app_case_from_row(res, i, &c);
			model_upsert(&app->m, &c, NULL);
		}
		/* The data is as of (at least) the position read just before it:
		 * later events replay on top, older ones are dropped. */
		app->m.last_seq = app_loaded_seq;
		model_tick(&app->m, app_now());
		if (!app->cases_loaded)
			app->cur_id = 0; /* first screen: the cursor starts on the most urgent */
		app->cases_loaded = true;
		if (app->load_started_ms && getenv("XIAOAN_TRACE_LOAD")) {
			app_message(false, "loaded %d cases in %" PRId64 " ms", n,
				    xtime_mono_ms() - app->load_started_ms);
		}
	}
	app_load_step_done();
}

static void app_on_recent(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	(void)ud;
	if (!app_check(_("the school baselines"), err, msg))
		return;
	size_t n = (size_t)PQntuples(res);
	free(app->recent);
	app->recent = xcalloc(n ? n : 1, sizeof *app->recent);
	for (size_t i = 0; i < n; i++) {
		xstrlcpy(app->recent[i].school, db_text(res, (int)i, 0), sizeof app->recent[i].school);
		xstrlcpy(app->recent[i].type, db_text(res, (int)i, 1), sizeof app->recent[i].type);
		app->recent[i].n = (int)strtol(db_text(res, (int)i, 2), NULL, 10);
	}
	app->nrecent = n;
	ui_schools_rebuild();
	app->redraw |= RD_ALL;
}

/* The schools' 30-day baselines read every recent case in scope (tens of
 * milliseconds with a busy month behind): asked for after the cases are on
 * the screen, not before. */
static void app_load_baselines(void)
{
	cdb_query(app->db,
		  "SELECT school, type, count(*) FROM xiaoan.cases "
		  "WHERE type IN ('guard_absent', 'gate_open', 'panic_alarm', 'patrol_post') "
		  "AND opened_at > now() - interval '30 days' GROUP BY school, type",
		  0, NULL, app_on_recent, NULL);
}

void app_reload(void)
{
	if (app->loading) {
		app->reload_queued = true;
		return;
	}
	if (cdb_state(app->db) != CDB_UP)
		return;
	app->load_started_ms = xtime_mono_ms();
	app->loading = 6;
	cdb_query(app->db,
		  "SELECT m.login, m.name, m.unit, m.role, coalesce(u.town, ''), "
		  "coalesce(xiaoan.setting_text('district_name'), ''), "
		  "coalesce(xiaoan.setting_text('alert_issuer'), '') "
		  "FROM xiaoan.me() m LEFT JOIN xiaoan.unit u ON u.code = m.unit",
		  0, NULL, app_on_me, NULL);
	cdb_query(app->db, "SELECT (extract(epoch FROM now) * 1000)::bigint, utc_offset FROM xiaoan.clock()", 0,
		  NULL, app_on_clock, NULL);
	cdb_query(app->db,
		  "SELECT u.code, u.name, u.kind, coalesce(u.town, ''), s.officer_name, s.officer_phone "
		  "FROM xiaoan.unit u LEFT JOIN xiaoan.school s ON s.code = u.code",
		  0, NULL, app_on_units, NULL);
	cdb_query(app->db, "SELECT code, name_zh, name_en FROM xiaoan.alert_type ORDER BY code", 0, NULL,
		  app_on_types, NULL);
	cdb_query(app->db, "SELECT xiaoan.last_seq()", 0, NULL, app_on_seq, NULL);
	cdb_query(app->db, "SELECT " APP_CASE_COLS " FROM xiaoan.cases WHERE is_open ORDER BY id", 0,
		  NULL, app_on_cases, NULL);
}

/* ---- one case ----------------------------------------------------------- */

static void app_on_case(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	int64_t id = (int64_t)(intptr_t)ud;

	if (err != DB_OK) {
		if (err != DB_CONN)
			app_message(true, _("Could not reload case %" PRId64 ": %s"), id, msg);
		return;
	}
	if (PQntuples(res) == 1) {
		struct mcase c;
		app_case_from_row(res, 0, &c);
		if (c.state == MS_CONFIRMED)
			model_remove(&app->m, id);
		else
			model_upsert(&app->m, &c, NULL);
	} else {
		/* Gone from sight (moved out of our scope). */
		model_remove(&app->m, id);
	}
	model_tick(&app->m, app_now());
	app->m.dirty = true;
	ui_schools_rebuild();
	app->redraw |= RD_ALL;
	if (app->view == VIEW_DETAIL && app->det.id == id)
		app_load_detail(id);
}

void app_refresh_case(int64_t id)
{
	char idbuf[24];
	const char *p[1] = { idbuf };

	snprintf(idbuf, sizeof idbuf, "%" PRId64, id);
	cdb_query(app->db, "SELECT " APP_CASE_COLS " FROM xiaoan.cases WHERE id = $1", 1, p, app_on_case,
		  (void *)(intptr_t)id);
}

/* ---- case detail ---------------------------------------------------------- */

static bool app_detail_answer(int64_t id, enum db_err err, const char *msg)
{
	if (app->det.id != id)
		return false; /* the user moved on */
	if (app->det.pending > 0)
		app->det.pending--;
	app->redraw |= RD_BODY;
	if (err != DB_OK) {
		if (err != DB_CONN)
			app_message(true, _("Could not load case %" PRId64 ": %s"), id, msg);
		return false;
	}
	return true;
}

static char *app_dup_or_null(const PGresult *res, int r, int c)
{
	return db_isnull(res, r, c) ? NULL : xstrdup(db_text(res, r, c));
}

static void app_on_detail_case(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	int64_t id = (int64_t)(intptr_t)ud;
	struct detail *d = &app->det;

	if (!app_detail_answer(id, err, msg))
		return;
	if (PQntuples(res) != 1) {
		app_message(true, _("Case %" PRId64 " does not exist or is not yours to see."), id);
		return;
	}
	free(d->c.summary);
	app_case_from_row(res, 0, &d->c);
	d->c.summary = xstrdup(d->c.summary);
	d->occurred_at = db_epoch(res, 0, APP_CASE_NCOLS + 0);
	d->confirmed_at = db_epoch(res, 0, APP_CASE_NCOLS + 1);
	d->clock_start = db_epoch(res, 0, APP_CASE_NCOLS + 2);
	d->reopen_count = strtoll(db_text(res, 0, APP_CASE_NCOLS + 3), NULL, 10);
	free(d->grade);
	free(d->source);
	free(d->source_id);
	free(d->signed_by);
	free(d->supervise_note);
	free(d->supervise_until);
	free(d->details);
	d->grade = app_dup_or_null(res, 0, APP_CASE_NCOLS + 4);
	d->source = app_dup_or_null(res, 0, APP_CASE_NCOLS + 5);
	d->source_id = app_dup_or_null(res, 0, APP_CASE_NCOLS + 6);
	d->signed_by = app_dup_or_null(res, 0, APP_CASE_NCOLS + 7);
	d->supervise_note = app_dup_or_null(res, 0, APP_CASE_NCOLS + 8);
	d->supervise_until = app_dup_or_null(res, 0, APP_CASE_NCOLS + 9);
	d->details = app_dup_or_null(res, 0, APP_CASE_NCOLS + 10);
	d->supervise_note_hidden = db_text(res, 0, APP_CASE_NCOLS + 11)[0] == 't';
	ui_detail_format(d);
	d->loaded = true;
	/* Keep the list in step with what the detail shows. */
	const struct mcase *known = model_find(&app->m, id);
	if (d->c.state != MS_CONFIRMED && (!known || known->version <= d->c.version)) {
		struct mcase c = d->c;
		model_upsert(&app->m, &c, NULL);
		model_tick(&app->m, app_now());
	}
}

static void app_on_detail_events(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	int64_t id = (int64_t)(intptr_t)ud;
	struct detail *d = &app->det;
	size_t n;

	if (!app_detail_answer(id, err, msg))
		return;
	ui_detail_free_events(d);
	n = (size_t)PQntuples(res);
	d->ev = xcalloc(n ? n : 1, sizeof *d->ev);
	d->nev = n;
	for (size_t i = 0; i < n; i++) {
		struct devent *e = &d->ev[i];
		int r = (int)i;
		e->seq = strtoll(db_text(res, r, 0), NULL, 10);
		xstrlcpy(e->kind, db_text(res, r, 1), sizeof e->kind);
		xstrlcpy(e->stage, db_text(res, r, 2), sizeof e->stage);
		e->at = db_epoch(res, r, 3);
		e->actor_name = xstrdup(db_text(res, r, 4));
		e->unit = xstrdup(db_text(res, r, 5));
		e->from_unit = xstrdup(db_text(res, r, 6));
		e->to_unit = xstrdup(db_text(res, r, 7));
		e->note = xstrdup(db_text(res, r, 8));
		xstrlcpy(e->state, db_text(res, r, 9), sizeof e->state);
		e->note_hidden = db_text(res, r, 10)[0] == 't';
	}
}

static void app_on_detail_units(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	int64_t id = (int64_t)(intptr_t)ud;
	struct detail *d = &app->det;
	size_t n;

	if (!app_detail_answer(id, err, msg))
		return;
	free(d->units);
	n = (size_t)PQntuples(res);
	d->units = xcalloc(n ? n : 1, sizeof *d->units);
	d->nunits = n;
	for (size_t i = 0; i < n; i++) {
		xstrlcpy(d->units[i].unit, db_text(res, (int)i, 0), sizeof d->units[i].unit);
		xstrlcpy(d->units[i].relation, db_text(res, (int)i, 1), sizeof d->units[i].relation);
	}
}

static void app_on_detail_private(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	int64_t id = (int64_t)(intptr_t)ud;
	struct detail *d = &app->det;

	if (!app_detail_answer(id, err, msg))
		return;
	free(d->private_summary);
	free(d->private_details);
	d->private_summary = d->private_details = NULL;
	if (PQntuples(res) == 1) {
		d->private_summary = app_dup_or_null(res, 0, 0);
		d->private_details = app_dup_or_null(res, 0, 1);
	}
	ui_detail_format(d);
}

void app_load_detail(int64_t id)
{
	char idbuf[24];
	const char *p[1] = { idbuf };
	void *ud = (void *)(intptr_t)id;

	if (app->det.id != id) {
		ui_detail_free(&app->det);
		app->det.id = id;
	}
	snprintf(idbuf, sizeof idbuf, "%" PRId64, id);
	app->det.pending = 5;
	/* Notes typed on a sensitive case are kept apart (case_private,
	 * case_event_private) and row-level security shows them to the units
	 * on the case and the school only; everyone else learns that a note is
	 * there (hidden), not what it says. */
	cdb_query(app->db,
		  "SELECT " APP_CASE_COLS ", extract(epoch FROM occurred_at)::bigint, "
		  "extract(epoch FROM confirmed_at)::bigint, extract(epoch FROM clock_start)::bigint, reopen_count, "
		  "grade, source, source_id, signed_by, coalesce(supervise_note, private_note), supervise_until::text, "
		  "details::text, sensitive AND supervised AND private_note IS NULL "
		  "FROM xiaoan.cases LEFT JOIN LATERAL (SELECT p.supervise_note AS private_note FROM xiaoan.case_private p "
		  "WHERE p.case_id = cases.id) p ON true WHERE id = $1",
		  1, p, app_on_detail_case, ud);
	cdb_query(app->db,
		  "SELECT seq, kind, coalesce(stage, ''), extract(epoch FROM at)::bigint, actor_name, "
		  "coalesce(unit, ''), coalesce(from_unit, ''), coalesce(to_unit, ''), coalesce(note, ''), state, "
		  "note_hidden FROM xiaoan.case_trail WHERE case_id = $1 ORDER BY seq",
		  1, p, app_on_detail_events, ud);
	cdb_query(app->db, "SELECT unit, relation FROM xiaoan.case_unit WHERE case_id = $1 ORDER BY relation, unit",
		  1, p, app_on_detail_units, ud);
	cdb_query(app->db, "SELECT summary, details::text FROM xiaoan.case_private WHERE case_id = $1", 1, p,
		  app_on_detail_private, ud);
	hazard_load_detail(id);
}

/* ---- a school's history ----------------------------------------------- */

static void app_free_hist(void)
{
	for (size_t i = 0; i < app->nhist; i++)
		free(app->hist[i].summary);
	free(app->hist);
	app->hist = NULL;
	app->nhist = 0;
	app->hist_loaded = false;
}

static void app_on_hist(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	(void)ud;
	if (!app_check(_("the school's history"), err, msg))
		return;
	app_free_hist();
	app->nhist = (size_t)PQntuples(res);
	app->hist = xcalloc(app->nhist ? app->nhist : 1, sizeof *app->hist);
	for (size_t i = 0; i < app->nhist; i++) {
		struct hist_row *h = &app->hist[i];
		h->id = strtoll(db_text(res, (int)i, 0), NULL, 10);
		xstrlcpy(h->type, db_text(res, (int)i, 1), sizeof h->type);
		xstrlcpy(h->state, db_text(res, (int)i, 2), sizeof h->state);
		h->opened_at = db_epoch(res, (int)i, 3);
		h->summary = xstrdup(db_text(res, (int)i, 4));
	}
	app->hist_loaded = true;
	app->redraw |= RD_BODY;
}

void app_load_school_history(const char *school)
{
	const char *p[1] = { school };

	app_free_hist();
	cdb_query(app->db,
		  "SELECT id, type, state, extract(epoch FROM opened_at)::bigint, summary FROM xiaoan.cases "
		  "WHERE school = $1 AND opened_at > now() - interval '30 days' ORDER BY id DESC LIMIT 100",
		  1, p, app_on_hist, NULL);
}

/* ---- the stream ------------------------------------------------------------ */

static void app_on_token(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	(void)ud;
	if (!app->cs)
		return; /* closing */
	if (err != DB_OK || PQntuples(res) != 1) {
		cstream_token_failed(app->cs, err == DB_OK ? _("no stream token") : msg);
		return;
	}
	cstream_open(app->cs, db_text(res, 0, 0), app->m.last_seq);
}

static void app_need_token(void *ud)
{
	(void)ud;
	cdb_query(app->db, "SELECT xiaoan.session_token()", 0, NULL, app_on_token, NULL);
}

static void app_notify_case(const struct mcase *c, const char *title)
{
	char body[512];
	snprintf(body, sizeof body, _("Case %" PRId64 ": %s at %s"), c->id, model_type_name(&app->m, c->type),
		 model_unit_name(&app->m, c->school));
	notify_post(title, body, xtime_mono_ms());
}

static void app_on_event(const struct proto_event *ev)
{
	enum model_apply r;
	const struct mcase *c;

	if (app->loading) {
		app->held = xrealloc(app->held, (app->nheld + 1) * sizeof *app->held);
		app->held[app->nheld++] = *ev;
		return;
	}
	r = model_apply_event(&app->m, ev, app->issuer, app_now());
	if (r == MODEL_IGNORED)
		return;
	app->redraw |= RD_ALL;
	/* Hundreds of events a second may arrive between two screen updates:
	 * the per-school counts are recomputed once, before the next. */
	app->schools_stale = true;
	app->events_only = true;
	c = model_find(&app->m, ev->c.id);
	if (r == MODEL_CREATED && c && c->severity >= MSEV_HIGH)
		app_notify_case(c, _("New urgent case"));
	else if (ev->kind == PROTO_KIND_DUE_SOON && c)
		app_notify_case(c, _("A deadline is about to pass"));
	if (app->view == VIEW_DETAIL && app->det.id == ev->c.id && ev->kind != PROTO_KIND_DUE_SOON &&
	    ev->kind != PROTO_KIND_OVERDUE)
		app_load_detail(ev->c.id);
}

/* The hub's view of its database, from its heartbeats. */
static bool hub_db_down;

static void app_on_msg(void *ud, const struct proto_msg *msg)
{
	(void)ud;
	switch (msg->type) {
	case PROTO_EVENT:
		app_on_event(&msg->event);
		break;
	case PROTO_RESYNC:
		/* The hub could not replay what we missed: start over from the database. */
		app_message(false, "%s", _("The hub asked for a full reload; reloading."));
		app_reload();
		break;
	case PROTO_HELLO:
		if (msg->hello.seq < app->m.last_seq) {
			/* The hub knows less than we do (a new database?): reload. */
			app_reload();
		}
		break;
	case PROTO_HEARTBEAT:
		/* Say it once per change: the hub's database may be down while ours is up. */
		if (msg->heartbeat.db_down != hub_db_down) {
			hub_db_down = msg->heartbeat.db_down;
			if (hub_db_down)
				app_message(true, "%s", _("The hub has lost its database: new alerts are not being accepted."));
			else
				app_message(false, "%s", _("The hub's database is back."));
		}
		break;
	}
}

static void app_on_hub_state(void *ud, enum cstream_state st, const char *why)
{
	(void)ud;
	if (st == CS_LIVE) {
		bool long_outage = app->hub_down_ms && xtime_mono_ms() - app->hub_down_ms > CONSOLE_OUTAGE_RELOAD_MS;
		app->hub_down_ms = 0;
		app->hub_ever_live = true;
		if (long_outage)
			app_reload();
	} else if (st == CS_DOWN && app->hub_down_ms == 0) {
		app->hub_down_ms = xtime_mono_ms();
		app->hub_down_wall = app_now();
	}
	if (st != CS_LIVE && !app->hub_down_wall && app->clock_ok)
		app->hub_down_wall = app_now();
	if (st == CS_LIVE)
		app->hub_down_wall = 0;
	if (st == CS_DOWN && why && *why)
		xstrlcpy(app->hub_why, why, sizeof app->hub_why);
	if (st == CS_DOWN && !app->hub_ever_live && app->hub_down_ms == 0) {
		app->hub_down_ms = xtime_mono_ms();
		app->hub_down_wall = app_now();
	}
	app->hub = st;
	app->redraw |= RD_ALL;
}

static void app_on_db_state(void *ud, enum cdb_state st, const char *msg)
{
	(void)ud;
	app->dbst = st;
	if (st == CDB_DOWN) {
		if (!app->db_down_wall)
			app->db_down_wall = app_now();
		xstrlcpy(app->db_why, msg, sizeof app->db_why);
		app->loading = 0;
	} else if (st == CDB_UP) {
		app->db_down_wall = 0;
		app->db_why[0] = '\0';
		/* Whatever happened while we were away: read it again. */
		app_reload();
	}
	app->redraw |= RD_HEADER;
}

/* ---- the clock -------------------------------------------------------------- */

static void app_sec_fire(struct cloop_timer *t)
{
	int64_t ms;

	(void)t;
	app_tick();
	ms = app_now_ms();
	/* Wake just after the next full second of the database clock. */
	cloop_timer_set(&app_sec_timer, 1000 - (ms % 1000 + 1000) % 1000 + 5, app_sec_fire, NULL);
}

void app_tick(void)
{
	int64_t now = app_now();
	static int64_t last_clock_sync;

	if (model_tick(&app->m, now)) {
		ui_schools_rebuild();
		app->redraw |= RD_BODY | RD_HEADER;
	}
	app->redraw |= RD_TICK;
	super_tick();
	if (app->msg[0] && xtime_mono_ms() > app->msg_until_ms) {
		app->msg[0] = '\0';
		app->redraw |= RD_STATUS;
	}
	/* Re-read the database clock every 10 minutes: drift stays small. */
	if (app->clock_ok && xtime_mono_ms() - last_clock_sync > 600000 && cdb_state(app->db) == CDB_UP) {
		last_clock_sync = xtime_mono_ms();
		cdb_query(app->db, "SELECT (extract(epoch FROM now) * 1000)::bigint, utc_offset FROM xiaoan.clock()",
			  0, NULL, app_on_clock_sync, NULL);
	}
}

void app_start(void)
{
	static const struct cstream_ops ops = { app_need_token, app_on_msg, app_on_hub_state };

	app->db = cdb_new(app->db_conninfo, app_on_db_state, NULL);
	app->cs = cstream_new(app->hub_addr, &ops, NULL);
	app->hub = CS_DOWN;
	app->hub_down_ms = xtime_mono_ms();
	app->hub_down_wall = 0;
	cdb_connect(app->db);
	cloop_timer_set(&app_sec_timer, 1000, app_sec_fire, NULL);
}

void app_stop(void)
{
	cloop_timer_cancel(&app_sec_timer);
	cstream_free(app->cs);
	app->cs = NULL;
	cdb_free(app->db);
	app->db = NULL;
	app_free_hist();
	ui_detail_free(&app->det);
	free(app->held);
	free(app->recent);
	free(app->schools);
	free(app->pr.items);
	free(app->pr.step.note);
	free(app->hub_addr);
	free(app->db_conninfo);
	for (size_t i = 0; i < app->ncats; i++)
		free(app->cats[i].name);
	free(app->cats);
	super_free();
	model_free(&app->m);
}
