/* hub_http.c — routing, bodies and responses on lws's HTTP/1.1 server.
 *
 * Responses are only ever written from LWS_CALLBACK_HTTP_WRITEABLE. An
 * error decided from the headers of a request that has a body waits until
 * the body has been read (and dropped), so the connection stays in step
 * for keep-alive and the client never meets a reset before it reads the
 * answer; only a body larger than max_body, or one we cannot delimit, is
 * answered at once and the connection closed. */
#include "xiaoan/hub_http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "xiaoan/alert.h"
#include "xiaoan/hub_ingest.h"
#include "xiaoan/log.h"

struct hub_http_pss {
	struct hub_req *req;
};

enum hub_method { HUB_GET, HUB_POST, HUB_OTHER };

static void hub_req_free(struct hub_req *r)
{
	sbuf_free(&r->body);
	alert_free_items(r->items, r->nitems);
	if (r->results)
		for (size_t i = 0; i < r->nitems; i++)
			free(r->results[i].error);
	free(r->results);
	free(r->resp);
	free(r);
}

/* The connection is done with r (answered, or the client went away). */
static void hub_req_unlink(struct hub_req *r)
{
	r->wsi = NULL;
	r->hub->http_open--;
	if (!r->in_ingest)
		hub_req_free(r);
}

void hub_http_release(struct hub_req *r)
{
	r->in_ingest = false;
	if (!r->wsi)
		hub_req_free(r);
}

void hub_http_respond(struct hub_req *r, int status, const char *content_type, char *body)
{
	size_t len = body ? strlen(body) : 0;

	if (!r->wsi || r->has_response) {
		free(body);
		return;
	}
	r->status = status;
	r->content_type = content_type;
	r->resp = xmalloc(LWS_PRE + len + 1);
	if (len)
		memcpy(r->resp + LWS_PRE, body, len);
	r->resp[LWS_PRE + len] = '\0';
	r->resp_len = len;
	r->has_response = true;
	free(body);
	/* With a body still to come, the answer waits for its end (unless the
	 * connection is to be closed anyway). */
	if (!r->reading || r->abort_body)
		lws_callback_on_writable(r->wsi);
}

void hub_http_respond_error(struct hub_req *r, int status, const char *error, const char *field)
{
	struct json_object *o = json_object_new_object();
	char *s;

	if (!o) {
		fprintf(stderr, "xiaoan-hub: out of memory\n");
		abort();
	}
	json_object_object_add(o, "error", json_object_new_string(error));
	json_object_object_add(o, "field", field && *field ? json_object_new_string(field) : NULL);
	s = xjson_to_string(o);
	json_object_put(o);
	hub_http_respond(r, status, "application/json", s);
}

static void hub_http_text(struct hub_req *r, int status, const char *text)
{
	hub_http_respond(r, status, "text/plain; charset=utf-8", xstrdup(text));
}

static bool hub_http_route(const char *uri, const char *path)
{
	size_t n = strlen(path);

	/* A trailing slash is the same resource. */
	return strncmp(uri, path, n) == 0 && (uri[n] == '\0' || (uri[n] == '/' && uri[n + 1] == '\0'));
}

/* Content-Length (false when absent or not a number). */
static bool hub_http_content_length(struct lws *wsi, size_t *out)
{
	char buf[32];
	char *end;
	unsigned long long v;

	if (lws_hdr_copy(wsi, buf, sizeof buf, WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0)
		return false;
	if (buf[0] < '0' || buf[0] > '9')
		return false;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || *end)
		return false;
	*out = (size_t)v;
	return true;
}

static int hub_http_begin(struct hub *h, struct lws *wsi, struct hub_http_pss *pss, const char *uri)
{
	struct hub_req *r = xcalloc(1, sizeof(*r));
	enum hub_method method = HUB_OTHER;
	bool has_length;
	char msg[120];

	if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0)
		method = HUB_GET;
	else if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0)
		method = HUB_POST;
	r->hub = h;
	r->wsi = wsi;
	sbuf_init(&r->body);
	pss->req = r;
	h->http_open++;
	h->metrics.http_requests++;
	has_length = hub_http_content_length(wsi, &r->content_length);
	if (!has_length)
		r->content_length = 0;
	/* lws reads a body for any Content-Length above 0, and for a POST's
	 * Content-Length: 0 too (but not for another method's). */
	r->reading = r->content_length > 0 || (has_length && method == HUB_POST);

	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0) {
		/* lws 4.1 does not decode chunked request bodies. */
		r->close = r->abort_body = true;
		hub_http_respond_error(r, 411, "send the body with a Content-Length (no chunked encoding)", NULL);
		return 0;
	}
	if (r->content_length > h->cfg.max_body) {
		r->close = r->abort_body = true;
		h->metrics.rejected[HUB_REJECT_TOO_LARGE]++;
		snprintf(msg, sizeof msg, "the body is %zu bytes; at most %zu are accepted", r->content_length,
			 h->cfg.max_body);
		hub_http_respond_error(r, 413, msg, NULL);
		return 0;
	}
	if (hub_http_route(uri, "/v1/alerts")) {
		if (method != HUB_POST) {
			r->allow = "POST";
			hub_http_respond_error(r, 405, "use POST to send alerts", NULL);
		} else if (!has_length) {
			r->close = r->abort_body = true;
			hub_http_respond_error(r, 411, "a Content-Length header is required", NULL);
		} else {
			hub_ingest_head(h->ingest, r);
		}
	} else if (hub_http_route(uri, "/healthz")) {
		if (method != HUB_GET) {
			r->allow = "GET";
			hub_http_text(r, 405, "use GET\n");
		} else if (h->draining) {
			hub_http_text(r, 503, "shutting down\n");
		} else {
			hub_http_text(r, h->db_up ? 200 : 503, h->db_up ? "ok\n" : "database unavailable\n");
		}
	} else if (hub_http_route(uri, "/metrics")) {
		if (method != HUB_GET) {
			r->allow = "GET";
			hub_http_text(r, 405, "use GET\n");
		} else {
			hub_http_respond(r, 200, "text/plain; version=0.0.4; charset=utf-8",
					 hub_metrics_render(&h->metrics));
		}
	} else if (hub_http_route(uri, "/v1/stream")) {
		hub_http_respond_error(r, 426, "open /v1/stream as a WebSocket with the subprotocol xiaoan.v1",
				       NULL);
	} else {
		hub_http_respond_error(r, 404, "no such endpoint", NULL);
	}
	return 0;
}

