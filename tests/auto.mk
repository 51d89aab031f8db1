# tests for tracer/auto/ (liblotrace-auto.so, `lotrace record --auto`):
# unmodified programs and real Debian servers traced with no code change.
AUTO_TESTS = \
	tests/auto/handoff.sh \
	tests/auto/process.sh \
	tests/auto/control.sh \
	tests/auto/unwind.sh \
	tests/auto/memcached.sh \
	tests/auto/redis.sh
TESTS += $(AUTO_TESTS)
EXTRA_DIST += $(AUTO_TESTS) tests/auto/lib.sh tests/auto/check_blocks.py

# The traced programs contain no lotrace (linked only links it, to show that
# preloading it as well records once).
check_PROGRAMS += tests/auto/handoff tests/auto/queue tests/auto/forker tests/auto/linked tests/auto/ticker \
	tests/auto/nofp
tests_auto_handoff_SOURCES = tests/auto/handoff.c
tests_auto_handoff_LDADD = -lpthread
tests_auto_queue_SOURCES = tests/auto/queue.c
tests_auto_queue_LDADD = -lpthread
tests_auto_forker_SOURCES = tests/auto/forker.c
tests_auto_ticker_SOURCES = tests/auto/ticker.c
tests_auto_ticker_LDADD = -lpthread
# -fomit-frame-pointer last: it wins over the project's -fno-omit-frame-pointer
tests_auto_nofp_SOURCES = tests/auto/nofp.c
tests_auto_nofp_CFLAGS = $(AM_CFLAGS) -O2 -fomit-frame-pointer
tests_auto_linked_SOURCES = tests/auto/linked.c
tests_auto_linked_LDFLAGS = -no-install
tests_auto_linked_LDADD = liblotrace.la
