#include "tracer/env.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace-format/format.h"
#include "lib/parse.h"
#include "trace-format/writer.h"
#include "tracer/output_path.h"

#define TEXT_MAX 4096 /* longest LOTRACE_SERVICE, _ENV, _VERSION, _TAGS, _OUTPUT */

/* One line naming the variable.  The value is the user's, maybe hostile:
 * at most 64 bytes of it, control bytes and quotes as \xNN. */
static void bad(const char *var, const char *value, const char *why)
{
	char shown[64 * 4 + 4];
	size_t n = 0, i = 0;
	for (; value[i] && i < 64; i++) {
		unsigned char c = (unsigned char)value[i];
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
			n += (size_t)snprintf(shown + n, sizeof shown - n, "\\x%02x", c);
		else
			shown[n++] = (char)c;
	}
	strcpy(shown + n, value[i] ? "..." : "");
	fprintf(stderr, "lotrace: %s=\"%s\" rejected: %s\n", var, shown, why);
}

/* A free-text variable: NULL if unset; *err = -EINVAL if too long. */
static const char *env_text(const char *var, int *err)
{
	const char *v = getenv(var);
	if (v && strnlen(v, TEXT_MAX) >= TEXT_MAX) {
		bad(var, v, "longer than 4095 bytes");
		*err = -EINVAL;
	}
	return v;
}

/* A boolean: 0 or 1 only.  Returns 0/1, the default if unset, -1 if bad. */
static int env_bool(const char *var, int dflt)
{
	const char *v = getenv(var);
	if (!v)
		return dflt;
	if (!strcmp(v, "0"))
		return 0;
	if (!strcmp(v, "1"))
		return 1;
	bad(var, v, "expected 0 or 1");
	return -1;
}

