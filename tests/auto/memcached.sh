#!/bin/sh
# memcached (Debian's, unmodified) with 4 worker threads under `lotrace
# record --auto`, loaded by memcslap (also traced): the trace names the
# workers, holds their poll waits in epoll_wait, the load's io blocks, and
# `lotrace tasks` gives each worker's blocked time by reason.  Nothing lost.
. "${srcdir:-.}/tests/auto/lib.sh"
need_plain_build memcached
need memcached memcslap python3
cd "$TMP" || exit 1
port=$(free_port)
user=""
[ "$(id -u)" = 0 ] && user="-u root" # memcached refuses root without it
start_traced mc.lot "$port" memcached -t 4 -p "$port" -l 127.0.0.1 -U 0 $user
timeout 20 "$LOTRACE" record --auto -o load.lot -- memcslap --servers="127.0.0.1:$port" \
	--concurrency=4 --execute-number=2000 >load.out 2>&1 || fail "memcslap: status $?"
stop_traced memcached

"$LOTRACE" tasks --json mc.lot >tasks.json || fail "tasks --json: status $?"
python3 - tasks.json <<'PY' || fail "memcached's workers"
import json, sys
doc = json.load(open(sys.argv[1]))
workers = [t for t in doc["threads"] if t["name"] == "mc-worker"]
ok = len(workers) == 4 and all(t["blocked_by"].get("poll", {}).get("count", 0) > 0 for t in workers)
if not ok:
    print("workers:", json.dumps(workers)[:2000])
sys.exit(0 if ok else 1)
PY
"$LOTRACE" dump mc.lot >mc.txt || fail "dump mc.lot: status $?"
grep -q 'task_block .*poll.*epoll_wait' mc.txt || fail "no poll block in epoll_wait"
"$LOTRACE" tasks mc.lot >tasks.txt || fail "tasks: status $?"
[ "$(grep -c '^  "mc-worker" (tid' tasks.txt)" = 4 ] || fail "tasks: not 4 workers listed per thread"
"$LOTRACE" dump load.lot >load.txt || fail "dump load.lot: status $?"
grep -q 'task_block .*io' load.txt || fail "memcslap's requests: no io block"
for f in mc.lot load.lot; do
	no_loss "$f" || fail "$f: events lost"
done
finish
