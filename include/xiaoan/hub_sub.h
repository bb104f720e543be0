/* hub_sub.h — one stream subscriber: its scope, its cursor and its bounded
 * queue of outgoing messages (used by hub_stream.c).
 *
 * Messages are shared: an event is rendered once and the same buffer is
 * queued to every subscriber entitled to it (reference counted). Each
 * buffer has LWS_PRE bytes of headroom; lws writes the frame header there,
 * and without extensions that header is the same for every server-side
 * connection, so sharing the buffer is safe. */
#ifndef XIAOAN_HUB_SUB_H
#define XIAOAN_HUB_SUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "xiaoan/hub.h"
#include "xiaoan/hub_http.h"
#include "xiaoan/scope.h"

struct hub_msg {
	unsigned refs;
	bool event;      /* counts as an event sent */
	size_t len;
	unsigned char buf[]; /* LWS_PRE + len + 1 */
};

/* Takes json (malloc'd). One reference, the caller's. */
struct hub_msg *hub_msg_new(char *json, bool event);
void hub_msg_unref(struct hub_msg *m);

enum hub_sub_state {
	HUB_SUB_AUTH,    /* waiting for its session check */
	HUB_SUB_REPLAY,  /* reading its backlog (since) from the database */
	HUB_SUB_LIVE,    /* in the live fan-out */
	HUB_SUB_CLOSING  /* writing what is queued, then closing */
};

/* The lws per-session data of a stream connection (zeroed by lws). */
struct hub_sub {
	struct lws *wsi;
	struct hub *hub;
	struct hub_sub *prev, *next; /* the stream's list */
	bool linked;
	enum hub_sub_state state;
	bool authorised;             /* counted in xiaoan_subscribers */

	/* from the upgrade request */
	char token[HUB_TOKEN_MAX + 1];
	bool has_since, bad_since;
	int64_t since;

	/* from the session check */
	char login[64];
	struct scope_subject who;

	int64_t cursor;              /* every event up to here is queued or skipped */

	struct hub_msg **ring;       /* queued messages */
	size_t head, n, cap, bytes;

	uint16_t close_code;
	char close_reason[124];
};

/* Queues m, or sends resync and closes when the queue is over its limits. */
void hub_sub_push(struct hub_sub *s, struct hub_msg *m);
/* Whether another `count` messages fit, with the bytes under half their limit. */
bool hub_sub_room(const struct hub_sub *s, size_t count);
/* Drops the queue, queues a resync message and closes after it. */
void hub_sub_resync(struct hub_sub *s, const char *reason);
/* Closes with code/reason once what is queued has been written. */
void hub_sub_close(struct hub_sub *s, uint16_t code, const char *reason);
/* LWS_CALLBACK_SERVER_WRITEABLE: writes queued messages; -1 to close. */
int hub_sub_write(struct hub_sub *s);
/* Frees the queue (the connection is closed). */
void hub_sub_clear(struct hub_sub *s);

#endif
