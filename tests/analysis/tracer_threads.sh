#!/bin/sh
# The recorder's own threads (flusher, control) are marked in the trace
# (tracer_thread) and left out of every report and export, unless
# --show-tracer asks for them.
. "${srcdir:-.}/tests/cmd/lib.sh"

QS=${QUICKSTART:-$top_builddir/examples/quickstart}
[ -x "$QS" ] || { echo "no $QS: skipped"; exit 77; }
LOTRACE_OUTPUT="$TMP/qs.lot" "$QS" 10 >/dev/null 2>&1 || fail "quickstart failed"

"$LOTRACE" dump "$TMP/qs.lot" >"$TMP/dump" || fail "dump: status $?"
flusher=$(sed -n 's/.* thread_begin tid=\([0-9]*\) name="lotrace-flusher".*/\1/p' "$TMP/dump" | head -1)
[ -n "$flusher" ] || fail "no flusher thread in the trace"
grep -q "^[0-9]* $flusher tracer_thread" "$TMP/dump" || fail "the flusher's chunks are not marked tracer_thread"

for run in info "info --json" "spans --slowest 3" "spans --json" tasks "tasks --json" "flame --state running" \
	"timeline --color=never" "timeline --tasks --color=never" "timeline --json" "export" \
	"export --format perfetto -o $TMP/out.pb"; do
	# shellcheck disable=SC2086
	"$LOTRACE" $run "$TMP/qs.lot" >"$TMP/out" 2>"$TMP/err" || fail "$run: status $?"
	[ -f "$TMP/out.pb" ] && cat "$TMP/out.pb" >>"$TMP/out" && rm -f "$TMP/out.pb"
	grep -aq 'lotrace-flusher' "$TMP/out" "$TMP/err" && fail "$run: shows the tracer's flusher thread"
	grep -aq "\"tid\":$flusher\b" "$TMP/out" && fail "$run: shows the flusher's tid"
done
# the flusher runs the whole trace without a stack: its time is "[no stack]"
nostack() { "$LOTRACE" flame "$@" "$TMP/qs.lot" 2>/dev/null | sed -n 's/^\[no stack\] //p'; }
hidden=$(nostack); shown=$(nostack --show-tracer)
[ "${shown:-0}" -gt "${hidden:-0}" ] || fail "flame: [no stack] ${hidden:-0} ns, with the tracer's ${shown:-0}"

for run in info "tasks" "timeline --color=never" "timeline --tasks --color=never" "export"; do
	# shellcheck disable=SC2086
	"$LOTRACE" $run --show-tracer "$TMP/qs.lot" >"$TMP/out" 2>&1 || fail "$run --show-tracer: status $?"
	grep -q 'lotrace-flusher' "$TMP/out" || fail "$run --show-tracer: no flusher thread"
done
finish
