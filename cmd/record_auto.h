/*
 * `lotrace record --auto`: does the command link liblotrace, and the
 * LD_PRELOAD that traces it when it does not (liblotrace-auto.so).
 */
#ifndef LOT_CMD_RECORD_AUTO_H
#define LOT_CMD_RECORD_AUTO_H

#include <stdbool.h>
#include <stddef.h>

enum record_links {
	RECORD_LINKS_NONE,   /* an ELF without liblotrace: trace it with the interposer */
	RECORD_LINKS_SHARED, /* DT_NEEDED liblotrace.so.N */
	RECORD_LINKS_STATIC, /* defines lot_start itself (liblotrace.a) */
	RECORD_LINKS_UNKNOWN /* not found, not an ELF (a script): the interposer */
};

/* How `cmd` (a path or a name searched in PATH, as execvp does) links
 * liblotrace, read from its ELF with libelf. */
enum record_links record_links(const char *cmd);

/* Put liblotrace.so.0 and liblotrace-auto.so first in LD_PRELOAD (in this
 * process's environment, for the child about to exec).  They are found by
 * $LOTRACE_AUTO_LIB (the interposer's path; liblotrace.so.0 beside it), in
 * the build tree beside this lotrace, or in the install's libdir.  0, or -1
 * after a message on stderr. */
int record_auto_preload(void);

#endif

/* The default output of an interposed run is a template: its %p gives each
 * process (forked children, programs started with posix_spawn or system())
 * a file of its own, and liblotrace's retry names a same-pid exec's file
 * NAME-1.lot; the main process's file keeps the plain default name.  tmpl
 * holds the escaped default name, ending in "<pid>.lot": the pid becomes %p. */
void record_auto_template(char *tmpl, size_t cap, int pid);

/* After an interposed run: name on stderr the other traces its processes
 * wrote beside `path` (same stem, written since `since`). */
void record_auto_others(const char *path, long long since, bool default_name);
