#!/usr/bin/env bash
# Three real processes (examples/chain: front end -> API -> back end, the
# traceparent over HTTP on loopback), each tracing to its own file.  The
# back end's trace is then made to look recorded on another host whose wall
# clock is 250 ms off (tests/analysis/reheader).  Read together, the three
# files give one tree per request with every parent link joined, the skew
# corrected to within 1 ms of the exact (same-host, monotonic) alignment, a
# critical path whose steps add up to the root's wall time within 1%, and an
# OTLP export that OpenTelemetry's own codec decodes with every span, parent
# and resource attribute.
. "$srcdir/tests/cmd/lib.sh"
CHAIN=${CHAIN:-$top_builddir/examples/chain}
REHEADER=$top_builddir/tests/analysis/reheader
have_python || { echo "SKIP: python3 missing"; exit 77; }

stop_all() { # SIGTERM: each writes its trailer on the way out
	for role in front api back; do
		[ -s "$TMP/$role.pid" ] && kill -TERM "$(cat "$TMP/$role.pid")" 2>/dev/null
	done
	for role in front api back; do
		for _ in $(seq 50); do
			[ -s "$TMP/$role.pid" ] && kill -0 "$(cat "$TMP/$role.pid")" 2>/dev/null || break
			sleep 0.1
		done
	done
}
trap 'stop_all; rm -rf "$TMP"' EXIT
start() { # role args...: prints the port
	local role=$1
	shift
	LOTRACE_START=1 LOTRACE_SERVICE=$role LOTRACE_VERSION=2.0 LOTRACE_ENV=test \
		LOTRACE_TAGS=team=lotrace LOTRACE_OUTPUT="$TMP/$role.lot" \
		"$CHAIN" "$role" --port 0 "$@" >"$TMP/$role.out" 2>"$TMP/$role.err" &
	echo $! >"$TMP/$role.pid"
	local port=
	for _ in $(seq 100); do
		port=$(sed -n 's/^chain [a-z]*: listening on port //p' "$TMP/$role.out")
		[ -n "$port" ] && break
		sleep 0.1
	done
	echo "$port"
}
# (command substitution runs start in a subshell: the pids go through files)
PB=$(start back --work-us 300 --disk-us 2000 --slow-every 4)
PA=$(start api --next "$PB" --work-us 300)
PF=$(start front --next "$PA" --work-us 200)
[ -n "$PB" ] && [ -n "$PA" ] && [ -n "$PF" ] || { fail "the services did not start"; finish; }
python3 - "$PF" >"$TMP/codes" <<'PY'
import sys, urllib.request
for _ in range(12):
    with urllib.request.urlopen("http://127.0.0.1:%s/" % sys.argv[1], timeout=30) as r:
        print(r.status)
PY
[ "$(grep -c '^200$' "$TMP/codes")" -eq 12 ] || fail "not every request through the chain answered 200"
stop_all

"$REHEADER" "$TMP/back.lot" "$TMP/back-other-host.lot" 250000000 || fail "reheader failed"
SAME="$TMP/front.lot $TMP/api.lot $TMP/back.lot"
OTHER="$TMP/front.lot $TMP/api.lot $TMP/back-other-host.lot"
# shellcheck disable=SC2086
"$LOTRACE" spans --slowest 3 --json $SAME >"$TMP/same.json" 2>"$TMP/err" || fail "spans (one host): status $?"
# shellcheck disable=SC2086
"$LOTRACE" spans --slowest 3 --json $OTHER >"$TMP/other.json" 2>"$TMP/err" || fail "spans (two hosts): status $?"
TRACE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["slowest"][0]["trace_id"])' "$TMP/other.json")
# shellcheck disable=SC2086
"$LOTRACE" spans --trace "$TRACE" --json $OTHER >"$TMP/trace.json" 2>"$TMP/err" || fail "spans --trace: status $?"

python3 - "$TMP/same.json" "$TMP/other.json" "$TMP/trace.json" <<'PY' || fail "the three processes' traces read as one"
import json, sys
same, other, tr = (json.load(open(p)) for p in sys.argv[1:4])
off = {p["service"]: p for p in same["trace"]["processes"]}
off2 = {p["service"]: p for p in other["trace"]["processes"]}
assert off["back"]["clock"] == "monotonic" and off2["back"]["clock"] == "realtime"
assert off2["back"]["skew_corrected"], off2["back"]
err = abs(off2["back"]["offset_ns"] - off["back"]["offset_ns"])
assert err <= 1000000, ("skew not corrected within 1 ms", err, off2["back"])
spans = tr["spans"]
assert len(spans) == 5, [s["name"] for s in spans]
ids = {s["span_id"] for s in spans}
roots = [s for s in spans if s["parent_id"] not in ids]
assert len(roots) == 1 and roots[0]["service"] == "front", roots
assert {s["service"] for s in spans} == {"front", "api", "back"}
for s in spans:
    assert s is roots[0] or s["parent_id"] in ids, s["name"]
for top in other["slowest"]:
    assert top["parent_id"] == "0000000000000000" and top["service"] == "front"
    cp = top["critical_path"]
    total = sum(x["duration_ns"] for x in cp)
    assert abs(total - top["wall_ns"]) <= top["wall_ns"] / 100, (total, top["wall_ns"])
    assert {x["service"] for x in cp} == {"front", "api", "back"}, cp
    assert any(x["service"] == "back" and x["reason"] == "disk" for x in cp), cp
PY

NODE_DIR=${OTLP_NODE_DIR:-/opt/lotrace-otlp}
if command -v node >/dev/null && [ -d "$NODE_DIR/node_modules/@opentelemetry/otlp-transformer" ]; then
	# shellcheck disable=SC2086
	"$LOTRACE" export --format otlp -o "$TMP/otlp.pb" $OTHER 2>"$TMP/err" || fail "export --format otlp: status $?"
	OTLP_NODE_DIR=$NODE_DIR node "$srcdir/tests/cmd/otlp_receiver.js" decode "$TMP/otlp.pb" >"$TMP/otlp.json" ||
		fail "the official codec does not decode the export"
	python3 - "$TMP/otlp.json" "$TRACE" <<'PY' || fail "OTLP export of the three processes"
import json, sys
req = json.load(open(sys.argv[1]))
spans = {}
for rs in req["resourceSpans"]:
    res = {a["key"]: a["value"] for a in rs["resource"]["attributes"]}
    for k in ("service.name", "service.version", "deployment.environment", "host.name", "process.pid", "team"):
        assert k in res, (k, res)
    for ss in rs["scopeSpans"]:
        for s in ss["spans"]:
            spans[s["spanId"]] = (res["service.name"]["stringValue"], s)
assert len(spans) == 12 * 5, len(spans)
for svc, s in spans.values():
    if svc != "front" or s["name"] == "call api":
        assert s.get("parentSpanId") in spans, (svc, s["name"])
    attrs = {a["key"] for a in s["attributes"]}
    assert {"lotrace.running_ns", "lotrace.runnable_ns", "lotrace.blocked_ns"} <= attrs
t = [s for _, s in spans.values() if s["traceId"] == sys.argv[2]]
assert len(t) == 5
PY
else
	echo "no node or @opentelemetry/otlp-transformer: OTLP part skipped"
fi
finish
