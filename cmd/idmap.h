/*
 * A map from 64-bit ids (tasks, spans, threads) to pointers, with removal:
 * the analysis model keeps only live tasks and open spans in it, so its size
 * follows what is alive, not what the file held.  Linear probing with
 * backward-shift deletion (no tombstones), load factor at most 1/2.
 */
#ifndef LOT_CMD_IDMAP_H
#define LOT_CMD_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap_slot {
	uint64_t key;
	void *val; /* NULL: empty */
};

struct idmap {
	struct idmap_slot *slots;
	size_t n, n_slots;
};

void *idmap_get(const struct idmap *m, uint64_t key);
/* Insert or replace (val != NULL); 0, or -1 on ENOMEM. */
int idmap_put(struct idmap *m, uint64_t key, void *val);
/* Remove key if present; returns its value or NULL. */
void *idmap_del(struct idmap *m, uint64_t key);
void idmap_free(struct idmap *m);

#endif
