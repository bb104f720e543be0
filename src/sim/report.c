#include "xiaoan/sim_run.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/util.h"

static uint64_t sim_rejected_total(const struct sim_totals *t)
{
	uint64_t n = 0;
	for (int s = 0; s < SIM_MAX_STATUS; s++)
		n += t->rejected[s];
	return n;
}

static void sim_hub_name(const struct sim_opts *o, char *buf, size_t n)
{
	if (o->port)
		snprintf(buf, n, "%s:%d", o->host, o->port);
	else
		snprintf(buf, n, "unix:%s", o->host);
}

static double sim_ms(int64_t us)
{
	return (double)us / 1000.0;
}

void sim_report_progress(FILE *f, const struct sim_totals *t, double at_s, size_t lat_from, int inflight,
			 size_t queued)
{
	struct sim_summary s;
	size_t n = t->lat.n > lat_from ? t->lat.n - lat_from : 0;
	int64_t *v = xmalloc((n ? n : 1) * sizeof *v);
	if (n)
		memcpy(v, t->lat.v + lat_from, n * sizeof *v);
	sim_summarize(v, n, &s);
	free(v);
	fprintf(f, "xiaoan-sim: %6.0f s  sent %" PRIu64 "  accepted %" PRIu64 "  duplicates %" PRIu64
		   "  rejected %" PRIu64 "  retries %" PRIu64 "  in flight %d  queued %zu  last 10 s p50 %.1f"
		   " p99 %.1f ms\n",
		at_s, t->sent, t->accepted, t->duplicates, sim_rejected_total(t), t->retries, inflight, queued,
		sim_ms(s.p50), sim_ms(s.p99));
}

static int sim_cmp_arrival(const void *a, const void *b)
{
	const struct sim_arrival *x = a, *y = b;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static ssize_t sim_find_posted(const struct sim_arrival *p, size_t n, int64_t seq)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && p[lo].seq == seq ? (ssize_t)lo : -1;
}

void sim_stream_figures(struct sim_totals *t, struct sim_net *net, struct sim_stream_figures *out)
{
	memset(out, 0, sizeof *out);
	out->subscribers = net->nsubs;
	out->closed = net->nclosed;
	if (net->nsubs == 0)
		return;
	size_t np = t->nposted;
	qsort(t->posted, np, sizeof *t->posted, sim_cmp_arrival);
	int *count = xcalloc(np ? np : 1, sizeof *count);
	int *last_sub = xmalloc((np ? np : 1) * sizeof *last_sub);
	int64_t *latest = xcalloc(np ? np : 1, sizeof *latest);
	struct sim_lat lat = { 0 }, fan = { 0 };

	for (size_t k = 0; k < np; k++)
		last_sub[k] = -1;
	for (int i = 0; i < net->nsubs; i++) {
		struct sim_sub *s = &net->subs[i];
		out->events += s->events;
		out->resyncs += s->resyncs;
		out->out_of_order += s->out_of_order;
		out->bad_frames += s->bad_frames;
		for (size_t j = 0; j < s->narr; j++) {
			ssize_t k = sim_find_posted(t->posted, np, s->arr[j].seq);
			if (k < 0 || last_sub[k] == i)
				continue;
			last_sub[k] = i;
			count[k]++;
			out->matched++;
			int64_t d = s->arr[j].t_us - t->posted[k].t_us;
			sim_lat_add(&lat, d);
			if (d > latest[k])
				latest[k] = d;
		}
	}
	for (size_t k = 0; k < np; k++) {
		if (count[k] == net->nsubs)
			sim_lat_add(&fan, latest[k]);
		else
			out->missing++;
	}
	sim_summarize(lat.v, lat.n, &out->lat);
	sim_summarize(fan.v, fan.n, &out->fanout);
	sim_lat_free(&lat);
	sim_lat_free(&fan);
	free(count);
	free(last_sub);
	free(latest);
}

static struct json_object *sim_summary_json(const struct sim_summary *s)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "n", json_object_new_int64((int64_t)s->n));
	json_object_object_add(o, "p50", json_object_new_double(sim_ms(s->p50)));
	json_object_object_add(o, "p90", json_object_new_double(sim_ms(s->p90)));
	json_object_object_add(o, "p99", json_object_new_double(sim_ms(s->p99)));
	json_object_object_add(o, "max", json_object_new_double(sim_ms(s->max)));
	return o;
}

