#include "xiaoan/proto.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "xiaoan/util.h"
#include "xiaoan/xtime.h"

static const char *const proto_kind_names[PROTO_NKINDS] = {
#define PROTO_KIND_NAME(id, name) name,
	PROTO_KINDS(PROTO_KIND_NAME)
#undef PROTO_KIND_NAME
};

const char *proto_type_name(enum proto_type t)
{
	switch (t) {
	case PROTO_HELLO:
		return "hello";
	case PROTO_EVENT:
		return "event";
	case PROTO_HEARTBEAT:
		return "heartbeat";
	case PROTO_RESYNC:
		return "resync";
	}
	return "?";
}

const char *proto_kind_name(enum proto_kind k)
{
	return (unsigned)k < PROTO_NKINDS ? proto_kind_names[k] : "?";
}

int proto_kind_parse(const char *name)
{
	for (int i = 0; i < PROTO_NKINDS; i++)
		if (strcmp(name, proto_kind_names[i]) == 0)
			return i;
	return -1;
}

/* ---- serialisation ---- */

XA_NORETURN static void proto_oom(void)
{
	fprintf(stderr, "xiaoan: out of memory building JSON\n");
	abort();
}

static void proto_add(struct json_object *o, const char *key, struct json_object *v)
{
	if (json_object_object_add(o, key, v) != 0)
		proto_oom();
}

static void proto_add_str(struct json_object *o, const char *key, const char *s)
{
	struct json_object *v = json_object_new_string(s);
	if (!v)
		proto_oom();
	proto_add(o, key, v);
}

static void proto_add_int(struct json_object *o, const char *key, int64_t n)
{
	struct json_object *v = json_object_new_int64(n);
	if (!v)
		proto_oom();
	proto_add(o, key, v);
}

static void proto_add_bool(struct json_object *o, const char *key, bool b)
{
	struct json_object *v = json_object_new_boolean(b);
	if (!v)
		proto_oom();
	proto_add(o, key, v);
}

static void proto_add_time(struct json_object *o, const char *key, int64_t t)
{
	char buf[XTIME_RFC3339_SIZE];

	if (t == 0 || xtime_format_rfc3339(t, buf, sizeof buf) == 0) {
		proto_add(o, key, NULL); /* JSON null */
		return;
	}
	proto_add_str(o, key, buf);
}

static struct json_object *proto_new(enum proto_type t)
{
	struct json_object *o = json_object_new_object();
	if (!o)
		proto_oom();
	proto_add_str(o, "type", proto_type_name(t));
	return o;
}

static char *proto_finish(struct json_object *o)
{
	char *s = xjson_to_string(o);
	json_object_put(o);
	return s;
}

static struct json_object *proto_case_to_object(const struct proto_case *c)
{
	struct json_object *o = json_object_new_object();
	if (!o)
		proto_oom();
	proto_add_int(o, "id", c->id);
	proto_add_str(o, "type", c->type);
	proto_add_str(o, "school", c->school);
	proto_add_str(o, "town", c->town);
	proto_add_str(o, "holder", c->holder);
	proto_add_str(o, "state", c->state);
	proto_add_str(o, "severity", c->severity);
	proto_add_str(o, "summary", c->summary);
	proto_add_int(o, "version", c->version);
	proto_add_bool(o, "supervised", c->supervised);
	proto_add_bool(o, "sensitive", c->sensitive);
	proto_add_time(o, "sign_due", c->sign_due);
	proto_add_time(o, "feedback_due", c->feedback_due);
	proto_add_time(o, "close_due", c->close_due);
	proto_add_time(o, "signed_at", c->signed_at);
	proto_add_time(o, "feedback_at", c->feedback_at);
	proto_add_time(o, "closed_at", c->closed_at);
	proto_add_time(o, "opened_at", c->opened_at);
	proto_add_time(o, "sign_start", c->sign_start);
	return o;
}

char *proto_event_to_json(const struct proto_event *ev)
{
	struct json_object *o = proto_new(PROTO_EVENT);
	proto_add_int(o, "seq", ev->seq);
	proto_add_str(o, "kind", proto_kind_name(ev->kind));
	proto_add_time(o, "at", ev->at);
	proto_add_str(o, "actor", ev->actor);
	proto_add_str(o, "unit", ev->unit);
	if (ev->stage >= 0 && ev->stage < SLA_NSTAGES)
		proto_add_str(o, "stage", sla_stage_name((enum sla_stage)ev->stage));
	if (ev->note[0])
		proto_add_str(o, "note", ev->note);
	proto_add(o, "case", proto_case_to_object(&ev->c));
	return proto_finish(o);
}

char *proto_hello_to_json(const struct proto_hello *h)
{
	struct json_object *o = proto_new(PROTO_HELLO);
	proto_add_time(o, "server_time", h->server_time);
	proto_add_int(o, "seq", h->seq);
	proto_add_str(o, "hub", h->hub);
	proto_add_int(o, "utc_offset", h->utc_offset);
	return proto_finish(o);
}

