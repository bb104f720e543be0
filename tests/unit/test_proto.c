#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xiaoan/proto.h"
#include "xiaoan/util.h"

#define T0 1795507925 /* 2026-11-24T08:12:05Z */

static struct proto_event sample_event(void)
{
	struct proto_event ev;
	memset(&ev, 0, sizeof ev);
	ev.seq = 42;
	ev.kind = PROTO_KIND_SIGN;
	ev.at = T0;
	strcpy(ev.actor, "王伟");
	strcpy(ev.unit, "fh.jp.cmd");
	ev.stage = -1;
	ev.c.id = 7;
	strcpy(ev.c.type, "gate_open");
	strcpy(ev.c.school, "S001");
	strcpy(ev.c.town, "fh.jp");
	strcpy(ev.c.holder, "fh.jp.cmd");
	strcpy(ev.c.state, "signed");
	strcpy(ev.c.severity, "high");
	strcpy(ev.c.summary, "东门开启超过120秒 \"quoted\" \\ back");
	ev.c.version = 3;
	ev.c.supervised = true;
	ev.c.sign_due = T0 + 300;
	ev.c.feedback_due = T0 + 600;
	ev.c.close_due = T0 + 43200;
	ev.c.signed_at = T0 + 10;
	ev.c.opened_at = T0 - 60;
	ev.c.sign_start = T0 - 60;
	return ev;
}

static void test_event_json_exact(void **state)
{
	(void)state;
	struct proto_event ev = sample_event();
	char *s = proto_event_to_json(&ev);
	assert_string_equal(
		s, "{\"type\":\"event\",\"seq\":42,\"kind\":\"sign\",\"at\":\"2026-11-24T08:12:05Z\","
		   "\"actor\":\"王伟\",\"unit\":\"fh.jp.cmd\",\"case\":{\"id\":7,\"type\":\"gate_open\","
		   "\"school\":\"S001\",\"town\":\"fh.jp\",\"holder\":\"fh.jp.cmd\",\"state\":\"signed\","
		   "\"severity\":\"high\",\"summary\":\"东门开启超过120秒 \\\"quoted\\\" \\\\ back\","
		   "\"version\":3,\"supervised\":true,\"sensitive\":false,"
		   "\"sign_due\":\"2026-11-24T08:17:05Z\",\"feedback_due\":\"2026-11-24T08:22:05Z\","
		   "\"close_due\":\"2026-11-24T20:12:05Z\",\"signed_at\":\"2026-11-24T08:12:15Z\","
		   "\"feedback_at\":null,\"closed_at\":null,\"opened_at\":\"2026-11-24T08:11:05Z\","
		   "\"sign_start\":\"2026-11-24T08:11:05Z\"}}");
	free(s);
}

static void test_event_round_trip(void **state)
{
	(void)state;
	struct proto_event ev = sample_event();
	for (int k = 0; k < PROTO_NKINDS; k++) {
		ev.kind = (enum proto_kind)k;
		ev.stage = (k == PROTO_KIND_DUE_SOON || k == PROTO_KIND_OVERDUE) ? SLA_FEEDBACK : -1;
		memset(ev.note, 0, sizeof ev.note);
		strcpy(ev.note, k == PROTO_KIND_RETURN ? "不属本单位职责\n请核实" : "");
		char *s = proto_event_to_json(&ev);
		struct proto_msg m;
		char err[200];
		if (proto_parse(s, strlen(s), &m, err, sizeof err) != 0)
			print_error("%s: %s\n", s, err);
		assert_int_equal(proto_parse(s, strlen(s), &m, err, sizeof err), 0);
		assert_int_equal(m.type, PROTO_EVENT);
		assert_memory_equal(&m.event, &ev, sizeof ev);
		free(s);
	}
}

