#include "support.h"

#include <dirent.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "trace-format/types.h"

static void diag(void *ctx, uint64_t off, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "reader: offset %llu: %s\n", (unsigned long long)off, msg);
}

struct tthread *trace_thread(struct ttrace *t, uint64_t tid)
{
	for (size_t i = 0; i < t->n_th; i++)
		if (t->th[i].tid == tid)
			return &t->th[i];
	if (t->n_th == 64)
		abort();
	t->th[t->n_th] = (struct tthread){.tid = tid};
	return &t->th[t->n_th++];
}

const struct lot_thread_total *trace_total(const struct ttrace *t, uint64_t tid)
{
	for (size_t i = 0; i < t->n_tot; i++)
		if (t->tot[i].tid == tid)
			return &t->tot[i];
	return NULL;
}

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

static void keep_event(struct ttrace *t, const struct lot_event *e, uint64_t task, size_t *cap)
{
	if (t->n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		t->ev = realloc(t->ev, *cap * sizeof *t->ev);
	}
	struct tev *v = &t->ev[t->n++];
	memset(v, 0, sizeof *v);
	v->code = e->code;
	v->synthetic = e->synthetic;
	v->tid = e->tid;
	v->ticks = e->ticks;
	v->chunk_task = task;
	v->nargs = e->nargs;
	for (unsigned i = 0; i < e->nargs && i < LOT_MAX_ARGS; i++) {
		const struct lot_arg *a = &e->args[i];
		struct targ *o = &v->a[i];
		o->u = a->u;
		o->i = a->i;
		o->is_str = a->kind == LOT_KIND_VALUE && a->is_str;
		bool has_str = a->kind == LOT_KIND_STRING || a->kind == LOT_KIND_BYTES || o->is_str;
		bool has_pcs = a->kind == LOT_KIND_STACK || a->kind == LOT_KIND_PCS;
		bool has_id = a->kind == LOT_KIND_TRACE || a->kind == LOT_KIND_ID128;
		if (has_str && a->str)
			o->str = dupn(a->str, a->len);
		if (has_pcs && a->pcs && a->n_pcs) {
			o->pcs = malloc(a->n_pcs * sizeof *o->pcs);
			memcpy(o->pcs, a->pcs, a->n_pcs * sizeof *o->pcs);
			o->n_pcs = a->n_pcs;
		}
		if (has_id && a->id128)
			memcpy(o->id, a->id128, 16);
	}
}

/* keep_code: -1 every event, -2 none, else that code only */
static bool load(const char *path, int keep_code, struct ttrace *t)
{
	memset(t, 0, sizeof *t);
	struct lot_reader_opts opts = {.diag = diag};
	struct lot_read_error err;
	struct lot_reader *r = lot_reader_open(path, &opts, &err);
	if (!r) {
		fprintf(stderr, "%s: offset %llu: %s\n", path, (unsigned long long)err.offset,
			err.message);
		return false;
	}
	const char *io = lot_reader_meta(r, "io");
	snprintf(t->io, sizeof t->io, "%s", io ? io : "");
	const char *pid = lot_reader_meta(r, "pid");
	t->pid = pid ? strtoull(pid, NULL, 10) : 0;
	size_t cap = 0;
	struct lot_chunk *c;
	int rc;
	while ((rc = lot_reader_next_chunk(r, &c)) == 1) {
		struct tthread *th = trace_thread(t, c->info.tid);
		th->chunks++;
		th->lost += c->info.lost;
		struct lot_event e;
		int er;
		while ((er = lot_chunk_next_event(r, &e)) == 1) {
			if (!e.synthetic)
				th->events++;
			if (keep_code == -1 || keep_code == e.code)
				keep_event(t, &e, c->info.task, &cap);
		}
		if (er < 0)
			t->damaged = true;
	}
	if (rc < 0)
		t->damaged = true;
	const struct lot_trailer *tr = lot_reader_trailer(r);
	if (tr) {
		t->has_trailer = true;
		for (size_t i = 0; i < tr->n_threads && i < 64; i++) {
			t->tot[i] = tr->threads[i];
			t->tot[i].name = NULL;
		}
		t->n_tot = tr->n_threads < 64 ? tr->n_threads : 64;
	}
	if (lot_reader_damaged(r))
		t->damaged = true;
	lot_reader_close(r);
	return true;
}

bool trace_load(const char *path, bool keep, struct ttrace *t)
{
	return load(path, keep ? -1 : -2, t);
}

bool trace_load_code(const char *path, uint8_t code, struct ttrace *t)
{
	return load(path, code, t);
}

void trace_free(struct ttrace *t)
{
	for (size_t i = 0; i < t->n; i++)
		for (unsigned a = 0; a < LOT_MAX_ARGS; a++) {
			free(t->ev[i].a[a].str);
			free(t->ev[i].a[a].pcs);
		}
	free(t->ev);
	memset(t, 0, sizeof *t);
}

const char *test_path(const char *name)
{
	static char buf[4][512];
	static int k;
	char *b = buf[k++ % 4];
	const char *dir = getenv("TMPDIR");
	snprintf(b, 512, "%s/lotrace-test-%d-%s.lot", dir ? dir : "/tmp", (int)getpid(), name);
	unlink(b);
	return b;
}

int count_instants(const struct ttrace *t, const char *name)
{
	int n = 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->ev[i].code == LOT_EV_instant && !strcmp(t->ev[i].a[0].str, name))
			n++;
	return n;
}

uint64_t trace_events(const struct ttrace *t)
{
	uint64_t n = 0;
	for (size_t i = 0; i < t->n_th; i++)
		n += t->th[i].events;
	return n;
}

const char *code_name(uint8_t code)
{
	for (size_t i = 0; i < lot_builtin_types_count; i++)
		if (lot_builtin_types[i].code == code)
			return lot_builtin_types[i].name;
	return "?";
}

int refuse_syscalls(const long *nrs, size_t n, int err)
{
	struct sock_filter f[2 * 16 + 2];
	if (n > 16) {
		errno = EINVAL;
		return -1;
	}
	size_t k = 0;
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < n; i++) {
		f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nrs[i], 0, 1);
		f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
						      SECCOMP_RET_ERRNO | ((uint32_t)err & SECCOMP_RET_DATA));
	}
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = {.len = (unsigned short)k, .filter = f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own */
}

/* The tracer tests count their events exactly: no CPU samples unless a test
 * asks for them (tests/tracer/test_cpu_sample.c sets LOTRACE_CPU_HZ). */
__attribute__((constructor)) static void no_cpu_samples_by_default(void)
{
	setenv("LOTRACE_CPU_HZ", "0", 0);
}
