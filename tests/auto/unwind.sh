#!/bin/sh
# Stacks of a program built without frame pointers (tests/auto/nofp.c):
# the frame-pointer walk stops early and `lotrace info` says what share of
# stacks did and why; LOTRACE_UNWIND=dwarf unwinds the whole chain.
. "${srcdir:-.}/tests/auto/lib.sh"
PROG=$top_builddir/tests/auto/nofp
cd "$TMP" || exit 1

"$LOTRACE" record --auto -o fp.lot -- "$PROG" >/dev/null || fail "record (fp): status $?"
"$LOTRACE" info fp.lot >info.txt || fail "info: status $?"
grep -q 'stopped at depth 1' info.txt || fail "info: no stack-depth line"
grep -q 'without frame pointers' info.txt || fail "info: no reason for shallow stacks"
"$LOTRACE" flame --state blocked fp.lot >fp.txt || fail "flame (fp): status $?"
grep -q 'nofp_level1;nofp_level2;nofp_level3' fp.txt &&
	fail "fp: a whole chain without frame pointers? (is nofp built with them?)"

LOTRACE_UNWIND=dwarf "$LOTRACE" record --auto -o dwarf.lot -- "$PROG" >/dev/null ||
	fail "record (dwarf): status $?"
"$LOTRACE" flame --state blocked dwarf.lot >dwarf.txt || fail "flame (dwarf): status $?"
grep -q 'main;nofp_level1;nofp_level2;nofp_level3;\[sleep\]' dwarf.txt ||
	fail "dwarf: not the whole chain: $(cat dwarf.txt)"
grep -q 'usleep\|auto_' dwarf.txt && fail "dwarf: interposer frames in the stack"
finish
