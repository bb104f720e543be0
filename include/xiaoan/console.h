/* console.h — the state of the running console, shared by its modules:
 *
 *   app.c        start-up data, the stream, connection states, the clock
 *   steps.c      case steps (rights, prompts, the step functions, bulk sign)
 *   ui.c         terminal set-up, signals, keys, regions, one doupdate per turn
 *   ui_list.c    dispatch, supervision and schools lists, a school's page
 *   ui_detail.c  case detail and help
 *   ui_prompt.c  the prompt line, y/n questions and the unit picker
 *   super.c      the supervision view's data (overdue review, supervised
 *                cases, statistics of a period), read through cdb
 *   ui_super.c   the supervision view's sections
 *   steps_hazard.c  a hazard's assign and close steps, its detail lines
 */
#ifndef XIAOAN_CONSOLE_H
#define XIAOAN_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include <curses.h>

#include "xiaoan/action.h"
#include "xiaoan/cdb.h"
#include "xiaoan/cstream.h"
#include "xiaoan/detfmt.h"
#include "xiaoan/keymap.h"
#include "xiaoan/lineedit.h"
#include "xiaoan/model.h"
#include "xiaoan/notify.h"
#include "xiaoan/theme.h"
#include "xiaoan/util.h"

#define CONSOLE_MIN_COLS 80
#define CONSOLE_MIN_ROWS 24
#define CONSOLE_MAX_ROWS 512
/* After an outage longer than this, reload everything from the database. */
#define CONSOLE_OUTAGE_RELOAD_MS 60000

enum view { VIEW_DISPATCH, VIEW_SUPERVISOR, VIEW_SCHOOLS, VIEW_SCHOOL, VIEW_DETAIL, VIEW_HELP };

/* Redraw reasons per region. */
#define RD_HEADER 1u
#define RD_BODY 2u
#define RD_STATUS 4u
#define RD_TICK 8u /* the countdown cells and the clock only */
#define RD_ALL (RD_HEADER | RD_BODY | RD_STATUS)

struct me {
	char login[64];
	char name[128];
	char unit[MODEL_CODE_SIZE];
	char role[20];
	char town[MODEL_CODE_SIZE];
	bool loaded;
};

/* Shown in place of a note on a sensitive case to officers who may not read
 * it (the database keeps its text from them; see docs/security.md). */
#define CONSOLE_NOTE_PRIVATE N_("(note visible to the units on the case)")

struct devent {
	int64_t seq, at;
	char kind[16], stage[12], state[16];
	char *actor_name, *unit, *from_unit, *to_unit, *note;
	bool note_hidden;        /* a note on a sensitive case this officer may not read */
};

struct dunit {
	char unit[MODEL_CODE_SIZE];
	char relation[8];
};

/* A hazard's own part, shown in its case detail. */
struct dhazard {
	bool loaded;
	char *category, *outcome, *outcome_label, *committed, *assigned_by; /* category: its name */
	int64_t deadline;
	bool leadership_review, committed_overdue;
};

/* The case detail page: the full row, the trail, the parties. */
struct detail {
	int64_t id;
	bool loaded;
	struct mcase c;          /* summary malloc'd */
	int64_t occurred_at, confirmed_at, clock_start, reopen_count;
	char *grade, *source, *source_id, *signed_by, *supervise_note, *supervise_until, *details;
	bool supervise_note_hidden; /* the reason is private to the units on the case */
	char *private_summary, *private_details; /* NULL unless visible */
	struct detfmt fmt; /* the details shown (private ones when visible), as lines */
	bool fmt_ok;       /* ... which were a JSON object */
	struct devent *ev;
	size_t nev;
	struct dunit *units;
	size_t nunits;
	struct dhazard hz;
	int scroll;
	int pending;             /* queries still out */
};

struct school_row {
	const struct munit *u;
	int open, overdue;
	int64_t next_due;
	enum sla_urgency urgency;
	bool base_ok[4];         /* guards, closed management, alarm+video, crossing post */
	int recent30;            /* baseline alerts in the last 30 days */
};

struct hist_row {
	int64_t id, opened_at;
	char type[MODEL_CODE_SIZE];
	char state[16];
	char *summary;
};

enum prompt_kind { PR_NONE, PR_SEARCH, PR_FILTER, PR_NOTE, PR_YESNO, PR_PICK };

/* A step being prepared: what, on which case at which version, and
 * what has been gathered so far. */
struct pending_step {
	enum action act;
	int64_t id, version;
	char target[MODEL_CODE_SIZE]; /* forward / dispatch-down; the school of a report or visit */
	char category[MODEL_CODE_SIZE]; /* hazard category; a hazard's outcome */
	char when[32];                /* a follow-up, deadline or committed date as typed */
	char *note;
	char *note2;                  /* a visit's findings */
	int stage;                    /* how far a report, visit, supervision or hazard step has got */
	bool hazard;                  /* a hazard's assign or close (steps_hazard.c) */
};

