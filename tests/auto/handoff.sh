#!/bin/sh
# Unmodified threaded programs (tests/auto/handoff.c: contended mutex,
# condition-variable hand-offs, sleeps, pipe reads, a join; tests/auto/queue.c: two
# waiters queued on a mutex) under `lotrace record --auto`: each thread's
# blocked time by reason in `lotrace tasks --json` matches what the program
# measured itself, with the right wakers.
. "${srcdir:-.}/tests/auto/lib.sh"
need python3
PROG=$top_builddir/tests/auto/handoff

"$LOTRACE" record -o "$TMP/h.lot" -- "$PROG" >"$TMP/measured.txt" ||
	fail "record (default: --auto for a program without liblotrace): status $?"
sed -i '$d' "$TMP/measured.txt" # the trace's path, printed last
"$LOTRACE" tasks --json "$TMP/h.lot" >"$TMP/tasks.json" || fail "tasks --json: status $?"
python3 "$srcdir/tests/auto/check_blocks.py" "$TMP/measured.txt" "$TMP/tasks.json" \
	contender:mutex:holder consumer:cond:producer joiner:join:sleeper || fail "traced blocks differ from measured ones"
"$LOTRACE" tasks "$TMP/h.lot" >"$TMP/tasks.txt" || fail "tasks: status $?"
grep -q 'mutex .* woken by "holder"' "$TMP/tasks.txt" || fail "tasks: no mutex waker in the text"

# the stack of the contender's mutex block starts in the program, not the interposer
"$LOTRACE" dump "$TMP/h.lot" >"$TMP/dump.txt" || fail "dump: status $?"
"$LOTRACE" flame --state blocked "$TMP/h.lot" >"$TMP/flame.txt" || fail "flame: status $?"
grep -q 'contender' "$TMP/flame.txt" || fail "flame: the contender's frames are missing"
grep -q 'pthread_mutex_lock' "$TMP/flame.txt" && fail "flame: interposer frames at the top of stacks"

# two waiters queued on one mutex: each is woken by the one before it;
# a semaphore's waiter is woken by its poster
"$LOTRACE" record -o "$TMP/q.lot" -- "$top_builddir/tests/auto/queue" >"$TMP/qm.txt" ||
	fail "record queue: status $?"
sed -i '$d' "$TMP/qm.txt"
"$LOTRACE" tasks --json "$TMP/q.lot" >"$TMP/q.json" || fail "tasks --json (queue): status $?"
python3 "$srcdir/tests/auto/check_blocks.py" "$TMP/qm.txt" "$TMP/q.json" \
	first:mutex:holder second:mutex:first first:sem:holder || fail "queued waiters: blocks or wakers differ"
finish
