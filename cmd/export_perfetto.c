/*
 * `lotrace export --format perfetto`: Perfetto's protobuf trace format
 * (protos/perfetto/trace/trace.proto), streamed one TracePacket at a time.
 * Smaller and faster to load than JSON: names are interned (each written
 * once, then referred to by number), timestamps are varints.
 *
 * One packet sequence (trusted_packet_sequence_id 1): the first packet
 * clears the incremental state and says the trace's clock is
 * CLOCK_MONOTONIC (a ClockSnapshot with primary_trace_clock, and
 * TracePacketDefaults that name that clock for every timestamp); every
 * later packet says it needs that state (the defaults, interned names and
 * stacks).  A packet's new interned entries go in
 * its one InternedData: the field is not repeated, and Perfetto's reader
 * keeps only the last of several.  Stacks are interned strings (one per
 * distinct stack, frames one per line).  Tracks (TrackDescriptor) are
 * written once, before their first event: the process and its threads
 * (named from the model), a pseudo-process "tasks" with, per task name, a
 * group track and lanes under it that tasks reuse once their last task
 * ended (a task per request would otherwise be a track per request),
 * counter tracks, and async tracks ("spans") for spans that do not nest on
 * their thread.  Several files: all that per file (threads, lanes, groups
 * and counters keyed by file, BY_PROC), and an arrow ("request" marks)
 * from each span to its children in other processes.  The layout is the
 * one cmd/export.h states;
 * the summary is an instant "lotrace summary" at the trace's end with the
 * span, losses and damage as its annotations.
 *
 * Field numbers are Perfetto's (stable: protobuf fields never change).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/escape.h"
#include "lib/buf.h"
#include "cmd/export.h"
#include "cmd/idmap.h"
#include "cmd/intern.h"
#include "cmd/lanes.h"
#include "cmd/out.h"
#include "cmd/protobuf.h"
#include "cmd/remote_links.h"
#include "cmd/sources.h"

enum {
	TRACE_PACKET = 1,
	/* TracePacket */
	PKT_TIMESTAMP = 8,
	PKT_SEQUENCE_ID = 10,
	PKT_TRACK_EVENT = 11,
	PKT_INTERNED_DATA = 12,
	PKT_SEQUENCE_FLAGS = 13,
	PKT_TRACK_DESCRIPTOR = 60,
	PKT_CLOCK_SNAPSHOT = 6,
	PKT_TIMESTAMP_CLOCK_ID = 58, /* in TracePacketDefaults too */
	PKT_DEFAULTS = 59,
	/* ClockSnapshot, Clock */
	CS_CLOCKS = 1,
	CS_PRIMARY_TRACE_CLOCK = 2,
	CLOCK_ID = 1,
	CLOCK_TIMESTAMP = 2,
	BUILTIN_CLOCK_MONOTONIC = 3,
	SEQ_INCREMENTAL_STATE_CLEARED = 1,
	SEQ_NEEDS_INCREMENTAL_STATE = 2,
	/* TrackDescriptor */
	TD_UUID = 1,
	TD_NAME = 2,
	TD_PROCESS = 3,
	TD_THREAD = 4,
	TD_PARENT_UUID = 5,
	TD_COUNTER = 8,
	PD_PID = 1,
	PD_PROCESS_NAME = 6,
	THD_PID = 1,
	THD_TID = 2,
	THD_THREAD_NAME = 5,
	/* TrackEvent */
	TE_DEBUG_ANNOTATIONS = 4,
	TE_TYPE = 9,
	TE_NAME_IID = 10,
	TE_TRACK_UUID = 11,
	TE_CATEGORIES = 22,
	TE_COUNTER_VALUE = 30,
	TE_FLOW_IDS = 47,
	TE_TERMINATING_FLOW_IDS = 48,
	TYPE_SLICE_BEGIN = 1,
	TYPE_SLICE_END = 2,
	TYPE_INSTANT = 3,
	TYPE_COUNTER = 4,
	/* DebugAnnotation */
	DA_NAME_IID = 1,
	DA_INT_VALUE = 4,
	DA_STRING_VALUE = 6,
	DA_NAME = 10,
	DA_UINT_VALUE = 3,
	DA_STRING_VALUE_IID = 17,
	/* InternedData, EventName */
	ID_EVENT_NAMES = 2,
	ID_DEBUG_ANNOTATION_NAMES = 3,
	ID_DEBUG_ANNOTATION_STRING_VALUES = 29,
	IS_IID = 1,
	IS_STR = 2,
	EN_IID = 1,
	EN_NAME = 2,
};

/* Track uuids: a number, then a kind in the low 4 bits (a uuid is a varint
 * in every event: a kind in the top byte made each one 9 bytes). */
