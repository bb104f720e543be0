/* cloop.h — the console's one event loop: libwebsockets' own.
 *
 * The WebSocket stream is an lws client; the terminal, the libpq socket and
 * a signalfd are adopted into the same lws context as raw file descriptors;
 * timers are lws sorted-usec-list entries. Nothing else polls. */
#ifndef XIAOAN_CLOOP_H
#define XIAOAN_CLOOP_H

#include <stdbool.h>
#include <stdint.h>

#include <libwebsockets.h>

#define CLOOP_READ 1
#define CLOOP_WRITE 2
#define CLOOP_HUP 4

struct cloop_fd;
typedef void (*cloop_fd_cb)(struct cloop_fd *w, int events);

struct cloop_fd {
	cloop_fd_cb cb;
	void *ud;
	struct lws *wsi;
	bool closing;
};

struct cloop_timer;
typedef void (*cloop_timer_cb)(struct cloop_timer *t);

struct cloop_timer {
	lws_sorted_usec_list_t sul;
	cloop_timer_cb cb;
	void *ud;
};

/* Create the context (no listening port) with the raw-descriptor protocol
 * and the stream protocol. Returns -1 when lws cannot start. */
int cloop_init(void);
void cloop_fini(void);
struct lws_context *cloop_context(void);
struct lws_vhost *cloop_vhost(void);

/* Watch fd (lws owns it from now on and closes it: pass a dup()).
 * Returns 0, or -1 (fd closed). */
int cloop_watch(struct cloop_fd *w, int fd, cloop_fd_cb cb, void *ud);
/* Stop watching and close the descriptor; cb is not called. */
void cloop_unwatch(struct cloop_fd *w);
void cloop_want_write(struct cloop_fd *w);
bool cloop_watching(const struct cloop_fd *w);

/* One-shot timer ms from now (re-arming replaces the previous time). */
void cloop_timer_set(struct cloop_timer *t, int64_t ms, cloop_timer_cb cb, void *ud);
void cloop_timer_cancel(struct cloop_timer *t);

/* Wait for and handle the next batch of events (one loop turn). */
void cloop_turn(void);

#endif
