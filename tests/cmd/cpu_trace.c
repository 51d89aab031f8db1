/*
 * Writes a trace with CPU samples of known attribution for the profile,
 * flame --cpu, spans and pprof tests (not a test itself): `cpu_trace OUT.lot`
 * prints the two trace ids it used, one per line.  The trace is built in
 * memory (tests/support/tracebuild.h), so no recorder is needed, but its
 * module map is this process's own and its samples' PCs lie in this
 * program's functions, so that lotrace names them from this binary.
 *
 * At 100 Hz (10 ms a sample), worker thread 10:
 *   request 1 (trace A), span "handle": 6 samples in burn_hot, 2 in burn_cold;
 *     it creates task "bg", run by thread 20: 2 samples in burn_cold, which
 *     count for "handle" (inherited);
 *   request 2 (trace B), span "handle": 3 in burn_hot, 1 in burn_cold (weight 2);
 *   span "other": 1 sample in handle_request;
 * thread 30 has no task: 1 sample in main.  The trailer: 3 dropped.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/support/tracebuild.h"
#include "trace-format/reader.h"
#include "tracer/modules.h"

#define MS 1000000ull

/* The functions samples point into: never inlined, never merged. */
void burn_hot(volatile int *x);
void burn_cold(volatile int *x);
void handle_request(volatile int *x);
void helper_main(volatile int *x);

__attribute__((noinline, used)) void burn_hot(volatile int *x)
{
	for (int i = 0; i < 100; i++)
		*x += i;
}
__attribute__((noinline, used)) void burn_cold(volatile int *x)
{
	for (int i = 0; i < 100; i++)
		*x -= i;
}
__attribute__((noinline, used)) void handle_request(volatile int *x)
{
	burn_hot(x);
	burn_cold(x);
	*x += 1; /* not a tail call: the caller's frame stays */
}
__attribute__((noinline, used)) void helper_main(volatile int *x)
{
	burn_cold(x);
	*x += 2;
}

/* A return address into f: frames are looked up at pc - 1, f's first byte. */
#define IN(f) ((uint64_t)(uintptr_t)(f) + 1)
/* A sample's interrupted instruction, f's first byte: taken as it is (one
 * byte before is another function or padding). */
#define AT(f) ((uint64_t)(uintptr_t)(f))

static const uint8_t trace_a[16] = {0xaa, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t trace_b[16] = {0xbb, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

int main(int argc, char **argv);

static void samples(struct lot_tb *b, struct lot_writer *w, uint64_t *t, void (*leaf)(volatile int *),
		    void (*caller)(volatile int *), int n, uint64_t weight)
{
	uint64_t pcs[3] = {AT(leaf), IN(caller), IN(main)};
	if (leaf == caller) /* sampled in the caller itself */
		pcs[1] = AT(caller);
	uint32_t st = leaf == caller ? lot_writer_stack(w, pcs + 1, 2) : lot_writer_stack(w, pcs, 3);
	for (int i = 0; i < n; i++) {
		*t += MS;
		lot_write_cpu_sample(w, lot_tb_ticks(b, *t), st, weight);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: cpu_trace OUT.lot\n");
		return 1;
	}
	struct lot_module *mods;
	size_t n_mods;
	if (lot_modules_snapshot(&mods, &n_mods)) {
		perror("cpu_trace: module map");
		return 1;
	}
	struct lot_kv meta[] = {{"cpu_hz", "100"}, {"version", "1.2.3"}, {"tags", "team=core"}};
	struct lot_tb *b = lot_tb_new_with(NULL, meta, 3, mods, n_mods);
	uint64_t t = 0;
	struct lot_writer *w = lot_tb_chunk_begin(b, 10, "worker", 0, 0);
	lot_write_thread_begin(w, lot_tb_ticks(b, t), 10, lot_writer_string(w, "worker"), 0);
	uint32_t handle = lot_writer_string(w, "handle"), req = lot_writer_string(w, "request");
	/* request 1 */
	lot_write_task_create(w, lot_tb_ticks(b, t), 100, 0, req, 0);
	lot_write_task_start(w, lot_tb_ticks(b, t), 100);
	lot_write_span_begin(w, lot_tb_ticks(b, t), 0xa1, 0, lot_writer_trace_define(w, trace_a), handle, 0);
	samples(b, w, &t, burn_hot, handle_request, 6, 1);
	samples(b, w, &t, burn_cold, handle_request, 2, 1);
	lot_write_task_create(w, lot_tb_ticks(b, t), 200, 100, lot_writer_string(w, "bg"), 0);
	uint64_t bg_start = t;
	t += 10 * MS; /* the helper runs meanwhile */
	lot_write_span_end(w, lot_tb_ticks(b, t), 0xa1);
	lot_write_task_end(w, lot_tb_ticks(b, t));
	/* request 2 */
	lot_write_task_create(w, lot_tb_ticks(b, t), 101, 0, req, 0);
	lot_write_task_start(w, lot_tb_ticks(b, t), 101);
	lot_write_span_begin(w, lot_tb_ticks(b, t), 0xb1, 0, lot_writer_trace_define(w, trace_b), handle, 0);
	samples(b, w, &t, burn_hot, handle_request, 3, 1);
	samples(b, w, &t, burn_cold, handle_request, 1, 2);
	t += 5 * MS; /* a wait with no samples */
	lot_write_span_end(w, lot_tb_ticks(b, t), 0xb1);
	lot_write_task_end(w, lot_tb_ticks(b, t));
	lot_write_span_begin(w, lot_tb_ticks(b, t), 0xc1, 0, lot_writer_trace_define(w, trace_b),
			     lot_writer_string(w, "other"), 0);
	samples(b, w, &t, handle_request, handle_request, 1, 1);
	lot_write_span_end(w, lot_tb_ticks(b, t), 0xc1);
	lot_write_thread_end(w, lot_tb_ticks(b, t + MS));
	lot_tb_chunk_end(b);

	uint64_t th = bg_start;
	w = lot_tb_chunk_begin(b, 20, "helper", 0, 0);
	lot_write_thread_begin(w, lot_tb_ticks(b, 0), 20, lot_writer_string(w, "helper"), 0);
	lot_write_task_start(w, lot_tb_ticks(b, th), 200);
	samples(b, w, &th, burn_cold, helper_main, 2, 1);
	lot_write_task_end(w, lot_tb_ticks(b, th + MS));
	lot_tb_chunk_end(b);

	w = lot_tb_chunk_begin(b, 30, "bare", 0, 0);
	uint64_t tb = 2 * MS, pc = IN(main);
	lot_write_cpu_sample(w, lot_tb_ticks(b, tb), lot_writer_stack(w, &pc, 1), 1);
	lot_tb_chunk_end(b);
	lot_tb_stat(b, "cpu_samples", 17);
	lot_tb_stat(b, "cpu_samples_dropped", 3);
	lot_tb_trailer(b, t + 2 * MS);
	int rc = lot_tb_save(b, argv[1]);
	lot_tb_free(b);
	lot_modules_free(mods, n_mods);
	if (rc) {
		perror(argv[1]);
		return 1;
	}
	char hex[33];
	lot_trace_id_hex(trace_a, hex);
	printf("%s\n", hex);
	lot_trace_id_hex(trace_b, hex);
	printf("%s\n", hex);
	return 0;
}
