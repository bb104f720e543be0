/* i18n.c — locale and message catalogue set-up. */
#include "xiaoan/i18n.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#ifndef XIAOAN_LOCALEDIR
#define XIAOAN_LOCALEDIR "/usr/local/share/locale"
#endif

/* When run from the build tree (build/xiaoan next to build/locale) the
 * freshly compiled catalogue wins over an installed, possibly older one. */
static const char *i18n_dir(const char *argv0, char *buf, size_t n)
{
	struct stat st;
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;

	if (!slash)
		return XIAOAN_LOCALEDIR;
	int len = snprintf(buf, n, "%.*s/locale", (int)(slash - argv0), argv0);
	if (len < 0 || (size_t)len >= n || stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
		return XIAOAN_LOCALEDIR;
	return buf;
}

void i18n_init(const char *argv0)
{
	static char dir[PATH_MAX];

	setlocale(LC_ALL, "");
	bindtextdomain("xiaoan", i18n_dir(argv0, dir, sizeof dir));
	bind_textdomain_codeset("xiaoan", "UTF-8");
	textdomain("xiaoan");
}