#define UUID_OF(kind, n) (((uint64_t)(n) << 4) | (kind))
#define UUID_PROCESS UUID_OF(8, 0)
#define UUID_TASKS UUID_OF(9, 0)
#define UUID_SUMMARY UUID_OF(10, 0)
#define UUID_THREAD(tid) UUID_OF(1, tid)
#define UUID_TASK_LANE(n) UUID_OF(2, n)
#define UUID_COUNTER(n) UUID_OF(3, n)
#define UUID_LANE(n) UUID_OF(4, n)
#define UUID_TASK_GROUP(n) UUID_OF(5, n)
/* Several files: the processes of the second and later files, and a thread,
 * lane or name told apart by file. */
#define UUID_PROC(proc) ((proc) ? UUID_OF(6, 2ull * (proc)) : UUID_PROCESS)
#define UUID_PROC_TASKS(proc) ((proc) ? UUID_OF(6, 2ull * (proc) + 1) : UUID_TASKS)
#define BY_PROC(proc, n) ((n) ^ ((uint64_t)(proc) << 40))

struct wake {
	int64_t ns;
	struct model_waker waker;
};

/* Tasks of one name share lanes: a lane is free again once the task on it
 * ended (free_at), for a task that starts at or after that. */
struct task_lane {
	uint64_t uuid;
	int64_t free_at;
	bool busy;
};

struct task_group {
	uint64_t uuid;
	struct task_lane **lanes;
	size_t n;
};

struct perfetto {
	const struct export_info *info;
	struct pb_buf pkt;
	bool first_packet;
	/* the packet's one InternedData, open while entries are added to it:
	 * a reader keeps only the last of several (the field is not repeated) */
	size_t interned_at;
	bool interned_open;
	struct interner names;   /* this file's names, escaped: stable pointers */
	struct idmap name_iids;  /* interned name pointer -> iid */
	struct idmap escaped;    /* model name pointer -> interned escaped name */
	uint64_t next_iid;
	struct idmap threads;    /* BY_PROC(proc, tid) -> struct lane (spans nesting there); known tracks */
	struct idmap thread_names; /* BY_PROC(proc, tid) -> the name its descriptor gave (interned) */
	struct idmap tasks;      /* live task key -> struct task_lane * it runs on */
	struct idmap groups;     /* BY_PROC(proc, task name pointer) -> struct task_group */
	uint64_t n_groups, n_task_lanes;
	struct idmap stack_iids; /* model stack id -> interned string iid */
	struct idmap text_iids;  /* annotation string (interned in names) -> its iid */
	uint64_t next_text_iid;
	struct idmap counters;   /* BY_PROC(proc, counter name pointer) -> uuid number */
	uint64_t n_counters;
	struct lane_set *lanes;  /* per file: async tracks for spans */
	size_t *lanes_written;
	unsigned n_procs;
	struct remote_links remote; /* several files: arrows to children in other processes */
	struct idmap wakes;      /* task key -> struct wake */
	uint64_t next_flow;
	bool oom;
};

/* A fact's file, as an index into the per-file arrays. */
static unsigned proc_of(const struct perfetto *p, unsigned proc)
{
	return proc < p->n_procs ? proc : 0;
}

/* ---- packets ---- */

/* A packet, at ns (INT64_MIN: none).  The first one clears the sequence's
 * incremental state and sets its defaults (the clock of every timestamp);
 * every later one needs that state, defaults included. */
static size_t packet_open(struct perfetto *p, int64_t ns)
{
	pb_reset(&p->pkt);
	p->interned_open = false;
	size_t at = pb_open(&p->pkt, TRACE_PACKET);
	if (ns != INT64_MIN) {
		int64_t abs = (int64_t)p->info->base_ns + ns;
		pb_varint(&p->pkt, PKT_TIMESTAMP, abs > 0 ? (uint64_t)abs : 0);
	}
	pb_varint(&p->pkt, PKT_SEQUENCE_ID, 1);
	if (p->first_packet) {
		pb_varint(&p->pkt, PKT_SEQUENCE_FLAGS, SEQ_INCREMENTAL_STATE_CLEARED);
		size_t d = pb_open(&p->pkt, PKT_DEFAULTS);
		pb_varint(&p->pkt, PKT_TIMESTAMP_CLOCK_ID, BUILTIN_CLOCK_MONOTONIC);
		pb_close(&p->pkt, d);
	} else {
		pb_varint(&p->pkt, PKT_SEQUENCE_FLAGS, SEQ_NEEDS_INCREMENTAL_STATE);
	}
	p->first_packet = false;
	return at;
}

/* Where a new interned entry goes: the packet's InternedData, opened by
 * the first entry. */
static void interned_add(struct perfetto *p)
{
	if (p->interned_open)
		return;
	p->interned_at = pb_open(&p->pkt, PKT_INTERNED_DATA);
	p->interned_open = true;
}

/* No more entries in this packet (its track event follows). */
static void interned_done(struct perfetto *p)
{
	if (p->interned_open)
		pb_close(&p->pkt, p->interned_at);
	p->interned_open = false;
}

static void packet_close(struct perfetto *p, size_t at)
{
	interned_done(p);
	pb_close(&p->pkt, at);
	if (pb_failed(&p->pkt)) {
		p->oom = true;
		return;
	}
	out_write(p->pkt.data, p->pkt.len);
}

/* ---- names ---- */

