# tests for trace-format/: varints, writer/reader round trips, damage, compatibility, losses.
FORMAT_TESTS = tests/format/test_varint tests/format/test_roundtrip tests/format/test_damage \
	tests/format/test_doc_table
check_PROGRAMS += $(FORMAT_TESTS)
TESTS += $(FORMAT_TESTS)

check_LTLIBRARIES += libformattest.la
libformattest_la_SOURCES = tests/format/support.c tests/format/support.h
libformattest_la_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)

FORMAT_TEST_LIBS = libformattest.la libtracebuild.la liblotreader.la $(CHECK_LIBS)

tests_format_test_varint_SOURCES = tests/format/test_varint.c
tests_format_test_varint_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_format_test_varint_LDADD = $(FORMAT_TEST_LIBS)

tests_format_test_roundtrip_SOURCES = tests/format/test_roundtrip.c
tests_format_test_roundtrip_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_format_test_roundtrip_LDADD = $(FORMAT_TEST_LIBS)

# doc/FORMAT.md's event table against events.h
tests_format_test_doc_table_SOURCES = tests/format/test_doc_table.c
tests_format_test_doc_table_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_format_test_doc_table_CPPFLAGS = $(AM_CPPFLAGS) -DLOT_TOP_SRCDIR='"$(abs_top_srcdir)"'
tests_format_test_doc_table_LDADD = $(FORMAT_TEST_LIBS)

tests_format_test_damage_SOURCES = tests/format/test_damage.c
tests_format_test_damage_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_format_test_damage_LDADD = $(FORMAT_TEST_LIBS)

# libFuzzer target for the reader, and the seed-corpus generator (configure CC=clang --enable-fuzz).
# The reader's sources are compiled into the target so that libFuzzer's coverage sees them.
check_PROGRAMS += tests/fuzz/make_seeds tests/fuzz/replay_reader
tests_fuzz_make_seeds_SOURCES = tests/fuzz/make_seeds.c
tests_fuzz_make_seeds_LDADD = libtracebuild.la liblotcore.la
# The target without libFuzzer, replaying the seeds (and their truncations) in `make check`.
tests_fuzz_replay_reader_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_reader.c
tests_fuzz_replay_reader_LDADD = liblotreader.la
TESTS += tests/fuzz/seeds.sh
EXTRA_DIST += tests/fuzz/seeds.sh
if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_reader
tests_fuzz_fuzz_reader_SOURCES = tests/fuzz/fuzz_reader.c $(liblotreader_la_SOURCES)
tests_fuzz_fuzz_reader_CFLAGS = $(AM_CFLAGS) $(LZ4_CFLAGS) -fsanitize=fuzzer,address,undefined
tests_fuzz_fuzz_reader_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
tests_fuzz_fuzz_reader_LDFLAGS = -fsanitize=fuzzer,address,undefined
tests_fuzz_fuzz_reader_LDADD = liblotcore.la $(LZ4_LIBS) $(ZLIB_LIBS)

# The `lotrace` tool itself (every command on each input, tests/fuzz/fuzz_commands.c):
# its sources with main() renamed, and the reader's, under coverage.
noinst_PROGRAMS += tests/fuzz/fuzz_commands
tests_fuzz_fuzz_commands_SOURCES = tests/fuzz/fuzz_commands.c $(cmd_lotrace_SOURCES) $(liblotreader_la_SOURCES)
tests_fuzz_fuzz_commands_CFLAGS = $(tests_fuzz_fuzz_reader_CFLAGS) $(LIBDW_CFLAGS) -Wno-missing-prototypes
tests_fuzz_fuzz_commands_CPPFLAGS = $(tests_fuzz_fuzz_reader_CPPFLAGS) $(CMD_INSTALL_DIRS) -Dmain=lotrace_main
tests_fuzz_fuzz_commands_LDFLAGS = $(tests_fuzz_fuzz_reader_LDFLAGS)
tests_fuzz_fuzz_commands_LDADD = $(tests_fuzz_fuzz_reader_LDADD) $(LIBDW_LIBS) -lm

# W3C traceparent parsing (tracer/ids.c under coverage; the rest of the recorder linked).
noinst_PROGRAMS += tests/fuzz/fuzz_traceparent
tests_fuzz_fuzz_traceparent_SOURCES = tests/fuzz/fuzz_traceparent.c tracer/ids.c
tests_fuzz_fuzz_traceparent_CFLAGS = $(tests_fuzz_fuzz_reader_CFLAGS)
tests_fuzz_fuzz_traceparent_CPPFLAGS = $(tests_fuzz_fuzz_reader_CPPFLAGS)
tests_fuzz_fuzz_traceparent_LDFLAGS = $(tests_fuzz_fuzz_reader_LDFLAGS)
tests_fuzz_fuzz_traceparent_LDADD = liblotcore.la
endif
EXTRA_DIST += tests/fuzz/traceparent-seeds
