# bench/: benchmarks.  `make bench` builds them, runs each several times
# (bench/run) and rewrites doc/PERFORMANCE.md.  The binaries are built by
# plain `make` too, so that they keep compiling as the code changes.
BENCH_BINS = bench/bench_prims bench/bench_writer bench/bench_probe bench/gen_trace
BENCH_BINS += bench/bench_sustained
noinst_PROGRAMS += $(BENCH_BINS)
noinst_HEADERS += bench/bench.h bench/workload.h
EXTRA_DIST += bench/run bench/overhead bench/lttng/lotbench_tp.c bench/lttng/lotbench_tp.h

bench_bench_prims_SOURCES = bench/bench_prims.c
bench_bench_prims_LDADD = liblotcore.la

bench_bench_writer_SOURCES = bench/bench_writer.c
bench_bench_writer_CFLAGS = $(AM_CFLAGS) $(LZ4_CFLAGS)
bench_bench_writer_LDADD = liblotcore.la $(LZ4_LIBS) -lm

# Linked against the shared liblotrace, as a traced program is (-no-install:
# a real binary, not a libtool wrapper script, so valgrind can run it).
bench_bench_probe_SOURCES = bench/bench_probe.c
bench_bench_probe_CPPFLAGS = $(AM_CPPFLAGS)
bench_bench_probe_LDFLAGS = -no-install
bench_bench_probe_LDADD = liblotrace.la liblotreader.la liblotcore.la
if HAVE_LTTNG_UST
# The LTTng-UST peer (bench/lttng/): only where pkg-config finds lttng-ust.
noinst_LTLIBRARIES += libbenchlttng.la
libbenchlttng_la_SOURCES = bench/lttng/lotbench_tp.c bench/lttng/lotbench_tp.h
libbenchlttng_la_CPPFLAGS = $(AM_CPPFLAGS) $(LTTNG_UST_CFLAGS)
bench_bench_probe_CPPFLAGS += -DLOTBENCH_LTTNG $(LTTNG_UST_CFLAGS)
bench_bench_probe_LDADD += libbenchlttng.la $(LTTNG_UST_LIBS)
endif

# Paced events on 2 threads for 10 s per I/O mode: losses and the flusher's CPU.
bench_bench_sustained_SOURCES = bench/bench_sustained.c
bench_bench_sustained_LDFLAGS = -no-install
bench_bench_sustained_LDADD = liblotrace.la liblotreader.la liblotcore.la -lpthread

# The interposer's per-call cost: a plain program (no lotrace), run with and
# without liblotrace-auto.so by bench/auto.
BENCH_BINS += bench/bench_auto
bench_bench_auto_SOURCES = bench/bench_auto.c
bench_bench_auto_LDADD = -lpthread
EXTRA_DIST += bench/auto

bench_gen_trace_SOURCES = bench/gen_trace.c
bench_gen_trace_LDADD = liblotcore.la -lm

.PHONY: bench
bench: $(BENCH_BINS) cmd/lotrace examples/httpd/httpd
	$(top_srcdir)/bench/run --builddir $(abs_top_builddir) --out $(top_srcdir)/doc/PERFORMANCE.md

# Flight against stream event cost, signal-window latencies (a child process).
BENCH_BINS += bench/bench_control
bench_bench_control_SOURCES = bench/bench_control.c
bench_bench_control_LDFLAGS = -no-install
bench_bench_control_LDADD = liblotrace.la liblotreader.la liblotcore.la -lpthread

# One CPU sample's cost at depth 16, delivery included (links the recorder's
# objects: it asks the sampler for its signal).
BENCH_BINS += bench/bench_sample
bench_bench_sample_SOURCES = bench/bench_sample.c
bench_bench_sample_LDFLAGS = -no-install
bench_bench_sample_LDADD = liblotrace-internal.la liblotcore.la -lpthread