/* The escaped, interned copy of a name from the trace (cached per pointer). */
static const char *clean_name(struct perfetto *p, const char *s, size_t n)
{
	const char *hit = idmap_get(&p->escaped, (uint64_t)(uintptr_t)s);
	if (hit)
		return hit;
	char *e = text_plain_dup(s, n);
	struct intern_str is = e ? intern_str(&p->names, e, strlen(e)) : (struct intern_str){0};
	free(e);
	if (!is.s || idmap_put(&p->escaped, (uint64_t)(uintptr_t)s, (void *)is.s) < 0) {
		p->oom = true;
		return "?";
	}
	return is.s;
}

/* A name built here ("blocked: io"): interned as is. */
static const char *own_name(struct perfetto *p, const char *s)
{
	struct intern_str is = intern_str(&p->names, s, strlen(s));
	if (!is.s) {
		p->oom = true;
		return "?";
	}
	return is.s;
}

/* The iid of an interned name; a new one is defined in this packet's
 * InternedData (written before the track_event, as Perfetto's writer does). */
static uint64_t name_iid(struct perfetto *p, const char *interned)
{
	uint64_t iid = (uint64_t)(uintptr_t)idmap_get(&p->name_iids, (uint64_t)(uintptr_t)interned);
	if (iid)
		return iid;
	iid = ++p->next_iid;
	if (idmap_put(&p->name_iids, (uint64_t)(uintptr_t)interned, (void *)(uintptr_t)iid) < 0)
		p->oom = true;
	interned_add(p);
	size_t en = pb_open(&p->pkt, ID_EVENT_NAMES);
	pb_varint(&p->pkt, EN_IID, iid);
	pb_string(&p->pkt, EN_NAME, interned);
	pb_close(&p->pkt, en);
	return iid;
}

/* ---- tracks ---- */

static void write_track(struct perfetto *p, uint64_t uuid, uint64_t parent, const char *name,
			bool counter)
{
	size_t at = packet_open(p, INT64_MIN);
	size_t td = pb_open(&p->pkt, PKT_TRACK_DESCRIPTOR);
	pb_varint(&p->pkt, TD_UUID, uuid);
	if (parent)
		pb_varint(&p->pkt, TD_PARENT_UUID, parent);
	pb_string(&p->pkt, TD_NAME, name);
	if (counter)
		pb_close(&p->pkt, pb_open(&p->pkt, TD_COUNTER));
	pb_close(&p->pkt, td);
	packet_close(p, at);
}

static void write_process(struct perfetto *p, uint64_t uuid, uint64_t pid, const char *name)
{
	size_t at = packet_open(p, INT64_MIN);
	size_t td = pb_open(&p->pkt, PKT_TRACK_DESCRIPTOR);
	pb_varint(&p->pkt, TD_UUID, uuid);
	size_t pd = pb_open(&p->pkt, TD_PROCESS);
	pb_varint(&p->pkt, PD_PID, pid);
	pb_string(&p->pkt, PD_PROCESS_NAME, name);
	pb_close(&p->pkt, pd);
	pb_close(&p->pkt, td);
	packet_close(p, at);
}

static void write_thread(struct perfetto *p, unsigned proc, uint64_t tid, const char *name)
{
	size_t at = packet_open(p, INT64_MIN);
	size_t td = pb_open(&p->pkt, PKT_TRACK_DESCRIPTOR);
	pb_varint(&p->pkt, TD_UUID, UUID_THREAD(BY_PROC(proc, tid)));
	pb_varint(&p->pkt, TD_PARENT_UUID, UUID_PROC(proc));
	size_t thd = pb_open(&p->pkt, TD_THREAD);
	pb_varint(&p->pkt, THD_PID, export_pid(p->info, proc));
	pb_varint(&p->pkt, THD_TID, tid);
	if (name)
		pb_string(&p->pkt, THD_THREAD_NAME, name);
	pb_close(&p->pkt, thd);
	pb_close(&p->pkt, td);
	packet_close(p, at);
}

/* The thread's descriptor, again only if its name changed since. */
static void name_thread(struct perfetto *p, unsigned proc, uint64_t tid, struct model_str name)
{
	const char *n = name.n ? clean_name(p, name.s, name.n) : NULL;
	uint64_t key = BY_PROC(proc, tid);
	if (idmap_get(&p->thread_names, key) == n && idmap_get(&p->threads, key))
		return;
	if (n && idmap_put(&p->thread_names, key, (void *)n) < 0)
		p->oom = true;
	write_thread(p, proc, tid, n);
}

/* The thread's track (written on first use, with the name the model knows
 * by then) and its span lane. */
static struct lane *thread_track(struct perfetto *p, unsigned proc, uint64_t tid)
{
	struct lane *l = idmap_get(&p->threads, BY_PROC(proc, tid));
	if (l)
		return l;
	l = calloc(1, sizeof *l);
	if (!l) {
		p->oom = true;
		return NULL;
	}
	name_thread(p, proc, tid, model_thread_name(p->info->model, proc, tid));
	if (idmap_put(&p->threads, BY_PROC(proc, tid), l) < 0) {
		free(l);
		p->oom = true;
		return NULL;
	}
	return l;
}

