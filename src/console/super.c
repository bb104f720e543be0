/* super.c — the supervision view's data: the overdue stages grouped by
 * unit, town or type; the supervised cases with their progress; the
 * statistics of a period with the sparkline, problem-prone schools and the
 * 4 × 100 % baseline. Every read goes through cdb under the officer's own
 * role (row-level security narrows it); a load bumps a generation so the
 * answers of an older one are dropped. */
#include "xiaoan/console.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/i18n.h"
#include "xiaoan/xtime.h"

/* Overdue stages change as time passes, not only on events: re-read. */
#define SUPER_REFRESH_MS 60000
#define SUPER_OVERDUE_LIMIT "2000"

bool super_offered(void)
{
	return app->me.loaded && (strcmp(app->me.role, "supervisor") == 0 || strcmp(app->me.role, "dispatcher") == 0);
}

const char *super_group_name(enum sup_group g)
{
	static const char *const n[SUPG_COUNT] = { N_("unit"), N_("town"), N_("type"), N_("school") };
	return (unsigned)g < SUPG_COUNT ? n[g] : "";
}

static char *super_dup(const PGresult *res, int r, int c)
{
	return db_isnull(res, r, c) ? NULL : xstrdup(db_text(res, r, c));
}

/* ---- freeing ------------------------------------------------------------------- */

static void super_free_over(struct super *s)
{
	for (size_t i = 0; i < s->nover; i++) {
		free(s->over[i].type_name);
		free(s->over[i].town_name);
		free(s->over[i].unit_name);
		free(s->over[i].school_name);
		free(s->over[i].summary);
	}
	free(s->over);
	free(s->lines);
	s->over = NULL;
	s->lines = NULL;
	s->nover = s->nlines = 0;
}

static void super_free_sup(struct super *s)
{
	for (size_t i = 0; i < s->nsup; i++) {
		struct sup_case *c = &s->sup[i];
		free(c->school_name);
		free(c->holder_name);
		free(c->until);
		free(c->note);
		free(c->last_actor);
		free(c->last_note);
	}
	free(s->sup);
	s->sup = NULL;
	s->nsup = 0;
}

static void super_free_stat(struct sup_stat *st)
{
	free(st->label);
	for (int k = 0; k < 9; k++)
		free(st->f[k]);
	memset(st, 0, sizeof *st);
}

static void super_free_stats(struct super *s)
{
	super_free_stat(&s->total);
	for (size_t i = 0; i < s->nstats; i++)
		super_free_stat(&s->stats[i]);
	free(s->stats);
	s->stats = NULL;
	s->nstats = 0;
	free(s->spark);
	s->spark = NULL;
	s->nspark = 0;
	for (size_t i = 0; i < s->nprobs; i++) {
		free(s->probs[i].school);
		free(s->probs[i].town);
		free(s->probs[i].repeats);
	}
	free(s->probs);
	s->probs = NULL;
	s->nprobs = 0;
	for (size_t i = 0; i < s->nbase; i++) {
		free(s->base[i].school);
		free(s->base[i].town);
	}
	free(s->base);
	s->base = NULL;
	s->nbase = 0;
	free(s->period_label);
	s->period_label = NULL;
}

void super_free(void)
{
	super_free_over(&app->sv);
	super_free_sup(&app->sv);
	super_free_stats(&app->sv);
}

/* ---- answers ------------------------------------------------------------------- */

/* Whether an answer is still wanted; says what went wrong if not OK. */
static bool super_answer(void *ud, enum db_err err, const char *msg)
{
	if ((int)(intptr_t)ud != app->sv.gen)
		return false;
	if (app->sv.pending > 0)
		app->sv.pending--;
	app->redraw |= RD_BODY | RD_STATUS;
	if (err != DB_OK) {
		if (err != DB_CONN)
			app_message(true, _("Could not read the supervision figures: %s"), msg);
		return false;
	}
	return true;
}

