/*
 * Per-thread tallies for the subcommands, keyed by tid, kept in order of first
 * appearance.  Memory grows with the number of distinct threads, never with
 * the number of events or chunks.
 */
#ifndef LOT_CMD_THREADS_H
#define LOT_CMD_THREADS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct thread_stats {
	uint64_t tid;
	char *name;             /* last name seen (chunk header, else trailer); owned */
	uint64_t events;        /* timed events read from the file */
	uint64_t chunks;        /* chunks read */
	uint64_t lost_chunks;   /* losses told by chunk headers */
	uint64_t lost_trailer;  /* losses only the trailer knows */
	bool in_trailer;
	bool tracer;            /* the recorder's own (its chunks say tracer_thread) */
	uint64_t written;       /* trailer: events written (valid if in_trailer) */
};

struct thread_table {
	struct thread_stats *v; /* in order of first appearance */
	size_t n, cap;
	uint32_t *slots;        /* open addressing: index + 1, 0 = empty */
	size_t n_slots;
	uint64_t last_tid;      /* consecutive chunks are often the same thread */
	size_t last;
};

/* The thread's record, created if new; NULL on ENOMEM. */
struct thread_stats *threads_get(struct thread_table *t, uint64_t tid);
/* Replace a thread's name with a copy of name[0, len) (no-op on ENOMEM). */
void threads_set_name(struct thread_stats *s, const char *name, size_t len);
void threads_free(struct thread_table *t);

#endif
