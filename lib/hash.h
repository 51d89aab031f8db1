/*
 * Cheap word-wise hashes for the recorder's per-chunk caches (strings by
 * address, stacks by their PCs).  Word-wise mixing costs about a nanosecond
 * per stack frame here; byte-wise hashing costs nine.  Collisions only cost a
 * cache miss (a definition written again), except for stacks, where the
 * 64-bit hash is taken as the stack's identity within one chunk: a wrong
 * merge needs a 64-bit collision among the few hundred stacks of a chunk.
 */
#ifndef LOT_LIB_HASH_H
#define LOT_LIB_HASH_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t lot_hash_mix(uint64_t h, uint64_t word)
{
	h ^= word;
	h *= 0x9E3779B97F4A7C15ull; /* 2^64 / golden ratio */
	return h ^ (h >> 29);
}

static inline uint64_t lot_hash_words(const uint64_t *w, size_t n)
{
	uint64_t h = 0x243F6A8885A308D3ull ^ n;
	for (size_t i = 0; i < n; i++)
		h = lot_hash_mix(h, w[i]);
	return h;
}

/* Slot of a pointer in a direct-mapped table of 2^bits entries. */
static inline unsigned lot_hash_ptr(const void *p, unsigned bits)
{
	uint64_t x = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
	return (unsigned)(x >> (64 - bits));
}

#endif
