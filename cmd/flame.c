/*
 * `lotrace flame FILE [--span NAME] [--state running|blocked|runnable]`:
 * folded stacks ("root;...;leaf weight", weight in nanoseconds) for
 * flamegraph.pl and speedscope, each stack weighted by the time tasks spent
 * in the state after the event that recorded it (cmd/model.h's segments;
 * doc/ANALYSIS.md).  Blocked and runnable stacks end in a "[reason]" frame.
 * --cpu weighs CPU samples' stacks instead (cmd/samples.h): the on-CPU
 * flame graph, of one request with --trace.
 * --svg OUT writes a flame graph instead.  There is no Debian C library
 * for flame graphs, so the SVG is written here: rectangles, text and a
 * title (tooltip) per frame.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/escape.h"
#include "cmd/idmap.h"
#include "cmd/json.h"
#include "cmd/out.h"
#include "cmd/report.h"
#include "cmd/samples.h"

static const char usage[] = "lotrace flame [--json] [--span NAME] [--state running|blocked|runnable |\n"
			    "                     --cpu [--trace ID]] [--svg OUT] [--symbols DIR] [--no-symbols]\n"
			    "                     [--show-tracer] FILE...";
static const char help[] =
	"Folded stacks weighted by the nanoseconds tasks spent in a state after each stack.\n"
	"  --state S       running (default), blocked or runnable\n"
	"  --span NAME     only time inside spans named NAME\n"
	"  --cpu           CPU samples' stacks instead, weighted by CPU nanoseconds\n"
	"                  (samples x the sampling period; sample counts when the trace\n"
	"                  has no period); a task's samples count for its span, else the\n"
	"                  span open where it was created\n"
	"  --trace ID      with --cpu: only samples of one trace (32 hex digits)\n"
	"  --svg OUT       write an SVG flame graph to OUT instead\n"
	"  --symbols DIR   look for binaries and debug files by build-id in DIR too\n"
	"  --no-symbols    raw addresses (module+0xoffset)\n"
	CMD_SHOW_TRACER_HELP
	"  --json          one JSON object with the stacks (schema: doc/JSON.md)\n"
	"  --help          this text\n";

struct weight {
	uint32_t stack;
	struct model_str reason;
	uint64_t ns;
};

struct flame {
	struct report rep;
	enum model_state state;
	const char *span;
	const char *svg;
	bool cpu;
	struct sample_filter filter;
	struct idmap map; /* (stack, reason) -> weight index + 1 */
	struct weight *v;
	size_t n, cap;
	uint64_t total;
	bool oom, svg_failed;
};

static void add_weight(struct flame *f, uint32_t stack, struct model_str reason, uint64_t d);

static void on_segment(void *ctx, const struct model_segment *sg)
{
	struct flame *f = ctx;
	if (sg->state != f->state)
		return;
	if (f->span) {
		bool in = false;
		for (size_t i = 0; i < sg->n_spans && !in; i++)
			in = strlen(f->span) == sg->spans[i]->name.n &&
			     !memcmp(f->span, sg->spans[i]->name.s, sg->spans[i]->name.n);
		if (!in)
			return;
	}
	struct model_str reason = f->state == MODEL_RUNNING ? (struct model_str){NULL, 0} : sg->reason;
	add_weight(f, sg->stack, reason, (uint64_t)(sg->end_ns - sg->start_ns));
}

static void on_sample(void *ctx, const struct model_sample *sm)
{
	struct flame *f = ctx;
	if (sample_filter_match(&f->filter, sm))
		add_weight(f, sm->stack, (struct model_str){NULL, 0},
			   sm->cpu_ns ? sm->cpu_ns : sm->weight); /* 0: no period known */
}

static void add_weight(struct flame *f, uint32_t stack, struct model_str reason, uint64_t d)
{
	uint64_t key = ((uint64_t)stack << 32) ^ (uint64_t)(uintptr_t)reason.s;
	uintptr_t idx = (uintptr_t)idmap_get(&f->map, key);
	if (!idx) {
		if (f->n == f->cap) {
			size_t cap = 2 * f->cap + 64;
			struct weight *v = realloc(f->v, cap * sizeof *v);
			if (!v) {
				f->oom = true;
				return;
			}
			f->v = v;
			f->cap = cap;
		}
		f->v[f->n] = (struct weight){stack, reason, 0};
		idx = ++f->n;
		if (idmap_put(&f->map, key, (void *)idx)) {
			f->oom = true;
			f->n--;
			return;
		}
	}
	f->v[idx - 1].ns += d;
	f->total += d;
}

