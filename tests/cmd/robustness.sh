#!/bin/sh
# Hostile and large inputs: a 1 MB random file and an empty file are refused
# fast (status 2); a closed output pipe ends dump quietly; a large trace
# streams through dump in bounded memory.
. "${srcdir:-.}/tests/cmd/lib.sh"

limit() { # seconds command...: run with a time limit where `timeout` exists
	if command -v timeout >/dev/null 2>&1; then
		timeout "$@"
	else
		shift
		"$@"
	fi
}

head -c 1048576 /dev/urandom >"$TMP/random.lot"
: >"$TMP/empty.lot"
for f in random empty; do
	for cmd in info dump spans tasks flame profile; do
		limit 5 "$LOTRACE" $cmd "$TMP/$f.lot" >"$TMP/out" 2>"$TMP/err"
		st=$?
		[ "$st" = 2 ] || fail "$cmd $f.lot: status $st, expected 2"
		[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "$cmd $f.lot: not one stderr line"
	done
	for run in "timeline" "timeline --json" "export -o $TMP/x.json" "export --format perfetto -o $TMP/x.pf" \
		"profile --json" "flame --cpu" "export --format pprof -o $TMP/x.pb.gz"; do
		limit 5 "$LOTRACE" $run "$TMP/$f.lot" >"$TMP/out" 2>"$TMP/err"
		st=$?
		[ "$st" = 2 ] || fail "$run $f.lot: status $st, expected 2"
		[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "$run $f.lot: not one stderr line"
	done
done

# A trace of a few hundred chunks (about a million events).
"$GEN_CORPUS" --big "$TMP/big.lot" 200 || { fail "gen_corpus --big"; finish; }
limit 60 "$LOTRACE" info "$TMP/big.lot" >"$TMP/out" 2>"$TMP/err" || fail "info big.lot: status $?"
[ -s "$TMP/err" ] && fail "info big.lot: warnings: $(head -3 "$TMP/err")"

# The analysis commands stream it too.
limit 120 "$LOTRACE" timeline "$TMP/big.lot" >"$TMP/out" 2>"$TMP/err" || fail "timeline big.lot: status $?"
limit 120 "$LOTRACE" export --format perfetto "$TMP/big.lot" -o "$TMP/big.pf" 2>"$TMP/err" ||
	fail "export big.lot: status $?"

# `| head`: no error message, status 0 or 141 (SIGPIPE)
for json in "" --json; do
	( limit 60 "$LOTRACE" dump $json "$TMP/big.lot" 2>"$TMP/err"; echo $? >"$TMP/st" ) | head -n 3 >"$TMP/out"
	st=$(cat "$TMP/st")
	[ "$st" = 0 ] || [ "$st" = 141 ] || fail "dump $json | head: status $st"
	[ -s "$TMP/err" ] && fail "dump $json | head: printed '$(head -1 "$TMP/err")'"
	[ "$(wc -l <"$TMP/out")" -eq 3 ] || fail "dump $json | head: not 3 lines"
done

# The whole dump, with its memory bounded: peak RSS (not ulimit -v, which
# sanitizer builds' shadow reservations exceed) must stay far below what
# holding the trace's events would take.
if command -v python3 >/dev/null 2>&1; then
	python3 - "$TMP/out" "$LOTRACE" dump "$TMP/big.lot" >"$TMP/rss" 2>"$TMP/err" <<'PY'
import resource, subprocess, sys
with open(sys.argv[1], "wb") as out:
    status = subprocess.run(sys.argv[2:], stdout=out).returncode
print(status, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
	read -r st rss_kb <"$TMP/rss"
	[ "$st" = 0 ] || fail "dump big.lot: status $st"
	[ "$rss_kb" -lt 262144 ] || fail "dump big.lot: peak RSS ${rss_kb} KiB, expected < 256 MiB"
else
	limit 120 "$LOTRACE" dump "$TMP/big.lot" >"$TMP/out" 2>"$TMP/err" || fail "dump big.lot: status $?"
fi
lines=$(wc -l <"$TMP/out")
events=$(sed -n 's/^events  *\([0-9]*\)$/\1/p' <<EOF2
$("$LOTRACE" info "$TMP/big.lot")
EOF2
)
[ "$lines" = "$events" ] || fail "dump big.lot: $lines lines, info says $events events"
finish
