/* hub_config.c — defaults < config file < flags. */
#include "xiaoan/hub_config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xiaoan/conf.h"
#include "xiaoan/util.h"

static void hub_config_help(const char *prog)
{
	printf("usage: %s [--config FILE] [OPTIONS]\n"
	       "\n"
	       "The xiaoan hub: alert ingest (POST /v1/alerts) and the live event stream\n"
	       "(WebSocket /v1/stream) in front of the xiaoan PostgreSQL database.\n"
	       "\n"
	       "Options (each also a key of the config file, with _ for -):\n"
	       "  --config FILE          read settings from FILE first (key = value)\n"
	       "  --listen ADDR          host:port, [v6addr]:port or unix:/path (default 127.0.0.1:%d)\n"
	       "  --db CONNINFO          libpq connection string (default: PGHOST, PGDATABASE, ...)\n"
	       "  --name NAME            this hub's name in hello messages (default: host name)\n"
	       "  --tls-cert FILE        serve TLS with this certificate (PEM) ...\n"
	       "  --tls-key FILE         ... and this private key (PEM)\n"
	       "  --max-body BYTES       largest POST body (default 1M); k, M suffixes\n"
	       "  --max-batch N          alerts per POST body (default 1000)\n"
	       "  --max-group N          alerts per group-commit statement (default 5000)\n"
	       "  --ingest-connections N database connections committing alerts side by side (default 2)\n"
	       "  --queue-messages N     messages queued per subscriber before resync (default 4096)\n"
	       "  --queue-bytes BYTES    bytes queued per subscriber before resync (default 8M)\n"
	       "  --heartbeat SECS       seconds between stream heartbeats (default 15)\n"
	       "  --log-level LEVEL      debug, info, warn or error (default info)\n"
	       "  -h, --help             this help\n"
	       "  --version              print the version\n",
	       prog, HUB_DEFAULT_PORT);
}

/* "123", "64k", "8M", "1G" (binary multiples) within [min, max]. */
static bool hub_config_size(const char *s, size_t min, size_t max, size_t *out)
{
	char *end;
	unsigned long long v, mul = 1;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return false;
	if (*end == 'k' || *end == 'K')
		mul = 1024, end++;
	else if (*end == 'm' || *end == 'M')
		mul = 1024 * 1024, end++;
	else if (*end == 'g' || *end == 'G')
		mul = 1024 * 1024 * 1024, end++;
	if (*end || v > ULLONG_MAX / mul)
		return false;
	v *= mul;
	if (v < min || v > max)
		return false;
	*out = (size_t)v;
	return true;
}

static void hub_config_str(char **dst, const char *value)
{
	free(*dst);
	*dst = xstrdup(value);
}

bool hub_config_set_listen(struct hub_config *c, const char *value, char *err, size_t errlen)
{
	const char *colon;
	char *end;
	long port;

	free(c->iface);
	c->iface = NULL;
	c->port = 0;
	c->ipv4_only = false;
	c->unix_sock = false;
	if (strncmp(value, "unix:", 5) == 0) {
		if (value[5] != '/' || strlen(value + 5) > 100) {
			snprintf(err, errlen, "listen: unix:/absolute/path of at most 100 bytes expected");
			return false;
		}
		c->iface = xstrdup(value + 5);
		c->unix_sock = true;
		return true;
	}
	colon = strrchr(value, ':');
	if (!colon || colon[1] == '\0') {
		snprintf(err, errlen, "listen: \"%s\" is not host:port (e.g. 127.0.0.1:%d)", value,
			 HUB_DEFAULT_PORT);
		return false;
	}
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || *end || port < 1 || port > 65535) {
		snprintf(err, errlen, "listen: port \"%s\" is not 1..65535", colon + 1);
		return false;
	}
	c->port = (int)port;
	if (value[0] == '[') {
		if (colon < value + 2 || colon[-1] != ']') {
			snprintf(err, errlen, "listen: \"%s\": write IPv6 addresses as [addr]:port", value);
			return false;
		}
		c->iface = xstrndup(value + 1, (size_t)(colon - value - 2));
		if (strcmp(c->iface, "::") == 0) {
			free(c->iface);
			c->iface = NULL; /* every address, IPv4 and IPv6 */
		}
		return true;
	}
	if (colon == value || (colon == value + 1 && value[0] == '*')) {
		c->iface = NULL; /* every address */
		return true;
	}
	c->iface = xstrndup(value, (size_t)(colon - value));
	if (strchr(c->iface, ':')) {
		snprintf(err, errlen, "listen: \"%s\": write IPv6 addresses as [addr]:port", value);
		return false;
	}
	/* An IPv4 address or a name: lws would otherwise bind the IPv6
	 * wildcard as well (it ignores iface for the v6 socket). */
	c->ipv4_only = true;
	if (strcmp(c->iface, "0.0.0.0") == 0) {
		free(c->iface);
		c->iface = NULL;
	}
	return true;
}