void super_regroup(void)
{
	struct super *s = &app->sv;
	size_t ng = 0;
	bool *done;

	free(s->lines);
	s->lines = xcalloc(s->nover * 2 + 1, sizeof *s->lines);
	s->nlines = 0;
	done = xcalloc(s->nover + 1, sizeof *done);
	/* Groups in the order of their oldest stage (rows come oldest first),
	 * each followed by its stages. */
	for (size_t i = 0; i < s->nover; i++) {
		const struct sup_over *o = &s->over[i];
		const char *key = s->ogroup == SUPG_TOWN ? o->town : s->ogroup == SUPG_TYPE ? o->type : o->unit;
		size_t head;
		if (done[i])
			continue;
		head = s->nlines++;
		s->lines[head].row = -1;
		s->lines[head].oldest = o->due;
		/* Types in the display language, like every list. */
		s->lines[head].label = s->ogroup == SUPG_TOWN  ? o->town_name
				       : s->ogroup == SUPG_TYPE ? model_type_name(&app->m, o->type)
								: o->unit_name;
		for (size_t j = i; j < s->nover; j++) {
			const struct sup_over *p = &s->over[j];
			const char *k2 = s->ogroup == SUPG_TOWN ? p->town : s->ogroup == SUPG_TYPE ? p->type : p->unit;
			bool seen = false;
			if (done[j] || strcmp(key, k2) != 0)
				continue;
			done[j] = true;
			/* A case with two late stages counts once among the cases. */
			for (size_t l = head + 1; l < s->nlines && !seen; l++)
				seen = s->over[s->lines[l].row].id == p->id;
			s->lines[head].stages++;
			s->lines[head].cases += !seen;
			s->lines[s->nlines++].row = (long)j;
		}
		ng++;
	}
	free(done);
	(void)ng;
	if (s->ocur >= (long)s->nlines)
		s->ocur = s->nlines ? (long)s->nlines - 1 : 0;
	app->redraw |= RD_BODY | RD_STATUS;
}

static void super_on_overdue(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	struct super *s = &app->sv;
	int64_t keep = 0;
	size_t n;

	if (!super_answer(ud, err, msg))
		return;
	/* The cursor stays on the case it was on. */
	if (s->ocur >= 0 && s->ocur < (long)s->nlines && s->lines[s->ocur].row >= 0)
		keep = s->over[s->lines[s->ocur].row].id;
	super_free_over(s);
	n = (size_t)PQntuples(res);
	s->over = xcalloc(n ? n : 1, sizeof *s->over);
	s->nover = n;
	for (size_t i = 0; i < n; i++) {
		struct sup_over *o = &s->over[i];
		int r = (int)i;
		o->id = strtoll(db_text(res, r, 0), NULL, 10);
		o->version = strtoll(db_text(res, r, 1), NULL, 10);
		xstrlcpy(o->type, db_text(res, r, 2), sizeof o->type);
		o->type_name = xstrdup(db_text(res, r, 3));
		o->school_name = xstrdup(db_text(res, r, 4));
		xstrlcpy(o->town, db_text(res, r, 5), sizeof o->town);
		o->town_name = xstrdup(db_text(res, r, 6));
		xstrlcpy(o->unit, db_text(res, r, 7), sizeof o->unit);
		o->unit_name = xstrdup(db_text(res, r, 8));
		xstrlcpy(o->stage, db_text(res, r, 9), sizeof o->stage);
		o->due = db_epoch(res, r, 10);
		xstrlcpy(o->state, db_text(res, r, 11), sizeof o->state);
		o->supervised = db_text(res, r, 12)[0] == 't';
		o->summary = xstrdup(db_text(res, r, 13));
	}
	super_regroup();
	for (size_t l = 0; keep && l < s->nlines; l++)
		if (s->lines[l].row >= 0 && s->over[s->lines[l].row].id == keep) {
			s->ocur = (long)l;
			break;
		}
}

static void super_on_supervised(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	struct super *s = &app->sv;
	size_t n;

	if (!super_answer(ud, err, msg))
		return;
	super_free_sup(s);
	n = (size_t)PQntuples(res);
	s->sup = xcalloc(n ? n : 1, sizeof *s->sup);
	s->nsup = n;
	for (size_t i = 0; i < n; i++) {
		struct sup_case *c = &s->sup[i];
		int r = (int)i;
		c->id = strtoll(db_text(res, r, 0), NULL, 10);
		c->version = strtoll(db_text(res, r, 1), NULL, 10);
		c->school_name = xstrdup(db_text(res, r, 2));
		c->holder_name = xstrdup(db_text(res, r, 3));
		xstrlcpy(c->state, db_text(res, r, 4), sizeof c->state);
		c->until = super_dup(res, r, 5);
		c->note = super_dup(res, r, 6);
		c->follow_up_due = db_text(res, r, 7)[0] == 't';
		xstrlcpy(c->last_kind, db_text(res, r, 8), sizeof c->last_kind);
		c->last_at = db_epoch(res, r, 9);
		c->last_actor = xstrdup(db_text(res, r, 10));
		c->last_note = xstrdup(db_text(res, r, 11));
		c->overdue = db_text(res, r, 12)[0] == 't';
		c->last_note_hidden = db_text(res, r, 13)[0] == 't';
	}
	if (s->scur >= (long)n)
		s->scur = n ? (long)n - 1 : 0;
}

