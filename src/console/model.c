#include "xiaoan/model.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/i18n.h"
#include "xiaoan/util.h"

static const char *const model_state_names[MS_COUNT] = { "new", "signed", "in_progress", "closed",
							  "confirmed" };

void model_init(struct model *m)
{
	memset(m, 0, sizeof *m);
	model_filter_reset(&m->filter);
}

void model_filter_reset(struct mfilter *f)
{
	memset(f, 0, sizeof *f);
	f->state = -1;
}

static void model_free_units(struct model *m)
{
	for (size_t i = 0; i < m->nunits; i++) {
		free(m->units[i].name);
		free(m->units[i].officer_name);
		free(m->units[i].officer_phone);
	}
	free(m->units);
	m->units = NULL;
	m->nunits = 0;
}

static void model_free_types(struct model *m)
{
	for (size_t i = 0; i < m->ntypes; i++) {
		free(m->types[i].name_zh);
		free(m->types[i].name_en);
	}
	free(m->types);
	m->types = NULL;
	m->ntypes = 0;
}

void model_clear_cases(struct model *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->cases[i].summary);
	m->n = 0;
	m->nview = 0;
	m->dirty = true;
}

void model_free(struct model *m)
{
	model_clear_cases(m);
	free(m->cases);
	free(m->view);
	model_free_units(m);
	model_free_types(m);
	memset(m, 0, sizeof *m);
}

static int model_unit_cmp(const void *a, const void *b)
{
	return strcmp(((const struct munit *)a)->code, ((const struct munit *)b)->code);
}

void model_set_units(struct model *m, struct munit *units, size_t n)
{
	model_free_units(m);
	m->units = units;
	m->nunits = n;
	if (n > 1)
		qsort(m->units, n, sizeof *units, model_unit_cmp);
	m->dirty = true;
}

void model_set_types(struct model *m, struct mtype *types, size_t n)
{
	model_free_types(m);
	m->types = types;
	m->ntypes = n;
	m->dirty = true;
}

const struct munit *model_unit(const struct model *m, const char *code)
{
	struct munit key;

	if (!code || !m->nunits)
		return NULL;
	xstrlcpy(key.code, code, sizeof key.code);
	return bsearch(&key, m->units, m->nunits, sizeof key, model_unit_cmp);
}

const char *model_unit_name(const struct model *m, const char *code)
{
	const struct munit *u = model_unit(m, code);
	return u && u->name ? u->name : code;
}

static const struct mtype *model_type(const struct model *m, const char *code)
{
	for (size_t i = 0; i < m->ntypes; i++)
		if (strcmp(m->types[i].code, code) == 0)
			return &m->types[i];
	return NULL;
}

const char *model_type_name(const struct model *m, const char *code)
{
	const struct mtype *t = model_type(m, code);
	if (!t)
		return code;
	return m->zh ? t->name_zh : t->name_en;
}

const char *model_state_name(enum model_state s)
{
	return (unsigned)s < MS_COUNT ? model_state_names[s] : "?";
}

int model_state_parse(const char *s)
{
	for (int i = 0; i < MS_COUNT; i++)
		if (strcmp(s, model_state_names[i]) == 0)
			return i;
	return -1;
}

