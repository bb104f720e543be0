/* fuzz_text.c — the display sanitiser, the last thing between data and the
 * terminal. text_sanitize() must always produce valid UTF-8 with no C0, C1
 * or bidi control (text_is_clean), one output character per input
 * character, idempotently, cutting only at character boundaries when the
 * buffer is small. text_fit() must never exceed its column budget nor split
 * a character: its output is clean, its content a prefix of the sanitised
 * text, padded to exactly cols when asked or truncated, and it reports the
 * width it wrote. */
#include "fuzz.h"

#include <stdbool.h>
#include <string.h>

#include "xiaoan/text.h"

#define FUZZ_TEXT_FLAGS (TEXT_ELLIPSIS | TEXT_PAD | TEXT_RIGHT)

static size_t fuzz_text_chars(const char *s, size_t len)
{
	return text_codepoints(s, len);
}

/* Sanitise into a buffer of outsz bytes, with a guard byte after it. */
static char *fuzz_text_sanitize(const char *in, size_t len, size_t outsz, size_t *n)
{
	char *out = xmalloc(outsz + 1);

	out[outsz] = 'G';
	*n = text_sanitize(in, len, out, outsz);
	FUZZ_CHECK(out[outsz] == 'G');
	if (outsz == 0) {
		FUZZ_CHECK(*n == 0);
		return out;
	}
	FUZZ_CHECK(*n < outsz && out[*n] == '\0' && strlen(out) == *n);
	FUZZ_CHECK(text_is_clean(out, *n));
	return out;
}

static void fuzz_text_sanitize_all(const char *in, size_t len, char **full, size_t *full_len)
{
	size_t n;
	char *out = fuzz_text_sanitize(in, len, len * 3 + 1, &n);

	/* Nothing dropped: each input character (or invalid sequence) is
	 * exactly one character of output. */
	FUZZ_CHECK(fuzz_text_chars(out, n) == fuzz_text_chars(in, len));
	/* Measuring raw or sanitised text gives the same columns. */
	FUZZ_CHECK(text_width(out) == text_width_n(in, len));

	size_t n2;
	char *again = fuzz_text_sanitize(out, n, n + 1, &n2);
	FUZZ_CHECK(n2 == n && memcmp(again, out, n) == 0);
	free(again);

	/* Small buffers: a prefix of the full output, whole characters. */
	size_t sizes[] = { 0, 1, 2, 3, 4, 5, n / 2 + 1, n };
	for (size_t i = 0; i < XA_ARRAY_LEN(sizes); i++) {
		char *part = fuzz_text_sanitize(in, len, sizes[i], &n2);
		FUZZ_CHECK(n2 <= n && memcmp(part, out, n2) == 0);
		if (sizes[i] > 0 && sizes[i] >= n + 1)
			FUZZ_CHECK(n2 == n);
		else if (sizes[i] > 4)
			FUZZ_CHECK(n2 + 4 > sizes[i] - 1);
		free(part);
	}
	*full = out;
	*full_len = n;
}

static bool fuzz_text_prefix(const char *full, size_t full_len, const char *s, size_t len)
{
	return len <= full_len && memcmp(full, s, len) == 0;
}

/* text_fit and text_fit_width into outsz bytes (guarded); the common
 * checks. Returns the output (malloc'd) and its length in *n. */
static char *fuzz_text_fit_into(const char *in, int cols, int flags, size_t outsz, size_t *n, int *w)
{
	char *out = xmalloc(outsz + 1), *out2 = xmalloc(outsz + 1);

	out[outsz] = out2[outsz] = 'G';
	*n = text_fit(in, cols, flags, out, outsz);
	*w = text_fit_width(in, cols, flags, out2, outsz);
	FUZZ_CHECK(out[outsz] == 'G' && out2[outsz] == 'G');
	if (outsz == 0) {
		FUZZ_CHECK(*n == 0 && *w == 0);
	} else {
		FUZZ_CHECK(*n < outsz && out[*n] == '\0' && strlen(out) == *n);
		FUZZ_CHECK(strcmp(out, out2) == 0);
		FUZZ_CHECK(text_is_clean(out, *n));
		FUZZ_CHECK(*w == text_width(out));
		FUZZ_CHECK(*w <= (cols > 0 ? cols : 0));
	}
	free(out2);
	return out;
}

static void fuzz_text_fit(const char *in, const char *san, size_t san_len, int cols, int flags,
			  size_t small)
{
	bool truncated = cols > 0 && text_width(in) > cols;
	bool ellipsis = truncated && (flags & TEXT_ELLIPSIS);
	/* 4 bytes per column is more than any character or pad needs. */
	size_t roomy = san_len + 4 * (size_t)(cols > 0 ? cols : 0) + 8;
	size_t n, el = strlen(TEXT_ELLIPSIS_STR);
	int w;
	char *out = fuzz_text_fit_into(in, cols, flags, roomy, &n, &w);

	if (cols > 0 && (truncated || (flags & (TEXT_PAD | TEXT_RIGHT))))
		FUZZ_CHECK(w == cols);
	if (cols > 0 && !truncated && !(flags & (TEXT_PAD | TEXT_RIGHT))) {
		FUZZ_CHECK(n == san_len && memcmp(out, san, n) == 0);
	}

	/* Take the padding and our ellipsis off: what is left is the start of
	 * the sanitised text (left-padded, less its own leading blanks). */
	size_t end = n, start = 0;
	if (!(flags & TEXT_RIGHT))
		while (end > 0 && out[end - 1] == ' ')
			end--;
	if (ellipsis) {
		FUZZ_CHECK(end >= el && memcmp(out + end - el, TEXT_ELLIPSIS_STR, el) == 0);
		end -= el;
	}
	if (flags & TEXT_RIGHT) {
		size_t lead = strspn(san, " ");
		while (start < end && out[start] == ' ')
			start++;
		FUZZ_CHECK(fuzz_text_prefix(san + lead, san_len - lead, out + start, end - start));
	} else {
		FUZZ_CHECK(fuzz_text_prefix(san, san_len, out, end));
	}

	/* A small buffer: the same output cut at a character boundary. */
	size_t sn;
	char *part = fuzz_text_fit_into(in, cols, flags, small, &sn, &w);
	FUZZ_CHECK(sn <= n && memcmp(part, out, sn) == 0);
	free(part);
	free(out);
}

static void fuzz_text(const uint8_t *data, size_t size)
{
	char *in = fuzz_cstr(data, size);
	size_t len = strlen(in);
	char *san;
	size_t san_len;

	fuzz_text_sanitize_all((const char *)data, size, &san, &san_len);
	free(san);
	/* text_fit takes C strings: from here on, the input up to a NUL. */
	fuzz_text_sanitize_all(in, len, &san, &san_len);

	int width = text_width(in);
	int cols_set[] = { -1, 0, 1, 2, 3, size ? data[0] % 80 : 7, width - 1, width, width + 1 };
	size_t small = size ? data[size - 1] % 24 : 0;
	for (size_t c = 0; c < XA_ARRAY_LEN(cols_set); c++)
		for (int flags = 0; flags <= FUZZ_TEXT_FLAGS; flags++)
			fuzz_text_fit(in, san, san_len, cols_set[c], flags, small);
	free(san);
	free(in);
}

FUZZ_ENTRY(fuzz_text)
