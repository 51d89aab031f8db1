#!/bin/sh
# End to end: the quickstart example (built with -g) records a trace with
# stacks; spans, tasks and flame read it back, name its known functions,
# find the slow "io" blocks and who woke them, and their --json parses.
# Every corpus trace goes through the three commands with the status
# `info` gives it.
. "${srcdir:-.}/tests/cmd/lib.sh"

QS=${QUICKSTART:-$top_builddir/examples/quickstart}
[ -x "$QS" ] || { echo "no $QS: skipped"; exit 77; }
LOTRACE_OUTPUT="$TMP/qs.lot" LOTRACE_STACKS=1 "$QS" 40 >/dev/null 2>&1 || fail "quickstart failed"

# the default file name is what lotrace(3) says
(cd "$TMP" && mkdir dflt && cd dflt && env -u LOTRACE_OUTPUT -u LOTRACE_DIR -u LOTRACE_SERVICE "$QS" 2 >/dev/null 2>&1) ||
	fail "quickstart without LOTRACE_OUTPUT"
ls "$TMP/dflt" | grep -Eq '^lotrace-quickstart-[0-9]+-[0-9]{8}T[0-9]{6}Z\.lot$' ||
	fail "default file name: $(ls "$TMP/dflt")"
grep -q 'lotrace\\-<service>\\-<pid>\\-<UTC\\ time>.lot' "$srcdir/doc/lotrace.3" ||
	fail "lotrace(3) does not give the default name lotrace-<service>-<pid>-<UTC time>.lot"

# under `lotrace record`, which starts tracing before main's lot_start()
# ($QS is libtool's wrapper script: record preloads the interposer, which in
# a sanitizer build comes before the sanitizer's runtime: tests/auto/lib.sh)
(cd "$TMP" && ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	"$LOTRACE" record -o rec.lot -- "$QS" 5 >out 2>err) ||
	fail "record -- quickstart: status $?: $(cat "$TMP/err")"
grep -q 'rec.lot$' "$TMP/out" || fail "record -- quickstart: no path printed"

"$LOTRACE" spans --slowest 3 "$TMP/qs.lot" >"$TMP/out" 2>"$TMP/err" || fail "spans: status $?"
grep -q '^trace ' "$TMP/out" || fail "spans: no trace header"
grep -q '^request ' "$TMP/out" || fail "spans: no 'request' line"
grep -q 'blocked io' "$TMP/out" || fail "spans --slowest: no io block"
grep -q 'woken by task' "$TMP/out" || fail "spans --slowest: no waker"
grep -q 'at worker' "$TMP/out" || fail "spans --slowest: the block's stack does not name worker()"

"$LOTRACE" flame --state blocked "$TMP/qs.lot" >"$TMP/out" 2>"$TMP/err" || fail "flame: status $?"
grep -q '^start_thread;worker;\[io\] [0-9][0-9]*$' "$TMP/out" || fail "flame --state blocked: no 'start_thread;worker;[io]' line"
grep -q '^lotrace flame: ' "$TMP/err" || fail "flame: no header on stderr"
"$LOTRACE" flame --span db.query --state blocked "$TMP/qs.lot" >"$TMP/out" 2>/dev/null || fail "flame --span: status $?"
grep -q '\[queue\]' "$TMP/out" && fail "flame --span db.query: queue waits are outside the span"
"$LOTRACE" flame --svg "$TMP/f.svg" "$TMP/qs.lot" 2>/dev/null || fail "flame --svg: status $?"
grep -q '<svg' "$TMP/f.svg" || fail "flame --svg: not an SVG"
"$LOTRACE" flame --no-symbols --state blocked "$TMP/qs.lot" >"$TMP/out" 2>/dev/null || fail "flame --no-symbols: status $?"
grep -q 'quickstart+0x' "$TMP/out" || fail "flame --no-symbols: no module+0xoffset frames"

# --name: the slowest spans of one name only
"$LOTRACE" spans --slowest 5 --name db.query "$TMP/qs.lot" >"$TMP/out" 2>/dev/null || fail "spans --name: status $?"
[ "$(grep -c '^#[0-9]* "db.query" ' "$TMP/out")" = 5 ] || fail "spans --slowest 5 --name db.query: not 5 db.query spans"
grep '^#[0-9]' "$TMP/out" | grep -vq '"db.query"' && fail "spans --name db.query: other spans listed"
grep -q '^request ' "$TMP/out" && fail "spans --name db.query: the table lists other names"

# no report or export shows the recorder's own frames (lot__span_begin...)
for run in "export" "export --format perfetto -o $TMP/qs.pftrace" "spans --slowest 40" "flame --state blocked"; do
	# shellcheck disable=SC2086
	"$LOTRACE" $run "$TMP/qs.lot" >"$TMP/out" 2>/dev/null || fail "$run: status $?"
	[ -f "$TMP/qs.pftrace" ] && mv "$TMP/qs.pftrace" "$TMP/out"
	grep -aq 'lot__' "$TMP/out" && fail "$run: the recorder's own frames (lot__*) in stacks"
done
"$LOTRACE" export "$TMP/qs.lot" 2>/dev/null | grep -q '"stack":\["worker' || fail "export: no stack starting at worker()"

"$LOTRACE" tasks "$TMP/qs.lot" >"$TMP/out" 2>"$TMP/err" || fail "tasks: status $?"
grep -q '^task "request"  count 40' "$TMP/out" || fail "tasks: not 40 requests"
grep -q 'io ' "$TMP/out" || fail "tasks: no io blocking"

if have_python; then
	for run in "spans --slowest 2" tasks flame; do
		# shellcheck disable=SC2086
		"$LOTRACE" $run --json "$TMP/qs.lot" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
t = d["trace"]
assert isinstance(t["lost"], int) and t["end_ns"] >= t["start_ns"]
for s in d.get("slowest", []):
    assert s["running_ns"] + s["runnable_ns"] + s["blocked_ns"] + s["hosting_ns"] + s["unknown_ns"] == s["wall_ns"]
' || fail "$run --json: not the documented JSON"
	done
fi

cd "$DATA" || exit 1
for f in *.lot; do
	want=$(sed -n '1s/^status //p' "${f%.lot}.expect")
	for cmd in spans tasks flame; do
		"$LOTRACE" $cmd "$f" >"$TMP/out" 2>"$TMP/err"
		st=$?
		[ "$st" = "$want" ] || fail "$cmd $f: status $st, expected $want"
		if [ "$st" = 2 ]; then
			[ -s "$TMP/out" ] && fail "$cmd $f: output on status 2"
			[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "$cmd $f: not one stderr line"
		fi
	done
done
finish
