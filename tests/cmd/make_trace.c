/*
 * Writes traces for the export and report tests (not a test itself):
 * `make_trace uptime|odd-names|many-tasks|write-error OUT.lot`.
 *
 * uptime: a host up 200 days.  CLOCK_MONOTONIC is then about 1.7e16 ns, where a
 * double holds microseconds only to about 4 ns: an export that writes
 * absolute times loses the nanoseconds that keep touching slices apart.
 *
 * Thread "main" runs UPTIME_SPANS spans named "tick" back to back (each
 * ends where the next begins, at odd nanoseconds), and its own task blocks
 * and runs in between, so that the state slices touch too.
 *
 * odd-names: names, reasons and details with bytes that are not UTF-8 (a
 * lone continuation byte, a cut sequence, a surrogate, 0xff) and XML's
 * special characters, on threads, tasks, spans, blocks, instants, and a
 * CPU sample in that task and span.
 *
 * many-tasks: 600 tasks "job" run one after the other on one thread, task i
 * from i ms to i ms + 500 us, each with a span "step".
 *
 * write-error: what the recorder writes when the disk fills: a chunk, then
 * a trailer with stat write_error (ENOSPC) and the thread's losses.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/support/tracebuild.h"

#define UPTIME_SPANS 2000
#define DAY_NS (86400ull * 1000000000ull)

static struct lot_tb *uptime(void)
{
	struct lot_clock_info clock = {.freq_hz = 1000000000, .start_ticks = 200 * DAY_NS + 123,
				       .start_mono_ns = 200 * DAY_NS + 123,
				       .start_real_ns = 1767225600000000000ull, .source = 1};
	struct lot_tb *b = lot_tb_new(&clock);
	struct lot_writer *w = lot_tb_chunk_begin_cap(b, 10, "main", 0, 0, 1u << 20);
	lot_write_thread_begin(w, lot_tb_ticks(b, 0), 10, lot_writer_string(w, "main"), 0);
	uint64_t t = 1001, span = 1;
	for (unsigned i = 0; i < UPTIME_SPANS; i++) {
		lot_write_span_begin(w, lot_tb_ticks(b, t), span, 0, 0, lot_writer_string(w, "tick"), 0);
		t += 1001 + 7 * (i % 13);
		lot_write_task_block(w, lot_tb_ticks(b, t), lot_writer_string(w, "io"), 0, 0);
		t += 333;
		lot_write_task_unblock(w, lot_tb_ticks(b, t), 0, 0);
		if (!lot_write_span_end(w, lot_tb_ticks(b, t), span++)) {
			fprintf(stderr, "make_trace: chunk full\n");
			return NULL;
		}
	}
	lot_write_thread_end(w, lot_tb_ticks(b, t));
	lot_tb_chunk_end(b);
	lot_tb_trailer(b, t);
	return b;
}

#define MS 1000000ull

static struct lot_tb *odd_names(void)
{
	static const char thread[] = "w\xff<&>\"rk", task[] = "req\xed\xa0\x80" "st",
			  span[] = "sp\xc3", child[] = "\x80" "child", reason[] = "io\xe2\x82",
			  detail[] = "fd \x01\xfe", instant[] = "i\xc0\xaf" "x";
	struct lot_tb *b = lot_tb_new(NULL);
	struct lot_writer *w = lot_tb_chunk_begin(b, 10, thread, 0, 0);
	lot_write_thread_begin(w, lot_tb_ticks(b, 0), 10, lot_writer_string(w, thread), 0);
	lot_write_task_create(w, lot_tb_ticks(b, 1 * MS), 100, 0, lot_writer_string(w, task), 0);
	lot_write_task_start(w, lot_tb_ticks(b, 1 * MS), 100);
	lot_write_span_begin(w, lot_tb_ticks(b, 2 * MS), 1, 0, 0, lot_writer_string(w, span), 0);
	lot_write_span_begin(w, lot_tb_ticks(b, 3 * MS), 2, 1, 0, lot_writer_string(w, child), 0);
	lot_write_instant(w, lot_tb_ticks(b, 4 * MS), lot_writer_string(w, instant), 0);
	uint64_t pc = 0x1234; /* a CPU sample: the task and span names label it */
	lot_write_cpu_sample(w, lot_tb_ticks(b, 4 * MS), lot_writer_stack(w, &pc, 1), 1);
	lot_write_counter(w, lot_tb_ticks(b, 4 * MS), lot_writer_string(w, instant), 3);
	lot_write_task_block(w, lot_tb_ticks(b, 5 * MS), lot_writer_string(w, reason),
			     lot_writer_string(w, detail), 0);
	lot_write_task_unblock(w, lot_tb_ticks(b, 9 * MS), 100, 0);
	lot_write_span_end(w, lot_tb_ticks(b, 10 * MS), 2);
	lot_write_span_end(w, lot_tb_ticks(b, 11 * MS), 1);
	lot_write_task_end(w, lot_tb_ticks(b, 12 * MS));
	lot_write_thread_end(w, lot_tb_ticks(b, 13 * MS));
	lot_tb_chunk_end(b);
	lot_tb_trailer(b, 13 * MS);
	return b;
}

