/*
 * `lotrace timeline` on a terminal: a time axis, then one line per row of
 * the grid (label, then one cell per time column in the state that took
 * most of it, span names written over the cells where they fit), then a
 * legend.  Colours (ANSI) only when asked; the glyphs alone tell the states
 * apart.  In a trace with CPU samples, running cells where a sample was
 * taken show '*' instead of '#': running cells without one, over many
 * sampling periods, were preempted rather than on a CPU.
 */
#ifndef LOT_CMD_TIMELINE_TERM_H
#define LOT_CMD_TIMELINE_TERM_H

#include <stdbool.h>

#include "cmd/timeline_grid.h"

void tl_render_term(const struct tl_grid *g, int width, bool color);

#endif
