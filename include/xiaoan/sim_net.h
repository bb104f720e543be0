/* sim_net.h — xiaoan-sim's network side, all on one libwebsockets event
 * loop: POST /v1/alerts requests (a new connection each: keep-alive buys
 * little on loopback and a fresh connection can never carry a stale state)
 * and WebSocket subscribers of /v1/stream (subprotocol xiaoan.v1) that
 * timestamp every event they receive. */
#ifndef XIAOAN_SIM_NET_H
#define XIAOAN_SIM_NET_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xiaoan/util.h"

/* Monotonic clock in microseconds. */
int64_t sim_now_us(void);

/* One POST of one alert or one batch. */
struct sim_req {
	unsigned char *buf;      /* LWS_PRE bytes of headroom, then the body */
	size_t len;              /* body length */
	size_t nitems;
	bool batch;
	int attempts;            /* POSTs started so far */
	int64_t t_send_us;       /* start of the current attempt */
	int64_t t_done_us;       /* end of the current attempt */
	int64_t not_before_us;   /* a retry waits until then */
	int status;              /* HTTP status of the attempt, 0 = no reply */
	char retry_after[32];    /* the Retry-After header, "" if none */
	char failure[128];       /* why there was no reply */
	struct sbuf reply;
	bool reply_truncated;
	bool body_sent;
	struct lws *wsi;         /* while in flight */
	struct sim_req *prev, *next; /* the net's in-flight list, then the owner's lists */
};

/* A new request owning a copy of body. */
struct sim_req *sim_req_new(const char *body, size_t len, size_t nitems, bool batch);
void sim_req_free(struct sim_req *r);

/* An event as one subscriber received it. */
struct sim_arrival {
	int64_t seq;
	int64_t t_us;
};

struct sim_net;

struct sim_sub {
	struct sim_net *net;
	struct lws *wsi;
	int idx;
	bool connected, hello, closed;
	int64_t t_frame_us;       /* arrival of the first fragment of the frame being read */
	struct sbuf frame;
	struct sim_arrival *arr;
	size_t narr, cap;
	int64_t last_seq;
	uint64_t events, resyncs, out_of_order, bad_frames;
	char why[160];            /* why it closed */
};

struct sim_net_cfg {
	const char *host;          /* name or address; a socket path when port = 0 */
	int port;
	const char *token;         /* producer token (POST) */
	const char *stream_token;  /* session token (stream) */
	/* Called from the event loop (never from inside sim_net_post) for each
	 * finished attempt; the request is the callee's again. */
	void (*on_done)(struct sim_req *r, void *arg);
	void *arg;
};

struct sim_net {
	struct sim_net_cfg cfg;
	struct lws_context *ctx;
	char address[300];
	char auth[600], stream_auth[600];
	struct sim_req *inflight_head;
	int inflight;
	struct sim_req *done_head, *done_tail;
	lws_sorted_usec_list_t done_sul;
	struct sim_sub *subs;
	int nsubs, nhello, nclosed;
	int tick_fd;               /* the pacing timer, owned by tick_wsi once adopted */
	struct lws *tick_wsi;
	void (*tick_fn)(void *arg);
	void *tick_arg;
};

/* Create the lws context (no listener). Returns 0 or -1 with err. */
int sim_net_init(struct sim_net *n, const struct sim_net_cfg *cfg, char *err, size_t errlen);
void sim_net_free(struct sim_net *n);

/* Call fn(arg) from the loop every interval_us, the first time at once.
 * A timerfd on the loop rather than an lws timer: lws 4.1 gives poll() the
 * time to its next timer in whole milliseconds, rounded down, so once any
 * socket woke the loop less than a millisecond before a timer, it polled
 * without waiting until the timer was due. With a 1 ms pacing tick and
 * replies arriving all the time, that was most of the time: ~270 passes of
 * the loop per request, two thirds of a core at 1,000 alerts/s, taken from
 * the hub and the database the figures are about. Returns 0 or -1 with
 * err. */
int sim_net_ticker(struct sim_net *n, int64_t interval_us, void (*fn)(void *arg), void *arg,
		   char *err, size_t errlen);

/* Start one attempt of r. Always "succeeds": a failure to connect comes
 * back through on_done with status 0. */
void sim_net_post(struct sim_net *n, struct sim_req *r);

/* Abort in-flight attempts started before t_us (they come back with status 0). */
void sim_net_expire(struct sim_net *n, int64_t t_us);

/* Open count subscribers to /v1/stream (live: no since). */
void sim_net_subscribe(struct sim_net *n, int count);

#endif