static void sim_report_json(FILE *f, const struct sim_opts *o, struct sim_totals *t,
			    const struct sim_summary *lat, const struct sim_stream_figures *sf)
{
	struct json_object *r = json_object_new_object(), *rej = json_object_new_object();
	char hub[300], key[16];

	sim_hub_name(o, hub, sizeof hub);
	json_object_object_add(r, "hub", json_object_new_string(hub));
	json_object_object_add(r, "elapsed_s", json_object_new_double(t->elapsed_s));
	json_object_object_add(r, "rate", json_object_new_double(t->elapsed_s > 0 ? (double)t->sent / t->elapsed_s : 0));
	json_object_object_add(r, "sent", json_object_new_int64((int64_t)t->sent));
	json_object_object_add(r, "accepted", json_object_new_int64((int64_t)t->accepted));
	json_object_object_add(r, "duplicates", json_object_new_int64((int64_t)t->duplicates));
	for (int s = 0; s < SIM_MAX_STATUS; s++) {
		if (!t->rejected[s])
			continue;
		snprintf(key, sizeof key, s ? "%d" : "none", s);
		json_object_object_add(rej, key, json_object_new_int64((int64_t)t->rejected[s]));
	}
	json_object_object_add(r, "rejected", rej);
	json_object_object_add(r, "rejected_total", json_object_new_int64((int64_t)sim_rejected_total(t)));
	json_object_object_add(r, "retries", json_object_new_int64((int64_t)t->retries));
	json_object_object_add(r, "requests", json_object_new_int64((int64_t)t->requests));
	json_object_object_add(r, "abandoned", json_object_new_int64((int64_t)t->abandoned));
	json_object_object_add(r, "loop_passes", json_object_new_int64((int64_t)t->loop_passes));
	json_object_object_add(r, "cpu_s", json_object_new_double(t->cpu_s));
	json_object_object_add(r, "latency_ms", sim_summary_json(lat));
	if (sf->subscribers) {
		struct json_object *s = json_object_new_object();
		json_object_object_add(s, "subscribers", json_object_new_int(sf->subscribers));
		json_object_object_add(s, "closed", json_object_new_int(sf->closed));
		json_object_object_add(s, "events", json_object_new_int64((int64_t)sf->events));
		json_object_object_add(s, "matched", json_object_new_int64((int64_t)sf->matched));
		json_object_object_add(s, "missing", json_object_new_int64((int64_t)sf->missing));
		json_object_object_add(s, "resyncs", json_object_new_int64((int64_t)sf->resyncs));
		json_object_object_add(s, "out_of_order", json_object_new_int64((int64_t)sf->out_of_order));
		json_object_object_add(s, "latency_ms", sim_summary_json(&sf->lat));
		json_object_object_add(s, "fanout_ms", sim_summary_json(&sf->fanout));
		json_object_object_add(r, "stream", s);
	}
	char *text = xjson_to_string(r);
	fprintf(f, "%s\n", text);
	free(text);
	json_object_put(r);
}

static void sim_report_line(FILE *f, const char *label, const struct sim_summary *s, const char *unit)
{
	fprintf(f, "  %-26s p50 %7.2f  p90 %7.2f  p99 %7.2f  max %7.2f  (%zu %s)\n", label, sim_ms(s->p50),
		sim_ms(s->p90), sim_ms(s->p99), sim_ms(s->max), s->n, unit);
}

void sim_report(FILE *f, const struct sim_opts *o, struct sim_totals *t, struct sim_net *net)
{
	struct sim_summary lat;
	struct sim_stream_figures sf;

	sim_summarize(t->lat.v, t->lat.n, &lat);
	sim_stream_figures(t, net, &sf);
	if (o->json) {
		sim_report_json(f, o, t, &lat, &sf);
		fflush(f);
		return;
	}
	char hub[300];
	sim_hub_name(o, hub, sizeof hub);
	fprintf(f, "xiaoan-sim: %" PRIu64 " alerts to %s in %.2f s (%.1f alerts/s), %" PRIu64 " requests\n",
		t->sent, hub, t->elapsed_s, t->elapsed_s > 0 ? (double)t->sent / t->elapsed_s : 0.0,
		t->requests);
	fprintf(f, "  sent %" PRIu64 "  accepted %" PRIu64 "  duplicates %" PRIu64 "  rejected %" PRIu64
		   "  retries %" PRIu64,
		t->sent, t->accepted, t->duplicates, sim_rejected_total(t), t->retries);
	if (t->abandoned)
		fprintf(f, "  not sent %" PRIu64, t->abandoned);
	fputc('\n', f);
	if (sim_rejected_total(t)) {
		fprintf(f, "  rejected by status:");
		for (int s = 0; s < SIM_MAX_STATUS; s++)
			if (t->rejected[s] && s)
				fprintf(f, "  %d: %" PRIu64, s, t->rejected[s]);
			else if (t->rejected[s])
				fprintf(f, "  no reply: %" PRIu64, t->rejected[s]);
		fputc('\n', f);
		for (int i = 0; i < t->nerrors; i++)
			fprintf(f, "    e.g. %s\n", t->errors[i]);
	}
	sim_report_line(f, "latency ms", &lat, "requests");
	if (sf.subscribers) {
		fprintf(f, "stream: %d subscriber%s (%d closed), %" PRIu64 " events, %" PRIu64 " matched to posts, %"
			   PRIu64 " posted events not seen by all, %" PRIu64 " resyncs, %" PRIu64 " out of order\n",
			sf.subscribers, sf.subscribers == 1 ? "" : "s", sf.closed, sf.events, sf.matched, sf.missing,
			sf.resyncs, sf.out_of_order);
		sim_report_line(f, "post->subscriber ms", &sf.lat, "deliveries");
		sim_report_line(f, "fan-out (last sub.) ms", &sf.fanout, "events");
	}
	fflush(f);
}
