/* Per-thread state: creation, chunk switch, hand-off, exit.  The invariant
 * (who writes what, which store publishes it) is at the top of thread.h. */
#include "tracer/thread.h"

#include "lib/clock.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <unistd.h>

/* The public flag lot_enabled() reads; stored with lot_rt.on (lot_set_enabled). */
LOT_API _Alignas(64) int lot__enabled;
_Alignas(64) struct lot_runtime lot_rt = {.efd = -1};
__thread struct lot_thread *lot_self __attribute__((tls_model("initial-exec")));

/* Written when a thread registers: on a cache line of its own, away from
 * the read-mostly globals every probe loads (lot__enabled, lot_rt). */
static struct {
	_Alignas(64) _Atomic(struct lot_thread *) head;
	char pad[64 - sizeof(void *)];
} pending;
/* After fork: the parent's thread states, kept reachable (never freed: they
 * may have been half-updated by threads that do not exist in the child). */
static struct lot_thread *orphans;
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

static void thread_exit(void *arg);

static bool have_key;

static void make_key(void)
{
	have_key = pthread_key_create(&exit_key, thread_exit) == 0;
}

/* A probe in a signal handler that interrupts this thread's first probe
 * while it creates the thread's state must not create it again (the
 * interrupted pthread_getattr_np or allocation holds a lock): it is dropped
 * and counted here, then handed to the new state's nested_lost (and, for
 * CPU samples, to its sample counts). */
static __thread struct {
	bool busy;
	uint64_t lost, samples;
} creating __attribute__((tls_model("initial-exec")));

static __thread bool tracer_self __attribute__((tls_model("initial-exec")));

void lot_thread_mark_tracer(void)
{
	tracer_self = true;
	if (lot_self)
		lot_self->tracer = true;
}

bool lot_thread_is_tracer(void)
{
	return tracer_self;
}

bool lot_thread_in_setup(void)
{
	return creating.busy;
}

/* A state made for this thread's CPU samples before it called a probe
 * (lot_thread_for_sample); its first probe adopts it. */
static __thread struct lot_thread *sampled __attribute__((tls_model("initial-exec")));
/* The thread has ended for the recorder (thread_exit): no more samples. */
static __thread bool sample_off __attribute__((tls_model("initial-exec")));

/* States the flusher keeps ready for threads that are sampled before they
 * call a probe: a signal handler cannot allocate.  Taken by exchange (no
 * ABA), refilled by the flusher only. */
#define N_SPARES 16
static _Atomic(struct lot_thread *) spares[N_SPARES];

/* What any state starts with, whichever thread makes it. */
static struct lot_thread *state_alloc(void)
{
	struct lot_thread *t = aligned_alloc(64, (sizeof *t + 63) & ~(size_t)63);
	if (!t)
		return NULL;
	memset(t, 0, sizeof *t);
	lot_rng_seed(&t->rng);
	t->span_salt = lot_rng_next(&t->rng) & ~0xffffffffull;
	t->task_next = lot_task_block_reserve();
	t->task_limit = t->task_next + LOT_TASK_BLOCK;
	t->task_self = t->task_cur = t->task_next++;
	return t;
}

/* Make t known to the flusher (a lock-free push: also from a handler). */
static void state_register(struct lot_thread *t)
{
	struct lot_thread *h = atomic_load_explicit(&pending.head, memory_order_relaxed);
	do
		t->pending_next = h;
	while (!atomic_compare_exchange_weak_explicit(&pending.head, &h, t, memory_order_seq_cst,
						      memory_order_relaxed));
}

struct lot_thread *lot_thread_create(void)
{
	if (creating.busy) {
		creating.lost++;
		return NULL;
	}
	creating.busy = true;
	atomic_signal_fence(memory_order_seq_cst);
	/* A state made for its samples is adopted as it is: the flusher knows
	 * it already (and may read its name), its tid and name are set. */
	struct lot_thread *t = sampled;
	if (!t) {
		if (!(t = state_alloc())) {
			creating.busy = false;
			return NULL;
		}
		t->tid = (uint64_t)gettid();
		prctl(PR_GET_NAME, t->name, 0, 0, 0);
	}
	t->tracer = tracer_self;
	if (lot_stack_bounds_current(&t->bounds))
		t->bounds.lo = t->bounds.hi = 0; /* walks then find no frame */
	pthread_once(&exit_key_once, make_key);
	if (have_key)
		pthread_setspecific(exit_key, t);
	lot_self = t; /* from here a handler's probe uses t, not this function */
	atomic_signal_fence(memory_order_seq_cst);
	atomic_fetch_add_explicit(&t->nested_lost, creating.lost, memory_order_relaxed);
	atomic_fetch_add_explicit(&t->samples, creating.samples, memory_order_relaxed);
	atomic_fetch_add_explicit(&t->samples_dropped, creating.samples, memory_order_relaxed);
	creating.lost = creating.samples = 0;
	creating.busy = false;
	if (sampled) {
		sampled = NULL;
		atomic_store_explicit(&t->foreign, false, memory_order_release);
	} else {
		state_register(t);
	}
	atomic_store_explicit(&lot_rt.new_thread, true, memory_order_relaxed);
	return t;
}

