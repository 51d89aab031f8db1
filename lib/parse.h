/*
 * Parsing of the control values shared by liblotrace (its environment) and
 * the `lotrace` tool (trigger, record): durations, signal names, and a
 * process's start time.
 */
#ifndef LOT_LIB_PARSE_H
#define LOT_LIB_PARSE_H

#include <stdint.h>

/* A duration: a number with unit ms, s or m (a bare number is seconds), at
 * least 1 ms and at most a day.  0 and *ms, or -EINVAL. */
int lot_parse_duration(const char *text, uint64_t *ms);

/* A signal usable for control: a name (USR2, SIGUSR2, RTMIN+3, RTMAX-1) or a
 * number.  The number, or -EINVAL (unknown, or KILL, STOP or a signal that
 * reports a fault). */
int lot_parse_signal(const char *text);

/* Field 22 of /proc/<pid>/stat (pid 0: self): the process's start time in
 * clock ticks after boot, which tells a reused pid.  0 if unreadable. */
unsigned long long lot_proc_starttime(int pid);

#endif
