#include "cmd/timeline_term.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/out.h"

#define LABEL_MIN 8
#define LABEL_MAX 24
#define COLS_MIN 10

static const char glyph[TL_NSTATES] = {' ', '#', '+', '.'};
static const char *const fg[TL_NSTATES] = {"", "\033[32m", "\033[33m", "\033[31m"};
static const char *const label_colors[TL_NSTATES] = {"\033[1m", "\033[30;42m", "\033[30;43m",
						     "\033[30;41m"};
#define RESET "\033[0m"

#define SAMPLED_GLYPH '*' /* running, and a CPU sample was taken */

struct cell {
	enum tl_state st;
	bool sampled;
	char text[5]; /* a span label's character (UTF-8), "" for the glyph */
};

/* Bytes of the UTF-8 character at s (text_plain_dup made it valid). */
static size_t char_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

static size_t char_count(const char *s)
{
	size_t n = 0;
	for (; *s; s += char_len(s))
		n++;
	return n;
}

/* Write s into cells [c, c + n), at most n characters; the last one '~' if cut. */
static void put_text(struct cell *cells, size_t c, size_t n, const char *s)
{
	size_t len = char_count(s);
	for (size_t i = 0; i < n && *s; i++, c++) {
		size_t k = char_len(s);
		if (i == n - 1 && len > n) {
			strcpy(cells[c].text, "~");
		} else {
			memcpy(cells[c].text, s, k);
			cells[c].text[k] = '\0';
		}
		s += k;
	}
}

static int by_length_desc(const void *a, const void *b)
{
	const struct tl_span *x = *(const struct tl_span *const *)a;
	const struct tl_span *y = *(const struct tl_span *const *)b;
	int64_t dx = x->end - x->start, dy = y->end - y->start;
	return dx < dy ? 1 : dx > dy ? -1 : 0;
}

/* Span names over the cells, longest spans first, never over another name
 * nor touching one. */
static void place_labels(const struct tl_row *r, struct cell *cells, size_t cols, int64_t from,
			 double col_ns)
{
	const struct tl_span **order = malloc(r->n_spans * sizeof *order);
	if (!order)
		return;
	for (size_t i = 0; i < r->n_spans; i++)
		order[i] = &r->spans[i];
	qsort(order, r->n_spans, sizeof *order, by_length_desc);
	for (size_t i = 0; i < r->n_spans; i++) {
		double a = (double)(order[i]->start - from) / col_ns;
		double b = (double)(order[i]->end - from) / col_ns;
		if (a < 0)
			a = 0;
		if (b > (double)cols)
			b = (double)cols;
		size_t c0 = (size_t)a, c1 = (size_t)b; /* cells [c0, c1) */
		if (c1 <= c0 || c1 - c0 < 3)
			break; /* the rest are shorter still */
		bool free_cells = true;
		for (size_t c = c0 ? c0 - 1 : 0; c < c1 + 1 && c < cols; c++)
			if (cells[c].text[0])
				free_cells = false;
		if (free_cells)
			put_text(cells, c0, c1 - c0, order[i]->name);
	}
	free(order);
}

static void put_cell(const struct cell *c, bool color)
{
	if (c->text[0]) {
		if (color)
			out_str(label_colors[c->st]);
		out_str(c->text);
		if (color)
			out_str(RESET);
		return;
	}
	char ch = c->sampled ? SAMPLED_GLYPH : glyph[c->st];
	if (color && c->st != TL_IDLE) {
		out_str(fg[c->st]);
		out_char(ch);
		out_str(RESET);
	} else {
		out_char(ch);
	}
}

static void put_label(const char *label, size_t width)
{
	size_t n = char_count(label);
	const char *s = label;
	for (size_t i = 0; i < width; i++) {
		if (i < n && !(i == width - 1 && n > width)) {
			size_t k = char_len(s);
			out_write(s, k);
			s += k;
		} else {
			out_char(i < n ? '~' : ' ');
		}
	}
}

/* "|0        |1.25 ms   |2.5 ms" over the cells. */
static void put_axis(size_t label_w, size_t cols, int64_t from, double col_ns)
{
	char *line = malloc(cols + 1);
	if (!line)
		return;
	memset(line, ' ', cols);
	line[cols] = '\0';
	size_t step = cols >= 48 ? cols / 6 : cols / 3;
	if (step < 12)
		step = 12;
	for (size_t c = 0; c + 2 < cols; c += step) {
		char t[32];
		tl_fmt_time(from + (int64_t)((double)c * col_ns), t);
		line[c] = '|';
		size_t n = strlen(t);
		if (c + 1 + n <= cols)
			memcpy(line + c + 1, t, n);
	}
	put_label("time", label_w);
	out_char(' ');
	out_str(line);
	out_char('\n');
	free(line);
}

void tl_render_term(const struct tl_grid *g, int width, bool color)
{
	size_t label_w = LABEL_MIN;
	for (size_t i = 0; i < g->n_rows; i++) {
		size_t n = char_count(g->rows[i].label);
		if (n > label_w)
			label_w = n;
	}
	if (label_w > LABEL_MAX)
		label_w = LABEL_MAX;
	size_t cols = width > (int)(label_w + 1 + COLS_MIN) ? (size_t)width - label_w - 1 : COLS_MIN;
	int64_t from, to;
	tl_grid_range(g, &from, &to);
	double col_ns = (double)(to - from) / (double)cols;
	struct cell *cells = calloc(cols, sizeof *cells);
	if (!cells)
		return;
	put_axis(label_w, cols, from, col_ns);
	for (size_t i = 0; i < g->n_rows; i++) {
		const struct tl_row *r = &g->rows[i];
		for (size_t c = 0; c < cols; c++) {
			const char *reason;
			int64_t t0 = from + (int64_t)((double)c * col_ns);
			int64_t t1 = from + (int64_t)((double)(c + 1) * col_ns);
			cells[c] = (struct cell){.st = tl_grid_at(g, r, t0, t1, &reason)};
			/* idle: a thread the trace only knows from its samples */
			cells[c].sampled = g->any_samples &&
					   (cells[c].st == TL_RUNNING || cells[c].st == TL_IDLE) &&
					   tl_grid_samples(g, r, t0, t1) > 0;
		}
		place_labels(r, cells, cols, from, col_ns);
		put_label(r->label, label_w);
		out_char(' ');
		for (size_t c = 0; c < cols; c++)
			put_cell(&cells[c], color);
		out_char('\n');
	}
	free(cells);
	char t[32];
	tl_fmt_time((int64_t)col_ns, t);
	for (int s = TL_RUNNING; s < TL_NSTATES; s++) {
		struct cell c = {.st = (enum tl_state)s};
		put_cell(&c, color);
		out_printf(" %s  ", tl_state_name((enum tl_state)s));
	}
	if (g->any_samples) {
		struct cell c = {.st = TL_RUNNING, .sampled = true};
		put_cell(&c, color);
		out_str(" on cpu (sampled)  ");
	}
	out_printf("(blank: idle)  column: %s\n", t);
}
