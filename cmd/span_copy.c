#include "cmd/span_copy.h"

#include <stdlib.h>
#include <string.h>

static void *dup_array(const void *p, size_t n, size_t size, bool *ok)
{
	if (!n)
		return NULL;
	void *q = malloc(n * size);
	if (!q) {
		*ok = false;
		return NULL;
	}
	memcpy(q, p, n * size);
	return q;
}

struct span_copy *span_copy_new(const struct model_span *sp)
{
	struct span_copy *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	bool ok = true;
	c->sp = *sp;
	c->sp.blocked_by = dup_array(sp->blocked_by, sp->n_blocked_by, sizeof *sp->blocked_by, &ok);
	c->sp.blocks = dup_array(sp->blocks, sp->n_blocks, sizeof *sp->blocks, &ok);
	c->sp.children = dup_array(sp->children, sp->n_children, sizeof *sp->children, &ok);
	struct model_attr *a = dup_array(sp->attrs, sp->n_attrs, sizeof *sp->attrs, &ok);
	c->sp.attrs = a;
	for (size_t i = 0; a && i < sp->n_attrs; i++) {
		if (a[i].is_str && a[i].str) {
			char *s = malloc(a[i].len + 1);
			if (s) {
				memcpy(s, a[i].str, a[i].len);
				s[a[i].len] = '\0';
			} else {
				ok = false;
			}
			a[i].str = s;
		}
	}
	if (!ok) {
		span_copy_free(c);
		return NULL;
	}
	return c;
}

void span_copy_free(struct span_copy *c)
{
	if (!c)
		return;
	struct model_attr *a = (struct model_attr *)c->sp.attrs;
	for (size_t i = 0; a && i < c->sp.n_attrs; i++)
		if (a[i].is_str)
			free((void *)a[i].str);
	free(a);
	free((void *)c->sp.blocked_by);
	free((void *)c->sp.blocks);
	free((void *)c->sp.children);
	free(c);
}