struct prompt {
	enum prompt_kind kind;
	char label[512];
	struct lineedit le;
	struct pending_step step;
	/* The picker: units matching the typed text. */
	const struct munit **items;
	size_t nitems, cur, top;
	char pick_kind; /* 'f' forward targets, 't' towns, 's' schools, 'c' hazard categories,
			 * 'a' hazard assignees (the holder first: keep it), 'o' hazard outcomes,
			 * 'g' statistics scopes (the district, towns, schools) */
};

/* The supervision view. */
enum sup_section { SUP_OVERDUE, SUP_SUPERVISED, SUP_STATS, SUP_NSECTIONS };
enum sup_group { SUPG_UNIT, SUPG_TOWN, SUPG_TYPE, SUPG_SCHOOL, SUPG_COUNT };

struct sup_over {                 /* one overdue stage */
	int64_t id, version, due;
	char type[MODEL_CODE_SIZE], town[MODEL_CODE_SIZE], unit[MODEL_CODE_SIZE];
	char stage[12], state[16];
	bool supervised;
	char *type_name, *town_name, *unit_name, *school_name, *summary;
};

struct sup_line {                 /* a line of the grouped overdue list */
	long row;                     /* index into over, or -1 for a group's heading */
	int stages, cases;
	int64_t oldest;
	const char *label;
};

struct sup_case {                 /* a supervised case and its progress */
	int64_t id, version, last_at;
	char state[16], last_kind[16];
	bool follow_up_due, overdue, last_note_hidden;
	char *school_name, *holder_name, *until, *note, *last_actor, *last_note;
};

struct sup_stat {                 /* stats(): label, then the figures as the database wrote them */
	char *label;
	long cases;
	char *f[9];                   /* sign %, feedback %, close %, mean/median sign, mean/median close secs,
				       * overdue, reopened */
};

struct sup_problem {
	int rank;
	long cases, overdue;
	char *school, *town, *repeats;
};

struct sup_base {
	char *school, *town;
	bool ok[4];
};

struct super {
	enum sup_section sec;
	enum sup_group ogroup;        /* the overdue list's grouping (unit, town, type) */
	enum sup_group sgroup;        /* the statistics' grouping */
	int gen;                      /* answers of an older load are dropped */
	int pending;
	int64_t loaded_ms;            /* monotonic, 0 = never */
	struct sup_over *over;
	size_t nover;
	struct sup_line *lines;
	size_t nlines;
	long ocur, otop;
	struct sup_case *sup;
	size_t nsup;
	long scur, stop;
	char period[32];              /* as typed: 2026-11, 2026-W47, 2026-11-05 */
	char scope[80];               /* "" the district, or town:CODE, school:CODE */
	char *period_label;
	bool period_day;
	struct sup_stat total, *stats;
	size_t nstats;
	long *spark;
	size_t nspark;
	struct sup_problem *probs;
	size_t nprobs;
	struct sup_base *base;
	size_t nbase;
	int scroll;
};

struct app {
	struct model m;
	struct cdb *db;
	struct cstream *cs;
	struct keymap *km;
	struct theme theme;
	bool colour;
	enum notify_mode notify;
	char *hub_addr;
	char *db_conninfo;

	struct me me;
	char district[128];
	char issuer[MODEL_CODE_SIZE];
	int utc_offset;
	int64_t clock_off_ms; /* DB time (ms) - monotonic time (ms) */
	bool clock_ok;

	/* Loading state. */
	bool ref_loaded, cases_loaded;
	int loading;          /* reload queries out */
	bool reload_queued;
	int64_t load_started_ms;
	struct proto_event *held; /* stream events that arrived during a reload */
	size_t nheld;
	struct recent30 {
		char school[MODEL_CODE_SIZE];
		char type[MODEL_CODE_SIZE];
		int n;
	} *recent;
	size_t nrecent;

	/* Connection states (monotonic ms of the change, 0 = never). */
	enum cstream_state hub;
	int64_t hub_down_ms;  /* when it went down (0: up or never up) */
	int64_t hub_down_wall;/* DB time when it went down, for the header */
	char hub_why[256];
	bool hub_ever_live;
	enum cdb_state dbst;
	int64_t db_down_wall;
	char db_why[256];

	/* Views. */
	enum view view, help_from;
	int64_t cur_id;       /* the case under the cursor in the case lists */
	long top;
	struct school_row *schools;
	size_t nschools;
	bool schools_stale;   /* cases changed since: rebuilt before the next screen update */
	bool events_only;     /* only stream events changed the model since the last screen update */
	int64_t drawn_ms;     /* monotonic time of that update */
	long school_cur, school_top;
	char school_code[MODEL_CODE_SIZE];
	struct hist_row *hist;
	size_t nhist;
	bool hist_loaded;
	long sc_cur, sc_top;  /* the school page's case list */
	struct mfilter saved_filter; /* the dispatch filter while a special list shows */
	struct detail det;
	enum view detail_from;
	int help_scroll;
	struct prompt pr;
	char msg[512];
	bool msg_err;
	int64_t msg_until_ms;

