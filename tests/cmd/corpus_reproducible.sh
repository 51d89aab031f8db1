#!/bin/sh
# The generator still writes exactly the corpus checked in under tests/data/:
# the expected outputs there were made from these bytes.
. "${srcdir:-.}/tests/cmd/lib.sh"

"$GEN_CORPUS" "$TMP" || { fail "gen_corpus failed"; finish; }
for f in "$TMP"/*.lot; do
	n=$(basename "$f")
	if [ ! -f "$DATA/$n" ]; then
		fail "$n: generated but not checked in (make regen-corpus)"
	elif ! cmp -s "$f" "$DATA/$n"; then
		fail "$n: differs from tests/data/$n (make regen-corpus, then review the diff)"
	fi
done
for f in "$DATA"/*.lot; do
	n=$(basename "$f")
	[ -f "$TMP/$n" ] || fail "$n: checked in but no longer generated"
done
finish