/*
 * From the thread's CPU-sample handler: everything here is async-signal-
 * safe (TLS, atomics, gettid and prctl system calls).  A thread that never
 * called a probe takes a spare state, named and numbered here; its stack
 * bounds stay unknown (the sampler checks each page it reads instead) until
 * its first probe adopts the state in lot_thread_create.
 */
struct lot_thread *lot_thread_for_sample(_Atomic uint64_t *no_state)
{
	struct lot_thread *t = lot_self;
	if (t)
		return t;
	if (sample_off)
		return NULL;
	if (creating.busy) { /* interrupted lot_thread_create: dropped, counted */
		creating.samples++;
		return NULL;
	}
	if ((t = sampled))
		return t;
	for (unsigned i = 0; i < N_SPARES && !t; i++)
		t = atomic_exchange_explicit(&spares[i], NULL, memory_order_acquire);
	if (!t) {
		atomic_fetch_add_explicit(no_state, 1, memory_order_relaxed);
		return NULL;
	}
	t->tid = (uint64_t)gettid();
	prctl(PR_GET_NAME, t->name, 0, 0, 0);
	atomic_store_explicit(&t->foreign, true, memory_order_relaxed);
	sampled = t;
	state_register(t);
	return t;
}

void lot_thread_spares_fill(void)
{
	for (unsigned i = 0; i < N_SPARES; i++) {
		if (atomic_load_explicit(&spares[i], memory_order_relaxed))
			continue;
		struct lot_thread *t = state_alloc();
		if (!t)
			return;
		atomic_store_explicit(&spares[i], t, memory_order_release);
	}
}

struct lot_thread *lot_threads_take_new(void)
{
	return atomic_exchange_explicit(&pending.head, NULL, memory_order_seq_cst);
}

void lot_threads_forget_all(void)
{
	orphans = atomic_exchange_explicit(&pending.head, NULL, memory_order_relaxed);
	lot_self = NULL;
	sampled = NULL; /* the parent's states are not this process's */
	if (have_key) /* never someone else's key 0 */
		pthread_setspecific(exit_key, NULL);
}

void lot_set_enabled(bool on)
{
	if (on) {
		/* release: the probes' settings in lot_rt are visible to a probe
		 * that sees either flag set */
		int mode = atomic_load_explicit(&lot_rt.full_fence, memory_order_relaxed) ? LOT_ON_FENCED
											: LOT_ON;
		atomic_store_explicit(&lot_rt.on, mode, memory_order_release);
		atomic_store_explicit(&lot__enabled, 1, memory_order_release);
	} else {
		atomic_store_explicit(&lot__enabled, 0, memory_order_seq_cst);
		atomic_store_explicit(&lot_rt.on, LOT_OFF, memory_order_seq_cst);
	}
}

void lot_flusher_kick(void)
{
	/* eventfd_write, not write(): glibc calls its own write inside, which a
	 * preloaded interposer (liblotrace-auto.so) does not see, so the wake-up
	 * never comes back as a block of the program's. */
	if (lot_rt.efd >= 0 && eventfd_write(lot_rt.efd, 1) < 0) {
		/* the counter is saturated: the flusher is awake anyway */
	}
}

static void writer_detach(struct lot_thread *t)
{
	t->cur = NULL;
	atomic_store_explicit(&t->live, NULL, memory_order_relaxed);
	t->w.start = t->w.pos = t->w.end = NULL;
}

void lot_thread_detach(struct lot_thread *t)
{
	writer_detach(t);
}

void lot_thread_steal_seen(struct lot_thread *t)
{
	int seen = 1;
	if (atomic_compare_exchange_strong_explicit(&t->steal, &seen, 0, memory_order_seq_cst,
						    memory_order_acquire) ||
	    seen == 0)
		return; /* cancelled, by us or by the flusher (which saw us in a
			 * probe and withdrew): the chunk stays ours */
	/* 2: the flusher took the live chunk (and may have recycled it already) */
	writer_detach(t);
	atomic_store_explicit(&t->steal, 0, memory_order_release);
}

