/* Stack depths for `lotrace info` (stack_depth.h). */
#include "cmd/stack_depth.h"

#include <inttypes.h>

#include "cmd/json.h"
#include "cmd/out.h"
#include "trace-format/events.h"

void stack_depth_add(struct stack_depth *d, const struct lot_event *ev)
{
	for (unsigned i = 0; i < ev->nargs; i++) {
		const struct lot_arg *a = &ev->args[i];
		if (a->kind != LOT_KIND_STACK || !a->u)
			continue;
		d->stacks++;
		d->depth1 += a->n_pcs == 1;
		d->depth2 += a->n_pcs == 2;
	}
}

static double pct(uint64_t n, uint64_t of)
{
	return of ? 100.0 * (double)n / (double)of : 0;
}

void stack_depth_text(const struct stack_depth *d)
{
	if (!d->stacks)
		return;
	out_printf("stacks         %" PRIu64 " in the first %" PRIu64 " chunks: %.1f%% stopped at "
		   "depth 1, %.1f%% at depth 2\n",
		   d->stacks, d->chunks, pct(d->depth1, d->stacks), pct(d->depth2, d->stacks));
	if (pct(d->depth1 + d->depth2, d->stacks) >= 20)
		out_str("               (the frame-pointer walk stops at the first function built "
			"without frame pointers,\n                as distribution binaries are: rebuild "
			"with -fno-omit-frame-pointer, or record\n                with "
			"LOTRACE_UNWIND=dwarf under `lotrace record --auto`)\n");
}

void stack_depth_json(const struct stack_depth *d)
{
	if (!d->stacks)
		return;
	json_key("stack_depths");
	json_object();
	json_kv_u64("chunks", d->chunks);
	json_kv_u64("stacks", d->stacks);
	json_kv_u64("depth_1", d->depth1);
	json_kv_u64("depth_2", d->depth2);
	json_object_end();
}
