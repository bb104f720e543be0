/* One run: a source of alerts (the generator or a replay file), a pacer
 * (steady rate, or as fast as the hub answers), at most --concurrency POSTs
 * in flight, retries of 503s and lost connections with the same body (the
 * hub deduplicates on source_id), and optionally subscribers timing the
 * events. Everything happens on the lws event loop; a tick timer paces. */
#include "xiaoan/sim_run.h"

#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "xiaoan/sim_gen.h"
#include "xiaoan/sim_replay.h"
#include "xiaoan/sim_schools.h"
#include "xiaoan/util.h"
#include "xiaoan/xtime.h"

enum sim_phase { SIM_WAIT_SUBSCRIBERS, SIM_SENDING, SIM_DRAINING, SIM_FINISHED };

struct sim_state {
	const struct sim_opts *o;
	struct sim_net net;
	struct sim_gen gen;
	struct sim_school *schools;
	size_t nschools;
	int64_t clock_delta;         /* simulated district clock = now + delta */
	int utc_offset;              /* the district's: from the database, else the option */
	FILE *replay, *dump;
	char *line;                  /* getline buffer */
	size_t linecap;
	uint64_t replay_serial;
	char replay_prefix[64];

	uint64_t produced;           /* alerts taken from the source */
	bool source_done;
	struct sbuf batch;           /* items of the batch being filled */
	size_t batch_n;
	struct sim_req *held;        /* a lone line waiting behind a flushed batch */

	struct sim_req *q_head, *q_tail;  /* ready, not yet sent */
	size_t q_items;
	struct sim_req *retry_head;       /* waiting for not_before */

	enum sim_phase phase;
	int64_t t_start_us;          /* subscribers asked for */
	int64_t t0_us;               /* sending began */
	int64_t t_last_us;           /* last answer */
	double cpu0_s;               /* the process's CPU when sending began */
	int64_t t_drain_us;          /* draining began */
	int64_t next_report_us;
	size_t lat_mark;
	int64_t tick_us;
	struct sim_totals t;
	int failed_setup;
};

static volatile sig_atomic_t sim_signalled;

static void sim_on_signal(int sig)
{
	(void)sig;
	sim_signalled++;
}

/* --- the source ------------------------------------------------------ */

static void sim_dump_line(struct sim_state *st, const char *s)
{
	if (st->dump)
		fprintf(st->dump, "%s\n", s);
}

/* The next alert body (malloc'd), or NULL when the source is exhausted.
 * *alone: send it as a request of its own (a replay line that is not an
 * object cannot be part of a batch without spoiling it). */
static char *sim_next_alert(struct sim_state *st, bool *alone)
{
	const struct sim_opts *o = st->o;
	int64_t now = xtime_now();

	*alone = false;
	if (o->count && st->produced >= o->count)
		return NULL;
	if (o->duration > 0 && sim_now_us() - st->t0_us >= (int64_t)(o->duration * 1e6))
		return NULL;
	if (st->replay) {
		ssize_t n;
		while ((n = getline(&st->line, &st->linecap, st->replay)) >= 0) {
			size_t len = (size_t)n;
			while (len && st->line[len - 1] == '\n')
				len--;
			if (sim_replay_blank(st->line, len))
				continue;
			char sid[96];
			bool obj;
			snprintf(sid, sizeof sid, "%s-%" PRIu64, st->replay_prefix, ++st->replay_serial);
			char *body = sim_replay_fill(st->line, len, sid, now, &obj);
			*alone = !obj;
			st->produced++;
			sim_dump_line(st, body);
			return body;
		}
		return NULL;
	}
	struct sim_when w = sim_when_at(now + st->clock_delta, st->utc_offset);
	struct json_object *a = sim_gen_alert(&st->gen, w, now);
	char *body = xjson_to_string(a);
	json_object_put(a);
	st->produced++;
	sim_dump_line(st, body);
	return body;
}

static void sim_enqueue(struct sim_state *st, struct sim_req *r)
{
	r->next = NULL;
	if (st->q_tail)
		st->q_tail->next = r;
	else
		st->q_head = r;
	st->q_tail = r;
	st->q_items += r->nitems;
}

