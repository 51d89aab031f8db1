/*
 * Several trace files read as one: each file is a process (named by its
 * header's service, else its executable, and pid), and the analysis model
 * merges their chunks (a k-way merge on chunk time, then the model's reorder
 * window) onto one clock.
 *
 * The files are sorted once open (service, pid, host, start, path), so that
 * the answer does not depend on the arguments' order.  The merged clock is
 * the first file's host's; time 0 is the earliest file's start on it (mono0_ns,
 * real0_ns).  A file's times are shifted by its offset_ns:
 *   - files from the same host (the header's "host") align exactly on
 *     CLOCK_MONOTONIC (the header's clock sync at start_ticks);
 *   - a file from another host aligns on CLOCK_REALTIME, then the skew
 *     between the hosts is corrected from span causality (cmd/clock_align.c):
 *     skew_ns is that correction, skew_uncertainty_ns its half-width.
 * Ids (threads, tasks, spans) are keyed by file in the model, never mixed up.
 * Every warning names the file it concerns.
 */
#ifndef LOT_CMD_SOURCES_H
#define LOT_CMD_SOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace-format/reader.h"

struct source {
	const char *path;
	struct lot_reader *r;
	const struct lot_file_header *hdr;
	const char *service;  /* header service, else the executable's base name ("?" if none) */
	const char *host;     /* header host ("" if none) */
	uint64_t pid;
	char name[160];       /* "service[pid]" for reports */
	unsigned host_group;  /* files with the same host share a group; group 0 holds file 0 */
	int64_t offset_ns;    /* add to the file's times for the merged clock */
	int64_t skew_ns;      /* part of offset_ns that span causality corrected */
	int64_t skew_uncertainty_ns;
	bool skew_estimated;  /* another host, and causality bounded the skew */
	bool skew_inconsistent; /* the begins' bounds contradicted each other (clock drift?) */
	size_t skew_ends_ignored; /* end bounds left out: children that ended after their parent */
	struct sources *set;
};

/* What a reader's warnings need: where the file was opened, not where
 * the sorting moved its struct source. */
struct source_diag {
	const char *path;
	struct sources *set;
};

struct sources {
	struct source *v;      /* in the order of sources_open()'s rule, not the arguments' */
	struct source_diag *diag;
	size_t n;
	char **paths;          /* sources_open_paths(): owned */
	size_t n_paths;
	unsigned n_hosts;
	uint64_t mono0_ns;     /* the reference clock at merged time 0: CLOCK_MONOTONIC */
	uint64_t real0_ns;     /* and CLOCK_REALTIME */
	bool quiet;            /* print no warnings (a second pass over the same files) */
	/* Called before each warning is printed (a progress line to clear); may be NULL. */
	void (*before_warn)(void *ctx);
	void *before_warn_ctx;
};

/*
 * Expand the FILE arguments: a directory stands for its *.lot files (sorted).
 * *out is malloc'd (free it and each path with sources_free_paths).
 * 0, or -1 after printing "lotrace CMD: PATH: reason".
 */
int sources_expand(const char *cmd, char *const *args, size_t n, char ***out, size_t *n_out);
void sources_free_paths(char **paths, size_t n);

/*
 * Open every file and align the clocks (two cheap passes over the spans of
 * files from other hosts).  0, or -1 after printing "lotrace: FILE: offset N:
 * reason" for the file that could not be read (everything is closed).
 */
int sources_open(struct sources *s, char *const *paths, size_t n);
void sources_close(struct sources *s);
/* For a command: the files of argv's FILE arguments (already expanded into
 * paths, which the sources then own), opened; NULL-free: 0, or the exit
 * status CMD_EXIT_UNREADABLE (reported). */
int sources_open_paths(struct sources *s, char **paths, size_t n);
/* Flush the output, close the files (and free the paths) and return the
 * exit status the read earned (0, or 3 if a file was damaged or read_error). */
int sources_finish(struct sources *s, bool read_error);
/* True if any file was damaged (exit status 3). */
bool sources_damaged(const struct sources *s);

/* Text lines (one per file) saying each process, its clock alignment, and
 * the correction applied with its uncertainty.  Nothing for one file. */
void sources_header_text(const struct sources *s);
/* The "processes" member of a JSON report's open object (cmd/json.h;
 * nothing for one file). */
void sources_header_json(const struct sources *s);

/* Exposed for cmd/clock_align.c. */
int clock_align(struct sources *s);

#endif
