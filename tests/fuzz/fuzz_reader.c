/*
 * libFuzzer target for the reader: any byte string must open or fail
 * cleanly, and every chunk, event and tail event of what opens must be
 * readable without a crash, hang or leak.  Touches every decoded argument so
 * that a dangling pointer shows up under ASan.
 */
#include <stddef.h>
#include <stdint.h>

#include "trace-format/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t sink;

static void touch(const struct lot_event *ev)
{
	uint64_t h = ev->ticks ^ ev->tid ^ ev->code;
	if (ev->type && ev->type->name)
		h += (uint8_t)ev->type->name[0];
	for (unsigned i = 0; i < ev->nargs; i++) {
		const struct lot_arg *a = &ev->args[i];
		switch (a->kind) {
		case LOT_KIND_STRING:
		case LOT_KIND_BYTES:
			for (size_t k = 0; a->str && k < a->len; k++)
				h += (uint8_t)a->str[k];
			break;
		case LOT_KIND_VALUE:
			if (a->is_str)
				for (size_t k = 0; k < a->len; k++)
					h += (uint8_t)a->str[k];
			break;
		case LOT_KIND_STACK:
		case LOT_KIND_PCS:
			for (size_t k = 0; a->pcs && k < a->n_pcs; k++)
				h += a->pcs[k];
			break;
		case LOT_KIND_TRACE:
		case LOT_KIND_ID128:
			if (a->id128)
				h += a->id128[0] + a->id128[15];
			break;
		default:
			h += a->u;
			break;
		}
	}
	sink += h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lot_read_error err;
	struct lot_reader *r = lot_reader_open_mem(data, size, NULL, &err);
	if (!r)
		return 0;
	const struct lot_file_header *h = lot_reader_header(r);
	for (size_t i = 0; i < h->n_meta; i++)
		sink += (uint8_t)h->meta[i].key[0] + (uint8_t)h->meta[i].value[0];
	(void)lot_reader_meta(r, "service");
	struct lot_chunk *c;
	struct lot_event ev;
	unsigned n = 0;
	while (lot_reader_next_chunk(r, &c) == 1) {
		sink += (uint8_t)c->info.thread_name[0];
		if (n++ % 2) { /* both decoding paths */
			uint64_t counts[256] = {0};
			(void)lot_chunk_count_events(r, counts);
			continue;
		}
		while (lot_chunk_next_event(r, &ev) == 1) {
			touch(&ev);
			(void)lot_ticks_to_ns(&h->clock, ev.ticks);
		}
	}
	while (lot_reader_next_tail_event(r, &ev) == 1)
		touch(&ev);
	const struct lot_trailer *t = lot_reader_trailer(r);
	if (t) {
		for (size_t i = 0; i < t->n_threads; i++)
			sink += (uint8_t)t->threads[i].name[0];
		for (size_t i = 0; i < t->n_stats; i++)
			sink += (uint8_t)t->stats[i].key[0] + t->stats[i].value;
		sink += t->n_index ? t->index[t->n_index - 1].offset : 0;
	}
	sink += lot_reader_damaged(r) + lot_reader_warnings(r);
	lot_reader_close(r);
	return 0;
}
