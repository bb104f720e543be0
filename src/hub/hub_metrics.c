/* hub_metrics.c — Prometheus text format, version 0.0.4. */
#include "xiaoan/hub_metrics.h"

#include "xiaoan/util.h"
#include "xiaoan/xtime.h"

static const char *const hub_reject_names[] = {
#define HUB_REJECT_NAME(id, name) name,
	HUB_REJECT_REASONS(HUB_REJECT_NAME)
#undef HUB_REJECT_NAME
};

const char *hub_reject_name(enum hub_reject r)
{
	return (unsigned)r < HUB_NREJECTS ? hub_reject_names[r] : "?";
}

void hub_metrics_db_latency(struct hub_metrics *m, double seconds)
{
	m->db_latency_last = seconds;
	m->db_latency_sum += seconds;
	m->db_latency_count++;
}

static void hub_metrics_head(struct sbuf *b, const char *name, const char *type, const char *help)
{
	sbuf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

char *hub_metrics_render(const struct hub_metrics *m)
{
	struct sbuf b;

	sbuf_init(&b);
	hub_metrics_head(&b, "xiaoan_alerts_accepted_total", "counter",
			 "Alerts committed to the database and answered 201 (created) or 200 (duplicate).");
	sbuf_addf(&b, "xiaoan_alerts_accepted_total{result=\"created\"} %llu\n",
		  (unsigned long long)m->alerts_created);
	sbuf_addf(&b, "xiaoan_alerts_accepted_total{result=\"duplicate\"} %llu\n",
		  (unsigned long long)m->alerts_duplicate);
	hub_metrics_head(&b, "xiaoan_alerts_rejected_total", "counter",
			 "Alerts (or whole requests) turned away, by reason.");
	for (int r = 0; r < HUB_NREJECTS; r++)
		sbuf_addf(&b, "xiaoan_alerts_rejected_total{reason=\"%s\"} %llu\n", hub_reject_names[r],
			  (unsigned long long)m->rejected[r]);
	hub_metrics_head(&b, "xiaoan_http_requests_total", "counter", "HTTP requests received.");
	sbuf_addf(&b, "xiaoan_http_requests_total %llu\n", (unsigned long long)m->http_requests);
	hub_metrics_head(&b, "xiaoan_ingest_statements_total", "counter",
			 "Group-commit statements sent to the database.");
	sbuf_addf(&b, "xiaoan_ingest_statements_total %llu\n", (unsigned long long)m->ingest_statements);
	hub_metrics_head(&b, "xiaoan_ingest_alerts_sent_total", "counter",
			 "Alerts sent to the database in group-commit statements.");
	sbuf_addf(&b, "xiaoan_ingest_alerts_sent_total %llu\n", (unsigned long long)m->ingest_alerts_sent);
	hub_metrics_head(&b, "xiaoan_subscribers", "gauge", "Authorised stream connections.");
	sbuf_addf(&b, "xiaoan_subscribers %llu\n", (unsigned long long)m->subscribers);
	hub_metrics_head(&b, "xiaoan_events_sent_total", "counter", "Event messages written to subscribers.");
	sbuf_addf(&b, "xiaoan_events_sent_total %llu\n", (unsigned long long)m->events_sent);
	hub_metrics_head(&b, "xiaoan_events_fetched_total", "counter",
			 "Events read from the database for live fan-out.");
	sbuf_addf(&b, "xiaoan_events_fetched_total %llu\n", (unsigned long long)m->events_fetched);
	hub_metrics_head(&b, "xiaoan_resyncs_total", "counter",
			 "Subscribers sent resync and closed (queue limit or unknown since).");
	sbuf_addf(&b, "xiaoan_resyncs_total %llu\n", (unsigned long long)m->resyncs);
	hub_metrics_head(&b, "xiaoan_stream_lag_seconds", "gauge",
			 "From the latest event's time in the database to its fan-out by this hub.");
	sbuf_addf(&b, "xiaoan_stream_lag_seconds %.6f\n", m->stream_lag_seconds);
	hub_metrics_head(&b, "xiaoan_db_latency_seconds", "gauge",
			 "Ingest statement round trip: the last one and the mean since start.");
	sbuf_addf(&b, "xiaoan_db_latency_seconds{stat=\"last\"} %.6f\n", m->db_latency_last);
	sbuf_addf(&b, "xiaoan_db_latency_seconds{stat=\"avg\"} %.6f\n",
		  m->db_latency_count ? m->db_latency_sum / (double)m->db_latency_count : 0.0);
	hub_metrics_head(&b, "xiaoan_leader", "gauge",
			 "1 while this hub holds the deadline-sweep leader lock.");
	sbuf_addf(&b, "xiaoan_leader %d\n", m->leader ? 1 : 0);
	hub_metrics_head(&b, "xiaoan_db_up", "gauge", "1 while the hub's database connections are up.");
	sbuf_addf(&b, "xiaoan_db_up %d\n", m->db_up ? 1 : 0);
	hub_metrics_head(&b, "xiaoan_uptime_seconds", "gauge", "Seconds since the hub started.");
	sbuf_addf(&b, "xiaoan_uptime_seconds %.3f\n", (double)(xtime_now_ms() - m->started_ms) / 1000.0);
	return sbuf_detach(&b);
}
