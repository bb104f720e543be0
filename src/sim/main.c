/* xiaoan-sim — realistic alert traffic for the hub: demo, tests and load.
 * See docs/man/xiaoan-sim.1. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libwebsockets.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xiaoan/sim_run.h"
#include "xiaoan/util.h"

#define SIM_DEFAULT_HUB "127.0.0.1:8460"
#define SIM_DISTRICT_UTC_OFFSET (8 * 3600) /* Asia/Shanghai */

static void sim_usage(FILE *f)
{
	fputs("usage: xiaoan-sim [options]\n"
	      "Sends realistic alerts to a xiaoan hub (POST /v1/alerts) and reports what became of them.\n"
	      "\n"
	      "  --hub HOST:PORT        the hub (default " SIM_DEFAULT_HUB "), or unix:/PATH\n"
	      "  --token TOKEN          producer token (default $XIAOAN_PRODUCER_TOKEN)\n"
	      "  --db CONNINFO          read the schools (and the district's UTC offset) from the database\n"
	      "  --schools FILE         ... or from FILE: CODE|NAME[|KIND[|BOARDING]] per line\n"
	      "                         (default: built-in S001..S120)\n"
	      "  --rate R               alerts per second (default 2; 0 = as fast as the hub answers)\n"
	      "  --duration S           send for S seconds (default 60 when no other bound is given)\n"
	      "  --count N              send N alerts\n"
	      "  --forever              no bound: run until interrupted\n"
	      "  --burst N              N alerts as fast as possible (--count N --rate 0)\n"
	      "  --batch K              K alerts per POST, as a JSON array\n"
	      "  --concurrency N        POSTs in flight at most (default 4)\n"
	      "  --replay FILE          send the alerts of a JSON-lines file (\"-\" = stdin); missing\n"
	      "                         source_id/occurred_at are filled in; as fast as possible unless --rate\n"
	      "  --dump FILE            write every alert sent as JSON lines (\"-\" = stdout)\n"
	      "  --dry-run              generate --count alerts into --dump (default stdout), send nothing\n"
	      "  --seed S               deterministic types, schools, texts and source_ids\n"
	      "  --source-prefix P      source_id = P-<n> (default sim-<seed>)\n"
	      "  --clock [DAY ]HH:MM    simulate this time of the district's day (DAY mon..sun)\n"
	      "  --retries N            retries of a 503 or lost connection, same source_id (default 5)\n"
	      "  --timeout S            per request (default 30)\n"
	      "  --listen-stream N      N WebSocket subscribers time each posted alert's event\n"
	      "  --stream-token T       session token for them (default $XIAOAN_SESSION_TOKEN)\n"
	      "  --drain S              wait up to S s for the last events (default 5)\n"
	      "  --json                 final report as one JSON object\n"
	      "  -v, --verbose          progress every 10 s (twice: every retry)\n"
	      "  -h, --help\n"
	      "  --version              print the version\n"
	      "Exit status: 0 when every alert sent got a 2xx, 1 otherwise, 2 on a usage error.\n",
	      f);
}

static XA_NORETURN XA_PRINTF(1, 2) void sim_die_usage(const char *fmt, ...)
{
	va_list ap;
	fputs("xiaoan-sim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(xiaoan-sim --help lists the options)\n", stderr);
	exit(2);
}

static double sim_num(const char *s, const char *opt, double lo, double hi)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		sim_die_usage("%s needs a number from %g to %g, not \"%s\"", opt, lo, hi, s);
	return v;
}

static uint64_t sim_u64(const char *s, const char *opt)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		sim_die_usage("%s needs a whole number, not \"%s\"", opt, s);
	return v;
}

