#include "tracer/flight.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

int lot_flight_new(struct lot_flight **out, const struct lot_config *cfg, size_t pool_bytes,
		   uint64_t freq_hz)
{
	size_t bound = lot_chunk_record_bound(cfg->chunk_size);
	size_t fixed = pool_bytes + cfg->chunk_size + bound +
		       LOT_FLIGHT_DROPS * sizeof(struct lot_flight_drop) + sizeof(struct lot_flight);
	/* the ring must hold a few whole records besides its table */
	if (cfg->flight_size < fixed + 4 * bound) {
		fprintf(stderr, "lotrace: LOTRACE_FLIGHT_SIZE=%zu rejected: must exceed "
			"LOTRACE_BUFFER_SIZE=%zu by at least %zu bytes\n",
			cfg->flight_size, pool_bytes, fixed - pool_bytes + 4 * bound);
		return -EINVAL;
	}
	size_t avail = cfg->flight_size - fixed;
	/* one record per 2 KiB of ring: chunk records are rarely smaller */
	size_t rec_cap = avail / (2048 + sizeof(struct lot_flight_rec)) + 16;
	struct lot_flight *f = calloc(1, sizeof *f);
	if (!f)
		return -ENOMEM;
	f->ring_cap = avail - rec_cap * sizeof *f->rec;
	f->rec_cap = rec_cap;
	f->raw_cap = cfg->chunk_size;
	f->out_cap = bound;
	f->limit = cfg->flight_size;
	f->reserved = fixed + f->ring_cap + rec_cap * sizeof *f->rec;
	f->age_ticks = (uint64_t)((double)cfg->flight_age_ms * (double)freq_hz / 1e3);
	/* Not pre-faulted: the ring is touched as it fills, up to its size. */
	f->ring = mmap(NULL, f->ring_cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f->rec = calloc(rec_cap, sizeof *f->rec);
	f->drops = calloc(LOT_FLIGHT_DROPS, sizeof *f->drops);
	f->raw = malloc(f->raw_cap);
	f->out = malloc(f->out_cap);
	if (f->ring == MAP_FAILED)
		f->ring = NULL;
	if (!f->ring || !f->rec || !f->drops || !f->raw || !f->out) {
		lot_flight_free(f);
		return -ENOMEM;
	}
	*out = f;
	return 0;
}

void lot_flight_free(struct lot_flight *f)
{
	if (!f)
		return;
	if (f->ring)
		munmap(f->ring, f->ring_cap);
	free(f->rec);
	free(f->drops);
	free(f->raw);
	free(f->out);
	free(f);
}

static void drop_oldest(struct lot_flight *f, uint64_t *why)
{
	const struct lot_flight_rec *r = lot_flight_at(f, 0);
	f->drops[f->n_drops++ % LOT_FLIGHT_DROPS] =
		(struct lot_flight_drop){r->tid, (uint64_t)r->events + r->lost, r->end_ticks};
	f->retained -= r->len;
	f->first = (f->first + 1) % f->rec_cap;
	f->n--;
	(*why)++;
}

/* Where `need` contiguous bytes are free in the ring, or false. */
static bool room(const struct lot_flight *f, size_t need, size_t *at)
{
	if (!f->n) {
		*at = 0;
		return need <= f->ring_cap;
	}
	size_t oldest = lot_flight_at(f, 0)->off;
	const struct lot_flight_rec *last = lot_flight_at(f, f->n - 1);
	size_t end = last->off + last->len;
	if (end > oldest) { /* [oldest, end) in use */
		if (f->ring_cap - end >= need)
			*at = end;
		else if (oldest >= need)
			*at = 0; /* wrap: the tail end stays unused until then */
		else
			return false;
		return true;
	}
	/* wrapped: [oldest, cap) and [0, end) in use */
	*at = end;
	return oldest - end >= need;
}

bool lot_flight_keep(struct lot_flight *f, struct lot_compressor *comp,
		     const struct lot_chunk_info *info, const uint8_t *raw)
{
	size_t need = lot_chunk_record_bound(info->raw_len), at = 0;
	if (need > f->ring_cap)
		return false;
	while (f->n == f->rec_cap || !room(f, need, &at))
		drop_oldest(f, &f->dropped_size);
	size_t n = lot_chunk_record_encode(comp, info, raw, f->ring + at, need);
	if (!n)
		return false;
	f->rec[(f->first + f->n) % f->rec_cap] = (struct lot_flight_rec){
		.off = at, .len = (uint32_t)n, .seq = info->seq, .events = info->events,
		.tid = info->tid, .lost = info->lost, .base_ticks = info->base_ticks,
		.end_ticks = info->end_ticks};
	f->n++;
	f->retained += n;
	if (f->retained > f->retained_peak)
		f->retained_peak = f->retained;
	return true;
}

void lot_flight_expire(struct lot_flight *f, uint64_t now_ticks)
{
	while (f->n && lot_flight_at(f, 0)->end_ticks + f->age_ticks < now_ticks)
		drop_oldest(f, &f->dropped_age);
}
