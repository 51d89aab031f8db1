/*
 * Three processes' traces of one request, with known answers, for the
 * cross-process tests (tests/analysis/multi.sh):
 *
 *   front  (host hostA, pid 100): span "GET /" 0..100 ms, its client span
 *          "call api" 10..90 ms blocked on recv 11..89 ms;
 *   api    (host hostA, pid 200, started 2 ms after front, so its times are
 *          shifted by its monotonic start): span "handle" 12..88 ms (child
 *          of "call api"), client span "call back" 20..80 ms blocked on recv
 *          21..79 ms;
 *   back   (host hostB, pid 300): span "query" 24.5..75 ms (child of "call
 *          back"): running, blocked on disk 30..60 ms, woken by another
 *          thread, runnable 60..65 ms, running to 75 ms.  Its header's
 *          CLOCK_REALTIME is off by SKEW (250 ms): another host whose clock
 *          disagrees.
 *
 * All three use thread id 7 and task id 1000 for their main thread, so ids
 * collide unless the analysis keys them by file.  The true times are on
 * front's clock.  Span causality bounds back's skew to [-SKEW - 4.5 ms,
 * -SKEW + 5 ms]: the correction is -SKEW + 0.25 ms, within 1 ms.
 *
 * usage: gen_multi DIR   (writes DIR/front.lot, DIR/api.lot, DIR/back.lot)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/tracebuild.h"

#define MS 1000000ull
#define US 1000ull
#define SKEW (250 * MS)
#define REAL0 1767225600000000000ull

static const uint8_t trace_id[16] = {0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6,
				     0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36};

/* true time t (front's clock) on a file that started at true time t0 */
static uint64_t at(const struct lot_tb *b, uint64_t t0, uint64_t t) { return lot_tb_ticks(b, t - t0); }

static struct lot_tb *proc_new(const char *service, const char *pid, const char *host,
			       uint64_t mono0, uint64_t real0)
{
	struct lot_clock_info c = {.freq_hz = 1000000000, .start_ticks = 1000000000,
				   .start_mono_ns = mono0, .start_real_ns = real0, .source = 1};
	char exe[64];
	snprintf(exe, sizeof exe, "/usr/bin/%s", service);
	struct lot_kv meta[] = {{"pid", pid}, {"exe", exe}, {"service", service},
				{"host", host}, {"version", "1.2.3"}, {"env", "test"},
				{"tags", "team=lotrace,zone=z1"}};
	return lot_tb_new_meta(&c, meta, sizeof meta / sizeof meta[0]);
}

static int save(struct lot_tb *b, const char *dir, const char *name, uint64_t end)
{
	char path[4096];
	lot_tb_trailer(b, end);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int rc = lot_tb_save(b, path);
	lot_tb_free(b);
	return rc;
}

/* A client or server pair on thread 7: span, child client span blocked on recv. */
static void hop(struct lot_writer *w, const struct lot_tb *b, uint64_t t0, uint64_t id,
		uint64_t parent, const char *name, uint64_t beg, uint64_t end, uint64_t cid,
		const char *cname, uint64_t cbeg, uint64_t cend, const char *peer)
{
	uint32_t tr = lot_writer_trace_define(w, trace_id);
	lot_write_span_begin(w, at(b, t0, beg), id, parent, tr, lot_writer_string(w, name), 0);
	lot_write_span_attr(w, at(b, t0, beg), id, lot_writer_string(w, "http.method"),
			    lot_value_str("GET"));
	lot_write_span_begin(w, at(b, t0, cbeg), cid, id, tr, lot_writer_string(w, cname), 0);
	lot_write_span_attr(w, at(b, t0, cbeg), cid, lot_writer_string(w, "peer.service"),
			    lot_value_str(peer));
	lot_write_task_block(w, at(b, t0, cbeg + 1 * MS), lot_writer_string(w, "recv"), 0, 0);
	lot_write_task_unblock(w, at(b, t0, cend - 1 * MS), 1000, 0);
	lot_write_span_end(w, at(b, t0, cend), cid);
	lot_write_span_attr(w, at(b, t0, end), id, lot_writer_string(w, "http.status_code"),
			    lot_value_int(200));
	lot_write_span_end(w, at(b, t0, end), id);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_multi DIR\n");
		return 1;
	}
	const char *dir = argv[1];
	int rc = 0;

	/* front: true time 0 = its start */
	struct lot_tb *b = proc_new("front", "100", "hostA", 5000 * MS, REAL0);
	struct lot_writer *w = lot_tb_chunk_begin(b, 7, "front-main", 0, 0);
	lot_write_thread_begin(w, at(b, 0, 0), 7, lot_writer_string(w, "front-main"), 1000);
	hop(w, b, 0, 0xf1, 0, "GET /", 0, 100 * MS, 0xf2, "call api", 10 * MS, 90 * MS, "api");
	lot_write_thread_end(w, at(b, 0, 101 * MS));
	lot_tb_chunk_end(b);
	rc |= save(b, dir, "front.lot", 102 * MS);

	/* api: same host, started 2 ms later (monotonic), real clock agrees */
	uint64_t t0 = 2 * MS;
	b = proc_new("api", "200", "hostA", 5000 * MS + t0, REAL0 + t0);
	w = lot_tb_chunk_begin(b, 7, "api-main", 0, 0);
	lot_write_thread_begin(w, at(b, t0, t0), 7, lot_writer_string(w, "api-main"), 1000);
	hop(w, b, t0, 0xa1, 0xf2, "handle", 12 * MS, 88 * MS, 0xa2, "call back", 20 * MS, 80 * MS,
	    "back");
	lot_write_thread_end(w, at(b, t0, 95 * MS));
	lot_tb_chunk_end(b);
	rc |= save(b, dir, "api.lot", 96 * MS);

	/* back: another host, started 1 ms later, its real-time clock SKEW ahead */
	t0 = 1 * MS;
	b = proc_new("back", "300", "hostB", 777000 * MS, REAL0 + t0 + SKEW);
	w = lot_tb_chunk_begin(b, 7, "back-main", 0, 0);
	uint32_t tr = lot_writer_trace_define(w, trace_id);
	lot_write_thread_begin(w, at(b, t0, t0), 7, lot_writer_string(w, "back-main"), 1000);
	lot_write_span_begin(w, at(b, t0, 24 * MS + 500 * US), 0xb1, 0xa2, tr,
			     lot_writer_string(w, "query"), 0);
	lot_write_task_block(w, at(b, t0, 30 * MS), lot_writer_string(w, "disk"), 0, 0);
	lot_write_instant(w, at(b, t0, 65 * MS), lot_writer_string(w, "resumed"), 0);
	lot_write_span_end(w, at(b, t0, 75 * MS), 0xb1);
	lot_write_thread_end(w, at(b, t0, 80 * MS));
	lot_tb_chunk_end(b);
	w = lot_tb_chunk_begin(b, 8, "back-io", 0, 0);
	lot_write_thread_begin(w, at(b, t0, t0), 8, lot_writer_string(w, "back-io"), 2000);
	lot_write_task_unblock(w, at(b, t0, 60 * MS), 1000, 0);
	lot_write_thread_end(w, at(b, t0, 80 * MS));
	lot_tb_chunk_end(b);
	rc |= save(b, dir, "back.lot", 81 * MS);
	return rc ? 1 : 0;
}
