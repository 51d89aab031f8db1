/*
 * `lotrace dump FILE`: every event, one line each, in file order (chunk by
 * chunk as stored, so threads interleave by chunk, not by time), followed by
 * the losses only the trailer knows.
 *
 * Text:  <ts_ns> <tid> <event> [<arg>=<value>]...
 * JSON:  {"ts_ns":N,"thread":N,"event":"name",<arg>:<value>,...}
 * Both are described, field by field, in doc/JSON.md and lotrace(1).
 *
 * Everything is printed from the file's own event-type table, so types this
 * build does not know (from a newer minor version) print like any other.
 * Labels (" name=" and JSON's "name" and keys) are escaped once per type, not
 * per event.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/escape.h"
#include "cmd/json.h"
#include "cmd/out.h"
#include "trace-format/reader.h"

static const char usage[] = "lotrace dump [--json] FILE";
static const char help[] =
	"Print every event of a trace, one per line, in file order.\n"
	"  --json   one JSON object per line (schema: doc/JSON.md)\n"
	"  --help   this text\n";

enum origin { FROM_FILE, FROM_CHUNK_HEADER, FROM_TRAILER };

struct label {
	bool built;
	char *name;                /* text: bare-escaped; JSON: quoted */
	char *arg[LOT_MAX_ARGS];   /* text: " key="; JSON: the key, escaped, unquoted */
	size_t name_len, arg_len[LOT_MAX_ARGS];
};

struct dump {
	bool json;
	const struct lot_clock_info *clock;
	struct label labels[256];
};

/* Keys dump itself writes: an argument of the same name (possible in a
 * newer file's types) is printed as arg_<name> so JSON keys stay unique. */
static bool reserved_key(const char *s)
{
	return !strcmp(s, "ts_ns") || !strcmp(s, "thread") || !strcmp(s, "event") ||
	       !strcmp(s, "from");
}

static char *arg_label(bool json, const char *name)
{
	char *esc = json ? json_str_dup(name, strlen(name)) : text_bare_dup(name, strlen(name));
	if (!esc)
		return NULL;
	const char *pre = json && reserved_key(name) ? "arg_" : "";
	size_t n = strlen(esc) + strlen(pre) + 8;
	char *l = malloc(n);
	if (l) {
		if (json) /* esc is "name": the prefix and name without the quotes */
			snprintf(l, n, "%s%.*s", pre, (int)strlen(esc) - 2, esc + 1);
		else
			snprintf(l, n, " %s=", esc);
	}
	free(esc);
	return l;
}

static void build_label(struct dump *d, struct label *l, const struct lot_event *ev)
{
	char generic[32];
	const char *name = ev->type && ev->type->name ? ev->type->name : NULL;
	if (!name) {
		snprintf(generic, sizeof generic, "type_0x%02x", ev->code);
		name = generic;
	}
	l->name = d->json ? json_str_dup(name, strlen(name)) : text_bare_dup(name, strlen(name));
	for (unsigned i = 0; i < LOT_MAX_ARGS; i++) {
		const char *an = ev->type && i < ev->type->nargs ? ev->type->arg_names[i] : NULL;
		char gen[16];
		if (!an) {
			snprintf(gen, sizeof gen, "arg%u", i);
			an = gen;
		}
		l->arg[i] = arg_label(d->json, an);
		if (!l->arg[i]) {
			fprintf(stderr, "lotrace: out of memory\n");
			exit(CMD_EXIT_UNREADABLE);
		}
		l->arg_len[i] = strlen(l->arg[i]);
	}
	if (!l->name) {
		fprintf(stderr, "lotrace: out of memory\n");
		exit(CMD_EXIT_UNREADABLE);
	}
	l->name_len = strlen(l->name);
	l->built = true;
}

static void free_labels(struct dump *d)
{
	for (int c = 0; c < 256; c++) {
		free(d->labels[c].name);
		for (unsigned i = 0; i < LOT_MAX_ARGS; i++)
			free(d->labels[c].arg[i]);
	}
}

/* What an argument is printed as, in either form: the one place that
 * knows which kinds are strings, numbers, addresses or ids. */
enum shown {
	SHOWN_NONE, /* an optional reference (string, stack, trace, span) that is not there */
	SHOWN_I64, SHOWN_U64, SHOWN_STR, SHOWN_PCS, SHOWN_ID128, SHOWN_SPAN
};

static inline enum shown shown_as(const struct lot_arg *a)
{
	switch (a->kind) {
	case LOT_KIND_SVAR: return SHOWN_I64;
	case LOT_KIND_STRING: return a->str ? SHOWN_STR : SHOWN_NONE;
	case LOT_KIND_BYTES: return SHOWN_STR;
	case LOT_KIND_VALUE: return a->is_str ? SHOWN_STR : SHOWN_I64;
	case LOT_KIND_STACK: return a->pcs && a->n_pcs ? SHOWN_PCS : SHOWN_NONE;
	case LOT_KIND_PCS: return SHOWN_PCS;
	case LOT_KIND_TRACE: return a->id128 ? SHOWN_ID128 : SHOWN_NONE;
	case LOT_KIND_ID128: return SHOWN_ID128;
	case LOT_KIND_SPAN: return a->u ? SHOWN_SPAN : SHOWN_NONE;
	default: return SHOWN_U64; /* UVAR, and any kind a future minor might add */
	}
}