char *proto_heartbeat_to_json(const struct proto_heartbeat *hb)
{
	struct json_object *o = proto_new(PROTO_HEARTBEAT);
	proto_add_time(o, "server_time", hb->server_time);
	proto_add_int(o, "seq", hb->seq);
	proto_add_str(o, "db", hb->db_down ? "down" : "up");
	return proto_finish(o);
}

char *proto_resync_to_json(const struct proto_resync *r)
{
	struct json_object *o = proto_new(PROTO_RESYNC);
	proto_add_str(o, "reason", r->reason);
	return proto_finish(o);
}

char *proto_msg_to_json(const struct proto_msg *m)
{
	switch (m->type) {
	case PROTO_HELLO:
		return proto_hello_to_json(&m->hello);
	case PROTO_EVENT:
		return proto_event_to_json(&m->event);
	case PROTO_HEARTBEAT:
		return proto_heartbeat_to_json(&m->heartbeat);
	case PROTO_RESYNC:
		return proto_resync_to_json(&m->resync);
	}
	return xstrdup("null");
}

/* ---- parsing ---- */

struct proto_ctx {
	const char *prefix; /* "" or "case." */
	char *err;
	size_t errlen;
};

XA_PRINTF(3, 4)
static int proto_fail(struct proto_ctx *p, const char *key, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s%s: %s", p->prefix, key, msg);
	return -1;
}

/* Returns 1 present, 0 absent or null (an error when required), -1 error. */
static int proto_member(struct proto_ctx *p, struct json_object *o, const char *key, bool required,
			struct json_object **v)
{
	if (!json_object_object_get_ex(o, key, v) || *v == NULL) {
		if (required)
			return proto_fail(p, key, "missing");
		return 0;
	}
	return 1;
}

static int proto_str(struct proto_ctx *p, struct json_object *o, const char *key, bool required, char *dst,
		     size_t n)
{
	struct json_object *v;
	int r = proto_member(p, o, key, required, &v);

	dst[0] = '\0';
	if (r <= 0)
		return r;
	if (!json_object_is_type(v, json_type_string))
		return proto_fail(p, key, "must be a string");
	size_t len = (size_t)json_object_get_string_len(v);
	if (len >= n)
		return proto_fail(p, key, "longer than %zu bytes", n - 1);
	memcpy(dst, json_object_get_string(v), len);
	dst[len] = '\0';
	return 0;
}

static int proto_int(struct proto_ctx *p, struct json_object *o, const char *key, bool required, int64_t min,
		     int64_t max, int64_t *dst)
{
	struct json_object *v;
	int r = proto_member(p, o, key, required, &v);

	*dst = 0;
	if (r <= 0)
		return r;
	if (!json_object_is_type(v, json_type_int))
		return proto_fail(p, key, "must be an integer");
	int64_t n = json_object_get_int64(v);
	if (n < min || n > max)
		return proto_fail(p, key, "out of range");
	*dst = n;
	return 0;
}

static int proto_bool(struct proto_ctx *p, struct json_object *o, const char *key, bool *dst)
{
	struct json_object *v;
	int r = proto_member(p, o, key, false, &v);

	*dst = false;
	if (r <= 0)
		return r;
	if (!json_object_is_type(v, json_type_boolean))
		return proto_fail(p, key, "must be true or false");
	*dst = json_object_get_boolean(v);
	return 0;
}

static int proto_time(struct proto_ctx *p, struct json_object *o, const char *key, bool required, int64_t *dst)
{
	struct json_object *v;
	int r = proto_member(p, o, key, required, &v);

	*dst = 0;
	if (r <= 0)
		return r;
	if (!json_object_is_type(v, json_type_string))
		return proto_fail(p, key, "must be an RFC 3339 time string or null");
	const char *s = json_object_get_string(v);
	if ((size_t)json_object_get_string_len(v) != strlen(s) || !xtime_parse_rfc3339(s, dst))
		return proto_fail(p, key, "must be an RFC 3339 time string or null");
	if (required && *dst == 0) /* the epoch is 0, which means null */
		return proto_fail(p, key, "must not be the epoch, which stands for null");
	return 0;
}

static int proto_parse_case(struct proto_ctx *p, struct json_object *o, struct proto_case *c)
{
	struct proto_ctx cp = { "case.", p->err, p->errlen };

	if (proto_int(&cp, o, "id", true, 1, INT64_MAX, &c->id) || proto_str(&cp, o, "type", false, c->type, sizeof c->type) ||
	    proto_str(&cp, o, "school", false, c->school, sizeof c->school) ||
	    proto_str(&cp, o, "town", false, c->town, sizeof c->town) ||
	    proto_str(&cp, o, "holder", false, c->holder, sizeof c->holder) ||
	    proto_str(&cp, o, "state", false, c->state, sizeof c->state) ||
	    proto_str(&cp, o, "severity", false, c->severity, sizeof c->severity) ||
	    proto_str(&cp, o, "summary", false, c->summary, sizeof c->summary) ||
	    proto_int(&cp, o, "version", false, 0, INT64_MAX, &c->version) ||
	    proto_bool(&cp, o, "supervised", &c->supervised) || proto_bool(&cp, o, "sensitive", &c->sensitive) ||
	    proto_time(&cp, o, "sign_due", false, &c->sign_due) ||
	    proto_time(&cp, o, "feedback_due", false, &c->feedback_due) ||
	    proto_time(&cp, o, "close_due", false, &c->close_due) ||
	    proto_time(&cp, o, "signed_at", false, &c->signed_at) ||
	    proto_time(&cp, o, "feedback_at", false, &c->feedback_at) ||
	    proto_time(&cp, o, "closed_at", false, &c->closed_at) ||
	    proto_time(&cp, o, "opened_at", false, &c->opened_at) ||
	    proto_time(&cp, o, "sign_start", false, &c->sign_start))
		return -1;
	return 0;
}