int model_severity_parse(const char *s)
{
	static const char *const names[] = { "low", "normal", "high", "critical" };
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* Index of id, or of the place it would go (with *found false). */
static size_t model_search(const struct model *m, int64_t id, bool *found)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->cases[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < m->n && m->cases[lo].id == id;
	return lo;
}

struct mcase *model_find(const struct model *m, int64_t id)
{
	bool found;
	size_t i = model_search(m, id, &found);
	return found ? &m->cases[i] : NULL;
}

struct mcase *model_upsert(struct model *m, const struct mcase *src, bool *created)
{
	bool found;
	size_t i = model_search(m, src->id, &found);
	struct mcase *c;

	if (found) {
		c = &m->cases[i];
		bool unseen = c->unseen, selected = c->selected;
		free(c->summary);
		*c = *src;
		c->unseen = unseen;
		c->selected = selected;
	} else {
		if (m->n == m->cap) {
			m->cap = m->cap ? m->cap * 2 : 256;
			m->cases = xrealloc(m->cases, m->cap * sizeof *m->cases);
			/* The view points into the array: it must be rebuilt. */
			m->nview = 0;
		}
		memmove(&m->cases[i + 1], &m->cases[i], (m->n - i) * sizeof *m->cases);
		m->n++;
		c = &m->cases[i];
		*c = *src;
		c->unseen = false;
		c->selected = false;
		m->nview = 0;
	}
	c->summary = xstrdup(src->summary ? src->summary : "");
	c->urgency = SLA_NONE;
	c->next_stage = -1;
	c->next_due = 0;
	if (created)
		*created = !found;
	m->dirty = true;
	return c;
}

bool model_remove(struct model *m, int64_t id)
{
	bool found;
	size_t i = model_search(m, id, &found);

	if (!found)
		return false;
	free(m->cases[i].summary);
	memmove(&m->cases[i], &m->cases[i + 1], (m->n - i - 1) * sizeof *m->cases);
	m->n--;
	m->nview = 0;
	m->dirty = true;
	return true;
}

void model_from_proto(struct mcase *c, const struct proto_case *pc)
{
	int st = model_state_parse(pc->state), sev = model_severity_parse(pc->severity);

	memset(c, 0, sizeof *c);
	c->id = pc->id;
	xstrlcpy(c->type, pc->type, sizeof c->type);
	xstrlcpy(c->school, pc->school, sizeof c->school);
	xstrlcpy(c->town, pc->town, sizeof c->town);
	xstrlcpy(c->holder, pc->holder, sizeof c->holder);
	c->state = st < 0 ? MS_NEW : (enum model_state)st;
	c->severity = sev < 0 ? MSEV_NORMAL : (enum model_severity)sev;
	c->summary = (char *)pc->summary;
	c->version = pc->version;
	c->supervised = pc->supervised;
	c->sensitive = pc->sensitive;
	c->opened_at = pc->opened_at;
	c->sign_start = pc->sign_start;
	c->sign_due = pc->sign_due;
	c->signed_at = pc->signed_at;
	c->feedback_due = pc->feedback_due;
	c->feedback_at = pc->feedback_at;
	c->close_due = pc->close_due;
	c->closed_at = pc->closed_at;
	c->next_stage = -1;
}

void model_clocks(const struct mcase *c, struct sla_clock clocks[SLA_NSTAGES])
{
	clocks[SLA_SIGN] = (struct sla_clock){ c->sign_start ? c->sign_start : c->opened_at, c->sign_due,
					       c->signed_at };
	clocks[SLA_FEEDBACK] = (struct sla_clock){ c->opened_at, c->feedback_due, c->feedback_at };
	clocks[SLA_CLOSE] = (struct sla_clock){ c->opened_at, c->close_due, c->closed_at };
	/* A closed case has no stage running, whatever its earlier clocks say:
	 * nothing is left to do before the deadline. */
	if (c->state == MS_CLOSED || c->state == MS_CONFIRMED) {
		for (int i = 0; i < SLA_NSTAGES; i++)
			if (!clocks[i].done && clocks[i].due)
				clocks[i].done = c->closed_at ? c->closed_at : clocks[i].due;
	}
}

static bool model_tick_one(struct mcase *c, int64_t now)
{
	struct sla_clock k[SLA_NSTAGES];
	enum sla_urgency u;

	model_clocks(c, k);
	u = sla_case_urgency(k, now);
	c->next_stage = sla_next(k, now);
	c->next_due = c->next_stage < 0 ? 0 : k[c->next_stage].due;
	if (u == c->urgency)
		return false;
	c->urgency = u;
	return true;
}

bool model_tick(struct model *m, int64_t now)
{
	bool changed = false;

	for (size_t i = 0; i < m->n; i++)
		changed |= model_tick_one(&m->cases[i], now);
	if (changed)
		m->dirty = true;
	return changed;
}

enum model_apply model_apply_event(struct model *m, const struct proto_event *ev,
				   const char *default_issuer, int64_t now)
{
	struct mcase c, *old;
	bool created;
	int st;

	if (ev->seq <= m->last_seq)
		return MODEL_IGNORED;
	m->last_seq = ev->seq;
	old = model_find(m, ev->c.id);
	if (old && ev->c.version < old->version)
		return MODEL_IGNORED;
	st = model_state_parse(ev->c.state);
	if (st == MS_CONFIRMED)
		return model_remove(m, ev->c.id) ? MODEL_REMOVED : MODEL_IGNORED;
	model_from_proto(&c, &ev->c);
	xstrlcpy(c.issuer, old ? old->issuer : (default_issuer ? default_issuer : ""), sizeof c.issuer);
	old = model_upsert(m, &c, &created);
	if (created)
		old->unseen = true;
	model_tick_one(old, now);
	return created ? MODEL_CREATED : MODEL_UPDATED;
}

/* Case-insensitive for ASCII, exact for everything else (CJK has no case). */
static bool model_contains(const char *hay, const char *needle)
{
	return hay && strcasestr(hay, needle) != NULL;
}

static bool model_text_match(const struct model *m, const struct mcase *c, const char *t)
{
	const char *p = t[0] == '#' ? t + 1 : t;

	/* A number is a case number: "17" should not also find every school
	 * code and summary with a 17 in it. */
	if (*p && strspn(p, "0123456789") == strlen(p))
		return strtoll(p, NULL, 10) == c->id;
	return model_contains(c->summary, t) || model_contains(c->school, t) ||
	       model_contains(model_unit_name(m, c->school), t) ||
	       model_contains(model_type_name(m, c->type), t);
}

bool model_matches(const struct model *m, const struct mcase *c)
{
	const struct mfilter *f = &m->filter;

	if (f->town[0] && strcmp(c->town, f->town) != 0)
		return false;
	if (f->school[0] && strcmp(c->school, f->school) != 0)
		return false;
	if (f->type[0] && strcmp(c->type, f->type) != 0)
		return false;
	if (f->holder[0] && strcmp(c->holder, f->holder) != 0)
		return false;
	if (f->state >= 0 && (int)c->state != f->state)
		return false;
	if (f->overdue && c->urgency != SLA_OVERDUE)
		return false;
	if (f->watch && !c->supervised && c->urgency != SLA_OVERDUE)
		return false;
	if (f->text[0] && !model_text_match(m, c, f->text))
		return false;
	return true;
}

static int model_cmp_urgency(const struct mcase *a, const struct mcase *b)
{
	int r = sla_compare_urgency(a->urgency, a->next_due, b->urgency, b->next_due);
	if (r)
		return r;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int model_cmp_opened(const void *pa, const void *pb)
{
	const struct mcase *a = *(struct mcase *const *)pa, *b = *(struct mcase *const *)pb;
	if (a->opened_at != b->opened_at)
		return a->opened_at > b->opened_at ? -1 : 1;
	return a->id > b->id ? -1 : a->id < b->id;
}

static int model_cmp_urgency_p(const void *pa, const void *pb)
{
	return model_cmp_urgency(*(struct mcase *const *)pa, *(struct mcase *const *)pb);
}

static int model_cmp_school(const void *pa, const void *pb)
{
	const struct mcase *a = *(struct mcase *const *)pa, *b = *(struct mcase *const *)pb;
	int r = strcmp(a->school, b->school);
	return r ? r : model_cmp_urgency(a, b);
}

static int model_cmp_type(const void *pa, const void *pb)
{
	const struct mcase *a = *(struct mcase *const *)pa, *b = *(struct mcase *const *)pb;
	int r = strcmp(a->type, b->type);
	return r ? r : model_cmp_urgency(a, b);
}

void model_rebuild_view(struct model *m)
{
	static int (*const cmp[MSORT_COUNT])(const void *, const void *) = {
		model_cmp_urgency_p, model_cmp_opened, model_cmp_school, model_cmp_type
	};

	free(m->view);
	m->view = xmalloc((m->n ? m->n : 1) * sizeof *m->view);
	m->nview = 0;
	for (size_t i = 0; i < m->n; i++)
		if (model_matches(m, &m->cases[i]))
			m->view[m->nview++] = &m->cases[i];
	if (m->nview > 1)
		qsort(m->view, m->nview, sizeof *m->view, cmp[m->sort < MSORT_COUNT ? m->sort : 0]);
	m->dirty = false;
}

long model_view_index(const struct model *m, int64_t id)
{
	for (size_t i = 0; i < m->nview; i++)
		if (m->view[i]->id == id)
			return (long)i;
	return -1;
}

void model_counts(const struct model *m, struct mcounts *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < m->n; i++) {
		const struct mcase *c = &m->cases[i];
		out->open++;
		out->unseen += c->unseen;
		out->unsigned_ += c->state == MS_NEW;
		out->due_soon += c->urgency == SLA_DUE_SOON;
		out->overdue += c->urgency == SLA_OVERDUE;
	}
}

/* A unit by code, or the first whose name contains s, of the given kind
 * (NULL kind: any). */
static const struct munit *model_unit_lookup(const struct model *m, const char *s, const char *kind)
{
	const struct munit *u = model_unit(m, s);

	if (u && (!kind || strcmp(u->kind, kind) == 0))
		return u;
	for (size_t i = 0; i < m->nunits; i++) {
		u = &m->units[i];
		if ((!kind || strcmp(u->kind, kind) == 0) && u->name && strstr(u->name, s))
			return u;
	}
	return NULL;
}

static int model_filter_err(char *err, size_t errlen, const char *msg, const char *word)
{
	snprintf(err, errlen, msg, word);
	return -1;
}

int model_filter_parse(const struct model *m, const char *s, struct mfilter *f, char *err, size_t errlen)
{
	struct mfilter nf;
	char *copy = xstrdup(s), *save = NULL, *w;
	struct sbuf text;
	int rc = 0;

	model_filter_reset(&nf);
	sbuf_init(&text);
	for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		char *colon = strchr(w, ':');
		const char *val = colon ? colon + 1 : "";
		const struct munit *u;

		if (strcmp(w, "overdue") == 0) {
			nf.overdue = true;
		} else if (colon && (colon - w == 4 && strncmp(w, "town", 4) == 0)) {
			u = model_unit_lookup(m, val, "town");
			if (!u) {
				rc = model_filter_err(err, errlen, _("no town matches \"%s\""), val);
				break;
			}
			xstrlcpy(nf.town, u->code, sizeof nf.town);
		} else if (colon && colon - w == 6 && strncmp(w, "school", 6) == 0) {
			u = model_unit_lookup(m, val, "school");
			if (!u) {
				rc = model_filter_err(err, errlen, _("no school matches \"%s\""), val);
				break;
			}
			xstrlcpy(nf.school, u->code, sizeof nf.school);
		} else if (colon && colon - w == 6 && strncmp(w, "holder", 6) == 0) {
			u = model_unit_lookup(m, val, NULL);
			if (!u) {
				rc = model_filter_err(err, errlen, _("no unit matches \"%s\""), val);
				break;
			}
			xstrlcpy(nf.holder, u->code, sizeof nf.holder);
		} else if (colon && colon - w == 4 && strncmp(w, "type", 4) == 0) {
			const struct mtype *t = model_type(m, val);
			for (size_t i = 0; !t && *val && i < m->ntypes; i++)
				if (strstr(m->types[i].name_zh, val) || strcasestr(m->types[i].name_en, val))
					t = &m->types[i];
			if (!t) {
				rc = model_filter_err(err, errlen, _("no alert type matches \"%s\""), val);
				break;
			}
			xstrlcpy(nf.type, t->code, sizeof nf.type);
		} else if (colon && colon - w == 5 && strncmp(w, "state", 5) == 0) {
			nf.state = model_state_parse(val);
			if (nf.state < 0) {
				rc = model_filter_err(err, errlen,
						      _("unknown state \"%s\" (new, signed, in_progress, closed)"), val);
				break;
			}
		} else if (colon && colon != w && strspn(w, "abcdefghijklmnopqrstuvwxyz") == (size_t)(colon - w)) {
			rc = model_filter_err(err, errlen,
					      _("unknown filter \"%s\" (town:, school:, type:, state:, holder:, overdue)"),
					      w);
			break;
		} else {
			if (text.len)
				sbuf_addc(&text, ' ');
			sbuf_adds(&text, w);
		}
	}
	if (rc == 0) {
		xstrlcpy(nf.text, text.s ? text.s : "", sizeof nf.text);
		*f = nf;
	}
	sbuf_free(&text);
	free(copy);
	return rc;
}

