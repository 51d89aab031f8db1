/*
 * `lotrace info FILE`: what a trace holds, in one screen (or one JSON
 * object, doc/JSON.md): format, metadata, clock, threads with their event
 * and loss counts, counts by event type, sizes, trailer statistics.
 *
 * It reads every chunk and walks every event (the reader's count-only path):
 * counts by type need it, and so does telling a valid file (status 0) from a
 * damaged one (status 3).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/escape.h"
#include "cmd/json.h"
#include "cmd/out.h"
#include "cmd/stack_depth.h"
#include "cmd/threads.h"
#include "trace-format/reader.h"

static const char usage[] = "lotrace info [--json] [--show-tracer] FILE";
static const char help[] =
	"Summarise a trace: format, metadata, clock, threads, event counts, losses, sizes.\n"
	"  --json          print one JSON object (schema: doc/JSON.md)\n"
	CMD_SHOW_TRACER_HELP
	"  --help          this text\n";

struct info {
	const char *path;
	const struct lot_file_header *hdr;
	const struct lot_trailer *trailer;
	uint64_t file_bytes;
	bool have_file_bytes;
	uint64_t chunks, events, lost_chunks, lost_trailer;
	uint64_t raw_bytes, comp_bytes;
	uint64_t end_ticks; /* the latest time the file tells */
	uint64_t read_at;   /* the last chunk read, for an I/O error */
	uint64_t by_type[256];
	struct thread_table threads;
	bool show_tracer;   /* list the recorder's own threads too */
	size_t tracer_threads;
	struct stack_depth depth; /* of the first chunks' stacks */
	bool damaged;
	uint64_t warnings;
};

static const char *clock_source_name(unsigned s)
{
	switch (s) {
	case 0: return "tsc";
	case 1: return "monotonic";
	case 2: return "cntvct";
	default: return "unknown";
	}
}

static void note_end(struct info *in, uint64_t ticks)
{
	if (ticks > in->end_ticks)
		in->end_ticks = ticks;
}

static const char *meta_value(const struct lot_file_header *h, const char *key)
{
	for (size_t i = 0; i < h->n_meta; i++)
		if (!strcmp(h->meta[i].key, key))
			return h->meta[i].value;
	return NULL;
}

static const uint64_t *stat_value(const struct lot_trailer *tr, const char *key)
{
	for (size_t i = 0; tr && i < tr->n_stats; i++)
		if (!strcmp(tr->stats[i].key, key))
			return &tr->stats[i].value;
	return NULL;
}

/* CPU sampling in one line: its rate and signal (header), the samples in
 * the file, and the recorder's counts (trailer): recorded, dropped because
 * they landed inside a probe (counted as lost), without a thread state. */
static void cpu_line(const struct info *in)
{
	const char *hz = meta_value(in->hdr, "cpu_hz");
	if (!hz)
		return; /* a recorder without CPU sampling */
	const char *sig = meta_value(in->hdr, "cpu_signal");
	if (!strcmp(hz, "0") || !sig) {
		out_str("cpu samples    off\n");
		return;
	}
	out_printf("cpu samples    %" PRIu64 " in the file, %s Hz of CPU time, signal %s",
		   in->by_type[LOT_EV_cpu_sample], hz, sig);
	const uint64_t *rec = stat_value(in->trailer, "cpu_samples");
	const uint64_t *drop = stat_value(in->trailer, "cpu_samples_dropped");
	const uint64_t *none = stat_value(in->trailer, "cpu_samples_no_state");
	if (rec && drop)
		out_printf("; %" PRIu64 " taken, %" PRIu64 " dropped inside probes", *rec, *drop);
	if (none && *none)
		out_printf(", %" PRIu64 " with no thread state", *none);
	const uint64_t *unarmed = stat_value(in->trailer, "cpu_threads_unarmed");
	if (unarmed && *unarmed)
		out_printf(", %" PRIu64 " threads not sampled (no timer)", *unarmed);
	out_str("\n");
}

