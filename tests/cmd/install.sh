#!/bin/sh
# `make install` puts what the tool points to where it points: the docs
# (ANALYSIS.md, named by a report warning) in $(docdir), the man pages.
. "${srcdir:-.}/tests/cmd/lib.sh"

${MAKE:-make} -C "$top_builddir" install DESTDIR="$TMP/inst" >"$TMP/log" 2>&1 ||
	{ tail -5 "$TMP/log"; fail "make install: status $?"; finish; }
doc=$(grep -ao '/[^ ()"]*/ANALYSIS\.md' "$LOTRACE" | head -1)
[ -n "$doc" ] || fail "lotrace names no ANALYSIS.md path"
[ -f "$TMP/inst$doc" ] || fail "make install: no $doc (lotrace's warnings point there)"
for f in GUIDE.md JSON.md FORMAT.md; do
	[ -f "$TMP/inst${doc%/*}/$f" ] || fail "make install: no $f in ${doc%/*}"
done
find "$TMP/inst" -name lotrace.1 | grep -q . || fail "make install: no lotrace.1"
finish
