/*
 * What the commands on the analysis model (spans, tasks, flame, profile,
 * timeline, export) share: opening the trace with warnings printed as they
 * are met, running the model with a progress indicator, the header every report starts with (the trace's time
 * span, events, losses and anything that makes the analysis less than exact),
 * durations in text, and frames of stacks.
 */
#ifndef LOT_CMD_REPORT_H
#define LOT_CMD_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "cmd/common.h"
#include "cmd/model.h"
#include "cmd/progress.h"
#include "cmd/sources.h"
#include "cmd/symbols.h"

struct report {
	const char *cmd, *path; /* path: the first file (of the sources' order once open) */
	char **paths;           /* every file (directories expanded), analysed as one */
	size_t n_paths;
	struct sources src;
	bool json;
	const char *symdir;   /* --symbols DIR */
	bool no_symbols;      /* --no-symbols */
	bool show_tracer;     /* --show-tracer: the recorder's own threads too */
	struct lot_reader *r;
	struct model *m;
	struct model_summary sum;
	struct progress progress;
	struct symbolizer *sym; /* made on first use */
	struct symbolizer **syms; /* per file after the first, made on first use */
};

/*
 * The one driver of the analysis model for every command that reads traces
 * through it (spans, tasks, flame, profile, timeline, export): which files,
 * their warnings (a progress line cleared first), --show-tracer, progress,
 * the messages and the exit status are decided here.  Each step returns -1
 * to go on, else the exit status (reported; report_close() still to call):
 *   report_open:  open rep->paths (or rep->path alone) as one trace
 *                 (CMD_EXIT_UNREADABLE: one line printed);
 *   report_model: the model on them, with these callbacks (out of memory:
 *                 CMD_EXIT_UNREADABLE);
 *   report_read:  read everything through it, with a progress indicator
 *                 (out of memory: CMD_EXIT_UNREADABLE; a read error is
 *                 warned about and earns CMD_EXIT_DAMAGED at the close).
 * report_run() is the three in a row, for a command with nothing to do
 * between them (commands that write a prologue or redirect stdout do).
 */
int report_open(struct report *rep);
int report_model(struct report *rep, const struct model_callbacks *cb);
int report_read(struct report *rep);
int report_run(struct report *rep, const struct model_callbacks *cb);
/* Flush, free, and the exit status the read earned (0 or 3). */
int report_close(struct report *rep);
/* report_run(), then print(ctx) unless the trace could not be read (with a
 * warning first if *oom), then report_close(): the exit status. */
int report_main(struct report *rep, const struct model_callbacks *cb, void (*print)(void *ctx),
		void *ctx, const bool *oom);

/* getopt_long helpers: an option every report takes (--json, --symbols,
 * --no-symbols, --show-tracer): true if c was one.  After the options: the
 * FILE arguments (one or more, or directories) into rep->paths and rep->path
 * (the first); -1 to go on, else the exit status (usage error). */
bool report_common_opt(struct report *rep, int c, const char *arg);
int report_file_arg(struct report *rep, int argc, char **argv, const char *usage);

/* The header: text lines, or the "trace" member of the JSON object open
 * (cmd/json.h). */
void report_header_text(const struct report *rep);
void report_header_json(const struct report *rep);

/* A duration for people: "812ns", "12.3us", "4.56ms", "1.234s". */
void out_dur(uint64_t ns);
/* The same right-aligned in width columns (tables). */
void out_dur_right(uint64_t ns, size_t width);
/* A stack's PCs without the recorder's own innermost frames (lot__*). */
const uint64_t *report_stack(struct report *rep, uint32_t stack, size_t *n);
/* The same for a CPU sample's stack; *leaf_exact says whether pcs[0] is the
 * interrupted instruction itself (no frame of the recorder's was left out),
 * to symbolize with sym_frame_name(..., exact). */
const uint64_t *report_sample_stack(struct report *rep, uint32_t stack, size_t *n, bool *leaf_exact);
/* A stack as JSON: ["frame", ...] (innermost first), or [] for none. */
void report_stack_json(struct report *rep, uint32_t stack);
/* A span's attributes as one JSON object: {"key":value,...}. */
void report_attrs_json(const struct model_attr *attrs, size_t n);
/* A stack as text lines "<indent>at frame", innermost first, at most max frames. */
void report_stack_text(struct report *rep, uint32_t stack, const char *indent, unsigned max);
struct symbolizer *report_symbols(struct report *rep);
/* The symbolizer of one file (process). */
struct symbolizer *report_symbols_of(struct report *rep, unsigned proc);
/* "service[pid]" of a file (process); "" for a single file. */
const char *report_proc_name(const struct report *rep, unsigned proc);

/* Common options: index for getopt_long tables. */
#define REPORT_OPT_JSON 0x1001
#define REPORT_OPT_SYMBOLS 0x1002
#define REPORT_OPT_NO_SYMBOLS 0x1003
#define REPORT_OPT_SHOW_TRACER CMD_OPT_SHOW_TRACER
#define REPORT_OPT_HELP 'h'
/* --symbols DIR and --no-symbols, getopt_long entries. */
#define REPORT_SYMBOL_OPTIONS \
	{"symbols", required_argument, NULL, REPORT_OPT_SYMBOLS}, \
	{"no-symbols", no_argument, NULL, REPORT_OPT_NO_SYMBOLS}

/* Parse a non-negative integer option value; false if it is not one. */
bool report_parse_u64(const char *s, uint64_t *v);
/* Parse a trace id (32 hex digits); false if it is not one. */
bool report_parse_trace_id(const char *s, uint8_t out[16]);

#endif
