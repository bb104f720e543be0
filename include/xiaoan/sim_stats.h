/* sim_stats.h — what xiaoan-sim measures: latency samples and their
 * percentiles, and the hub's replies to POST /v1/alerts read item by item. */
#ifndef XIAOAN_SIM_STATS_H
#define XIAOAN_SIM_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Latency samples in microseconds. */
struct sim_lat {
	int64_t *v;
	size_t n, cap;
};

void sim_lat_add(struct sim_lat *l, int64_t us);
void sim_lat_free(struct sim_lat *l);

/* Sort the n samples in place (ascending). */
void sim_lat_sort(int64_t *v, size_t n);

/* The p-th percentile (0 < p <= 100) of n ascending samples by the nearest
 * rank: the smallest sample with at least p % of the samples at or below
 * it. 0 when n = 0. */
int64_t sim_percentile(const int64_t *sorted, size_t n, double p);

/* Summary of a set of samples (sorts v). */
struct sim_summary {
	size_t n;
	int64_t p50, p90, p99, max; /* microseconds */
};
void sim_summarize(int64_t *v, size_t n, struct sim_summary *out);

/* The outcome of one alert of a request. status: the HTTP status that
 * applies to it (201 new, 200 repeat, 4xx/5xx rejected), or 0 when the
 * request got no usable reply. */
struct sim_result {
	int status;
	int64_t case_id, seq; /* 0 when absent */
	char error[160];
	char field[33];
};

/* Read the hub's reply to a request of n alerts (batch: sent as an array).
 * A single alert's reply is {case_id, seq} or {error, field} under the HTTP
 * status; a batch's is {"results":[{index, status, case_id, seq} |
 * {index, status, error, field}]}. A batch answered as a whole (401, 413,
 * 415, 503, or 400 for a body that is not an array of objects) gives every
 * item the HTTP status. Items the reply does not mention get status 0 and
 * an error. Returns how many items the reply failed to account for. */
size_t sim_reply_parse(int http_status, const char *body, size_t len, bool batch, size_t n,
		       struct sim_result *res);

/* Seconds to wait from a Retry-After value (delay-seconds; an HTTP-date or
 * garbage counts as dflt), clamped to [0, max]. NULL or "" -> dflt. */
int sim_retry_after(const char *value, int dflt, int max);

#endif