/* A size in bytes with an optional K, M or G suffix (powers of 1024). */
static int env_size(const char *var, size_t dflt, size_t min, size_t max, size_t *out)
{
	const char *v = getenv(var);
	if (!v) {
		*out = dflt;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (end == v || errno || v[0] < '0' || v[0] > '9') { /* no sign, no space */
		bad(var, v, "expected a size in bytes, e.g. 65536 or 64K");
		return -EINVAL;
	}
	unsigned shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M' || *end == 'm')
		shift = 20, end++;
	else if (*end == 'G' || *end == 'g')
		shift = 30, end++;
	if (*end || (shift && n > (~0ull >> shift))) {
		bad(var, v, "expected a size in bytes, e.g. 65536 or 64K");
		return -EINVAL;
	}
	n <<= shift;
	if (n < min || n > max) {
		char why[96];
		snprintf(why, sizeof why, "must be between %zu and %zu bytes", min, max);
		bad(var, v, why);
		return -EINVAL;
	}
	*out = (size_t)n;
	return 0;
}

/* A duration variable: 0 and *ms (dflt when unset), or -EINVAL after a message. */
static int env_duration(const char *var, uint64_t dflt, uint64_t *ms)
{
	const char *v = getenv(var);
	*ms = dflt;
	if (!v)
		return 0;
	if (lot_parse_duration(v, ms)) {
		bad(var, v, "expected a duration from 1ms to 24h, e.g. 500ms, 5s or 2m");
		return -EINVAL;
	}
	return 0;
}

/* LOTRACE_CPU_HZ: a whole number of samples per second of a thread's CPU
 * time, 0 (off) to LOT_MAX_CPU_HZ. */
static int env_cpu_hz(unsigned *hz)
{
	const char *v = getenv("LOTRACE_CPU_HZ");
	*hz = LOT_DEFAULT_CPU_HZ;
	if (!v)
		return 0;
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (end == v || *end || errno || v[0] < '0' || v[0] > '9' || n > LOT_MAX_CPU_HZ) {
		bad("LOTRACE_CPU_HZ", v, "expected a number of samples per CPU second from 0 (off) "
		    "to 10000");
		return -EINVAL;
	}
	*hz = (unsigned)n;
	return 0;
}

int lot_env_signal(int *signo)
{
	const char *v = getenv("LOTRACE_SIGNAL");
	*signo = 0;
	if (!v)
		return 0;
	*signo = lot_parse_signal(v);
	if (*signo <= 0) {
		bad("LOTRACE_SIGNAL", v, "expected a signal name or number such as USR2, RTMIN+1 or 12 "
		    "(not KILL, STOP or a fault signal)");
		*signo = 0;
		return -EINVAL;
	}
	return 0;
}

int lot_env_start(void)
{
	return env_bool("LOTRACE_START", 0);
}

int lot_config_from_env(struct lot_config *c)
{
	memset(c, 0, sizeof *c);
	int err = 0;
	c->output = env_text("LOTRACE_OUTPUT", &err);
	if (c->output && !*c->output) {
		bad("LOTRACE_OUTPUT", c->output, "empty path");
		err = -EINVAL;
	} else if (c->output && !lot_output_template_ok(c->output)) {
		bad("LOTRACE_OUTPUT", c->output, "unknown %-directive (use %p, %t, %n, %s or %%)");
		err = -EINVAL;
	}
	c->dir = getenv("LOTRACE_DIR");
	if (c->dir && !*c->dir) {
		bad("LOTRACE_DIR", c->dir, "empty path");
		err = -EINVAL;
	}
	const char *mode = getenv("LOTRACE_MODE");
	if (!mode || !strcmp(mode, "stream"))
		c->mode = LOT_MODE_STREAM;
	else if (!strcmp(mode, "flight"))
		c->mode = LOT_MODE_FLIGHT;
	else {
		bad("LOTRACE_MODE", mode, "expected stream or flight");
		err = -EINVAL;
	}
	if (env_duration("LOTRACE_WINDOW", LOT_DEFAULT_WINDOW_MS, &c->window_ms) ||
	    env_duration("LOTRACE_FLIGHT_AGE", LOT_DEFAULT_FLIGHT_AGE_MS, &c->flight_age_ms) ||
	    env_duration("LOTRACE_DURATION", 0, &c->duration_ms) ||
	    env_duration("LOTRACE_IDLE_FLUSH", LOT_DEFAULT_IDLE_FLUSH_MS, &c->idle_flush_ms))
		err = -EINVAL;
	if (env_size("LOTRACE_FLIGHT_SIZE", LOT_DEFAULT_FLIGHT_SIZE, 1u << 20, (size_t)1 << 38,
		     &c->flight_size))
		err = -EINVAL;
	int signo;
	if (lot_env_signal(&signo))
		err = -EINVAL;
	if (env_cpu_hz(&c->cpu_hz))
		err = -EINVAL;
	const char *cs = getenv("LOTRACE_CPU_SIGNAL");
	if (cs && (c->cpu_signal = lot_parse_signal(cs)) <= 0) {
		bad("LOTRACE_CPU_SIGNAL", cs, "expected a signal name or number such as RTMIN+4, "
		    "PROF or 38 (not KILL, STOP or a fault signal)");
		c->cpu_signal = 0;
		err = -EINVAL;
	}
	if (env_size("LOTRACE_CHUNK_SIZE", LOT_DEFAULT_CHUNK_SIZE, LOT_CHUNK_MIN,
		     LOT_CHUNK_RAW_MAX, &c->chunk_size))
		err = -EINVAL;
	if (env_size("LOTRACE_BUFFER_SIZE", LOT_DEFAULT_BUFFER_SIZE, 2 * LOT_CHUNK_MIN,
		     (size_t)1 << 36, &c->buffer_size))
		err = -EINVAL;
	if (!err && c->buffer_size < 2 * c->chunk_size) {
		fprintf(stderr, "lotrace: LOTRACE_BUFFER_SIZE=%zu rejected: must hold at least "
			"two chunks of LOTRACE_CHUNK_SIZE=%zu\n", c->buffer_size, c->chunk_size);
		err = -EINVAL;
	}
	int b = env_bool("LOTRACE_STACKS", 1);
	if (b < 0)
		err = -EINVAL;
	c->stacks = b == 1;
	size_t depth;
	if (env_size("LOTRACE_STACK_DEPTH", LOT_DEFAULT_STACK_DEPTH, 1, LOT_STACK_MAX, &depth))
		err = -EINVAL;
	else if (getenv("LOTRACE_STACK_DEPTH") && strpbrk(getenv("LOTRACE_STACK_DEPTH"), "KkMmGg")) {
		bad("LOTRACE_STACK_DEPTH", getenv("LOTRACE_STACK_DEPTH"), "expected a number of frames");
		err = -EINVAL;
	}
	c->stack_depth = (unsigned)depth;
	const char *io = getenv("LOTRACE_IO");
	if (!io || !strcmp(io, "uring"))
		c->io = LOT_IO_URING;
	else if (!strcmp(io, "pwrite"))
		c->io = LOT_IO_PWRITE;
	else {
		bad("LOTRACE_IO", io, "expected uring or pwrite");
		err = -EINVAL;
	}
	c->service = env_text("LOTRACE_SERVICE", &err);
	c->env = env_text("LOTRACE_ENV", &err);
	c->version = env_text("LOTRACE_VERSION", &err);
	c->tags = env_text("LOTRACE_TAGS", &err);
	if (lot_env_start() < 0)
		err = -EINVAL;
	return err;
}
