#include "xiaoan/scope.h"

#include <string.h>

static const char *const scope_role_names[SCOPE_NROLES] = {
	[SCOPE_DISPATCHER] = "dispatcher",     [SCOPE_UNIT_STAFF] = "unit_staff",
	[SCOPE_TOWN_STAFF] = "town_staff",     [SCOPE_SCHOOL_OFFICER] = "school_officer",
	[SCOPE_SUPERVISOR] = "supervisor",     [SCOPE_ADMIN] = "admin",
};

enum scope_role scope_role_parse(const char *name)
{
	if (!name)
		return SCOPE_ROLE_INVALID;
	for (int i = 0; i < SCOPE_NROLES; i++)
		if (strcmp(name, scope_role_names[i]) == 0)
			return (enum scope_role)i;
	return SCOPE_ROLE_INVALID;
}

const char *scope_role_name(enum scope_role role)
{
	if (role < 0 || role >= SCOPE_NROLES)
		return "?";
	return scope_role_names[role];
}

bool scope_sees_all(enum scope_role role)
{
	return role == SCOPE_DISPATCHER || role == SCOPE_SUPERVISOR || role == SCOPE_ADMIN;
}

static bool scope_same(const char *a, const char *b)
{
	return a && b && a[0] && strcmp(a, b) == 0;
}

bool scope_allows(const struct scope_subject *who, const struct scope_case *c)
{
	if (who->role < 0 || who->role >= SCOPE_NROLES)
		return false;
	if (scope_sees_all(who->role))
		return true;
	if (scope_same(who->unit, c->holder))
		return true;
	for (size_t i = 0; i < c->nparties; i++)
		if (scope_same(who->unit, c->parties[i]))
			return true;
	if (who->role == SCOPE_TOWN_STAFF && !c->sensitive && scope_same(who->town, c->town))
		return true;
	if (who->role == SCOPE_SCHOOL_OFFICER && scope_same(who->unit, c->school))
		return true;
	return false;
}
