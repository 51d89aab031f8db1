/*
 * `lotrace export --format otlp|otlp-json` and `--otlp URL`: the spans as
 * OpenTelemetry traces (opentelemetry-proto, trace/v1), so that they flow into
 * an existing OpenTelemetry pipeline (Jaeger, Tempo, a collector).
 *
 *   - one Resource per file (process): service.name, service.version,
 *     deployment.environment, host.name, process.pid,
 *     process.executable.name, and the header's tags (k=v,k=v) as attributes;
 *   - one scope "lotrace"; each span with its ids, parent, name, times (the
 *     merged clock on CLOCK_REALTIME), attributes, status (ERROR when an
 *     "error" attribute is true or an HTTP status code is 500 or more), and
 *     lotrace's breakdown as attributes: lotrace.running_ns,
 *     lotrace.runnable_ns, lotrace.blocked_ns, lotrace.blocked.<reason>_ns.
 *
 * Spans come in the order they end, from all files interleaved: each file
 * keeps a batch of encoded spans (at most OTLP_BATCH_SPANS, or
 * OTLP_BATCH_BYTES), and a full batch goes out as one ResourceSpans: a field
 * of ExportTraceServiceRequest written to the output (a concatenation of
 * them is one valid request), an element of "resourceSpans" in the JSON
 * (the OTLP/JSON mapping: ids in hex, times as decimal strings, enums as
 * integers), or one POST of its own to the endpoint (cmd/otlp_http.h).
 * Memory: one batch per file.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/export.h"
#include "cmd/json.h"
#include "cmd/otlp_http.h"
#include "cmd/out.h"
#include "cmd/protobuf.h"
#include "cmd/sources.h"

#define OTLP_BATCH_SPANS 512
#define OTLP_BATCH_BYTES (1u << 20)

/* opentelemetry-proto field numbers */
enum {
	REQ_RESOURCE_SPANS = 1,
	RS_RESOURCE = 1, RS_SCOPE_SPANS = 2,
	RES_ATTRIBUTES = 1,
	SS_SCOPE = 1, SS_SPANS = 2,
	SCOPE_NAME = 1, SCOPE_VERSION = 2,
	SPAN_TRACE_ID = 1, SPAN_SPAN_ID = 2, SPAN_PARENT_SPAN_ID = 4, SPAN_NAME = 5, SPAN_KIND = 6,
	SPAN_START = 7, SPAN_END = 8, SPAN_ATTRIBUTES = 9, SPAN_STATUS = 15,
	STATUS_MESSAGE = 2, STATUS_CODE = 3,
	KV_KEY = 1, KV_VALUE = 2,
	ANY_STRING = 1, ANY_INT = 3,
};
enum { KIND_INTERNAL = 1 };
enum { STATUS_UNSET = 0, STATUS_ERROR = 2 };

struct batch {
	struct pb_buf spans; /* encoded Span messages (protobuf) or JSON objects */
	size_t n;
	size_t end[OTLP_BATCH_SPANS]; /* JSON: where each span's object ends */
};

struct otlp {
	const struct export_info *info;
	bool json;
	struct batch *b;
	size_t n_procs;
	struct pb_buf req;  /* the message being written */
	bool send_failed;
};

/* ---- attributes, in either encoding ---- */

/* An integer attribute with a literal key. */
#define KV_INT(a, key, v) kv_int((a), (key), sizeof(key) - 1, (v))

/* An attribute list being written: JSON goes through cmd/json.h. */
struct attrs {
	struct pb_buf *b;
	bool json;
	uint32_t field; /* protobuf: the KeyValue field of the parent */
};

/* {"key":"k","value":{"stringValue": or "intValue": ... */
static void attr_json_open(const char *key, size_t kn, const char *type)
{
	json_object();
	json_kv_str("key", key, kn);
	json_key("value");
	json_object();
	json_key(type);
}

static void attr_json_close(void)
{
	json_object_end();
	json_object_end();
}

static void kv_str(struct attrs *a, const char *key, size_t kn, const char *v, size_t vn)
{
	if (a->json) {
		attr_json_open(key, kn, "stringValue");
		json_str(v, vn);
		attr_json_close();
	} else {
		size_t kv = pb_open(a->b, a->field);
		pb_bytes(a->b, KV_KEY, key, kn);
		size_t any = pb_open(a->b, KV_VALUE);
		pb_bytes(a->b, ANY_STRING, v, vn);
		pb_close(a->b, any);
		pb_close(a->b, kv);
	}
}

