#include "cmd/threads.h"

#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"

static size_t slot_of(uint64_t tid, size_t n_slots)
{
	return (size_t)(lot_hash_mix(0, tid) & (n_slots - 1));
}

static bool grow_slots(struct thread_table *t)
{
	size_t n = t->n_slots ? 2 * t->n_slots : 64;
	uint32_t *s = calloc(n, sizeof *s);
	if (!s)
		return false;
	for (size_t i = 0; i < t->n; i++) {
		size_t k = slot_of(t->v[i].tid, n);
		while (s[k])
			k = (k + 1) & (n - 1);
		s[k] = (uint32_t)(i + 1);
	}
	free(t->slots);
	t->slots = s;
	t->n_slots = n;
	return true;
}

struct thread_stats *threads_get(struct thread_table *t, uint64_t tid)
{
	if (t->n && t->last_tid == tid)
		return &t->v[t->last];
	if (t->n_slots) {
		for (size_t k = slot_of(tid, t->n_slots); t->slots[k]; k = (k + 1) & (t->n_slots - 1)) {
			size_t i = t->slots[k] - 1;
			if (t->v[i].tid == tid) {
				t->last_tid = tid;
				t->last = i;
				return &t->v[i];
			}
		}
	}
	if (t->n >= UINT32_MAX - 1)
		return NULL;
	/* keep the load factor at most 1/2 */
	if (2 * (t->n + 1) > t->n_slots && !grow_slots(t))
		return NULL;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		struct thread_stats *v = realloc(t->v, cap * sizeof *v);
		if (!v)
			return NULL;
		t->v = v;
		t->cap = cap;
	}
	size_t i = t->n++;
	t->v[i] = (struct thread_stats){.tid = tid};
	size_t k = slot_of(tid, t->n_slots);
	while (t->slots[k])
		k = (k + 1) & (t->n_slots - 1);
	t->slots[k] = (uint32_t)(i + 1);
	t->last_tid = tid;
	t->last = i;
	return &t->v[i];
}

void threads_set_name(struct thread_stats *s, const char *name, size_t len)
{
	if (s->name && strlen(s->name) == len && !memcmp(s->name, name, len))
		return;
	char *n = malloc(len + 1);
	if (!n)
		return;
	memcpy(n, name, len);
	n[len] = '\0';
	free(s->name);
	s->name = n;
}

void threads_free(struct thread_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
	free(t->slots);
	*t = (struct thread_table){0};
}
