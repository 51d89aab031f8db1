/*
 * Several trace files as one analysis (sources.h): expanding directories,
 * opening the readers with warnings that name their file, naming each
 * process, and the clock offsets (same host: CLOCK_MONOTONIC; another host:
 * CLOCK_REALTIME, then cmd/clock_align.c's causality correction).
 */
#include "cmd/sources.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/exit.h"
#include "cmd/escape.h"
#include "cmd/json.h"
#include "cmd/out.h"
#include "cmd/warn.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool push_path(char ***v, size_t *n, size_t *cap, const char *dir, const char *name)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 8;
		char **p = realloc(*v, c * sizeof *p);
		if (!p)
			return false;
		*v = p;
		*cap = c;
	}
	size_t len = (dir ? strlen(dir) + 1 : 0) + strlen(name) + 1;
	char *s = malloc(len);
	if (!s)
		return false;
	if (dir)
		snprintf(s, len, "%s/%s", dir, name);
	else
		snprintf(s, len, "%s", name);
	(*v)[(*n)++] = s;
	return true;
}

static int expand_dir(const char *cmd, const char *dir, char ***v, size_t *n, size_t *cap)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "lotrace %s: %s: %s\n", cmd, dir, strerror(errno));
		return -1;
	}
	size_t first = *n;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len <= 4 || strcmp(de->d_name + len - 4, ".lot"))
			continue;
		if (!push_path(v, n, cap, dir, de->d_name)) {
			closedir(d);
			fprintf(stderr, "lotrace %s: out of memory\n", cmd);
			return -1;
		}
	}
	closedir(d);
	if (*n == first) {
		fprintf(stderr, "lotrace %s: %s: no .lot files in this directory\n", cmd, dir);
		return -1;
	}
	qsort(*v + first, *n - first, sizeof **v, by_name);
	return 0;
}

int sources_expand(const char *cmd, char *const *args, size_t n, char ***out, size_t *n_out)
{
	char **v = NULL;
	size_t nv = 0, cap = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (!stat(args[i], &st) && S_ISDIR(st.st_mode)) {
			if (expand_dir(cmd, args[i], &v, &nv, &cap))
				goto fail;
		} else if (!push_path(&v, &nv, &cap, NULL, args[i])) {
			fprintf(stderr, "lotrace %s: out of memory\n", cmd);
			goto fail;
		}
	}
	*out = v;
	*n_out = nv;
	return 0;
fail:
	sources_free_paths(v, nv);
	return -1;
}

void sources_free_paths(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

/* A reader's warnings name its file (ctx: its entry in s->diag, which the
 * sorting of s->v does not move). */
static void diag(void *ctx, uint64_t offset, const char *message)
{
	const struct source_diag *d = ctx;
	if (d->set->quiet)
		return;
	if (d->set->before_warn)
		d->set->before_warn(d->set->before_warn_ctx);
	cmd_warn(d->path, (unsigned long long)offset, message);
}

static void name_process(struct source *src)
{
	const char *service = lot_reader_meta(src->r, "service");
	const char *exe = lot_reader_meta(src->r, "exe");
	const char *pid = lot_reader_meta(src->r, "pid");
	const char *host = lot_reader_meta(src->r, "host");
	if (service && *service) {
		src->service = service;
	} else if (exe && *exe) {
		const char *slash = strrchr(exe, '/');
		src->service = slash ? slash + 1 : exe;
	} else {
		src->service = "?";
	}
	src->host = host ? host : "";
	src->pid = pid ? strtoull(pid, NULL, 10) : 0;
	snprintf(src->name, sizeof src->name, "%s[%" PRIu64 "]", src->service, src->pid);
}

/*
 * The files' order, which decides the reference clock, the hosts' groups and
 * which file's chunk is read first at equal times, so that the analysis does
 * not depend on the order of the arguments: by service, pid, host, start
 * (CLOCK_REALTIME, then CLOCK_MONOTONIC), then path.
 */
static int by_process(const void *a, const void *b)
{
	const struct source *x = a, *y = b;
	const struct lot_clock_info *cx = &x->hdr->clock, *cy = &y->hdr->clock;
	int c = strcmp(x->service, y->service);
	if (!c)
		c = (x->pid > y->pid) - (x->pid < y->pid);
	if (!c)
		c = strcmp(x->host, y->host);
	if (!c)
		c = (cx->start_real_ns > cy->start_real_ns) - (cx->start_real_ns < cy->start_real_ns);
	if (!c)
		c = (cx->start_mono_ns > cy->start_mono_ns) - (cx->start_mono_ns < cy->start_mono_ns);
	return c ? c : strcmp(x->path, y->path);
}

/*
 * Time 0 of the merged clock: the earliest start of any file, so that no
 * time is negative; mono0_ns and real0_ns are the reference clock's (the
 * first file's host's) readings then.
 */
static void set_origin(struct sources *s)
{
	int64_t first = s->v[0].offset_ns;
	for (size_t i = 1; i < s->n; i++)
		if (s->v[i].offset_ns < first)
			first = s->v[i].offset_ns;
	for (size_t i = 0; i < s->n; i++)
		s->v[i].offset_ns -= first;
	const struct lot_clock_info *c0 = &s->v[0].hdr->clock;
	s->mono0_ns = c0->start_mono_ns - (uint64_t)s->v[0].offset_ns;
	s->real0_ns = c0->start_real_ns - (uint64_t)s->v[0].offset_ns;
}

/* Host groups and the clock-sync offsets, before any skew correction. */
static void base_offsets(struct sources *s)
{
	const struct lot_clock_info *c0 = &s->v[0].hdr->clock;
	s->n_hosts = 0;
	for (size_t i = 0; i < s->n; i++) {
		struct source *x = &s->v[i];
		const struct lot_clock_info *c = &x->hdr->clock;
		size_t j = 0;
		while (j < i && strcmp(s->v[j].host, x->host))
			j++;
		x->host_group = j < i ? s->v[j].host_group : s->n_hosts++;
		if (x->host_group == 0) /* one host: the monotonic clock is shared */
			x->offset_ns = (int64_t)(c->start_mono_ns - c0->start_mono_ns);
		else if (j < i) /* the same other host as an earlier file */
			x->offset_ns = s->v[j].offset_ns +
				       (int64_t)(c->start_mono_ns - s->v[j].hdr->clock.start_mono_ns);
		else /* a new host: wall clocks, corrected later */
			x->offset_ns = (int64_t)(c->start_real_ns - c0->start_real_ns);
	}
}

int sources_open(struct sources *s, char *const *paths, size_t n)
{
	s->v = calloc(n ? n : 1, sizeof *s->v); /* sources_close() frees them */
	s->diag = calloc(n ? n : 1, sizeof *s->diag);
	s->n = 0;
	if (!s->v || !s->diag) {
		free(s->v);
		free(s->diag);
		s->v = NULL;
		s->diag = NULL;
		fprintf(stderr, "lotrace: out of memory\n");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct source *x = &s->v[i];
		x->path = paths[i];
		x->set = s;
		s->diag[i] = (struct source_diag){.path = paths[i], .set = s};
		struct lot_reader_opts opts = {.diag = diag, .diag_ctx = &s->diag[i]};
		struct lot_read_error err = {0};
		x->r = lot_reader_open(paths[i], &opts, &err);
		if (!x->r) {
			cmd_warn(paths[i], (unsigned long long)err.offset,
				 err.message[0] ? err.message : "cannot read");
			sources_close(s);
			return -1;
		}
		x->hdr = lot_reader_header(x->r);
		name_process(x);
		s->n = i + 1;
	}
	qsort(s->v, s->n, sizeof *s->v, by_process);
	base_offsets(s);
	if (s->n_hosts > 1 && clock_align(s)) {
		fprintf(stderr, "lotrace: out of memory\n");
		sources_close(s);
		return -1;
	}
	set_origin(s);
	return 0;
}

void sources_close(struct sources *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].r)
			lot_reader_close(s->v[i].r);
	free(s->v);
	free(s->diag);
	s->v = NULL;
	s->diag = NULL;
	s->n = 0;
}

