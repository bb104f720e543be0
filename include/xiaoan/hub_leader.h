/* hub_leader.h — deadline alarms, raised by exactly one hub at a time.
 *
 * Every hub keeps a connection for this. Every 2 s a hub that is not the
 * leader tries pg_try_advisory_lock(HUB_LEADER_LOCK) on it; the one holding
 * the lock runs SELECT xiaoan.deadline_sweep() every 2 s. The lock belongs
 * to the session, so when the leader dies or loses its connection the
 * server releases it and another hub takes over at its next try. The
 * deadlines themselves live in the database (and deadline_sweep raises
 * each alarm once), so nothing is lost across restarts or takeovers; the
 * events it raises reach subscribers through the usual NOTIFY path. */
#ifndef XIAOAN_HUB_LEADER_H
#define XIAOAN_HUB_LEADER_H

#include <stdbool.h>

#include "xiaoan/hub.h"

/* "xiaoan" in ASCII, then 1: the advisory lock key of the deadline leader. */
#define HUB_LEADER_LOCK "8676668722009751553"
#define HUB_LEADER_INTERVAL_MS 2000

struct hub_leader *hub_leader_new(struct hub *h);
void hub_leader_start(struct hub_leader *l);
/* Before the lws context goes; frees l (the lock goes with the session). */
void hub_leader_free(struct hub_leader *l);
bool hub_leader_is_leader(const struct hub_leader *l);

#endif
