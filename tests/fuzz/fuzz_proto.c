/* fuzz_proto.c — one hub -> console frame through proto_parse(). A parsed
 * message obeys proto.h (terminated strings, kinds and stages in range, a
 * stage on due_soon and overdue), and its serialisation (proto_event_to_json
 * for events, proto_msg_to_json for the rest) parses back to an equal
 * message: what the hub sends is what the console reads. */
#include "fuzz.h"

#include <stdbool.h>
#include <string.h>

#include "xiaoan/proto.h"
#include "xiaoan/sla.h"

#define FUZZ_STR_OK(s) fuzz_terminated((s), sizeof(s))

static void fuzz_proto_check_event(const struct proto_event *ev)
{
	const struct proto_case *c = &ev->c;

	FUZZ_CHECK(ev->seq >= 0);
	FUZZ_CHECK((unsigned)ev->kind < PROTO_NKINDS);
	FUZZ_CHECK(ev->at != 0);
	FUZZ_CHECK(ev->stage >= -1 && ev->stage < SLA_NSTAGES);
	if (ev->kind == PROTO_KIND_DUE_SOON || ev->kind == PROTO_KIND_OVERDUE)
		FUZZ_CHECK(ev->stage >= 0);
	FUZZ_CHECK(FUZZ_STR_OK(ev->actor) && FUZZ_STR_OK(ev->unit) && FUZZ_STR_OK(ev->note));
	FUZZ_CHECK(c->id >= 1 && c->version >= 0);
	FUZZ_CHECK(FUZZ_STR_OK(c->type) && FUZZ_STR_OK(c->school) && FUZZ_STR_OK(c->town));
	FUZZ_CHECK(FUZZ_STR_OK(c->holder) && FUZZ_STR_OK(c->state) && FUZZ_STR_OK(c->severity));
	FUZZ_CHECK(FUZZ_STR_OK(c->summary));
}

static void fuzz_proto_check(const struct proto_msg *m)
{
	switch (m->type) {
	case PROTO_HELLO:
		FUZZ_CHECK(m->hello.server_time != 0 && m->hello.seq >= 0);
		FUZZ_CHECK(FUZZ_STR_OK(m->hello.hub));
		FUZZ_CHECK(m->hello.utc_offset >= -PROTO_MAX_UTC_OFFSET &&
			   m->hello.utc_offset <= PROTO_MAX_UTC_OFFSET);
		break;
	case PROTO_EVENT:
		fuzz_proto_check_event(&m->event);
		break;
	case PROTO_HEARTBEAT:
		FUZZ_CHECK(m->heartbeat.server_time != 0 && m->heartbeat.seq >= 0);
		break;
	case PROTO_RESYNC:
		FUZZ_CHECK(FUZZ_STR_OK(m->resync.reason));
		break;
	default:
		FUZZ_CHECK(!"unknown message type");
	}
}

#define FUZZ_SAME_STR(x, y, f) (strcmp((x)->f, (y)->f) == 0)

static bool fuzz_proto_same_case(const struct proto_case *x, const struct proto_case *y)
{
	return x->id == y->id && FUZZ_SAME_STR(x, y, type) && FUZZ_SAME_STR(x, y, school) &&
	       FUZZ_SAME_STR(x, y, town) && FUZZ_SAME_STR(x, y, holder) && FUZZ_SAME_STR(x, y, state) &&
	       FUZZ_SAME_STR(x, y, severity) && FUZZ_SAME_STR(x, y, summary) && x->version == y->version &&
	       x->supervised == y->supervised && x->sensitive == y->sensitive && x->sign_due == y->sign_due &&
	       x->feedback_due == y->feedback_due && x->close_due == y->close_due &&
	       x->signed_at == y->signed_at && x->feedback_at == y->feedback_at &&
	       x->closed_at == y->closed_at && x->opened_at == y->opened_at && x->sign_start == y->sign_start;
}

static bool fuzz_proto_same(const struct proto_msg *x, const struct proto_msg *y)
{
	if (x->type != y->type)
		return false;
	switch (x->type) {
	case PROTO_HELLO:
		return x->hello.server_time == y->hello.server_time && x->hello.seq == y->hello.seq &&
		       FUZZ_SAME_STR(&x->hello, &y->hello, hub) && x->hello.utc_offset == y->hello.utc_offset;
	case PROTO_EVENT:
		return x->event.seq == y->event.seq && x->event.kind == y->event.kind &&
		       x->event.at == y->event.at && FUZZ_SAME_STR(&x->event, &y->event, actor) &&
		       FUZZ_SAME_STR(&x->event, &y->event, unit) && x->event.stage == y->event.stage &&
		       FUZZ_SAME_STR(&x->event, &y->event, note) && fuzz_proto_same_case(&x->event.c, &y->event.c);
	case PROTO_HEARTBEAT:
		return x->heartbeat.server_time == y->heartbeat.server_time &&
		       x->heartbeat.seq == y->heartbeat.seq;
	case PROTO_RESYNC:
		return FUZZ_SAME_STR(&x->resync, &y->resync, reason);
	}
	return false;
}

static void fuzz_proto(const uint8_t *data, size_t size)
{
	/* Heap copies: ASan then sees any read past the message. */
	struct proto_msg *m = xmalloc(sizeof *m), *again = xmalloc(sizeof *again);
	char err[200];

	err[0] = '\0';
	if (proto_parse((const char *)data, size, m, err, sizeof err) != 0) {
		FUZZ_CHECK(fuzz_terminated(err, sizeof err) && err[0] != '\0');
		goto out;
	}
	fuzz_proto_check(m);
	char *s = m->type == PROTO_EVENT ? proto_event_to_json(&m->event) : proto_msg_to_json(m);
	int rc = proto_parse(s, strlen(s), again, err, sizeof err);
	if (rc != 0)
		fprintf(stderr, "re-serialised: %s\nrefused: %s\n", s, err);
	FUZZ_CHECK(rc == 0);
	FUZZ_CHECK(fuzz_proto_same(m, again));
	free(s);
out:
	free(m);
	free(again);
}

FUZZ_ENTRY(fuzz_proto)
