#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xiaoan/model.h"
#include "xiaoan/util.h"

#define NOW 1000000

static void add_units(struct model *m)
{
	static const char *const u[][4] = {
		{ "fh.jp", "锦屏街道", "town", "fh.jp" },       { "fh.yl", "岳林街道", "town", "fh.yl" },
		{ "S001", "锦屏雪窦中学", "school", "fh.jp" },   { "S002", "岳林小学", "school", "fh.yl" },
		{ "fh.edu", "区教育局", "department", "" },     { "fh.jp.cmd", "锦屏指挥室", "command_room", "fh.jp" },
	};
	struct munit *units = xcalloc(XA_ARRAY_LEN(u), sizeof *units);
	struct mtype *types = xcalloc(2, sizeof *types);

	for (size_t i = 0; i < XA_ARRAY_LEN(u); i++) {
		xstrlcpy(units[i].code, u[i][0], sizeof units[i].code);
		units[i].name = xstrdup(u[i][1]);
		xstrlcpy(units[i].kind, u[i][2], sizeof units[i].kind);
		xstrlcpy(units[i].town, u[i][3], sizeof units[i].town);
	}
	model_set_units(m, units, XA_ARRAY_LEN(u));
	xstrlcpy(types[0].code, "gate_open", sizeof types[0].code);
	types[0].name_zh = xstrdup("校园封闭式管理");
	types[0].name_en = xstrdup("Closed campus");
	xstrlcpy(types[1].code, "drowning", sizeof types[1].code);
	types[1].name_zh = xstrdup("溺水风险");
	types[1].name_en = xstrdup("Drowning risk");
	model_set_types(m, types, 2);
}

static void add_case(struct model *m, int64_t id, const char *type, const char *school, const char *town,
		     int64_t sign_due, const char *summary)
{
	struct mcase c;

	memset(&c, 0, sizeof c);
	c.id = id;
	xstrlcpy(c.type, type, sizeof c.type);
	xstrlcpy(c.school, school, sizeof c.school);
	xstrlcpy(c.town, town, sizeof c.town);
	xstrlcpy(c.holder, school, sizeof c.holder);
	c.state = MS_NEW;
	c.version = 1;
	c.opened_at = NOW - 600 + id;
	c.sign_start = c.opened_at;
	c.sign_due = sign_due;
	c.summary = (char *)summary;
	model_upsert(m, &c, NULL);
}

static int setup(void **state)
{
	struct model *m = xcalloc(1, sizeof *m);
	model_init(m);
	add_units(m);
	/* Overdue, due soon (window 60 s of a 5-minute clock), fine, no deadline. */
	add_case(m, 5, "gate_open", "S001", "fh.jp", NOW + 3600, "校门开启");
	add_case(m, 2, "drowning", "S002", "fh.yl", NOW - 10, "水塘边逗留");
	add_case(m, 9, "gate_open", "S002", "fh.yl", NOW + 30, "gate left open");
	add_case(m, 7, "drowning", "S001", "fh.jp", 0, "no clock");
	model_tick(m, NOW);
	model_rebuild_view(m);
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	model_free(*state);
	free(*state);
	return 0;
}

static void test_sorted_by_id_and_find(void **state)
{
	struct model *m = *state;

	assert_int_equal(m->n, 4);
	for (size_t i = 1; i < m->n; i++)
		assert_true(m->cases[i - 1].id < m->cases[i].id);
	assert_non_null(model_find(m, 9));
	assert_null(model_find(m, 3));
	assert_true(model_remove(m, 9));
	assert_false(model_remove(m, 9));
	assert_int_equal(m->n, 3);
}

static void test_urgency_order(void **state)
{
	struct model *m = *state;

	assert_int_equal(m->nview, 4);
	assert_int_equal(m->view[0]->id, 2); /* overdue */
	assert_int_equal(m->view[1]->id, 9); /* due soon */
	assert_int_equal(m->view[2]->id, 5); /* ok */
	assert_int_equal(m->view[3]->id, 7); /* no deadline last */
	assert_int_equal(m->view[0]->urgency, SLA_OVERDUE);
	assert_int_equal(m->view[1]->urgency, SLA_DUE_SOON);
}

static void test_tick_reports_class_change(void **state)
{
	struct model *m = *state;

	assert_false(model_tick(m, NOW + 1));
	assert_true(model_tick(m, NOW + 31)); /* case 9 passes its due */
	model_rebuild_view(m);
	/* Both overdue now: the one due first leads. */
	assert_int_equal(m->view[0]->id, 2);
	assert_int_equal(m->view[1]->id, 9);
	assert_int_equal(m->view[1]->urgency, SLA_OVERDUE);
}

static void test_other_sorts(void **state)
{
	struct model *m = *state;

	m->sort = MSORT_OPENED;
	model_rebuild_view(m);
	assert_int_equal(m->view[0]->id, 9); /* newest first */
	m->sort = MSORT_SCHOOL;
	model_rebuild_view(m);
	assert_string_equal(m->view[0]->school, "S001");
	assert_string_equal(m->view[3]->school, "S002");
	assert_int_equal(m->view[2]->id, 2); /* within a school, urgency */
}

