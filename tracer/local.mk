# tracer/: liblotrace, the recorder linked into traced programs.
# The objects are built once, into a convenience library that the tests link
# directly (they need internal symbols); liblotrace.la wraps it with the
# exported interface (-fvisibility=hidden: only LOT_API symbols are public).
TRACER_SOURCES = \
	tracer/lotrace.h \
	tracer/api.c \
	tracer/env.c tracer/env.h \
	tracer/flusher.c tracer/flusher.h \
	tracer/ids.c tracer/ids.h \
	tracer/io.c tracer/io.h \
	tracer/pool.c tracer/pool.h \
	tracer/sampler.c tracer/sampler.h \
	tracer/session.c tracer/session.h tracer/session_state.h \
	tracer/header.c tracer/header.h \
	tracer/autostart.c \
	tracer/thread.c tracer/thread.h \
	tracer/control.c tracer/control.h \
	tracer/control_stats.c tracer/control_stats.h \
	tracer/flight.c tracer/flight.h \
	tracer/output_path.c tracer/output_path.h \
	tracer/snapshot.c tracer/snapshot.h \
	tracer/state_file.c tracer/state_file.h \
	tracer/auto_probes.c tracer/auto_probes.h

noinst_LTLIBRARIES += liblotrace-internal.la
liblotrace_internal_la_SOURCES = $(TRACER_SOURCES)
liblotrace_internal_la_CFLAGS = $(AM_CFLAGS) $(URING_CFLAGS) $(LZ4_CFLAGS) $(ZLIB_CFLAGS)
liblotrace_internal_la_LIBADD = liblotcore.la $(URING_LIBS) $(LZ4_LIBS) $(ZLIB_LIBS) -lpthread

lib_LTLIBRARIES += liblotrace.la
liblotrace_la_SOURCES =
liblotrace_la_LIBADD = liblotrace-internal.la
# current:revision:age -- bump per libtool's rules when the interface changes.
liblotrace_la_LDFLAGS = -version-info 0:0:0
include_HEADERS += tracer/lotrace.h
pkgconfig_DATA += tracer/lotrace.pc

# lotrace(3): the library API, installed with it.
dist_man_MANS += doc/lotrace.3