static struct sim_req *sim_flush_batch(struct sim_state *st)
{
	if (st->batch_n == 0)
		return NULL;
	sbuf_addc(&st->batch, ']');
	struct sim_req *r = sim_req_new(st->batch.s, st->batch.len, st->batch_n, true);
	sbuf_reset(&st->batch);
	st->batch_n = 0;
	return r;
}

/* The next request, or NULL when the source is exhausted. */
static struct sim_req *sim_next_request(struct sim_state *st)
{
	struct sim_req *r = st->held;
	bool alone;

	st->held = NULL;
	while (!st->source_done && !r) {
		char *body = sim_next_alert(st, &alone);
		if (!body) {
			st->source_done = true;
			return sim_flush_batch(st);
		}
		if (st->o->batch <= 1 || alone) {
			/* A lone replay line goes after the batch being filled. */
			struct sim_req *single = sim_req_new(body, strlen(body), 1, false);
			free(body);
			r = sim_flush_batch(st);
			if (r) {
				st->held = single;
				return r;
			}
			return single;
		}
		sbuf_addc(&st->batch, st->batch_n ? ',' : '[');
		sbuf_adds(&st->batch, body);
		free(body);
		if (++st->batch_n >= (size_t)st->o->batch)
			r = sim_flush_batch(st);
	}
	return r;
}

/* --- sending --------------------------------------------------------- */

static void sim_pump(struct sim_state *st)
{
	const struct sim_opts *o = st->o;
	int64_t now = sim_now_us();

	if (st->phase != SIM_SENDING)
		return;
	for (struct sim_req **pp = &st->retry_head; *pp && st->net.inflight < o->concurrency;) {
		struct sim_req *r = *pp;
		if (r->not_before_us <= now) {
			*pp = r->next;
			sim_net_post(&st->net, r);
		} else {
			pp = &r->next;
		}
	}
	while (st->net.inflight < o->concurrency && st->q_head) {
		struct sim_req *r = st->q_head;
		st->q_head = r->next;
		if (!st->q_head)
			st->q_tail = NULL;
		st->q_items -= r->nitems;
		sim_net_post(&st->net, r);
	}
	if (o->rate <= 0) {
		while (st->net.inflight < o->concurrency && (!st->source_done || st->held)) {
			struct sim_req *r = sim_next_request(st);
			if (r)
				sim_net_post(&st->net, r);
		}
	}
}

/* Steady rate: every alert due by now is generated and queued. The queue
 * is bounded (10 s of alerts, at least 1,000): past it the run falls
 * behind its rate rather than grow without limit. */
static void sim_pace(struct sim_state *st)
{
	const struct sim_opts *o = st->o;
	if (o->rate <= 0 || (st->source_done && !st->held))
		return;
	double cap = o->rate * 10 > 1000 ? o->rate * 10 : 1000;
	double due = (double)(sim_now_us() - st->t0_us) / 1e6 * o->rate + 1;
	while ((!st->source_done || st->held) && (double)st->produced < due && (double)st->q_items < cap) {
		struct sim_req *r = sim_next_request(st);
		if (r)
			sim_enqueue(st, r);
	}
}

static void sim_note_error(struct sim_totals *t, int status, const struct sim_result *res, const char *why)
{
	if (t->nerrors >= SIM_SHOWN_ERRORS)
		return;
	if (status == 0)
		snprintf(t->errors[t->nerrors++], sizeof t->errors[0], "no reply: %s", why);
	else
		snprintf(t->errors[t->nerrors++], sizeof t->errors[0], "%d%s%s%s%s", status,
			 res->field[0] ? " field " : "", res->field, res->error[0] ? ": " : "", res->error);
}

