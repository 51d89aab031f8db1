/*
 * liblotrace-auto.so: zero-code tracing of an unmodified program, loaded
 * with LD_PRELOAD (`lotrace record --auto`).  It links liblotrace.so, whose
 * constructor starts tracing from LOTRACE_* as for any linked program, and
 * wraps the calls where threads wait, recording through the probes of
 * tracer/auto_probes.h:
 *
 *   threads.c  pthread_create (each thread its own task, thread_begin at
 *              once), pthread_setname_np, fork (the child traces to its own
 *              file) and the exec family (the file is finished first; the
 *              new image traces again to a file of its own);
 *   join.c     pthread_join and its timed variants on a running thread
 *              ("join"), woken by that thread as it ends;
 *   sync.c     mutex (recorded only when contended: held, and trylock fails), cond,
 *              rwlock, semaphore ("sem", when trywait fails); the waker of a
 *              recorded waiter (unlock, signal, broadcast, sem_post) records
 *              the unblock of the waiter's task;
 *   wait.c     sleeps (always block); read, write, recv*, send*, accept*,
 *              connect, pread, pwrite ("io"), poll/ppoll/select/pselect/
 *              epoll_wait/epoll_pwait with a non-zero timeout ("poll"),
 *              fsync/fdatasync ("fsync"): timed, and recorded only when the
 *              call took at least LOTRACE_AUTO_MIN_BLOCK (below).
 *
 * Why a time threshold rather than an O_NONBLOCK check for io and poll:
 * only a call that waited is a block, whatever the descriptor's flags (a
 * blocking read with data ready returns at once; a disk read on a regular
 * file waits without any flag saying so); knowing the flags would take an
 * fcntl per call, or a per-descriptor cache that every way of changing them
 * (fcntl, ioctl FIONBIO, accept4, socket flags, dup2, close_range, raw
 * system calls) must invalidate.  Two clock reads per call cost less than
 * either and are never wrong about what happened; a non-blocking descriptor
 * returns EAGAIN at once and is never recorded.  The price: a block shorter
 * than the threshold is not seen, and the block event is written when the
 * call returns (with the time it began).
 *
 * Cost while tracing is off: each wrapper loads lot__enabled (one relaxed
 * load) and calls the real function; an unlock or signal loads the waiter
 * count instead (0: nobody registers while tracing is off).  While on, a
 * call that does not block adds a peek at the mutex word (sync.c) or two
 * clock reads (io, poll).  The tracer's own threads (the flusher, the
 * control thread) and the recording itself are never traced (auto_self.off).
 */
#ifndef LOT_TRACER_AUTO_H
#define LOT_TRACER_AUTO_H

#include <errno.h>
#include <poll.h>
#include <semaphore.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>

#include "tracer/auto_probes.h"
#include "tracer/lotrace.h"

#define AUTO_API __attribute__((visibility("default")))

/* The real functions, found with dlsym(RTLD_NEXT) at load or at first use
 * (another library's constructor may lock a mutex before ours runs). */