int sources_open_paths(struct sources *s, char **paths, size_t n)
{
	s->paths = paths;
	s->n_paths = n;
	if (sources_open(s, paths, n)) {
		sources_free_paths(s->paths, s->n_paths);
		s->paths = NULL;
		return CMD_EXIT_UNREADABLE;
	}
	return 0;
}

int sources_finish(struct sources *s, bool read_error)
{
	out_flush();
	int st = sources_damaged(s) || read_error ? CMD_EXIT_DAMAGED : CMD_EXIT_OK;
	sources_close(s);
	sources_free_paths(s->paths, s->n_paths);
	s->paths = NULL;
	s->n_paths = 0;
	return st;
}

bool sources_damaged(const struct sources *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (lot_reader_damaged(s->v[i].r))
			return true;
	return false;
}

static const char *alignment(const struct sources *s, const struct source *x)
{
	if (x == &s->v[0])
		return "reference clock";
	if (x->host_group == 0)
		return "same host: CLOCK_MONOTONIC";
	if (x->skew_estimated)
		return "other host: CLOCK_REALTIME, skew corrected from span causality";
	return "other host: CLOCK_REALTIME, no remote parent or child to correct the skew";
}

void sources_header_text(const struct sources *s)
{
	if (s->n < 2)
		return;
	for (size_t i = 0; i < s->n; i++) {
		const struct source *x = &s->v[i];
		out_printf("process %s (%s, host %s): offset %+.3fms, %s", x->name, x->path,
			   *x->host ? x->host : "?", (double)x->offset_ns / 1e6, alignment(s, x));
		if (x->skew_estimated)
			out_printf(": correction %+.3fms +- %.3fms%s", (double)x->skew_ns / 1e6,
				   (double)x->skew_uncertainty_ns / 1e6,
				   x->skew_inconsistent ? " (causality bounds conflict: the clocks also drift)"
							: "");
		if (x->skew_ends_ignored)
			out_printf(" (%zu span end%s after the parent's left out)", x->skew_ends_ignored,
				   x->skew_ends_ignored == 1 ? "" : "s");
		out_char('\n');
	}
}

void sources_header_json(const struct sources *s)
{
	if (s->n < 2)
		return;
	json_key("processes");
	json_array();
	for (size_t i = 0; i < s->n; i++) {
		const struct source *x = &s->v[i];
		json_object();
		json_kv_cstr("file", x->path);
		json_kv_cstr("service", x->service);
		json_kv_u64("pid", x->pid);
		json_kv_cstr("host", x->host);
		json_kv_i64("offset_ns", x->offset_ns);
		json_kv_cstr("clock", x->host_group == 0 ? "monotonic" : "realtime");
		json_kv_bool("skew_corrected", x->skew_estimated);
		json_kv_i64("skew_ns", x->skew_ns);
		json_kv_i64("skew_uncertainty_ns", x->skew_uncertainty_ns);
		json_kv_bool("skew_inconsistent", x->skew_inconsistent);
		json_kv_u64("skew_ends_ignored", x->skew_ends_ignored);
		json_object_end();
	}
	json_array_end();
}