static void kv_int(struct attrs *a, const char *key, size_t kn, int64_t v)
{
	if (a->json) {
		attr_json_open(key, kn, "intValue");
		json_i64_str(v);
		attr_json_close();
	} else {
		size_t kv = pb_open(a->b, a->field);
		pb_bytes(a->b, KV_KEY, key, kn);
		size_t any = pb_open(a->b, KV_VALUE);
		pb_varint(a->b, ANY_INT, (uint64_t)v);
		pb_close(a->b, any);
		pb_close(a->b, kv);
	}
}

static void kv_cstr(struct attrs *a, const char *key, const char *v)
{
	kv_str(a, key, strlen(key), v, strlen(v));
}

/* ---- the resource: one per file ---- */

static void resource_attrs(struct otlp *o, unsigned proc, struct attrs *a)
{
	const struct source *x = &o->info->src->v[proc];
	const char *v;
	kv_cstr(a, "service.name", x->service);
	if ((v = lot_reader_meta(x->r, "version")) && *v)
		kv_cstr(a, "service.version", v);
	if ((v = lot_reader_meta(x->r, "env")) && *v)
		kv_cstr(a, "deployment.environment", v);
	if (*x->host)
		kv_cstr(a, "host.name", x->host);
	KV_INT(a, "process.pid", (int64_t)x->pid);
	if ((v = lot_reader_meta(x->r, "exe")) && *v)
		kv_cstr(a, "process.executable.path", v);
	/* tags: "k=v,k=v" (a tag without '=' is its own key with value "") */
	const char *t = lot_reader_meta(x->r, "tags");
	while (t && *t) {
		const char *end = strchr(t, ','), *eq;
		size_t len = end ? (size_t)(end - t) : strlen(t);
		eq = memchr(t, '=', len);
		size_t kn = eq ? (size_t)(eq - t) : len;
		if (kn)
			kv_str(a, t, kn, eq ? eq + 1 : "", eq ? len - kn - 1 : 0);
		t = end ? end + 1 : NULL;
	}
}

/* ---- spans ---- */

static void be64(uint8_t out[8], uint64_t v)
{
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (56 - 8 * i));
}

static int status_of(const struct model_span *sp)
{
	for (size_t i = 0; i < sp->n_attrs; i++) {
		const struct model_attr *a = &sp->attrs[i];
		if (!strcmp(a->key.s, "error") &&
		    (a->is_str ? a->len && strcmp(a->str, "false") && strcmp(a->str, "0") : a->i != 0))
			return STATUS_ERROR;
		if ((!strcmp(a->key.s, "http.status_code") ||
		     !strcmp(a->key.s, "http.response.status_code")) &&
		    (a->is_str ? atoi(a->str) >= 500 : a->i >= 500))
			return STATUS_ERROR;
	}
	return STATUS_UNSET;
}

static void span_attrs(const struct model_span *sp, struct attrs *a)
{
	for (size_t i = 0; i < sp->n_attrs; i++) {
		const struct model_attr *x = &sp->attrs[i];
		if (x->is_str)
			kv_str(a, x->key.s, x->key.n, x->str, x->len);
		else
			kv_int(a, x->key.s, x->key.n, x->i);
	}
	KV_INT(a, "lotrace.running_ns", (int64_t)sp->state_ns[MODEL_RUNNING]);
	KV_INT(a, "lotrace.runnable_ns", (int64_t)sp->state_ns[MODEL_RUNNABLE]);
	KV_INT(a, "lotrace.blocked_ns", (int64_t)sp->state_ns[MODEL_BLOCKED]);
	for (size_t i = 0; i < sp->n_blocked_by; i++) {
		char key[300];
		int n = snprintf(key, sizeof key, "lotrace.blocked.%.*s_ns",
				 (int)(sp->blocked_by[i].reason.n > 256 ? 256 : sp->blocked_by[i].reason.n),
				 sp->blocked_by[i].reason.s);
		kv_int(a, key, (size_t)n, (int64_t)sp->blocked_by[i].ns);
	}
	if (sp->state_ns[MODEL_HOSTING])
		KV_INT(a, "lotrace.hosting_ns", (int64_t)sp->state_ns[MODEL_HOSTING]);
	if (sp->unknown_ns)
		KV_INT(a, "lotrace.unknown_ns", (int64_t)sp->unknown_ns);
	KV_INT(a, "lotrace.task_id", (int64_t)sp->task_id);
	KV_INT(a, "thread.id", (int64_t)sp->begin_tid);
	if (sp->open)
		KV_INT(a, "lotrace.open", 1);
}

