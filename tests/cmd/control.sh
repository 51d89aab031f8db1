#!/bin/sh
# `lotrace record` and `lotrace trigger` end to end, with the instrumented
# idle program tests/tracer/control_child.
. "${srcdir:-.}/tests/cmd/lib.sh"

CHILD=$top_builddir/tests/tracer/control_child
chmod 700 "$TMP"
export XDG_RUNTIME_DIR=$TMP
unset LOTRACE_DIR LOTRACE_OUTPUT LOTRACE_SIGNAL LOTRACE_MODE LOTRACE_START

# ---- record ----
cd "$TMP" || exit 1
out=$("$LOTRACE" record -o rec.lot -- "$CHILD" 1) || fail "record: status $?"
[ "$out" = "rec.lot" ] || fail "record: printed '$out'"
"$LOTRACE" info rec.lot >info.txt || fail "record: info on its file"
grep -q '"env"' info.txt || fail "record: not started by the environment"
grep -q 'control_stops *1' info.txt || fail "record: stop not counted"

out=$("$LOTRACE" record --for 300ms -- "$CHILD" 2) || fail "record --for: status $?"
case $out in lotrace-control_child-*.lot) ;; *) fail "record default name: '$out'" ;; esac
"$LOTRACE" info --json "$out" >info.json || fail "record --for: info"
dur=$(sed 's/.*"duration_ns":\([0-9]*\).*/\1/' info.json)
[ "$dur" -lt 1500000000 ] || fail "record --for 300ms: trace lasts $dur ns"

"$LOTRACE" record --no-auto -- /bin/true >out.txt 2>err.txt
[ $? = 2 ] || fail "record of a program without lotrace: status"
grep -q 'wrote no trace' err.txt || fail "record without lotrace: message"
"$LOTRACE" record -- "$TMP/no-such-program" 2>err.txt
[ $? = 127 ] || fail "record of a missing program: status"
"$LOTRACE" record -o 2>/dev/null
[ $? = 1 ] || fail "record -o without value: status"
"$LOTRACE" record 2>/dev/null
[ $? = 1 ] || fail "record without CMD: status"

# ---- trigger ----
LOTRACE_SIGNAL=USR2 LOTRACE_WINDOW=400ms "$CHILD" 20 &
pid=$!
for i in $(seq 100); do [ -e "$TMP/lotrace/$pid" ] && break; sleep 0.05; done
path=$("$LOTRACE" trigger "$pid") || fail "trigger: status $?"
[ -f "$path" ] || fail "trigger: printed '$path', not a file"
"$LOTRACE" info "$path" | grep -q 'window_ms *400' || fail "trigger: not a 400ms window"
# a window started by the signal samples CPU time too (the control thread
# that starts it blocks every signal: that must not hide the free ones)
"$LOTRACE" info "$path" | grep -q 'cpu_hz *"99"' || fail "trigger: window without CPU sampling"
path2=$("$LOTRACE" trigger "$pid" --for 200ms) || fail "trigger --for: status $?"
[ "$path" != "$path2" ] || fail "trigger twice: same file"
"$LOTRACE" info "$path2" | grep -q 'window_ms *200' || fail "trigger --for: not a 200ms window"
# a trigger during a window is refused; a plain kill ends the window early
"$LOTRACE" trigger "$pid" --for 60s >bg.txt 2>bgerr.txt &
bg=$!
for i in $(seq 200); do grep -q '^window /' "$TMP/lotrace/$pid" 2>/dev/null && break; sleep 0.05; done
"$LOTRACE" trigger "$pid" --for 200ms >out.txt 2>err.txt
[ $? = 3 ] || fail "trigger during a window: status"
grep -q 'a window is open' err.txt || fail "trigger during a window: message: $(cat err.txt)"
kill -USR2 "$pid"
wait "$bg" || fail "trigger --for 60s, ended early by kill: status $? $(cat bgerr.txt)"
"$LOTRACE" info "$(cat bg.txt)" | grep -q 'window_ended_early *1' || fail "kill during a window: not ended early"
"$LOTRACE" trigger "$pid" --snapshot 2>err.txt
[ $? = 2 ] || fail "trigger --snapshot without flight recorder: status"
grep -q 'flight' err.txt || fail "trigger --snapshot: message"
kill "$pid"
wait "$pid" 2>/dev/null

LOTRACE_SIGNAL=USR2 LOTRACE_MODE=flight LOTRACE_FLIGHT_SIZE=8M LOTRACE_BUFFER_SIZE=2M \
	"$CHILD" 20 &
pid=$!
for i in $(seq 100); do [ -e "$TMP/lotrace/$pid" ] && break; sleep 0.05; done
sleep 1
path=$("$LOTRACE" trigger "$pid" --snapshot) || fail "trigger --snapshot: status $?"
"$LOTRACE" info "$path" | grep -q '"snapshot"' || fail "trigger --snapshot: not a snapshot"
kill "$pid"
wait "$pid" 2>/dev/null

# one clear line and a non-zero status for what cannot be triggered
"$CHILD" 20 &
pid=$!
"$LOTRACE" trigger "$pid" >out.txt 2>err.txt
[ $? = 2 ] || fail "trigger without lotrace control: status"
[ "$(wc -l <err.txt)" -eq 1 ] || fail "trigger without control: not one line"
grep -q 'LOTRACE_SIGNAL' err.txt || fail "trigger without control: message"
kill "$pid"
wait "$pid" 2>/dev/null
"$LOTRACE" trigger "$pid" 2>err.txt
[ $? = 2 ] || fail "trigger of a dead pid: status"
grep -q 'no such process' err.txt || fail "trigger of a dead pid: message"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	LOTRACE_SIGNAL=USR2 "$CHILD" 20 &
	pid=$!
	setpriv --reuid=65534 --regid=65534 --clear-groups "$LOTRACE" trigger "$pid" 2>err.txt
	[ $? = 2 ] || fail "trigger not permitted: status"
	[ "$(wc -l <err.txt)" -eq 1 ] || fail "trigger not permitted: not one line"
	kill "$pid"
	wait "$pid" 2>/dev/null
fi
"$LOTRACE" trigger 2>/dev/null
[ $? = 1 ] || fail "trigger without PID: status"
"$LOTRACE" trigger abc 2>/dev/null
[ $? = 1 ] || fail "trigger with a bad PID: status"
cd /
finish
