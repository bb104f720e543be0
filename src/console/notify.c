#include "xiaoan/notify.h"

#include <stdio.h>
#include <string.h>

#include <curses.h>
#include <libnotify/notify.h>

#include "xiaoan/i18n.h"
#include "xiaoan/text.h"
#include "xiaoan/util.h"

static enum notify_mode notify_mode = NOTIFY_OFF;
static bool notify_inited;
/* The server reads the body as markup: names from the database must not
 * turn into markup or links there. */
static bool notify_markup;
static struct notify_gate notify_gate;

int notify_mode_parse(const char *s)
{
	static const char *const names[] = { "auto", "desktop", "bell", "flash", "off" };
	for (int i = 0; i < 5; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

enum notify_mode notify_setup(enum notify_mode mode)
{
	if (mode == NOTIFY_AUTO || mode == NOTIFY_DESKTOP) {
		char *name = NULL, *vendor = NULL, *version = NULL, *spec = NULL;
		/* Without a session bus the server check fails quickly; then the
		 * terminal is the only way to reach the officer. */
		if (notify_init("xiaoan") && notify_get_server_info(&name, &vendor, &version, &spec)) {
			GList *caps = notify_get_server_caps();
			notify_markup = g_list_find_custom(caps, "body-markup", (GCompareFunc)strcmp) != NULL;
			g_list_free_full(caps, g_free);
			notify_inited = true;
			mode = NOTIFY_DESKTOP;
		} else {
			if (notify_is_initted())
				notify_uninit();
			mode = NOTIFY_BELL;
		}
		g_free(name);
		g_free(vendor);
		g_free(version);
		g_free(spec);
	}
	notify_mode = mode;
	memset(&notify_gate, 0, sizeof notify_gate);
	return mode;
}

void notify_shutdown(void)
{
	if (notify_inited)
		notify_uninit();
	notify_inited = false;
}

bool notify_gate_pass(struct notify_gate *g, int64_t now_ms)
{
	if (g->any && now_ms - g->last_ms < NOTIFY_QUIET_MS) {
		g->held++;
		return false;
	}
	g->any = true;
	g->last_ms = now_ms;
	return true;
}

bool notify_post(const char *title, const char *body, int64_t now_ms)
{
	char t[256], b[1024];
	unsigned held;

	if (notify_mode == NOTIFY_OFF)
		return false;
	held = notify_gate.held;
	if (!notify_gate_pass(&notify_gate, now_ms))
		return false;
	notify_gate.held = 0;
	text_sanitize(title, strlen(title), t, sizeof t);
	if (held)
		snprintf(b, sizeof b, _("%s (and %u more)"), body, held);
	else
		snprintf(b, sizeof b, "%s", body);
	switch (notify_mode) {
	case NOTIFY_DESKTOP: {
		char sb[1024];
		char *mb;
		NotifyNotification *n;
		GError *err = NULL;
		text_sanitize(b, strlen(b), sb, sizeof sb);
		mb = notify_markup ? g_markup_escape_text(sb, -1) : g_strdup(sb);
		n = notify_notification_new(t, mb, NULL);
		g_free(mb);
		notify_notification_set_urgency(n, NOTIFY_URGENCY_CRITICAL);
		if (!notify_notification_show(n, &err)) {
			/* The desktop went away: the bell still works. */
			g_clear_error(&err);
			beep();
		}
		g_object_unref(G_OBJECT(n));
		break;
	}
	case NOTIFY_FLASH:
		flash();
		break;
	case NOTIFY_BELL:
		beep();
		break;
	default:
		break;
	}
	return true;
}
