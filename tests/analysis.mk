# tests for the analysis commands (cmd/model.c and the reports on it): known
# answers on traces built in memory.
ANALYSIS_MODEL_SOURCES = cmd/model.c cmd/model.h cmd/intern.c cmd/intern.h \
	cmd/idmap.c cmd/idmap.h cmd/reorder.c cmd/reorder.h cmd/dist.c cmd/dist.h
ANALYSIS_TESTS = tests/analysis/test_model
check_PROGRAMS += $(ANALYSIS_TESTS)
TESTS += $(ANALYSIS_TESTS)

tests_analysis_test_model_SOURCES = tests/analysis/test_model.c $(ANALYSIS_MODEL_SOURCES)
tests_analysis_test_model_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_analysis_test_model_LDADD = libtracebuild.la liblotreader.la liblotcore.la $(CHECK_LIBS) $(LZ4_LIBS) $(ZLIB_LIBS) -lm

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