/* The lane a task's states go on: chosen at its first interval (starting
 * at start_ns) among its name's lanes, kept until the task is done. */
static uint64_t task_track(struct perfetto *p, const struct model_task *t, int64_t start_ns)
{
	struct task_lane *tl = idmap_get(&p->tasks, t->key);
	if (tl)
		return tl->uuid;
	unsigned proc = proc_of(p, t->proc);
	uint64_t gkey = BY_PROC(proc, (uint64_t)(uintptr_t)t->name.s);
	struct task_group *g = idmap_get(&p->groups, gkey);
	if (!g) {
		g = calloc(1, sizeof *g);
		if (!g || idmap_put(&p->groups, gkey, g) < 0) {
			free(g);
			p->oom = true;
			return UUID_PROC_TASKS(proc);
		}
		g->uuid = UUID_TASK_GROUP(++p->n_groups);
		write_track(p, g->uuid, UUID_PROC_TASKS(proc),
			    t->name.n ? clean_name(p, t->name.s, t->name.n) : "task", false);
	}
	for (size_t i = 0; i < g->n && !tl; i++)
		if (!g->lanes[i]->busy && g->lanes[i]->free_at <= start_ns)
			tl = g->lanes[i];
	if (!tl) {
		struct task_lane **v = realloc(g->lanes, (g->n + 1) * sizeof *v);
		tl = calloc(1, sizeof *tl);
		if (!v || !tl) {
			free(tl);
			if (v)
				g->lanes = v;
			p->oom = true;
			return g->uuid;
		}
		g->lanes = v;
		g->lanes[g->n++] = tl;
		tl->uuid = UUID_TASK_LANE(++p->n_task_lanes);
		char name[300];
		snprintf(name, sizeof name, "%.250s %zu",
			 t->name.n ? clean_name(p, t->name.s, t->name.n) : "task", g->n);
		write_track(p, tl->uuid, g->uuid, name, false);
	}
	tl->busy = true;
	if (idmap_put(&p->tasks, t->key, tl) < 0)
		p->oom = true;
	return tl->uuid;
}

/* "request #25", "main (thread 14745)": which task a shared lane's slice is. */
static void task_label(char *buf, size_t cap, struct model_str name, uint64_t id, uint64_t tid)
{
	int n = (int)(name.n < 200 ? name.n : 200);
	if (id)
		snprintf(buf, cap, "%.*s #%llu", n, name.s, (unsigned long long)id);
	else
		snprintf(buf, cap, "%.*s (thread %llu)", n, name.s, (unsigned long long)tid);
}

/* ---- annotations ---- */

/* The annotation names every event repeats, interned once in the first
 * packet (iid = index + 1); attribute keys are written out. */
static const char *const ann_names[] = {
	"thread", "reason", "detail", "woken_by", "waker_thread", "open_at_trace_end", "stack",
	"span_id", "parent_span_id", "trace_id", "task", "begin_thread", "end_thread",
	"running_ns", "runnable_ns", "blocked_ns", "hosting_ns", "unknown_ns", "wakes", "count",
};
#define N_ANN_NAMES (sizeof ann_names / sizeof ann_names[0])

static void intern_ann_names(struct perfetto *p)
{
	size_t at = packet_open(p, INT64_MIN);
	size_t id = pb_open(&p->pkt, PKT_INTERNED_DATA);
	for (size_t i = 0; i < N_ANN_NAMES; i++) {
		size_t dn = pb_open(&p->pkt, ID_DEBUG_ANNOTATION_NAMES);
		pb_varint(&p->pkt, EN_IID, i + 1);
		pb_string(&p->pkt, EN_NAME, ann_names[i]);
		pb_close(&p->pkt, dn);
	}
	pb_close(&p->pkt, id);
	packet_close(p, at);
}

static void ann_name(struct perfetto *p, const char *key)
{
	for (size_t i = 0; i < N_ANN_NAMES; i++)
		if (!strcmp(key, ann_names[i])) {
			pb_varint(&p->pkt, DA_NAME_IID, i + 1);
			return;
		}
	pb_string(&p->pkt, DA_NAME, key);
}

/* ---- events ---- */

struct event {
	size_t packet, te;
};

/* The iid of an annotation string value (already escaped): interned once,
 * in the current packet's InternedData (before its track event), the first
 * time it is used.  0 on ENOMEM. */
static uint64_t clean_text_iid(struct perfetto *p, const char *s, size_t n)
{
	struct intern_str is = intern_str(&p->names, s, n);
	if (!is.s) {
		p->oom = true;
		return 0;
	}
	uint64_t iid = (uint64_t)(uintptr_t)idmap_get(&p->text_iids, (uint64_t)(uintptr_t)is.s);
	if (iid)
		return iid;
	iid = ++p->next_text_iid;
	if (idmap_put(&p->text_iids, (uint64_t)(uintptr_t)is.s, (void *)(uintptr_t)iid) < 0) {
		p->oom = true;
		return 0;
	}
	interned_add(p);
	size_t isd = pb_open(&p->pkt, ID_DEBUG_ANNOTATION_STRING_VALUES);
	pb_varint(&p->pkt, IS_IID, iid);
	pb_bytes(&p->pkt, IS_STR, is.s, is.n);
	pb_close(&p->pkt, isd);
	return iid;
}