static void span_proto(struct otlp *o, struct pb_buf *b, const struct model_span *sp)
{
	uint8_t id[8];
	uint64_t real0 = o->info->real0_ns;
	size_t at = pb_open(b, SS_SPANS);
	pb_bytes(b, SPAN_TRACE_ID, sp->trace_id, 16);
	be64(id, sp->span_id);
	pb_bytes(b, SPAN_SPAN_ID, id, 8);
	if (sp->parent_id) {
		be64(id, sp->parent_id);
		pb_bytes(b, SPAN_PARENT_SPAN_ID, id, 8);
	}
	pb_bytes(b, SPAN_NAME, sp->name.s, sp->name.n);
	pb_varint(b, SPAN_KIND, KIND_INTERNAL);
	pb_fixed64(b, SPAN_START, real0 + (uint64_t)sp->start_ns);
	pb_fixed64(b, SPAN_END, real0 + (uint64_t)sp->end_ns);
	struct attrs a = {.b = b, .field = SPAN_ATTRIBUTES};
	span_attrs(sp, &a);
	size_t st = pb_open(b, SPAN_STATUS);
	int code = status_of(sp);
	if (code)
		pb_varint(b, STATUS_CODE, (uint64_t)code);
	pb_close(b, st);
	pb_close(b, at);
}

/* A span's JSON object, written apart into its batch (json_apart()). */
static void span_json(struct otlp *o, const struct model_span *sp)
{
	uint64_t real0 = o->info->real0_ns;
	json_object();
	json_key("traceId");
	json_hex(sp->trace_id, 16);
	json_key("spanId");
	json_hex16(sp->span_id);
	if (sp->parent_id) {
		json_key("parentSpanId");
		json_hex16(sp->parent_id);
	}
	json_kv_str("name", sp->name.s, sp->name.n);
	json_kv_i64("kind", KIND_INTERNAL);
	json_key("startTimeUnixNano");
	json_u64_str(real0 + (uint64_t)sp->start_ns);
	json_key("endTimeUnixNano");
	json_u64_str(real0 + (uint64_t)sp->end_ns);
	json_key("attributes");
	json_array();
	struct attrs a = {.json = true};
	span_attrs(sp, &a);
	json_array_end();
	json_key("status");
	json_object();
	json_kv_i64("code", status_of(sp));
	json_object_end();
	json_object_end();
}

static void put_pb(void *buf, const void *p, size_t n) { pb_raw(buf, p, n); }

/* ---- batches ---- */

/* One ResourceSpans of file proc's batch, in JSON: an element of "resourceSpans". */
static void flush_json(struct otlp *o, unsigned proc, struct batch *bt)
{
	json_object();
	json_key("resource");
	json_object();
	json_key("attributes");
	json_array();
	struct attrs a = {.json = true};
	resource_attrs(o, proc, &a);
	json_array_end();
	json_object_end();
	json_key("scopeSpans");
	json_array();
	json_object();
	json_key("scope");
	json_object();
	json_kv_lit("name", "lotrace");
	json_kv_cstr("version", LOT_VERSION);
	json_object_end();
	json_key("spans");
	json_array();
	for (size_t i = 0, at = 0; i < bt->n; at = bt->end[i++])
		json_raw((const char *)bt->spans.data + at, bt->end[i] - at);
	json_array_end();
	json_object_end();
	json_array_end();
	json_object_end();
}

/* The same in protobuf: a field of ExportTraceServiceRequest, written or
 * sent. */
