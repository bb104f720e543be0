/* cstream.h — the console's WebSocket client of the hub's live stream
 * (ws://HOST:PORT/v1/stream?since=SEQ, subprotocol xiaoan.v1, bearer
 * token from xiaoan.session_token()).
 *
 * It reconnects by itself with backoff (0.5 s doubling to 10 s): when a
 * connection attempt is due it asks the owner for a fresh token
 * (need_token), and the owner answers with cstream_open(). A connection
 * that sends nothing (not even a heartbeat) for CSTREAM_IDLE_MS is dropped. */
#ifndef XIAOAN_CSTREAM_H
#define XIAOAN_CSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "xiaoan/proto.h"

#define CSTREAM_IDLE_MS 45000

enum cstream_state { CS_DOWN, CS_CONNECTING, CS_LIVE };

struct cstream_ops {
	void (*need_token)(void *ud);
	void (*on_msg)(void *ud, const struct proto_msg *msg);
	void (*on_state)(void *ud, enum cstream_state st, const char *why);
};

struct cstream;

/* hostport "HOST:PORT" (or "HOST", port 8460). NULL when it does not parse. */
struct cstream *cstream_new(const char *hostport, const struct cstream_ops *ops, void *ud);
void cstream_free(struct cstream *cs);
/* Start now (asks for a token). */
void cstream_start(struct cstream *cs);
/* Connect with this token, resuming after since. */
void cstream_open(struct cstream *cs, const char *token, int64_t since);
/* The token could not be had: try again later. */
void cstream_token_failed(struct cstream *cs, const char *why);
enum cstream_state cstream_state(const struct cstream *cs);

/* The stream protocol's lws callback (in cloop's protocol table). */
int cstream_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);

#endif
