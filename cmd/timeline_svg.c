#include "cmd/timeline_svg.h"

#include <stdio.h>
#include <string.h>

#include "cmd/svg.h"

#define WIDTH 1200.0
#define LABEL_W 180.0
#define MARGIN 10.0
#define LINE_H 16.0
#define STATE_H 12.0
#define SPAN_H 10.0
#define ROW_H (STATE_H + SPAN_H + 6.0)
#define AXIS_H 24.0
#define PLOT_W (WIDTH - LABEL_W - 2 * MARGIN)
#define PX 1 /* pixels per resampled column */

static const char *const fill[TL_NSTATES] = {"none", "#43a047", "#fbc02d", "#e53935"};
#define SPAN_FILL "#5c6bc0c0" /* translucent: overlapping spans show */
#define SAMPLE_FILL "#1b5e20"   /* CPU samples: ticks on the state bar */
#define SAMPLE_H 4.0

static void state_title(enum tl_state st, const char *reason, int64_t t0, int64_t t1, char *out,
			size_t n)
{
	char a[32], b[32];
	tl_fmt_time(t0, a);
	tl_fmt_time(t1, b);
	if (reason)
		snprintf(out, n, "%s (%s): %s to %s", tl_state_name(st), reason, a, b);
	else
		snprintf(out, n, "%s: %s to %s", tl_state_name(st), a, b);
}

static void draw_states(const struct tl_grid *g, const struct tl_row *r, double y, int64_t from,
			double px_ns)
{
	size_t cols = (size_t)PLOT_W / PX;
	size_t run = 0;
	const char *run_reason = NULL;
	enum tl_state run_st = TL_IDLE;
	for (size_t c = 0; c <= cols; c++) {
		const char *reason = NULL;
		enum tl_state st = TL_IDLE;
		if (c < cols)
			st = tl_grid_at(g, r, from + (int64_t)((double)c * px_ns),
					from + (int64_t)((double)(c + 1) * px_ns), &reason);
		if (c > 0 && c < cols && st == run_st && reason == run_reason)
			continue;
		if (c > 0 && run_st != TL_IDLE) {
			char title[512];
			state_title(run_st, run_reason, from + (int64_t)((double)run * px_ns),
				    from + (int64_t)((double)c * px_ns), title, sizeof title);
			svg_rect(LABEL_W + MARGIN + (double)(run * PX), y, (double)((c - run) * PX),
				 STATE_H, fill[run_st], title);
		}
		run = c;
		run_st = st;
		run_reason = reason;
	}
}

/* A tick per pixel column where CPU samples were taken. */
static void draw_samples(const struct tl_grid *g, const struct tl_row *r, double y, int64_t from,
			 double px_ns)
{
	size_t cols = (size_t)PLOT_W / PX;
	for (size_t c = 0; c < cols; c++) {
		int64_t t0 = from + (int64_t)((double)c * px_ns), t1 = from + (int64_t)((double)(c + 1) * px_ns);
		uint64_t n = tl_grid_samples(g, r, t0, t1);
		if (!n)
			continue;
		char title[96], a[32];
		tl_fmt_time(t0, a);
		snprintf(title, sizeof title, "%llu cpu sample%s at %s", (unsigned long long)n,
			 n == 1 ? "" : "s", a);
		svg_rect(LABEL_W + MARGIN + (double)(c * PX), y, PX, SAMPLE_H, SAMPLE_FILL, title);
	}
}

static void draw_spans(const struct tl_row *r, double y, int64_t from, int64_t to, double px_ns)
{
	for (size_t i = 0; i < r->n_spans; i++) {
		const struct tl_span *s = &r->spans[i];
		int64_t a = s->start > from ? s->start : from, b = s->end < to ? s->end : to;
		double x = LABEL_W + MARGIN + (double)(a - from) / px_ns * PX;
		double w = (double)(b - a) / px_ns * PX;
		if (w < 1)
			continue;
		char t0[32], d[32], title[512];
		tl_fmt_time(s->start, t0);
		tl_fmt_time(s->end - s->start, d);
		snprintf(title, sizeof title, "%s: at %s for %s", s->name, t0, d);
		svg_rect(x, y, w, SPAN_H, SPAN_FILL, title);
		if (w >= 24)
			svg_text_clipped(x, y, w, SPAN_H, 8, s->name);
	}
}

static void draw_axis(double y, int64_t from, int64_t to)
{
	double x0 = LABEL_W + MARGIN;
	svg_line(x0, y, x0 + PLOT_W, y, "black");
	for (int i = 0; i <= 8; i++) {
		double x = x0 + PLOT_W * i / 8;
		char t[32];
		tl_fmt_time(from + (int64_t)((double)(to - from) * i / 8), t);
		svg_line(x, y - 4, x, y, "black");
		svg_text(x, y - 6, i == 0 ? "start" : i == 8 ? "end" : "middle", 10, t);
	}
}

static void draw_legend(double y, bool samples)
{
	static const char *const names[] = {"running", "runnable", "blocked", "span", "cpu sample"};
	const char *fills[] = {fill[TL_RUNNING], fill[TL_RUNNABLE], fill[TL_BLOCKED], SPAN_FILL,
			       SAMPLE_FILL};
	double x = LABEL_W + MARGIN;
	for (int i = 0; i < (samples ? 5 : 4); i++) {
		svg_rect(x, y, 12, 12, fills[i], NULL);
		svg_text(x + 16, y + 10, "start", 11, names[i]);
		x += 110;
	}
	svg_text(x, y + 10, "start", 11, "blank: idle or not traced");
}

void tl_render_svg(const struct tl_grid *g, const char *const *header, size_t n_header)
{
	int64_t from, to;
	tl_grid_range(g, &from, &to);
	double px_ns = (double)(to - from) / (PLOT_W / PX);
	double top = MARGIN + LINE_H * (double)n_header + AXIS_H;
	double height = top + ROW_H * (double)g->n_rows + 3 * LINE_H;
	svg_begin(WIDTH, height);
	for (size_t i = 0; i < n_header; i++)
		svg_text(MARGIN, MARGIN + LINE_H * (double)(i + 1) - 4, "start", 12, header[i]);
	draw_axis(top - 2, from, to);
	for (size_t i = 0; i < g->n_rows; i++) {
		const struct tl_row *r = &g->rows[i];
		double y = top + ROW_H * (double)i + 3;
		svg_text_clipped(MARGIN, y, LABEL_W - 4, STATE_H + 2, 11, r->label);
		draw_states(g, r, y, from, px_ns);
		if (g->any_samples)
			draw_samples(g, r, y, from, px_ns);
		draw_spans(r, y + STATE_H + 1, from, to, px_ns);
	}
	draw_legend(top + ROW_H * (double)g->n_rows + LINE_H / 2, g->any_samples);
	svg_end();
}
