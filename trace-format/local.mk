# trace-format/: the reader library shared by the `lotrace` tool and the tests.
# (The writer side is in liblotcore, see lib/local.mk, because the recorder needs it.)
noinst_LTLIBRARIES += liblotreader.la
liblotreader_la_SOURCES = \
	trace-format/reader.h \
	trace-format/reader_file.c \
	trace-format/reader_meta.c trace-format/reader_meta.h \
	trace-format/decode.c trace-format/decode.h \
	trace-format/reader_impl.c trace-format/reader_impl.h
liblotreader_la_CFLAGS = $(AM_CFLAGS) $(LZ4_CFLAGS) $(ZLIB_CFLAGS)
liblotreader_la_LIBADD = liblotcore.la $(LZ4_LIBS) $(ZLIB_LIBS)
