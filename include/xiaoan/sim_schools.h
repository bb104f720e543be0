/* sim_schools.h — the schools xiaoan-sim sends alerts from: read from the
 * database (xiaoan.school joined with xiaoan.unit), from a file, or the
 * built-in S001..S120. */
#ifndef XIAOAN_SIM_SCHOOLS_H
#define XIAOAN_SIM_SCHOOLS_H

#include <stddef.h>

#include "xiaoan/sim_model.h"

/* One line of a schools file: "CODE|NAME|KIND|BOARDING" (psql -At output
 * of SELECT code, name, kind, boarding), fields also separable by a tab;
 * KIND and BOARDING (t/f, true/false, yes/no, 1/0) are optional (primary,
 * day school). Returns 1 with *s filled, 0 for a blank or '#' line, -1 with
 * err on a bad line. */
int sim_schools_parse_line(const char *line, struct sim_school *s, char *err, size_t errlen);

/* Each returns 0 with *out (malloc'd) and *n >= 1, or -1 with err. */
int sim_schools_load_file(const char *path, struct sim_school **out, size_t *n, char *err, size_t errlen);

/* Also reads the district's UTC offset (xiaoan.clock()) into *utc_offset. */
int sim_schools_load_db(const char *conninfo, struct sim_school **out, size_t *n, int *utc_offset, char *err,
			size_t errlen);

/* S001..S120 with generic names; kinds and boarding spread like the
 * reference district's. */
void sim_schools_builtin(struct sim_school **out, size_t *n);

#endif