static int gather(struct info *in, struct lot_reader *r)
{
	struct lot_chunk *ch;
	struct lot_event ev;
	int rc;
	in->end_ticks = in->hdr->clock.start_ticks;
	in->read_at = in->hdr->size;
	while ((rc = lot_reader_next_chunk(r, &ch)) == 1) {
		const struct lot_chunk_info *ci = &ch->info;
		in->read_at = ch->offset;
		struct thread_stats *t = threads_get(&in->threads, ci->tid);
		if (!t)
			return -1;
		if (ci->thread_name && ci->thread_name[0])
			threads_set_name(t, ci->thread_name, strlen(ci->thread_name));
		/* The reader's count-only path: validates like a full decode, fills no
		 * events.  The chunk header's losses are taken from ci->lost below. */
		uint64_t counts[256] = {0}, n = 0;
		if (in->depth.chunks < STACK_DEPTH_CHUNKS) { /* decoded, for the stacks' depths */
			in->depth.chunks++;
			while (lot_chunk_next_event(r, &ev) == 1) {
				if (!ev.synthetic)
					counts[ev.code]++;
				stack_depth_add(&in->depth, &ev);
			}
		} else {
			lot_chunk_count_events(r, counts);
		}
		for (unsigned c = 0; c < 256; c++) {
			in->by_type[c] += counts[c];
			n += counts[c];
		}
		in->chunks++;
		in->events += n;
		in->raw_bytes += ci->raw_len;
		in->comp_bytes += ci->comp_len;
		in->lost_chunks += ci->lost;
		t->events += n;
		t->chunks++;
		t->tracer |= counts[LOT_EV_tracer_thread] > 0;
		t->lost_chunks += ci->lost;
		note_end(in, ci->end_ticks);
	}
	if (rc < 0)
		return rc;
	while (lot_reader_next_tail_event(r, &ev) == 1) {
		struct thread_stats *t = threads_get(&in->threads, ev.tid);
		if (!t)
			return -1;
		uint64_t lost = ev.nargs ? ev.args[0].u : 0;
		t->lost_trailer += lost;
		in->lost_trailer += lost;
	}
	in->trailer = lot_reader_trailer_summary(r); /* info never reads the chunk index */
	if (in->trailer) {
		for (size_t i = 0; i < in->trailer->n_threads; i++) {
			const struct lot_thread_total *tt = &in->trailer->threads[i];
			struct thread_stats *t = threads_get(&in->threads, tt->tid);
			if (!t)
				return -1;
			t->in_trailer = true;
			t->written = tt->written;
			if (!t->name && tt->name)
				threads_set_name(t, tt->name, strlen(tt->name));
		}
		note_end(in, in->trailer->end_ticks);
	}
	return 0;
}

static uint64_t duration_ns(const struct info *in)
{
	int64_t d = lot_ticks_to_ns(&in->hdr->clock, in->end_ticks);
	return d > 0 ? (uint64_t)d : 0;
}

/* "2026-01-01T00:00:00.000000000Z" */
static void utc_string(uint64_t real_ns, char out[40])
{
	time_t s = (time_t)(real_ns / 1000000000u);
	struct tm tm;
	if (!gmtime_r(&s, &tm)) {
		snprintf(out, 40, "?");
		return;
	}
	size_t n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 40 - n, ".%09" PRIu64 "Z", real_ns % 1000000000u);
}

static const char *type_name(const struct info *in, unsigned code, char buf[16])
{
	const char *n = in->hdr->types[code].name;
	if (n)
		return n;
	snprintf(buf, 16, "type_0x%02x", code);
	return buf;
}

static void text_name(const char *s) { out_text_quoted(s ? s : "", s ? strlen(s) : 0); }