#define AUTO_REAL_FUNCS(X)                                                                   \
	X(int, pthread_create, (pthread_t *, const pthread_attr_t *, void *(*)(void *), void *)) \
	X(int, pthread_setname_np, (pthread_t, const char *))                                   \
	X(int, pthread_join, (pthread_t, void **))                                              \
	X(int, pthread_tryjoin_np, (pthread_t, void **))                                        \
	X(int, pthread_timedjoin_np, (pthread_t, void **, const struct timespec *))             \
	X(int, pthread_clockjoin_np, (pthread_t, void **, clockid_t, const struct timespec *))  \
	X(void, pthread_exit, (void *))                                                          \
	X(int, execve, (const char *, char *const[], char *const[]))                            \
	X(int, execv, (const char *, char *const[]))                                            \
	X(int, execvp, (const char *, char *const[]))                                           \
	X(int, execvpe, (const char *, char *const[], char *const[]))                           \
	X(void, _exit, (int))                                                                    \
	X(int, posix_spawn,                                                                     \
	  (pid_t *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *, \
	   char *const[], char *const[]))                                                       \
	X(int, posix_spawnp,                                                                    \
	  (pid_t *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *, \
	   char *const[], char *const[]))                                                       \
	X(int, pthread_mutex_lock, (pthread_mutex_t *))                                         \
	X(int, pthread_mutex_trylock, (pthread_mutex_t *))                                      \
	X(int, pthread_mutex_unlock, (pthread_mutex_t *))                                       \
	X(int, pthread_cond_wait, (pthread_cond_t *, pthread_mutex_t *))                        \
	X(int, pthread_cond_timedwait,                                                          \
	  (pthread_cond_t *, pthread_mutex_t *, const struct timespec *))                       \
	X(int, pthread_cond_clockwait,                                                          \
	  (pthread_cond_t *, pthread_mutex_t *, clockid_t, const struct timespec *))            \
	X(int, pthread_mutex_timedlock, (pthread_mutex_t *, const struct timespec *))           \
	X(int, pthread_mutex_clocklock, (pthread_mutex_t *, clockid_t, const struct timespec *)) \
	X(int, pthread_cond_signal, (pthread_cond_t *))                                         \
	X(int, pthread_cond_broadcast, (pthread_cond_t *))                                      \
	X(int, sem_wait, (sem_t *))                                                              \
	X(int, sem_trywait, (sem_t *))                                                           \
	X(int, sem_timedwait, (sem_t *, const struct timespec *))                                \
	X(int, sem_clockwait, (sem_t *, clockid_t, const struct timespec *))                     \
	X(int, sem_post, (sem_t *))                                                              \
	X(int, pthread_rwlock_rdlock, (pthread_rwlock_t *))                                     \
	X(int, pthread_rwlock_wrlock, (pthread_rwlock_t *))                                     \
	X(int, pthread_rwlock_tryrdlock, (pthread_rwlock_t *))                                  \
	X(int, pthread_rwlock_trywrlock, (pthread_rwlock_t *))                                  \
	X(int, nanosleep, (const struct timespec *, struct timespec *))                         \
	X(int, clock_nanosleep, (clockid_t, int, const struct timespec *, struct timespec *))   \
	X(int, usleep, (useconds_t))                                                             \
	X(unsigned, sleep, (unsigned))                                                           \
	X(ssize_t, read, (int, void *, size_t))                                                  \
	X(ssize_t, write, (int, const void *, size_t))                                           \
	X(ssize_t, pread, (int, void *, size_t, off_t))                                          \
	X(ssize_t, pwrite, (int, const void *, size_t, off_t))                                   \
	X(ssize_t, pread64, (int, void *, size_t, off_t))                                        \
	X(ssize_t, pwrite64, (int, const void *, size_t, off_t))                                 \
	X(ssize_t, recv, (int, void *, size_t, int))                                             \
	X(ssize_t, recvfrom, (int, void *, size_t, int, struct sockaddr *, socklen_t *))        \
	X(ssize_t, recvmsg, (int, struct msghdr *, int))                                         \
	X(ssize_t, send, (int, const void *, size_t, int))                                       \
	X(ssize_t, sendto, (int, const void *, size_t, int, const struct sockaddr *, socklen_t)) \
	X(ssize_t, sendmsg, (int, const struct msghdr *, int))                                   \
	X(int, accept, (int, struct sockaddr *, socklen_t *))                                    \
	X(int, accept4, (int, struct sockaddr *, socklen_t *, int))                              \
	X(int, connect, (int, const struct sockaddr *, socklen_t))                               \
	X(int, poll, (struct pollfd *, nfds_t, int))                                             \
	X(int, ppoll, (struct pollfd *, nfds_t, const struct timespec *, const sigset_t *))     \
	X(int, select, (int, fd_set *, fd_set *, fd_set *, struct timeval *))                    \
	X(int, pselect,                                                                          \
	  (int, fd_set *, fd_set *, fd_set *, const struct timespec *, const sigset_t *))       \
	X(int, epoll_wait, (int, struct epoll_event *, int, int))                                \
	X(int, epoll_pwait, (int, struct epoll_event *, int, int, const sigset_t *))             \
	X(int, fsync, (int))                                                                     \
	X(int, fdatasync, (int))

#define AUTO_PTR(ret, name, args) ret(*name) args;
struct auto_real {
	AUTO_REAL_FUNCS(AUTO_PTR)
};
#undef AUTO_PTR
extern struct auto_real auto_real;

/* Fill auto_real (idempotent). */
void auto_resolve(void);

#define REAL(name) \
	(__builtin_expect(auto_real.name != NULL, 1) ? auto_real.name : (auto_resolve(), auto_real.name))

/* Per thread: off for the tracer's own threads and while recording (a
 * wrapped call made by the recorder is not the program's); the thread-name
 * generation last seen. */
struct auto_thread {
	bool off;
	unsigned name_gen;
};
extern __thread struct auto_thread auto_self __attribute__((tls_model("initial-exec")));

