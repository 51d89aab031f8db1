#!/bin/sh
# Every corpus file through info, info --json, dump and dump --json: stdout,
# stderr and exit status as recorded in tests/data/ (see regen_expected.sh),
# every stderr line naming the file and an offset, every JSON output parsing.
. "${srcdir:-.}/tests/cmd/lib.sh"

cd "$DATA" || exit 1
n_files=0
for f in *.lot; do
	n=${f%.lot}
	n_files=$((n_files + 1))
	if [ ! -f "$n.expect" ]; then
		fail "$f: no $n.expect"
		continue
	fi
	want_status=$(sed -n '1s/^status //p' "$n.expect")
	sed 1d "$n.expect" >"$TMP/want.err"
	for run in "info" "info --json" "dump" "dump --json"; do
		set -- $run
		ext=$1.txt
		[ $# -eq 2 ] && ext=$1.json
		"$LOTRACE" "$@" "$f" >"$TMP/out" 2>"$TMP/err"
		st=$?
		[ "$st" = "$want_status" ] || fail "lotrace $run $f: status $st, expected $want_status"
		if [ -f "$n.$ext" ]; then
			cmp -s "$TMP/out" "$n.$ext" ||
				{ fail "lotrace $run $f: stdout differs from $n.$ext"; diff "$n.$ext" "$TMP/out" | head -20 >&2; }
		elif [ -s "$TMP/out" ]; then
			fail "lotrace $run $f: unexpected stdout"
		fi
		cmp -s "$TMP/err" "$TMP/want.err" ||
			{ fail "lotrace $run $f: stderr differs from $n.expect"; diff "$TMP/want.err" "$TMP/err" | head -20 >&2; }
		# every diagnostic names the file and the offset of the damage
		if grep -v "^lotrace: $f: offset [0-9][0-9]*: ." "$TMP/err" >"$TMP/bad"; then
			fail "lotrace $run $f: stderr lines without file and offset:"
			cat "$TMP/bad" >&2
		fi
		# status 2: nothing on stdout and exactly one line on stderr
		if [ "$st" = 2 ]; then
			[ -s "$TMP/out" ] && fail "lotrace $run $f: stdout not empty on status 2"
			[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "lotrace $run $f: status 2 needs one stderr line"
		fi
		# status 3 comes with at least one warning; status 0 with none
		[ "$st" = 3 ] && [ ! -s "$TMP/err" ] && fail "lotrace $run $f: status 3 without a warning"
		[ "$st" = 0 ] && [ -s "$TMP/err" ] && fail "lotrace $run $f: warnings with status 0"
		if [ $# -eq 2 ] && [ -s "$TMP/out" ] && have_python; then
			if [ "$1" = info ]; then
				python3 -c 'import json,sys; d=json.load(sys.stdin); assert isinstance(d,dict) and "duration_ns" in d and all({"tid","name","events","lost"} <= t.keys() for t in d["threads"])' \
					<"$TMP/out" || fail "lotrace info --json $f: not the documented JSON"
			else
				python3 -c '
import json,sys
for line in sys.stdin:
    d=json.loads(line)
    assert isinstance(d["ts_ns"],int) and isinstance(d["thread"],int) and isinstance(d["event"],str)
' <"$TMP/out" || fail "lotrace dump --json $f: a line is not the documented JSON"
			fi
		fi
	done
done
[ "$n_files" -ge 15 ] || fail "only $n_files corpus files in $DATA"
have_python || echo "note: python3 not found, JSON outputs not parsed" >&2
finish
