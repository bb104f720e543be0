/* notify.h — telling the officer something needs them: a desktop
 * notification where a desktop session answers, else the terminal bell or
 * a flash. Storm-limited: at most one notice per NOTIFY_QUIET_MS; what
 * arrives during the quiet time is folded into the next notice's count. */
#ifndef XIAOAN_NOTIFY_H
#define XIAOAN_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#define NOTIFY_QUIET_MS 10000

enum notify_mode { NOTIFY_AUTO, NOTIFY_DESKTOP, NOTIFY_BELL, NOTIFY_FLASH, NOTIFY_OFF };

/* "auto", "desktop", "bell", "flash", "off"; -1 if none. */
int notify_mode_parse(const char *s);

/* Resolve the mode (auto and desktop fall back to the bell when no
 * notification server answers). Returns the mode in force. */
enum notify_mode notify_setup(enum notify_mode mode);
void notify_shutdown(void);

/* Storm gate, pure: true when a notice may go out at now_ms; otherwise the
 * event is counted into *held. */
struct notify_gate {
	int64_t last_ms;
	bool any;
	unsigned held;
};
bool notify_gate_pass(struct notify_gate *g, int64_t now_ms);

/* Notify (title and body are plain UTF-8; they are sanitised). Returns true
 * when something was emitted, false when the storm gate held it back. */
bool notify_post(const char *title, const char *body, int64_t now_ms);

#endif
