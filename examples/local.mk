# examples/: programs instrumented the way we tell users to instrument theirs.
noinst_PROGRAMS += examples/quickstart
examples_quickstart_SOURCES = examples/quickstart.c
examples_quickstart_LDADD = liblotrace.la -lpthread
EXTRA_DIST += examples/demo.sh