static void test_other_round_trips(void **state)
{
	(void)state;
	struct proto_msg in, out;
	char err[200];

	memset(&in, 0, sizeof in);
	in.type = PROTO_HELLO;
	in.hello = (struct proto_hello){ T0, 9000, "hub-1", 28800 };
	char *s = proto_msg_to_json(&in);
	assert_string_equal(s, "{\"type\":\"hello\",\"server_time\":\"2026-11-24T08:12:05Z\",\"seq\":9000,"
			       "\"hub\":\"hub-1\",\"utc_offset\":28800}");
	assert_int_equal(proto_parse(s, strlen(s), &out, err, sizeof err), 0);
	assert_int_equal(out.type, PROTO_HELLO);
	assert_memory_equal(&out.hello, &in.hello, sizeof in.hello);
	free(s);

	memset(&in, 0, sizeof in);
	in.type = PROTO_HEARTBEAT;
	in.heartbeat = (struct proto_heartbeat){ T0, 12, true };
	s = proto_msg_to_json(&in);
	assert_string_equal(s, "{\"type\":\"heartbeat\",\"server_time\":\"2026-11-24T08:12:05Z\",\"seq\":12,"
			       "\"db\":\"down\"}");
	assert_int_equal(proto_parse(s, strlen(s), &out, err, sizeof err), 0);
	assert_int_equal(out.type, PROTO_HEARTBEAT);
	assert_int_equal(out.heartbeat.server_time, T0);
	assert_int_equal(out.heartbeat.seq, 12);
	assert_true(out.heartbeat.db_down);
	free(s);
	/* "db" absent means up (older hubs); anything but up/down is refused. */
	s = "{\"type\":\"heartbeat\",\"server_time\":\"2026-11-24T08:12:05Z\",\"seq\":3}";
	assert_int_equal(proto_parse(s, strlen(s), &out, err, sizeof err), 0);
	assert_false(out.heartbeat.db_down);
	s = "{\"type\":\"heartbeat\",\"server_time\":\"2026-11-24T08:12:05Z\",\"seq\":3,\"db\":\"maybe\"}";
	assert_int_equal(proto_parse(s, strlen(s), &out, err, sizeof err), -1);
	assert_non_null(strstr(err, "db"));

	memset(&in, 0, sizeof in);
	in.type = PROTO_RESYNC;
	strcpy(in.resync.reason, "client too slow");
	s = proto_msg_to_json(&in);
	assert_string_equal(s, "{\"type\":\"resync\",\"reason\":\"client too slow\"}");
	assert_int_equal(proto_parse(s, strlen(s), &out, err, sizeof err), 0);
	assert_int_equal(out.type, PROTO_RESYNC);
	assert_string_equal(out.resync.reason, "client too slow");
	free(s);
}

static void test_minimal_and_tolerant(void **state)
{
	(void)state;
	struct proto_msg m;
	char err[200];
	/* optional members missing or null, unknown members ignored */
	const char *s = "{\"type\":\"event\",\"seq\":1,\"kind\":\"open\",\"at\":\"2026-11-24T16:12:05+08:00\","
			"\"actor\":null,\"future\":{\"x\":[1]},\"case\":{\"id\":5,\"sign_due\":null,\"extra\":1}}";
	assert_int_equal(proto_parse(s, strlen(s), &m, err, sizeof err), 0);
	assert_int_equal(m.event.kind, PROTO_KIND_OPEN);
	assert_int_equal(m.event.at, T0);
	assert_int_equal(m.event.c.id, 5);
	assert_int_equal(m.event.c.sign_due, 0);
	assert_int_equal(m.event.stage, -1);
	assert_string_equal(m.event.actor, "");
	s = "{\"type\":\"hello\",\"server_time\":\"2026-11-24T08:12:05Z\",\"seq\":0}";
	assert_int_equal(proto_parse(s, strlen(s), &m, err, sizeof err), 0);
	assert_int_equal(m.hello.utc_offset, 0);
	s = "{\"type\":\"resync\"}";
	assert_int_equal(proto_parse(s, strlen(s), &m, err, sizeof err), 0);
	assert_string_equal(m.resync.reason, "");
}

struct bad_case {
	const char *in;
	const char *err_part;
};

