# tests for lib/ primitives (clock, stack walk, buffers) and the module map.
LIB_TESTS = tests/lib/test_buf tests/lib/test_clock tests/lib/test_stackwalk tests/lib/test_modules
check_PROGRAMS += $(LIB_TESTS)
TESTS += $(LIB_TESTS)

tests_lib_test_buf_SOURCES = tests/lib/test_buf.c
tests_lib_test_buf_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_lib_test_buf_LDADD = liblotcore.la $(CHECK_LIBS)

tests_lib_test_clock_SOURCES = tests/lib/test_clock.c
tests_lib_test_clock_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_lib_test_clock_LDADD = liblotcore.la $(CHECK_LIBS)

# -export-dynamic: the test finds its own functions' sizes with dladdr1.
tests_lib_test_stackwalk_SOURCES = tests/lib/test_stackwalk.c
tests_lib_test_stackwalk_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_lib_test_stackwalk_LDFLAGS = -export-dynamic
tests_lib_test_stackwalk_LDADD = liblotcore.la $(CHECK_LIBS) -ldl

tests_lib_test_modules_SOURCES = tests/lib/test_modules.c
tests_lib_test_modules_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_lib_test_modules_LDADD = liblotcore.la $(CHECK_LIBS)

# which folder may include which, and no circles within one: of includes
# (from the sources) and of calls (from the built objects)
TESTS += tests/lib/layers.sh tests/lib/calls.sh
EXTRA_DIST += tests/lib/layers.sh tests/lib/calls.sh