static void super_on_period(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	struct super *s = &app->sv;

	if (!super_answer(ud, err, msg))
		return;
	free(s->period_label);
	s->period_label = PQntuples(res) == 1 ? xstrdup(db_text(res, 0, 0)) : NULL;
	s->period_day = PQntuples(res) == 1 && strcmp(db_text(res, 0, 1), "day") == 0;
}

static void super_stat_row(const PGresult *res, int r, struct sup_stat *st)
{
	st->label = xstrdup(db_text(res, r, 1));
	st->cases = strtol(db_text(res, r, 2), NULL, 10);
	for (int k = 0; k < 9; k++)
		st->f[k] = super_dup(res, r, 3 + k);
}

static void super_on_total(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	struct super *s = &app->sv;

	if (!super_answer(ud, err, msg))
		return;
	super_free_stat(&s->total);
	if (PQntuples(res) == 1)
		super_stat_row(res, 0, &s->total);
	/* The first line is the scope's total: named after it, not the district. */
	if (s->total.label && super_scope_name()) {
		free(s->total.label);
		s->total.label = xstrdup(super_scope_name());
	}
}

static void super_on_stats(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	struct super *s = &app->sv;
	size_t n;

	if (!super_answer(ud, err, msg))
		return;
	for (size_t i = 0; i < s->nstats; i++)
		super_free_stat(&s->stats[i]);
	free(s->stats);
	n = (size_t)PQntuples(res);
	s->stats = xcalloc(n ? n : 1, sizeof *s->stats);
	s->nstats = n;
	for (size_t i = 0; i < n; i++)
		super_stat_row(res, (int)i, &s->stats[i]);
}

static void super_on_spark(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	struct super *s = &app->sv;
	size_t n;

	if (!super_answer(ud, err, msg))
		return;
	free(s->spark);
	n = (size_t)PQntuples(res);
	s->spark = xcalloc(n ? n : 1, sizeof *s->spark);
	s->nspark = n;
	for (size_t i = 0; i < n; i++)
		s->spark[i] = strtol(db_text(res, (int)i, 1), NULL, 10);
}

static void super_on_problems(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	struct super *s = &app->sv;
	size_t n;

	if (!super_answer(ud, err, msg))
		return;
	n = (size_t)PQntuples(res);
	s->probs = xcalloc(n ? n : 1, sizeof *s->probs);
	s->nprobs = n;
	for (size_t i = 0; i < n; i++) {
		struct sup_problem *p = &s->probs[i];
		int r = (int)i;
		p->rank = (int)strtol(db_text(res, r, 0), NULL, 10);
		p->school = xstrdup(db_text(res, r, 1));
		p->town = xstrdup(db_text(res, r, 2));
		p->cases = strtol(db_text(res, r, 3), NULL, 10);
		p->overdue = strtol(db_text(res, r, 4), NULL, 10);
		p->repeats = xstrdup(db_text(res, r, 5));
	}
}

static void super_on_baseline(void *ud, const PGresult *res, enum db_err err, const char *msg)
{
	struct super *s = &app->sv;
	size_t n;

	if (!super_answer(ud, err, msg))
		return;
	n = (size_t)PQntuples(res);
	s->base = xcalloc(n ? n : 1, sizeof *s->base);
	s->nbase = n;
	for (size_t i = 0; i < n; i++) {
		struct sup_base *b = &s->base[i];
		int r = (int)i;
		b->school = xstrdup(db_text(res, r, 0));
		b->town = xstrdup(db_text(res, r, 1));
		for (int k = 0; k < 4; k++)
			b->ok[k] = db_text(res, r, 2 + k)[0] == 't';
	}
}

/* ---- loading ------------------------------------------------------------------- */

static void super_q(const char *sql, int np, const char *const *p, cdb_result_cb cb)
{
	app->sv.pending++;
	cdb_query(app->db, sql, np, p, cb, (void *)(intptr_t)app->sv.gen);
}

