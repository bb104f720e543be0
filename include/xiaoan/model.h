/* model.h — the console's data: open cases, reference tables, the filtered
 * and sorted view of them. Pure (no curses, no I/O; the caller passes "now"),
 * so it is unit-tested on its own.
 *
 * Cases live in one array sorted by id (binary search; new cases mostly
 * append). The view is an array of pointers into it, rebuilt after a change
 * and re-sorted only when an urgency class moved, not on every tick. */
#ifndef XIAOAN_MODEL_H
#define XIAOAN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xiaoan/proto.h"
#include "xiaoan/sla.h"

#define MODEL_CODE_SIZE 33

enum model_state { MS_NEW, MS_SIGNED, MS_IN_PROGRESS, MS_CLOSED, MS_CONFIRMED, MS_COUNT };
enum model_severity { MSEV_LOW, MSEV_NORMAL, MSEV_HIGH, MSEV_CRITICAL };

struct mcase {
	int64_t id;
	char type[MODEL_CODE_SIZE];
	char school[MODEL_CODE_SIZE];
	char town[MODEL_CODE_SIZE];
	char holder[MODEL_CODE_SIZE];
	char issuer[MODEL_CODE_SIZE];
	enum model_state state;
	enum model_severity severity;
	char *summary; /* malloc'd, raw (sanitised when drawn) */
	int64_t version;
	bool supervised, sensitive;
	int64_t opened_at, sign_start, sign_due, signed_at, feedback_due, feedback_at, close_due,
		closed_at;
	/* Console-side state. */
	bool unseen;   /* arrived live, the cursor has not been on it yet */
	bool selected; /* bulk selection */
	/* Cached by model_tick(). */
	enum sla_urgency urgency;
	int next_stage;   /* enum sla_stage, -1 none */
	int64_t next_due; /* 0 none */
};

struct munit {
	char code[MODEL_CODE_SIZE];
	char *name;
	char kind[20];                 /* unit_kind */
	char town[MODEL_CODE_SIZE];    /* "" above town level */
	char *officer_name, *officer_phone; /* schools only, may be NULL */
};

struct mtype {
	char code[MODEL_CODE_SIZE];
	char *name_zh, *name_en;
};

enum model_sort { MSORT_URGENCY, MSORT_OPENED, MSORT_SCHOOL, MSORT_TYPE, MSORT_COUNT };

/* What the view shows. Empty strings mean "any". */
struct mfilter {
	char town[MODEL_CODE_SIZE];
	char school[MODEL_CODE_SIZE];
	char type[MODEL_CODE_SIZE];
	char holder[MODEL_CODE_SIZE];
	int state;       /* enum model_state, -1 any */
	bool overdue;    /* only cases with an overdue stage */
	bool watch;      /* only supervised or overdue cases (the supervision list) */
	char text[256];  /* search: summary, school name or case id */
};

struct mcounts {
	size_t open, unseen, unsigned_, due_soon, overdue;
};

struct model {
	struct mcase *cases; /* sorted by id */
	size_t n, cap;
	struct mcase **view;
	size_t nview;
	struct munit *units; /* sorted by code */
	size_t nunits;
	struct mtype *types;
	size_t ntypes;
	struct mfilter filter;
	enum model_sort sort;
	bool zh;          /* show Chinese type names */
	int64_t last_seq; /* the stream position the data reflects */
	bool dirty;       /* the view must be rebuilt */
};

void model_init(struct model *m);
void model_free(struct model *m);
/* Drop every case (before a reload); reference data stays. */
void model_clear_cases(struct model *m);

/* Reference data: replaces the tables. Units need not be sorted. */
void model_set_units(struct model *m, struct munit *units, size_t n);
void model_set_types(struct model *m, struct mtype *types, size_t n);
const struct munit *model_unit(const struct model *m, const char *code);
/* The unit's name, or the code itself when unknown. */
const char *model_unit_name(const struct model *m, const char *code);
/* The type's name in the display language, or the code. */
const char *model_type_name(const struct model *m, const char *code);

const char *model_state_name(enum model_state s);   /* "new", "in_progress", ... (database names) */
int model_state_parse(const char *s);                /* enum model_state or -1 */
int model_severity_parse(const char *s);             /* enum model_severity or -1 */

struct mcase *model_find(const struct model *m, int64_t id);
/* Insert or replace by id (src->summary is copied; the console-side flags
 * of an existing case are kept). Returns the stored case; *created tells
 * whether it is new. */
struct mcase *model_upsert(struct model *m, const struct mcase *src, bool *created);
bool model_remove(struct model *m, int64_t id);

/* What applying a stream event did. */
enum model_apply {
	MODEL_IGNORED,  /* old seq, or an older version of the case */
	MODEL_CREATED,  /* a case the model did not have */
	MODEL_UPDATED,
	MODEL_REMOVED   /* confirmed: no longer open */
};

/* Apply an event (the case as it is now). Advances last_seq. A case
 * created live is marked unseen; a confirmed one leaves the model. New cases
 * take default_issuer (the district's alert issuer) as their issuer. */
enum model_apply model_apply_event(struct model *m, const struct proto_event *ev,
				   const char *default_issuer, int64_t now);

/* The three clocks of a case. */
void model_clocks(const struct mcase *c, struct sla_clock clocks[SLA_NSTAGES]);
/* Recompute urgencies; returns true when a class changed (the view order may
 * have changed, and m->dirty is set). */
bool model_tick(struct model *m, int64_t now);

/* Rebuild the view from the filter and sort key. */
void model_rebuild_view(struct model *m);
/* Index of the case in the view, or -1. */
long model_view_index(const struct model *m, int64_t id);

bool model_matches(const struct model *m, const struct mcase *c);
void model_counts(const struct model *m, struct mcounts *out);

/* Parse "town:fh.jp type:gate_open state:new holder:X school:S001 overdue"
 * into f (words without a prefix join the search text). Town, school and
 * holder accept a code or a unit name; type a code or either name. Returns 0,
 * or -1 with err naming the bad word. */
int model_filter_parse(const struct model *m, const char *s, struct mfilter *f, char *err, size_t errlen);
/* The filter as the same syntax ("" when none). */
size_t model_filter_describe(const struct mfilter *f, char *buf, size_t n);
bool model_filter_active(const struct mfilter *f);
void model_filter_reset(struct mfilter *f);

const char *model_sort_name(enum model_sort s); /* msgid: "urgency", "opened", ... */

/* Copy a proto case into an mcase (summary points into pc: model_upsert copies). */
void model_from_proto(struct mcase *c, const struct proto_case *pc);

#endif
