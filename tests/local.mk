# tests/: each area's tests describe themselves in their own fragment.
include tests/format.mk
include tests/cmd.mk
include tests/tracer.mk
include tests/lib.mk

# The in-memory trace builder shared by the format tests, the corpus generator
# and the fuzzer's seed generator.
check_LTLIBRARIES += libtracebuild.la
libtracebuild_la_SOURCES = tests/support/tracebuild.c tests/support/tracebuild.h
libtracebuild_la_LIBADD = liblotcore.la

# Fuzzing (configure CC=clang --enable-fuzz): the reader, the `lotrace`
# tool's commands, and lot_traceparent_parse.  `make fuzz-check` runs each
# target for FUZZ_SECONDS from fresh seeds plus the checked-in corpora (CI);
# `make fuzz` runs each for FUZZ_LONG_SECONDS and keeps its corpus in
# fuzz-corpus-TARGET/ between runs (FUZZ_TARGETS=... picks some).
FUZZ_TARGETS = reader commands traceparent
FUZZ_SECONDS = 60
FUZZ_LONG_SECONDS = 1800
FUZZ_FLAGS = -max_len=262144 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
FUZZ_TARGET_PROGS = tests/fuzz/fuzz_reader$(EXEEXT) tests/fuzz/fuzz_commands$(EXEEXT) \
	tests/fuzz/fuzz_traceparent$(EXEEXT)
FUZZ_RUN = FUZZ_FLAGS='$(FUZZ_FLAGS)' srcdir='$(srcdir)' $(SHELL) $(srcdir)/tests/fuzz/run.sh
EXTRA_DIST += tests/fuzz/run.sh
if ENABLE_FUZZ
fuzz-seeds: tests/fuzz/make_seeds$(EXEEXT)
	rm -rf fuzz-seeds && mkdir -p fuzz-seeds
	./tests/fuzz/make_seeds$(EXEEXT) fuzz-seeds
	cp $(srcdir)/tests/data/*.lot fuzz-seeds/
fuzz-check: $(FUZZ_TARGET_PROGS) fuzz-seeds
	rm -rf fuzz-check-corpus-*
	@$(FUZZ_RUN) $(FUZZ_SECONDS) fuzz-check-corpus $(FUZZ_TARGETS)
fuzz: $(FUZZ_TARGET_PROGS) fuzz-seeds
	@$(FUZZ_RUN) $(FUZZ_LONG_SECONDS) fuzz-corpus $(FUZZ_TARGETS)
else
fuzz-check fuzz:
	@echo "fuzzing needs: ./configure CC=clang --enable-fuzz" >&2; exit 1
endif
.PHONY: fuzz fuzz-check fuzz-seeds
clean-local: clean-fuzz
clean-fuzz:
	rm -rf fuzz-seeds fuzz-check-corpus-* fuzz-*.log
.PHONY: clean-fuzz
include tests/examples.mk
include tests/analysis.mk
include tests/auto.mk
