/*
 * Writes a trace of a host up 200 days (not a test itself):
 * `uptime_trace OUT.lot`.  CLOCK_MONOTONIC is then about 1.7e16 ns, where a
 * double holds microseconds only to about 4 ns: an export that writes
 * absolute times loses the nanoseconds that keep touching slices apart.
 *
 * Thread "main" runs UPTIME_SPANS spans named "tick" back to back (each
 * ends where the next begins, at odd nanoseconds), and its own task blocks
 * and runs in between, so that the state slices touch too.
 */
#include <stdio.h>

#include "tests/support/tracebuild.h"

#define UPTIME_SPANS 2000
#define DAY_NS (86400ull * 1000000000ull)

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: uptime_trace OUT.lot\n");
		return 1;
	}
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
			fprintf(stderr, "uptime_trace: chunk full\n");
			return 1;
		}
	}
	lot_write_thread_end(w, lot_tb_ticks(b, t));
	lot_tb_chunk_end(b);
	lot_tb_trailer(b, t);
	return lot_tb_save(b, argv[1]) ? 1 : 0;
}
