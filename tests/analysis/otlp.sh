#!/bin/sh
# OTLP export of three processes' traces (tests/analysis/gen_multi.c),
# checked with OpenTelemetry's own codec: the protobufjs root generated from
# opentelemetry-proto in the npm package @opentelemetry/otlp-transformer
# (.ci/deps.sh installs it in /opt/lotrace-otlp; OTLP_NODE_DIR overrides).
# Every span, parent link and resource attribute must be there, the
# OTLP/JSON output must say the same, and --otlp must retry a 503 and fail
# clearly when the endpoint stays down.
. "${srcdir:-.}/tests/cmd/lib.sh"

NODE_DIR=${OTLP_NODE_DIR:-/opt/lotrace-otlp}
RECEIVER=$srcdir/tests/cmd/otlp_receiver.js
command -v node >/dev/null 2>&1 || { echo "no node: skipped"; exit 77; }
[ -d "$NODE_DIR/node_modules/@opentelemetry/otlp-transformer" ] ||
	{ echo "no @opentelemetry/otlp-transformer in $NODE_DIR (.ci/deps.sh): skipped"; exit 77; }
have_python || { echo "no python3: skipped"; exit 77; }
export OTLP_NODE_DIR="$NODE_DIR"

"$top_builddir/tests/analysis/gen_multi" "$TMP" || fail "gen_multi failed"
FILES="$TMP/front.lot $TMP/api.lot $TMP/back.lot"

# shellcheck disable=SC2086
"$LOTRACE" export --format otlp -o "$TMP/req.pb" $FILES 2>"$TMP/err" || fail "export --format otlp: status $?"
node "$RECEIVER" decode "$TMP/req.pb" >"$TMP/decoded.json" || fail "the official codec does not decode the export"
# shellcheck disable=SC2086
"$LOTRACE" export --format otlp-json $FILES >"$TMP/otlp.json" 2>"$TMP/err" || fail "export --format otlp-json: status $?"

cat >"$TMP/check.py" <<'PY'
import json, sys

def spans_of(req):
    out = {}
    for rs in req["resourceSpans"]:
        res = {a["key"]: a["value"] for a in rs["resource"]["attributes"]}
        for ss in rs["scopeSpans"]:
            assert ss["scope"]["name"] == "lotrace"
            for s in ss["spans"]:
                out[s["spanId"]] = (res, s)
    return out

def check(spans):
    assert len(spans) == 5, sorted(spans)
    want = {"00000000000000f1": ("front", "", "GET /"),
            "00000000000000f2": ("front", "00000000000000f1", "call api"),
            "00000000000000a1": ("api", "00000000000000f2", "handle"),
            "00000000000000a2": ("api", "00000000000000a1", "call back"),
            "00000000000000b1": ("back", "00000000000000a2", "query")}
    pids = {"front": "100", "api": "200", "back": "300"}
    hosts = {"front": "hostA", "api": "hostA", "back": "hostB"}
    for sid, (svc, parent, name) in want.items():
        res, s = spans[sid]
        assert s["traceId"] == "4bf92f3577b34da6a3ce929d0e0e4736", s
        assert s.get("parentSpanId", "") == parent, (sid, s.get("parentSpanId"))
        assert s["name"] == name and s["kind"] == 1
        assert res["service.name"] == {"stringValue": svc}, res
        assert res["service.version"] == {"stringValue": "1.2.3"}
        assert res["deployment.environment"] == {"stringValue": "test"}
        assert res["host.name"] == {"stringValue": hosts[svc]}
        assert str(res["process.pid"]["intValue"]) == pids[svc]
        assert res["team"] == {"stringValue": "lotrace"} and res["zone"] == {"stringValue": "z1"}
        attrs = {a["key"]: a["value"] for a in s.get("attributes", [])}
        for k in ("lotrace.running_ns", "lotrace.runnable_ns", "lotrace.blocked_ns"):
            assert k in attrs, (name, k)
        wall = int(s["endTimeUnixNano"]) - int(s["startTimeUnixNano"])
        parts = sum(int(attrs[k]["intValue"]) for k in ("lotrace.running_ns", "lotrace.runnable_ns", "lotrace.blocked_ns"))
        assert parts == wall, (name, parts, wall)
    q = {a["key"]: a["value"] for a in spans["00000000000000b1"][1]["attributes"]}
    assert int(q["lotrace.blocked.disk_ns"]["intValue"]) == 30000000, q
    assert int(q["lotrace.runnable_ns"]["intValue"]) == 5000000, q
    h = {a["key"]: a["value"] for a in spans["00000000000000a1"][1]["attributes"]}
    assert h["http.method"] == {"stringValue": "GET"} and str(h["http.status_code"]["intValue"]) == "200"
    # one merged clock: back's span lies inside its remote parent
    b, p = spans["00000000000000b1"][1], spans["00000000000000a2"][1]
    assert int(p["startTimeUnixNano"]) <= int(b["startTimeUnixNano"]) <= int(b["endTimeUnixNano"]) <= int(p["endTimeUnixNano"])

