#include "xiaoan/sim_net.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "xiaoan/proto.h"
#include "xiaoan/text.h"

#define SIM_REPLY_MAX (4 << 20)  /* a batch of 1,000 answers in ~100 KB */
#define SIM_FRAME_MAX (1 << 20)

int64_t sim_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct sim_req *sim_req_new(const char *body, size_t len, size_t nitems, bool batch)
{
	struct sim_req *r = xcalloc(1, sizeof *r);
	r->buf = xmalloc(LWS_PRE + len + 1);
	memcpy(r->buf + LWS_PRE, body, len);
	r->buf[LWS_PRE + len] = '\0';
	r->len = len;
	r->nitems = nitems;
	r->batch = batch;
	sbuf_init(&r->reply);
	return r;
}

void sim_req_free(struct sim_req *r)
{
	if (!r)
		return;
	free(r->buf);
	sbuf_free(&r->reply);
	free(r);
}

static struct sim_net *sim_net_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

static void sim_net_deliver(lws_sorted_usec_list_t *sul)
{
	struct sim_net *n = lws_container_of(sul, struct sim_net, done_sul);
	struct sim_req *r;
	while ((r = n->done_head)) {
		n->done_head = r->next;
		if (!n->done_head)
			n->done_tail = NULL;
		r->next = r->prev = NULL;
		n->cfg.on_done(r, n->cfg.arg);
	}
}

/* The attempt is over: off the in-flight list, onto the done list, which
 * the loop delivers on its next turn (so on_done never runs inside
 * lws_client_connect_via_info or inside a callback of the request's own
 * connection). */
static void sim_req_finish(struct sim_net *n, struct sim_req *r, int status, const char *why)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		n->inflight_head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	n->inflight--;
	r->wsi = NULL;
	r->status = status;
	r->t_done_us = sim_now_us();
	if (why)
		snprintf(r->failure, sizeof r->failure, "%s", why);
	r->prev = r->next = NULL;
	if (n->done_tail)
		n->done_tail->next = r;
	else
		n->done_head = r;
	n->done_tail = r;
	lws_sul_schedule(n->ctx, 0, &n->done_sul, sim_net_deliver, 1);
}

static int sim_add_header(struct lws *wsi, enum lws_token_indexes tok, const char *v, unsigned char **p,
			  unsigned char *end)
{
	return lws_add_http_header_by_token(wsi, tok, (const unsigned char *)v, (int)strlen(v), p, end);
}

static int sim_http_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct sim_net *n = sim_net_of(wsi);
	struct sim_req *r = user;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (r) {
			lws_set_wsi_user(wsi, NULL);
			sim_req_finish(n, r, 0, in ? (const char *)in : "cannot connect");
		}
		return 0;
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
		unsigned char **p = in, *end = *p + len;
		char clen[24];
		if (!r)
			return -1;
		snprintf(clen, sizeof clen, "%zu", r->len);
		if (sim_add_header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION, n->auth, p, end) ||
		    sim_add_header(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, "application/json", p, end) ||
		    sim_add_header(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, clen, p, end))
			return -1;
		lws_client_http_body_pending(wsi, 1);
		lws_callback_on_writable(wsi);
		return 0;
	}
	case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE:
		if (!r || r->body_sent)
			return 0;
		r->body_sent = true;
		lws_client_http_body_pending(wsi, 0);
		if (lws_write(wsi, r->buf + LWS_PRE, r->len, LWS_WRITE_HTTP_FINAL) < (int)r->len)
			return -1;
		return 0;
	case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
		if (r) {
			r->status = (int)lws_http_client_http_response(wsi);
			if (lws_hdr_copy(wsi, r->retry_after, sizeof r->retry_after, WSI_TOKEN_HTTP_RETRY_AFTER) < 0)
				r->retry_after[0] = '\0';
		}
		return 0;
	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
		if (r) {
			if (r->reply.len + len > SIM_REPLY_MAX)
				r->reply_truncated = true;
			else
				sbuf_add(&r->reply, in, len);
		}
		return 0;
	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP: {
		char buffer[4096 + LWS_PRE];
		char *px = buffer + LWS_PRE;
		int lenx = (int)sizeof buffer - LWS_PRE;
		return lws_http_client_read(wsi, &px, &lenx) < 0 ? -1 : 0;
	}
	case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
		if (r) {
			lws_set_wsi_user(wsi, NULL);
			sim_req_finish(n, r, r->status, NULL);
		}
		return -1; /* one request per connection: close it now */
	case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
		if (r) {
			lws_set_wsi_user(wsi, NULL);
			sim_req_finish(n, r, 0, "the connection closed before the reply was complete");
		}
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static void sim_sub_record(struct sim_sub *s, int64_t seq, int64_t t)
{
	if (s->narr == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->arr = xrealloc(s->arr, s->cap * sizeof *s->arr);
	}
	s->arr[s->narr].seq = seq;
	s->arr[s->narr].t_us = t;
	s->narr++;
}