/* "  key" (escaped) padded to the value column of the text report. */
static void text_item(const char *key)
{
	char *esc = text_bare_dup(key ? key : "", key ? strlen(key) : 0);
	size_t n = esc ? strlen(esc) : 1;
	out_str("  ");
	out_str(esc ? esc : "?");
	for (n += 2; n < 14; n++)
		out_char(' ');
	out_char(' ');
	free(esc);
}

static void per_event(const char *label, uint64_t bytes, uint64_t events)
{
	if (events)
		out_printf("%-14s %" PRIu64 " bytes, %.2f bytes/event\n", label, bytes,
			   (double)bytes / (double)events);
	else
		out_printf("%-14s %" PRIu64 " bytes\n", label, bytes);
}

static void print_text(const struct info *in)
{
	const struct lot_file_header *h = in->hdr;
	char buf[40];
	out_str("file           ");
	text_name(in->path);
	out_printf("\nformat         %u.%u\n", h->major, h->minor);
	if (in->have_file_bytes)
		out_printf("file size      %" PRIu64 " bytes\n", in->file_bytes);
	out_str("metadata\n");
	for (size_t i = 0; i < h->n_meta; i++) {
		text_item(h->meta[i].key);
		text_name(h->meta[i].value);
		out_char('\n');
	}
	out_printf("clock          %s (%u), %" PRIu64 " Hz, time shift %u\n",
		   clock_source_name(h->clock.source), h->clock.source, h->clock.freq_hz,
		   h->clock.time_shift);
	utc_string(h->clock.start_real_ns, buf);
	out_printf("start          %s\n", buf);
	uint64_t d = duration_ns(in);
	out_printf("duration       %" PRIu64 ".%09" PRIu64 " s (%" PRIu64 " ns)\n",
		   d / 1000000000u, d % 1000000000u, d);
	out_printf("chunks         %" PRIu64 "\n", in->chunks);
	out_printf("events         %" PRIu64 "\n", in->events);
	out_printf("lost           %" PRIu64 " (%" PRIu64 " in chunk headers, %" PRIu64
		   " in the trailer only)\n",
		   in->lost_chunks + in->lost_trailer, in->lost_chunks, in->lost_trailer);
	cpu_line(in);
	per_event("compressed", in->comp_bytes, in->events);
	per_event("raw", in->raw_bytes, in->events);

	out_printf("threads        %zu", in->threads.n - (in->show_tracer ? 0 : in->tracer_threads));
	if (in->tracer_threads && !in->show_tracer)
		out_printf(" (and %zu of lotrace's own, not listed: --show-tracer)", in->tracer_threads);
	out_char('\n');
	if (in->threads.n)
		out_printf("  %10s %10s %10s %10s %10s %10s %7s  %s\n", "tid", "events", "written",
			   "lost", "lost(hdr)", "lost(trl)", "chunks", "name");
	for (size_t i = 0; i < in->threads.n; i++) {
		const struct thread_stats *t = &in->threads.v[i];
		if (t->tracer && !in->show_tracer)
			continue;
		char written[24];
		if (t->in_trailer)
			snprintf(written, sizeof written, "%" PRIu64, t->written);
		else
			snprintf(written, sizeof written, "-");
		out_printf("  %10" PRIu64 " %10" PRIu64 " %10s %10" PRIu64 " %10" PRIu64
			   " %10" PRIu64 " %7" PRIu64 "  ",
			   t->tid, t->events, written, t->lost_chunks + t->lost_trailer,
			   t->lost_chunks, t->lost_trailer, t->chunks);
		text_name(t->name);
		out_str(t->tracer ? "  (lotrace's own)\n" : "\n");
	}

	stack_depth_text(&in->depth);
	if (in->events)
		out_str("events by type\n");
	for (unsigned c = 0; c < 256; c++) {
		if (!in->by_type[c])
			continue;
		char tn[16];
		const char *n = type_name(in, c, tn);
		text_item(n);
		out_printf("%" PRIu64 "\n", in->by_type[c]);
	}

	if (h->n_modules) {
		out_printf("modules        %zu\n", h->n_modules);
		for (size_t i = 0; i < h->n_modules; i++) {
			const struct lot_module *m = &h->modules[i];
			out_printf("  0x%" PRIx64 "-0x%" PRIx64 " offset 0x%" PRIx64 " ", m->start,
				   m->end, m->offset);
			text_name(m->path);
			if (m->build_id_len) {
				out_str(" build-id ");
				for (size_t b = 0; b < m->build_id_len; b++)
					out_printf("%02x", m->build_id[b]);
			}
			out_char('\n');
		}
	}

	if (!in->trailer) {
		out_str("trailer        none (the file is truncated)\n");
	} else {
		utc_string(in->trailer->end_real_ns, buf);
		out_printf("trailer        yes, end %s\n", buf);
		for (size_t i = 0; i < in->trailer->n_stats; i++)
			if (!strcmp(in->trailer->stats[i].key, "write_error"))
				out_printf("write error    %s (errno %" PRIu64 "): the file ends after its "
					   "last whole chunk; later events are counted as lost\n",
					   strerror((int)in->trailer->stats[i].value),
					   in->trailer->stats[i].value);
		if (in->trailer->n_stats)
			out_str("stats\n");
		for (size_t i = 0; i < in->trailer->n_stats; i++) {
			text_item(in->trailer->stats[i].key);
			out_printf("%" PRIu64 "\n", in->trailer->stats[i].value);
		}
	}
	if (in->damaged)
		out_printf("damaged        yes, warnings: %" PRIu64 "\n", in->warnings);
}

