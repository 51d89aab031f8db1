/*
 * Interning for the analysis model: names and stacks from a trace, stored
 * once for the whole run, so that facts can point at them after the chunk
 * that defined them is gone.  A chunk redefines every string and stack it
 * uses; interning maps each definition to one lasting copy.  Memory grows
 * with the distinct names and stacks (the program's string literals and
 * code paths), not with the number of events.
 */
#ifndef LOT_CMD_INTERN_H
#define LOT_CMD_INTERN_H

#include <stddef.h>
#include <stdint.h>

struct intern_str {
	const char *s; /* NUL-terminated copy */
	size_t n;
};

struct interner {
	/* strings: open addressing over entries; slot = index + 1, 0 empty */
	struct intern_str *strs;
	uint64_t *str_hash;
	size_t n_strs, cap_strs;
	uint32_t *str_slots;
	size_t n_str_slots;
	/* stacks: id = index + 1 */
	uint64_t **stacks;      /* [0] = n, then the PCs */
	uint64_t *stack_hash;
	size_t n_stacks, cap_stacks;
	uint32_t *stack_slots;
	size_t n_stack_slots;
};

/* The lasting copy of s[0, n); .s NULL on ENOMEM.  n == 0 gives "". */
struct intern_str intern_str(struct interner *in, const char *s, size_t n);
/* The id (1..) of the stack pcs[0, n); 0 for n == 0 or on ENOMEM. */
uint32_t intern_stack(struct interner *in, const uint64_t *pcs, size_t n);
/* A stack's PCs (innermost first) and count; NULL for an unknown id. */
const uint64_t *intern_stack_get(const struct interner *in, uint32_t id, size_t *n);
void intern_free(struct interner *in);

#endif
