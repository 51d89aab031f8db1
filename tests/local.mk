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

# Fuzzing the reader (configure CC=clang --enable-fuzz).  `make fuzz-check`
# runs a bounded session from fresh seeds plus the checked-in corpus (CI);
# `make fuzz` runs longer and keeps its corpus in fuzz-corpus/ between runs.
FUZZ_SECONDS = 45
FUZZ_LONG_SECONDS = 1800
FUZZ_FLAGS = -max_len=262144 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
if ENABLE_FUZZ
fuzz-seeds: tests/fuzz/make_seeds$(EXEEXT)
	rm -rf fuzz-seeds && mkdir -p fuzz-seeds
	./tests/fuzz/make_seeds$(EXEEXT) fuzz-seeds
	cp $(srcdir)/tests/data/*.lot fuzz-seeds/
# Its progress lines go to fuzz-check.log; the summary (or, on a crash, the
# log's end with the reproducer's name) is printed.
fuzz-check: tests/fuzz/fuzz_reader$(EXEEXT) fuzz-seeds
	rm -rf fuzz-check-corpus && mkdir -p fuzz-check-corpus
	@echo "fuzzing the reader for $(FUZZ_SECONDS) s (progress in fuzz-check.log)"
	@./tests/fuzz/fuzz_reader$(EXEEXT) $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) \
		fuzz-check-corpus fuzz-seeds >fuzz-check.log 2>&1 || { tail -n 60 fuzz-check.log; exit 1; }
	@grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added)' fuzz-check.log
fuzz: tests/fuzz/fuzz_reader$(EXEEXT) fuzz-seeds
	mkdir -p fuzz-corpus
	./tests/fuzz/fuzz_reader$(EXEEXT) $(FUZZ_FLAGS) -max_total_time=$(FUZZ_LONG_SECONDS) \
		fuzz-corpus fuzz-seeds
else
fuzz-check fuzz:
	@echo "fuzzing needs: ./configure CC=clang --enable-fuzz" >&2; exit 1
endif
.PHONY: fuzz fuzz-check fuzz-seeds
clean-local: clean-fuzz
clean-fuzz:
	rm -rf fuzz-seeds fuzz-check-corpus fuzz-check.log
.PHONY: clean-fuzz
include tests/analysis.mk
