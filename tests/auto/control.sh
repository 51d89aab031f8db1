#!/bin/sh
# Signal windows and the flight recorder on an unmodified program preloaded
# with the interposer (as `lotrace record --auto` preloads it): `lotrace
# trigger` gets a window, then a snapshot, each holding the program's
# blocks; LOTRACE_AUTO_MIN_BLOCK and LOTRACE_UNWIND reject bad values.
. "${srcdir:-.}/tests/auto/lib.sh"
TICKER=$top_builddir/tests/auto/ticker
LIBS=$top_builddir/.libs
chmod 700 "$TMP"
export XDG_RUNTIME_DIR=$TMP
cd "$TMP" || exit 1

wait_state() { # the control state file appears once the library is loaded
	for _ in $(seq 50); do
		[ -e "$TMP/lotrace/$1" ] && return 0
		sleep 0.1
	done
	return 1
}

LD_PRELOAD="$LIBS/liblotrace.so.0 $LIBS/liblotrace-auto.so" LOTRACE_SIGNAL=USR2 \
	LOTRACE_DIR=$TMP "$TICKER" 4 &
pid=$!
AUTO_PIDS=$pid
wait_state "$pid" || fail "window: no control state file"
out=$("$LOTRACE" trigger "$pid" --for 400ms) || fail "trigger --for: status $?"
"$LOTRACE" dump "$out" >win.txt || fail "window: dump $out"
grep -q 'task_block .*sleep' win.txt || fail "window: no sleep block"
grep -q 'task_block .*mutex' win.txt || fail "window: no mutex block"
grep -q 'task_unblock' win.txt || fail "window: no waker"
wait "$pid"

LD_PRELOAD="$LIBS/liblotrace.so.0 $LIBS/liblotrace-auto.so" LOTRACE_SIGNAL=USR2 \
	LOTRACE_MODE=flight LOTRACE_DIR=$TMP "$TICKER" 3 &
pid=$!
AUTO_PIDS=$pid
wait_state "$pid" || fail "flight: no control state file"
sleep 0.5
out=$("$LOTRACE" trigger "$pid" --snapshot) || fail "trigger --snapshot: status $?"
"$LOTRACE" dump "$out" | grep -q 'task_block .*sleep' || fail "snapshot: no sleep block"
wait "$pid"

for v in LOTRACE_AUTO_MIN_BLOCK=10parsecs LOTRACE_UNWIND=guess; do
	env "$v" LD_PRELOAD="$LIBS/liblotrace.so.0 $LIBS/liblotrace-auto.so" "$TICKER" 0 2>err.txt ||
		fail "$v: the program did not run"
	grep -q "lotrace: ${v%%=*}=.* rejected" err.txt || fail "$v: no message"
done
finish
