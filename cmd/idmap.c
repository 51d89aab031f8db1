#include "cmd/idmap.h"

#include <stdlib.h>

#include "lib/hash.h"

static size_t home(uint64_t key, size_t n_slots)
{
	return (size_t)(lot_hash_mix(0x9E3779B97F4A7C15ull, key) & (n_slots - 1));
}

void *idmap_get(const struct idmap *m, uint64_t key)
{
	if (!m->n)
		return NULL;
	for (size_t k = home(key, m->n_slots); m->slots[k].val; k = (k + 1) & (m->n_slots - 1))
		if (m->slots[k].key == key)
			return m->slots[k].val;
	return NULL;
}

static void place(struct idmap_slot *s, size_t n_slots, uint64_t key, void *val)
{
	size_t k = home(key, n_slots);
	while (s[k].val)
		k = (k + 1) & (n_slots - 1);
	s[k] = (struct idmap_slot){key, val};
}

int idmap_put(struct idmap *m, uint64_t key, void *val)
{
	if (m->n_slots) {
		for (size_t k = home(key, m->n_slots); m->slots[k].val; k = (k + 1) & (m->n_slots - 1)) {
			if (m->slots[k].key == key) {
				m->slots[k].val = val;
				return 0;
			}
		}
	}
	if (2 * (m->n + 1) > m->n_slots) {
		size_t ns = m->n_slots ? 2 * m->n_slots : 64;
		struct idmap_slot *s = calloc(ns, sizeof *s);
		if (!s)
			return -1;
		for (size_t i = 0; i < m->n_slots; i++)
			if (m->slots[i].val)
				place(s, ns, m->slots[i].key, m->slots[i].val);
		free(m->slots);
		m->slots = s;
		m->n_slots = ns;
	}
	place(m->slots, m->n_slots, key, val);
	m->n++;
	return 0;
}

void *idmap_del(struct idmap *m, uint64_t key)
{
	if (!m->n)
		return NULL;
	size_t mask = m->n_slots - 1, k = home(key, m->n_slots);
	while (m->slots[k].val && m->slots[k].key != key)
		k = (k + 1) & mask;
	if (!m->slots[k].val)
		return NULL;
	void *val = m->slots[k].val;
	m->slots[k].val = NULL;
	m->n--;
	/* shift back the entries of the run after k that may move into the hole */
	for (size_t j = (k + 1) & mask; m->slots[j].val; j = (j + 1) & mask) {
		size_t h = home(m->slots[j].key, m->n_slots);
		/* j's entry may fill k unless its home lies cyclically in (k, j] */
		if ((j > k && (h <= k || h > j)) || (j < k && (h <= k && h > j))) {
			m->slots[k] = m->slots[j];
			m->slots[j].val = NULL;
			k = j;
		}
	}
	return val;
}

void idmap_free(struct idmap *m)
{
	free(m->slots);
	*m = (struct idmap){0};
}
