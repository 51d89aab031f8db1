/* The header record of a session's file: see header.h. */
#include "tracer/header.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "config.h"
#include "lib/endian.h"
#include "tracer/modules.h"
#include "tracer/sampler.h"
#include "tracer/thread.h"

/*
 * The time shift: event deltas are stored in units of 2^shift ticks.  We take
 * the largest unit not above 32 ns (shift 6 for a 2-4 GHz TSC, 5 for the
 * 1 GHz clock_gettime fallback, 0 for a 25 MHz arm counter), as Go's tracer
 * does (64 TSC ticks): the gaps between a thread's events, from a few
 * hundred ns to a few us, then mostly fit a one-byte varint (< 128 units,
 * ~3 us) where an 8 ns unit needs two.  Events closer than a unit share a
 * time; their order on the thread is the stream's order.
 */
unsigned lot_time_shift(uint64_t freq_hz)
{
	unsigned shift = 0;
	/* 2^(shift+1) ticks still within 32 ns: 2^(shift+1) * 1e9 <= 32 * freq */
	while (shift < 16 && ((uint64_t)2 << shift) * 1000000000ull <= 32 * freq_hz)
		shift++;
	return shift;
}

static const char *const started_by_name[] = {"api", "env", "signal"};

int lot_session_header(const struct lot_session *s, struct lot_buf *b,
		       const struct lot_clock_info *clock, const char *mode,
		       const struct lot_kv *extra, size_t n_extra)
{
	char pid[24], exe[4096] = "", host[256] = "", chunk[24], depth[8], wseq[24], wms[24];
	char cpu_hz[16], cpu_period[24], cpu_sig[24];
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = 0;
	gethostname(host, sizeof host - 1);
	snprintf(chunk, sizeof chunk, "%zu", s->cfg.chunk_size);
	snprintf(depth, sizeof depth, "%u", s->cfg.stacks ? s->cfg.stack_depth : 0);
	struct lot_buf cl = {0};
	char *cmdline = lot_buf_read_file(&cl, "/proc/self/cmdline") ? NULL : (char *)cl.data;
	if (cmdline) /* NUL-separated arguments, joined by spaces */
		for (size_t i = 0; i + 1 < cl.len; i++)
			if (!cmdline[i])
				cmdline[i] = ' ';
	struct lot_kv meta[32];
	size_t m = 0;
	meta[m++] = (struct lot_kv){"pid", pid};
	meta[m++] = (struct lot_kv){"exe", exe};
	meta[m++] = (struct lot_kv){"cmdline", cmdline ? cmdline : ""};
	meta[m++] = (struct lot_kv){"host", host};
	if (s->cfg.service)
		meta[m++] = (struct lot_kv){"service", s->cfg.service};
	if (s->cfg.env)
		meta[m++] = (struct lot_kv){"env", s->cfg.env};
	if (s->cfg.version)
		meta[m++] = (struct lot_kv){"version", s->cfg.version};
	if (s->cfg.tags)
		meta[m++] = (struct lot_kv){"tags", s->cfg.tags};
	meta[m++] = (struct lot_kv){"lotrace_version", LOT_VERSION};
	meta[m++] = (struct lot_kv){"lotrace_commit", LOT_GIT_COMMIT};
	meta[m++] = (struct lot_kv){"io", s->io ? lot_io_name(s->io) : "none"};
	meta[m++] = (struct lot_kv){"chunk_size", chunk};
	meta[m++] = (struct lot_kv){"stack_depth", depth};
	snprintf(cpu_hz, sizeof cpu_hz, "%u", s->cpu_signal ? s->cfg.cpu_hz : 0);
	meta[m++] = (struct lot_kv){"cpu_hz", cpu_hz};
	if (s->cpu_signal) {
		snprintf(cpu_period, sizeof cpu_period, "%llu",
			 1000000000ull / s->cfg.cpu_hz);
		lot_sampler_signal_name(s->cpu_signal, cpu_sig, sizeof cpu_sig);
		meta[m++] = (struct lot_kv){"cpu_period_ns", cpu_period};
		meta[m++] = (struct lot_kv){"cpu_signal", cpu_sig};
	}
	meta[m++] = (struct lot_kv){"mode", mode};
	meta[m++] = (struct lot_kv){"started_by", started_by_name[s->by]};
	if (s->by == LOT_BY_SIGNAL) {
		snprintf(wseq, sizeof wseq, "%llu", (unsigned long long)s->window_seq);
		snprintf(wms, sizeof wms, "%llu", (unsigned long long)s->window_ms);
		meta[m++] = (struct lot_kv){"window_seq", wseq};
		meta[m++] = (struct lot_kv){"window_ms", wms};
	}
	for (size_t i = 0; i < n_extra && m < sizeof meta / sizeof meta[0]; i++)
		meta[m++] = extra[i];

	struct lot_module *mods = NULL;
	size_t n_mods = 0;
	lot_modules_snapshot(&mods, &n_mods); /* none on failure: stacks stay unsymbolized */
	uint8_t key[16];
	lot_put_le64(key, lot_rt.trace_key[0]);
	lot_put_le64(key + 8, lot_rt.trace_key[1]);
	int err = lot_header_encode(b, clock, meta, m, mods, n_mods, key) ? 0 : -ENOMEM;
	lot_modules_free(mods, n_mods);
	lot_buf_free(&cl);
	return err;
}
