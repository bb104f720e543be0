/* detfmt.c — a case's details object as "label: value" lines. */
#include "xiaoan/detfmt.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/i18n.h"
#include "xiaoan/text.h"
#include "xiaoan/util.h"

/* Deeper documents are shown as text. The alerts' own limit is 8. */
#define DETFMT_DEPTH 32

const struct detfmt_label detfmt_hazard_labels[] = {
	{ "category", N_("Hazard category") },
	{ "description", N_("Hazard description") },
	{ "photos", N_("Photos") },
};
const size_t detfmt_hazard_nlabels = XA_ARRAY_LEN(detfmt_hazard_labels);

struct detfmt_ctx {
	struct detfmt *out;
	size_t cap;
	const struct detfmt_label *labels;
	size_t nlabels;
};

static char *detfmt_clean(const char *s, size_t len)
{
	size_t n = len * 3 + 1; /* each byte at worst one 3-byte U+FFFD */
	char *out = xmalloc(n);

	text_sanitize(s, len, out, n);
	return out;
}

static void detfmt_add(struct detfmt_ctx *c, const struct sbuf *key, const struct sbuf *value)
{
	const char *k = key->s ? key->s : "";
	const char *label = NULL;
	struct detfmt_line *l;

	for (size_t i = 0; i < c->nlabels && !label; i++)
		if (strcmp(c->labels[i].key, k) == 0)
			label = _(c->labels[i].label);
	if (c->out->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->out->line = xrealloc(c->out->line, c->cap * sizeof *c->out->line);
	}
	l = &c->out->line[c->out->n++];
	l->key = detfmt_clean(k, key->len);
	l->label = label ? xstrdup(label) : xstrdup(l->key);
	l->value = detfmt_clean(value->s ? value->s : "", value->len);
}

/* A plain value's text, appended to b. */
static void detfmt_scalar(struct json_object *v, struct sbuf *b)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		sbuf_adds(b, "-");
		break;
	case json_type_boolean:
		sbuf_adds(b, json_object_get_boolean(v) ? _("yes") : _("no"));
		break;
	case json_type_string:
		/* With its length: a \u0000 inside is data, sanitised like the rest. */
		sbuf_add(b, json_object_get_string(v), (size_t)json_object_get_string_len(v));
		break;
	default: /* numbers as written */
		sbuf_adds(b, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
		break;
	}
}

static bool detfmt_is_container(struct json_object *v)
{
	return json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array);
}

static void detfmt_walk(struct detfmt_ctx *c, struct sbuf *key, struct json_object *v);

/* key.name (or key.1) for the duration of one member's walk. */
static void detfmt_member(struct detfmt_ctx *c, struct sbuf *key, const char *name, size_t namelen,
			  struct json_object *v)
{
	size_t keep = key->len;

	if (keep)
		sbuf_addc(key, '.');
	sbuf_add(key, name, namelen);
	detfmt_walk(c, key, v);
	key->len = keep;
	key->s[keep] = '\0';
}

static void detfmt_walk(struct detfmt_ctx *c, struct sbuf *key, struct json_object *v)
{
	struct sbuf value;
	size_t n;
	bool nested = false;

	if (json_object_is_type(v, json_type_object) && json_object_object_length(v) > 0) {
		json_object_object_foreach(v, name, sub)
			detfmt_member(c, key, name, strlen(name), sub);
		return;
	}
	n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
	for (size_t i = 0; i < n && !nested; i++)
		nested = detfmt_is_container(json_object_array_get_idx(v, i));
	if (nested) {
		for (size_t i = 0; i < n; i++) {
			char idx[24];
			int len = snprintf(idx, sizeof idx, "%zu", i + 1);
			detfmt_member(c, key, idx, (size_t)len, json_object_array_get_idx(v, i));
		}
		return;
	}
	sbuf_init(&value);
	if (detfmt_is_container(v) && n == 0) /* {} or [] */
		sbuf_adds(&value, "-");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sbuf_adds(&value, ", ");
		detfmt_scalar(json_object_array_get_idx(v, i), &value);
	}
	if (!detfmt_is_container(v))
		detfmt_scalar(v, &value);
	detfmt_add(c, key, &value);
	sbuf_free(&value);
}

static bool detfmt_labelled(const struct detfmt_ctx *c, const char *name)
{
	for (size_t i = 0; i < c->nlabels; i++)
		if (strcmp(c->labels[i].key, name) == 0)
			return true;
	return false;
}

bool detfmt_parse(const char *json, const struct detfmt_label *labels, size_t nlabels, struct detfmt *out)
{
	struct detfmt_ctx c = { out, 0, labels, nlabels };
	struct json_object *root = NULL, *v;
	struct sbuf key;
	char err[128];

	memset(out, 0, sizeof *out);
	if (!json || xjson_parse(json, strlen(json), DETFMT_DEPTH, &root, err, sizeof err) < 0)
		return false;
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return false;
	}
	sbuf_init(&key);
	/* The members the table names, in its order (a nested one is labelled
	 * where the walk of its parent reaches it), then the others. */
	for (size_t i = 0; i < nlabels; i++)
		if (json_object_object_get_ex(root, labels[i].key, &v))
			detfmt_member(&c, &key, labels[i].key, strlen(labels[i].key), v);
	json_object_object_foreach(root, name, sub)
		if (!detfmt_labelled(&c, name))
			detfmt_member(&c, &key, name, strlen(name), sub);
	sbuf_free(&key);
	json_object_put(root);
	return true;
}

void detfmt_free(struct detfmt *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->line[i].key);
		free(d->line[i].label);
		free(d->line[i].value);
	}
	free(d->line);
	d->line = NULL;
	d->n = 0;
}