/* Applies one setting; key uses '_' (flags are translated). */
static int hub_config_set(void *ctx, const char *key, const char *value, char *err, size_t errlen)
{
	struct hub_config *c = ctx;
	long l;

	if (strcmp(key, "listen") == 0) {
		if (!hub_config_set_listen(c, value, err, errlen))
			return -1;
		hub_config_str(&c->listen, value);
	} else if (strcmp(key, "db") == 0) {
		hub_config_str(&c->db, value);
	} else if (strcmp(key, "name") == 0) {
		if (!*value || strlen(value) > 64) {
			snprintf(err, errlen, "name: 1 to 64 bytes");
			return -1;
		}
		hub_config_str(&c->name, value);
	} else if (strcmp(key, "tls_cert") == 0) {
		hub_config_str(&c->tls_cert, value);
	} else if (strcmp(key, "tls_key") == 0) {
		hub_config_str(&c->tls_key, value);
	} else if (strcmp(key, "max_body") == 0) {
		if (!hub_config_size(value, 1024, (size_t)256 << 20, &c->max_body)) {
			snprintf(err, errlen, "max_body: a size from 1k to 256M");
			return -1;
		}
	} else if (strcmp(key, "max_batch") == 0) {
		if (!hub_config_size(value, 1, 100000, &c->max_batch)) {
			snprintf(err, errlen, "max_batch: a number from 1 to 100000");
			return -1;
		}
	} else if (strcmp(key, "max_group") == 0) {
		if (!hub_config_size(value, 1, 100000, &c->max_group)) {
			snprintf(err, errlen, "max_group: a number from 1 to 100000");
			return -1;
		}
	} else if (strcmp(key, "ingest_connections") == 0) {
		if (!hub_config_size(value, 1, HUB_MAX_INGEST_CONNECTIONS, &c->ingest_connections)) {
			snprintf(err, errlen, "ingest_connections: a number from 1 to %d", HUB_MAX_INGEST_CONNECTIONS);
			return -1;
		}
	} else if (strcmp(key, "queue_messages") == 0) {
		if (!hub_config_size(value, 8, 10000000, &c->queue_messages)) {
			snprintf(err, errlen, "queue_messages: a number from 8 to 10000000");
			return -1;
		}
	} else if (strcmp(key, "queue_bytes") == 0) {
		if (!hub_config_size(value, 1024 * 1024, (size_t)4 << 30, &c->queue_bytes)) {
			snprintf(err, errlen, "queue_bytes: a size from 1M to 4G");
			return -1;
		}
	} else if (strcmp(key, "heartbeat") == 0) {
		if (!conf_parse_duration(value, &l) || l < 1 || l > 3600) {
			snprintf(err, errlen, "heartbeat: 1 second to 1 hour");
			return -1;
		}
		c->heartbeat_secs = l;
	} else if (strcmp(key, "log_level") == 0) {
		if (!log_parse_level(value, &c->log_level)) {
			snprintf(err, errlen, "log_level: debug, info, warn or error");
			return -1;
		}
	} else {
		snprintf(err, errlen, "unknown setting \"%s\"", key);
		return -1;
	}
	return 0;
}

