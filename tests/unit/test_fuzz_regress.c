/* test_fuzz_regress.c — replays tests/fuzz/regress/<harness>/ (inputs that
 * once crashed a fuzz harness or broke one of its properties) and the seed
 * corpora tests/fuzz/corpus/<harness>/ through the harnesses themselves,
 * so every crash found by `make fuzz` stays fixed under `make check`,
 * sanitizer build included. Files are read from $XIAOAN_SRCDIR (default:
 * the current directory, the top of the tree under make check). */
#define FUZZ_REGRESS 1

#include <dirent.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../fuzz/fuzz.h"

/* The input being replayed, named in failures. */
static char fuzz_current[4096];

void fuzz_fail(const char *file, int line, const char *what)
{
	fail_msg("%s: property broken at %s:%d: %s", fuzz_current, file, line, what);
}

#include "../fuzz/fuzz_alert.c"
#include "../fuzz/fuzz_conf.c"
#include "../fuzz/fuzz_keymap.c"
#include "../fuzz/fuzz_proto.c"
#include "../fuzz/fuzz_text.c"
#include "../fuzz/fuzz_theme.c"
#include "../fuzz/fuzz_xjson.c"

#define FUZZ_REGRESS_MAX_INPUT (1024 * 1024)

struct fuzz_harness {
	const char *name;
	void (*run)(const uint8_t *data, size_t size);
};

static const char *fuzz_srcdir(void)
{
	const char *d = getenv("XIAOAN_SRCDIR");
	return d && *d ? d : ".";
}

static uint8_t *fuzz_read(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = xmalloc(FUZZ_REGRESS_MAX_INPUT);

	if (!f)
		fail_msg("%s: cannot open", path);
	*size = fread(buf, 1, FUZZ_REGRESS_MAX_INPUT, f);
	if (ferror(f) || !feof(f))
		fail_msg("%s: read error or larger than %d bytes", path, FUZZ_REGRESS_MAX_INPUT);
	fclose(f);
	return buf;
}

static int fuzz_is_input(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Replays every file of <srcdir>/tests/fuzz/<kind>/<harness>; returns how
 * many there were (0 when the folder does not exist). */
static int fuzz_replay(const struct fuzz_harness *h, const char *kind)
{
	char dir[2048];
	struct dirent **names;

	snprintf(dir, sizeof dir, "%s/tests/fuzz/%s/%s", fuzz_srcdir(), kind, h->name);
	int n = scandir(dir, &names, fuzz_is_input, alphasort);
	if (n < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		size_t size;
		snprintf(fuzz_current, sizeof fuzz_current, "%s/%s", dir, names[i]->d_name);
		uint8_t *data = fuzz_read(fuzz_current, &size);
		h->run(data, size);
		free(data);
		free(names[i]);
	}
	free(names);
	return n;
}

static void test_harness(void **state)
{
	const struct fuzz_harness *h = *state;

	int seeds = fuzz_replay(h, "corpus");
	if (seeds == 0)
		fail_msg("no seed corpus in %s/tests/fuzz/corpus/%s (set XIAOAN_SRCDIR to the source tree)",
			 fuzz_srcdir(), h->name);
	fuzz_replay(h, "regress");
}

static const struct fuzz_harness fuzz_harnesses[] = {
	{ "alert", fuzz_alert }, { "conf", fuzz_conf },   { "keymap", fuzz_keymap }, { "proto", fuzz_proto },
	{ "text", fuzz_text },   { "theme", fuzz_theme }, { "xjson", fuzz_xjson },
};

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8")) {
		fprintf(stderr, "test_fuzz_regress: the C.UTF-8 locale is missing\n");
		return 1;
	}
	/* One test per harness, named after it. */
	struct CMUnitTest tests[XA_ARRAY_LEN(fuzz_harnesses)];
	for (size_t i = 0; i < XA_ARRAY_LEN(fuzz_harnesses); i++)
		tests[i] = (struct CMUnitTest){ fuzz_harnesses[i].name, test_harness, NULL, NULL,
						(void *)&fuzz_harnesses[i] };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
