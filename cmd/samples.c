#include "cmd/samples.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/out.h"
#include "cmd/symbols.h"

static bool name_is(const char *want, struct model_str s)
{
	return strlen(want) == s.n && !memcmp(want, s.s, s.n);
}

bool sample_filter_match(const struct sample_filter *f, const struct model_sample *sm)
{
	if (f->span) {
		bool in = sm->span_id && name_is(f->span, sm->span_name);
		for (size_t i = 0; i < sm->n_spans && !in; i++)
			in = name_is(f->span, sm->spans[i]->name);
		if (!in)
			return false;
	}
	if (f->want_trace && (!sm->span_id || memcmp(f->trace, sm->trace_id, 16)))
		return false;
	return true;
}

size_t sample_functions(struct report *rep, struct interner *in, uint32_t stack,
			const char **out, size_t max)
{
	size_t n;
	bool exact = false;
	const uint64_t *pcs = stack ? report_sample_stack(rep, stack, &n, &exact) : NULL;
	struct symbolizer *sym = pcs ? report_symbols_of(rep, model_stack_proc(rep->m, stack)) : NULL;
	if (!pcs || !n) {
		pcs = NULL;
		n = 0;
	}
	size_t k = 0;
	for (size_t i = 0; i < n && k < max; i++) {
		const char *f = sym ? sym_frame_name(sym, pcs[i], i == 0 && exact) : "?";
		struct intern_str s = intern_str(in, f, strlen(f));
		if (!s.s)
			return 0;
		out[k++] = s.s;
	}
	if (!k && max) {
		struct intern_str s = intern_str(in, "[no stack]", 10);
		if (!s.s)
			return 0;
		out[k++] = s.s;
	}
	return k;
}

void sample_line_text(const struct model_summary *sum, uint64_t samples)
{
	out_printf("cpu samples: %" PRIu64, samples);
	if (sum->cpu_period_ns) {
		out_str(" (period ");
		out_dur(sum->cpu_period_ns);
		out_printf(", %" PRIu64 " Hz)", sum->cpu_hz);
	} else {
		out_str(" (sampling period unknown: no cpu_hz in the header)");
	}
	out_printf(", %" PRIu64 " dropped\n", sum->cpu_samples_dropped);
	if (!sum->cpu_samples)
		out_str("note: no CPU samples in this trace (record with LOTRACE_CPU_HZ, e.g. 99)\n");
}

struct tally {
	struct hot_fn *v;
	size_t n, cap;
};

void span_hots_sample(struct span_hots *h, struct report *rep, const struct model_sample *sm)
{
	if (!sm->n_spans)
		return;
	const char *fn;
	if (!sample_functions(rep, &h->names, sm->stack, &fn, 1)) {
		h->oom = true;
		return;
	}
	for (size_t i = 0; i < sm->n_spans; i++) {
		uint64_t id = sm->spans[i]->span_id;
		struct tally *t = idmap_get(&h->live, id);
		if (!t) {
			t = calloc(1, sizeof *t);
			if (!t || idmap_put(&h->live, id, t)) {
				free(t);
				h->oom = true;
				continue;
			}
		}
		size_t k = 0;
		while (k < t->n && t->v[k].fn != fn)
			k++;
		if (k == t->n) {
			if (t->n == t->cap) {
				size_t cap = t->cap ? 2 * t->cap : 8;
				struct hot_fn *v = realloc(t->v, cap * sizeof *v);
				if (!v) {
					h->oom = true;
					continue;
				}
				t->v = v;
				t->cap = cap;
			}
			t->v[t->n++] = (struct hot_fn){fn, 0};
		}
		t->v[k].samples++;
	}
}

static int most_first(const void *a, const void *b)
{
	const struct hot_fn *x = a, *y = b;
	if (x->samples != y->samples)
		return x->samples < y->samples ? 1 : -1;
	return strcmp(x->fn, y->fn);
}

void span_hots_take(struct span_hots *h, uint64_t span_id, struct hot_list *out)
{
	out->n = 0;
	struct tally *t = idmap_del(&h->live, span_id);
	if (!t)
		return;
	qsort(t->v, t->n, sizeof *t->v, most_first);
	for (size_t i = 0; i < t->n && i < SPAN_HOT_MAX; i++)
		out->v[out->n++] = t->v[i];
	free(t->v);
	free(t);
}

void span_hots_free(struct span_hots *h)
{
	for (size_t i = 0; i < h->live.n_slots; i++) {
		struct tally *t = h->live.slots[i].val;
		if (t) {
			free(t->v);
			free(t);
		}
	}
	idmap_free(&h->live);
	intern_free(&h->names);
}
