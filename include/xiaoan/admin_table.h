/* admin_table.h — aligned plain-text tables for xiaoan-admin's listings.
 * Columns are aligned by display width (CJK names take two columns each)
 * and every cell is sanitised: data from the database never reaches the
 * terminal as control characters. */
#ifndef XIAOAN_ADMIN_TABLE_H
#define XIAOAN_ADMIN_TABLE_H

#include <stdio.h>

struct admin_table {
	size_t ncols, nrows, cap;
	char **cells; /* nrows x ncols, row 0 = the header */
	int *width;   /* display width of each column */
};

/* A table with these headers (ncols of them). */
void admin_table_init(struct admin_table *t, size_t ncols, const char *const *headers);

/* Appends a row of ncols cells (NULL = empty); cells are copied. */
void admin_table_add(struct admin_table *t, const char *const *cells);

/* Writes header and rows, columns separated by two spaces, no trailing
 * blanks. */
void admin_table_print(const struct admin_table *t, FILE *f);

void admin_table_free(struct admin_table *t);

#endif
