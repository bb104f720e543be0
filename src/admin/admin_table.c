#include "xiaoan/admin_table.h"

#include <stdlib.h>
#include <string.h>

#include "xiaoan/text.h"
#include "xiaoan/util.h"

static void admin_table_row(struct admin_table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = xrealloc(t->cells, t->cap * t->ncols * sizeof(*t->cells));
	}
	for (size_t c = 0; c < t->ncols; c++) {
		char *s = text_sanitize_dup(cells[c] ? cells[c] : "");
		int w = text_width(s);

		t->cells[t->nrows * t->ncols + c] = s;
		if (w > t->width[c])
			t->width[c] = w;
	}
	t->nrows++;
}

void admin_table_init(struct admin_table *t, size_t ncols, const char *const *headers)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->width = xcalloc(ncols, sizeof(*t->width));
	admin_table_row(t, headers);
}

void admin_table_add(struct admin_table *t, const char *const *cells)
{
	admin_table_row(t, cells);
}

void admin_table_print(const struct admin_table *t, FILE *f)
{
	for (size_t r = 0; r < t->nrows; r++) {
		size_t last = t->ncols;

		/* Trailing empty cells would only print blanks. */
		while (last > 0 && !*t->cells[r * t->ncols + last - 1])
			last--;
		for (size_t c = 0; c < last; c++) {
			const char *s = t->cells[r * t->ncols + c];

			fputs(s, f);
			if (c + 1 < last)
				fprintf(f, "%*s", t->width[c] - text_width(s) + 2, "");
		}
		fputc('\n', f);
	}
}

void admin_table_free(struct admin_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->width);
	memset(t, 0, sizeof(*t));
}
