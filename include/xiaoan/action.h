/* action.h — every user action of the console, from one table.
 *
 * XIAOAN_ACTIONS(X) is the only list: it generates the enum, the names used
 * in keymap files, the short labels of the status line and the help text (an untranslated msgid; callers pass it
 * through gettext). Adding an action here makes it bindable and documented
 * in the help screen at once. */
#ifndef XIAOAN_ACTION_H
#define XIAOAN_ACTION_H

#include "xiaoan/i18n.h"

/* X(ENUM_SUFFIX, "name-in-keymap-files", N_("Short label"), N_("Help text"))
 * The label is a word or two for key hints in the status line. */
#define XIAOAN_ACTIONS(X) \
	X(QUIT,            "quit",            N_("Quit"),        N_("Quit xiaoan")) \
	X(HELP,            "help",            N_("Help"),        N_("Show the key bindings")) \
	X(REDRAW,          "redraw",          N_("Redraw"),      N_("Redraw the screen")) \
	X(RELOAD,          "reload",          N_("Reload"),      N_("Reload all data from the database")) \
	X(VIEW_DISPATCH,   "view-dispatch",   N_("Dispatch"),    N_("Show the dispatch view (open cases)")) \
	X(VIEW_SCHOOLS,    "view-schools",    N_("Schools"),     N_("Show the schools view")) \
	X(VIEW_SUPERVISOR, "view-supervisor", N_("Supervision"), N_("Show the supervision view")) \
	X(OPEN,            "open",            N_("View"),        N_("Open the selected item")) \
	X(BACK,            "back",            N_("Back"),        N_("Go back to the previous view")) \
	X(MOVE_UP,         "move-up",         N_("Up"),          N_("Move the cursor up")) \
	X(MOVE_DOWN,       "move-down",       N_("Down"),        N_("Move the cursor down")) \
	X(PAGE_UP,         "page-up",         N_("Page up"),     N_("Move up one page")) \
	X(PAGE_DOWN,       "page-down",       N_("Page down"),   N_("Move down one page")) \
	X(MOVE_FIRST,      "move-first",      N_("First"),       N_("Move to the first line")) \
	X(MOVE_LAST,       "move-last",       N_("Last"),        N_("Move to the last line")) \
	X(SEARCH,          "search",          N_("Search"),      N_("Search by text, school or case number")) \
	X(FILTER,          "filter",          N_("Filter"),      N_("Filter by town, school, type, state or holder")) \
	X(FILTER_CLEAR,    "filter-clear",    N_("Clear filter"), N_("Clear the search and all filters")) \
	X(TOGGLE_OVERDUE,  "toggle-overdue",  N_("Overdue only"), N_("Show only overdue cases, or all")) \
	X(CYCLE_SORT,      "cycle-sort",      N_("Sort"),        N_("Change the sort order")) \
	X(TOGGLE_SELECT,   "toggle-select",   N_("Select"),      N_("Select or deselect the case")) \
	X(SELECT_ALL_NEW,  "select-all-new",  N_("Select new"),  N_("Select every new (unsigned) case")) \
	X(SIGN,            "sign",            N_("Sign"),        N_("Sign for the case")) \
	X(SIGN_SELECTED,   "sign-selected",   N_("Sign selected"), N_("Sign for all selected cases")) \
	X(FEEDBACK,        "feedback",        N_("Feedback"),    N_("Give the first feedback")) \
	X(FORWARD,         "forward",         N_("Forward"),     N_("Forward the case to another unit")) \
	X(ESCALATE,        "escalate",        N_("Escalate"),    N_("Escalate the case to the level above")) \
	X(DISPATCH_DOWN,   "dispatch-down",   N_("Dispatch down"), N_("Dispatch the case down to a town")) \
	X(RETURN,          "return",          N_("Return"),      N_("Return the case to its sender")) \
	X(CLOSE,           "close",           N_("Close"),       N_("Close the case with a result note")) \
	X(CONFIRM,         "confirm",         N_("Confirm"),     N_("Confirm the closed case")) \
	X(REOPEN,          "reopen",          N_("Reopen"),      N_("Reopen the closed case")) \
	X(SUPERVISE,       "supervise",       N_("Supervise"),   N_("Put the case under supervision")) \
	X(UNSUPERVISE,     "unsupervise",     N_("Unsupervise"), N_("Lift the supervision of the case")) \
	X(ASSIGN,          "assign",          N_("Assign"),      N_("Assign the hazard with a rectification deadline")) \
	X(REPORT_HAZARD,   "report-hazard",   N_("Report hazard"), N_("Report a hazard at a school")) \
	X(LOG_VISIT,       "log-visit",       N_("Log visit"),   N_("Log a school inspection visit")) \
	X(STATS,           "stats",           N_("Statistics"),  N_("Show statistics"))

#define XIAOAN_ACTION_ENUM_(id, name, label, help) ACTION_##id,
enum action {
	ACTION_NONE = 0,
	XIAOAN_ACTIONS(XIAOAN_ACTION_ENUM_)
	ACTION_COUNT
};
#undef XIAOAN_ACTION_ENUM_

/* "quit", "move-up"...; "" for ACTION_NONE, NULL out of range. */
const char *action_name(enum action a);

/* The short label's msgid ("Sign", "Page down"), for key hints: wrap it
 * in gettext(). "" for ACTION_NONE, NULL out of range. */
const char *action_label(enum action a);

/* The help text's msgid (English, untranslated): wrap it in gettext().
 * "" for ACTION_NONE, NULL out of range. */
const char *action_help(enum action a);

/* The action named name (exact, case-sensitive), or ACTION_NONE. */
enum action action_parse(const char *name);

#endif
