/* ui.c — the terminal: set-up and restore, signals through a signalfd,
 * keys, the header and status regions, and the render step that runs once
 * per loop turn (wnoutrefresh per region, one doupdate). */
#include "xiaoan/console.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "xiaoan/cloop.h"
#include "xiaoan/i18n.h"
#include "xiaoan/layout.h"
#include "xiaoan/palette.h"
#include "xiaoan/text.h"
#include "xiaoan/xtime.h"

#define UI_EVENT_FRAME_MS 100

static SCREEN *ui_screen;
static WINDOW *ui_input; /* a pad: reading from it never refreshes anything */
static struct cloop_fd ui_stdin_w, ui_sig_w;
static volatile sig_atomic_t ui_active;

/* ---- helpers ------------------------------------------------------------------ */

void ui_attr(WINDOW *w, enum theme_element e)
{
	wattrset(w, palette_attr(e));
}

void ui_put(WINDOW *win, int y, int x, int w, const char *text, int flags)
{
	char buf[2048];

	if (w <= 0)
		return;
	layout_cell(text, w, flags, buf, sizeof buf);
	mvwaddstr(win, y, x, buf);
}

const char *ui_state_label(enum model_state s)
{
	switch (s) {
	case MS_NEW:
		return _("new");
	case MS_SIGNED:
		return _("signed");
	case MS_IN_PROGRESS:
		return _("in progress");
	case MS_CLOSED:
		return _("closed");
	case MS_CONFIRMED:
		return _("confirmed");
	default:
		return "?";
	}
}

enum keymap_context ui_context(enum view v)
{
	switch (v) {
	case VIEW_DISPATCH:
		return KM_DISPATCH;
	case VIEW_SUPERVISOR:
		return KM_SUPERVISOR;
	case VIEW_SCHOOLS:
	case VIEW_SCHOOL:
		return KM_SCHOOLS;
	case VIEW_DETAIL:
		return KM_DETAIL;
	case VIEW_HELP:
		return KM_HELP;
	}
	return KM_GENERIC;
}

void ui_draw_countdown(WINDOW *w, int y, int x, int width, const struct mcase *c, int64_t now)
{
	char t[SLA_FORMAT_SIZE + 2] = "";
	enum theme_element e = TH_COUNTDOWN_NONE;
	attr_t extra = 0;

	if (c->next_due) {
		char f[SLA_FORMAT_SIZE];
		sla_format(c->next_due - now, f, sizeof f);
		if (c->urgency == SLA_OVERDUE) {
			/* Stands out without colour: a mark and reverse video. */
			snprintf(t, sizeof t, "!%s", f);
			e = TH_COUNTDOWN_OVERDUE;
			extra = A_REVERSE;
		} else {
			snprintf(t, sizeof t, "%s", f);
			e = c->urgency == SLA_DUE_SOON ? TH_COUNTDOWN_DUE_SOON : TH_COUNTDOWN_OK;
		}
	} else if (c->urgency == SLA_MET || c->urgency == SLA_MET_LATE) {
		snprintf(t, sizeof t, "%s", "-");
		e = TH_COUNTDOWN_MET;
	}
	if (c->urgency == SLA_OVERDUE && palette_colours() > 0)
		extra = 0; /* the theme's colours already make it stand out */
	wattrset(w, palette_attr(e) | extra);
	ui_put(w, y, x, width, t, LAYOUT_RIGHT);
}

/* ---- windows and size --------------------------------------------------------- */

static void ui_make_windows(void)
{
	if (app->hdr)
		delwin(app->hdr);
	if (app->body)
		delwin(app->body);
	if (app->status)
		delwin(app->status);
	app->hdr = app->body = app->status = NULL;
	app->too_small = app->cols < CONSOLE_MIN_COLS || app->rows < CONSOLE_MIN_ROWS;
	if (app->too_small)
		return;
	app->hdr = newwin(2, app->cols, 0, 0);
	app->body = newwin(app->rows - 4, app->cols, 2, 0);
	app->status = newwin(2, app->cols, app->rows - 2, 0);
	memset(app->cd_text, 0, sizeof app->cd_text);
}