/* Bumped by pthread_setname_np on another thread: each thread reads its
 * name from the kernel again at its next recorded block. */
extern _Atomic unsigned auto_name_gen;
/* LOTRACE_AUTO_MIN_BLOCK in ns: io, poll and fsync calls shorter than this
 * are not recorded. */
extern uint64_t auto_min_block_ns;
/* LOTRACE_UNWIND=dwarf: block stacks from .eh_frame (libunwind). */
extern bool auto_dwarf;

/* Should this call be traced? One relaxed load while tracing is off. */
static inline bool auto_on(void)
{
	return lot_enabled() && !auto_self.off;
}

/* A block's stack by DWARF unwinding, the caller's frames dropped: the
 * frame count (unwind.c). */
size_t auto_unwind(uint64_t *pcs, size_t max, unsigned skip);

/* Record a block of the calling thread: the wrapper calls these inline
 * helpers only (always_inline), so exactly one interposer frame (the
 * wrapper) lies above the probe's and skip 1 drops it. */
void auto_block_slow(const char *reason, const char *detail, uint64_t t0);

static inline __attribute__((always_inline)) void auto_block(const char *reason, const char *detail,
							     uint64_t t0)
{
	auto_self.off = true;
	if (__builtin_expect(atomic_load_explicit(&auto_name_gen, memory_order_relaxed) !=
				     auto_self.name_gen,
			     0)) {
		auto_self.name_gen = atomic_load_explicit(&auto_name_gen, memory_order_relaxed);
		lot__auto_rename();
	}
	if (auto_dwarf) {
		auto_block_slow(reason, detail, t0);
	} else {
		struct lot_auto_block b = {.reason = reason, .detail = detail, .t0 = t0, .skip = 1};
		lot__auto_block(&b);
	}
	auto_self.off = false;
}

static inline __attribute__((always_inline)) void auto_resume(void)
{
	auto_self.off = true;
	lot__auto_resume();
	auto_self.off = false;
}

static inline __attribute__((always_inline)) void auto_unblock(uint64_t task)
{
	auto_self.off = true;
	lot__auto_unblock(task, 1);
	auto_self.off = false;
}

/* At load: fork handler, the main thread's begin (threads.c). */
void auto_threads_init(void);

/* "12.5ms", "3s", ... for a sleep's or timeout's detail. */
void auto_fmt_duration(char *out, size_t cap, const char *prefix, int64_t ns);

/* The waiters of mutexes and condition variables (waiters.c): who blocked
 * on what, so that its waker can name the task it wakes. */
int auto_waiter_add(const void *obj, uint64_t task);
void auto_waiter_remove(int slot, const void *obj, uint64_t task);
uint64_t auto_waiter_take(const void *obj);
extern _Atomic unsigned auto_n_waiting;

static inline bool auto_any_waiting(void)
{
	return atomic_load_explicit(&auto_n_waiting, memory_order_relaxed) != 0;
}

/* A block's detail naming an object by its address ("0x7f..."). */
static inline void auto_addr_detail(char *out, size_t cap, const void *p)
{
	snprintf(out, cap, "%p", p);
}

/* r = CALL, a wait on obj that blocks the current task (what: "mutex",
 * "cond", "sem", "join"; detail: what to show, NULL for obj's address),
 * registered as obj's waiter meanwhile so that the releaser names the
 * task.  errno is CALL's.  A macro, as the wrappers must stay one
 * interposer frame above the probes. */
#define WAIT_REGISTERED(r, obj, what, detail, CALL)               \
	do {                                                      \
		uint64_t me_ = lot__auto_task();                  \
		int slot_ = me_ ? auto_waiter_add(obj, me_) : -1; \
		char d_[32];                                      \
		const char *detail_ = (detail);                   \
		if (!detail_) {                                   \
			auto_addr_detail(d_, sizeof d_, obj);     \
			detail_ = d_;                             \
		}                                                 \
		auto_block(what, detail_, 0);                     \
		r = CALL;                                         \
		int errno_ = errno;                               \
		auto_waiter_remove(slot_, obj, me_);              \
		auto_resume();                                    \
		errno = errno_;                                   \
	} while (0)

/* Joins (join.c): the calling thread is ending (its start function
 * returned, or pthread_exit): the unblock of the tasks joining it. */
void auto_thread_ends(void);
/* th is one of the tracer's threads: a join of it is not the program's. */
void auto_join_exempt(pthread_t th);

#endif
