/* hub_stream.h — GET /v1/stream: the live event stream (WebSocket,
 * subprotocol "xiaoan.v1"; messages in proto.h).
 *
 * Two connections of its own: "listen" only runs LISTEN xiaoan_event and
 * xiaoan_producer and wakes the hub (or has the ingest forget its remembered
 * producer tokens); "stream" runs every read (session checks, event pages,
 * the clock). On a wake-up the hub reads the events after the last one it
 * has (xiaoan.stream_events, 500 a page), renders each once, and queues
 * that same text to every subscriber whose scope allows the case. A
 * subscriber that asked for ?since=SEQ first reads its backlog from the
 * database, page by page as its queue drains, then joins the live fan-out;
 * a per-subscriber cursor (the last seq it was given or skipped) makes the
 * hand-over exact: no gap, no duplicate. */
#ifndef XIAOAN_HUB_STREAM_H
#define XIAOAN_HUB_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "xiaoan/hub.h"

/* WebSocket close codes the hub uses besides 1001 (going away). */
#define HUB_CLOSE_BAD_REQUEST 4400  /* since is not a sequence number */
#define HUB_CLOSE_UNAUTHORIZED 4401 /* missing, invalid or expired session token */
#define HUB_CLOSE_RESYNC 4409       /* after a resync message: reload, then reconnect */
#define HUB_CLOSE_UNAVAILABLE 4503  /* the database is unavailable: reconnect later */

struct hub_stream *hub_stream_new(struct hub *h);
void hub_stream_start(struct hub_stream *st);
/* Before the lws context goes: timers and database connections. */
void hub_stream_shutdown(struct hub_stream *st);
/* After the lws context has gone. */
void hub_stream_free(struct hub_stream *st);

/* Fills p with the "xiaoan.v1" protocol. */
void hub_stream_protocol(struct lws_protocols *p);

/* Both stream connections are up and LISTEN is in place. */
bool hub_stream_db_up(const struct hub_stream *st);
/* The hub's database state changed: tell subscribers (a heartbeat). */
void hub_stream_db_changed(struct hub_stream *st);

/* Draining: closes every subscriber with 1001 once its queue is written. */
void hub_stream_close_all(struct hub_stream *st);
/* Open stream connections (authorised or not). */
size_t hub_stream_count(const struct hub_stream *st);

#endif
