/* action.c — names and help texts generated from XIAOAN_ACTIONS. */
#include "xiaoan/action.h"

#include <string.h>

struct action_info {
	const char *name;
	const char *label;
	const char *help;
};

#define ACTION_INFO_(id, name, label, help) [ACTION_##id] = { name, label, help },
static const struct action_info action_table[ACTION_COUNT] = {
	[ACTION_NONE] = { "", "", "" },
	XIAOAN_ACTIONS(ACTION_INFO_)
};
#undef ACTION_INFO_

const char *action_name(enum action a)
{
	if ((unsigned)a >= ACTION_COUNT)
		return NULL;
	return action_table[a].name;
}

const char *action_label(enum action a)
{
	if ((unsigned)a >= ACTION_COUNT)
		return NULL;
	return action_table[a].label;
}

const char *action_help(enum action a)
{
	if ((unsigned)a >= ACTION_COUNT)
		return NULL;
	return action_table[a].help;
}

enum action action_parse(const char *name)
{
	if (!name || !*name)
		return ACTION_NONE;
	for (unsigned a = ACTION_NONE + 1; a < ACTION_COUNT; a++)
		if (strcmp(action_table[a].name, name) == 0)
			return (enum action)a;
	return ACTION_NONE;
}
