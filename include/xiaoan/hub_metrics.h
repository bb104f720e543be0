/* hub_metrics.h — the hub's counters and gauges, served as Prometheus text
 * on GET /metrics. Plain fields: the hub is single-threaded. */
#ifndef XIAOAN_HUB_METRICS_H
#define XIAOAN_HUB_METRICS_H

#include <stdbool.h>
#include <stdint.h>

/* Why an alert (or a whole request) was turned away. */
#define HUB_REJECT_REASONS(X)                                                   \
	X(UNAUTHORIZED, "unauthorized")   /* 401: missing, bad or revoked token */ \
	X(TOO_LARGE, "too_large")         /* 413 */                                \
	X(CONTENT_TYPE, "content_type")   /* 415 */                                \
	X(MALFORMED, "malformed")         /* 400: the body as a whole */           \
	X(INVALID, "invalid")             /* 400: one alert failed validation */   \
	X(UNKNOWN, "unknown")             /* 400: the database did not know its type, school, ... */ \
	X(UNAVAILABLE, "unavailable")     /* 503: database down or draining */     \
	X(ERROR, "error")                 /* 500: unexpected database error */

enum hub_reject {
#define HUB_REJECT_ENUM(id, name) HUB_REJECT_##id,
	HUB_REJECT_REASONS(HUB_REJECT_ENUM)
#undef HUB_REJECT_ENUM
	HUB_NREJECTS
};

struct hub_metrics {
	uint64_t alerts_created, alerts_duplicate;
	uint64_t rejected[HUB_NREJECTS];
	uint64_t http_requests;
	uint64_t ingest_statements, ingest_alerts_sent;
	uint64_t subscribers;          /* gauge: authorised stream connections */
	uint64_t events_sent;          /* event messages written to subscribers */
	uint64_t events_fetched;       /* events read from the database (live) */
	uint64_t resyncs;
	double stream_lag_seconds;     /* commit of the latest event to its fan-out */
	double db_latency_last;        /* seconds, last ingest round trip */
	double db_latency_sum;
	uint64_t db_latency_count;
	bool leader, db_up;
	int64_t started_ms;            /* wall clock */
};

const char *hub_reject_name(enum hub_reject r);

/* One ingest round trip of `seconds`. */
void hub_metrics_db_latency(struct hub_metrics *m, double seconds);

/* The Prometheus text exposition (malloc'd). */
char *hub_metrics_render(const struct hub_metrics *m);

#endif
