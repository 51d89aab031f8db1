/*
 * The control state file: how `lotrace trigger` (or anyone) learns that a
 * process runs lotrace with a control signal, which file its last window or
 * snapshot completed, and whether a window is open.  Its place and contents
 * are lib/control_state.h; doc/RECORDER.md describes the protocol.
 *
 * The directory is created 0700 and used only if it is a real directory (not
 * a symlink) owned by us with no group or other access; the file is written
 * 0600 to a temporary name (O_NOFOLLOW, O_EXCL) and renamed over, so a
 * reader sees a whole file.  It is removed at normal exit.
 */
#ifndef LOT_TRACER_STATE_FILE_H
#define LOT_TRACER_STATE_FILE_H

#include <stdbool.h>

/* Publish this process's state (signal signo, flight mode or not).  Until it
 * is called the functions below do nothing. */
void lot_state_file_init(int signo, bool flight);
/* A window is open, writing path (NULL: none is, after all). */
void lot_state_file_window(const char *path);
/* A window or snapshot file is complete (and no window is open). */
void lot_state_file_done(const char *path);
/* A signal could not act, or a file failed: why, in one line. */
void lot_state_file_failed(const char *why);
/* At exit (in the process that published it). */
void lot_state_file_remove(void);
/* In a forked child: the parent's file is not ours. */
void lot_state_file_forget(void);

#endif
