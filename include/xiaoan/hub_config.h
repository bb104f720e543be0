/* hub_config.h — xiaoan-hub settings: built-in defaults, then the config
 * file named by --config (conf.h syntax), then command-line flags.
 *
 *   listen = 127.0.0.1:8460     host:port (IPv4), [v6addr]:port, or unix:/path
 *   db = host=/run/postgresql dbname=xiaoan user=xiaoan_hub
 *                               libpq conninfo; empty = libpq's PG* variables
 *   name = hub-a                shown to consoles in hello (default: host name)
 *   tls_cert = /etc/xiaoan/hub.crt   tls_key = /etc/xiaoan/hub.key   (both or neither)
 *   max_body = 1048576          bytes per POST body (413 beyond)
 *   max_batch = 1000            alerts per POST body
 *   max_group = 5000            alerts per group-commit statement
 *   ingest_connections = 2      database connections committing alerts side by side
 *   queue_messages = 4096       per subscriber, then resync + close
 *   queue_bytes = 8388608       per subscriber, then resync + close
 *   heartbeat = 15              seconds between heartbeats (duration syntax)
 *   log_level = info            debug | info | warn | error */
#ifndef XIAOAN_HUB_CONFIG_H
#define XIAOAN_HUB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "xiaoan/log.h"

#define HUB_DEFAULT_PORT 8460
#define HUB_MAX_INGEST_CONNECTIONS 16

struct hub_config {
	char *listen;   /* as given */
	char *db;       /* conninfo, "" = libpq defaults */
	char *name;
	char *tls_cert, *tls_key;
	char *config_path; /* the file read, or NULL */
	size_t max_body, max_batch, max_group;
	size_t ingest_connections;
	size_t queue_messages, queue_bytes;
	long heartbeat_secs;
	enum log_level log_level;

	/* listen, split: */
	char *iface;    /* address to bind, unix socket path, or NULL = every address */
	int port;       /* 0 for a unix socket */
	bool ipv4_only; /* bind IPv4 only (LWS_SERVER_OPTION_DISABLE_IPV6) */
	bool unix_sock;
};

/* Outcome of hub_config_load. */
enum hub_config_status { HUB_CONFIG_OK, HUB_CONFIG_EXIT, HUB_CONFIG_ERROR };

/* Fills c from defaults, the --config file and the flags in argv. On
 * HUB_CONFIG_EXIT (--help, --version) the text has been printed; on
 * HUB_CONFIG_ERROR err says what is wrong. Free with hub_config_free in
 * every case. */
enum hub_config_status hub_config_load(struct hub_config *c, int argc, char **argv, char *err,
				       size_t errlen);

/* Splits "host:port", "[v6]:port" or "unix:/path" into c->iface, port,
 * ipv4_only and unix_sock. Returns false with err set when malformed. */
bool hub_config_set_listen(struct hub_config *c, const char *value, char *err, size_t errlen);

void hub_config_free(struct hub_config *c);

#endif
