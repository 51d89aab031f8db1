/*
 * `lotrace export --format pprof`: the trace's CPU samples as a gzipped
 * profile.proto (github.com/google/pprof/proto/profile.proto), for
 * `go tool pprof` and the tools that read it.
 *
 *   - sample types samples/count and cpu/nanoseconds (the default), period
 *     type cpu/nanoseconds with the sampling period;
 *   - one Sample per distinct (stack, labels): labels trace_id, span_id and
 *     span (the span the sample is attributed to: cmd/model.h), task (its
 *     task's name) and the numeric label thread (the tid);
 *   - one Location per PC with its Mapping (the header's module map: path,
 *     build-id) and one Line: the Function (name from the symbolizer,
 *     source file) and line number, so pprof needs no binaries;
 *   - comments: the header's service, env, version and tags.
 * The recorder's own frames are stripped, as in every report.
 *
 * Samples are kept as they come (a small record each) and merged at the
 * end; the profile is built in memory (cmd/protobuf.h), then gzipped with
 * zlib and written out.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cmd/escape.h"
#include "cmd/export.h"
#include "cmd/idmap.h"
#include "cmd/intern.h"
#include "cmd/out.h"
#include "cmd/protobuf.h"
#include "lib/grow.h"

/* profile.proto field numbers */
enum {
	P_SAMPLE_TYPE = 1, P_SAMPLE = 2, P_MAPPING = 3, P_LOCATION = 4, P_FUNCTION = 5,
	P_STRING_TABLE = 6, P_TIME_NANOS = 9, P_DURATION_NANOS = 10, P_PERIOD_TYPE = 11,
	P_PERIOD = 12, P_COMMENT = 13, P_DEFAULT_SAMPLE_TYPE = 14,
	VT_TYPE = 1, VT_UNIT = 2,
	S_LOCATION_ID = 1, S_VALUE = 2, S_LABEL = 3,
	L_KEY = 1, L_STR = 2, L_NUM = 3,
	M_ID = 1, M_START = 2, M_LIMIT = 3, M_OFFSET = 4, M_FILENAME = 5, M_BUILD_ID = 6,
	M_HAS_FUNCTIONS = 7, M_HAS_FILENAMES = 8, M_HAS_LINE_NUMBERS = 9,
	LOC_ID = 1, LOC_MAPPING_ID = 2, LOC_ADDRESS = 3, LOC_LINE = 4,
	LINE_FUNCTION_ID = 1, LINE_LINE = 2,
	F_ID = 1, F_NAME = 2, F_SYSTEM_NAME = 3, F_FILENAME = 4,
};

struct psample {
	uint32_t stack;
	uint64_t span_id;
	uint8_t trace_id[16];
	const char *span, *task; /* model-interned (NULL: none) */
	uint64_t tid;
	uint64_t count, cpu_ns;
};

struct pprof {
	const struct export_info *info;
	struct psample *v;
	size_t n, cap;
	/* the string table: interned string -> index + 1 */
	struct interner strs;
	struct idmap str_idx;
	const char **str_list;
	size_t n_strs, cap_strs;
	struct idmap loc_of_pc, fn_of_name; /* -> id */
	uint64_t n_locs, n_fns;
	struct pb_buf locs, fns; /* Location and Function messages, in order */
	bool oom;
};


/* The string table index of s, as plain text: profile.proto is proto3,
 * whose strings must be UTF-8 (readers built from it reject the profile),
 * and a name from the trace may be any bytes. */
static int64_t str_of(struct pprof *p, const char *s)
{
	char *e = text_plain_dup(s, strlen(s));
	struct intern_str i = e ? intern_str(&p->strs, e, strlen(e)) : (struct intern_str){0};
	free(e);
	if (!i.s) {
		p->oom = true;
		return 0;
	}
	uintptr_t k = (uintptr_t)idmap_get(&p->str_idx, (uint64_t)(uintptr_t)i.s);
	if (k)
		return (int64_t)k - 1;
	if (!lot_grow((void **)&p->str_list, &p->cap_strs, p->n_strs, sizeof *p->str_list) ||
	    idmap_put(&p->str_idx, (uint64_t)(uintptr_t)i.s, (void *)(uintptr_t)(p->n_strs + 1))) {
		p->oom = true;
		return 0;
	}
	p->str_list[p->n_strs] = i.s;
	return (int64_t)p->n_strs++;
}

static void *begin(const struct export_info *info)
{
	struct pprof *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->info = info;
	str_of(p, ""); /* index 0 is always "" */
	if (p->oom) {
		free(p);
		return NULL;
	}
	return p;
}

