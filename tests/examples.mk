# Tests of the example programs (examples/): each starts the program, drives
# it and reads its trace back with `lotrace`.  Run from the top build
# directory like tests/cmd/ (they source tests/cmd/lib.sh).
EXAMPLE_TESTS = tests/examples/httpd.sh tests/examples/chain.sh
TESTS += $(EXAMPLE_TESTS)
EXTRA_DIST += $(EXAMPLE_TESTS) tests/examples/httpd_client.py
