/* hub.c — the loop: the lws context, adopted descriptors, signals, and the
 * drain on SIGTERM. */
#include "xiaoan/hub.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xiaoan/hub_http.h"
#include "xiaoan/hub_ingest.h"
#include "xiaoan/hub_leader.h"
#include "xiaoan/hub_stream.h"
#include "xiaoan/log.h"
#include "xiaoan/proto.h"
#include "xiaoan/util.h"
#include "xiaoan/xtime.h"

#define HUB_RAW_PROTOCOL "xiaoan-raw"
#define HUB_DRAIN_MS 10000       /* to finish accepted requests */
#define HUB_CLOSE_MS 2000        /* then to say goodbye to subscribers */
#define HUB_DRAIN_TICK_MS 20

struct hub *hub_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

/* --- adopted descriptors ------------------------------------------------- */

static int hub_raw_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
			    size_t len)
{
	struct hub_watch *w = lws_get_opaque_user_data(wsi);
	struct hub *h;

	(void)user;
	(void)in;
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		if (!w)
			return -1; /* stopped: let lws close it */
		h = w->hub;
		h->watch_busy = wsi;
		h->watch_busy_kill = false;
		h->watch_busy_writable = reason == LWS_CALLBACK_RAW_WRITEABLE_FILE;
		w->ready(w, h->watch_busy_writable);
		h->watch_busy = NULL;
		return h->watch_busy_kill ? -1 : 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		if (w) {
			lws_set_opaque_user_data(wsi, NULL);
			w->wsi = NULL;
			if (w->closed && !w->hub->exiting)
				w->closed(w);
		}
		return 0;
	default:
		return 0;
	}
}

int hub_watch_start(struct hub *h, struct hub_watch *w, int fd)
{
	lws_adopt_desc_t info;
	struct stat st;
	int dupfd;

	w->hub = h;
	dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (dupfd < 0 || fstat(dupfd, &st) < 0) {
		log_error("cannot watch descriptor %d: %s", fd, strerror(errno));
		if (dupfd >= 0)
			close(dupfd);
		return -1;
	}
	w->dev = st.st_dev;
	w->ino = st.st_ino;
	memset(&info, 0, sizeof info);
	info.vh = h->vh;
	info.type = LWS_ADOPT_RAW_FILE_DESC;
	info.fd.filefd = dupfd;
	info.vh_prot_name = HUB_RAW_PROTOCOL;
	info.opaque = w;
	w->wsi = lws_adopt_descriptor_vhost_via_info(&info);
	if (!w->wsi) { /* lws closed dupfd */
		log_error("libwebsockets would not adopt descriptor %d", fd);
		return -1;
	}
	return 0;
}

static void hub_watch_rearm_cb(lws_sorted_usec_list_t *sul)
{
	struct hub_watch *w = lws_container_of(sul, struct hub_watch, rearm_sul);

	if (w->wsi)
		lws_callback_on_writable(w->wsi);
}

void hub_watch_want_write(struct hub_watch *w)
{
	if (!w->wsi)
		return;
	/* lws clears POLLOUT of a raw descriptor after its writable callback
	 * returns, undoing a request made inside it: ask again just after. */
	if (w->wsi == w->hub->watch_busy && w->hub->watch_busy_writable)
		lws_sul_schedule(w->hub->ctx, 0, &w->rearm_sul, hub_watch_rearm_cb, 1);
	else
		lws_callback_on_writable(w->wsi);
}

void hub_watch_stop(struct hub_watch *w)
{
	struct lws *wsi = w->wsi;

	if (!wsi)
		return;
	w->wsi = NULL;
	lws_sul_cancel(&w->rearm_sul);
	lws_set_opaque_user_data(wsi, NULL);
	/* Its own callback is running: close it by its return value. */
	if (wsi == w->hub->watch_busy)
		w->hub->watch_busy_kill = true;
	else
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
}

bool hub_watch_is(const struct hub_watch *w, int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.st_dev == w->dev && st.st_ino == w->ino;
}

/* --- state ---------------------------------------------------------------- */

