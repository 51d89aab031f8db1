/*
 * Links from a span to its children in other processes, for the exports'
 * flow arrows (client span -> the server span it caused).  Spans arrive as
 * they end, children before their parents: a child with a parent id waits
 * here, keyed by that id, until a span with that id ends; those from another
 * file (process) are then handed to the caller.  Children whose parent never
 * comes (outside the files) wait until the end: at most REMOTE_LINKS_MAX
 * wait, more are counted in dropped.
 */
#ifndef LOT_CMD_REMOTE_LINKS_H
#define LOT_CMD_REMOTE_LINKS_H

#include <stdbool.h>
#include <stdint.h>

#include "cmd/idmap.h"
#include "cmd/model.h"

#define REMOTE_LINKS_MAX (1u << 20)

struct remote_child {
	uint64_t span_id;
	unsigned proc;
	uint64_t tid;   /* the thread it began on */
	int64_t start_ns;
	struct remote_child *next;
};

struct remote_links {
	struct idmap waiting; /* parent span id -> struct remote_child list */
	uint64_t n, dropped;
	bool oom;
};

/* Span sp ended: the children from other processes that waited for it
 * (free the list with remote_links_free()); sp then waits for its parent. */
struct remote_child *remote_links_span(struct remote_links *l, const struct model_span *sp);
void remote_links_free(struct remote_child *list);
void remote_links_done(struct remote_links *l);

#endif
