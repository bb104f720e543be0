/* hub_leader.c — the advisory-lock leader and its deadline sweep. */
#include "xiaoan/hub_leader.h"

#include <stdlib.h>

#include "xiaoan/db.h"
#include "xiaoan/hub_pg.h"
#include "xiaoan/log.h"
#include "xiaoan/util.h"

/* The next sweep step, while cases are left over: on the loop's next pass,
 * after the I/O already waiting. Not a millisecond later: lws 4.1 rounds
 * the time to its next timer down to whole milliseconds for poll(), so a
 * request arriving in that millisecond would leave the loop polling
 * without waiting until the step was due. */
#define HUB_LEADER_AGAIN_US 1

struct hub_leader {
	struct hub *hub;
	struct hub_pg *pg;
	bool leader;
	lws_sorted_usec_list_t sul;
};

static void hub_leader_set(struct hub_leader *l, bool leader, const char *why)
{
	if (l->leader == leader)
		return;
	l->leader = leader;
	l->hub->metrics.leader = leader;
	if (leader)
		log_info("leader: this hub now raises deadline alarms");
	else
		log_warn("leader: no longer the leader (%s)", why);
}

static void hub_leader_tick(lws_sorted_usec_list_t *sul);

/* A sweep step answers how many alarms it raised and whether cases were
 * left over; then the next step comes at once (each step is a short
 * transaction of its own, so ingest never waits long behind one). */
static void hub_sweep_result(void *arg, PGresult *res)
{
	struct hub_leader *l = arg;
	char msg[512];
	int raised;

	if (!res)
		return;
	if (db_result_error(res, NULL, msg, sizeof msg) != DB_OK) {
		log_warn("leader: deadline sweep failed: %s", msg);
		return;
	}
	if (PQntuples(res) != 1 || PQnfields(res) != 2) {
		log_warn("leader: deadline sweep answered %d rows of %d columns", PQntuples(res), PQnfields(res));
		return;
	}
	raised = atoi(db_text(res, 0, 0));
	if (raised > 0)
		log_info("leader: deadline sweep raised %d alarm%s", raised, raised == 1 ? "" : "s");
	if (db_text(res, 0, 1)[0] == 't')
		lws_sul_schedule(l->hub->ctx, 0, &l->sul, hub_leader_tick, HUB_LEADER_AGAIN_US);
}

static void hub_leader_sweep(struct hub_leader *l)
{
	hub_pg_send(l->pg, "SELECT raised, more FROM xiaoan.deadline_sweep()", 0, NULL, hub_sweep_result, l);
}

static void hub_lock_result(void *arg, PGresult *res)
{
	struct hub_leader *l = arg;
	char msg[512];

	if (!res)
		return;
	if (db_result_error(res, NULL, msg, sizeof msg) != DB_OK) {
		log_warn("leader: trying the leader lock failed: %s", msg);
		return;
	}
	if (PQntuples(res) == 1 && db_text(res, 0, 0)[0] == 't') {
		hub_leader_set(l, true, NULL);
		hub_leader_sweep(l); /* at once: a takeover should not wait */
	}
}

static void hub_leader_try(struct hub_leader *l)
{
	static const char *const key[] = {HUB_LEADER_LOCK};

	if (!hub_pg_idle(l->pg) || l->hub->draining)
		return;
	if (l->leader)
		hub_leader_sweep(l);
	else
		hub_pg_send(l->pg, "SELECT pg_try_advisory_lock($1::bigint)", 1, key, hub_lock_result, l);
}

static void hub_leader_tick(lws_sorted_usec_list_t *sul)
{
	struct hub_leader *l = lws_container_of(sul, struct hub_leader, sul);

	hub_leader_try(l);
	lws_sul_schedule(l->hub->ctx, 0, &l->sul, hub_leader_tick, HUB_LEADER_INTERVAL_MS * LWS_US_PER_MS);
}

static void hub_leader_down(void *arg)
{
	hub_leader_set(arg, false, "database connection lost");
}

static void hub_leader_up(void *arg)
{
	hub_leader_try(arg);
}

static const struct hub_pg_hooks hub_leader_hooks = {
	.up = hub_leader_up,
	.down = hub_leader_down,
};

struct hub_leader *hub_leader_new(struct hub *h)
{
	struct hub_leader *l = xcalloc(1, sizeof(*l));

	l->hub = h;
	l->pg = hub_pg_new(h, "leader", &hub_leader_hooks, l);
	return l;
}

void hub_leader_start(struct hub_leader *l)
{
	hub_pg_start(l->pg); /* the first try is when it is up */
	lws_sul_schedule(l->hub->ctx, 0, &l->sul, hub_leader_tick, HUB_LEADER_INTERVAL_MS * LWS_US_PER_MS);
}

bool hub_leader_is_leader(const struct hub_leader *l)
{
	return l && l->leader;
}

void hub_leader_free(struct hub_leader *l)
{
	if (!l)
		return;
	lws_sul_cancel(&l->sul);
	hub_pg_free(l->pg);
	free(l);
}