static void sample(void *st, const struct model_sample *sm)
{
	struct pprof *p = st;
	if (!lot_grow((void **)&p->v, &p->cap, p->n, sizeof *p->v)) {
		p->oom = true;
		return;
	}
	struct psample *s = &p->v[p->n++];
	*s = (struct psample){.stack = sm->stack, .span_id = sm->span_id, .tid = sm->tid,
			      .count = 1, .cpu_ns = sm->cpu_ns};
	memcpy(s->trace_id, sm->trace_id, 16);
	s->span = sm->span_id ? sm->span_name.s : NULL;
	s->task = sm->task ? sm->task->name.s : NULL;
}

static int cmp_u64(uint64_t a, uint64_t b) { return (a > b) - (a < b); }

static int by_labels(const void *a, const void *b)
{
	const struct psample *x = a, *y = b;
	int c = cmp_u64(x->stack, y->stack);
	if (!c)
		c = cmp_u64(x->span_id, y->span_id);
	if (!c)
		c = memcmp(x->trace_id, y->trace_id, 16);
	if (!c)
		c = cmp_u64((uintptr_t)x->span, (uintptr_t)y->span);
	if (!c)
		c = cmp_u64((uintptr_t)x->task, (uintptr_t)y->task);
	if (!c)
		c = cmp_u64(x->tid, y->tid);
	return c;
}

static uint64_t mapping_of(const struct pprof *p, unsigned proc, uint64_t pc)
{
	if (proc)
		return 0; /* the mappings are the first file's (one profile, one binary set) */
	const struct lot_file_header *h = model_header(p->info->model);
	for (size_t i = 0; i < h->n_modules; i++)
		if (pc >= h->modules[i].start && pc < h->modules[i].end)
			return i + 1;
	return 0;
}

/* The Function id for a name and source file. */
static uint64_t function_of(struct pprof *p, const char *name, const char *file)
{
	char key[1024];
	snprintf(key, sizeof key, "%s\n%s", name, file);
	struct intern_str k = intern_str(&p->strs, key, strlen(key));
	if (!k.s) {
		p->oom = true;
		return 0;
	}
	uintptr_t id = (uintptr_t)idmap_get(&p->fn_of_name, (uint64_t)(uintptr_t)k.s);
	if (id)
		return id;
	id = ++p->n_fns;
	if (idmap_put(&p->fn_of_name, (uint64_t)(uintptr_t)k.s, (void *)id))
		p->oom = true;
	int64_t n = str_of(p, name);
	size_t f = pb_open(&p->fns, P_FUNCTION);
	pb_varint(&p->fns, F_ID, id);
	pb_varint(&p->fns, F_NAME, (uint64_t)n);
	pb_varint(&p->fns, F_SYSTEM_NAME, (uint64_t)n);
	if (*file)
		pb_varint(&p->fns, F_FILENAME, (uint64_t)str_of(p, file));
	pb_close(&p->fns, f);
	return id;
}

/* The Location id for a PC (made on first use); PC 0 stands for a sample
 * without a stack, as "[no stack]" in the other reports. */
static uint64_t location_of(struct pprof *p, unsigned proc, uint64_t pc, bool exact)
{
	/* a PC of another file (process) is another location, and so is the
	 * interrupted instruction at the same address as a return address (the
	 * top bit is never set in a user-space address) */
	uint64_t key = (pc | (exact ? 1ull << 63 : 0)) ^ ((uint64_t)proc * 0x9E3779B97F4A7C15ull);
	uintptr_t id = (uintptr_t)idmap_get(&p->loc_of_pc, key);
	if (id)
		return id;
	id = ++p->n_locs;
	if (idmap_put(&p->loc_of_pc, key, (void *)id))
		p->oom = true;
	struct symbolizer *sym = export_sym_of(p->info, proc);
	char file[512] = "";
	int line = pc ? sym_line(sym, pc, exact, file, sizeof file) : 0;
	uint64_t fn = function_of(p, pc ? sym_frame_name(sym, pc, exact) : "[no stack]", file);
	size_t l = pb_open(&p->locs, P_LOCATION);
	pb_varint(&p->locs, LOC_ID, id);
	uint64_t m = mapping_of(p, proc, pc);
	if (m)
		pb_varint(&p->locs, LOC_MAPPING_ID, m);
	pb_varint(&p->locs, LOC_ADDRESS, pc);
	size_t ln = pb_open(&p->locs, LOC_LINE);
	pb_varint(&p->locs, LINE_FUNCTION_ID, fn);
	if (line > 0)
		pb_varint(&p->locs, LINE_LINE, (uint64_t)line);
	pb_close(&p->locs, ln);
	pb_close(&p->locs, l);
	return id;
}

