# cmd/: the `lotrace` tool.  A subcommand is one file here plus one line in
# cmd/commands.h.
bin_PROGRAMS += cmd/lotrace
cmd_lotrace_SOURCES = \
	cmd/main.c cmd/commands.h \
	cmd/common.c cmd/common.h \
	cmd/out.c cmd/out.h \
	cmd/escape.c cmd/escape.h \
	cmd/threads.c cmd/threads.h \
	cmd/info.c \
	cmd/dump.c \
	cmd/record.c \
	cmd/trigger.c
cmd_lotrace_LDADD = liblotreader.la liblotcore.la $(LZ4_LIBS) $(ZLIB_LIBS)

dist_man_MANS += doc/lotrace.1
