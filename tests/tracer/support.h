/* Reading a recorded trace back for the tracer tests (through lot_reader_*). */
#ifndef LOT_TESTS_TRACER_SUPPORT_H
#define LOT_TESTS_TRACER_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace-format/reader.h"

struct targ {
	uint64_t u;
	int64_t i;
	bool is_str;
	char *str;      /* STRING, BYTES, string VALUE: a NUL-terminated copy, or NULL */
	uint64_t *pcs;  /* STACK, PCS */
	size_t n_pcs;
	uint8_t id[16]; /* TRACE, ID128 */
};

struct tev {
	uint8_t code;
	bool synthetic;
	uint64_t tid, ticks;
	uint64_t chunk_task;  /* the chunk header's task */
	unsigned nargs;
	struct targ a[LOT_MAX_ARGS];
};

struct tthread {
	uint64_t tid;
	uint64_t events, lost; /* counted from chunks: non-synthetic events, lost sums */
	uint64_t chunks;
};

struct ttrace {
	struct tev *ev;        /* only with keep */
	size_t n;
	struct tthread th[64];
	size_t n_th;
	bool has_trailer, damaged;
	struct lot_thread_total tot[64]; /* trailer totals (names not kept) */
	size_t n_tot;
	char io[16];
	uint64_t pid;
};

/* Read path into *t (events kept when keep).  false (and a message) on failure. */
bool trace_load(const char *path, bool keep, struct ttrace *t);
/* The same, keeping only the events of one type (a big trace's samples). */
bool trace_load_code(const char *path, uint8_t code, struct ttrace *t);
void trace_free(struct ttrace *t);
struct tthread *trace_thread(struct ttrace *t, uint64_t tid);
const struct lot_thread_total *trace_total(const struct ttrace *t, uint64_t tid);
/* A fresh path in the test's temporary directory (the file does not exist). */
const char *test_path(const char *name);
/* Instants named `name` among the kept events. */
int count_instants(const struct ttrace *t, const char *name);
/* Events (not synthetic) counted from the chunks, all threads. */
uint64_t trace_events(const struct ttrace *t);
/* Name of an event code, for messages. */
const char *code_name(uint8_t code);

/* Make the n system calls nrs[] fail with errno err in this process, for
 * good (a seccomp filter, as container profiles install): call it in a
 * forked child.  0, or -1 with errno set. */
int refuse_syscalls(const long *nrs, size_t n, int err);

/* Open file descriptors of this process (entries of /proc/self/fd). */
int count_fds(void);

#endif
