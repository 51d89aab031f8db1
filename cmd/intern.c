#include "cmd/intern.h"

#include <stdlib.h>
#include <string.h>

#include "lib/grow.h"
#include "lib/hash.h"

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0x243F6A8885A308D3ull ^ n;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = lot_hash_mix(h, w);
		s += 8;
		n -= 8;
	}
	uint64_t w = 0;
	memcpy(&w, s, n);
	return lot_hash_mix(h, w);
}

/* Rebuild a slot table of 2x the entries' count (load factor <= 1/2). */
static int rehash(uint32_t **slots, size_t *n_slots, const uint64_t *hashes, size_t n)
{
	size_t ns = *n_slots ? 2 * *n_slots : 256;
	uint32_t *s = calloc(ns, sizeof *s);
	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t k = hashes[i] & (ns - 1);
		while (s[k])
			k = (k + 1) & (ns - 1);
		s[k] = (uint32_t)(i + 1);
	}
	free(*slots);
	*slots = s;
	*n_slots = ns;
	return 0;
}


struct intern_str intern_str(struct interner *in, const char *s, size_t n)
{
	struct intern_str none = {NULL, 0};
	if (!s)
		n = 0;
	uint64_t h = hash_bytes(n ? s : "", n);
	if (in->n_str_slots) {
		for (size_t k = h & (in->n_str_slots - 1); in->str_slots[k];
		     k = (k + 1) & (in->n_str_slots - 1)) {
			size_t i = in->str_slots[k] - 1;
			if (in->str_hash[i] == h && in->strs[i].n == n && !memcmp(in->strs[i].s, s, n))
				return in->strs[i];
		}
	}
	if (in->n_strs >= UINT32_MAX - 1)
		return none;
	size_t cap = in->cap_strs;
	if (!lot_grow((void **)&in->strs, &cap, in->n_strs, sizeof *in->strs))
		return none;
	size_t cap2 = in->cap_strs;
	if (!lot_grow((void **)&in->str_hash, &cap2, in->n_strs, sizeof *in->str_hash))
		return none;
	in->cap_strs = cap < cap2 ? cap : cap2;
	char *copy = malloc(n + 1);
	if (!copy)
		return none;
	if (n)
		memcpy(copy, s, n);
	copy[n] = '\0';
	size_t i = in->n_strs++;
	in->strs[i] = (struct intern_str){copy, n};
	in->str_hash[i] = h;
	if (2 * in->n_strs > in->n_str_slots) {
		if (rehash(&in->str_slots, &in->n_str_slots, in->str_hash, in->n_strs)) {
			in->n_strs--;
			free(copy);
			return none;
		}
	} else {
		size_t k = h & (in->n_str_slots - 1);
		while (in->str_slots[k])
			k = (k + 1) & (in->n_str_slots - 1);
		in->str_slots[k] = (uint32_t)(i + 1);
	}
	return in->strs[i];
}

uint32_t intern_stack(struct interner *in, const uint64_t *pcs, size_t n)
{
	if (!n || !pcs)
		return 0;
	uint64_t h = lot_hash_words(pcs, n);
	if (in->n_stack_slots) {
		for (size_t k = h & (in->n_stack_slots - 1); in->stack_slots[k];
		     k = (k + 1) & (in->n_stack_slots - 1)) {
			size_t i = in->stack_slots[k] - 1;
			const uint64_t *st = in->stacks[i];
			if (in->stack_hash[i] == h && st[0] == n && !memcmp(st + 1, pcs, n * 8))
				return (uint32_t)(i + 1);
		}
	}
	if (in->n_stacks >= UINT32_MAX - 1)
		return 0;
	size_t cap = in->cap_stacks;
	if (!lot_grow((void **)&in->stacks, &cap, in->n_stacks, sizeof *in->stacks))
		return 0;
	size_t cap2 = in->cap_stacks;
	if (!lot_grow((void **)&in->stack_hash, &cap2, in->n_stacks, sizeof *in->stack_hash))
		return 0;
	in->cap_stacks = cap < cap2 ? cap : cap2;
	uint64_t *copy = malloc((n + 1) * sizeof *copy);
	if (!copy)
		return 0;
	copy[0] = n;
	memcpy(copy + 1, pcs, n * 8);
	size_t i = in->n_stacks++;
	in->stacks[i] = copy;
	in->stack_hash[i] = h;
	if (2 * in->n_stacks > in->n_stack_slots) {
		if (rehash(&in->stack_slots, &in->n_stack_slots, in->stack_hash, in->n_stacks)) {
			in->n_stacks--;
			free(copy);
			return 0;
		}
	} else {
		size_t k = h & (in->n_stack_slots - 1);
		while (in->stack_slots[k])
			k = (k + 1) & (in->n_stack_slots - 1);
		in->stack_slots[k] = (uint32_t)(i + 1);
	}
	return (uint32_t)(i + 1);
}

const uint64_t *intern_stack_get(const struct interner *in, uint32_t id, size_t *n)
{
	if (!id || id > in->n_stacks) {
		*n = 0;
		return NULL;
	}
	const uint64_t *st = in->stacks[id - 1];
	*n = (size_t)st[0];
	return st + 1;
}

void intern_free(struct interner *in)
{
	for (size_t i = 0; i < in->n_strs; i++)
		free((void *)in->strs[i].s);
	for (size_t i = 0; i < in->n_stacks; i++)
		free(in->stacks[i]);
	free(in->strs);
	free(in->str_hash);
	free(in->str_slots);
	free(in->stacks);
	free(in->stack_hash);
	free(in->stack_slots);
	*in = (struct interner){0};
}