/* One complete text frame. Only what the measurement needs is read: the
 * message type and the event's seq. */
static void sim_sub_frame(struct sim_sub *s, const char *buf, size_t len, int64_t t)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o = NULL, *v;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	if (len <= INT32_MAX)
		o = json_tokener_parse_ex(tok, buf, (int)len);
	if (!o || json_tokener_get_parse_end(tok) != len || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "type", &v) || !json_object_is_type(v, json_type_string)) {
		s->bad_frames++;
		goto done;
	}
	const char *type = json_object_get_string(v);
	if (strcmp(type, "hello") == 0) {
		if (!s->hello) {
			s->hello = true;
			s->net->nhello++;
		}
	} else if (strcmp(type, "event") == 0) {
		if (!json_object_object_get_ex(o, "seq", &v) || !json_object_is_type(v, json_type_int)) {
			s->bad_frames++;
			goto done;
		}
		int64_t seq = json_object_get_int64(v);
		if (seq <= s->last_seq)
			s->out_of_order++;
		s->last_seq = seq;
		s->events++;
		sim_sub_record(s, seq, t);
	} else if (strcmp(type, "resync") == 0) {
		s->resyncs++;
	}
done:
	json_object_put(o);
	json_tokener_free(tok);
}

static void sim_sub_closed(struct sim_sub *s, const char *why)
{
	if (s->closed)
		return;
	s->closed = true;
	s->wsi = NULL;
	s->net->nclosed++;
	if (why != s->why)
		snprintf(s->why, sizeof s->why, "%s", why);
}

static int sim_stream_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct sim_sub *s = user;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (s)
			sim_sub_closed(s, in ? (const char *)in : "cannot connect");
		return 0;
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
		unsigned char **p = in, *end = *p + len;
		if (!s || sim_add_header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION, s->net->stream_auth, p, end))
			return -1;
		return 0;
	}
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (s)
			s->connected = true;
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (!s)
			return 0;
		if (s->frame.len == 0)
			s->t_frame_us = sim_now_us();
		if (s->frame.len + len > SIM_FRAME_MAX) {
			sim_sub_closed(s, "a frame larger than 1 MiB");
			return -1;
		}
		sbuf_add(&s->frame, in, len);
		if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
			sim_sub_frame(s, s->frame.s, s->frame.len, s->t_frame_us);
			sbuf_reset(&s->frame);
		}
		return 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		/* The close frame: a 2-byte status, then the hub's reason. */
		if (s && len >= 2) {
			const unsigned char *b = in;
			char reason[121];
			text_sanitize((const char *)b + 2, len - 2, reason, sizeof reason);
			snprintf(s->why, sizeof s->why, "closed by the hub (%u: %s)", (unsigned)(b[0] << 8 | b[1]),
				 reason);
		}
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (s)
			sim_sub_closed(s, s->why[0] ? s->why : "closed by the hub");
		return 0;
	default:
		return 0;
	}
}

/* --- the tick ---------------------------------------------------------- */

static int sim_tick_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct sim_net *n = lws_context_user(lws_get_context(wsi));
	uint64_t expirations;

	(void)user;
	(void)in;
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		if (read(n->tick_fd, &expirations, sizeof expirations) != (ssize_t)sizeof expirations)
			return 0; /* woken with nothing due */
		n->tick_fn(n->tick_arg);
		return 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		n->tick_wsi = NULL;
		n->tick_fd = -1; /* lws closed it */
		return 0;
	default:
		return 0;
	}
}

int sim_net_ticker(struct sim_net *n, int64_t interval_us, void (*fn)(void *arg), void *arg,
		   char *err, size_t errlen)
{
	struct itimerspec its = {
		.it_interval = { (time_t)(interval_us / 1000000), (long)(interval_us % 1000000) * 1000 },
		.it_value = { 0, 1 },
	};
	lws_adopt_desc_t info;

	n->tick_fn = fn;
	n->tick_arg = arg;
	n->tick_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (n->tick_fd < 0 || timerfd_settime(n->tick_fd, 0, &its, NULL) < 0) {
		snprintf(err, errlen, "cannot start the pacing timer: %s", strerror(errno));
		if (n->tick_fd >= 0)
			close(n->tick_fd);
		n->tick_fd = -1;
		return -1;
	}
	memset(&info, 0, sizeof info);
	info.vh = lws_get_vhost_by_name(n->ctx, "default");
	info.type = LWS_ADOPT_RAW_FILE_DESC;
	info.fd.filefd = n->tick_fd;
	info.vh_prot_name = "xiaoan-sim-tick";
	n->tick_wsi = info.vh ? lws_adopt_descriptor_vhost_via_info(&info) : NULL;
	if (!n->tick_wsi) {
		snprintf(err, errlen, "libwebsockets would not watch the pacing timer");
		if (!info.vh)
			close(n->tick_fd);
		n->tick_fd = -1;
		return -1;
	}
	return 0;
}

