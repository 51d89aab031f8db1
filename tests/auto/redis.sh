#!/bin/sh
# redis-server (Debian's, unmodified) under `lotrace record --auto`, loaded
# by redis-benchmark -n 20000: the trace holds the main thread's poll
# blocks (epoll_wait) and `lotrace timeline --svg` renders it.  Nothing lost.
. "${srcdir:-.}/tests/auto/lib.sh"
need_plain_build redis-server
need redis-server redis-benchmark python3
cd "$TMP" || exit 1
port=$(free_port)
start_traced redis.lot "$port" redis-server --port "$port" --bind 127.0.0.1 --save '' \
	--appendonly no --daemonize no
timeout 30 redis-benchmark -p "$port" -n 20000 -t ping,set,get -q >bench.out 2>&1 ||
	fail "redis-benchmark: status $?"
stop_traced redis-server

"$LOTRACE" tasks --json redis.lot >tasks.json || fail "tasks --json: status $?"
python3 - tasks.json <<'PY' || fail "redis-server's main thread has no poll blocks"
import json, sys
doc = json.load(open(sys.argv[1]))
main = [t for t in doc["threads"] if t["name"] == "redis-server"]
sys.exit(0 if main and main[0]["blocked_by"].get("poll", {}).get("count", 0) > 10 else 1)
PY
"$LOTRACE" dump redis.lot | grep -q 'task_block .*poll.*epoll_wait' || fail "no poll in epoll_wait"
"$LOTRACE" timeline --svg redis.svg redis.lot >/dev/null || fail "timeline --svg: status $?"
if command -v xmllint >/dev/null 2>&1; then
	xmllint --noout redis.svg || fail "timeline --svg: not well-formed XML"
fi
no_loss redis.lot || fail "events lost"
finish