static int hub_http_body(struct hub *h, struct hub_req *r, const char *in, size_t len)
{
	r->received += len;
	if (r->has_response)
		return 0; /* read and dropped */
	if (r->received > h->cfg.max_body) {
		r->close = r->abort_body = true;
		h->metrics.rejected[HUB_REJECT_TOO_LARGE]++;
		hub_http_respond_error(r, 413, "the body is larger than its Content-Length said", NULL);
		return 0;
	}
	sbuf_add(&r->body, in, len);
	return 0;
}

static int hub_http_complete(struct hub *h, struct hub_req *r)
{
	r->reading = false;
	if (r->has_response) {
		lws_callback_on_writable(r->wsi);
		return 0;
	}
	hub_ingest_submit(h->ingest, r);
	return 0;
}

static int hub_http_write(struct lws *wsi, struct hub_http_pss *pss)
{
	struct hub_req *r = pss->req;
	unsigned char hdr[LWS_PRE + 1024];
	unsigned char *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr - 1;
	char num[24];
	bool close;
	int n;

	if (!r || !r->has_response || (r->reading && !r->abort_body))
		return 0;
	if (lws_add_http_common_headers(wsi, (unsigned)r->status, r->content_type, r->resp_len, &p, end))
		return -1;
	if (r->retry_after) {
		n = snprintf(num, sizeof num, "%d", r->retry_after);
		if (lws_add_http_header_by_name(wsi, (const unsigned char *)"retry-after:",
						(const unsigned char *)num, n, &p, end))
			return -1;
	}
	if (r->www_authenticate &&
	    lws_add_http_header_by_name(wsi, (const unsigned char *)"www-authenticate:",
					(const unsigned char *)r->www_authenticate,
					(int)strlen(r->www_authenticate), &p, end))
		return -1;
	if (r->allow && lws_add_http_header_by_name(wsi, (const unsigned char *)"allow:",
						    (const unsigned char *)r->allow, (int)strlen(r->allow),
						    &p, end))
		return -1;
	if (lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
					(const unsigned char *)"no-store", 8, &p, end))
		return -1;
	if (r->close && lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION,
						     (const unsigned char *)"close", 5, &p, end))
		return -1;
	if (lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	if (lws_write(wsi, r->resp + LWS_PRE, r->resp_len, LWS_WRITE_HTTP_FINAL) != (int)r->resp_len)
		return -1;
	close = r->close;
	pss->req = NULL;
	hub_req_unlink(r);
	if (close)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static void hub_http_gone(struct hub *h, struct hub_http_pss *pss)
{
	struct hub_req *r = pss->req;

	if (!r)
		return;
	pss->req = NULL;
	r->wsi = NULL;
	h->http_open--;
	if (r->in_ingest)
		hub_ingest_abandon(h->ingest, r); /* frees r once the database has answered */
	else
		hub_req_free(r);
}

static int hub_http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
			     size_t len)
{
	struct hub_http_pss *pss = user;
	struct hub *h;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		h = hub_of(wsi);
		if (pss->req) /* a new request before the last was answered: not HTTP/1.1 */
			return -1;
		return hub_http_begin(h, wsi, pss, in ? in : "");
	case LWS_CALLBACK_HTTP_BODY:
		return pss->req ? hub_http_body(hub_of(wsi), pss->req, in, len) : 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		return pss->req ? hub_http_complete(hub_of(wsi), pss->req) : 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return hub_http_write(wsi, pss);
	case LWS_CALLBACK_CLOSED_HTTP:
		if (pss)
			hub_http_gone(hub_of(wsi), pss);
		return 0;
	default:
		return 0;
	}
}

void hub_http_protocol(struct lws_protocols *p)
{
	memset(p, 0, sizeof(*p));
	p->name = "http";
	p->callback = hub_http_callback;
	p->per_session_data_size = sizeof(struct hub_http_pss);
}
