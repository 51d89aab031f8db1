#include "tracer/ids.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "tracer/lotrace.h"

void lot_rng_seed(struct lot_rng *r)
{
	uint64_t s = 0;
	if (getrandom(&s, sizeof s, GRND_NONBLOCK) != (ssize_t)sizeof s) {
		/* No entropy yet (early boot) or getrandom refused: mix what differs
		 * between threads and runs. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		s = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
		    ((uint64_t)gettid() << 17) ^ (uint64_t)(uintptr_t)r;
	}
	r->s = s;
}

/* Written once per 1024 tasks of a thread: on a line of its own. */
static struct {
	_Alignas(64) _Atomic uint64_t v;
	char pad[64 - sizeof(uint64_t)];
} next_task_block = {1, {0}};

uint64_t lot_task_block_reserve(void)
{
	return atomic_fetch_add_explicit(&next_task_block.v, LOT_TASK_BLOCK, memory_order_relaxed);
}

/* ---- W3C traceparent: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags> ---- */

static const char hexdig[] = "0123456789abcdef";

static void put_hex(char *o, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		o[2 * i] = hexdig[b[i] >> 4];
		o[2 * i + 1] = hexdig[b[i] & 15];
	}
}

/* Lowercase hex only: the spec forbids uppercase. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int get_hex(const char *s, uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static const uint8_t zero16[16];

LOT_API bool lot_span_valid(const lot_span *span)
{
	return span && span->span_id && memcmp(span->trace_id, zero16, 16);
}

LOT_API int lot_traceparent_format(const lot_span *span, char out[56])
{
	if (!lot_span_valid(span))
		return -EINVAL;
	uint8_t id[8];
	for (int i = 0; i < 8; i++)
		id[i] = (uint8_t)(span->span_id >> (56 - 8 * i));
	memcpy(out, "00-", 3);
	put_hex(out + 3, span->trace_id, 16);
	out[35] = '-';
	put_hex(out + 36, id, 8);
	out[52] = '-';
	put_hex(out + 53, &span->flags, 1);
	out[55] = 0;
	return 0;
}

LOT_API int lot_traceparent_parse(const char *h, lot_span *out)
{
	if (!h || !out)
		return -EINVAL;
	size_t len = strnlen(h, LOT_TRACEPARENT_LEN + 1);
	uint8_t version, id[8], flags;
	lot_span s;
	if (len < LOT_TRACEPARENT_LEN || get_hex(h, &version, 1) || version == 0xff ||
	    h[2] != '-' || h[35] != '-' || h[52] != '-')
		return -EINVAL;
	/* Version 00 is exactly 55 characters; a later version may append
	 * fields after a '-', which we ignore. */
	if (len > LOT_TRACEPARENT_LEN && (version == 0 || h[55] != '-'))
		return -EINVAL;
	if (get_hex(h + 3, s.trace_id, 16) || get_hex(h + 36, id, 8) || get_hex(h + 53, &flags, 1))
		return -EINVAL;
	s.span_id = 0;
	for (int i = 0; i < 8; i++)
		s.span_id = s.span_id << 8 | id[i];
	s.flags = flags;
	if (!lot_span_valid(&s))
		return -EINVAL;
	*out = s;
	return 0;
}

/* ---- ids for spans begun while tracing is off ---- */

/* Separate from the recording state (struct lot_thread), which a thread only
 * gets once it records: a server that never traces still propagates context. */
static __thread struct {
	struct lot_rng rng;
	uint64_t salt; /* like a recording thread's: high 32 bits random */
	uint32_t ctr;
	bool seeded;
} off_ids __attribute__((tls_model("initial-exec")));

LOT_API lot_span lot__span_ids(const lot_span *parent)
{
	if (__builtin_expect(!off_ids.seeded, 0)) {
		lot_rng_seed(&off_ids.rng);
		off_ids.salt = lot_rng_next(&off_ids.rng) & ~0xffffffffull;
		off_ids.seeded = true;
	}
	lot_span s;
	if (parent && lot_span_valid(parent)) {
		memcpy(s.trace_id, parent->trace_id, 16);
		s.flags = parent->flags;
	} else {
		lot_trace_id_new(&off_ids.rng, s.trace_id);
		s.flags = 0; /* not sampled: nothing is recorded */
	}
	if (++off_ids.ctr == 0) {
		off_ids.salt = lot_rng_next(&off_ids.rng) & ~0xffffffffull;
		off_ids.ctr = 1;
	}
	s.span_id = off_ids.salt | off_ids.ctr;
	return s;
}