static void json_kv_name(const char *key, const char *s) { json_kv_cstr(key, s ? s : ""); }

/* A key from the file (meta, trailer stats): escaped. */
static void json_key_name(const char *k) { json_key_str(k, strlen(k)); }

static void json_ratio(const char *key, uint64_t bytes, uint64_t events)
{
	json_key(key);
	if (events)
		json_printf("%.2f", (double)bytes / (double)events);
	else
		json_null();
}

static void print_json(const struct info *in)
{
	const struct lot_file_header *h = in->hdr;
	char buf[40];
	json_object();
	json_kv_name("file", in->path);
	json_key("format");
	json_object();
	json_kv_u64("major", h->major);
	json_kv_u64("minor", h->minor);
	json_object_end();
	json_key("file_bytes");
	if (in->have_file_bytes)
		json_u64(in->file_bytes);
	else
		json_null();
	json_key("meta");
	json_object();
	for (size_t i = 0; i < h->n_meta; i++) {
		json_key_name(h->meta[i].key);
		json_cstr(h->meta[i].value ? h->meta[i].value : "");
	}
	json_object_end();
	json_key("clock");
	json_object();
	json_kv_cstr("source", clock_source_name(h->clock.source));
	json_kv_u64("source_code", h->clock.source);
	json_kv_u64("freq_hz", h->clock.freq_hz);
	json_kv_u64("time_shift", h->clock.time_shift);
	json_kv_u64("start_ticks", h->clock.start_ticks);
	json_kv_u64("start_mono_ns", h->clock.start_mono_ns);
	json_kv_u64("start_real_ns", h->clock.start_real_ns);
	json_object_end();
	utc_string(h->clock.start_real_ns, buf);
	json_kv_name("start_utc", buf);
	json_kv_u64("duration_ns", duration_ns(in));
	json_kv_u64("chunks", in->chunks);
	json_kv_u64("events", in->events);
	json_kv_u64("lost", in->lost_chunks + in->lost_trailer);
	json_kv_u64("lost_chunk_headers", in->lost_chunks);
	json_kv_u64("lost_trailer_only", in->lost_trailer);
	json_kv_u64("compressed_bytes", in->comp_bytes);
	json_kv_u64("raw_bytes", in->raw_bytes);
	json_key("bytes_per_event");
	json_object();
	json_ratio("compressed", in->comp_bytes, in->events);
	json_ratio("raw", in->raw_bytes, in->events);
	json_object_end();
	stack_depth_json(&in->depth);

	if (in->tracer_threads && !in->show_tracer)
		json_kv_u64("tracer_threads_not_listed", in->tracer_threads);
	json_key("threads");
	json_array();
	for (size_t i = 0; i < in->threads.n; i++) {
		const struct thread_stats *t = &in->threads.v[i];
		if (t->tracer && !in->show_tracer)
			continue;
		json_object();
		json_kv_u64("tid", t->tid);
		json_kv_name("name", t->name);
		if (t->tracer)
			json_kv_bool("tracer", true);
		json_kv_u64("events", t->events);
		json_kv_u64("lost", t->lost_chunks + t->lost_trailer);
		json_kv_u64("lost_chunk_headers", t->lost_chunks);
		json_kv_u64("lost_trailer_only", t->lost_trailer);
		json_kv_u64("chunks", t->chunks);
		json_key("written");
		if (t->in_trailer)
			json_u64(t->written);
		else
			json_null();
		json_object_end();
	}
	json_array_end();

	json_key("event_counts");
	json_object();
	for (unsigned c = 0; c < 256; c++) {
		if (!in->by_type[c])
			continue;
		char tn[16];
		json_key_name(type_name(in, c, tn));
		json_u64(in->by_type[c]);
	}
	json_object_end();

	json_key("modules");
	json_array();
	for (size_t i = 0; i < h->n_modules; i++) {
		const struct lot_module *m = &h->modules[i];
		json_object();
		json_kv_u64("start", m->start);
		json_kv_u64("end", m->end);
		json_kv_u64("offset", m->offset);
		json_kv_name("path", m->path);
		json_key("build_id");
		json_hex(m->build_id, m->build_id_len);
		json_object_end();
	}
	json_array_end();

	json_key("trailer");
	if (!in->trailer) {
		json_null();
	} else {
		const struct lot_trailer *t = in->trailer;
		json_object();
		json_kv_u64("end_ticks", t->end_ticks);
		json_kv_u64("end_mono_ns", t->end_mono_ns);
		json_kv_u64("end_real_ns", t->end_real_ns);
		json_key("stats");
		json_object();
		for (size_t i = 0; i < t->n_stats; i++) {
			json_key_name(t->stats[i].key ? t->stats[i].key : "");
			json_u64(t->stats[i].value);
		}
		json_object_end();
		json_object_end();
	}
	json_kv_bool("damaged", in->damaged);
	json_kv_u64("warnings", in->warnings);
	json_object_end();
	out_char('\n');
}

