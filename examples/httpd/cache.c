/*
 * The shared cache: page fragments by request key, behind one mutex.  An
 * entry older than cfg->cache_ttl_ms is rebuilt by whichever worker finds
 * it so, while holding the lock (cfg->cache_work_kb of hashing), so the
 * other workers now and then wait on the lock: the contention the trace
 * shows as tasks blocked on "mutex", woken by the rebuilding worker.
 */
#include "httpd.h"
#include "traced_mutex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 64

struct entry {
	uint64_t key;
	uint64_t built_ns;
	char fragment[128];
};

static struct traced_mutex lock;
static struct entry slots[CACHE_SLOTS];
static unsigned char *source; /* what a rebuild hashes */
static size_t source_len;
static uint64_t ttl_ns;

int cache_init(const struct httpd_config *cfg)
{
	ttl_ns = (uint64_t)cfg->cache_ttl_ms * 1000000;
	source_len = (size_t)cfg->cache_work_kb * 1024;
	source = malloc(source_len + 1);
	if (!source || traced_mutex_init(&lock, cfg->workers) != 0)
		return -1;
	for (size_t i = 0; i < source_len; i++)
		source[i] = (unsigned char)(i * 131 + (i >> 8));
	return 0;
}

void cache_destroy(void)
{
	traced_mutex_destroy(&lock);
	free(source);
	source = NULL;
}

static void __attribute__((noinline)) rebuild(struct entry *e, uint64_t key, uint64_t now)
{
	uint64_t h = hash_bytes(source, source_len, key);
	e->key = key;
	e->built_ns = now;
	snprintf(e->fragment, sizeof e->fragment,
		 "<header>entry %016llx, built at %llu ms</header>", (unsigned long long)h,
		 (unsigned long long)(now / 1000000));
}

bool cache_get(unsigned worker, uint64_t key, char *out, size_t cap)
{
	traced_mutex_lock(&lock, worker);
	struct entry *e = &slots[key % CACHE_SLOTS];
	uint64_t now = now_ns();
	bool stale = e->key != key || now - e->built_ns > ttl_ns;
	if (stale)
		rebuild(e, key, now);
	snprintf(out, cap, "%s", e->fragment);
	traced_mutex_unlock(&lock);
	return stale;
}