static void sim_on_done(struct sim_req *r, void *arg)
{
	struct sim_state *st = arg;
	const struct sim_opts *o = st->o;
	struct sim_totals *t = &st->t;

	t->requests++;
	st->t_last_us = r->t_done_us;
	if (r->status != 0)
		sim_lat_add(&t->lat, r->t_done_us - r->t_send_us);
	if ((r->status == 503 || r->status == 0) && r->attempts <= o->retries && !sim_signalled) {
		int64_t delay = r->status == 503 ? (int64_t)sim_retry_after(r->retry_after, 1, 30) * 1000000
						 : (int64_t)250000 << (r->attempts - 1 < 4 ? r->attempts - 1 : 4);
		if (o->verbose > 1)
			fprintf(stderr, "xiaoan-sim: %s, retry %d in %.1f s\n",
				r->status ? "503" : r->failure, r->attempts, (double)delay / 1e6);
		r->not_before_us = r->t_done_us + delay;
		r->next = st->retry_head;
		st->retry_head = r;
		t->retries++;
		return;
	}
	struct sim_result *res = xcalloc(r->nitems, sizeof *res);
	sim_reply_parse(r->status, r->reply.s, r->reply.len, r->batch, r->nitems, res);
	for (size_t i = 0; i < r->nitems; i++) {
		int s = res[i].status;
		t->sent++;
		if (s == 201) {
			t->accepted++;
			if (res[i].seq > 0 && st->net.nsubs > 0) { /* only subscribers need them */
				if (t->nposted == t->capposted) {
					t->capposted = t->capposted ? t->capposted * 2 : 1024;
					t->posted = xrealloc(t->posted, t->capposted * sizeof *t->posted);
				}
				t->posted[t->nposted].seq = res[i].seq;
				t->posted[t->nposted].t_us = r->t_send_us;
				t->nposted++;
			}
		} else if (s == 200) {
			t->duplicates++;
		} else {
			t->rejected[s > 0 && s < SIM_MAX_STATUS ? s : 0]++;
			sim_note_error(t, s, &res[i], r->failure[0] ? r->failure : res[i].error);
		}
	}
	free(res);
	sim_req_free(r);
	sim_pump(st);
}

/* --- the loop -------------------------------------------------------- */

static bool sim_all_arrived(struct sim_state *st)
{
	/* Every subscriber still up has seen at least as many events as were
	 * posted: the exact match is computed afterwards. */
	for (int i = 0; i < st->net.nsubs; i++) {
		struct sim_sub *s = &st->net.subs[i];
		if (!s->closed && s->narr < st->t.nposted)
			return false;
	}
	return true;
}

/* The loop ends when lws_service returns: wake it, so it does not sleep
 * on until some unrelated timeout. */
static void sim_finish(struct sim_state *st)
{
	st->phase = SIM_FINISHED;
	lws_cancel_service(st->net.ctx);
}

/* User + system CPU of this process so far, in seconds. */
static double sim_cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void sim_start_sending(struct sim_state *st)
{
	st->phase = SIM_SENDING;
	st->cpu0_s = sim_cpu_s();
	st->t0_us = sim_now_us();
	st->next_report_us = st->t0_us + 10000000;
}