mode = sys.argv[1]
if mode == "files":
    pb = spans_of(json.load(open(sys.argv[2])))
    js = spans_of(json.load(open(sys.argv[3])))
    check(pb)
    check(js)
    for k in pb:  # the JSON mapping says the same as the protobuf
        assert pb[k][1]["startTimeUnixNano"] == js[k][1]["startTimeUnixNano"]
        assert len(pb[k][1]["attributes"]) == len(js[k][1]["attributes"])
elif mode == "received":
    lines = [json.loads(l) for l in open(sys.argv[2])]
    assert lines[0] == {"refused": True}, lines[0]
    reqs = [l for l in lines[1:]]
    for r in reqs:
        assert "resourceSpans" in r, r
    merged = {"resourceSpans": [rs for r in reqs for rs in r["resourceSpans"]]}
    check(spans_of(merged))
PY
python3 "$TMP/check.py" files "$TMP/decoded.json" "$TMP/otlp.json" || fail "OTLP export: spans, parents or resource attributes wrong"

# --otlp URL: the first request refused with 503 (Retry-After: 0), then taken
node "$RECEIVER" serve "$TMP/received.jsonl" "$TMP/port" 1 &
RPID=$!
i=0
while [ ! -s "$TMP/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(cat "$TMP/port" 2>/dev/null)
if [ -n "$PORT" ]; then
	# shellcheck disable=SC2086
	"$LOTRACE" export --otlp "http://127.0.0.1:$PORT" $FILES >"$TMP/out" 2>"$TMP/err" ||
		fail "export --otlp: status $? ($(cat "$TMP/err"))"
	grep -q 'retrying' "$TMP/err" || fail "export --otlp: the 503 was not retried"
	python3 "$TMP/check.py" received "$TMP/received.jsonl" || fail "export --otlp: the receiver did not get every span"
else
	fail "the test receiver did not start"
fi
kill "$RPID" 2>/dev/null
wait "$RPID" 2>/dev/null

# an endpoint that stays down: non-zero, one clear message
# shellcheck disable=SC2086
"$LOTRACE" export --otlp "http://127.0.0.1:1" $FILES >"$TMP/out" 2>"$TMP/err"
st=$?
[ $st -eq 2 ] || fail "export --otlp to a closed port: status $st, expected 2"
grep -q "^lotrace export: http://127.0.0.1:1: .*the endpoint stays down" "$TMP/err" ||
	fail "export --otlp to a closed port: no clear message: $(tail -1 "$TMP/err")"
"$LOTRACE" export --otlp "https://127.0.0.1:4318" "$TMP/front.lot" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 1 ] || fail "export --otlp https: not a usage error"
grep -q 'https is not supported' "$TMP/err" || fail "export --otlp https: no clear message"
finish
