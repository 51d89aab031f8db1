# tests for tracer/ (liblotrace): recorded stories read back with the reader.
TRACER_TESTS = \
	tests/tracer/test_traceparent \
	tests/tracer/test_record \
	tests/tracer/test_tasks \
	tests/tracer/test_spans \
	tests/tracer/test_stack \
	tests/tracer/test_stress \
	tests/tracer/test_startstop \
	tests/tracer/test_fork
check_PROGRAMS += $(TRACER_TESTS) tests/tracer/autostart_child
TESTS += $(TRACER_TESTS)

check_LTLIBRARIES += libtracertest.la
libtracertest_la_SOURCES = tests/tracer/support.c tests/tracer/support.h tests/support/check_main.h
libtracertest_la_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)

# Tests link the tracer's objects directly (liblotrace-internal.la), so they
# also run where the shared library is not installed.
TRACER_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
TRACER_TEST_LIBS = libtracertest.la liblotreader.la liblotrace-internal.la $(CHECK_LIBS) -lpthread

tests_tracer_test_traceparent_SOURCES = tests/tracer/test_traceparent.c
tests_tracer_test_traceparent_CFLAGS = $(TRACER_TEST_CFLAGS)
tests_tracer_test_traceparent_LDADD = $(TRACER_TEST_LIBS)

tests_tracer_test_record_SOURCES = tests/tracer/test_record.c
tests_tracer_test_record_CFLAGS = $(TRACER_TEST_CFLAGS)
tests_tracer_test_record_LDADD = $(TRACER_TEST_LIBS)

tests_tracer_test_tasks_SOURCES = tests/tracer/test_tasks.c
tests_tracer_test_tasks_CFLAGS = $(TRACER_TEST_CFLAGS)
tests_tracer_test_tasks_LDADD = $(TRACER_TEST_LIBS)

tests_tracer_test_spans_SOURCES = tests/tracer/test_spans.c
tests_tracer_test_spans_CFLAGS = $(TRACER_TEST_CFLAGS)
tests_tracer_test_spans_LDADD = $(TRACER_TEST_LIBS)

# -export-dynamic: the test names its own frames with dladdr.
tests_tracer_test_stack_SOURCES = tests/tracer/test_stack.c
tests_tracer_test_stack_CFLAGS = $(TRACER_TEST_CFLAGS)
tests_tracer_test_stack_LDFLAGS = -export-dynamic
tests_tracer_test_stack_LDADD = $(TRACER_TEST_LIBS) -ldl

tests_tracer_test_stress_SOURCES = tests/tracer/test_stress.c
tests_tracer_test_stress_CFLAGS = $(TRACER_TEST_CFLAGS)
tests_tracer_test_stress_LDADD = $(TRACER_TEST_LIBS)

tests_tracer_test_startstop_SOURCES = tests/tracer/test_startstop.c
tests_tracer_test_startstop_CFLAGS = $(TRACER_TEST_CFLAGS)
tests_tracer_test_startstop_LDADD = $(TRACER_TEST_LIBS)

tests_tracer_test_fork_SOURCES = tests/tracer/test_fork.c
tests_tracer_test_fork_CFLAGS = $(TRACER_TEST_CFLAGS)
tests_tracer_test_fork_LDADD = $(TRACER_TEST_LIBS)

# Run by test_record with LOTRACE_START=1 (not a test itself).
tests_tracer_autostart_child_SOURCES = tests/tracer/autostart_child.c
tests_tracer_autostart_child_LDADD = liblotrace-internal.la -lpthread

# Control: signal windows, the flight recorder, snapshots.
TRACER_CONTROL_TESTS = tests/tracer/test_control tests/tracer/test_flight
check_PROGRAMS += $(TRACER_CONTROL_TESTS) tests/tracer/control_child
TESTS += $(TRACER_CONTROL_TESTS)

tests_tracer_test_control_SOURCES = tests/tracer/test_control.c \
	tests/tracer/control_support.c tests/tracer/control_support.h
tests_tracer_test_control_CFLAGS = $(TRACER_TEST_CFLAGS)
tests_tracer_test_control_LDADD = $(TRACER_TEST_LIBS)

tests_tracer_test_flight_SOURCES = tests/tracer/test_flight.c \
	tests/tracer/control_support.c tests/tracer/control_support.h
tests_tracer_test_flight_CFLAGS = $(TRACER_TEST_CFLAGS)
tests_tracer_test_flight_LDADD = $(TRACER_TEST_LIBS)

# Run by test_control (not a test itself).
tests_tracer_control_child_SOURCES = tests/tracer/control_child.c
tests_tracer_control_child_LDADD = liblotrace-internal.la -lpthread
