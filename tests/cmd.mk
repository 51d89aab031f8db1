# Tests of the `lotrace` tool: a corpus of good and damaged traces with the
# expected output of each subcommand (tests/data/), and the scripts that
# compare (tests/cmd/).  The scripts run from the top build directory and find
# the sources through $srcdir (set by the test harness), so out-of-tree builds
# work; LOTRACE and GEN_CORPUS name the programs under test and default to
# ./cmd/lotrace and ./tests/gen_corpus (no AM_TESTS_ENVIRONMENT needed).

check_PROGRAMS += tests/gen_corpus
tests_gen_corpus_SOURCES = tests/gen_corpus.c
tests_gen_corpus_LDADD = libtracebuild.la liblotcore.la $(LZ4_LIBS) $(ZLIB_LIBS)

CMD_TESTS = \
	tests/cmd/corpus_reproducible.sh \
	tests/cmd/run_corpus.sh \
	tests/cmd/usage.sh \
	tests/cmd/robustness.sh \
	tests/cmd/export.sh \
	tests/cmd/install.sh
TESTS += $(CMD_TESTS)
EXTRA_DIST += $(CMD_TESTS) tests/cmd/export_check.py tests/cmd/lib.sh tests/cmd/regen_expected.sh tests/data

# Rebuild tests/data/ after a deliberate change to the generator or to the
# output formats; review the diff before committing it.
regen-corpus: tests/gen_corpus$(EXEEXT) cmd/lotrace$(EXEEXT)
	rm -f $(srcdir)/tests/data/*.lot
	./tests/gen_corpus$(EXEEXT) $(srcdir)/tests/data
	LOTRACE='$(abs_top_builddir)/cmd/lotrace$(EXEEXT)' \
		$(SHELL) $(srcdir)/tests/cmd/regen_expected.sh $(srcdir)/tests/data
.PHONY: regen-corpus

# The timeline and export tests record their own trace with this program.
check_PROGRAMS += tests/cmd/story_prog
tests_cmd_story_prog_SOURCES = tests/cmd/story_prog.c
tests_cmd_story_prog_LDADD = liblotrace-internal.la -lpthread
# ... and on traces this one writes (a host up 200 days, names that are not UTF-8).
check_PROGRAMS += tests/cmd/make_trace
tests_cmd_make_trace_SOURCES = tests/cmd/make_trace.c
tests_cmd_make_trace_LDADD = libtracebuild.la liblotcore.la $(LZ4_LIBS) $(ZLIB_LIBS)

# `lotrace record` and `lotrace trigger` run tests/tracer/control_child.
TESTS += tests/cmd/control.sh
EXTRA_DIST += tests/cmd/control.sh

# CPU samples (issue 12): a trace with samples in the program's own
# functions, and the reports on it.
check_PROGRAMS += tests/cmd/cpu_trace
tests_cmd_cpu_trace_SOURCES = tests/cmd/cpu_trace.c tracer/modules.c tracer/modules.h
tests_cmd_cpu_trace_CFLAGS = $(AM_CFLAGS) -g
tests_cmd_cpu_trace_LDADD = libtracebuild.la liblotreader.la liblotcore.la $(LZ4_LIBS) $(ZLIB_LIBS)
TESTS += tests/cmd/profile.sh
EXTRA_DIST += tests/cmd/profile.sh

# the JSON writer every command's --json goes through (cmd/json.h)
check_PROGRAMS += tests/cmd/test_json
TESTS += tests/cmd/test_json
tests_cmd_test_json_SOURCES = tests/cmd/test_json.c cmd/json.c cmd/json.h cmd/out.c cmd/out.h \
	cmd/escape.c cmd/escape.h cmd/exit.h
tests_cmd_test_json_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_cmd_test_json_LDADD = $(CHECK_LIBS)