/* A stack's text, frames (without the recorder's) one per line, interned
 * once per stack in this packet's InternedData: its iid, 0 for none. */
static uint64_t stack_iid(struct perfetto *p, uint32_t stack)
{
	if (!stack)
		return 0;
	uint64_t iid = (uint64_t)(uintptr_t)idmap_get(&p->stack_iids, stack);
	if (iid)
		return iid;
	size_t n;
	const uint64_t *pcs = export_stack(p->info, stack, &n);
	if (!pcs)
		return 0;
	unsigned proc = model_stack_proc(p->info->model, stack);
	struct lot_buf text = {0};
	for (size_t i = 0; i < n; i++) {
		const char *f = export_frame_of(p->info, proc, pcs[i]);
		char *e = text_plain_dup(f, strlen(f));
		if (i)
			lot_buf_u8(&text, '\n');
		if (e)
			lot_buf_append(&text, e, strlen(e));
		free(e);
	}
	/* stacks that differ only in the recorder's frames read the same */
	iid = lot_buf_ok(&text) ? clean_text_iid(p, (const char *)text.data, text.len) : 0;
	lot_buf_free(&text);
	if (!iid || idmap_put(&p->stack_iids, stack, (void *)(uintptr_t)iid) < 0)
		p->oom = true;
	return iid;
}

/* The iid of an annotation string from the trace (escaped first). */
static uint64_t text_iid(struct perfetto *p, const char *s, size_t n)
{
	char *e = text_plain_dup(s, n);
	uint64_t iid = e ? clean_text_iid(p, e, strlen(e)) : 0;
	free(e);
	if (!e)
		p->oom = true;
	return iid;
}

/* An annotation whose string value repeats (task names, reasons): interned. */
struct istr {
	const char *key;
	const char *s;
	size_t n;
};

static void ann_iid(struct perfetto *p, const char *key, uint64_t iid)
{
	size_t da = pb_open(&p->pkt, TE_DEBUG_ANNOTATIONS);
	ann_name(p, key);
	pb_varint(&p->pkt, DA_STRING_VALUE_IID, iid);
	pb_close(&p->pkt, da);
}

/* An event on a track, with its name and stack (both interned; either may
 * be NULL / 0) and the annotations pre[0..n_pre) (interned strings, NULL s:
 * none).  More annotations may follow; event_close() ends it. */
static struct event event_open_with(struct perfetto *p, int64_t ns, uint64_t track, int type,
				    const char *name, uint32_t stack, const struct istr *pre,
				    size_t n_pre)
{
	struct event e;
	e.packet = packet_open(p, ns);
	uint64_t iid = name ? name_iid(p, name) : 0;
	uint64_t siid = stack_iid(p, stack);
	uint64_t piid[4] = {0};
	for (size_t i = 0; i < n_pre && i < 4; i++)
		piid[i] = pre[i].s ? text_iid(p, pre[i].s, pre[i].n) : 0;
	interned_done(p);
	e.te = pb_open(&p->pkt, PKT_TRACK_EVENT);
	pb_varint(&p->pkt, TE_TYPE, (uint64_t)type);
	pb_varint(&p->pkt, TE_TRACK_UUID, track);
	if (iid)
		pb_varint(&p->pkt, TE_NAME_IID, iid);
	if (siid)
		ann_iid(p, "stack", siid);
	for (size_t i = 0; i < n_pre && i < 4; i++)
		if (piid[i])
			ann_iid(p, pre[i].key, piid[i]);
	return e;
}

static struct event event_open(struct perfetto *p, int64_t ns, uint64_t track, int type,
			       const char *name, uint32_t stack)
{
	return event_open_with(p, ns, track, type, name, stack, NULL, 0);
}

static void event_close(struct perfetto *p, struct event e)
{
	pb_close(&p->pkt, e.te);
	packet_close(p, e.packet);
}

static void ann_str(struct perfetto *p, const char *key, const char *s, size_t n)
{
	char *e = text_plain_dup(s, n);
	if (!e) {
		p->oom = true;
		return;
	}
	size_t da = pb_open(&p->pkt, TE_DEBUG_ANNOTATIONS);
	ann_name(p, key);
	pb_string(&p->pkt, DA_STRING_VALUE, e);
	pb_close(&p->pkt, da);
	free(e);
}

static void ann_int(struct perfetto *p, const char *key, int64_t v)
{
	size_t da = pb_open(&p->pkt, TE_DEBUG_ANNOTATIONS);
	ann_name(p, key);
	pb_varint(&p->pkt, DA_INT_VALUE, (uint64_t)v);
	pb_close(&p->pkt, da);
}

