#include "xiaoan/cloop.h"

#include <string.h>
#include <unistd.h>

#include "xiaoan/cstream.h"
#include "xiaoan/proto.h"

static struct lws_context *cloop_ctx;

static int cloop_raw_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct cloop_fd *w = lws_get_opaque_user_data(wsi);

	(void)user;
	(void)in;
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		if (w && !w->closing)
			w->cb(w, CLOOP_READ);
		break;
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		if (w && !w->closing)
			w->cb(w, CLOOP_WRITE);
		break;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		if (w) {
			w->wsi = NULL;
			if (!w->closing)
				w->cb(w, CLOOP_HUP);
		}
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols cloop_protocols[] = {
	{ "xa-raw", cloop_raw_cb, 0, 0, 0, NULL, 0 },
	{ PROTO_SUBPROTOCOL, cstream_lws_callback, 0, 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

/* lws would log to stderr, which is the screen: its errors reach the user
 * as connection states instead. */
static void cloop_log(int level, const char *line)
{
	(void)level;
	(void)line;
}

int cloop_init(void)
{
	struct lws_context_creation_info info;

	lws_set_log_level(LLL_ERR | LLL_WARN, cloop_log);
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = cloop_protocols;
	info.gid = -1;
	info.uid = -1;
	cloop_ctx = lws_create_context(&info);
	return cloop_ctx ? 0 : -1;
}

void cloop_fini(void)
{
	if (cloop_ctx)
		lws_context_destroy(cloop_ctx);
	cloop_ctx = NULL;
}

struct lws_context *cloop_context(void)
{
	return cloop_ctx;
}

struct lws_vhost *cloop_vhost(void)
{
	return lws_get_vhost_by_name(cloop_ctx, "default");
}

int cloop_watch(struct cloop_fd *w, int fd, cloop_fd_cb cb, void *ud)
{
	lws_adopt_desc_t ad;

	w->cb = cb;
	w->ud = ud;
	w->closing = false;
	memset(&ad, 0, sizeof ad);
	ad.vh = cloop_vhost();
	ad.type = LWS_ADOPT_RAW_FILE_DESC;
	ad.fd.filefd = fd;
	ad.vh_prot_name = "xa-raw";
	ad.opaque = w;
	if (!ad.vh) {
		close(fd);
		w->wsi = NULL;
		return -1;
	}
	w->wsi = lws_adopt_descriptor_vhost_via_info(&ad);
	return w->wsi ? 0 : -1;
}

void cloop_unwatch(struct cloop_fd *w)
{
	if (!w->wsi)
		return;
	w->closing = true;
	lws_set_opaque_user_data(w->wsi, NULL);
	lws_set_timeout(w->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
	w->wsi = NULL;
}

void cloop_want_write(struct cloop_fd *w)
{
	if (w->wsi)
		lws_callback_on_writable(w->wsi);
}

bool cloop_watching(const struct cloop_fd *w)
{
	return w->wsi != NULL;
}

static void cloop_timer_fire(lws_sorted_usec_list_t *sul)
{
	struct cloop_timer *t = lws_container_of(sul, struct cloop_timer, sul);
	t->cb(t);
	/* lws runs due timers before it polls, and returns only after the
	 * poll: without a wake-up what a timer changed (the countdowns) would
	 * reach the screen one poll later. This ends the loop turn now. */
	lws_cancel_service(cloop_ctx);
}

void cloop_timer_set(struct cloop_timer *t, int64_t ms, cloop_timer_cb cb, void *ud)
{
	t->cb = cb;
	t->ud = ud;
	lws_sul_schedule(cloop_ctx, 0, &t->sul, cloop_timer_fire, (lws_usec_t)(ms < 0 ? 0 : ms) * 1000);
}

void cloop_timer_cancel(struct cloop_timer *t)
{
	if (cloop_ctx)
		lws_sul_schedule(cloop_ctx, 0, &t->sul, cloop_timer_fire, LWS_SET_TIMER_USEC_CANCEL);
}

void cloop_turn(void)
{
	lws_service(cloop_ctx, 0);
}
