/* The interposer's probes (auto_probes.h): the public probes' recording
 * path (thread.h's enter / LOT_RECORD / exit) with a frame skip, a per-call
 * detail and a start time in the past. */
#include "tracer/auto_probes.h"

#include <string.h>
#include <sys/prctl.h>

#include "lib/clock.h"
#include "lib/stackwalk.h"
#include "tracer/thread.h"

/* A string used by this event only: defined in the chunk, never cached
 * (the caller's buffer is reused for other text). */
static inline bool enc_text(struct lot_writer *w, const char *s, uint32_t *id)
{
	if (!s) {
		*id = 0;
		return true;
	}
	*id = w->next_string;
	if (!lot_write_string_def(w, 0, *id, (struct lot_bytes){s, lot_string_len(s)}))
		return false;
	w->next_string++;
	return true;
}

/*
 * lot_probe_enter() for the interposer's probes.  An interposed call made
 * while this thread is inside the recorder is the recorder's own doing, not
 * the program's, so it is not recorded, neither as an event nor as a loss
 * (a probe of the program's in the same place is counted lost):
 *  - a thread's first probe allocates its state, and an allocator that takes
 *    an interposed lock (jemalloc in redis) comes back here meanwhile;
 *  - inside a probe (in_probe set), whatever libc call the recorder makes.
 * The one call of the program's this also skips is a blocking call in a
 * signal handler that interrupted a probe of the same thread.
 */
static inline bool in_recorder(void)
{
	struct lot_thread *self = lot_self;
	return __builtin_expect(!self, 0) ? lot_thread_in_setup()
					  : atomic_load_explicit(&self->in_probe, memory_order_relaxed);
}

static inline struct lot_thread *auto_enter(void)
{
	return in_recorder() ? NULL : lot_probe_enter();
}

LOT_API uint64_t lot__auto_task(void)
{
	return in_recorder() ? 0 : lot_task_current();
}

LOT_API uint64_t lot__auto_now(void)
{
	return lot_enabled() ? lot_clock_now() : 0;
}

LOT_API uint64_t lot__auto_since_ns(uint64_t t0)
{
	uint64_t f = lot_rt.freq_hz;
	if (!t0 || !lot_enabled() || !f)
		return 0;
	uint64_t d = lot_clock_now() - t0;
	return (uint64_t)((unsigned __int128)d * 1000000000u / f);
}

LOT_API void lot__auto_block(const struct lot_auto_block *b)
{
	struct lot_thread *t = auto_enter();
	if (!t)
		return;
	uint64_t walked[LOT_STACK_MAX], hash = 0;
	const uint64_t *pcs = walked;
	size_t n = 0;
	if (lot_rt.stacks && b->pcs) {
		pcs = b->pcs;
		n = b->n_pcs < lot_rt.stack_depth ? b->n_pcs : lot_rt.stack_depth;
		hash = lot_hash_words(pcs, n);
	} else if (lot_rt.stacks) {
		n = lot_stack_walk(&t->bounds, b->skip, walked, lot_rt.stack_depth, &hash);
	}
	uint64_t now = b->t0 ? b->t0 : lot_clock_now();
	uint32_t reason, detail, stack;
	LOT_RECORD(t, now,
		   (reason = lot_writer_string(&t->w, b->reason)) != LOT_NOROOM &&
			   enc_text(&t->w, b->detail, &detail) &&
			   (stack = lot_writer_stack_hashed(&t->w, pcs, n, hash)) != LOT_NOROOM &&
			   lot_write_task_block(&t->w, now, reason, detail, stack));
	lot_probe_exit(t);
}

LOT_API void lot__auto_resume(void)
{
	struct lot_thread *t = auto_enter();
	if (!t)
		return;
	uint64_t now = lot_clock_now();
	LOT_RECORD(t, now, lot_write_task_start(&t->w, now, t->task_cur));
	lot_probe_exit(t);
}

LOT_API void lot__auto_unblock(uint64_t task, unsigned skip)
{
	struct lot_thread *t = auto_enter();
	if (!t)
		return;
	uint64_t pcs[LOT_STACK_MAX], hash = 0;
	size_t n = lot_rt.stacks ? lot_stack_walk(&t->bounds, skip, pcs, lot_rt.stack_depth, &hash) : 0;
	uint64_t now = lot_clock_now();
	uint32_t stack;
	LOT_RECORD(t, now,
		   (stack = lot_writer_stack_hashed(&t->w, pcs, n, hash)) != LOT_NOROOM &&
			   lot_write_task_unblock(&t->w, now, task, stack));
	lot_probe_exit(t);
}

LOT_API void lot__auto_rename(void)
{
	char name[17] = "";
	if (prctl(PR_GET_NAME, name, 0, 0, 0) == 0)
		lot_thread_name(name);
}

LOT_API void lot__auto_thread(void)
{
	lot__auto_rename();
	/* the thread's own task "starts": the first event of the chunk, after
	 * its thread_begin */
	lot__auto_resume();
}
