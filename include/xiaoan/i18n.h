#ifndef XIAOAN_I18N_H
#define XIAOAN_I18N_H
/* User-visible text goes through gettext (domain "xiaoan"); English is the
 * base, po/zh_CN.po the Chinese catalogue. */
#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

/* setlocale(LC_ALL, "") and bind the catalogue: the build tree's
 * build/locale when run from it (argv0's folder), else the installed one. */
void i18n_init(const char *argv0);

#endif
