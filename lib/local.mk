# lib/: primitives with no knowledge of tracing (varints, hashing, buffers,
# clock, stack walking).  Linked into everything through liblotcore.
# liblotcore also carries the format writer and the module map
# (tracer/modules.c), which the recorder, generators and tests all need.
noinst_LTLIBRARIES += liblotcore.la
liblotcore_la_SOURCES = \
	lib/buf.c lib/buf.h \
	lib/clock.c lib/clock.h \
	lib/endian.h lib/grow.h lib/hash.h lib/varint.h \
	lib/stackwalk.c lib/stackwalk.h \
	lib/parse.c lib/parse.h \
	lib/control_state.c lib/control_state.h \
	tracer/modules.c tracer/modules.h \
	trace-format/events.h trace-format/format.h trace-format/trace.h \
	trace-format/trace_id.h \
	trace-format/types.c trace-format/types.h \
	trace-format/payload.c trace-format/payload.h \
	trace-format/writer.h \
	trace-format/file_writer.c trace-format/file_writer.h
liblotcore_la_CFLAGS = $(AM_CFLAGS) $(LZ4_CFLAGS) $(ZLIB_CFLAGS)
liblotcore_la_LIBADD = $(LZ4_LIBS) $(ZLIB_LIBS) -lpthread
