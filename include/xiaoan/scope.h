/* scope.h — who may see a case. The same rule as the database's row-level
 * security; the hub applies it to filter the event stream per connection.
 *
 *   dispatcher, supervisor, admin   every case
 *   anyone                          cases their unit holds, held or is cc'd on
 *                                   (the holder or one of the parties)
 *   town_staff                      cases in their town, unless sensitive
 *   school_officer                  cases of their school (unit = school code)
 *
 * Empty strings never match: a subject without a unit sees no party cases. */
#ifndef XIAOAN_SCOPE_H
#define XIAOAN_SCOPE_H

#include <stdbool.h>
#include <stddef.h>

enum scope_role {
	SCOPE_DISPATCHER,
	SCOPE_UNIT_STAFF,
	SCOPE_TOWN_STAFF,
	SCOPE_SCHOOL_OFFICER,
	SCOPE_SUPERVISOR,
	SCOPE_ADMIN,
	SCOPE_NROLES,
	SCOPE_ROLE_INVALID = -1
};

struct scope_subject {
	enum scope_role role;
	char unit[33];
	char town[33];
};

struct scope_case {
	const char *school, *town, *holder; /* NULL = none */
	bool sensitive;
	const char *const *parties; /* units that hold/held the case or are cc'd */
	size_t nparties;
};

/* "dispatcher", "unit_staff", ... -> the role; SCOPE_ROLE_INVALID otherwise. */
enum scope_role scope_role_parse(const char *name);
const char *scope_role_name(enum scope_role role); /* "?" when invalid */

/* Whether the role sees every case regardless of units (no filtering). */
bool scope_sees_all(enum scope_role role);

bool scope_allows(const struct scope_subject *who, const struct scope_case *c);

#endif
