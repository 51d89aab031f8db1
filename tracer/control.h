/*
 * Control without code: the LOTRACE_SIGNAL handler and the control thread.
 *
 * The handler does only async-signal-safe work: it stores the signal's
 * value (sigqueue) in an atomic, counts the signal and writes the control
 * eventfd.  The control thread, which sleeps on that eventfd, then acts:
 *  - flight recorder running: ask for a snapshot (tracer/snapshot.h);
 *  - a signal window running: end it early;
 *  - otherwise: start a window of LOTRACE_WINDOW, or of the signal's value
 *    in milliseconds when it was sent with sigqueue and a positive value,
 *    into a new file named by LOTRACE_OUTPUT, and stop it when it expires.
 * Starting and stopping a session (opening, writing, closing the file) is
 * done by this thread and the flusher: no application thread waits.
 * Signals that arrive before the thread has acted on the previous one are
 * merged into one.  A value of -1 asks for a snapshot explicitly (`lotrace
 * trigger --snapshot`); without a flight recorder it is refused.
 *
 * The same thread stops a LOTRACE_START=1 session after LOTRACE_DURATION.
 */
#ifndef LOT_TRACER_CONTROL_H
#define LOT_TRACER_CONTROL_H

#include <stdint.h>
#include <sys/types.h>

/* At load, after LOTRACE_START/LOTRACE_MODE started session env_gen (0: none)
 * writing env_path: install the handler and start the control thread if the
 * environment asks for either. */
void lot_control_init(uint64_t env_gen, const char *env_path);

#endif
