# cmd/: the `lotrace` tool.  A subcommand is one file here plus one line in
# cmd/commands.h.
bin_PROGRAMS += cmd/lotrace
cmd_lotrace_SOURCES = \
	cmd/main.c cmd/commands.h \
	cmd/common.c cmd/common.h cmd/exit.h \
	cmd/warn.c cmd/warn.h \
	cmd/out.c cmd/out.h \
	cmd/json.c cmd/json.h \
	cmd/escape.c cmd/escape.h \
	cmd/threads.c cmd/threads.h \
	cmd/info.c \
	cmd/stack_depth.c cmd/stack_depth.h \
	cmd/dump.c \
	cmd/intern.c cmd/intern.h \
	cmd/idmap.c cmd/idmap.h \
	cmd/reorder.c cmd/reorder.h \
	cmd/model.c cmd/model.h \
	cmd/sources.c cmd/sources.h \
	cmd/critical_path.c cmd/critical_path.h \
	cmd/clock_align.c \
	cmd/symbols.c cmd/symbols.h \
	cmd/dist.c cmd/dist.h \
	cmd/progress.c cmd/progress.h \
	cmd/report.c cmd/report.h \
	cmd/span_copy.c cmd/span_copy.h \
	cmd/spans.c \
	cmd/tasks.c \
	cmd/thread_blocks.c cmd/thread_blocks.h \
	cmd/flame.c \
	cmd/record.c \
	cmd/trigger.c
cmd_lotrace_CFLAGS = $(AM_CFLAGS) $(LIBDW_CFLAGS)
# where `make install` puts doc/*.md (which messages name) and
# liblotrace-auto.so (which `record --auto` preloads)
CMD_INSTALL_DIRS = -DLOT_DOCDIR='"$(docdir)"' -DLOT_LIBDIR='"$(libdir)"'
cmd_lotrace_CPPFLAGS = $(AM_CPPFLAGS) $(CMD_INSTALL_DIRS)
cmd_lotrace_LDADD = liblotreader.la liblotcore.la $(LZ4_LIBS) $(ZLIB_LIBS) $(LIBDW_LIBS) -lm

dist_man_MANS += doc/lotrace.1
# timeline and export (issue 5)
cmd_lotrace_SOURCES += \
	cmd/lanes.c cmd/lanes.h \
	cmd/protobuf.c cmd/protobuf.h \
	cmd/svg.c cmd/svg.h \
	cmd/timeline_grid.c cmd/timeline_grid.h \
	cmd/timeline_term.c cmd/timeline_term.h \
	cmd/timeline_svg.c cmd/timeline_svg.h
cmd_lotrace_SOURCES += \
	cmd/export.c cmd/export.h \
	cmd/export_info.c cmd/export_info.h \
	cmd/export_chrome.c \
	cmd/export_perfetto.c \
	cmd/export_otlp.c \
	cmd/remote_links.c cmd/remote_links.h \
	cmd/otlp_http.c cmd/otlp_http.h \
	cmd/timeline.c
# CPU samples (issue 12)
cmd_lotrace_SOURCES += \
	cmd/samples.c cmd/samples.h \
	cmd/profile.c \
	cmd/export_pprof.c