static void super_load_stats(void)
{
	struct super *s = &app->sv;
	static const char *const groups[SUPG_COUNT] = { "unit", "town", "type", "school" };
	/* $2 the scope (NULL: all the officer may see), $3 the grouping */
	const char *p[3] = { s->period, s->scope[0] ? s->scope : NULL, groups[s->sgroup] };

	super_free_stats(s);
	super_q("SELECT label, kind FROM xiaoan.period($1)", 1, p, super_on_period);
	super_q("SELECT s.* FROM xiaoan.period($1) p, xiaoan.stats(p.period_from, p.period_to, 'all', $2) s", 2, p,
		super_on_total);
	super_q("SELECT s.* FROM xiaoan.period($1) p, xiaoan.stats(p.period_from, p.period_to, $3, $2) s "
		"ORDER BY s.cases DESC, s.key",
		3, p, super_on_stats);
	/* One day has no days to draw: its hours instead. */
	super_q("SELECT d.* FROM xiaoan.period($1) p, LATERAL ("
		"SELECT h.hour::text, h.cases FROM xiaoan.cases_per_hour(p.period_from, p.period_to, $2) h "
		"WHERE p.kind = 'day' UNION ALL "
		"SELECT c.day::text, c.cases FROM xiaoan.cases_per_day(p.period_from, p.period_to, $2) c "
		"WHERE p.kind <> 'day' ORDER BY 1) d",
		2, p, super_on_spark);
	super_q("SELECT s.rank, s.school_name, s.town_name, s.cases, s.overdue, s.repeats "
		"FROM xiaoan.period($1) p, xiaoan.problem_schools(p.period_from, p.period_to, 10, $2) s "
		"ORDER BY s.rank",
		2, p, super_on_problems);
	super_q("SELECT school_name, town_name, guards_ok, closed_ok, alarm_ok, post_ok "
		"FROM xiaoan.baseline(30, $1) ORDER BY all_ok, school",
		1, p + 1, super_on_baseline);
}

void super_load(void)
{
	struct super *s = &app->sv;

	if (!app->db || cdb_state(app->db) != CDB_UP)
		return;
	s->gen++;
	s->pending = 0;
	s->loaded_ms = xtime_mono_ms();
	switch (s->sec) {
	case SUP_OVERDUE:
		super_q("SELECT case_id, version, type, type_name, school_name, town, town_name, unit, unit_name, stage, "
			"extract(epoch FROM due)::bigint, state, supervised, summary "
			"FROM xiaoan.overdue_list(NULL, " SUPER_OVERDUE_LIMIT ")",
			0, NULL, super_on_overdue);
		break;
	case SUP_SUPERVISED:
		super_q("SELECT case_id, version, school_name, holder_name, state, supervise_until::text, supervise_note, "
			"follow_up_due, coalesce(last_kind, ''), extract(epoch FROM last_at)::bigint, "
			"coalesce(last_actor, ''), coalesce(last_note, ''), overdue, last_note_private AND last_note IS NULL "
			"FROM xiaoan.supervised_list(NULL)",
			0, NULL, super_on_supervised);
		break;
	default:
		if (!s->period[0])
			xtime_format_local(app_now(), app->utc_offset, "%Y-%m", s->period, sizeof s->period);
		super_load_stats();
		break;
	}
	app->redraw |= RD_BODY | RD_STATUS;
}

void super_set_period(const char *spec)
{
	xstrlcpy(app->sv.period, spec, sizeof app->sv.period);
	app->sv.scroll = 0;
	super_load();
}

const char *super_scope_name(void)
{
	const char *code = strchr(app->sv.scope, ':');

	return code ? model_unit_name(&app->m, code + 1) : NULL;
}

void super_set_scope(const char *code)
{
	const struct munit *u = *code ? model_unit(&app->m, code) : NULL;

	if (u && (strcmp(u->kind, "town") == 0 || strcmp(u->kind, "school") == 0))
		snprintf(app->sv.scope, sizeof app->sv.scope, "%s:%s", u->kind, u->code);
	else
		app->sv.scope[0] = '\0';
	app->sv.scroll = 0;
	super_load();
}

void super_tick(void)
{
	struct super *s = &app->sv;

	if (app->view != VIEW_SUPERVISOR || s->sec == SUP_STATS || s->pending)
		return;
	if (!s->loaded_ms || xtime_mono_ms() - s->loaded_ms > SUPER_REFRESH_MS)
		super_load();
}