/* What the weights are: a state's time, or "cpu" (--cpu). */
static const char *what(const struct flame *f) { return f->cpu ? "cpu" : model_state_name(f->state); }

/* One folded line per distinct text: "a;b;c" -> ns. */
struct line {
	char *text;
	uint64_t ns;
};

/* A frame in a folded line, for flamegraph.pl: ';' would split it and a
 * control byte (a line break) the line, and it copies names into its SVG
 * as they are (an SVG must be UTF-8 to open): so ';' becomes ':', control
 * bytes and bad UTF-8 \xNN (plain text, cmd/escape.h), and an empty name
 * "?" (an empty frame draws as nothing). */
static void append_frame(char **buf, size_t *len, size_t *cap, const char *s, size_t n, bool sep)
{
	char *e = text_plain_dup(s, n);
	const char *t = e && *e ? e : "?";
	size_t k = strlen(t);
	if (*len + k + 2 > *cap) {
		size_t c = (*len + k + 2) * 2;
		char *b = realloc(*buf, c);
		if (!b) {
			free(e);
			return;
		}
		*buf = b;
		*cap = c;
	}
	if (sep)
		(*buf)[(*len)++] = ';';
	for (size_t i = 0; i < k; i++)
		(*buf)[(*len)++] = t[i] == ';' ? ':' : t[i];
	(*buf)[*len] = '\0';
	free(e);
}

static char *fold(struct flame *f, const struct weight *w)
{
	size_t n, len = 0, cap = 0;
	char *buf = NULL;
	bool exact = false; /* --cpu: a sample's first PC is the interrupted instruction */
	const uint64_t *pcs = f->cpu ? report_sample_stack(&f->rep, w->stack, &n, &exact)
				     : report_stack(&f->rep, w->stack, &n);
	struct symbolizer *sym = report_symbols_of(&f->rep, model_stack_proc(f->rep.m, w->stack));
	if (!n)
		append_frame(&buf, &len, &cap, "[no stack]", 10, false);
	for (size_t i = n; i-- > 0;) {
		const char *fr = sym ? sym_frame_name(sym, pcs[i], i == 0 && exact) : "?";
		append_frame(&buf, &len, &cap, fr, strlen(fr), len > 0);
	}
	if (w->reason.s && w->reason.n) {
		char tmp[300];
		int k = snprintf(tmp, sizeof tmp, "[%.*s]", (int)(w->reason.n > 256 ? 256 : w->reason.n),
				 w->reason.s);
		append_frame(&buf, &len, &cap, tmp, (size_t)k, len > 0);
	}
	return buf;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(((const struct line *)a)->text, ((const struct line *)b)->text);
}

static struct line *folded(struct flame *f, size_t *n_out)
{
	struct line *v = calloc(f->n ? f->n : 1, sizeof *v);
	size_t n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < f->n; i++) {
		char *t = fold(f, &f->v[i]);
		if (t && f->v[i].ns)
			v[n++] = (struct line){t, f->v[i].ns};
		else
			free(t);
	}
	qsort(v, n, sizeof *v, by_text);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && !strcmp(v[m - 1].text, v[i].text)) {
			v[m - 1].ns += v[i].ns;
			free(v[i].text);
		} else {
			v[m++] = v[i];
		}
	}
	*n_out = m;
	return v;
}

/* ---- SVG ---- */

struct node {
	const char *name;
	size_t len;
	uint64_t ns;
	struct node *child, *next;
};

static struct node *child_of(struct node *p, const char *name, size_t len)
{
	for (struct node *c = p->child; c; c = c->next)
		if (c->len == len && !memcmp(c->name, name, len))
			return c;
	struct node *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->name = name;
	c->len = len;
	c->next = p->child;
	p->child = c;
	return c;
}

static void tree_free(struct node *n)
{
	while (n) {
		struct node *next = n->next;
		tree_free(n->child);
		free(n);
		n = next;
	}
}

static unsigned depth_of(const struct node *n)
{
	unsigned d = 0;
	for (const struct node *c = n->child; c; c = c->next) {
		unsigned k = depth_of(c);
		if (k > d)
			d = k;
	}
	return d + 1;
}

