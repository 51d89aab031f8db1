/*
 * Output file names from a template (LOTRACE_OUTPUT): %p the pid, %t the
 * UTC start time (20260101T120000Z), %n the window or snapshot sequence
 * number, %s the service (LOTRACE_SERVICE, else the program's name), %% a
 * percent sign.  A relative result lands in LOTRACE_DIR when set.
 *
 * The substituted fields come from the environment or the program, not from
 * whoever wrote the template, so they must not move the file elsewhere: each
 * field keeps only [A-Za-z0-9._-] (anything else becomes '_') and may not
 * begin with '.', so no field can be "..", a hidden name or a '/'.
 */
#ifndef LOT_TRACER_OUTPUT_PATH_H
#define LOT_TRACER_OUTPUT_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct lot_path_fields {
	int pid;
	time_t when;
	uint64_t seq;
	const char *service; /* NULL: the program's name */
};

/* True when every %-directive of tmpl is one of %p %t %n %s %%. */
bool lot_output_template_ok(const char *tmpl);

/* True when tmpl has a directive (then a taken name may be retried with a
 * suffix, where a plain path must fail with EEXIST). */
bool lot_output_is_template(const char *tmpl);

/* LOTRACE_OUTPUT's default. */
#define LOT_DEFAULT_OUTPUT "lotrace-%s-%p-%t.lot"

/* Expand tmpl (NULL: the default, LOT_DEFAULT_OUTPUT) under dir (NULL: none)
 * into out.  0, -EINVAL (bad directive) or -ENAMETOOLONG. */
int lot_output_expand(char *out, size_t cap, const char *tmpl, const char *dir,
		      const struct lot_path_fields *f);

/* Create the file for a trace: 0600, never through a symlink, never an
 * existing file.  When retry is set and the name is taken, tries "NAME-1.lot"
 * ... "NAME-99.lot" (path is updated).  The fd, or -errno. */
int lot_output_create(char *path, size_t cap, bool retry);

#endif