static void value_type(struct pprof *p, struct pb_buf *b, uint32_t field, const char *type,
		       const char *unit)
{
	size_t o = pb_open(b, field);
	pb_varint(b, VT_TYPE, (uint64_t)str_of(p, type));
	pb_varint(b, VT_UNIT, (uint64_t)str_of(p, unit));
	pb_close(b, o);
}

static void label_str(struct pprof *p, struct pb_buf *b, const char *key, const char *val)
{
	size_t o = pb_open(b, S_LABEL);
	pb_varint(b, L_KEY, (uint64_t)str_of(p, key));
	pb_varint(b, L_STR, (uint64_t)str_of(p, val));
	pb_close(b, o);
}

static void write_sample(struct pprof *p, struct pb_buf *b, const struct psample *s)
{
	size_t n;
	const uint64_t *raw = model_stack(p->info->model, s->stack, &n);
	unsigned proc = model_stack_proc(p->info->model, s->stack);
	const uint64_t *pcs = raw ? sym_program_stack(export_sym_of(p->info, proc), raw, &n) : NULL;
	if (!pcs)
		n = 0;
	/* the first PC is the interrupted instruction, unless the recorder's
	 * frames were left out before it */
	bool exact = pcs == raw;
	uint64_t ids[256];
	size_t k = 0;
	for (size_t i = 0; i < n && k < 256; i++)
		ids[k++] = location_of(p, proc, pcs[i], i == 0 && exact);
	if (!k)
		ids[k++] = location_of(p, proc, 0, false);
	size_t o = pb_open(b, P_SAMPLE);
	for (size_t i = 0; i < k; i++)
		pb_varint(b, S_LOCATION_ID, ids[i]);
	pb_varint(b, S_VALUE, s->count);
	pb_varint(b, S_VALUE, s->cpu_ns);
	if (s->span_id) {
		char hex[33], id[17];
		lot_trace_id_hex(s->trace_id, hex);
		snprintf(id, sizeof id, "%016" PRIx64, s->span_id);
		label_str(p, b, "trace_id", hex);
		label_str(p, b, "span_id", id);
		if (s->span && *s->span) /* pprof drops a label whose value is "" */
			label_str(p, b, "span", s->span);
	}
	if (s->task)
		label_str(p, b, "task", s->task);
	size_t l = pb_open(b, S_LABEL);
	pb_varint(b, L_KEY, (uint64_t)str_of(p, "thread"));
	pb_varint(b, L_NUM, s->tid);
	pb_close(b, l);
	pb_close(b, o);
}

static void write_mappings(struct pprof *p, struct pb_buf *b)
{
	const struct lot_file_header *h = model_header(p->info->model);
	if (!h->n_modules) {
		/* no module map (a trace without stacks): pprof still wants a
		 * main binary to name, or it warns */
		const char *exe = NULL;
		for (size_t i = 0; i < h->n_meta; i++)
			if (!strcmp(h->meta[i].key, "exe"))
				exe = h->meta[i].value;
		size_t o = pb_open(b, P_MAPPING);
		pb_varint(b, M_ID, 1);
		pb_varint(b, M_FILENAME, (uint64_t)str_of(p, exe && *exe ? exe : "unknown"));
		pb_varint(b, M_HAS_FUNCTIONS, 1);
		pb_close(b, o);
		return;
	}
	for (size_t i = 0; i < h->n_modules; i++) {
		const struct lot_module *m = &h->modules[i];
		char bid[129] = "";
		for (size_t k = 0; k < m->build_id_len && k < 64; k++)
			snprintf(bid + 2 * k, 3, "%02x", m->build_id[k]);
		size_t o = pb_open(b, P_MAPPING);
		pb_varint(b, M_ID, i + 1);
		pb_varint(b, M_START, m->start);
		pb_varint(b, M_LIMIT, m->end);
		pb_varint(b, M_OFFSET, m->offset);
		pb_varint(b, M_FILENAME, (uint64_t)str_of(p, m->path ? m->path : ""));
		pb_varint(b, M_BUILD_ID, (uint64_t)str_of(p, bid));
		/* symbolized here: pprof must not look for the binaries */
		pb_varint(b, M_HAS_FUNCTIONS, 1);
		pb_varint(b, M_HAS_FILENAMES, 1);
		pb_varint(b, M_HAS_LINE_NUMBERS, 1);
		pb_close(b, o);
	}
}

