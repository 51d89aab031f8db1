/*
 * Cheap word-wise hashes for the recorder's per-chunk caches (strings by
 * address, stacks by their PCs).  Collisions only cost a cache miss (a
 * definition written again), except for stacks, where the 64-bit hash is
 * taken as the stack's identity within one chunk: a wrong merge needs a
 * 64-bit collision among the few hundred stacks of a chunk.
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

/*
 * A hash of n words, computed word by word (LOT_HASH_WORDS_SEED, then
 * lot_hash_words_step each, then lot_hash_words_end) so that a stack walk
 * can hash as it goes.  Each step multiplies the word off the chain and
 * folds it in with a rotate and an xor: the chain from word to word is two
 * cycles, shorter than the walk's own load from frame to frame, so hashing
 * adds almost nothing to the walk's time (a multiply on the chain made a
 * 16-frame walk 3 ns slower).  Words that differ in one place always hash
 * apart (the multiply by an odd constant is a bijection); the rotation by
 * 23, coprime with 64, tells positions apart.  The end mixes the length and
 * spreads the bits for the slot index.
 */
#define LOT_HASH_WORDS_SEED 0x243F6A8885A308D3ull

static inline uint64_t lot_hash_words_step(uint64_t h, uint64_t word)
{
	return ((h << 23) | (h >> 41)) ^ (word * 0x9E3779B97F4A7C15ull);
}

static inline uint64_t lot_hash_words_end(uint64_t h, size_t n)
{
	return lot_hash_mix(lot_hash_mix(h, n), 0);
}

static inline uint64_t lot_hash_words(const uint64_t *w, size_t n)
{
	uint64_t h = LOT_HASH_WORDS_SEED;
	for (size_t i = 0; i < n; i++)
		h = lot_hash_words_step(h, w[i]);
	return lot_hash_words_end(h, n);
}

/* Slot of a pointer in a direct-mapped table of 2^bits entries. */
static inline unsigned lot_hash_ptr(const void *p, unsigned bits)
{
	uint64_t x = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
	return (unsigned)(x >> (64 - bits));
}

#endif
