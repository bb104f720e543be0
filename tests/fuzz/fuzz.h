/* fuzz.h — shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c, built by
 * scripts/fuzz.sh) and by tests/unit/test_fuzz_regress.c, which includes the
 * harness sources with FUZZ_REGRESS defined and replays the saved inputs
 * through the same functions under cmocka.
 *
 * Each harness is one `static void fuzz_<name>(const uint8_t *, size_t)`
 * followed by FUZZ_ENTRY(fuzz_<name>). Properties are checked with
 * FUZZ_CHECK: libFuzzer only keeps an input that crashes, so a broken
 * property aborts; in the regression test it is a cmocka failure instead. */
#ifndef XIAOAN_FUZZ_H
#define XIAOAN_FUZZ_H

#include <locale.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/util.h"

#ifdef FUZZ_REGRESS
/* Defined by the regression test: reports the input file and fails. */
void fuzz_fail(const char *file, int line, const char *what);
#else
XA_NORETURN static void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: property violated: %s\n", file, line, what);
	abort();
}
#endif

#define FUZZ_CHECK(cond)                                          \
	do {                                                      \
		if (!(cond))                                      \
			fuzz_fail(__FILE__, __LINE__, #cond);     \
	} while (0)

/* The parsers that take C strings get the input up to its first NUL, as
 * they would from a file read into a string. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* True when s (NUL-terminated within n bytes) is; guards fixed buffers. */
static inline int fuzz_terminated(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

#ifdef FUZZ_REGRESS
#define FUZZ_ENTRY(fn)
#else
/* Widths come from wcwidth(): the programs run under a UTF-8 LC_CTYPE, and
 * C.UTF-8 is the one locale every Debian machine has. */
#define FUZZ_ENTRY(fn)                                                       \
	int LLVMFuzzerInitialize(int *argc, char ***argv);                   \
	int LLVMFuzzerInitialize(int *argc, char ***argv)                    \
	{                                                                    \
		(void)argc;                                                  \
		(void)argv;                                                  \
		if (!setlocale(LC_ALL, "C.UTF-8")) {                         \
			fprintf(stderr, "fuzz: the C.UTF-8 locale is missing\n"); \
			abort();                                             \
		}                                                            \
		return 0;                                                    \
	}                                                                    \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);        \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)         \
	{                                                                    \
		fn(data, size);                                              \
		return 0;                                                    \
	}
#endif

#endif
