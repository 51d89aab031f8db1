/*
 * What the CPU-sample reports share (profile, flame --cpu, spans' hot
 * functions, export --format pprof, timeline's marks): choosing samples by
 * span name or trace (--span, --trace), turning a sample's stack into
 * function names (the recorder's own frames stripped, as every report
 * does), and the sampling line every text report prints.  The attribution
 * of samples to tasks and spans is the model's (cmd/model.h,
 * doc/ANALYSIS.md "CPU samples").
 */
#ifndef LOT_CMD_SAMPLES_H
#define LOT_CMD_SAMPLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd/intern.h"
#include "cmd/model.h"
#include "cmd/report.h"

struct sample_filter {
	const char *span;  /* --span NAME: samples attributed to a span of that name
			      or counted for one (inside it) */
	bool want_trace;   /* --trace ID: samples attributed to that trace */
	uint8_t trace[16];
};

bool sample_filter_match(const struct sample_filter *f, const struct model_sample *sm);

/* The function names of a stack, innermost first, the recorder's frames
 * stripped: "[no stack]" alone when there is none.  Names are interned in
 * *in (equal names, equal pointers); at most max are written.  Returns how
 * many (0 on ENOMEM). */
size_t sample_functions(struct report *rep, struct interner *in, uint32_t stack,
			const char **out, size_t max);
#define SAMPLE_FRAMES_MAX 256

/* "cpu samples: N (period 10.1ms, 99 Hz), M dropped\n" (text reports). */
void sample_line_text(const struct model_summary *sum, uint64_t samples);

#endif