int cmd_info(int argc, char **argv)
{
	static struct info in; /* by_type is 2 KiB: keep it off the stack */
	memset(&in, 0, sizeof in); /* a fresh one per call (the fuzzer calls again) */
	bool json;
	int st = cmd_parse_file_opts(argc, argv, usage, help, &json, &in.show_tracer, &in.path);
	if (st >= 0)
		return st;
	struct lot_reader *r = cmd_open(in.path);
	if (!r)
		return CMD_EXIT_UNREADABLE;
	struct stat sb;
	if (stat(in.path, &sb) == 0 && S_ISREG(sb.st_mode)) {
		in.file_bytes = (uint64_t)sb.st_size;
		in.have_file_bytes = true;
	}
	in.hdr = lot_reader_header(r);
	int rc = gather(&in, r);
	for (size_t i = 0; i < in.threads.n; i++)
		in.tracer_threads += in.threads.v[i].tracer;
	if (rc < 0)
		cmd_read_error(in.path, (unsigned long long)in.read_at);
	in.damaged = lot_reader_damaged(r) || rc < 0;
	in.warnings = lot_reader_warnings(r);
	if (json)
		print_json(&in);
	else
		print_text(&in);
	st = cmd_close(r);
	threads_free(&in.threads);
	return rc < 0 && st == CMD_EXIT_OK ? CMD_EXIT_DAMAGED : st;
}