#define EV "{\"type\":\"event\",\"seq\":1,\"kind\":\"sign\",\"at\":\"2026-11-24T08:12:05Z\""
static const struct bad_case bad[] = {
	{ "", "not valid JSON" },
	{ "{\"type\":\"hello\"", "not valid JSON" },
	{ "[]", "must be a JSON object" },
	{ "{}", "type: missing" },
	{ "{\"type\":5}", "type: must be a string" },
	{ "{\"type\":\"bye\"}", "type: unknown message type" },
	{ "{\"type\":\"hello\",\"seq\":1}", "server_time: missing" },
	{ "{\"type\":\"hello\",\"server_time\":\"2026-11-24T08:12:05Z\"}", "seq: missing" },
	{ "{\"type\":\"hello\",\"server_time\":\"2026-11-24T08:12:05Z\",\"seq\":-1}", "seq: out of range" },
	{ "{\"type\":\"hello\",\"server_time\":\"2026-11-24T08:12:05Z\",\"seq\":1.0}", "seq: must be an integer" },
	{ "{\"type\":\"hello\",\"server_time\":\"2026-11-24T08:12:05Z\",\"seq\":\"1\"}", "seq: must be an integer" },
	{ "{\"type\":\"hello\",\"server_time\":\"2026-11-24T08:12:05Z\",\"seq\":1,\"utc_offset\":90000}",
	  "utc_offset: out of range" },
	{ "{\"type\":\"hello\",\"server_time\":\"yesterday\",\"seq\":1}", "server_time: must be an RFC 3339" },
	{ "{\"type\":\"hello\",\"server_time\":1795507925,\"seq\":1}", "server_time: must be an RFC 3339" },
	{ "{\"type\":\"heartbeat\",\"server_time\":\"2026-11-24T08:12:05Z\"}", "seq: missing" },
	{ "{\"type\":\"resync\",\"reason\":7}", "reason: must be a string" },
	{ "{\"type\":\"event\",\"seq\":1,\"kind\":\"sign\",\"at\":\"2026-11-24T08:12:05Z\"}", "case: missing" },
	{ EV ",\"case\":[]}", "case: must be an object" },
	{ EV ",\"case\":{}}", "case.id: missing" },
	{ EV ",\"case\":{\"id\":0}}", "case.id: out of range" },
	{ EV ",\"case\":{\"id\":1,\"supervised\":1}}", "case.supervised: must be true or false" },
	{ EV ",\"case\":{\"id\":1,\"close_due\":\"2026-02-30T00:00:00Z\"}}", "case.close_due: must be an RFC 3339" },
	{ EV ",\"case\":{\"id\":1,\"town\":\"" "0123456789012345678901234567890123456789012345678901234567890123"
	  "4\"}}", "case.town: longer than 64 bytes" },
	{ EV ",\"case\":{\"id\":1,\"version\":-3}}", "case.version: out of range" },
	{ "{\"type\":\"event\",\"seq\":1,\"kind\":\"teleport\",\"at\":\"2026-11-24T08:12:05Z\",\"case\":{\"id\":1}}",
	  "kind: unknown event kind" },
	{ "{\"type\":\"event\",\"seq\":1,\"kind\":\"overdue\",\"at\":\"2026-11-24T08:12:05Z\",\"case\":{\"id\":1}}",
	  "stage: missing" },
	{ "{\"type\":\"event\",\"seq\":1,\"kind\":\"overdue\",\"stage\":\"lunch\",\"at\":\"2026-11-24T08:12:05Z\","
	  "\"case\":{\"id\":1}}", "stage: must be sign, feedback or close" },
	{ "{\"type\":\"event\",\"seq\":1,\"kind\":\"sign\",\"case\":{\"id\":1}}", "at: missing" },
};

static void test_bad_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < XA_ARRAY_LEN(bad); i++) {
		struct proto_msg m;
		char err[200] = "";
		int r = proto_parse(bad[i].in, strlen(bad[i].in), &m, err, sizeof err);
		if (r != -1 || !strstr(err, bad[i].err_part))
			print_error("case %zu: r=%d err=\"%s\"\n", i, r, err);
		assert_int_equal(r, -1);
		assert_non_null(strstr(err, bad[i].err_part));
	}
}

static void test_names_and_clocks(void **state)
{
	(void)state;
	assert_string_equal(proto_kind_name(PROTO_KIND_DISPATCH_DOWN), "dispatch_down");
	assert_int_equal(proto_kind_parse("unsupervise"), PROTO_KIND_UNSUPERVISE);
	assert_int_equal(proto_kind_parse("nope"), -1);
	assert_string_equal(proto_type_name(PROTO_HEARTBEAT), "heartbeat");
	struct proto_event ev = sample_event();
	ev.c.sign_start = T0 - 30;
	struct sla_clock c[SLA_NSTAGES];
	proto_case_clocks(&ev.c, c);
	assert_int_equal(c[SLA_SIGN].start, T0 - 30);
	assert_int_equal(c[SLA_SIGN].due, T0 + 300);
	assert_int_equal(c[SLA_SIGN].done, T0 + 10);
	assert_int_equal(c[SLA_FEEDBACK].start, T0 - 60);
	assert_int_equal(c[SLA_FEEDBACK].done, 0);
	assert_int_equal(c[SLA_CLOSE].due, T0 + 43200);
	assert_int_equal(sla_next(c, T0), SLA_FEEDBACK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_json_exact),
		cmocka_unit_test(test_event_round_trip),
		cmocka_unit_test(test_other_round_trips),
		cmocka_unit_test(test_minimal_and_tolerant),
		cmocka_unit_test(test_bad_table),
		cmocka_unit_test(test_names_and_clocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