/* XML-escaped (cmd/escape.h: bytes that are not UTF-8 become U+FFFD). */
static void xml_text(FILE *o, const char *s, size_t n)
{
	char *x = xml_dup(s, n);
	if (x)
		fputs(x, o);
	free(x);
}

#define SVG_W 1200.0
#define SVG_ROW 16

static void svg_node(FILE *o, const struct node *n, double x, unsigned level, unsigned height,
		     uint64_t total)
{
	double w = SVG_W * (double)n->ns / (double)total;
	if (w < 0.1)
		return;
	double y = (double)(height - level - 1) * SVG_ROW + 30;
	unsigned h = 0;
	for (size_t i = 0; i < n->len; i++)
		h = h * 31 + (unsigned char)n->name[i];
	fprintf(o, "<g><title>");
	xml_text(o, n->name, n->len);
	fprintf(o, " (%.3f ms, %.2f%%)</title><rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"%d\" "
		   "fill=\"rgb(%u,%u,%u)\" rx=\"2\"/>",
		(double)n->ns / 1e6, 100.0 * (double)n->ns / (double)total, x, y, w, SVG_ROW - 1,
		205 + h % 50, 80 + (h >> 8) % 130, 40 + (h >> 16) % 40);
	size_t fit = w > 12 ? (size_t)((w - 6) / 7) : 0;
	if (fit) {
		fprintf(o, "<text x=\"%.2f\" y=\"%.0f\">", x + 3, y + 11);
		if (n->len <= fit) {
			xml_text(o, n->name, n->len);
		} else if (fit > 2) {
			size_t k = fit - 2; /* not inside a UTF-8 character */
			while (k && ((unsigned char)n->name[k] & 0xc0) == 0x80)
				k--;
			xml_text(o, n->name, k);
			fputs("..", o);
		}
		fputs("</text>", o);
	}
	fputs("</g>\n", o);
	for (const struct node *c = n->child; c; c = c->next) {
		svg_node(o, c, x, level + 1, height, total);
		x += SVG_W * (double)c->ns / (double)total;
	}
}

static int write_svg(struct flame *f, const struct line *v, size_t n)
{
	struct node root = {.name = "all", .len = 3};
	for (size_t i = 0; i < n; i++) {
		struct node *p = &root;
		root.ns += v[i].ns;
		const char *s = v[i].text;
		while (p && *s) {
			const char *e = strchr(s, ';');
			size_t len = e ? (size_t)(e - s) : strlen(s);
			p = child_of(p, s, len);
			if (p)
				p->ns += v[i].ns;
			s += len + (e ? 1 : 0);
		}
	}
	FILE *o = fopen(f->svg, "w");
	if (!o) {
		tree_free(root.child);
		return -1;
	}
	unsigned height = depth_of(&root);
	fprintf(o, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
		   "<svg version=\"1.1\" width=\"%.0f\" height=\"%u\" xmlns=\"http://www.w3.org/2000/svg\" "
		   "font-family=\"monospace\" font-size=\"11\">\n"
		   "<rect width=\"100%%\" height=\"100%%\" fill=\"#f8f8f8\"/>\n"
		   "<text x=\"%.0f\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">lotrace flame: %s",
		SVG_W, height * SVG_ROW + 40, SVG_W / 2, what(f));
	if (f->span) {
		fputs(" in spans ", o);
		xml_text(o, f->span, strlen(f->span));
	}
	const struct model_summary *s = &f->rep.sum;
	fprintf(o, " (%.6f s of %.6f s traced, %" PRIu64 " events lost%s)</text>\n",
		(double)root.ns / 1e9, (double)(s->end_ns - s->start_ns) / 1e9, s->lost,
		s->damaged ? ", damaged trace" : "");
	if (root.ns)
		svg_node(o, &root, 0, 0, height, root.ns);
	fputs("</svg>\n", o);
	tree_free(root.child);
	return fclose(o) ? -1 : 0;
}

