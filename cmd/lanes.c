#include "cmd/lanes.h"

#include <stdlib.h>

/* Disjoint (touching counts) or one inside the other. */
static bool nests(int64_t b1, int64_t e1, int64_t b2, int64_t e2)
{
	return e1 <= b2 || e2 <= b1 || (b1 <= b2 && e2 <= e1) || (b2 <= b1 && e1 <= e2);
}

bool lane_try_add(struct lane *l, int64_t begin, int64_t end)
{
	if (l->any_forgotten && begin < l->horizon)
		return false;
	for (unsigned i = 0; i < l->n; i++)
		if (!nests(l->begin[i], l->end[i], begin, end))
			return false;
	if (l->n == LANE_MEMORY) {
		int64_t old = l->end[l->next];
		if (!l->any_forgotten || old > l->horizon)
			l->horizon = old;
		l->any_forgotten = true;
	} else {
		l->n++;
	}
	l->begin[l->next] = begin;
	l->end[l->next] = end;
	l->next = (l->next + 1) % LANE_MEMORY;
	return true;
}

long lanes_place(struct lane_set *s, int64_t begin, int64_t end)
{
	for (size_t i = 0; i < s->n; i++)
		if (lane_try_add(s->v[i], begin, end))
			return (long)i;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		struct lane **v = realloc(s->v, cap * sizeof *v);
		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	struct lane *l = calloc(1, sizeof *l);
	if (!l)
		return -1;
	s->v[s->n] = l;
	lane_try_add(l, begin, end);
	return (long)s->n++;
}

void lanes_free(struct lane_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	*s = (struct lane_set){0};
}
