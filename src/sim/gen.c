#include "xiaoan/sim_gen.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/util.h"
#include "xiaoan/xtime.h"

/* xoshiro256** seeded through splitmix64 (Blackman and Vigna): small,
 * fast, and the same sequence on every platform, so --seed reproduces a
 * run. */
static uint64_t sim_splitmix(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

void sim_rng_seed(struct sim_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = sim_splitmix(&seed);
}

static uint64_t sim_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t sim_rng_next(struct sim_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = sim_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = sim_rotl(s[3], 45);
	return result;
}

double sim_rng_unit(struct sim_rng *r)
{
	return (double)(sim_rng_next(r) >> 11) * 0x1.0p-53;
}

int64_t sim_rng_range(struct sim_rng *r, int64_t lo, int64_t hi)
{
	if (hi <= lo)
		return lo;
	uint64_t span = (uint64_t)(hi - lo) + 1;
	return lo + (int64_t)(sim_rng_next(r) % span);
}

size_t sim_rng_weighted(struct sim_rng *r, const double *weights, size_t n)
{
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += weights[i];
	double x = sim_rng_unit(r) * sum;
	size_t last = 0;
	for (size_t i = 0; i < n; i++) {
		if (weights[i] <= 0)
			continue;
		last = i;
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	return last; /* rounding left x at the very end */
}

const char *sim_rng_pick(struct sim_rng *r, const char *const *items, size_t n)
{
	return items[sim_rng_range(r, 0, (int64_t)n - 1)];
}

/* Appends the value of one template variable; false when unusable. */
static bool sim_template_var(struct sbuf *out, const char *name, size_t len, struct json_object *vars,
			     struct json_object *details)
{
	char key[64];
	struct json_object *v = NULL;

	if (len == 0 || len >= sizeof key)
		return false;
	memcpy(key, name, len);
	key[len] = '\0';
	if (!(vars && json_object_object_get_ex(vars, key, &v)) &&
	    !(details && json_object_object_get_ex(details, key, &v)))
		return false;
	switch (json_object_get_type(v)) {
	case json_type_string:
		sbuf_add(out, json_object_get_string(v), (size_t)json_object_get_string_len(v));
		return true;
	case json_type_int:
		sbuf_addf(out, "%" PRId64, json_object_get_int64(v));
		return true;
	case json_type_double:
		sbuf_addf(out, "%.2f", json_object_get_double(v));
		return true;
	default:
		return false;
	}
}

char *sim_template_render(const char *tmpl, struct json_object *vars, struct json_object *details)
{
	struct sbuf out;
	sbuf_init(&out);
	for (const char *p = tmpl; *p;) {
		if ((p[0] == '{' || p[0] == '}') && p[1] == p[0]) {
			sbuf_addc(&out, p[0]);
			p += 2;
		} else if (*p == '{') {
			const char *end = strchr(p + 1, '}');
			if (!end || !sim_template_var(&out, p + 1, (size_t)(end - p - 1), vars, details)) {
				sbuf_free(&out);
				return NULL;
			}
			p = end + 1;
		} else if (*p == '}') {
			sbuf_free(&out);
			return NULL;
		} else {
			const char *q = p;
			while (*q && *q != '{' && *q != '}')
				q++;
			sbuf_add(&out, p, (size_t)(q - p));
			p = q;
		}
	}
	return sbuf_detach(&out);
}

void sim_gen_init(struct sim_gen *g, const struct sim_school *schools, size_t nschools, uint64_t seed,
		  const char *prefix)
{
	memset(g, 0, sizeof *g);
	sim_rng_seed(&g->rng, seed);
	g->schools = schools;
	g->nschools = nschools;
	g->weights = xcalloc((size_t)SIM_NTYPES * (nschools ? nschools : 1), sizeof *g->weights);
	g->cached_when.minute = -1;
	xstrlcpy(g->prefix, prefix, sizeof g->prefix);
}

void sim_gen_free(struct sim_gen *g)
{
	free(g->weights);
	g->weights = NULL;
}

char *sim_gen_source_id(struct sim_gen *g)
{
	return xasprintf("%s-%" PRIu64, g->prefix, ++g->serial);
}

/* Cumulative weights over (type, school) for the minute w, recomputed only
 * when the minute changes. */
static void sim_gen_weights(struct sim_gen *g, struct sim_when w)
{
	if (g->cached_when.minute == w.minute && g->cached_when.wday == w.wday)
		return;
	double sum = 0;
	for (int t = 0; t < SIM_NTYPES; t++) {
		for (size_t i = 0; i < g->nschools; i++) {
			sum += sim_model_weight((enum sim_type)t, w, &g->schools[i]);
			g->weights[(size_t)t * g->nschools + i] = sum;
		}
	}
	g->cached_when = w;
}

struct json_object *sim_gen_alert(struct sim_gen *g, struct sim_when w, int64_t now)
{
	sim_gen_weights(g, w);
	size_t n = (size_t)SIM_NTYPES * g->nschools;
	double x = sim_rng_unit(&g->rng) * g->weights[n - 1];
	size_t lo = 0, hi = n - 1;
	while (lo < hi) { /* first cumulative weight above x */
		size_t mid = lo + (hi - lo) / 2;
		if (g->weights[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return sim_gen_alert_of(g, (enum sim_type)(lo / g->nschools), &g->schools[lo % g->nschools], w, now);
}

struct json_object *sim_gen_alert_of(struct sim_gen *g, enum sim_type t, const struct sim_school *s,
				     struct sim_when w, int64_t now)
{
	struct sim_fill f;
	char when[XTIME_RFC3339_SIZE];

	memset(&f, 0, sizeof f);
	sim_types_fill(t, &g->rng, s, w, &f);
	json_object_object_add(f.vars, "school", json_object_new_string(s->name));
	char *summary = sim_template_render(f.tmpl, f.vars, f.details);
	if (!summary) /* a template naming a missing variable: a bug in types.c */
		summary = xasprintf("%s %s", s->name, sim_type_code(t));
	xtime_format_rfc3339(now - f.delay_s, when, sizeof when);

	struct json_object *a = json_object_new_object();
	char *sid = sim_gen_source_id(g);
	json_object_object_add(a, "source_id", json_object_new_string(sid));
	free(sid);
	json_object_object_add(a, "type", json_object_new_string(sim_type_code(t)));
	json_object_object_add(a, "school", json_object_new_string(s->code));
	json_object_object_add(a, "occurred_at", json_object_new_string(when));
	json_object_object_add(a, "severity", json_object_new_string(f.severity));
	json_object_object_add(a, "summary", json_object_new_string(summary));
	if (f.grade)
		json_object_object_add(a, "grade", json_object_new_string(f.grade));
	json_object_object_add(a, "details", f.details);
	json_object_put(f.vars);
	free(summary);
	return a;
}
