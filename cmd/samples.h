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

#include "cmd/idmap.h"
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

/*
 * The hot functions of spans (spans --slowest): per open span, its samples
 * by innermost function; when the span ends, the SPAN_HOT_MAX with most
 * samples.  Memory: the open spans times the distinct functions in each.
 */
#define SPAN_HOT_MAX 5
struct hot_fn {
	const char *fn; /* interned in span_hots.names */
	uint64_t samples;
};
struct hot_list {
	size_t n;
	struct hot_fn v[SPAN_HOT_MAX];
};
struct span_hots {
	struct idmap live; /* span id -> its tally */
	struct interner names;
	bool oom;
};
/* Count a sample for every open span it counts for (sm->spans). */
void span_hots_sample(struct span_hots *h, struct report *rep, const struct model_sample *sm);
/* At the span's end: its top functions (*out; n 0 when it has no samples). */
void span_hots_take(struct span_hots *h, uint64_t span_id, struct hot_list *out);
void span_hots_free(struct span_hots *h);

/* "cpu samples: N (period 10.1ms, 99 Hz), M dropped\n" (text reports). */
void sample_line_text(const struct model_summary *sum, uint64_t samples);

#endif
