/* sim_run.h — one run of xiaoan-sim: options, the counters it keeps, and
 * the report it prints. */
#ifndef XIAOAN_SIM_RUN_H
#define XIAOAN_SIM_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "xiaoan/sim_model.h"
#include "xiaoan/sim_net.h"
#include "xiaoan/sim_stats.h"

struct sim_opts {
	const char *host;
	int port;
	const char *token;           /* producer token */
	const char *db;              /* conninfo to read schools from */
	const char *schools_file;
	int concurrency;             /* requests in flight at most */
	double rate;                 /* alerts/s; 0 = as fast as the hub answers */
	double duration;             /* seconds of sending; 0 = no time bound */
	uint64_t count;              /* alerts; 0 = no count bound */
	bool forever;
	int batch;                   /* alerts per POST; 1 = single objects */
	const char *replay;          /* JSON-lines file ("-" = stdin) */
	const char *dump;            /* JSON-lines file ("-" = stdout) */
	uint64_t seed;
	bool seeded;
	const char *source_prefix;   /* source_id = <prefix>-<n> */
	struct sim_when clock;
	bool clock_given, clock_has_day;
	int utc_offset;              /* the district's, seconds east of UTC */
	int retries;                 /* further attempts after a 503 or no reply */
	int timeout_s;               /* per attempt */
	int verbose;
	bool json;                   /* the final report as one JSON object */
	bool dry_run;                /* generate (and dump) only */
	int subscribers;             /* --listen-stream N */
	const char *stream_token;
	double drain_s;              /* wait for stream events after the last reply */
};

#define SIM_MAX_STATUS 600
#define SIM_SHOWN_ERRORS 5

struct sim_totals {
	uint64_t sent;                   /* alerts with a final answer (or none) */
	uint64_t accepted, duplicates;   /* 201, 200 */
	uint64_t rejected[SIM_MAX_STATUS]; /* by status; [0] = no reply at all */
	uint64_t requests, retries;
	uint64_t abandoned;              /* generated but never sent (interrupted) */
	uint64_t loop_passes;            /* event loop wake-ups: a generator that spins shows here */
	struct sim_lat lat;              /* per HTTP request that got a reply */
	struct sim_arrival *posted;      /* (seq, send time) of every 201 */
	size_t nposted, capposted;
	char errors[SIM_SHOWN_ERRORS][240];
	int nerrors;
	double elapsed_s;                /* first send to last answer */
	double cpu_s;                    /* this process's CPU (user + system) meanwhile */
};

/* Run with o (validated by main). Returns the exit status: 0 when every
 * alert sent got a 2xx (and every subscriber stayed up), 1 otherwise. */
int sim_run(const struct sim_opts *o);

/* Generate without a hub: o->count alerts, the simulated clock advancing
 * 1/rate s per alert, written to o->dump (stdout when NULL or "-"). */
int sim_dry_run(const struct sim_opts *o);

/* Reports (report.c). progress: one line to f. */
void sim_report_progress(FILE *f, const struct sim_totals *t, double at_s, size_t lat_from, int inflight,
			 size_t queued);
void sim_report(FILE *f, const struct sim_opts *o, struct sim_totals *t, struct sim_net *net);

/* Post-to-subscriber figures from the subscribers' arrivals and the posted
 * (seq, send time) pairs (sorts posted by seq). lat: every (event,
 * subscriber) pair; fanout: per event, the last subscriber's arrival;
 * missing: posted events some subscriber did not receive. */
struct sim_stream_figures {
	struct sim_summary lat, fanout;
	uint64_t events, matched, missing, resyncs, out_of_order, bad_frames;
	int subscribers, closed;
};
void sim_stream_figures(struct sim_totals *t, struct sim_net *net, struct sim_stream_figures *out);

#endif
