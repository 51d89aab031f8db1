# Sourced by the tests in tests/cmd/: where things are, and how to fail.
# Run from the top build directory (the test harness does so); $srcdir is the
# top source directory as the harness sets it.
set -u
srcdir=${srcdir:-.}
top_builddir=$(pwd)
LOTRACE=${LOTRACE:-$top_builddir/cmd/lotrace}
GEN_CORPUS=${GEN_CORPUS:-$top_builddir/tests/gen_corpus}
DATA=$(cd "$srcdir/tests/data" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lotrace-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures failure(s)" >&2
		exit 1
	fi
	exit 0
}

# Whether python3 is there to validate JSON (the CI image installs it).
have_python() { command -v python3 >/dev/null 2>&1; }
