/*
 * CPU-time sampling: every thread of the process is sampled on its own CPU
 * time while tracing is on (LOTRACE_CPU_HZ, default 99 per CPU second).
 *
 * Each thread gets a POSIX timer on its CPU clock (CPUCLOCK_PERTHREAD |
 * CPUCLOCK_SCHED of its tid: user and system time) whose signal goes to
 * that very thread (SIGEV_THREAD_ID).  No perf_event_open, no privilege:
 * it works in containers whose seccomp profile refuses perf.  The handler
 * takes the interrupted PC and frame pointer from the ucontext, walks the
 * frame-pointer stack from there (lib/stackwalk.h) and records a cpu_sample
 * (weight: 1 + the timer's overruns) into the thread's own chunk as a
 * probe would, so a sample that lands inside a probe is dropped and counted
 * (thread.h's in_probe).
 *
 * Who calls what:
 *  - lot_start (session.c, under its mutex): lot_sampler_prepare chooses
 *    the signal and installs the handler, for the header to name it;
 *  - the flusher: lot_sampler_begin at its start (arms a timer for every
 *    thread but the tracer's own), lot_sampler_rescan every pass (new
 *    threads from /proc/self/task get a timer, gone ones lose theirs) and
 *    lot_sampler_end first thing at stop (every timer deleted);
 *  - the child after fork: lot_sampler_forget (its timers do not exist).
 *
 * The handler stays installed for good once installed: a signal already
 * queued when its timer is deleted may still be delivered, and the default
 * action of a real-time signal is to kill the process.  It returns at once
 * unless the signal is a timer's of the running session (the session number
 * in the signal's value), and the probe protocol (in_probe, then lot_rt.on)
 * makes a sample that races lot_stop() either finish before the flusher
 * reads the thread or see tracing off: nothing is recorded after lot_stop()
 * returns, and the handler touches only TLS, thread states (never freed
 * while their thread lives) and globals.
 */
#ifndef LOT_TRACER_SAMPLER_H
#define LOT_TRACER_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tracer/env.h"

/* Choose the signal for c (LOTRACE_CPU_SIGNAL, else a free real-time one)
 * and install the handler.  The signal, or 0: no sampling (LOTRACE_CPU_HZ=0,
 * or no usable signal, which is said on stderr). */
int lot_sampler_prepare(const struct lot_config *c);

/* Arm the timers of session gen (flusher thread; its own tid is skipped). */
void lot_sampler_begin(uint64_t gen, unsigned hz, int signo);
/* Follow the process's threads: at most every `period_ns`. */
void lot_sampler_rescan(uint64_t now_ns);
/* Whether tid was in /proc/self/task at the last rescan (true when unknown). */
bool lot_sampler_tid_alive(uint64_t tid);
/* Rescans done so far: a thread missing from a scan numbered after the
 * flusher learnt of it is gone (one that started since was not seen yet). */
uint64_t lot_sampler_scans(void);
/* Disarm and delete every timer; later signals are ignored. */
void lot_sampler_end(void);
/* After fork, in the child: the parent's timers are not ours. */
void lot_sampler_forget(void);
/* A thread of the recorder that gets no timer (the control thread; the
 * flusher, which arms them, is left out anyway). */
void lot_sampler_exempt(pid_t tid);

/* Samples of this session that the handler could not record for want of a
 * thread state (no spare ready: a burst of new threads sampled at once). */
uint64_t lot_sampler_no_state(void);
/* Threads of this session that got no timer (timer_create refused, e.g.
 * RLIMIT_SIGPENDING reached): they are not sampled. */
uint64_t lot_sampler_unarmed(void);
/* The trailer's statistics of a session's sampling into out[0..4), their
 * count (0 when it does not sample): cpu_samples and cpu_samples_dropped
 * are `taken` and `dropped` (the totals of the threads that ended) plus the
 * counts of the threads still in `live` (a list by ->next, NULL for none: a
 * snapshot's), since the session started; cpu_samples_no_state and
 * cpu_threads_unarmed as above.  The flusher thread's. */
struct lot_thread;
struct lot_stat;
size_t lot_sampler_stats(bool sampling, uint64_t taken, uint64_t dropped,
			 const struct lot_thread *live, struct lot_stat *out);
/* Samples recorded (written or lost) by any thread since the process
 * started: for tests (nothing is recorded after lot_stop returns). */
uint64_t lot_sampler_recorded(void);
/* The calling thread's samples of this session so far, recorded and
 * dropped (0 if it has no state): for tests. */
void lot_sampler_thread_counts(uint64_t *samples, uint64_t *dropped);
/* The running session's signal and the value its timers send (0, 0 when
 * not sampling): for benchmarks that queue a timer's signal to themselves. */
void lot_sampler_signal(int *signo, int *value);
/* The signal's name, e.g. "SIGRTMIN+8", into buf. */
void lot_sampler_signal_name(int signo, char *buf, unsigned cap);

#endif