void ui_resize(void)
{
	struct winsize ws;
	int r = LINES, c = COLS;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
		r = ws.ws_row;
		c = ws.ws_col;
	}
	if (r != LINES || c != COLS)
		resizeterm(r, c);
	app->rows = LINES;
	app->cols = COLS;
	prompt_resize();
	ui_make_windows();
	/* The terminal's contents are unknown after a resize: repaint once. */
	clearok(curscr, TRUE);
	app->redraw |= RD_ALL;
}

/* ---- header and status ----------------------------------------------------- */

static void ui_conn_text(char *buf, size_t n, bool *bad)
{
	char since[16] = "", hub[160], db[160];

	*bad = false;
	if (app->hub == CS_LIVE) {
		snprintf(hub, sizeof hub, "%s", _("hub: live"));
	} else {
		*bad = true;
		if (app->hub_down_wall)
			xtime_format_local(app->hub_down_wall, app->utc_offset, "%H:%M:%S", since, sizeof since);
		if (since[0] && app->hub_down_ms && xtime_mono_ms() - app->hub_down_ms > CONSOLE_OUTAGE_RELOAD_MS)
			snprintf(hub, sizeof hub, _("hub: stale, reconnecting since %s"), since);
		else if (since[0])
			snprintf(hub, sizeof hub, _("hub: reconnecting since %s"), since);
		else
			snprintf(hub, sizeof hub, "%s", _("hub: connecting"));
	}
	if (app->dbst == CDB_UP) {
		snprintf(db, sizeof db, "%s", _("db: live"));
	} else {
		*bad = true;
		since[0] = '\0';
		if (app->db_down_wall)
			xtime_format_local(app->db_down_wall, app->utc_offset, "%H:%M:%S", since, sizeof since);
		if (since[0])
			snprintf(db, sizeof db, _("db: reconnecting since %s"), since);
		else
			snprintf(db, sizeof db, "%s", _("db: connecting"));
	}
	snprintf(buf, n, "%s  %s", hub, db);
}

static void ui_draw_header(void)
{
	WINDOW *w = app->hdr;
	char left[512], clock[32] = "", conn[400], counts[256], filt[300], line2[700];
	struct mcounts k;
	bool bad;
	int cw, lw;

	werase(w);
	ui_attr(w, TH_HEADER);
	mvwhline(w, 0, 0, ' ', app->cols);
	mvwhline(w, 1, 0, ' ', app->cols);
	if (app->me.loaded)
		snprintf(left, sizeof left, _("%s  %s (%s, %s)"), app->district[0] ? app->district : "xiaoan",
			 app->me.name, model_unit_name(&app->m, app->me.unit), app_role_label(app->me.role));
	else
		snprintf(left, sizeof left, "%s", _("xiaoan: loading…"));
	/* Narrow terminals keep the time and drop the date. */
	if (app->clock_ok)
		xtime_format_local(app_now(), app->utc_offset, app->cols >= 100 ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S",
				   clock, sizeof clock);
	ui_conn_text(conn, sizeof conn, &bad);
	cw = text_width(conn);
	lw = app->cols - cw - (app->cols >= 100 ? 19 : 8) - 3;
	ui_put(w, 0, 0, lw, left, 0);
	ui_put(w, 0, lw + 1, app->cols >= 100 ? 19 : 8, clock, 0);
	ui_attr(w, bad ? TH_CONN_RECONNECTING : TH_CONN_LIVE);
	if (bad)
		wattron(w, A_BOLD);
	ui_put(w, 0, app->cols - cw - 1, cw, conn, 0);

	model_counts(&app->m, &k);
	snprintf(counts, sizeof counts, _("open %zu  new %zu  unsigned %zu  due soon %zu  overdue %zu"), k.open,
		 k.unseen, k.unsigned_, k.due_soon, k.overdue);
	model_filter_describe(&app->m.filter, filt, sizeof filt);
	if (app->m.filter.watch)
		snprintf(line2, sizeof line2, _("%s | supervised or overdue | sort: %s"), counts,
			 _(model_sort_name(app->m.sort)));
	else if (filt[0])
		snprintf(line2, sizeof line2, _("%s | filter: %s | sort: %s"), counts, filt,
			 _(model_sort_name(app->m.sort)));
	else
		snprintf(line2, sizeof line2, _("%s | no filter | sort: %s"), counts, _(model_sort_name(app->m.sort)));
	ui_attr(w, k.overdue ? TH_HEADER_ALERT : TH_HEADER);
	ui_put(w, 1, 0, app->cols, line2, 0);
	wnoutrefresh(w);
}