static void test_filter_parse_and_match(void **state)
{
	struct model *m = *state;
	struct mfilter f;
	char err[256], desc[256];

	assert_int_equal(model_filter_parse(m, "town:锦屏 type:溺水", &f, err, sizeof err), 0);
	assert_string_equal(f.town, "fh.jp");
	assert_string_equal(f.type, "drowning");
	m->filter = f;
	model_rebuild_view(m);
	assert_int_equal(m->nview, 1);
	assert_int_equal(m->view[0]->id, 7);
	model_filter_describe(&f, desc, sizeof desc);
	assert_string_equal(desc, "town:fh.jp type:drowning");

	assert_int_equal(model_filter_parse(m, "overdue", &f, err, sizeof err), 0);
	m->filter = f;
	model_rebuild_view(m);
	assert_int_equal(m->nview, 1);
	assert_int_equal(m->view[0]->id, 2);

	assert_int_equal(model_filter_parse(m, "state:signed school:S002", &f, err, sizeof err), 0);
	m->filter = f;
	model_rebuild_view(m);
	assert_int_equal(m->nview, 0);

	assert_int_equal(model_filter_parse(m, "town:nowhere", &f, err, sizeof err), -1);
	assert_non_null(strstr(err, "nowhere"));
	assert_int_equal(model_filter_parse(m, "colour:red", &f, err, sizeof err), -1);
	assert_int_equal(model_filter_parse(m, "state:done", &f, err, sizeof err), -1);
}

static void test_search_text(void **state)
{
	struct model *m = *state;

	xstrlcpy(m->filter.text, "GATE", sizeof m->filter.text); /* ASCII: any case */
	model_rebuild_view(m);
	assert_int_equal(m->nview, 1);
	assert_int_equal(m->view[0]->id, 9);
	xstrlcpy(m->filter.text, "雪窦", sizeof m->filter.text); /* school name */
	model_rebuild_view(m);
	assert_int_equal(m->nview, 2);
	xstrlcpy(m->filter.text, "#7", sizeof m->filter.text); /* case id */
	model_rebuild_view(m);
	assert_int_equal(m->nview, 1);
	assert_int_equal(m->view[0]->id, 7);
}

static struct proto_event make_event(int64_t seq, int64_t id, int64_t version, const char *state)
{
	struct proto_event ev;

	memset(&ev, 0, sizeof ev);
	ev.seq = seq;
	ev.kind = PROTO_KIND_OPEN;
	ev.stage = -1;
	ev.c.id = id;
	ev.c.version = version;
	xstrlcpy(ev.c.type, "gate_open", sizeof ev.c.type);
	xstrlcpy(ev.c.school, "S001", sizeof ev.c.school);
	xstrlcpy(ev.c.town, "fh.jp", sizeof ev.c.town);
	xstrlcpy(ev.c.holder, "S001", sizeof ev.c.holder);
	xstrlcpy(ev.c.state, state, sizeof ev.c.state);
	xstrlcpy(ev.c.severity, "high", sizeof ev.c.severity);
	xstrlcpy(ev.c.summary, "live", sizeof ev.c.summary);
	ev.c.opened_at = NOW;
	ev.c.sign_start = NOW;
	ev.c.sign_due = NOW + 300;
	return ev;
}

static void test_apply_events(void **state)
{
	struct model *m = *state;
	struct proto_event ev = make_event(10, 11, 1, "new");
	struct mcase *c;
	struct mcounts k;

	m->last_seq = 9;
	assert_int_equal(model_apply_event(m, &ev, "fh.duty", NOW), MODEL_CREATED);
	c = model_find(m, 11);
	assert_non_null(c);
	assert_true(c->unseen);
	assert_string_equal(c->issuer, "fh.duty");
	assert_int_equal(c->severity, MSEV_HIGH);
	assert_int_equal(m->last_seq, 10);
	/* A replay of an old seq changes nothing. */
	assert_int_equal(model_apply_event(m, &ev, "fh.duty", NOW), MODEL_IGNORED);
	/* An update in place keeps the console-side flags. */
	c->selected = true;
	ev = make_event(11, 11, 2, "signed");
	ev.c.signed_at = NOW + 5;
	assert_int_equal(model_apply_event(m, &ev, "x", NOW), MODEL_UPDATED);
	c = model_find(m, 11);
	assert_int_equal(c->state, MS_SIGNED);
	assert_true(c->selected);
	assert_true(c->unseen);
	assert_string_equal(c->issuer, "fh.duty");
	/* An older version arriving late is ignored. */
	ev = make_event(12, 11, 1, "new");
	assert_int_equal(model_apply_event(m, &ev, "x", NOW), MODEL_IGNORED);
	assert_int_equal(model_find(m, 11)->state, MS_SIGNED);
	model_counts(m, &k);
	assert_int_equal(k.open, 5);
	assert_int_equal(k.unseen, 1);
	assert_int_equal(k.unsigned_, 4);
	/* Confirmed: gone from the open list. */
	ev = make_event(13, 11, 5, "confirmed");
	assert_int_equal(model_apply_event(m, &ev, "x", NOW), MODEL_REMOVED);
	assert_null(model_find(m, 11));
}

static void test_names(void **state)
{
	struct model *m = *state;

	assert_string_equal(model_unit_name(m, "fh.edu"), "区教育局");
	assert_string_equal(model_unit_name(m, "zz"), "zz");
	assert_string_equal(model_type_name(m, "drowning"), "Drowning risk");
	m->zh = true;
	assert_string_equal(model_type_name(m, "drowning"), "溺水风险");
	assert_int_equal(model_state_parse("in_progress"), MS_IN_PROGRESS);
	assert_int_equal(model_state_parse("bogus"), -1);
	assert_string_equal(model_state_name(MS_CLOSED), "closed");
}

static void test_closed_case_has_no_running_clock(void **state)
{
	struct model *m = *state;
	struct mcase *c = model_find(m, 2);
	struct sla_clock k[SLA_NSTAGES];

	c->state = MS_CLOSED;
	c->signed_at = NOW - 100;
	c->closed_at = NOW - 50;
	model_clocks(c, k);
	assert_int_equal(sla_next(k, NOW), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sorted_by_id_and_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_urgency_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tick_reports_class_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_sorts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_parse_and_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed_case_has_no_running_clock, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
