/*
 * Placing slices on tracks so that they nest.
 *
 * Chrome's B/E and X events and Perfetto's SLICE_BEGIN/END must nest on a
 * track: two slices are either disjoint or one holds the other.  Spans in a
 * trace need not (a span may end on another thread, two async operations may
 * overlap), and the export sees them when they end, not in begin order.
 *
 * A lane accepts a slice only if it nests with every slice the lane
 * remembers: the last LANE_MEMORY accepted.  A forgotten slice ended at or
 * before the lane's horizon, so a slice that begins at or after the horizon
 * is disjoint from all of them; one that begins before it is refused.
 * Pairwise nesting of all slices of a lane is then guaranteed, with memory
 * bounded per lane; a refused slice goes to another lane.
 */
#ifndef LOT_CMD_LANES_H
#define LOT_CMD_LANES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LANE_MEMORY 64

struct lane {
	int64_t begin[LANE_MEMORY], end[LANE_MEMORY];
	unsigned n, next; /* slices remembered; ring position of the next */
	int64_t horizon;  /* latest end of a forgotten slice */
	bool any_forgotten;
};

/* Accept [begin, end] if it nests with everything the lane holds. */
bool lane_try_add(struct lane *l, int64_t begin, int64_t end);

struct lane_set {
	struct lane **v;
	size_t n, cap;
};

/* The first lane of the set that accepts [begin, end], a new one if none
 * does: its index, or -1 on ENOMEM. */
long lanes_place(struct lane_set *s, int64_t begin, int64_t end);
void lanes_free(struct lane_set *s);

#endif