/* The word shown after a key in the hint line. */
static const char *ui_hint_label(enum action a)
{
	switch (a) {
	case ACTION_SIGN:
		return _("sign");
	case ACTION_FEEDBACK:
		return _("feedback");
	case ACTION_FORWARD:
		return _("forward");
	case ACTION_ESCALATE:
		return _("escalate");
	case ACTION_DISPATCH_DOWN:
		return _("dispatch down");
	case ACTION_RETURN:
		return _("return");
	case ACTION_CLOSE:
		return _("close");
	case ACTION_CONFIRM:
		return _("confirm");
	case ACTION_REOPEN:
		return _("reopen");
	case ACTION_SUPERVISE:
		return _("supervise");
	case ACTION_UNSUPERVISE:
		return _("lift supervision");
	case ACTION_ASSIGN:
		return _("assign");
	case ACTION_HELP:
		return _("help");
	case ACTION_OPEN:
		return _("open");
	case ACTION_SEARCH:
		return _("search");
	case ACTION_FILTER:
		return _("filter");
	case ACTION_VIEW_SCHOOLS:
		return _("schools");
	case ACTION_QUIT:
		return _("quit");
	default:
		return action_name(a);
	}
}

/* Key hints: only the steps this user can take on the current case. */
static void ui_hints(char *buf, size_t n)
{
	static const enum action general[] = { ACTION_HELP, ACTION_OPEN, ACTION_SEARCH, ACTION_FILTER,
					       ACTION_VIEW_SCHOOLS, ACTION_QUIT };
	static const enum action steps[] = { ACTION_SIGN, ACTION_FEEDBACK, ACTION_FORWARD, ACTION_ESCALATE,
					     ACTION_DISPATCH_DOWN, ACTION_RETURN, ACTION_CLOSE, ACTION_CONFIRM,
					     ACTION_REOPEN, ACTION_SUPERVISE, ACTION_UNSUPERVISE, ACTION_ASSIGN };
	enum keymap_context ctx = ui_context(app->view);
	const struct mcase *c = ui_current_case();
	struct sbuf b;
	char keys[64];

	sbuf_init(&b);
	if (app->view == VIEW_SUPERVISOR) {
		ui_super_hints(&b);
		xstrlcpy(buf, b.s ? b.s : "", n);
		sbuf_free(&b);
		return;
	}
	for (size_t i = 0; c && i < XA_ARRAY_LEN(steps); i++) {
		if (steps_why_not(steps[i], c))
			continue;
		keymap_keys_for(app->km, ctx, steps[i], keys, sizeof keys);
		if (!keys[0])
			continue;
		*strchrnul(keys, ',') = '\0';
		sbuf_addf(&b, "%s %s  ", keys, ui_hint_label(steps[i]));
	}
	for (size_t i = 0; i < XA_ARRAY_LEN(general); i++) {
		keymap_keys_for(app->km, ctx, general[i], keys, sizeof keys);
		if (!keys[0])
			continue;
		*strchrnul(keys, ',') = '\0';
		sbuf_addf(&b, "%s %s  ", keys, ui_hint_label(general[i]));
	}
	xstrlcpy(buf, b.s ? b.s : "", n);
	sbuf_free(&b);
}

static void ui_draw_status(void)
{
	WINDOW *w = app->status;
	char hints[1024];

	werase(w);
	ui_attr(w, TH_STATUS);
	mvwhline(w, 0, 0, ' ', app->cols);
	mvwhline(w, 1, 0, ' ', app->cols);
	if (app->msg[0]) {
		ui_attr(w, app->msg_err ? TH_MESSAGE_ERROR : TH_MESSAGE_INFO);
		if (app->msg_err)
			wattron(w, A_BOLD);
		ui_put(w, 0, 0, app->cols, app->msg, 0);
	} else if (app->hub != CS_LIVE && app->cases_loaded) {
		ui_attr(w, TH_MESSAGE_ERROR);
		ui_put(w, 0, 0, app->cols,
		       _("Live updates are interrupted: rows marked ~ may be out of date; countdowns keep running."), 0);
	}
	if (app->pr.kind != PR_NONE) {
		prompt_draw();
		return;
	}
	ui_hints(hints, sizeof hints);
	ui_attr(w, TH_STATUS_KEY);
	ui_put(w, 1, 0, app->cols, hints, 0);
	curs_set(0);
	wnoutrefresh(w);
}

