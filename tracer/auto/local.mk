# tracer/auto/: liblotrace-auto.so, the LD_PRELOAD interposer that traces an
# unmodified program (`lotrace record --auto`).  A module beside liblotrace;
# it links liblotrace.so so that a program linked with liblotrace and also
# preloaded has one recorder.
lib_LTLIBRARIES += liblotrace-auto.la
liblotrace_auto_la_SOURCES = \
	tracer/auto/auto.h \
	tracer/auto/auto.c \
	tracer/auto/init.c \
	tracer/auto/threads.c \
	tracer/auto/join.c \
	tracer/auto/sync.c \
	tracer/auto/wait.c \
	tracer/auto/waiters.c \
	tracer/auto/unwind.c
liblotrace_auto_la_CFLAGS = $(AM_CFLAGS) $(LIBUNWIND_CFLAGS)
liblotrace_auto_la_LDFLAGS = -module -avoid-version -shared
liblotrace_auto_la_LIBADD = liblotrace.la $(LIBUNWIND_LIBS) -ldl -lpthread

# `lotrace record` finds the interposer in the build tree or in $(libdir).
cmd_lotrace_SOURCES += cmd/record_auto.c cmd/record_auto.h
