/*
 * Per thread (its own task): blocked time by reason and who woke it, for
 * `lotrace tasks` (the "threads" list).  Fed with the model's closed
 * BLOCKED intervals of threads' own tasks; wakers are keyed by their
 * thread.  What a program that timed its own waits can compare, thread by
 * thread (doc/JSON.md).
 */
#ifndef LOT_CMD_THREAD_BLOCKS_H
#define LOT_CMD_THREAD_BLOCKS_H

#include <stdbool.h>
#include <stdint.h>

#include "cmd/idmap.h"
#include "cmd/model.h"

struct tb_waker {
	uint64_t tid;
	struct model_str name; /* the waker's task name (its thread's, for a thread) */
	uint64_t count, ns;    /* blocks it ended, and their blocked time */
};

struct tb_reason {
	struct model_str reason;
	uint64_t ns, count;
	uint64_t woken_count, woken_ns; /* ended by a recorded unblock */
	struct tb_waker *wakers;
	size_t n_wakers;
};

struct tb_thread {
	uint64_t tid;
	struct model_str name;
	uint64_t blocked_ns;
	struct tb_reason *by;
	size_t n_by;
};

struct thread_blocks {
	struct idmap map; /* tid -> struct tb_thread */
	struct tb_thread **v;
	size_t n, cap;
	bool oom;
};

/* A model interval; only BLOCKED intervals of threads' own tasks count. */
void thread_blocks_add(struct thread_blocks *tb, const struct model_interval *iv);
/* The threads that blocked, by tid. */
void thread_blocks_sort(struct thread_blocks *tb);
void thread_blocks_json(const struct thread_blocks *tb);
void thread_blocks_text(const struct thread_blocks *tb);
void thread_blocks_free(struct thread_blocks *tb);

#endif