static void ui_draw_body(bool tick_only)
{
	switch (app->view) {
	case VIEW_DISPATCH:
		ui_list_draw(tick_only);
		break;
	case VIEW_SUPERVISOR:
		ui_super_draw(tick_only);
		break;
	case VIEW_SCHOOLS:
		ui_schools_draw(tick_only);
		break;
	case VIEW_SCHOOL:
		ui_school_draw(tick_only);
		break;
	case VIEW_DETAIL:
		ui_detail_draw();
		break;
	case VIEW_HELP:
		if (!tick_only)
			ui_help_draw();
		break;
	}
}

/* Brings the sorted, filtered list and the per-school counts up to date
 * with the model: before anything reads them. */
static void ui_sync(void)
{
	if (app->schools_stale)
		ui_schools_rebuild();
	if (app->m.dirty) {
		model_rebuild_view(&app->m);
		app->redraw |= RD_BODY | RD_HEADER | RD_STATUS;
	}
}

static void ui_frame_fire(struct cloop_timer *t)
{
	(void)t; /* the loop renders after every turn */
}

void ui_render(void)
{
	static struct cloop_timer frame;
	int64_t now = xtime_mono_ms();
	unsigned rd;

	/* In a busy hour hundreds of events arrive a second; re-sorting tens
	 * of thousands of cases and redrawing for each would keep a core busy
	 * and flood a slow ssh link. What only the stream changed waits for
	 * the next frame (at most UI_EVENT_FRAME_MS); keys, ticks and answers
	 * are drawn at once. */
	if (app->events_only && now - app->drawn_ms < UI_EVENT_FRAME_MS) {
		cloop_timer_set(&frame, UI_EVENT_FRAME_MS - (now - app->drawn_ms), ui_frame_fire, NULL);
		return;
	}
	app->events_only = false;
	app->drawn_ms = now;
	ui_sync();
	rd = app->redraw;
	app->redraw = 0;
	if (!rd)
		return;
	if (app->too_small) {
		char msg[200];
		snprintf(msg, sizeof msg, _("terminal too small (need %d×%d, have %d×%d)"), CONSOLE_MIN_COLS,
			 CONSOLE_MIN_ROWS, app->cols, app->rows);
		werase(stdscr);
		wattrset(stdscr, A_BOLD);
		ui_put(stdscr, app->rows / 2, 0, app->cols, msg, 0);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	if (rd & (RD_HEADER | RD_TICK))
		ui_draw_header();
	if (rd & RD_BODY)
		ui_draw_body(false);
	else if (rd & RD_TICK)
		ui_draw_body(true);
	if (rd & RD_STATUS || app->pr.kind != PR_NONE)
		ui_draw_status();
	doupdate();
}

void ui_set_view(enum view v)
{
	if (v == VIEW_HELP && app->view != VIEW_HELP) {
		app->help_from = app->view;
		app->help_scroll = 0;
	}
	if (v != VIEW_HELP && v != VIEW_DETAIL)
		app->m.filter.watch = false;
	/* Coming back to the supervision view (from a case's page, say):
	 * what it shows may have moved on. */
	if (v == VIEW_SUPERVISOR && app->view != VIEW_SUPERVISOR && app->view != VIEW_HELP)
		super_load();
	app->m.dirty = true;
	app->view = v;
	app->redraw |= RD_ALL;
}

const struct mcase *ui_school_current(void);
long ui_list_cursor(void);

const struct mcase *ui_current_case(void)
{
	long i;

	switch (app->view) {
	case VIEW_DISPATCH:
		i = ui_list_cursor();
		return i >= 0 ? app->m.view[i] : NULL;
	case VIEW_SUPERVISOR:
		return ui_super_current();
	case VIEW_SCHOOL:
		return ui_school_current();
	case VIEW_DETAIL: {
		const struct mcase *c = model_find(&app->m, app->det.id);
		if (c)
			return c;
		return app->det.loaded ? &app->det.c : NULL;
	}
	default:
		return NULL;
	}
}

/* ---- keys --------------------------------------------------------------------- */

static void ui_refilter(void)
{
	app->m.dirty = true;
	app->top = 0;
	app->redraw |= RD_ALL;
}

static void ui_action(enum action a, int key)
{
	char name[KEYMAP_KEY_NAME_MAX];
	const struct mcase *c;
	bool handled = false;

	/* Grouping, the period and the scope are the supervision view's own. */
	if (app->view == VIEW_SUPERVISOR &&
	    (a == ACTION_CYCLE_SORT || a == ACTION_FILTER || a == ACTION_SEARCH || a == ACTION_FILTER_CLEAR) &&
	    ui_super_action(a))
		return;
	switch (a) {
	case ACTION_NONE:
		keymap_key_name(key, name, sizeof name);
		app_message(true, _("The key %s does nothing here: press ? for the key list."), name);
		return;
	case ACTION_QUIT:
		app->quit = true;
		return;
	case ACTION_HELP:
		ui_set_view(VIEW_HELP);
		return;
	case ACTION_REDRAW:
		clearok(curscr, TRUE);
		app->redraw |= RD_ALL;
		return;
	case ACTION_RELOAD:
		app_message(false, "%s", _("Reloading from the database…"));
		app_reload();
		if (app->view == VIEW_SUPERVISOR)
			super_load();
		return;
	case ACTION_VIEW_DISPATCH:
		ui_set_view(VIEW_DISPATCH);
		return;
	case ACTION_VIEW_SUPERVISOR:
	case ACTION_STATS:
		if (!super_offered()) {
			app_message(true, "%s", _("The supervision view is for supervisors and dispatchers."));
			return;
		}
		if (a == ACTION_STATS && app->view != VIEW_SUPERVISOR) {
			app->sv.sec = SUP_STATS;
			ui_set_view(VIEW_SUPERVISOR);
		} else if (a == ACTION_STATS) {
			app->sv.sec = SUP_STATS;
			super_load();
		} else if (app->view == VIEW_SUPERVISOR) {
			ui_super_action(a);
		} else {
			ui_set_view(VIEW_SUPERVISOR);
		}
		return;
	case ACTION_VIEW_SCHOOLS:
		ui_schools_rebuild();
		ui_set_view(VIEW_SCHOOLS);
		return;
	case ACTION_SEARCH:
		/* A new search: what is typed replaces the one in force. */
		prompt_open(PR_SEARCH, _("Search (text, school or case number): "), NULL);
		return;
	case ACTION_FILTER: {
		char cur[300];
		struct mfilter f = app->m.filter;
		f.text[0] = '\0';
		model_filter_describe(&f, cur, sizeof cur);
		prompt_open(PR_FILTER, _("Filter (town: school: type: state: holder: overdue): "), cur);
		return;
	}
	case ACTION_FILTER_CLEAR: {
		bool watch = app->m.filter.watch;
		model_filter_reset(&app->m.filter);
		app->m.filter.watch = watch;
		ui_refilter();
		app_message(false, "%s", _("Search and filters cleared."));
		return;
	}
	case ACTION_TOGGLE_OVERDUE:
		app->m.filter.overdue = !app->m.filter.overdue;
		ui_refilter();
		return;
	case ACTION_CYCLE_SORT:
		app->m.sort = (enum model_sort)((app->m.sort + 1) % MSORT_COUNT);
		ui_refilter();
		return;
	case ACTION_SIGN_SELECTED:
		steps_sign_selected();
		return;
	case ACTION_REPORT_HAZARD:
	case ACTION_LOG_VISIT:
		steps_report_begin(a);
		return;
	default:
		break;
	}
	switch (app->view) {
	case VIEW_DISPATCH:
		handled = ui_list_action(a);
		break;
	case VIEW_SUPERVISOR:
		handled = ui_super_action(a);
		break;
	case VIEW_SCHOOLS:
		handled = ui_schools_action(a);
		break;
	case VIEW_SCHOOL:
		handled = ui_school_action(a);
		break;
	case VIEW_DETAIL:
		handled = ui_detail_action(a);
		break;
	case VIEW_HELP:
		handled = ui_help_action(a);
		break;
	}
	if (handled)
		return;
	if (steps_is_case_action(a)) {
		c = ui_current_case();
		steps_begin(a, c);
		app->redraw |= RD_STATUS;
		return;
	}
	if (a == ACTION_BACK) {
		if (app->view != VIEW_DISPATCH)
			ui_set_view(VIEW_DISPATCH);
		return;
	}
}

static void ui_key(int key)
{
	enum action a;

	if (key == '\r')
		key = '\n';
	if (app->pr.kind != PR_NONE) {
		prompt_key(key);
		app->redraw |= RD_STATUS;
		return;
	}
	a = keymap_lookup(app->km, ui_context(app->view), key);
	if (app->too_small && a != ACTION_QUIT)
		return;
	ui_action(a, key);
}

void ui_handle_input(void)
{
	wint_t ch;
	int r;

	app->events_only = false;
	while ((r = wget_wch(ui_input, &ch)) != ERR) {
		/* Each key acts on the list as it is now, not as the last frame
		 * drew it: events, or a search typed earlier in the same burst,
		 * may have changed it. */
		ui_sync();
		if (r == KEY_CODE_YES) {
			if (ch == KEY_RESIZE) {
				ui_resize();
				continue;
			}
			ui_key(KEYMAP_FKEY | (int)ch);
		} else {
			ui_key((int)ch);
		}
		if (app->quit)
			return;
	}
}

static void ui_stdin_cb(struct cloop_fd *w, int events)
{
	(void)w;
	if (events & CLOOP_HUP) {
		/* The terminal is gone (ssh hang-up without SIGHUP): leave. */
		app->quit = true;
		return;
	}
	ui_handle_input();
}

static void ui_sig_cb(struct cloop_fd *w, int events)
{
	struct signalfd_siginfo si;
	int fd;

	if (events & CLOOP_HUP) {
		app->quit = true;
		return;
	}
	fd = lws_get_socket_fd(w->wsi);
	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si) {
		switch (si.ssi_signo) {
		case SIGWINCH:
			ui_resize();
			break;
		case SIGCONT:
			/* Back from a stop: the terminal may show anything. */
			clearok(curscr, TRUE);
			app->redraw |= RD_ALL;
			break;
		default: /* SIGHUP, SIGTERM, SIGINT */
			app->quit = true;
			break;
		}
	}
}