static struct lot_tb *many_tasks(void)
{
	struct lot_tb *b = lot_tb_new(NULL);
	struct lot_writer *w = lot_tb_chunk_begin_cap(b, 10, "main", 0, 0, 1u << 20);
	lot_write_thread_begin(w, lot_tb_ticks(b, 0), 10, lot_writer_string(w, "main"), 0);
	for (uint64_t i = 1; i <= 600; i++) {
		uint64_t t = i * MS;
		lot_write_task_create(w, lot_tb_ticks(b, t), 1000 + i, 0, lot_writer_string(w, "job"), 0);
		lot_write_task_start(w, lot_tb_ticks(b, t), 1000 + i);
		lot_write_span_begin(w, lot_tb_ticks(b, t), i, 0, 0, lot_writer_string(w, "step"), 0);
		lot_write_span_end(w, lot_tb_ticks(b, t + MS / 2), i);
		if (!lot_write_task_end(w, lot_tb_ticks(b, t + MS / 2))) {
			fprintf(stderr, "make_trace: chunk full\n");
			return NULL;
		}
	}
	lot_write_thread_end(w, lot_tb_ticks(b, 601 * MS));
	lot_tb_chunk_end(b);
	lot_tb_trailer(b, 601 * MS);
	return b;
}

static struct lot_tb *write_error(void)
{
	struct lot_tb *b = lot_tb_new(NULL);
	struct lot_writer *w = lot_tb_chunk_begin(b, 10, "main", 0, 0);
	lot_write_thread_begin(w, lot_tb_ticks(b, 0), 10, lot_writer_string(w, "main"), 0);
	lot_write_instant(w, lot_tb_ticks(b, MS), lot_writer_string(w, "tick"), 0);
	lot_tb_chunk_end(b);
	lot_tb_thread_lost(b, 10, 1234);
	lot_tb_stat(b, "write_error", ENOSPC);
	lot_tb_trailer(b, 2 * MS);
	return b;
}

int main(int argc, char **argv)
{
	struct lot_tb *b = NULL;
	if (argc == 3 && !strcmp(argv[1], "uptime"))
		b = uptime();
	else if (argc == 3 && !strcmp(argv[1], "odd-names"))
		b = odd_names();
	else if (argc == 3 && !strcmp(argv[1], "many-tasks"))
		b = many_tasks();
	else if (argc == 3 && !strcmp(argv[1], "write-error"))
		b = write_error();
	else
		fprintf(stderr, "usage: make_trace uptime|odd-names|many-tasks|write-error OUT.lot\n");
	if (!b)
		return 1;
	int rc = lot_tb_save(b, argv[2]) ? 1 : 0;
	lot_tb_free(b);
	return rc;
}
