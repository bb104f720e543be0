/* sim_replay.h — lines of a JSON-lines file turned into request bodies. */
#ifndef XIAOAN_SIM_REPLAY_H
#define XIAOAN_SIM_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The body to send for one line (without its newline): when the line is a
 * JSON object, it is re-serialised with "source_id" set to source_id if the
 * line has none (or null) and "occurred_at" set to now (RFC 3339 UTC) if it
 * has none, and *is_object is true. Anything else (bad JSON, an array, a
 * bare value) is sent exactly as it is, so the hub judges it, and
 * *is_object is false. Returns a malloc'd string. */
char *sim_replay_fill(const char *line, size_t len, const char *source_id, int64_t now, bool *is_object);

/* True for lines to skip: only spaces/tabs/CR. */
bool sim_replay_blank(const char *line, size_t len);

#endif
