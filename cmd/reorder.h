/*
 * The reorder window of the analysis model: events from chunks of different
 * threads, which a file interleaves only roughly in time, come out in time
 * order.
 *
 * Events are copied in (names and stacks already interned, attribute values
 * copied) and taken out in order of (time, arrival): cmd/reorder.c merges
 * the sorted runs that chunks make, so that taking one out does not cost
 * more as the window grows.  The model takes events out while they are
 * older than the watermark (the earliest time a chunk not yet read could
 * still hold, as far as the reader can tell), or when the window is full,
 * oldest first.  An event that arrives after an event later than it was
 * taken out is "late": doc/ANALYSIS.md says how the model treats it.
 * Memory: at most the window's size in events.
 */
#ifndef LOT_CMD_REORDER_H
#define LOT_CMD_REORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd/intern.h"

/* A pseudo event code for the start of a chunk (its header's task). */
#define REORDER_CHUNK_BEGIN 0x100

struct rev {
	int64_t ns;
	uint64_t seq;          /* arrival order: keeps each thread's order on equal times */
	uint64_t tid;
	uint16_t code;         /* enum lot_event_code or REORDER_CHUNK_BEGIN */
	uint16_t proc;         /* the file it came from (model_new_sources) */
	bool synthetic;
	bool is_str;           /* span_attr: value is a string (str, owned) */
	uint64_t a, b;         /* task/parent, span/parent span, count, chunk's task, tid */
	int64_t i;             /* counter or integer attribute value */
	struct intern_str s1;  /* name, reason, key */
	struct intern_str s2;  /* detail */
	uint32_t stack;
	uint8_t trace[16];
	char *str;             /* owned copy of a string attribute value */
	size_t len;
};

#define REORDER_NONE UINT32_MAX

/* A sorted run of events in the window: its first event's key, and slot. */
struct reorder_run {
	int64_t ns;
	uint64_t seq;
	uint32_t head;
};

/* Zero-initialised is empty. */
struct reorder {
	struct rev *slot;         /* the pool of events */
	uint32_t *next;           /* the next slot of the same run, or of the free list */
	size_t cap, used;         /* slots allocated, slots ever handed out */
	uint32_t free;            /* a free slot, or REORDER_NONE */
	uint32_t tail;            /* the last event pushed, while in: its run may go on */
	struct reorder_run *runs; /* a min-heap on (ns, seq) of their first events */
	size_t n_runs, cap_runs;
	size_t n;                 /* events in */
	size_t limit;             /* the most events it will hold (0: no limit): growth stops there */
	uint64_t next_seq;
};

/* Copy *e in (seq assigned here); -1 on ENOMEM (e->str is then freed). */
int reorder_push(struct reorder *q, struct rev *e);
/* The oldest event, or NULL. */
static inline const struct rev *reorder_peek(const struct reorder *q)
{
	return q->n_runs ? &q->slot[q->runs[0].head] : NULL;
}
/* Take the oldest into *out (the caller frees out->str).  False when empty. */
bool reorder_pop(struct reorder *q, struct rev *out);
void reorder_free(struct reorder *q);

#endif