static const struct lws_protocols sim_protocols[] = {
	{ "xiaoan-sim-http", sim_http_cb, 0, 0, 0, NULL, 0 },
	{ PROTO_SUBPROTOCOL, sim_stream_cb, 0, 64 * 1024, 0, NULL, 0 },
	{ "xiaoan-sim-tick", sim_tick_cb, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

/* Where to connect: lws takes a unix socket path as "+/path". */
static void sim_net_target(struct sim_net *n, struct lws_client_connect_info *i)
{
	i->context = n->ctx;
	i->address = n->address;
	i->port = n->cfg.port;
	i->host = n->cfg.port ? n->cfg.host : "localhost";
	i->origin = i->host;
}

int sim_net_init(struct sim_net *n, const struct sim_net_cfg *cfg, char *err, size_t errlen)
{
	struct lws_context_creation_info info;

	memset(n, 0, sizeof *n);
	n->cfg = *cfg;
	n->tick_fd = -1;
	snprintf(n->address, sizeof n->address, "%s%s", cfg->port ? "" : "+", cfg->host);
	snprintf(n->auth, sizeof n->auth, "Bearer %s", cfg->token ? cfg->token : "");
	snprintf(n->stream_auth, sizeof n->stream_auth, "Bearer %s", cfg->stream_token ? cfg->stream_token : "");
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = sim_protocols;
	info.user = n;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
	info.timeout_secs = 30;
	n->ctx = lws_create_context(&info);
	if (!n->ctx) {
		snprintf(err, errlen, "cannot create the libwebsockets context");
		return -1;
	}
	return 0;
}

void sim_net_free(struct sim_net *n)
{
	if (n->ctx)
		lws_context_destroy(n->ctx);
	n->ctx = NULL;
	/* Attempts still in flight were closed by the context: their requests
	 * went to the done list, which nobody will deliver now. */
	struct sim_req *r;
	while ((r = n->done_head)) {
		n->done_head = r->next;
		sim_req_free(r);
	}
	n->done_tail = NULL;
	for (int i = 0; i < n->nsubs; i++) {
		sbuf_free(&n->subs[i].frame);
		free(n->subs[i].arr);
	}
	free(n->subs);
	n->subs = NULL;
	n->nsubs = 0;
}

void sim_net_post(struct sim_net *n, struct sim_req *r)
{
	struct lws_client_connect_info i;

	r->attempts++;
	r->status = 0;
	r->retry_after[0] = r->failure[0] = '\0';
	r->body_sent = false;
	r->reply_truncated = false;
	sbuf_reset(&r->reply);
	r->t_send_us = sim_now_us();
	r->prev = NULL;
	r->next = n->inflight_head;
	if (r->next)
		r->next->prev = r;
	n->inflight_head = r;
	n->inflight++;

	memset(&i, 0, sizeof i);
	sim_net_target(n, &i);
	i.path = "/v1/alerts";
	i.method = "POST";
	i.protocol = sim_protocols[0].name;
	i.userdata = r;
	i.pwsi = &r->wsi;
	if (!lws_client_connect_via_info(&i) && r->wsi == NULL && r->t_done_us < r->t_send_us)
		sim_req_finish(n, r, 0, "cannot start the connection");
}

void sim_net_expire(struct sim_net *n, int64_t t_us)
{
	for (struct sim_req *r = n->inflight_head; r; r = r->next)
		if (r->t_send_us < t_us && r->wsi)
			lws_set_timeout(r->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

void sim_net_subscribe(struct sim_net *n, int count)
{
	n->subs = xcalloc((size_t)count, sizeof *n->subs);
	n->nsubs = count;
	for (int k = 0; k < count; k++) {
		struct sim_sub *s = &n->subs[k];
		struct lws_client_connect_info i;
		s->net = n;
		s->idx = k;
		sbuf_init(&s->frame);
		memset(&i, 0, sizeof i);
		sim_net_target(n, &i);
		i.path = "/v1/stream";
		i.protocol = PROTO_SUBPROTOCOL;
		i.userdata = s;
		i.pwsi = &s->wsi;
		if (!lws_client_connect_via_info(&i))
			sim_sub_closed(s, "cannot start the connection");
	}
}
