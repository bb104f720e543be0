/* detfmt.h — a case's details (a JSON object) as lines a person reads, one
 * "label: value" per member instead of the JSON text. Pure: no terminal, no
 * database.
 *
 * A member named in the label table shows its label (a msgid, gettext'd
 * here); any other shows its own name. Nested objects are flattened with
 * dotted names ("camera.id"), arrays of plain values are joined with ", ",
 * arrays holding objects or arrays give one entry per element ("items.1",
 * "items.2.name"). Labels and values are sanitised (text_sanitize): no
 * control character, bidi mark or invalid UTF-8 of the data survives. */
#ifndef XIAOAN_DETFMT_H
#define XIAOAN_DETFMT_H

#include <stdbool.h>
#include <stddef.h>

struct detfmt_label {
	const char *key;   /* member name; dotted for a nested member */
	const char *label; /* msgid */
};

/* The members hazard_open stores (sql/migrations/005_supervision.sql). */
extern const struct detfmt_label detfmt_hazard_labels[];
extern const size_t detfmt_hazard_nlabels;

struct detfmt_line {
	char *key;   /* the dotted member name, as the data has it (sanitised) */
	char *label; /* what to show for it */
	char *value;
};

struct detfmt {
	struct detfmt_line *line;
	size_t n;
};

/* Parses json (NUL-terminated) into out: the labelled members first, in
 * the table's order, then the others in the document's. False (out empty)
 * when json is not a JSON object; the caller then shows it as text. An
 * empty object gives no line. */
bool detfmt_parse(const char *json, const struct detfmt_label *labels, size_t nlabels, struct detfmt *out);

/* Frees the lines and empties d (safe on an empty or zeroed d). */
void detfmt_free(struct detfmt *d);

#endif