static void sim_tick(void *arg)
{
	struct sim_state *st = arg;
	const struct sim_opts *o = st->o;
	int64_t now = sim_now_us();

	if (sim_signalled > 1) {
		sim_finish(st);
		return;
	}
	if (sim_signalled) {
		/* Stop producing; what is queued or waiting to be retried is dropped,
		 * what is in flight gets its answer. */
		st->source_done = true;
		for (struct sim_req *r; (r = st->q_head);) {
			st->q_head = r->next;
			st->t.abandoned += r->nitems;
			sim_req_free(r);
		}
		st->q_tail = NULL;
		st->q_items = 0;
		st->t.abandoned += st->batch_n;
		st->batch_n = 0;
		sbuf_reset(&st->batch);
		if (st->held) {
			st->t.abandoned += st->held->nitems;
			sim_req_free(st->held);
			st->held = NULL;
		}
		for (struct sim_req *r; (r = st->retry_head);) {
			st->retry_head = r->next;
			st->t.abandoned += r->nitems;
			sim_req_free(r);
		}
	}
	switch (st->phase) {
	case SIM_WAIT_SUBSCRIBERS:
		if (st->net.nclosed > 0 || now - st->t_start_us > 10000000 || sim_signalled) {
			for (int i = 0; i < st->net.nsubs; i++)
				if (!st->net.subs[i].hello)
					fprintf(stderr, "xiaoan-sim: subscriber %d: %s\n", i,
						st->net.subs[i].closed ? st->net.subs[i].why : "no hello within 10 s");
			st->failed_setup = 1;
			sim_finish(st);
			return;
		}
		if (st->net.nhello == st->net.nsubs)
			sim_start_sending(st);
		break;
	case SIM_SENDING:
		sim_pace(st);
		sim_pump(st);
		sim_net_expire(&st->net, now - (int64_t)o->timeout_s * 1000000);
		if (o->verbose && now >= st->next_report_us) {
			sim_report_progress(stderr, &st->t, (double)(now - st->t0_us) / 1e6, st->lat_mark,
					    st->net.inflight, st->q_items);
			st->lat_mark = st->t.lat.n;
			st->next_report_us += 10000000;
		}
		if (st->source_done && !st->held && !st->q_head && !st->retry_head && st->net.inflight == 0 &&
		    !st->net.done_head) {
			st->t_drain_us = now;
			if (!st->net.nsubs) {
				sim_finish(st);
				return;
			}
			st->phase = SIM_DRAINING;
		}
		break;
	case SIM_DRAINING:
		if (sim_all_arrived(st) || st->net.nclosed == st->net.nsubs ||
		    now - st->t_drain_us > (int64_t)(o->drain_s * 1e6) || sim_signalled) {
			sim_finish(st);
			return;
		}
		break;
	case SIM_FINISHED:
		return;
	}
}

