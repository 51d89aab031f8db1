/* Children waiting for their parent span (remote_links.h). */
#include "cmd/remote_links.h"

#include <stdlib.h>

void remote_links_free(struct remote_child *list)
{
	while (list) {
		struct remote_child *next = list->next;
		free(list);
		list = next;
	}
}

struct remote_child *remote_links_span(struct remote_links *l, const struct model_span *sp)
{
	struct remote_child *all = idmap_del(&l->waiting, sp->span_id), *remote = NULL;
	while (all) { /* keep those of other processes; local nesting shows by itself */
		struct remote_child *next = all->next;
		l->n--;
		if (all->proc != sp->proc) {
			all->next = remote;
			remote = all;
		} else {
			free(all);
		}
		all = next;
	}
	if (!sp->parent_id)
		return remote;
	if (l->n >= REMOTE_LINKS_MAX) {
		l->dropped++;
		return remote;
	}
	struct remote_child *c = malloc(sizeof *c);
	if (!c) {
		l->oom = true;
		return remote;
	}
	*c = (struct remote_child){.span_id = sp->span_id, .proc = sp->proc, .tid = sp->begin_tid,
				   .start_ns = sp->start_ns,
				   .next = idmap_get(&l->waiting, sp->parent_id)};
	if (idmap_put(&l->waiting, sp->parent_id, c)) {
		free(c);
		l->oom = true;
		return remote;
	}
	l->n++;
	return remote;
}

void remote_links_done(struct remote_links *l)
{
	for (size_t i = 0; i < l->waiting.n_slots; i++)
		remote_links_free(l->waiting.slots[i].val);
	idmap_free(&l->waiting);
	l->n = 0;
}
