/* sim_gen.h — realistic alerts: type and school drawn from the school-day
 * model, a Chinese summary from a template with the school's name, a
 * severity distribution per type and a details object (camera, gate, face
 * match score, ...). Deterministic for a given seed and sequence of clocks:
 * all randomness comes from one xoshiro256** generator. */
#ifndef XIAOAN_SIM_GEN_H
#define XIAOAN_SIM_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "xiaoan/sim_model.h"

struct json_object;

struct sim_rng {
	uint64_t s[4];
};

void sim_rng_seed(struct sim_rng *r, uint64_t seed);
uint64_t sim_rng_next(struct sim_rng *r);
double sim_rng_unit(struct sim_rng *r);                   /* [0, 1) */
int64_t sim_rng_range(struct sim_rng *r, int64_t lo, int64_t hi); /* [lo, hi] */
/* An index drawn with probability weights[i] / sum (n > 0, sum > 0). */
size_t sim_rng_weighted(struct sim_rng *r, const double *weights, size_t n);
/* One element of a NULL-free array of n strings. */
const char *sim_rng_pick(struct sim_rng *r, const char *const *items, size_t n);

/* What a type's generator produces for one alert. */
struct sim_fill {
	const char *severity;          /* low|normal|high|critical */
	const char *grade;             /* NULL unless mental_care */
	const char *tmpl;              /* summary template, see sim_template_render */
	struct json_object *details;   /* new object (owned by the caller) */
	struct json_object *vars;      /* extra template variables (owned by the caller) */
	int delay_s;                   /* detection delay: occurred_at = now - delay_s */
};

/* Fill f for an alert of type t from school s at the district time w
 * (sim/types.c). f->details and f->vars are new objects. */
void sim_types_fill(enum sim_type t, struct sim_rng *r, const struct sim_school *s, struct sim_when w,
		    struct sim_fill *f);

/* The summary: "{name}" is replaced with vars' or else details' member name
 * (strings as they are, integers in decimal, doubles with two decimals);
 * "{{" and "}}" are literal braces. Returns a malloc'd string, or NULL when a name is
 * unknown, null, an object or an array, or a brace is unbalanced. */
char *sim_template_render(const char *tmpl, struct json_object *vars, struct json_object *details);

struct sim_gen {
	struct sim_rng rng;
	const struct sim_school *schools;
	size_t nschools;
	double *weights;        /* SIM_NTYPES * nschools, for cached_when */
	struct sim_when cached_when;
	char prefix[64];        /* source_id prefix */
	uint64_t serial;        /* source_ids handed out so far */
};

/* schools must outlive g. prefix: source_ids are "<prefix>-<serial>". */
void sim_gen_init(struct sim_gen *g, const struct sim_school *schools, size_t nschools, uint64_t seed,
		  const char *prefix);
void sim_gen_free(struct sim_gen *g);

/* The next source_id (malloc'd). */
char *sim_gen_source_id(struct sim_gen *g);

/* One alert object (new reference) for the district time w, detected at
 * epoch second now. */
struct json_object *sim_gen_alert(struct sim_gen *g, struct sim_when w, int64_t now);

/* The same for a given type and school. */
struct json_object *sim_gen_alert_of(struct sim_gen *g, enum sim_type t, const struct sim_school *s,
				     struct sim_when w, int64_t now);

#endif
