# tests for tracer/ (liblotrace): recorded stories read back with the reader.
TRACER_TESTS = \
	tests/tracer/test_traceparent \
	tests/tracer/test_record \
	tests/tracer/test_tasks \
	tests/tracer/test_spans \
	tests/tracer/test_stack \
	tests/tracer/test_cpu_sample \
	tests/tracer/test_stress \
	tests/tracer/test_startstop \
	tests/tracer/test_fork \
	tests/tracer/test_faults \
	tests/tracer/test_churn \
	tests/tracer/test_lifecycle \
	tests/tracer/test_safe_files \
	tests/tracer/test_auto_probes
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

# -export-dynamic: the test names its own frames with dladdr.
tests_tracer_test_cpu_sample_SOURCES = tests/tracer/test_cpu_sample.c
tests_tracer_test_cpu_sample_CFLAGS = $(TRACER_TEST_CFLAGS)
tests_tracer_test_cpu_sample_LDFLAGS = -export-dynamic
tests_tracer_test_cpu_sample_LDADD = $(TRACER_TEST_LIBS) -ldl

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
# Linked statically, the children keep the load-time start (tracer/autostart.c),
# which no other object refers to; the shared library always has it.
TRACER_KEEP_AUTOSTART = -Wl,-u,lot__autostart
tests_tracer_autostart_child_LDFLAGS = $(TRACER_KEEP_AUTOSTART)

# The slow disk: pwrite and io_uring_submit of the recorder's objects go
# through the test's wrappers (a stall the test switches on and off).
tests_tracer_test_faults_SOURCES = tests/tracer/test_faults.c
tests_tracer_test_faults_CFLAGS = $(TRACER_TEST_CFLAGS) $(URING_CFLAGS)
tests_tracer_test_faults_LDFLAGS = -Wl,--wrap=pwrite,--wrap=pwrite64,--wrap=io_uring_submit
tests_tracer_test_faults_LDADD = $(TRACER_TEST_LIBS)

tests_tracer_test_churn_SOURCES = tests/tracer/test_churn.c
tests_tracer_test_churn_CFLAGS = $(TRACER_TEST_CFLAGS)
tests_tracer_test_churn_LDADD = $(TRACER_TEST_LIBS)

# -export-dynamic: the library the test loads (libdlrecord) finds the
# recorder's symbols in the test program, as it would in a traced program.
tests_tracer_test_lifecycle_SOURCES = tests/tracer/test_lifecycle.c
tests_tracer_test_lifecycle_CFLAGS = $(TRACER_TEST_CFLAGS)
tests_tracer_test_lifecycle_LDFLAGS = -export-dynamic
tests_tracer_test_lifecycle_LDADD = $(TRACER_TEST_LIBS) -ldl
# (-rpath makes libtool build it shared; it is never installed.)
check_LTLIBRARIES += tests/tracer/libdlrecord.la
tests_tracer_libdlrecord_la_SOURCES = tests/tracer/dlrecord.c
tests_tracer_libdlrecord_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
EXTRA_tests_tracer_test_lifecycle_DEPENDENCIES = tests/tracer/libdlrecord.la

tests_tracer_test_safe_files_SOURCES = tests/tracer/test_safe_files.c
tests_tracer_test_safe_files_CFLAGS = $(TRACER_TEST_CFLAGS)
tests_tracer_test_safe_files_LDADD = $(TRACER_TEST_LIBS)

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
tests_tracer_control_child_LDFLAGS = $(TRACER_KEEP_AUTOSTART)

tests_tracer_test_auto_probes_SOURCES = tests/tracer/test_auto_probes.c
tests_tracer_test_auto_probes_CFLAGS = $(TRACER_TEST_CFLAGS)
tests_tracer_test_auto_probes_LDADD = $(TRACER_TEST_LIBS)
