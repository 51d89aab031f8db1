/*
 * The control state file's protocol: where it lives and what it says.  The
 * recorder writes it (tracer/state_file.c), `lotrace trigger` reads it
 * (cmd/trigger.c); this is all the two share.  doc/RECORDER.md, "Control",
 * describes the protocol.
 *
 * Where: $XDG_RUNTIME_DIR/lotrace/<pid> when XDG_RUNTIME_DIR is an absolute
 * path, else /tmp/lotrace-<uid>/<pid>.
 *
 * Contents, one "key value" per line (a reader ignores keys it does not know):
 *   lotrace-state 1      format version
 *   pid N                the process
 *   starttime N          field 22 of /proc/<pid>/stat (tells a reused pid)
 *   signal N             the control signal
 *   mode stream|flight   what the signal does: a window, or a snapshot
 *   completed N          files completed (windows and snapshots)
 *   failed N             signals that could not act, and failed files
 *   last PATH            absolute path of the last completed file
 *   error TEXT           why the last failure happened
 *   window PATH          the file of the window open now (empty: none)
 */
#ifndef LOT_LIB_CONTROL_STATE_H
#define LOT_LIB_CONTROL_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct lot_control_state {
	bool ok;                 /* read: a version-1 state file */
	int pid;
	unsigned long long starttime, completed, failed;
	int signal;
	bool flight;             /* mode flight (else stream) */
	char last[PATH_MAX], error[256], window[PATH_MAX];
};

/* The directory (pid < 0) or the file of a process, from its
 * XDG_RUNTIME_DIR (NULL if unset) and uid. */
void lot_control_state_path(char *out, size_t cap, const char *xdg, unsigned uid, int pid);

/* The file's text into out (NUL-terminated); its length, or -1 if it does
 * not fit. */
int lot_control_state_format(char *out, size_t cap, const struct lot_control_state *s);

/* Read a state file's text from f into *s (ok: it was one). */
void lot_control_state_parse(FILE *f, struct lot_control_state *s);

#endif