static int proto_parse_event(struct proto_ctx *p, struct json_object *o, struct proto_event *ev)
{
	char name[32];
	struct json_object *v;

	if (proto_int(p, o, "seq", true, 0, INT64_MAX, &ev->seq))
		return -1;
	if (proto_str(p, o, "kind", true, name, sizeof name) < 0)
		return -1;
	int k = proto_kind_parse(name);
	if (k < 0)
		return proto_fail(p, "kind", "unknown event kind");
	ev->kind = (enum proto_kind)k;
	if (proto_time(p, o, "at", true, &ev->at) || proto_str(p, o, "actor", false, ev->actor, sizeof ev->actor) ||
	    proto_str(p, o, "unit", false, ev->unit, sizeof ev->unit) ||
	    proto_str(p, o, "note", false, ev->note, sizeof ev->note))
		return -1;
	bool need_stage = ev->kind == PROTO_KIND_DUE_SOON || ev->kind == PROTO_KIND_OVERDUE;
	if (proto_str(p, o, "stage", need_stage, name, sizeof name) < 0)
		return -1;
	ev->stage = -1;
	if (name[0]) {
		ev->stage = sla_stage_parse(name);
		if (ev->stage < 0)
			return proto_fail(p, "stage", "must be sign, feedback or close");
	}
	if (proto_member(p, o, "case", true, &v) < 0)
		return -1;
	if (!json_object_is_type(v, json_type_object))
		return proto_fail(p, "case", "must be an object");
	return proto_parse_case(p, v, &ev->c);
}

int proto_parse(const char *buf, size_t len, struct proto_msg *out, char *err, size_t errlen)
{
	struct proto_ctx p = { "", err, errlen };
	struct json_object *root;
	char why[128], type[16], db[8] = "";
	int64_t n;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (xjson_parse(buf, len, 4, &root, why, sizeof why) < 0) {
		snprintf(err, errlen, "not valid JSON: %s", why);
		return -1;
	}
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(err, errlen, "a message must be a JSON object");
		goto out;
	}
	if (proto_str(&p, root, "type", true, type, sizeof type) < 0)
		goto out;
	if (strcmp(type, "hello") == 0) {
		out->type = PROTO_HELLO;
		if (proto_time(&p, root, "server_time", true, &out->hello.server_time) ||
		    proto_int(&p, root, "seq", true, 0, INT64_MAX, &out->hello.seq) ||
		    proto_str(&p, root, "hub", false, out->hello.hub, sizeof out->hello.hub) ||
		    proto_int(&p, root, "utc_offset", false, -PROTO_MAX_UTC_OFFSET, PROTO_MAX_UTC_OFFSET, &n))
			goto out;
		out->hello.utc_offset = (int)n;
	} else if (strcmp(type, "event") == 0) {
		out->type = PROTO_EVENT;
		if (proto_parse_event(&p, root, &out->event))
			goto out;
	} else if (strcmp(type, "heartbeat") == 0) {
		out->type = PROTO_HEARTBEAT;
		if (proto_time(&p, root, "server_time", true, &out->heartbeat.server_time) ||
		    proto_int(&p, root, "seq", true, 0, INT64_MAX, &out->heartbeat.seq) ||
		    proto_str(&p, root, "db", false, db, sizeof db))
			goto out;
		if (db[0] && strcmp(db, "up") != 0 && strcmp(db, "down") != 0) {
			snprintf(err, errlen, "db: must be \"up\" or \"down\"");
			goto out;
		}
		out->heartbeat.db_down = strcmp(db, "down") == 0;
	} else if (strcmp(type, "resync") == 0) {
		out->type = PROTO_RESYNC;
		if (proto_str(&p, root, "reason", false, out->resync.reason, sizeof out->resync.reason))
			goto out;
	} else {
		proto_fail(&p, "type", "unknown message type");
		goto out;
	}
	rc = 0;
out:
	json_object_put(root);
	return rc;
}

void proto_case_clocks(const struct proto_case *c, struct sla_clock clocks[SLA_NSTAGES])
{
	clocks[SLA_SIGN] = (struct sla_clock){ c->sign_start ? c->sign_start : c->opened_at, c->sign_due,
					       c->signed_at };
	clocks[SLA_FEEDBACK] = (struct sla_clock){ c->opened_at, c->feedback_due, c->feedback_at };
	clocks[SLA_CLOSE] = (struct sla_clock){ c->opened_at, c->close_due, c->closed_at };
}
