#include "xiaoan/sim_replay.h"

#include <json-c/json.h>

#include "xiaoan/alert.h"
#include "xiaoan/util.h"
#include "xiaoan/xtime.h"

static bool sim_replay_missing(struct json_object *o, const char *key)
{
	struct json_object *v;
	return !json_object_object_get_ex(o, key, &v) || v == NULL;
}

char *sim_replay_fill(const char *line, size_t len, const char *source_id, int64_t now, bool *is_object)
{
	struct json_object *o = NULL;
	char err[128];

	*is_object = false;
	if (xjson_parse(line, len, ALERT_BODY_DEPTH, &o, err, sizeof err) != 0 || !o ||
	    !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return xstrndup(line, len);
	}
	*is_object = true;
	if (sim_replay_missing(o, "source_id"))
		json_object_object_add(o, "source_id", json_object_new_string(source_id));
	if (sim_replay_missing(o, "occurred_at")) {
		char when[XTIME_RFC3339_SIZE];
		xtime_format_rfc3339(now, when, sizeof when);
		json_object_object_add(o, "occurred_at", json_object_new_string(when));
	}
	char *s = xjson_to_string(o);
	json_object_put(o);
	return s;
}

bool sim_replay_blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return false;
	return true;
}