/* ---- set-up and restore ---------------------------------------------------- */

static void ui_crash(int sig)
{
	/* Give the terminal back, then die of the same signal (core dump and
	 * exit status as without us). */
	if (ui_active) {
		ui_active = 0;
		endwin();
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

int ui_init(void)
{
	static const int crash[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL };
	sigset_t set;
	struct sigaction sa;
	int sfd, in;

	ui_screen = newterm(NULL, stdout, stdin);
	/* newterm() accepts terminals that cannot address the cursor (TERM=dumb):
	 * the screen would stay blank, so refuse them with the same advice. */
	if (ui_screen && (tigetstr("cup") == NULL || tigetstr("cup") == (char *)-1)) {
		endwin();
		delscreen(ui_screen);
		ui_screen = NULL;
	}
	if (!ui_screen) {
		const char *term = getenv("TERM");
		fprintf(stderr, _("xiaoan: cannot use this terminal (TERM=%s): run it in a terminal, or set TERM.\n"),
			term ? term : "");
		return -1;
	}
	set_term(ui_screen);
	ui_active = 1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = ui_crash;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < XA_ARRAY_LEN(crash); i++)
		sigaction(crash[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	set_escdelay(25);
	cbreak();
	noecho();
	curs_set(0);
	ui_input = newpad(1, 1);
	keypad(ui_input, TRUE);
	nodelay(ui_input, TRUE);
	palette_init(&app->theme, app->colour && has_colors());

	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCONT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0 || cloop_watch(&ui_sig_w, sfd, ui_sig_cb, NULL) != 0)
		return -1;
	/* lws closes what it adopts: the terminal itself stays with curses. */
	in = dup(STDIN_FILENO);
	if (in < 0 || cloop_watch(&ui_stdin_w, in, ui_stdin_cb, NULL) != 0)
		return -1;
	ui_resize();
	return 0;
}

void ui_fini(void)
{
	cloop_unwatch(&ui_stdin_w);
	cloop_unwatch(&ui_sig_w);
	if (!ui_screen)
		return;
	if (app->hdr)
		delwin(app->hdr);
	if (app->body)
		delwin(app->body);
	if (app->status)
		delwin(app->status);
	if (ui_input)
		delwin(ui_input);
	app->hdr = app->body = app->status = NULL;
	ui_active = 0;
	endwin();
	delscreen(ui_screen);
	ui_screen = NULL;
}