static const struct option hub_config_opts[] = {
	{"config", required_argument, NULL, 'c'},
	{"listen", required_argument, NULL, 0},
	{"db", required_argument, NULL, 0},
	{"name", required_argument, NULL, 0},
	{"tls-cert", required_argument, NULL, 0},
	{"tls-key", required_argument, NULL, 0},
	{"max-body", required_argument, NULL, 0},
	{"max-batch", required_argument, NULL, 0},
	{"max-group", required_argument, NULL, 0},
	{"ingest-connections", required_argument, NULL, 0},
	{"queue-messages", required_argument, NULL, 0},
	{"queue-bytes", required_argument, NULL, 0},
	{"heartbeat", required_argument, NULL, 0},
	{"log-level", required_argument, NULL, 0},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static void hub_config_defaults(struct hub_config *c)
{
	char host[256];
	char err[64];

	memset(c, 0, sizeof(*c));
	c->db = xstrdup("");
	if (gethostname(host, sizeof host) != 0 || !host[0])
		snprintf(host, sizeof host, "xiaoan-hub");
	host[64] = '\0';
	c->name = xstrdup(host);
	c->max_body = 1024 * 1024;
	c->max_batch = 1000;
	c->max_group = 5000;
	c->ingest_connections = 2;
	c->queue_messages = 4096;
	c->queue_bytes = 8 * 1024 * 1024;
	c->heartbeat_secs = 15;
	c->log_level = LOG_LEVEL_INFO;
	c->listen = xasprintf("127.0.0.1:%d", HUB_DEFAULT_PORT);
	hub_config_set_listen(c, c->listen, err, sizeof err);
}

enum hub_config_status hub_config_load(struct hub_config *c, int argc, char **argv, char *err,
				       size_t errlen)
{
	int ch, idx;
	char why[256];

	hub_config_defaults(c);
	/* First pass: only --config, --help and --version. */
	opterr = 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "hc:", hub_config_opts, &idx)) != -1) {
		if (ch == 'h') {
			hub_config_help(argv[0]);
			return HUB_CONFIG_EXIT;
		}
		if (ch == 'V') {
			printf("xiaoan-hub %s\n", XIAOAN_VERSION);
			return HUB_CONFIG_EXIT;
		}
		if (ch == 'c')
			hub_config_str(&c->config_path, optarg);
	}
	if (c->config_path && conf_load(c->config_path, hub_config_set, c, err, errlen) != 0)
		return HUB_CONFIG_ERROR;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "hc:", hub_config_opts, &idx)) != -1) {
		char key[32];

		if (ch == 'c')
			continue;
		if (ch != 0) {
			snprintf(err, errlen, "unknown option or missing value: %s (try --help)",
				 argv[optind - 1]);
			return HUB_CONFIG_ERROR;
		}
		xstrlcpy(key, hub_config_opts[idx].name, sizeof key);
		for (char *p = key; *p; p++)
			if (*p == '-')
				*p = '_';
		if (hub_config_set(c, key, optarg, why, sizeof why) != 0) {
			snprintf(err, errlen, "--%s: %s", hub_config_opts[idx].name, why);
			return HUB_CONFIG_ERROR;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument \"%s\" (try --help)", argv[optind]);
		return HUB_CONFIG_ERROR;
	}
	if (!c->tls_cert != !c->tls_key) {
		snprintf(err, errlen, "TLS needs both tls_cert and tls_key");
		return HUB_CONFIG_ERROR;
	}
	if (c->max_group < c->max_batch)
		c->max_group = c->max_batch;
	return HUB_CONFIG_OK;
}

void hub_config_free(struct hub_config *c)
{
	free(c->listen);
	free(c->db);
	free(c->name);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->config_path);
	free(c->iface);
	memset(c, 0, sizeof(*c));
}
