/* proto.h — the hub -> console stream (WebSocket subprotocol "xiaoan.v1"),
 * one JSON object per text frame:
 *
 *   {"type":"hello","server_time":T,"seq":N,"hub":"name","utc_offset":28800}
 *   {"type":"event","seq":N,"kind":"sign","at":T,"actor":"王伟","unit":"fh.jp.cmd",
 *    ["stage":"sign|feedback|close",] ["note":"...",] "case":{...}}
 *   {"type":"heartbeat","server_time":T,"seq":N,"db":"up"|"down"}
 *   {"type":"resync","reason":"..."}
 *
 * T is an RFC 3339 string or null. The "case" object carries id, type,
 * school, town, holder, state, severity, summary, version, supervised,
 * sensitive and the times sign_due, feedback_due, close_due, signed_at,
 * feedback_at, closed_at, opened_at, sign_start. "stage" is required for the
 * due_soon and overdue kinds. Parsing is strict about JSON and types;
 * optional members may be missing or null; unknown members are ignored so
 * the hub can add fields without breaking older consoles. */
#ifndef XIAOAN_PROTO_H
#define XIAOAN_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xiaoan/sla.h"

#define PROTO_SUBPROTOCOL "xiaoan.v1"
#define PROTO_NAME_SIZE 65
#define PROTO_TEXT_SIZE 2001 /* 500 code points of up to 4 bytes */
#define PROTO_MAX_UTC_OFFSET (18 * 3600)

enum proto_type { PROTO_HELLO, PROTO_EVENT, PROTO_HEARTBEAT, PROTO_RESYNC };

#define PROTO_KINDS(X)                       \
	X(OPEN, "open")                      \
	X(SIGN, "sign")                      \
	X(FEEDBACK, "feedback")              \
	X(FORWARD, "forward")                \
	X(ESCALATE, "escalate")              \
	X(DISPATCH_DOWN, "dispatch_down")    \
	X(RETURN, "return")                  \
	X(CLOSE, "close")                    \
	X(CONFIRM, "confirm")                \
	X(REOPEN, "reopen")                  \
	X(SUPERVISE, "supervise")            \
	X(UNSUPERVISE, "unsupervise")        \
	X(ASSIGN, "assign")                  \
	X(SAMPLE, "sample")                  \
	X(AUDIT, "audit")                    \
	X(DUE_SOON, "due_soon")              \
	X(OVERDUE, "overdue")

enum proto_kind {
#define PROTO_KIND_ENUM(id, name) PROTO_KIND_##id,
	PROTO_KINDS(PROTO_KIND_ENUM)
#undef PROTO_KIND_ENUM
	PROTO_NKINDS
};

/* Times are seconds since the epoch, 0 = null. Strings are NUL-terminated
 * and not sanitised: pass them through text_sanitize()/text_fit() to show. */
struct proto_case {
	int64_t id;
	char type[PROTO_NAME_SIZE];
	char school[PROTO_NAME_SIZE];
	char town[PROTO_NAME_SIZE];
	char holder[PROTO_NAME_SIZE];
	char state[PROTO_NAME_SIZE];
	char severity[PROTO_NAME_SIZE];
	char summary[PROTO_TEXT_SIZE];
	int64_t version;
	bool supervised, sensitive;
	int64_t sign_due, feedback_due, close_due;
	int64_t signed_at, feedback_at, closed_at;
	int64_t opened_at, sign_start;
};

struct proto_event {
	int64_t seq;
	enum proto_kind kind;
	int64_t at;
	char actor[PROTO_NAME_SIZE];
	char unit[PROTO_NAME_SIZE];
	int stage;                 /* enum sla_stage, or -1 when absent */
	char note[PROTO_TEXT_SIZE];  /* "" when absent */
	struct proto_case c;
};

struct proto_hello {
	int64_t server_time, seq;
	char hub[PROTO_NAME_SIZE];
	int utc_offset; /* seconds east of UTC: the district's time zone */
};

struct proto_heartbeat {
	int64_t server_time, seq;
	bool db_down; /* the hub cannot reach its database ("db" absent = up) */
};

struct proto_resync {
	char reason[201];
};

struct proto_msg {
	enum proto_type type;
	union {
		struct proto_hello hello;
		struct proto_event event;
		struct proto_heartbeat heartbeat;
		struct proto_resync resync;
	};
};

const char *proto_type_name(enum proto_type t);
const char *proto_kind_name(enum proto_kind k);
int proto_kind_parse(const char *name); /* enum proto_kind or -1 */

/* Serialise (malloc'd, never NULL). */
char *proto_event_to_json(const struct proto_event *ev);
char *proto_hello_to_json(const struct proto_hello *h);
char *proto_heartbeat_to_json(const struct proto_heartbeat *hb);
char *proto_resync_to_json(const struct proto_resync *r);
char *proto_msg_to_json(const struct proto_msg *m);

/* Parse one frame (buf need not be NUL-terminated). Returns 0, or -1 with
 * err naming the member, e.g. "case.sign_due: must be an RFC 3339 time". */
int proto_parse(const char *buf, size_t len, struct proto_msg *out, char *err, size_t errlen);

/* The three SLA clocks of a case: sign runs from sign_start (the last push
 * to the current holder), feedback and close from opened_at. */
void proto_case_clocks(const struct proto_case *c, struct sla_clock clocks[SLA_NSTAGES]);

#endif