static void write_comments(struct pprof *p, struct pb_buf *b)
{
	static const char *const keys[] = {"service", "env", "version", "tags"};
	const struct lot_file_header *h = model_header(p->info->model);
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		for (size_t i = 0; i < h->n_meta; i++) {
			if (strcmp(h->meta[i].key, keys[k]) || !h->meta[i].value || !*h->meta[i].value)
				continue;
			char c[1024];
			snprintf(c, sizeof c, "%s=%s", keys[k], h->meta[i].value);
			pb_varint(b, P_COMMENT, (uint64_t)str_of(p, c));
		}
	}
}

/* gzip the parts, one after the other (a message's fields may come in any
 * order, repeated ones keep theirs), and write them out; false on a zlib
 * failure. */
static bool write_gzip(struct pb_buf *const *parts, size_t n)
{
	z_stream z = {0};
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return false;
	unsigned char chunk[65536];
	int rc = Z_OK;
	for (size_t i = 0; i < n && rc != Z_STREAM_ERROR; i++) {
		int flush = i + 1 == n ? Z_FINISH : Z_NO_FLUSH;
		z.next_in = parts[i]->data;
		z.avail_in = (uInt)parts[i]->len;
		do {
			z.next_out = chunk;
			z.avail_out = sizeof chunk;
			rc = deflate(&z, flush);
			out_write(chunk, sizeof chunk - z.avail_out);
		} while (z.avail_out == 0 && rc != Z_STREAM_ERROR);
	}
	deflateEnd(&z);
	return rc == Z_STREAM_END;
}

static void pprof_free(struct pprof *p)
{
	free(p->v);
	free(p->str_list);
	idmap_free(&p->str_idx);
	idmap_free(&p->loc_of_pc);
	idmap_free(&p->fn_of_name);
	intern_free(&p->strs);
	pb_free(&p->locs);
	pb_free(&p->fns);
	free(p);
}

static int finish(void *st, const struct model_summary *sum)
{
	struct pprof *p = st;
	struct pb_buf head = {0}, samples = {0}, maps = {0}, tail = {0}, strs = {0};
	value_type(p, &head, P_SAMPLE_TYPE, "samples", "count");
	value_type(p, &head, P_SAMPLE_TYPE, "cpu", "nanoseconds");
	if (p->n > 1)
		qsort(p->v, p->n, sizeof *p->v, by_labels);
	size_t m = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (m && !by_labels(&p->v[m - 1], &p->v[i])) {
			p->v[m - 1].count += p->v[i].count;
			p->v[m - 1].cpu_ns += p->v[i].cpu_ns;
		} else {
			p->v[m++] = p->v[i];
		}
	}
	for (size_t i = 0; i < m; i++)
		write_sample(p, &samples, &p->v[i]);
	write_mappings(p, &maps);
	pb_varint(&tail, P_TIME_NANOS, sum->start_real_ns + (uint64_t)(sum->start_ns > 0 ? sum->start_ns : 0));
	pb_varint(&tail, P_DURATION_NANOS, (uint64_t)(sum->end_ns - sum->start_ns));
	value_type(p, &tail, P_PERIOD_TYPE, "cpu", "nanoseconds");
	pb_varint(&tail, P_PERIOD, sum->cpu_period_ns);
	write_comments(p, &tail);
	pb_varint(&tail, P_DEFAULT_SAMPLE_TYPE, (uint64_t)str_of(p, "cpu"));
	for (size_t i = 0; i < p->n_strs; i++) /* last: every string is known */
		pb_string(&strs, P_STRING_TABLE, p->str_list[i]);
	struct pb_buf *parts[] = {&head, &samples, &maps, &p->locs, &p->fns, &tail, &strs};
	bool ok = !p->oom;
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		ok = ok && !pb_failed(parts[i]);
	if (ok)
		ok = write_gzip(parts, sizeof parts / sizeof parts[0]);
	fprintf(stderr, "lotrace export: %" PRIu64 " cpu samples (%zu distinct stacks and labels), %" PRIu64
		" dropped by the recorder%s\n", sum->cpu_samples, m, sum->cpu_samples_dropped,
		sum->cpu_samples ? "" : ": the trace has none (record with LOTRACE_CPU_HZ)");
	pb_free(&head);
	pb_free(&samples);
	pb_free(&maps);
	pb_free(&tail);
	pb_free(&strs);
	pprof_free(p);
	return ok ? 0 : -1;
}

const struct export_format export_pprof = {
	.name = "pprof profile",
	.begin = begin,
	.sample = sample,
	.finish = finish,
};
