#include "cmd/reorder.h"

#include <stdlib.h>

static bool before(const struct rev *a, const struct rev *b)
{
	return a->ns < b->ns || (a->ns == b->ns && a->seq < b->seq);
}

int reorder_push(struct reorder *q, struct rev *e)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 1024;
		if (q->limit && cap > q->limit && q->cap < q->limit)
			cap = q->limit;
		struct rev *h = realloc(q->heap, cap * sizeof *h);
		if (!h) {
			free(e->str);
			e->str = NULL;
			return -1;
		}
		q->heap = h;
		q->cap = cap;
	}
	e->seq = q->next_seq++;
	size_t i = q->n++;
	while (i) {
		size_t p = (i - 1) / 2;
		if (!before(e, &q->heap[p]))
			break;
		q->heap[i] = q->heap[p];
		i = p;
	}
	q->heap[i] = *e;
	return 0;
}

bool reorder_pop(struct reorder *q, struct rev *out)
{
	if (!q->n)
		return false;
	*out = q->heap[0];
	struct rev last = q->heap[--q->n];
	size_t i = 0, n = q->n;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && before(&q->heap[c + 1], &q->heap[c]))
			c++;
		if (!before(&q->heap[c], &last))
			break;
		q->heap[i] = q->heap[c];
		i = c;
	}
	if (n)
		q->heap[i] = last;
	return true;
}

void reorder_free(struct reorder *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->heap[i].str);
	free(q->heap);
	*q = (struct reorder){0};
}