static void header_stderr(const struct flame *f)
{
	const struct model_summary *s = &f->rep.sum;
	fprintf(stderr,
		"lotrace flame: %s: %.9f s to %.9f s, %" PRIu64 " events, %" PRIu64 " lost, %" PRIu64
		" placed late%s; %s time %.6f s\n",
		f->rep.path, (double)s->start_ns / 1e9, (double)s->end_ns / 1e9, s->events, s->lost,
		s->late_events, s->damaged ? ", damaged parts skipped" : "",
		what(f), (double)f->total / 1e9);
	if (f->cpu)
		fprintf(stderr, "lotrace flame: %" PRIu64 " cpu samples (period %" PRIu64 " ns%s), %" PRIu64
			" dropped\n", s->cpu_samples, s->cpu_period_ns,
			s->cpu_period_ns ? "" : " unknown: weights are sample counts", s->cpu_samples_dropped);
}

static void print_folded(struct flame *f, const struct line *v, size_t n)
{
	if (f->rep.json) {
		json_object();
		report_header_json(&f->rep);
		json_kv_cstr("state", what(f));
		json_key("span");
		if (f->span)
			json_cstr(f->span);
		else
			json_null();
		json_kv_u64("total_ns", f->total);
		json_key("stacks");
		json_array();
		for (size_t i = 0; i < n; i++) {
			json_object();
			json_kv_cstr("folded", v[i].text);
			json_kv_u64("weight_ns", v[i].ns);
			json_object_end();
		}
		json_array_end();
		json_object_end();
		out_char('\n');
		return;
	}
	for (size_t i = 0; i < n; i++) {
		out_str(v[i].text);
		out_printf(" %" PRIu64 "\n", v[i].ns);
	}
}

static void print(void *ctx)
{
	struct flame *f = ctx;
	size_t n = 0;
	struct line *v = folded(f, &n);
	if (!v)
		cmd_warn(f->rep.path, 0, "out of memory: figures are incomplete");
	if (f->svg) {
		if (write_svg(f, v, n)) {
			fprintf(stderr, "lotrace flame: %s: cannot write\n", f->svg);
			f->svg_failed = true;
		}
	} else {
		/* folded lines stay bare for flamegraph.pl: the header goes to stderr */
		if (!f->rep.json)
			header_stderr(f);
		print_folded(f, v, n);
	}
	for (size_t i = 0; v && i < n; i++)
		free(v[i].text);
	free(v);
}

int cmd_flame(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, REPORT_OPT_JSON},
		{"span", required_argument, NULL, 'p'},
		{"state", required_argument, NULL, 's'},
		{"cpu", no_argument, NULL, 'C'},
		{"trace", required_argument, NULL, 't'},
		{"svg", required_argument, NULL, 'o'},
		REPORT_SYMBOL_OPTIONS,
		CMD_COMMON_OPTIONS,
	};
	struct flame f = {.rep = {.cmd = "flame"}, .state = MODEL_RUNNING};
	bool state_given = false;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': f.span = f.filter.span = optarg; break;
		case 'C': f.cpu = true; break;
		case 't':
			if (!report_parse_trace_id(optarg, f.filter.trace))
				return cmd_usage_error("flame", usage, "--trace: not 32 hex digits: '%s'",
						       optarg);
			f.filter.want_trace = true;
			break;
		case 'o': f.svg = optarg; break;
		case 's':
			state_given = true;
			if (!strcmp(optarg, "running"))
				f.state = MODEL_RUNNING;
			else if (!strcmp(optarg, "blocked"))
				f.state = MODEL_BLOCKED;
			else if (!strcmp(optarg, "runnable"))
				f.state = MODEL_RUNNABLE;
			else
				return cmd_usage_error("flame", usage, "--state: '%s' is not running, "
						       "blocked or runnable", optarg);
			break;
		case 'h':
			return cmd_help(usage, help);
		default:
			if (!report_common_opt(&f.rep, c, optarg))
				return cmd_usage_error("flame", usage, "bad option '%s'", argv[optind - 1]);
		}
	}
	if (f.filter.want_trace && !f.cpu)
		return cmd_usage_error("flame", usage, "--trace needs --cpu");
	if (state_given && f.cpu)
		return cmd_usage_error("flame", usage, "--state and --cpu exclude each other");
	int status = report_file_arg(&f.rep, argc, argv, usage);
	if (status >= 0)
		return status;
	struct model_callbacks cb = {.ctx = &f};
	if (f.cpu)
		cb.sample = on_sample;
	else
		cb.segment = on_segment;
	status = report_main(&f.rep, &cb, print, &f, &f.oom);
	if (f.svg_failed)
		status = CMD_EXIT_UNREADABLE;
	free(f.v);
	idmap_free(&f.map);
	return status;
}
