#include "xiaoan/cstream.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/cloop.h"
#include "xiaoan/i18n.h"
#include "xiaoan/util.h"

#define CSTREAM_BACKOFF_MIN_MS 500
#define CSTREAM_BACKOFF_MAX_MS 10000
#define CSTREAM_FRAME_MAX (1024 * 1024)

struct cstream {
	char host[256];
	int port;
	struct cstream_ops ops;
	void *ud;
	enum cstream_state st;
	struct lws *wsi;
	char auth[160];
	char path[128];
	struct sbuf frame;
	struct cloop_timer retry, idle;
	int backoff_ms;
	bool stopping;
};

struct cstream *cstream_new(const char *hostport, const struct cstream_ops *ops, void *ud)
{
	struct cstream *cs;
	const char *colon = strrchr(hostport, ':');
	size_t hl = colon ? (size_t)(colon - hostport) : strlen(hostport);
	long port = 8460;

	if (hl == 0 || hl >= sizeof cs->host)
		return NULL;
	if (colon) {
		char *end;
		port = strtol(colon + 1, &end, 10);
		if (*end || port < 1 || port > 65535)
			return NULL;
	}
	cs = xcalloc(1, sizeof *cs);
	memcpy(cs->host, hostport, hl);
	cs->port = (int)port;
	cs->ops = *ops;
	cs->ud = ud;
	cs->backoff_ms = CSTREAM_BACKOFF_MIN_MS;
	sbuf_init(&cs->frame);
	return cs;
}

static void cstream_set_state(struct cstream *cs, enum cstream_state st, const char *why)
{
	cs->st = st;
	cs->ops.on_state(cs->ud, st, why ? why : "");
}

static void cstream_retry_fire(struct cloop_timer *t)
{
	struct cstream *cs = t->ud;
	cstream_set_state(cs, CS_CONNECTING, NULL);
	cs->ops.need_token(cs->ud);
}

static void cstream_schedule(struct cstream *cs)
{
	if (cs->stopping)
		return;
	cloop_timer_set(&cs->retry, cs->backoff_ms, cstream_retry_fire, cs);
	cs->backoff_ms = cs->backoff_ms * 2 > CSTREAM_BACKOFF_MAX_MS ? CSTREAM_BACKOFF_MAX_MS : cs->backoff_ms * 2;
}

static void cstream_down(struct cstream *cs, const char *why)
{
	cloop_timer_cancel(&cs->idle);
	cs->wsi = NULL;
	sbuf_reset(&cs->frame);
	cstream_set_state(cs, CS_DOWN, why);
	cstream_schedule(cs);
}

void cstream_start(struct cstream *cs)
{
	cloop_timer_cancel(&cs->retry);
	cstream_set_state(cs, CS_CONNECTING, NULL);
	cs->ops.need_token(cs->ud);
}

void cstream_token_failed(struct cstream *cs, const char *why)
{
	cstream_set_state(cs, CS_DOWN, why);
	cstream_schedule(cs);
}

static void cstream_idle_fire(struct cloop_timer *t)
{
	struct cstream *cs = t->ud;
	/* Silent too long: the hub or the path to it is gone. */
	if (cs->wsi)
		lws_set_timeout(cs->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

void cstream_open(struct cstream *cs, const char *token, int64_t since)
{
	struct lws_client_connect_info i;

	snprintf(cs->auth, sizeof cs->auth, "Bearer %s", token);
	snprintf(cs->path, sizeof cs->path, "/v1/stream?since=%" PRId64, since);
	memset(&i, 0, sizeof i);
	i.context = cloop_context();
	i.address = cs->host;
	i.port = cs->port;
	i.path = cs->path;
	i.host = cs->host;
	i.origin = cs->host;
	i.protocol = PROTO_SUBPROTOCOL;
	i.local_protocol_name = PROTO_SUBPROTOCOL;
	i.opaque_user_data = cs;
	i.pwsi = &cs->wsi;
	cstream_set_state(cs, CS_CONNECTING, NULL);
	if (!lws_client_connect_via_info(&i)) {
		cs->wsi = NULL;
		cstream_down(cs, _("cannot start the connection to the hub"));
	}
}

enum cstream_state cstream_state(const struct cstream *cs)
{
	return cs->st;
}

static void cstream_frame(struct cstream *cs)
{
	struct proto_msg msg;
	char err[256];

	if (proto_parse(cs->frame.s, cs->frame.len, &msg, err, sizeof err) == 0)
		cs->ops.on_msg(cs->ud, &msg);
	/* A frame we cannot read is skipped: a newer hub may send kinds we do
	 * not know, and a resync will set the data straight if one mattered. */
	sbuf_reset(&cs->frame);
}

int cstream_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct cstream *cs = lws_get_opaque_user_data(wsi);
	unsigned char **p, *end;

	(void)user;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		if (!cs)
			break;
		p = (unsigned char **)in;
		end = (*p) + len;
		if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_AUTHORIZATION, (unsigned char *)cs->auth,
						 (int)strlen(cs->auth), p, end))
			return -1;
		break;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (!cs)
			break;
		cs->backoff_ms = CSTREAM_BACKOFF_MIN_MS;
		cloop_timer_set(&cs->idle, CSTREAM_IDLE_MS, cstream_idle_fire, cs);
		cstream_set_state(cs, CS_LIVE, NULL);
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (!cs)
			break;
		cloop_timer_set(&cs->idle, CSTREAM_IDLE_MS, cstream_idle_fire, cs);
		if (cs->frame.len + len > CSTREAM_FRAME_MAX)
			return -1;
		sbuf_add(&cs->frame, in, len);
		if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0)
			cstream_frame(cs);
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (cs && !cs->stopping) {
			char why[256];
			snprintf(why, sizeof why, "%s", in ? (const char *)in : _("connection refused"));
			cstream_down(cs, why);
		}
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (cs && !cs->stopping)
			cstream_down(cs, _("the hub closed the connection"));
		break;
	default:
		break;
	}
	return 0;
}

void cstream_free(struct cstream *cs)
{
	if (!cs)
		return;
	cs->stopping = true;
	cloop_timer_cancel(&cs->retry);
	cloop_timer_cancel(&cs->idle);
	if (cs->wsi) {
		lws_set_opaque_user_data(cs->wsi, NULL);
		lws_set_timeout(cs->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
	}
	sbuf_free(&cs->frame);
	free(cs);
}