static void ann_hex(struct perfetto *p, const char *key, uint64_t v)
{
	char hex[24];
	snprintf(hex, sizeof hex, "%016llx", (unsigned long long)v);
	ann_str(p, key, hex, 16);
}

static void *perfetto_begin(const struct export_info *info)
{
	struct perfetto *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->info = info;
	p->first_packet = true;
	p->n_procs = info->src && info->src->n ? (unsigned)info->src->n : 1;
	p->lanes = calloc(p->n_procs, sizeof *p->lanes);
	p->lanes_written = calloc(p->n_procs, sizeof *p->lanes_written);
	if (!p->lanes || !p->lanes_written) {
		free(p->lanes);
		free(p->lanes_written);
		free(p);
		return NULL;
	}
	/* the first packet: the trace's clock is CLOCK_MONOTONIC */
	size_t at = packet_open(p, INT64_MIN);
	size_t cs = pb_open(&p->pkt, PKT_CLOCK_SNAPSHOT);
	size_t c = pb_open(&p->pkt, CS_CLOCKS);
	pb_varint(&p->pkt, CLOCK_ID, BUILTIN_CLOCK_MONOTONIC);
	pb_varint(&p->pkt, CLOCK_TIMESTAMP, info->base_ns);
	pb_close(&p->pkt, c);
	pb_varint(&p->pkt, CS_PRIMARY_TRACE_CLOCK, BUILTIN_CLOCK_MONOTONIC);
	pb_close(&p->pkt, cs);
	packet_close(p, at);
	intern_ann_names(p);
	for (unsigned i = 0; i < p->n_procs; i++) {
		const char *pn = export_process_name(info, i);
		char *e = i ? text_plain_dup(pn, strlen(pn)) : NULL; /* the first is escaped already */
		write_process(p, UUID_PROC(i), export_pid(info, i), e ? e : pn);
		char tn[300];
		snprintf(tn, sizeof tn, "tasks of %.250s", e ? e : pn);
		write_process(p, UUID_PROC_TASKS(i), export_pid(info, i) + EXPORT_TASKS_PID_OFFSET, tn);
		free(e);
	}
	return p;
}

static void perfetto_interval(void *st, const struct model_interval *iv)
{
	struct perfetto *p = st;
	const struct model_task *t = iv->task;
	uint64_t track = task_track(p, t, iv->start_ns);
	struct wake *w = idmap_del(&p->wakes, t->key);
	uint64_t flow = 0;
	if (w && w->ns == iv->start_ns) {
		/* the waker's mark first: at equal times the viewer keeps file order */
		flow = ++p->next_flow;
		const struct model_waker *wk = &w->waker;
		/* on the waker task's lane while it lives, else on its thread */
		const struct task_lane *wl = wk->task_key ? idmap_get(&p->tasks, wk->task_key) : NULL;
		/* (a waker is of the wakee's process) */
		unsigned proc = proc_of(p, t->proc);
		uint64_t from = wl ? wl->uuid : UUID_THREAD(BY_PROC(proc, wk->tid));
		if (!wl)
			thread_track(p, proc, wk->tid);
		char who[300];
		task_label(who, sizeof who, t->name, t->id, t->tid);
		struct istr pre[] = {{"wakes", who, strlen(who)}};
		struct event e = event_open_with(p, w->ns, from, TYPE_INSTANT, own_name(p, "unblock"),
						 wk->stack, pre, 1);
		pb_fixed64(&p->pkt, TE_FLOW_IDS, flow);
		ann_int(p, "thread", (int64_t)w->waker.tid);
		event_close(p, e);
	}
	free(w);

	char label[256];
	const char *sn = model_state_name(iv->state);
	if (iv->state == MODEL_BLOCKED && iv->reason.n) {
		char *r = text_plain_dup(iv->reason.s, iv->reason.n < 200 ? iv->reason.n : 200);
		snprintf(label, sizeof label, "%s: %s", sn, r ? r : "?");
		free(r);
	} else {
		snprintf(label, sizeof label, "%s", sn);
	}
	char who[300];
	task_label(who, sizeof who, t->name, t->id, t->tid);
	struct istr pre[] = {
		{"task", who, strlen(who)},
		{"reason", iv->reason.n ? iv->reason.s : NULL, iv->reason.n},
		{"woken_by", iv->woken ? iv->waker.task_name.s : NULL, iv->waker.task_name.n},
	};
	struct event e = event_open_with(p, iv->start_ns, track, TYPE_SLICE_BEGIN,
					 own_name(p, label), iv->stack, pre, 3);
	if (flow)
		pb_fixed64(&p->pkt, TE_TERMINATING_FLOW_IDS, flow);
	if (iv->tid)
		ann_int(p, "thread", (int64_t)iv->tid);
	if (iv->detail.n)
		ann_str(p, "detail", iv->detail.s, iv->detail.n);
	if (iv->woken)
		ann_int(p, "waker_thread", (int64_t)iv->waker.tid);
	if (iv->open)
		ann_int(p, "open_at_trace_end", 1);
	event_close(p, e);
	event_close(p, event_open(p, iv->end_ns, track, TYPE_SLICE_END, NULL, 0));

	if (export_wake_flow(iv)) {
		struct wake *nw = malloc(sizeof *nw);
		if (!nw || idmap_put(&p->wakes, t->key, nw) < 0) {
			free(nw);
			p->oom = true;
			return;
		}
		*nw = (struct wake){.ns = iv->end_ns, .waker = iv->waker};
	}
}