void hub_db_changed(struct hub *h)
{
	bool up = !h->exiting && hub_ingest_db_up(h->ingest) && hub_stream_db_up(h->stream);

	if (up == h->db_up)
		return;
	h->db_up = up;
	h->metrics.db_up = up;
	if (up)
		log_info("database up: accepting alerts and serving the stream");
	else
		log_warn("database unavailable: answering 503 and telling subscribers");
	hub_stream_db_changed(h->stream);
}

static void hub_drain_tick(lws_sorted_usec_list_t *sul)
{
	struct hub *h = lws_container_of(sul, struct hub, drain_sul);
	int64_t now = xtime_mono_ms();

	if (!h->subs_closing) {
		if ((!hub_ingest_idle(h->ingest) || h->http_open > 0) && now < h->drain_deadline_ms) {
			lws_sul_schedule(h->ctx, 0, &h->drain_sul, hub_drain_tick, HUB_DRAIN_TICK_MS * LWS_US_PER_MS);
			return;
		}
		if (h->http_open > 0)
			log_warn("drain: %zu requests still unanswered after %d s", h->http_open, HUB_DRAIN_MS / 1000);
		h->subs_closing = true;
		h->drain_deadline_ms = now + HUB_CLOSE_MS;
		log_info("drain: requests answered; closing %zu stream connections", hub_stream_count(h->stream));
		hub_stream_close_all(h->stream);
	}
	if (hub_stream_count(h->stream) > 0 && now < h->drain_deadline_ms) {
		lws_sul_schedule(h->ctx, 0, &h->drain_sul, hub_drain_tick, HUB_DRAIN_TICK_MS * LWS_US_PER_MS);
		return;
	}
	h->quit = true;
	lws_cancel_service(h->ctx); /* leave the poll now, not at the next timer */
}

static void hub_signal_ready(struct hub_watch *w, bool writable)
{
	struct hub *h = w->arg;
	struct signalfd_siginfo si;

	(void)writable;
	while (read(h->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP: nothing to reload (restart the hub to apply new settings)");
			continue;
		}
		if (h->draining) {
			log_warn("%s again: stopping now", strsignal((int)si.ssi_signo));
			h->quit = true;
			lws_cancel_service(h->ctx);
			continue;
		}
		log_info("%s: draining (no new requests; finishing the ones accepted)",
			 strsignal((int)si.ssi_signo));
		h->draining = true;
		h->drain_deadline_ms = xtime_mono_ms() + HUB_DRAIN_MS;
		lws_sul_schedule(h->ctx, 0, &h->drain_sul, hub_drain_tick, 0);
	}
}

/* SIGTERM, SIGINT and SIGHUP are blocked and read from a signalfd on the
 * loop, so handling one is an ordinary callback. */
static int hub_signals(struct hub *h)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) {
		log_error("cannot block signals: %s", strerror(errno));
		return -1;
	}
	h->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (h->sigfd < 0) {
		log_error("signalfd: %s", strerror(errno));
		return -1;
	}
	h->sigwatch.ready = hub_signal_ready;
	h->sigwatch.arg = h;
	return hub_watch_start(h, &h->sigwatch, h->sigfd);
}

/* --- start and stop --------------------------------------------------------- */

static void hub_lws_log(int level, const char *line)
{
	char buf[512];
	size_t n = xstrlcpy(buf, line, sizeof buf);

	if (n >= sizeof buf)
		n = sizeof buf - 1;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	log_msg(level & LLL_ERR ? LOG_LEVEL_ERROR : level & LLL_WARN ? LOG_LEVEL_WARN : LOG_LEVEL_DEBUG, "lws: %s",
		buf);
}

/* Tries to bind the TCP address lws is about to listen on. lws 4.1 leaks
 * when its own bind fails, and says less about why. An address that is not
 * an IP address or host name (lws also takes interface names) is left to lws. */
static int hub_probe_listen(const struct hub_config *cfg)
{
	struct addrinfo hints, *ai = NULL;
	char port[8];
	int fd, one = 1, zero = 0, r;

	if (cfg->unix_sock)
		return 0;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = cfg->ipv4_only ? AF_INET : AF_INET6;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(port, sizeof port, "%d", cfg->port);
	if (cfg->iface)
		hints.ai_family = cfg->ipv4_only ? AF_INET : AF_UNSPEC;
	if (getaddrinfo(cfg->iface, port, &hints, &ai) != 0 || !ai)
		return 0;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		freeaddrinfo(ai);
		return 0;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
	r = bind(fd, ai->ai_addr, ai->ai_addrlen);
	if (r < 0)
		log_error("cannot listen on %s: %s", cfg->listen, strerror(errno));
	close(fd);
	freeaddrinfo(ai);
	return r < 0 ? -1 : 0;
}

