#include "xiaoan/layout.h"

#include "xiaoan/text.h"

static int layout_need(const struct layout_col *cols, size_t n)
{
	int need = 0, shown = 0;

	for (size_t i = 0; i < n; i++) {
		if (cols[i].w < 0)
			continue;
		need += cols[i].min;
		shown++;
	}
	return need + (shown > 0 ? shown - 1 : 0);
}

int layout_fit(struct layout_col *cols, size_t n, int width)
{
	int spare, x = 0, sumw, given;

	/* w < 0 marks a dropped column while fitting. */
	for (size_t i = 0; i < n; i++)
		cols[i].w = 0;
	for (size_t i = n; i-- > 0 && layout_need(cols, n) > width;)
		if (cols[i].flags & LAYOUT_OPTIONAL)
			cols[i].w = -1;
	for (size_t i = 0; i < n; i++)
		if (cols[i].w == 0)
			cols[i].w = cols[i].min;
	spare = width - layout_need(cols, n);
	/* Hand out the spare width by weight, in rounds, so a column that
	 * reaches its max passes the rest on. */
	while (spare > 0) {
		sumw = 0;
		for (size_t i = 0; i < n; i++)
			if (cols[i].w >= 0 && cols[i].weight > 0 && (cols[i].max == 0 || cols[i].w < cols[i].max))
				sumw += cols[i].weight;
		if (sumw == 0)
			break;
		given = 0;
		for (size_t i = 0; i < n && spare > 0; i++) {
			struct layout_col *c = &cols[i];
			int add;
			if (c->w < 0 || c->weight <= 0 || (c->max && c->w >= c->max))
				continue;
			add = spare * c->weight / sumw;
			if (add < 1)
				add = 1;
			if (c->max && c->w + add > c->max)
				add = c->max - c->w;
			if (add > spare)
				add = spare;
			c->w += add;
			spare -= add;
			given += add;
		}
		if (given == 0)
			break;
	}
	for (size_t i = 0; i < n; i++) {
		if (cols[i].w < 0) {
			cols[i].w = 0;
			cols[i].x = x;
			continue;
		}
		cols[i].x = x;
		x += cols[i].w + 1;
	}
	return x > 0 ? x - 1 : 0;
}

size_t layout_cell(const char *text, int w, int flags, char *out, size_t outsz)
{
	int f = TEXT_PAD | TEXT_ELLIPSIS;

	if (flags & LAYOUT_RIGHT)
		f |= TEXT_RIGHT;
	if (w <= 0) {
		if (outsz)
			out[0] = '\0';
		return 0;
	}
	return text_fit(text ? text : "", w, f, out, outsz);
}

bool layout_move(long *cur, long n, long h, enum action a)
{
	long c = *cur;

	switch (a) {
	case ACTION_MOVE_UP:
		c--;
		break;
	case ACTION_MOVE_DOWN:
		c++;
		break;
	case ACTION_PAGE_UP:
		c -= h;
		break;
	case ACTION_PAGE_DOWN:
		c += h;
		break;
	case ACTION_MOVE_FIRST:
		c = 0;
		break;
	case ACTION_MOVE_LAST:
		c = n - 1;
		break;
	default:
		return false;
	}
	if (c >= n)
		c = n - 1;
	if (c < 0)
		c = 0;
	*cur = c;
	return true;
}
