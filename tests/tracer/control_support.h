/* Helpers of the control tests: run tests/tracer/control_child with an
 * environment, read its control state file, read a trace's time span. */
#ifndef LOT_TESTS_TRACER_CONTROL_SUPPORT_H
#define LOT_TESTS_TRACER_CONTROL_SUPPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* A fresh private directory; XDG_RUNTIME_DIR and LOTRACE_DIR point at it. */
const char *control_dir(void);
/* Start control_child with the current environment, and wait for its
 * state file (the handler is installed then).  Its stderr goes to
 * <dir>/child.err. */
pid_t control_child(int seconds);
/* A number from the child's state file ("completed", "failed"), -1 if none. */
long long state_number(pid_t pid, const char *key);
/* The "last" path of the state file into out. */
bool state_last(pid_t pid, char *out, size_t cap);
/* Wait (up to timeout_s) until the state file names an open window. */
bool wait_window_open(pid_t pid, int timeout_s);
/* Wait (up to timeout_s) until state_number(key) >= n. */
bool wait_state(pid_t pid, const char *key, long long n, int timeout_s);
void child_end(pid_t pid);
uint64_t mono_now_ns(void);

/* What a trace holds, for window bounds. */
struct span {
	bool ok, has_trailer, damaged;
	uint64_t first_ns, last_ns;  /* CLOCK_MONOTONIC of the first and last
				      * non-clock_sync event */
	uint64_t events, lost;       /* counted events (not synthetic), losses */
	char mode[16];
};
struct span trace_span(const char *path);
/* The same over the counters named `counter` only. */
struct span trace_span_of(const char *path, const char *counter);
/* A trailer stat, or -1. */
long long trailer_stat(const char *path, const char *key);
/* Open file descriptors of a process. */
int fd_count(pid_t pid);

#endif