static void sim_parse_hub(const char *s, struct sim_opts *o, char *host, size_t hostsz)
{
	if (strncmp(s, "unix:", 5) == 0) {
		if (s[5] != '/' || strlen(s + 5) >= hostsz || strlen(s + 5) > 107)
			sim_die_usage("--hub unix: needs an absolute socket path (at most 107 bytes), not \"%s\"", s);
		strcpy(host, s + 5);
		o->port = 0;
		return;
	}
	const char *colon = strrchr(s, ':');
	if (!colon || colon == s || !colon[1])
		sim_die_usage("--hub needs HOST:PORT, not \"%s\"", s);
	size_t n = (size_t)(colon - s);
	if (s[0] == '[' && n > 2 && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n >= hostsz)
		sim_die_usage("--hub: host name too long: %s", s);
	memcpy(host, s, n);
	host[n] = '\0';
	o->port = (int)sim_num(colon + 1, "--hub port", 1, 65535);
}

enum {
	OPT_HUB = 256, OPT_TOKEN, OPT_DB, OPT_SCHOOLS, OPT_RATE, OPT_DURATION, OPT_COUNT, OPT_FOREVER,
	OPT_BURST, OPT_BATCH, OPT_CONCURRENCY, OPT_REPLAY, OPT_DUMP, OPT_DRY_RUN, OPT_SEED, OPT_PREFIX,
	OPT_CLOCK, OPT_RETRIES, OPT_TIMEOUT, OPT_LISTEN, OPT_STREAM_TOKEN, OPT_DRAIN, OPT_JSON,
};