static void put_text(const struct lot_arg *a, enum shown k)
{
	switch (k) {
	case SHOWN_NONE: break;
	case SHOWN_I64: out_i64(a->i); break;
	case SHOWN_U64: out_u64(a->u); break;
	case SHOWN_STR: out_text_quoted(a->str ? a->str : "", a->str ? a->len : 0); break;
	case SHOWN_PCS: /* [0x1,0x2] */
		out_char('[');
		for (size_t i = 0; i < a->n_pcs; i++) {
			char *p = out_room(CMD_OUT_FIELD);
			if (i)
				*p++ = ',';
			out_commit(fmt_hex(p, a->pcs[i]));
		}
		out_char(']');
		break;
	case SHOWN_ID128: out_commit(fmt_hex_bytes(out_room(CMD_OUT_FIELD), a->id128, 16)); break;
	case SHOWN_SPAN: out_commit(fmt_hex16(out_room(CMD_OUT_FIELD), a->u)); break;
	}
}

static void put_json(const struct lot_arg *a, enum shown k)
{
	switch (k) {
	case SHOWN_NONE: json_null(); break;
	case SHOWN_I64: json_i64(a->i); break;
	case SHOWN_U64: json_u64(a->u); break;
	case SHOWN_STR: json_str(a->str ? a->str : "", a->str ? a->len : 0); break;
	case SHOWN_PCS:
		json_array();
		for (size_t i = 0; i < a->n_pcs; i++)
			json_hex_num(a->pcs[i]);
		json_array_end();
		break;
	case SHOWN_ID128: json_hex(a->id128, 16); break;
	case SHOWN_SPAN: json_hex16(a->u); break;
	}
}

static const char *origin_name(enum origin from)
{
	return from == FROM_TRAILER ? "trailer" : "chunk_header";
}

/* <ts_ns> <tid> <event> [<arg>=<value>]... [from=...] */
static void print_text(const struct label *l, const struct lot_event *ev, int64_t ts, enum origin from)
{
	char *p = out_room(2 * CMD_OUT_FIELD);
	p = fmt_i64(p, ts);
	*p++ = ' ';
	p = fmt_u64(p, ev->tid);
	*p++ = ' ';
	out_commit(p);
	out_write(l->name, l->name_len);
	unsigned n = ev->nargs < LOT_MAX_ARGS ? ev->nargs : LOT_MAX_ARGS;
	for (unsigned i = 0; i < n; i++) {
		enum shown k = shown_as(&ev->args[i]);
		if (k == SHOWN_NONE)
			continue;
		out_write(l->arg[i], l->arg_len[i]);
		put_text(&ev->args[i], k);
	}
	if (from != FROM_FILE) {
		out_str(" from=");
		out_str(origin_name(from));
	}
	out_char('\n');
}

/* {"ts_ns":N,"thread":N,"event":"name",<arg>:<value>,...}: absent ones null */
static void print_json(const struct label *l, const struct lot_event *ev, int64_t ts, enum origin from)
{
	json_object();
	json_kv_i64("ts_ns", ts);
	json_kv_u64("thread", ev->tid);
	json_key("event");
	json_raw(l->name, l->name_len);
	unsigned n = ev->nargs < LOT_MAX_ARGS ? ev->nargs : LOT_MAX_ARGS;
	for (unsigned i = 0; i < n; i++) {
		json_key_n(l->arg[i], l->arg_len[i]);
		put_json(&ev->args[i], shown_as(&ev->args[i]));
	}
	if (from != FROM_FILE)
		json_kv_lit("from", origin_name(from));
	json_object_end();
	out_char('\n');
}

static void print_event(struct dump *d, const struct lot_event *ev, enum origin from)
{
	struct label *l = &d->labels[ev->code];
	if (!l->built)
		build_label(d, l, ev);
	int64_t ts = lot_ticks_to_ns(d->clock, ev->ticks);
	if (d->json)
		print_json(l, ev, ts, from);
	else
		print_text(l, ev, ts, from);
}

int cmd_dump(int argc, char **argv)
{
	static struct dump d; /* 256 labels: keep them off the stack */
	memset(&d, 0, sizeof d); /* a fresh one per call (the fuzzer calls again) */
	const char *path;
	int st = cmd_parse_file_opts(argc, argv, usage, help, &d.json, NULL, &path);
	if (st >= 0)
		return st;
	struct lot_reader *r = cmd_open(path);
	if (!r)
		return CMD_EXIT_UNREADABLE;
	d.clock = &lot_reader_header(r)->clock;

	struct lot_chunk *ch;
	struct lot_event ev;
	uint64_t at = lot_reader_header(r)->size; /* where reading got to, for an I/O error */
	int rc;
	while ((rc = lot_reader_next_chunk(r, &ch)) == 1) {
		at = ch->offset;
		while (lot_chunk_next_event(r, &ev) == 1)
			print_event(&d, &ev, ev.synthetic ? FROM_CHUNK_HEADER : FROM_FILE);
	}
	if (rc == 0)
		while (lot_reader_next_tail_event(r, &ev) == 1)
			print_event(&d, &ev, FROM_TRAILER);
	else
		cmd_read_error(path, (unsigned long long)at);

	st = cmd_close(r);
	free_labels(&d);
	return rc < 0 && st == CMD_EXIT_OK ? CMD_EXIT_DAMAGED : st;
}
