/* hub_sub.c — a subscriber's outgoing queue: a ring of shared messages,
 * bounded in count and bytes. */
#include "xiaoan/hub_sub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/log.h"
#include "xiaoan/proto.h"
#include "xiaoan/util.h"

/* Messages written per writable callback before yielding to other
 * connections. */
#define HUB_SUB_WRITE_BUDGET 256

struct hub_msg *hub_msg_new(char *json, bool event)
{
	size_t len = strlen(json);
	struct hub_msg *m = xmalloc(sizeof(*m) + LWS_PRE + len + 1);

	m->refs = 1;
	m->event = event;
	m->len = len;
	memcpy(m->buf + LWS_PRE, json, len + 1);
	free(json);
	return m;
}

void hub_msg_unref(struct hub_msg *m)
{
	if (m && --m->refs == 0)
		free(m);
}

static void hub_sub_enqueue(struct hub_sub *s, struct hub_msg *m)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct hub_msg **ring = xmalloc(cap * sizeof(*ring));

		for (size_t i = 0; i < s->n; i++)
			ring[i] = s->ring[(s->head + i) % s->cap];
		free(s->ring);
		s->ring = ring;
		s->cap = cap;
		s->head = 0;
	}
	s->ring[(s->head + s->n) % s->cap] = m;
	s->n++;
	s->bytes += m->len;
	m->refs++;
	if (s->wsi)
		lws_callback_on_writable(s->wsi);
}

static struct hub_msg *hub_sub_dequeue(struct hub_sub *s)
{
	struct hub_msg *m = s->ring[s->head];

	s->head = (s->head + 1) % s->cap;
	s->n--;
	s->bytes -= m->len;
	return m;
}

void hub_sub_clear(struct hub_sub *s)
{
	while (s->n)
		hub_msg_unref(hub_sub_dequeue(s));
	free(s->ring);
	s->ring = NULL;
	s->cap = s->head = s->bytes = 0;
}

void hub_sub_close(struct hub_sub *s, uint16_t code, const char *reason)
{
	if (s->state == HUB_SUB_CLOSING)
		return;
	s->state = HUB_SUB_CLOSING;
	s->close_code = code;
	xstrlcpy(s->close_reason, reason, sizeof s->close_reason);
	if (s->wsi)
		lws_callback_on_writable(s->wsi);
}

void hub_sub_resync(struct hub_sub *s, const char *reason)
{
	struct proto_resync r;
	struct hub_msg *m;

	if (s->state == HUB_SUB_CLOSING)
		return;
	s->hub->metrics.resyncs++;
	log_warn("stream: %s: %s; sent resync", s->login[0] ? s->login : "subscriber", reason);
	/* What is queued is moot: the client reloads everything. */
	while (s->n)
		hub_msg_unref(hub_sub_dequeue(s));
	memset(&r, 0, sizeof r);
	xstrlcpy(r.reason, reason, sizeof r.reason);
	m = hub_msg_new(proto_resync_to_json(&r), false);
	hub_sub_enqueue(s, m);
	hub_msg_unref(m);
	hub_sub_close(s, 4409, "resync");
}

void hub_sub_push(struct hub_sub *s, struct hub_msg *m)
{
	const struct hub_config *cfg = &s->hub->cfg;

	if (s->state == HUB_SUB_CLOSING)
		return;
	if (s->n + 1 > cfg->queue_messages || s->bytes + m->len > cfg->queue_bytes) {
		char why[160];

		snprintf(why, sizeof why, "too slow: %zu messages (%zu bytes) waiting to be sent", s->n, s->bytes);
		hub_sub_resync(s, why);
		return;
	}
	hub_sub_enqueue(s, m);
}

bool hub_sub_room(const struct hub_sub *s, size_t count)
{
	const struct hub_config *cfg = &s->hub->cfg;

	return s->n + count <= cfg->queue_messages && s->bytes <= cfg->queue_bytes / 2;
}

int hub_sub_write(struct hub_sub *s)
{
	int budget = HUB_SUB_WRITE_BUDGET;

	while (s->n && budget-- > 0) {
		struct hub_msg *m = s->ring[s->head];

		if (lws_write(s->wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT) < (int)m->len)
			return -1;
		hub_sub_dequeue(s);
		if (m->event)
			s->hub->metrics.events_sent++;
		hub_msg_unref(m);
		if (lws_send_pipe_choked(s->wsi))
			break;
	}
	if (s->n) {
		lws_callback_on_writable(s->wsi);
		return 0;
	}
	if (s->state == HUB_SUB_CLOSING) {
		lws_close_reason(s->wsi, (enum lws_close_status)s->close_code, (unsigned char *)s->close_reason,
				 strlen(s->close_reason));
		return -1;
	}
	return 0;
}