static void flush_proto(struct otlp *o, unsigned proc, struct batch *bt)
{
	struct pb_buf *r = &o->req;
	pb_reset(r);
	size_t rs = pb_open(r, REQ_RESOURCE_SPANS);
	size_t res = pb_open(r, RS_RESOURCE);
	struct attrs a = {.b = r, .field = RES_ATTRIBUTES};
	resource_attrs(o, proc, &a);
	pb_close(r, res);
	size_t ss = pb_open(r, RS_SCOPE_SPANS);
	size_t sc = pb_open(r, SS_SCOPE);
	pb_string(r, SCOPE_NAME, "lotrace");
	pb_string(r, SCOPE_VERSION, LOT_VERSION);
	pb_close(r, sc);
	pb_raw(r, bt->spans.data, bt->spans.len);
	pb_close(r, ss);
	pb_close(r, rs);
	if (bt->spans.failed)
		r->failed = true;
	if (r->failed)
		return; /* finish() reports memory */
	if (o->info->otlp_url) {
		if (otlp_http_post(o->info->otlp_url, r->data, r->len) < 0)
			o->send_failed = true;
		return;
	}
	out_write(r->data, r->len);
}

/* File proc's batch out, and a new one begun. */
static void flush(struct otlp *o, unsigned proc)
{
	struct batch *bt = &o->b[proc];
	if (!bt->n)
		return;
	if (!o->json)
		flush_proto(o, proc, bt);
	else if (!bt->spans.failed) /* finish() reports memory */
		flush_json(o, proc, bt);
	pb_reset(&bt->spans);
	bt->n = 0;
}

static void *begin(const struct export_info *info, bool json)
{
	struct otlp *o = calloc(1, sizeof *o);
	if (!o)
		return NULL;
	o->info = info;
	o->json = json;
	o->n_procs = info->src->n;
	o->b = calloc(o->n_procs, sizeof *o->b);
	if (!o->b) {
		free(o);
		return NULL;
	}
	if (json) {
		json_object();
		json_key("resourceSpans");
		json_array();
	}
	return o;
}

static void *begin_json(const struct export_info *info) { return begin(info, true); }
static void *begin_proto(const struct export_info *info) { return begin(info, false); }

static void on_span(void *st, const struct model_span *sp)
{
	struct otlp *o = st;
	if (o->send_failed || sp->proc >= o->n_procs)
		return;
	struct batch *bt = &o->b[sp->proc];
	if (o->json) {
		json_apart(put_pb, &bt->spans);
		span_json(o, sp);
		json_apart_end();
		bt->end[bt->n] = bt->spans.len;
	} else {
		span_proto(o, &bt->spans, sp);
	}
	bt->n++;
	if (bt->n >= OTLP_BATCH_SPANS || bt->spans.len >= OTLP_BATCH_BYTES)
		flush(o, sp->proc);
}

static void ignore_interval(void *st, const struct model_interval *iv) { (void)st, (void)iv; }
static void ignore_point(void *st, const struct model_point *pt) { (void)st, (void)pt; }
static void ignore_task(void *st, const struct model_task *t) { (void)st, (void)t; }
static void ignore_thread(void *st, const struct model_thread *th) { (void)st, (void)th; }

static int finish(void *st, const struct model_summary *sum)
{
	(void)sum;
	struct otlp *o = st;
	for (unsigned i = 0; i < o->n_procs && !o->send_failed; i++)
		flush(o, i);
	if (o->json) {
		json_array_end();
		json_object_end();
		out_char('\n');
	}
	bool failed = o->req.failed;
	for (size_t i = 0; i < o->n_procs; i++) {
		failed = failed || o->b[i].spans.failed;
		pb_free(&o->b[i].spans);
	}
	int rc = o->send_failed ? EXPORT_SEND_FAILED : failed ? -1 : 0;
	pb_free(&o->req);
	free(o->b);
	free(o);
	return rc;
}

/* The two encodings differ only in their name and prologue. */
#define OTLP_FORMAT(fmt_name, fmt_begin)                                                  \
	{                                                                                 \
		.name = (fmt_name), .begin = (fmt_begin), .interval = ignore_interval,    \
		.span = on_span, .point = ignore_point, .task_done = ignore_task,         \
		.thread_done = ignore_thread, .finish = finish,                           \
	}

const struct export_format export_otlp_json = OTLP_FORMAT("OTLP/JSON", begin_json);
const struct export_format export_otlp_proto = OTLP_FORMAT("OTLP protobuf", begin_proto);