bool model_filter_active(const struct mfilter *f)
{
	return f->town[0] || f->school[0] || f->type[0] || f->holder[0] || f->state >= 0 || f->overdue ||
	       f->text[0];
}

size_t model_filter_describe(const struct mfilter *f, char *buf, size_t n)
{
	struct sbuf b;
	size_t len;

	sbuf_init(&b);
	if (f->town[0])
		sbuf_addf(&b, "town:%s ", f->town);
	if (f->school[0])
		sbuf_addf(&b, "school:%s ", f->school);
	if (f->type[0])
		sbuf_addf(&b, "type:%s ", f->type);
	if (f->state >= 0)
		sbuf_addf(&b, "state:%s ", model_state_name((enum model_state)f->state));
	if (f->holder[0])
		sbuf_addf(&b, "holder:%s ", f->holder);
	if (f->overdue)
		sbuf_adds(&b, "overdue ");
	if (f->text[0])
		sbuf_addf(&b, "\"%s\" ", f->text);
	if (b.len)
		b.s[--b.len] = '\0';
	len = b.len;
	if (n)
		xstrlcpy(buf, b.s ? b.s : "", n);
	sbuf_free(&b);
	return len;
}

const char *model_sort_name(enum model_sort s)
{
	switch (s) {
	case MSORT_URGENCY:
		return N_("urgency");
	case MSORT_OPENED:
		return N_("newest");
	case MSORT_SCHOOL:
		return N_("school");
	case MSORT_TYPE:
		return N_("type");
	default:
		return "?";
	}
}