/* A client that names no subprotocol is bound to the vhost's default one. */
static const struct lws_protocol_vhost_options hub_pvo_default = {NULL, NULL, "default", "1"};
static const struct lws_protocol_vhost_options hub_pvo = {NULL, &hub_pvo_default, PROTO_SUBPROTOCOL, ""};

int hub_start(struct hub *h)
{
	struct lws_context_creation_info info;

	h->sigfd = -1;
	h->metrics.started_ms = xtime_now_ms();
	lws_set_log_level(LLL_ERR | LLL_WARN | (h->cfg.log_level == LOG_LEVEL_DEBUG ? LLL_NOTICE : 0),
			  hub_lws_log);

	hub_http_protocol(&h->protocols[0]);
	hub_stream_protocol(&h->protocols[1]);
	memset(&h->protocols[2], 0, 2 * sizeof(h->protocols[0]));
	h->protocols[2].name = HUB_RAW_PROTOCOL;
	h->protocols[2].callback = hub_raw_callback;

	h->ingest = hub_ingest_new(h);
	h->stream = hub_stream_new(h);
	h->leader = hub_leader_new(h);

	memset(&info, 0, sizeof info);
	info.port = h->cfg.unix_sock ? 0 : h->cfg.port;
	info.iface = h->cfg.iface;
	info.protocols = h->protocols;
	info.pvo = &hub_pvo;
	info.vhost_name = "xiaoan";
	info.server_string = "xiaoan-hub";
	info.user = h;
	info.count_threads = 1;
	if (h->cfg.ipv4_only)
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	if (h->cfg.unix_sock)
		info.options |= LWS_SERVER_OPTION_UNIX_SOCK;
	if (h->cfg.tls_cert) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = h->cfg.tls_cert;
		info.ssl_private_key_filepath = h->cfg.tls_key;
		info.alpn = "http/1.1"; /* the stream is HTTP/1.1 WebSocket */
	}
	if (hub_probe_listen(&h->cfg) < 0)
		return -1;
	h->ctx = lws_create_context(&info);
	if (!h->ctx) {
		log_error("cannot listen on %s%s (address in use, not local, or TLS files unreadable?)",
			  h->cfg.listen, h->cfg.tls_cert ? " with TLS" : "");
		return -1;
	}
	h->vh = lws_get_vhost_by_name(h->ctx, "xiaoan");
	if (!h->vh) {
		log_error("libwebsockets created no vhost");
		return -1;
	}
	if (hub_signals(h) < 0)
		return -1;
	log_info("listening on %s%s as \"%s\"; database %s", h->cfg.listen, h->cfg.tls_cert ? " (TLS)" : "",
		 h->cfg.name, h->cfg.db[0] ? h->cfg.db : "from PG* variables");
	hub_ingest_start(h->ingest);
	hub_stream_start(h->stream);
	hub_leader_start(h->leader);
	return 0;
}

void hub_run(struct hub *h)
{
	while (!h->quit)
		if (lws_service(h->ctx, 0) < 0)
			break;
}

void hub_stop(struct hub *h)
{
	h->exiting = true;
	if (h->ctx)
		lws_sul_cancel(&h->drain_sul);
	/* Timers and database connections first: they live on the context. */
	hub_leader_free(h->leader);
	h->leader = NULL;
	hub_ingest_shutdown(h->ingest);
	hub_stream_shutdown(h->stream);
	hub_watch_stop(&h->sigwatch);
	if (h->ctx)
		lws_context_destroy(h->ctx);
	h->ctx = NULL;
	/* Closing the context closed every connection; what they held is ours. */
	hub_stream_free(h->stream);
	hub_ingest_free(h->ingest);
	h->stream = NULL;
	h->ingest = NULL;
	if (h->sigfd >= 0)
		close(h->sigfd);
	h->sigfd = -1;
}