/* The span's track: its thread if it nests there, else an async lane. */
static uint64_t span_track(struct perfetto *p, const struct model_span *sp)
{
	unsigned proc = proc_of(p, sp->proc);
	struct lane *l = thread_track(p, proc, sp->begin_tid);
	if (l && !sp->open && sp->begin_tid == sp->end_tid && lane_try_add(l, sp->start_ns, sp->end_ns))
		return UUID_THREAD(BY_PROC(proc, sp->begin_tid));
	long lane = lanes_place(&p->lanes[proc], sp->start_ns, sp->end_ns);
	if (lane < 0) {
		p->oom = true;
		return UUID_PROC(proc);
	}
	while (p->lanes_written[proc] <= (size_t)lane) {
		char name[32];
		snprintf(name, sizeof name, "spans %zu", ++p->lanes_written[proc]);
		write_track(p, UUID_LANE(BY_PROC(proc, p->lanes_written[proc] - 1)), UUID_PROC(proc),
			    name, false);
	}
	return UUID_LANE(BY_PROC(proc, (uint64_t)lane));
}

/* Arrows from span sp (on track) to its children in other processes: a mark
 * on sp's track at the child's start (inside sp), one on the child's thread. */
static void remote_flows(struct perfetto *p, const struct model_span *sp, uint64_t track)
{
	struct remote_child *kids = remote_links_span(&p->remote, sp);
	for (struct remote_child *k = kids; k; k = k->next) {
		int64_t at = k->start_ns < sp->start_ns ? sp->start_ns
			     : k->start_ns > sp->end_ns ? sp->end_ns : k->start_ns;
		uint64_t flow = ++p->next_flow;
		struct event e = event_open(p, at, track, TYPE_INSTANT, own_name(p, "request"), 0);
		pb_fixed64(&p->pkt, TE_FLOW_IDS, flow);
		event_close(p, e);
		unsigned proc = proc_of(p, k->proc);
		thread_track(p, proc, k->tid);
		e = event_open(p, k->start_ns, UUID_THREAD(BY_PROC(proc, k->tid)), TYPE_INSTANT,
			       own_name(p, "request"), 0);
		pb_fixed64(&p->pkt, TE_TERMINATING_FLOW_IDS, flow);
		event_close(p, e);
	}
	remote_links_free(kids);
}

static void perfetto_span(void *st, const struct model_span *sp)
{
	struct perfetto *p = st;
	uint64_t track = span_track(p, sp);
	struct istr pre[] = {{"task", sp->task_name.s, sp->task_name.n}};
	struct event e = event_open_with(p, sp->start_ns, track, TYPE_SLICE_BEGIN,
					 clean_name(p, sp->name.s, sp->name.n), sp->stack, pre, 1);
	char hex[33];
	lot_trace_id_hex(sp->trace_id, hex);
	ann_hex(p, "span_id", sp->span_id);
	if (sp->parent_id)
		ann_hex(p, "parent_span_id", sp->parent_id);
	ann_str(p, "trace_id", hex, 32);
	ann_int(p, "begin_thread", (int64_t)sp->begin_tid);
	if (sp->end_tid)
		ann_int(p, "end_thread", (int64_t)sp->end_tid);
	if (sp->open)
		ann_int(p, "open_at_trace_end", 1);
	ann_int(p, "running_ns", (int64_t)sp->state_ns[MODEL_RUNNING]);
	ann_int(p, "runnable_ns", (int64_t)sp->state_ns[MODEL_RUNNABLE]);
	ann_int(p, "blocked_ns", (int64_t)sp->state_ns[MODEL_BLOCKED]);
	ann_int(p, "hosting_ns", (int64_t)sp->state_ns[MODEL_HOSTING]);
	ann_int(p, "unknown_ns", (int64_t)sp->unknown_ns);
	for (size_t i = 0; i < sp->n_attrs; i++) {
		const struct model_attr *a = &sp->attrs[i];
		char key[128];
		snprintf(key, sizeof key, "attr.%.*s", (int)(a->key.n < 100 ? a->key.n : 100), a->key.s);
		char *k = text_plain_dup(key, strlen(key));
		if (a->is_str)
			ann_str(p, k ? k : "attr", a->str, a->len);
		else
			ann_int(p, k ? k : "attr", a->i);
		free(k);
	}
	event_close(p, e);
	event_close(p, event_open(p, sp->end_ns, track, TYPE_SLICE_END, NULL, 0));
	if (p->n_procs > 1)
		remote_flows(p, sp, track);
}

