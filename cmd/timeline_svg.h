/*
 * `lotrace timeline --svg`: the grid as an SVG picture a browser shows.
 * Header lines (the trace's span, its losses) at the top, a time axis, per
 * row a state bar (runs of one state drawn as one rectangle, with the state,
 * block reason and times as its tooltip) and under it the row's span bars
 * with their names, then a legend.  CPU samples, when the trace has them,
 * are dark ticks along the top of the state bar: running without ticks
 * over many sampling periods is time off the CPU (preempted).
 */
#ifndef LOT_CMD_TIMELINE_SVG_H
#define LOT_CMD_TIMELINE_SVG_H

#include <stddef.h>

#include "cmd/timeline_grid.h"

void tl_render_svg(const struct tl_grid *g, const char *const *header, size_t n_header);

#endif
