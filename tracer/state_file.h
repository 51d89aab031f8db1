/*
 * The control state file: how `lotrace trigger` (or anyone) learns that a
 * process runs lotrace with a control signal, and which file its last window
 * or snapshot completed.  doc/RECORDER.md describes the protocol.
 *
 * Where: $XDG_RUNTIME_DIR/lotrace/<pid> when XDG_RUNTIME_DIR is an absolute
 * path, else /tmp/lotrace-<uid>/<pid>.  The directory is created 0700 and
 * used only if it is a real directory (not a symlink) owned by us with no
 * group or other access; the file is written 0600 to a temporary name
 * (O_NOFOLLOW, O_EXCL) and renamed over, so a reader sees a whole file.  It
 * is removed at normal exit.
 *
 * Contents, one "key value" per line:
 *   lotrace-state 1      format version
 *   pid N                this process
 *   starttime N          field 22 of /proc/<pid>/stat (tells a reused pid)
 *   signal N             the control signal
 *   mode stream|flight   what the signal does: a window, or a snapshot
 *   completed N          files completed (windows and snapshots)
 *   failed N             signals that could not act, and failed files
 *   last PATH            absolute path of the last completed file
 *   error TEXT           why the last failure happened
 */
#ifndef LOT_TRACER_STATE_FILE_H
#define LOT_TRACER_STATE_FILE_H

#include <stdbool.h>
#include <stdio.h>

/* The directory (pid < 0) or the file of a process, from its
 * XDG_RUNTIME_DIR (NULL if unset) and uid.  Shared with cmd/trigger.c. */
static inline void lot_state_file_path(char *out, size_t cap, const char *xdg, unsigned uid,
				       int pid)
{
	int n = xdg && xdg[0] == '/' ? snprintf(out, cap, "%s/lotrace", xdg)
				     : snprintf(out, cap, "/tmp/lotrace-%u", uid);
	if (pid >= 0 && n >= 0 && (size_t)n < cap)
		snprintf(out + n, cap - (size_t)n, "/%d", pid);
}

/* Publish this process's state (signal signo, flight mode or not).  Until it
 * is called the functions below do nothing. */
void lot_state_file_init(int signo, bool flight);
/* A window or snapshot file is complete. */
void lot_state_file_done(const char *path);
/* A signal could not act, or a file failed: why, in one line. */
void lot_state_file_failed(const char *why);
/* At exit (in the process that published it). */
void lot_state_file_remove(void);
/* In a forked child: the parent's file is not ours. */
void lot_state_file_forget(void);

#endif
