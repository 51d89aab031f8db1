# examples/: programs instrumented the way we tell users to instrument theirs.
noinst_PROGRAMS += examples/quickstart
examples_quickstart_SOURCES = examples/quickstart.c
examples_quickstart_LDADD = liblotrace.la -lpthread
EXTRA_DIST += examples/demo.sh

# examples/httpd: the traced HTTP server (doc/GUIDE.md), driven by
# bench/run's overhead benchmark and tests/examples/httpd.sh.  -no-install:
# a real binary (not a libtool wrapper), so its pid is the server's.
noinst_PROGRAMS += examples/httpd/httpd
examples_httpd_httpd_SOURCES = examples/httpd/httpd.h examples/httpd/main.c \
	examples/httpd/server.c examples/httpd/http.c examples/httpd/pool.c \
	examples/httpd/handler.c examples/httpd/db.c examples/httpd/cache.c \
	examples/httpd/traced_mutex.h examples/httpd/render.c
examples_httpd_httpd_LDFLAGS = -no-install
examples_httpd_httpd_LDADD = liblotrace.la -lpthread

# examples/chain: one request through three services (front end, API, back
# end), each a process with its own trace, traceparent over HTTP on loopback
# (examples/demo.sh, tests/examples/chain.sh).
noinst_PROGRAMS += examples/chain
examples_chain_SOURCES = examples/chain.c
examples_chain_LDFLAGS = -no-install
examples_chain_LDADD = liblotrace.la -lpthread
