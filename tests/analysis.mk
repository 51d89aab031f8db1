# tests for the analysis commands (cmd/model.c and the reports on it): known
# answers on traces built in memory.
ANALYSIS_MODEL_SOURCES = cmd/model.c cmd/model.h cmd/intern.c cmd/intern.h \
	cmd/idmap.c cmd/idmap.h cmd/reorder.c cmd/reorder.h cmd/dist.c cmd/dist.h \
	cmd/sources.c cmd/sources.h cmd/clock_align.c cmd/common.c cmd/common.h \
	cmd/out.c cmd/out.h cmd/escape.c cmd/escape.h cmd/exit.h cmd/warn.c cmd/warn.h \
	cmd/json.c cmd/json.h
ANALYSIS_TESTS = tests/analysis/test_model tests/analysis/test_multi tests/analysis/test_reorder
check_PROGRAMS += $(ANALYSIS_TESTS)
TESTS += $(ANALYSIS_TESTS)

tests_analysis_test_model_SOURCES = tests/analysis/test_model.c $(ANALYSIS_MODEL_SOURCES)
tests_analysis_test_model_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_analysis_test_model_LDADD = libtracebuild.la liblotreader.la liblotcore.la $(CHECK_LIBS) $(LZ4_LIBS) $(ZLIB_LIBS) -lm
tests_analysis_test_multi_SOURCES = tests/analysis/test_multi.c $(ANALYSIS_MODEL_SOURCES)
tests_analysis_test_multi_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_analysis_test_multi_LDADD = $(tests_analysis_test_model_LDADD)
tests_analysis_test_reorder_SOURCES = tests/analysis/test_reorder.c cmd/reorder.c cmd/reorder.h
tests_analysis_test_reorder_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_analysis_test_reorder_LDADD = $(CHECK_LIBS)

# end to end through `lotrace spans|tasks|flame` (needs examples/quickstart)
TESTS += tests/analysis/e2e.sh
EXTRA_DIST += tests/analysis/e2e.sh

# The CPU-sampling bar (issue 12): a request burning CPU in known ratios,
# sleeping, and handing work to a helper thread; skipped without samples.
check_PROGRAMS += tests/analysis/cpu_prog
tests_analysis_cpu_prog_SOURCES = tests/analysis/cpu_prog.c
tests_analysis_cpu_prog_LDADD = liblotrace.la -lpthread
TESTS += tests/analysis/cpu_e2e.sh
EXTRA_DIST += tests/analysis/cpu_e2e.sh
# several processes' traces as one analysis (issue 14): a generator of three
# processes' traces with known answers, and the checks on them
check_PROGRAMS += tests/analysis/gen_multi
tests_analysis_gen_multi_SOURCES = tests/analysis/gen_multi.c
tests_analysis_gen_multi_LDADD = libtracebuild.la liblotreader.la liblotcore.la $(LZ4_LIBS) $(ZLIB_LIBS)
TESTS += tests/analysis/multi.sh
EXTRA_DIST += tests/analysis/multi.sh
TESTS += tests/analysis/otlp.sh
EXTRA_DIST += tests/analysis/otlp.sh tests/cmd/otlp_receiver.js
check_PROGRAMS += tests/analysis/reheader
tests_analysis_reheader_SOURCES = tests/analysis/reheader.c
tests_analysis_reheader_LDADD = libtracebuild.la liblotreader.la liblotcore.la $(LZ4_LIBS) $(ZLIB_LIBS)
# the recorder's own threads stay out of reports and exports (needs examples/quickstart)
TESTS += tests/analysis/tracer_threads.sh
EXTRA_DIST += tests/analysis/tracer_threads.sh