	struct munit *cats;   /* hazard categories, loaded on first use */
	size_t ncats;
	struct munit outcomes[3]; /* a hazard's outcomes, for the picker */
	struct super sv;

	/* Drawing. */
	WINDOW *hdr, *body, *status;
	int rows, cols;
	bool too_small;
	unsigned redraw;
	int64_t last_sec;
	/* The countdown text last drawn on each body row, so a tick rewrites
	 * only cells whose text changed. */
	char cd_text[CONSOLE_MAX_ROWS][SLA_FORMAT_SIZE + 2];
	int cd_x, cd_w;       /* where the countdown column is */
	char hdr_clock[32];

	bool quit;
};

extern struct app *app;

/* app.c */
void app_start(void);
void app_stop(void);
void app_reload(void);
int64_t app_now(void);              /* DB time, seconds */
int64_t app_now_ms(void);
void app_message(bool error, const char *fmt, ...) XA_PRINTF(2, 3);
void app_refresh_case(int64_t id);  /* re-read one case from the database */
void app_tick(void);                /* once a second */
void app_load_detail(int64_t id);
void app_load_school_history(const char *school);
const char *app_role_label(const char *role);

/* steps.c */
/* Why the user cannot do act on c now (a translated sentence), or NULL. */
const char *steps_why_not(enum action act, const struct mcase *c);
bool steps_is_case_action(enum action act);
void steps_begin(enum action act, const struct mcase *c);
void steps_note_done(const char *note);
void steps_pick_done(const char *code);
void steps_confirmed(void);
void steps_cancel(void);
void steps_sign_selected(void);
/* Report a hazard / log a visit (not about the case under the cursor). */
void steps_report_begin(enum action act);
/* Run a step statement; the answer is reported like every step's. */
void steps_run(enum action act, int64_t id, const char *sql, int np, const char *const *p);
void steps_reset(void);
bool steps_report_offered(enum action act);

/* steps_hazard.c */
bool hazard_is(const struct mcase *c);
/* Why the user cannot assign c now, or NULL. */
const char *hazard_why_not_assign(const struct mcase *c);
/* Assign or close a hazard (the close asks for the outcome). */
void hazard_begin(enum action act, const struct mcase *c);
/* The prompt answers while a hazard step is being prepared. */
void hazard_pick_done(const char *code);
void hazard_note_done(const char *text);
void hazard_confirmed(void);
void hazard_load_detail(int64_t id);
void hazard_detail_free(struct dhazard *h);

/* super.c */
bool super_offered(void);
void super_load(void);           /* (re)read the current section */
void super_tick(void);           /* once a second while the view shows */
void super_set_period(const char *spec);
void super_set_scope(const char *code); /* a town or school; "" or the district: all */
const char *super_scope_name(void);     /* the scope's unit name, NULL for the district */
void super_regroup(void);        /* rebuild the overdue lines after a grouping change */
void super_free(void);
const char *super_group_name(enum sup_group g); /* msgid */

/* ui_super.c */
void ui_super_draw(bool tick_only);
bool ui_super_action(enum action a);
const struct mcase *ui_super_current(void);
void ui_super_hints(struct sbuf *b);

/* ui.c */
int ui_init(void);
void ui_fini(void);
void ui_render(void);
void ui_handle_input(void);
void ui_resize(void);
void ui_set_view(enum view v);
const struct mcase *ui_current_case(void);
void ui_draw_countdown(WINDOW *w, int y, int x, int width, const struct mcase *c, int64_t now);
void ui_attr(WINDOW *w, enum theme_element e);
const char *ui_state_label(enum model_state s);
enum keymap_context ui_context(enum view v);
/* Write text at (y, x) fitted to w columns (sanitised, never split). */
void ui_put(WINDOW *win, int y, int x, int w, const char *text, int flags);

/* ui_list.c */
void ui_list_draw(bool tick_only);
bool ui_list_action(enum action a);
void ui_schools_rebuild(void);
void ui_school_draw(bool tick_only);
bool ui_school_action(enum action a);
void ui_schools_draw(bool tick_only);
bool ui_schools_action(enum action a);

/* ui_detail.c */
void ui_detail_draw(void);
bool ui_detail_action(enum action a);
void ui_detail_free(struct detail *d);
/* Turns the details just loaded into d->fmt: once per answer, not per draw. */
void ui_detail_format(struct detail *d);
/* Frees the audit trail of a detail (before it is reloaded). */
void ui_detail_free_events(struct detail *d);
void ui_help_draw(void);
bool ui_help_action(enum action a);

/* ui_prompt.c */
void prompt_open(enum prompt_kind kind, const char *label, const char *init);
void prompt_close(void);
void prompt_key(int key);
void prompt_draw(void);
void prompt_pick_open(char kind, const char *label);
void prompt_pick_draw(void);
void prompt_resize(void);

#endif
