/* hub_ingest.h — POST /v1/alerts: producer tokens and group commit.
 *
 * Requests are checked (headers, then the producer token, then the body
 * with alert_parse) and their valid alerts join one queue. Whenever the
 * ingest connection is idle, everything queued (up to max_group alerts)
 * goes to the database as one statement,
 *     SELECT * FROM xiaoan.ingest(NULL, $1::jsonb)
 * each item carrying "producer" from the token. A request is answered only
 * when that statement has returned (autocommit: it is committed then);
 * when the connection is lost with a statement in flight its requests get
 * 503, and the producer's retry with the same source_id is answered 200 by
 * the database's dedup if it had committed after all. */
#ifndef XIAOAN_HUB_INGEST_H
#define XIAOAN_HUB_INGEST_H

#include <stdbool.h>

#include "xiaoan/hub.h"
#include "xiaoan/hub_http.h"

struct hub_ingest *hub_ingest_new(struct hub *h);
void hub_ingest_start(struct hub_ingest *in);
/* Before the lws context goes: closes the database connection. */
void hub_ingest_shutdown(struct hub_ingest *in);
/* After the lws context has gone: frees every request still held. */
void hub_ingest_free(struct hub_ingest *in);

/* Header checks of a POST /v1/alerts (token syntax, content type, length).
 * Returns true to read the body; false when r has an error response. */
bool hub_ingest_head(struct hub_ingest *in, struct hub_req *r);
/* The body is complete: authenticate, validate, queue. */
void hub_ingest_submit(struct hub_ingest *in, struct hub_req *r);
/* The client went away while the ingest held r. */
void hub_ingest_abandon(struct hub_ingest *in, struct hub_req *r);

/* The producer table changed (a "producers" notification), or a
 * notification may have been missed: forgets every remembered token, so the
 * next request with each is checked against the database again. */
void hub_ingest_forget_tokens(struct hub_ingest *in);

bool hub_ingest_db_up(const struct hub_ingest *in);
/* Nothing queued or in flight. */
bool hub_ingest_idle(const struct hub_ingest *in);

#endif