static const struct option sim_longopts[] = {
	{ "hub", required_argument, NULL, OPT_HUB },
	{ "token", required_argument, NULL, OPT_TOKEN },
	{ "db", required_argument, NULL, OPT_DB },
	{ "schools", required_argument, NULL, OPT_SCHOOLS },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "forever", no_argument, NULL, OPT_FOREVER },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "concurrency", required_argument, NULL, OPT_CONCURRENCY },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "dump", required_argument, NULL, OPT_DUMP },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "source-prefix", required_argument, NULL, OPT_PREFIX },
	{ "clock", required_argument, NULL, OPT_CLOCK },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "listen-stream", required_argument, NULL, OPT_LISTEN },
	{ "stream-token", required_argument, NULL, OPT_STREAM_TOKEN },
	{ "drain", required_argument, NULL, OPT_DRAIN },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	struct sim_opts o;
	static char host[256], prefix[64];
	bool rate_given = false, burst = false, count_given = false;
	int c;

	setlocale(LC_ALL, "");
	memset(&o, 0, sizeof o);
	sim_parse_hub(SIM_DEFAULT_HUB, &o, host, sizeof host);
	o.host = host;
	o.token = getenv("XIAOAN_PRODUCER_TOKEN");
	o.stream_token = getenv("XIAOAN_SESSION_TOKEN");
	o.concurrency = 4;
	o.rate = 2;
	o.batch = 1;
	o.retries = 5;
	o.timeout_s = 30;
	o.drain_s = 5;
	o.utc_offset = SIM_DISTRICT_UTC_OFFSET;

	while ((c = getopt_long(argc, argv, "vh", sim_longopts, NULL)) != -1) {
		switch (c) {
		case OPT_HUB: sim_parse_hub(optarg, &o, host, sizeof host); break;
		case OPT_TOKEN: o.token = optarg; break;
		case OPT_DB: o.db = optarg; break;
		case OPT_SCHOOLS: o.schools_file = optarg; break;
		case OPT_RATE: o.rate = sim_num(optarg, "--rate", 0, 1e6); rate_given = true; break;
		case OPT_DURATION: o.duration = sim_num(optarg, "--duration", 0.001, 1e9); break;
		case OPT_COUNT: o.count = sim_u64(optarg, "--count"); count_given = true; break;
		case OPT_FOREVER: o.forever = true; break;
		case OPT_BURST: o.count = sim_u64(optarg, "--burst"); burst = count_given = true; break;
		case OPT_BATCH: o.batch = (int)sim_num(optarg, "--batch", 1, 10000); break;
		case OPT_CONCURRENCY: o.concurrency = (int)sim_num(optarg, "--concurrency", 1, 4096); break;
		case OPT_REPLAY: o.replay = optarg; break;
		case OPT_DUMP: o.dump = optarg; break;
		case OPT_DRY_RUN: o.dry_run = true; break;
		case OPT_SEED: o.seed = sim_u64(optarg, "--seed"); o.seeded = true; break;
		case OPT_PREFIX: o.source_prefix = optarg; break;
		case OPT_CLOCK:
			if (!sim_clock_parse(optarg, &o.clock, &o.clock_has_day))
				sim_die_usage("--clock needs [DAY ]HH:MM (DAY mon..sun), not \"%s\"", optarg);
			o.clock_given = true;
			break;
		case OPT_RETRIES: o.retries = (int)sim_num(optarg, "--retries", 0, 100); break;
		case OPT_TIMEOUT: o.timeout_s = (int)sim_num(optarg, "--timeout", 1, 3600); break;
		case OPT_LISTEN: o.subscribers = (int)sim_num(optarg, "--listen-stream", 0, 10000); break;
		case OPT_STREAM_TOKEN: o.stream_token = optarg; break;
		case OPT_DRAIN: o.drain_s = sim_num(optarg, "--drain", 0, 3600); break;
		case OPT_JSON: o.json = true; break;
		case 'v': o.verbose++; break;
		case 'h': sim_usage(stdout); return 0;
		case 'V': printf("xiaoan-sim %s\n", XIAOAN_VERSION); return 0;
		default: sim_usage(stderr); return 2;
		}
	}
	if (optind < argc)
		sim_die_usage("unexpected argument \"%s\"", argv[optind]);

	if (burst) {
		if (rate_given)
			sim_die_usage("--burst sends as fast as possible: drop --rate");
		o.rate = 0;
	} else if (o.replay && !rate_given) {
		o.rate = 0;
	}
	if (count_given && o.count == 0)
		sim_die_usage("--count and --burst need at least 1 alert");
	if (o.forever && (o.count || o.duration > 0))
		sim_die_usage("--forever cannot be combined with --count, --burst or --duration");
	if (o.db && o.schools_file)
		sim_die_usage("--db and --schools both name the schools: pick one");
	if (o.replay && o.dry_run)
		sim_die_usage("--dry-run generates alerts: it does not replay %s", o.replay);
	if (o.source_prefix && (!*o.source_prefix || strlen(o.source_prefix) > 40))
		sim_die_usage("--source-prefix must be 1..40 characters: \"%s\"", o.source_prefix);
	if (!o.seeded) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		o.seed = ((uint64_t)ts.tv_sec * 1000000007u) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
	}
	if (!o.source_prefix) {
		/* A fresh run gets fresh source_ids; a seeded one repeats them, so
		 * replaying a seed against the same database shows deduplication. */
		if (o.seeded)
			snprintf(prefix, sizeof prefix, "sim-%" PRIu64, o.seed);
		else
			snprintf(prefix, sizeof prefix, "sim-%08" PRIx64, (o.seed * UINT64_C(0x9E3779B97F4A7C15)) >> 32);
		o.source_prefix = prefix;
	}
	if (o.dry_run) {
		if (!o.count) {
			if (o.duration > 0 && o.rate > 0)
				o.count = (uint64_t)(o.duration * o.rate + 0.5);
			else
				sim_die_usage("--dry-run needs --count N (or --duration with a --rate)");
		}
		return sim_dry_run(&o);
	}
	if (!o.count && o.duration <= 0 && !o.forever && !o.replay)
		o.duration = 60;
	if (!o.token || !*o.token)
		sim_die_usage("no producer token: give --token or set XIAOAN_PRODUCER_TOKEN");
	if (o.subscribers > 0 && (!o.stream_token || !*o.stream_token))
		sim_die_usage("--listen-stream needs a session token: --stream-token or XIAOAN_SESSION_TOKEN "
			      "(SELECT xiaoan.session_token() as an officer)");
	lws_set_log_level(o.verbose > 2 ? LLL_ERR | LLL_WARN | LLL_NOTICE : LLL_ERR, NULL);
	return sim_run(&o);
}
