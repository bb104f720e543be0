/* hub.h — xiaoan-hub's process state and its one event loop.
 *
 * Everything runs on libwebsockets' own loop in one thread: HTTP and
 * WebSocket connections are lws's; the libpq sockets and the signalfd are
 * adopted into it as raw descriptors (struct hub_watch), and timers are lws
 * "sul" entries. No callback ever blocks. */
#ifndef XIAOAN_HUB_H
#define XIAOAN_HUB_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <libwebsockets.h>

#include "xiaoan/hub_config.h"
#include "xiaoan/hub_metrics.h"

struct hub_ingest;
struct hub_stream;
struct hub_leader;

/* A descriptor the loop watches for us. lws closes the descriptors it
 * adopts, so a watch owns a dup() of the caller's fd and the caller keeps
 * (and closes) its own. */
struct hub_watch {
	struct lws *wsi;  /* NULL when not watching */
	struct hub *hub;
	/* Readable (writable = false) or writable (true, after want_write). */
	void (*ready)(struct hub_watch *w, bool writable);
	/* lws dropped the descriptor on its own (hang-up or error). */
	void (*closed)(struct hub_watch *w);
	void *arg;
	dev_t dev;        /* identity of the watched socket: fd numbers get reused */
	ino_t ino;
	lws_sorted_usec_list_t rearm_sul; /* want_write from inside a writable callback */
};

struct hub {
	struct hub_config cfg;
	struct lws_context *ctx;
	struct lws_vhost *vh;
	struct hub_metrics metrics;
	struct hub_ingest *ingest;
	struct hub_stream *stream;
	struct hub_leader *leader;

	bool db_up;      /* every connection the hub needs is up */
	bool draining;   /* SIGTERM: finish what was accepted, take nothing new */
	bool quit;       /* leave the loop */
	bool exiting;    /* tearing down: callbacks must not start anything */
	int64_t drain_deadline_ms;
	size_t http_open;        /* HTTP requests not yet answered (or abandoned) */
	struct lws *watch_busy;  /* the watch whose ready() is running */
	bool watch_busy_kill;    /* ... and it asked to be stopped */
	bool watch_busy_writable; /* ... for a writable event */
	bool subs_closing;       /* draining: subscribers told to go */
	struct lws_protocols protocols[4];
	int sigfd;
	struct hub_watch sigwatch;
	lws_sorted_usec_list_t drain_sul;
};

/* The hub behind an lws connection. */
struct hub *hub_of(struct lws *wsi);

/* Starts watching fd (a dup of it). Returns 0, or -1 (logged). */
int hub_watch_start(struct hub *h, struct hub_watch *w, int fd);
/* Asks for one writable callback. */
void hub_watch_want_write(struct hub_watch *w);
/* Stops watching (safe from inside w->ready); the dup is closed by lws. */
void hub_watch_stop(struct hub_watch *w);
/* Whether w watches the same open socket as fd. */
bool hub_watch_is(const struct hub_watch *w, int fd);

/* A database connection came up or went down: recomputes db_up and tells
 * subscribers when it changed. */
void hub_db_changed(struct hub *h);

/* Builds the context and connections; 0 or -1 (logged). */
int hub_start(struct hub *h);
/* Runs the loop until a drain completes (or a second signal). */
void hub_run(struct hub *h);
/* Frees everything hub_start built (also after a failed start). */
void hub_stop(struct hub *h);

#endif