static int sim_setup(struct sim_state *st)
{
	const struct sim_opts *o = st->o;
	char err[400];

	st->utc_offset = o->utc_offset;
	if (o->db) {
		if (sim_schools_load_db(o->db, &st->schools, &st->nschools, &st->utc_offset, err, sizeof err) != 0) {
			fprintf(stderr, "xiaoan-sim: %s\n", err);
			return -1;
		}
	} else if (o->schools_file) {
		if (sim_schools_load_file(o->schools_file, &st->schools, &st->nschools, err, sizeof err) != 0) {
			fprintf(stderr, "xiaoan-sim: %s\n", err);
			return -1;
		}
	} else {
		sim_schools_builtin(&st->schools, &st->nschools);
	}
	sim_gen_init(&st->gen, st->schools, st->nschools, o->seed, o->source_prefix);
	snprintf(st->replay_prefix, sizeof st->replay_prefix, "%s-replay", o->source_prefix);
	if (o->clock_given)
		st->clock_delta = sim_clock_delta(xtime_now(), st->utc_offset, o->clock, o->clock_has_day);
	if (o->replay) {
		st->replay = strcmp(o->replay, "-") == 0 ? stdin : fopen(o->replay, "r");
		if (!st->replay) {
			fprintf(stderr, "xiaoan-sim: %s: %s\n", o->replay, strerror(errno));
			return -1;
		}
	}
	if (o->dump) {
		st->dump = strcmp(o->dump, "-") == 0 ? stdout : fopen(o->dump, "w");
		if (!st->dump) {
			fprintf(stderr, "xiaoan-sim: %s: %s\n", o->dump, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void sim_teardown(struct sim_state *st)
{
	sim_req_free(st->held);
	for (struct sim_req *r; (r = st->q_head);) {
		st->q_head = r->next;
		sim_req_free(r);
	}
	for (struct sim_req *r; (r = st->retry_head);) {
		st->retry_head = r->next;
		sim_req_free(r);
	}
	if (st->replay && st->replay != stdin)
		fclose(st->replay);
	if (st->dump && st->dump != stdout && fclose(st->dump) != 0)
		fprintf(stderr, "xiaoan-sim: writing %s: %s\n", st->o->dump, strerror(errno));
	else if (st->dump == stdout)
		fflush(stdout);
	free(st->line);
	sbuf_free(&st->batch);
	sim_gen_free(&st->gen);
	free(st->schools);
	sim_lat_free(&st->t.lat);
	free(st->t.posted);
}

int sim_run(const struct sim_opts *o)
{
	struct sim_state *st = xcalloc(1, sizeof *st);
	char err[200];
	int rc = 1;

	st->o = o;
	sbuf_init(&st->batch);
	if (sim_setup(st) != 0)
		goto out;
	struct sim_net_cfg cfg = { o->host, o->port, o->token, o->stream_token, sim_on_done, st };
	if (sim_net_init(&st->net, &cfg, err, sizeof err) != 0) {
		fprintf(stderr, "xiaoan-sim: %s\n", err);
		goto out;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sim_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Tick fast enough to pace the rate evenly, but not busier than 1 ms. */
	st->tick_us = o->rate > 0 ? (int64_t)(1e6 / o->rate) : 10000;
	if (st->tick_us < 1000)
		st->tick_us = 1000;
	if (st->tick_us > 50000)
		st->tick_us = 50000;
	st->t_start_us = sim_now_us();
	if (o->subscribers > 0) {
		st->phase = SIM_WAIT_SUBSCRIBERS;
		sim_net_subscribe(&st->net, o->subscribers);
	} else {
		sim_start_sending(st);
	}
	if (sim_net_ticker(&st->net, st->tick_us, sim_tick, st, err, sizeof err) != 0) {
		fprintf(stderr, "xiaoan-sim: %s\n", err);
		sim_net_free(&st->net);
		goto out;
	}
	while (st->phase != SIM_FINISHED && lws_service(st->net.ctx, 0) >= 0)
		st->t.loop_passes++;
	st->t.elapsed_s = st->t_last_us > st->t0_us ? (double)(st->t_last_us - st->t0_us) / 1e6 : 0;
	st->t.cpu_s = st->t0_us ? sim_cpu_s() - st->cpu0_s : 0;
	if (!st->failed_setup) {
		sim_report(stdout, o, &st->t, &st->net);
		uint64_t bad = 0;
		for (int s = 0; s < SIM_MAX_STATUS; s++)
			bad += st->t.rejected[s];
		rc = bad || st->t.abandoned || st->net.nclosed ? 1 : 0;
	}
	sim_net_free(&st->net);
out:
	sim_teardown(st);
	free(st);
	return rc;
}

int sim_dry_run(const struct sim_opts *o)
{
	struct sim_state *st = xcalloc(1, sizeof *st);
	uint64_t per_type[SIM_NTYPES] = { 0 };
	int rc = 1;

	st->o = o;
	sbuf_init(&st->batch);
	if (sim_setup(st) != 0)
		goto out;
	if (!st->dump)
		st->dump = stdout;
	int64_t now = xtime_now();
	double step = o->rate > 0 ? 1.0 / o->rate : 0;
	for (uint64_t i = 0; i < o->count; i++) {
		int64_t virt = now + st->clock_delta + (int64_t)((double)i * step);
		struct json_object *a = sim_gen_alert(&st->gen, sim_when_at(virt, st->utc_offset), now);
		struct json_object *v;
		if (json_object_object_get_ex(a, "type", &v)) {
			int ty = sim_type_parse(json_object_get_string(v));
			if (ty >= 0)
				per_type[ty]++;
		}
		char *s = xjson_to_string(a);
		sim_dump_line(st, s);
		free(s);
		json_object_put(a);
	}
	if (o->verbose) {
		fprintf(stderr, "xiaoan-sim: generated %" PRIu64 " alerts:", o->count);
		for (int ty = 0; ty < SIM_NTYPES; ty++)
			fprintf(stderr, " %s %" PRIu64, sim_type_code((enum sim_type)ty), per_type[ty]);
		fputc('\n', stderr);
	}
	rc = ferror(st->dump) ? 1 : 0;
out:
	sim_teardown(st);
	free(st);
	return rc;
}
