/* hub_http.h — the hub's HTTP side (lws protocol "http"): routing, request
 * bodies and responses. Routes:
 *
 *   POST /v1/alerts    alert ingest (hub_ingest.h)
 *   GET  /v1/stream    the WebSocket upgrade (hub_stream.h); 426 without it
 *   GET  /healthz      200 "ok" while the database is up, else 503
 *   GET  /metrics      Prometheus text (hub_metrics.h)
 *
 * A request object lives from the headers until its response is written or
 * the client goes away, whichever is later for the ingest's purposes: the
 * connection and the ingest queue each hold it, and it is freed when both
 * have let go. */
#ifndef XIAOAN_HUB_HTTP_H
#define XIAOAN_HUB_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "xiaoan/hub.h"
#include "xiaoan/util.h"

#define HUB_TOKEN_MAX 128
#define HUB_PRODUCER_MAX 64

struct alert_item;

/* The outcome of one alert of a request. */
struct hub_item_result {
	int status;       /* 0 while waiting, then 200, 201, 400, 500 or 503 */
	int64_t case_id, seq;
	char *error;      /* malloc'd, for 4xx/5xx */
	char field[33];
};

struct hub_req {
	struct hub *hub;
	struct lws *wsi;        /* NULL once the client has gone */
	bool in_ingest;         /* the ingest still holds it */

	/* reading */
	struct sbuf body;
	size_t content_length;
	size_t received;        /* body bytes so far (kept or dropped) */
	bool reading;           /* a body is still to come */

	/* ingest (hub_ingest.c) */
	char token[HUB_TOKEN_MAX + 1];
	char producer[HUB_PRODUCER_MAX + 1];
	struct alert_item *items;
	size_t nitems;
	bool is_batch;
	struct hub_item_result *results;
	size_t waiting;         /* alerts not yet answered by the database */

	/* the response */
	bool has_response;
	int status;
	const char *content_type;
	unsigned char *resp;    /* LWS_PRE bytes of headroom, then resp_len bytes */
	size_t resp_len;
	int retry_after;        /* seconds, 0 = no header */
	const char *www_authenticate;
	const char *allow;
	bool close;             /* close the connection after the response */
	bool abort_body;        /* answer before the body is read (then close) */
};

/* Fills p with the "http" protocol (protocols[0]). */
void hub_http_protocol(struct lws_protocols *p);

/* Sets the response (body malloc'd or NULL; taken) and asks for a write.
 * After this the request may be freed at any time by the connection. */
void hub_http_respond(struct hub_req *r, int status, const char *content_type, char *body);
/* {"error": error, "field": field or null} */
void hub_http_respond_error(struct hub_req *r, int status, const char *error, const char *field);

/* The ingest lets go of r (it may be freed now when the client is gone). */
void hub_http_release(struct hub_req *r);


#endif
