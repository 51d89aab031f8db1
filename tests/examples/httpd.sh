#!/usr/bin/env bash
# The example server, traced: requests with and without a traceparent get a
# response carrying the right trace context, the server stops cleanly on
# SIGTERM, and the trace holds every request as a task with its spans,
# nothing lost.
. "$srcdir/tests/cmd/lib.sh"
HTTPD=${HTTPD:-$top_builddir/examples/httpd/httpd}
have_python || { echo "SKIP: python3 missing"; exit 77; }
TRACE_ID=0af7651916cd43dd8448eb211c80319c

# --help and a bad option
"$HTTPD" --help | grep -q -- '--port' || fail "httpd --help does not list --port"
"$HTTPD" --workers 0 2>/dev/null && fail "httpd --workers 0 was accepted"

trace=$TMP/httpd.lot
"$HTTPD" --port 0 --workers 2 --db-slow-every 3 --db-slow-us 2000 --trace "$trace" \
	>"$TMP/out" 2>"$TMP/err" &
pid=$!
port=
for _ in $(seq 100); do
	port=$(sed -n 's|^httpd: listening on http://[0-9.]*:\([0-9]*\)/.*|\1|p' "$TMP/out")
	[ -n "$port" ] && break
	sleep 0.1
done
if [ -z "$port" ]; then
	kill "$pid" 2>/dev/null
	fail "httpd did not print its port: $(cat "$TMP/out" "$TMP/err")"
	finish
fi

tasks=$(python3 "$srcdir/tests/examples/httpd_client.py" "$port" "$TRACE_ID") ||
	fail "the client's checks failed"
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || fail "httpd exited $rc after SIGTERM: $(cat "$TMP/err")"
[ -s "$TMP/err" ] && fail "httpd wrote to stderr: $(cat "$TMP/err")"

"$LOTRACE" info --json "$trace" >"$TMP/info.json" || fail "lotrace info exited $?"
"$LOTRACE" dump --json "$trace" >"$TMP/dump.jsonl" || fail "lotrace dump exited $?"
python3 - "$TMP/info.json" "$TMP/dump.jsonl" "${tasks:-0}" "$TRACE_ID" <<'PY' || fail "the trace misses something (above)"
import json, sys
info = json.load(open(sys.argv[1]))
events = [json.loads(l) for l in open(sys.argv[2])]
tasks, trace_id = int(sys.argv[3]), sys.argv[4]
bad = []
def want(ok, msg):
    if not ok:
        bad.append(msg)
want(info["lost"] == 0 and not info["damaged"], "events lost or file damaged: %s" % info["lost"])
want(info["trailer"] is not None, "no trailer: the trace was not completed at exit")
names = {t["name"] for t in info["threads"]}
want({"io", "worker-0", "worker-1", "db"} <= names, "thread names: %s" % sorted(names))
c = info["event_counts"]
created = [e for e in events if e["event"] == "task_create" and e["name"] == "http.request"]
want(len(created) == tasks, "%d http.request tasks, the client sent %d requests" % (len(created), tasks))
want(c.get("task_end", 0) >= tasks, "task_end %s < %d" % (c.get("task_end"), tasks))
want(c.get("span_begin") == c.get("span_end"), "span begins %s != ends %s" % (c.get("span_begin"), c.get("span_end")))
spans = [e for e in events if e["event"] == "span_begin"]
span_names = {e["name"] for e in spans}
need = {"http.request", "cache.lookup", "db.query", "render", "db.execute"}
want(need <= span_names, "span names %s lack %s" % (sorted(span_names), sorted(need - span_names)))
req = [e for e in spans if e["name"] == "http.request"]
want(len(req) == tasks, "%d http.request spans for %d requests" % (len(req), tasks))
incoming = [e for e in req if e["trace_id"] == trace_id]
want(len(incoming) == 4 and all(e["parent_span"] == "b7ad6b7169203331" for e in incoming),
     "http.request spans under the incoming traceparent: %d (expected 4, parent b7ad6b7169203331)" % len(incoming))
reasons = {e["reason"] for e in events if e["event"] == "task_block"}
want({"queue", "db"} <= reasons, "block reasons %s lack queue or db" % sorted(reasons))
for m in bad:
    print("FAIL: " + m, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
finish