struct lot_chunk *lot_thread_seal(struct lot_thread *t)
{
	struct lot_chunk *c = t->cur;
	if (!c)
		return NULL;
	c->info.events = t->w.events;
	c->info.raw_len = (uint32_t)lot_writer_used(&t->w);
	c->info.end_ticks = lot_writer_end_ticks(&t->w);
	writer_detach(t);
	if (!c->info.events && !c->info.lost && !c->info.raw_len) {
		lot_pool_put(lot_rt.pool, c);
		t->seq--; /* nothing to say: the number is used again */
		return NULL;
	}
	return c;
}

void lot_thread_handoff(struct lot_thread *t)
{
	struct lot_chunk *c = lot_thread_seal(t);
	if (!c)
		return;
	uint32_t head = atomic_load_explicit(&t->ring_head, memory_order_relaxed);
	uint32_t tail = atomic_load_explicit(&t->ring_tail, memory_order_acquire);
	if (head - tail >= LOT_RING) {
		/* The flusher is far behind: drop the chunk rather than wait. */
		t->lost += c->info.events + c->info.lost;
		lot_pool_put(lot_rt.pool, c);
		return;
	}
	t->ring[head % LOT_RING] = c;
	atomic_store_explicit(&t->ring_head, head + 1, memory_order_release);
	/* The flusher polls every 10 ms, far sooner than threads can use a
	 * pool's worth of chunks; wake it early (a system call) only when the
	 * pool runs low, or the ring does. */
	struct lot_pool *p = lot_rt.pool;
	if (atomic_load_explicit(&p->n_free, memory_order_relaxed) < p->n / 4 ||
	    head + 1 - tail >= LOT_RING / 2)
		lot_flusher_kick();
}

/* First event of this thread in a new session. */
static void session_begin(struct lot_thread *t)
{
	t->gen = lot_rt.gen;
	t->seq = 0;
	t->lost = 0;
	/* nested_lost is not reset: a probe or sample dropped since the session
	 * began (even inside this very probe) belongs to it; the flusher took
	 * the previous session's at its end. */
	t->need_begin = true;
	writer_detach(t); /* the old chunk went with the old session's pool */
}

bool lot_thread_switch(struct lot_thread *t, uint64_t now)
{
	if (t->gen != lot_rt.gen)
		session_begin(t);
	else
		lot_thread_handoff(t);
	struct lot_chunk *c = lot_pool_get(lot_rt.pool);
	if (!c) {
		if (t->need_begin) { /* thread_begin was due first: it is lost too */
			t->need_begin = false;
			t->lost++;
		}
		return false;
	}
	c->info.flags = lot_rt.stacks ? 0 : LOT_CHUNK_NO_STACKS;
	c->info.tid = t->tid;
	c->info.seq = t->seq++;
	c->info.base_ticks = now;
	c->info.lost = t->lost + atomic_exchange_explicit(&t->nested_lost, 0, memory_order_relaxed);
	/* where the chunk's id deltas start: its first span and task encode small */
	c->info.span_base = t->span_salt | t->span_ctr;
	c->info.task = t->task_cur;
	strcpy(c->name, t->name);
	c->info.thread_name = c->name;
	atomic_store_explicit(&c->len, 0, memory_order_relaxed);
	t->lost = 0;
	t->cur = c;
	atomic_store_explicit(&t->live, c, memory_order_release);
	lot_writer_reset(&t->w, c->data, lot_rt.chunk_size, now, lot_rt.shift, c->info.span_base,
			 c->info.task);
	if (!lot_rt.stacks)
		lot_writer_omit_stacks(&t->w);
	if (t->need_begin) {
		t->need_begin = false;
		/* Hide the array bound from the compiler: the interning reads up to
		 * the NUL (strnlen with LOT_STRING_MAX), which is within the name. */
		const char *nm = t->name;
		__asm__("" : "+r"(nm));
		uint32_t name = lot_writer_string(&t->w, nm);
		if (name == LOT_NOROOM || !lot_write_thread_begin(&t->w, now, t->tid, name, t->task_self))
			t->lost++; /* cannot happen in an empty chunk of >= 4 KiB */
	}
	if (t->tracer && !lot_write_tracer_thread(&t->w, now))
		t->lost++; /* likewise */
	return true;
}

/* Thread exit (pthread key destructor): record thread_end, hand over the
 * partial chunk, and leave the state to the flusher, which frees it. */
static void thread_exit(void *arg)
{
	struct lot_thread *t = arg;
	lot_self = t;
	struct lot_thread *p = lot_probe_enter();
	if (p) {
		uint64_t now = lot_clock_now();
		LOT_RECORD(p, now, lot_write_thread_end(&p->w, now));
		lot_thread_handoff(p);
		lot_probe_exit(p);
	}
	lot_self = NULL; /* later destructors that record start a new state */
	sample_off = true; /* but are not sampled: the thread is ending */
	atomic_store_explicit(&t->exited, 1, memory_order_release);
}
