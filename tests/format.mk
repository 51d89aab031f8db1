# tests for trace-format/: varints, writer/reader round trips, damage, compatibility, losses.
FORMAT_TESTS = tests/format/test_varint tests/format/test_roundtrip tests/format/test_damage
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
endif