static uint64_t counter_track(struct perfetto *p, unsigned proc, struct model_str name)
{
	uint64_t key = BY_PROC(proc, (uint64_t)(uintptr_t)name.s);
	uint64_t n = (uint64_t)(uintptr_t)idmap_get(&p->counters, key);
	if (n)
		return UUID_COUNTER(n);
	n = ++p->n_counters;
	if (idmap_put(&p->counters, key, (void *)(uintptr_t)n) < 0)
		p->oom = true;
	write_track(p, UUID_COUNTER(n), UUID_PROC(proc), clean_name(p, name.s, name.n), true);
	return UUID_COUNTER(n);
}

static void perfetto_point(void *st, const struct model_point *pt)
{
	struct perfetto *p = st;
	struct event e;
	unsigned proc = proc_of(p, pt->proc);
	uint64_t thread = UUID_THREAD(BY_PROC(proc, pt->tid));
	switch (pt->code) {
	case LOT_EV_instant:
		thread_track(p, proc, pt->tid);
		struct istr pre[] = {{"task", pt->task ? pt->task->name.s : NULL,
				      pt->task ? pt->task->name.n : 0}};
		e = event_open_with(p, pt->ns, thread, TYPE_INSTANT,
				    clean_name(p, pt->name.s, pt->name.n), pt->stack, pre, 1);
		event_close(p, e);
		break;
	case LOT_EV_counter: {
		uint64_t track = counter_track(p, proc, pt->name);
		e = event_open(p, pt->ns, track, TYPE_COUNTER, NULL, 0);
		pb_varint(&p->pkt, TE_COUNTER_VALUE, (uint64_t)pt->value);
		event_close(p, e);
		break;
	}
	case LOT_EV_lost:
		thread_track(p, proc, pt->tid);
		e = event_open(p, pt->ns, thread, TYPE_INSTANT, own_name(p, "events lost"), 0);
		ann_int(p, "count", pt->value);
		event_close(p, e);
		break;
	case LOT_EV_thread_begin:
		if (thread_track(p, proc, pt->tid))
			name_thread(p, proc, pt->tid, pt->name);
		break;
	default:
		break;
	}
}

static void perfetto_task_done(void *st, const struct model_task *t)
{
	struct perfetto *p = st;
	free(idmap_del(&p->wakes, t->key));
	struct task_lane *tl = idmap_del(&p->tasks, t->key);
	if (tl) { /* free for the next task of the name that starts after this one ended */
		tl->busy = false;
		tl->free_at = t->last_ns;
	}
}

static void perfetto_thread_done(void *st, const struct model_thread *th)
{
	struct perfetto *p = st;
	unsigned proc = proc_of(p, th->proc);
	if (thread_track(p, proc, th->tid) && th->name.n)
		name_thread(p, proc, th->tid, th->name);
}

static void free_values(struct idmap *m)
{
	for (size_t i = 0; i < m->n_slots; i++)
		free(m->slots[i].val);
	idmap_free(m);
}

static int perfetto_finish(void *st, const struct model_summary *sum)
{
	struct perfetto *p = st;
	write_track(p, UUID_SUMMARY, 0, "lotrace", false);
	struct event e = event_open(p, sum->end_ns, UUID_SUMMARY, TYPE_INSTANT,
				    own_name(p, "lotrace summary"), 0);
	ann_str(p, "file", p->info->path, strlen(p->info->path));
	ann_int(p, "start_ns", sum->start_ns);
	ann_int(p, "end_ns", sum->end_ns);
	ann_int(p, "start_real_ns", (int64_t)sum->start_real_ns);
	ann_int(p, "events", (int64_t)sum->events);
	ann_int(p, "lost", (int64_t)sum->lost);
	ann_int(p, "late_events", (int64_t)sum->late_events);
	ann_int(p, "damaged", sum->damaged || sum->read_error);
	ann_int(p, "warnings", (int64_t)sum->warnings);
	event_close(p, e);
	int rc = p->oom || p->remote.oom ? -1 : 0;
	remote_links_done(&p->remote);
	free_values(&p->threads);
	free_values(&p->wakes);
	idmap_free(&p->tasks); /* the lanes are the groups' */
	for (size_t i = 0; i < p->groups.n_slots; i++) {
		struct task_group *g = p->groups.slots[i].val;
		if (!g)
			continue;
		for (size_t k = 0; k < g->n; k++)
			free(g->lanes[k]);
		free(g->lanes);
		free(g);
	}
	idmap_free(&p->groups);
	idmap_free(&p->thread_names);
	idmap_free(&p->stack_iids);
	idmap_free(&p->text_iids);
	idmap_free(&p->counters);
	idmap_free(&p->name_iids);
	idmap_free(&p->escaped);
	intern_free(&p->names);
	for (unsigned i = 0; i < p->n_procs; i++)
		lanes_free(&p->lanes[i]);
	free(p->lanes);
	free(p->lanes_written);
	pb_free(&p->pkt);
	free(p);
	return rc;
}

const struct export_format export_perfetto = EXPORT_TIMELINE_FORMAT("perfetto protobuf", perfetto);
