#!/bin/sh
# Several processes' traces read as one (issue 14), on three traces with
# known answers (tests/analysis/gen_multi.c): front -> api (same host) ->
# back (another host whose real-time clock is 250 ms off).  One tree with
# every parent link joined, the skew corrected to within 1 ms, ids that
# collide across files kept apart, a critical path whose steps add up to the
# root's wall time, and errors that name their file.
. "${srcdir:-.}/tests/cmd/lib.sh"

GEN=$top_builddir/tests/analysis/gen_multi
TRACE=4bf92f3577b34da6a3ce929d0e0e4736
"$GEN" "$TMP" || fail "gen_multi failed"
FILES="$TMP/front.lot $TMP/api.lot $TMP/back.lot"

# shellcheck disable=SC2086
"$LOTRACE" spans --trace $TRACE $FILES >"$TMP/out" 2>"$TMP/err" || fail "spans --trace: status $?"
grep -q '^process back\[300\] .*correction -249\.[0-9]*ms +- [0-9.]*ms' "$TMP/out" ||
	fail "spans: the header does not state back's skew correction"
grep -q '^process api\[200\] .*reference clock' "$TMP/out" ||
	fail "spans: api (whose service sorts first) is not the reference clock"
grep -q '^process front\[100\] .*same host: CLOCK_MONOTONIC' "$TMP/out" ||
	fail "spans: front is not aligned on the monotonic clock"
grep -q 'critical path (16 steps, 100.00ms)' "$TMP/out" || fail "spans --trace: no critical path of the root"

"$LOTRACE" spans --trace $TRACE "$TMP" >"$TMP/dir.out" 2>&1 || fail "spans on a directory: status $?"
grep -q '^trace .* and 2 more files' "$TMP/dir.out" || fail "spans on a directory: not three files"

if have_python; then
	# shellcheck disable=SC2086
	"$LOTRACE" spans --trace $TRACE --json $FILES >"$TMP/trace.json" 2>"$TMP/err" ||
		fail "spans --trace --json: status $?"
	# shellcheck disable=SC2086
	"$LOTRACE" spans --slowest 1 --json $FILES >"$TMP/slowest.json" 2>"$TMP/err" ||
		fail "spans --slowest --json: status $?"
	python3 - "$TMP/trace.json" "$TMP/slowest.json" <<'PY' || fail "spans --json across processes"
import json, sys
t = json.load(open(sys.argv[1]))
spans = t["spans"]
assert len(spans) == 5, len(spans)
ids = {s["span_id"] for s in spans}
roots = [s for s in spans if s["parent_id"] not in ids]
assert len(roots) == 1 and roots[0]["name"] == "GET /", roots
for s in spans:
    if s is not roots[0]:
        assert s["parent_id"] in ids, ("parent link not joined", s["name"])
by = {s["name"]: s for s in spans}
want = {"GET /": "front", "call api": "front", "handle": "api", "call back": "api", "query": "back"}
for name, svc in want.items():
    s = by[name]
    assert s["service"] == svc, (name, s["service"])
    assert s["task_name"] == svc + "-main", ("ids collided across files", name, s["task_name"])
    assert s["pid"] == {"front": 100, "api": 200, "back": 300}[svc]
# true times (front's clock): back's span 24.5 .. 75 ms, api's 12 .. 88 ms
def near(x, y, tol):
    return abs(x - y) <= tol
assert near(by["query"]["start_ns"], 24500000, 1000000), by["query"]["start_ns"]
assert near(by["query"]["end_ns"], 75000000, 1000000), by["query"]["end_ns"]
assert by["handle"]["start_ns"] == 12000000 and by["handle"]["end_ns"] == 88000000
for p in t["trace"]["processes"]:
    if p["service"] == "back":
        assert p["skew_corrected"] and near(p["offset_ns"], 1000000, 1000000), p
        assert p["skew_uncertainty_ns"] > 0
    else:
        assert p["clock"] == "monotonic" and not p["skew_corrected"], p
cp = roots[0]["critical_path"]
total = sum(x["duration_ns"] for x in cp)
wall = roots[0]["wall_ns"]
assert abs(total - wall) <= wall / 100, (total, wall)
steps = {(x["service"], x["span"], x["state"], x["reason"]): x["duration_ns"] for x in cp}
assert steps[("back", "query", "blocked", "disk")] == 30000000, steps
assert steps[("back", "query", "runnable", "unblocked")] == 5000000, steps
assert {x["service"] for x in cp} == {"front", "api", "back"}
for x in cp:
    assert set(x) >= {"service", "span", "state", "reason", "duration_ns"}
s = json.load(open(sys.argv[2]))
top = s["slowest"]
assert len(top) == 1 and top[0]["name"] == "GET /" and top[0]["parent_id"] == "0000000000000000"
assert sum(x["duration_ns"] for x in top[0]["critical_path"]) == top[0]["wall_ns"]
PY
fi

# export --format chrome: a process per file, arrows to remote children
if have_python; then
	# shellcheck disable=SC2086
	"$LOTRACE" export $FILES >"$TMP/chrome.json" 2>"$TMP/err" || fail "export --format chrome: status $?"
	python3 "$srcdir/tests/cmd/export_check.py" chrome "$TMP/chrome.json" || fail "export --format chrome of three processes: structure"
	python3 - "$TMP/chrome.json" <<'PY' || fail "export --format chrome of three processes"
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
names = {e["pid"]: e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "process_name"}
for pid, svc in ((100, "front"), (200, "api"), (300, "back")):
    assert names.get(pid) == svc, names
spans = {e["name"]: e for e in ev if e.get("cat") == "span"}
assert spans["query"]["pid"] == 300 and spans["handle"]["pid"] == 200 and spans["GET /"]["pid"] == 100
flows = [e for e in ev if e.get("cat") == "remote"]
starts = {e["id"]: e for e in flows if e["ph"] == "s"}
ends = {e["id"]: e for e in flows if e["ph"] == "f"}
pairs = sorted((starts[i]["pid"], ends[i]["pid"]) for i in starts)
assert pairs == [(100, 200), (200, 300)], pairs
PY
fi
# export --format perfetto: the same in protobuf (framing, tracks and flow pairs
# checked by tests/cmd/export_check.py), a process per file, the request marks
# shellcheck disable=SC2086
"$LOTRACE" export --format perfetto -o "$TMP/p.pftrace" $FILES 2>"$TMP/err" || fail "export --format perfetto: status $?"
if have_python; then
	python3 "$srcdir/tests/cmd/export_check.py" perfetto "$TMP/p.pftrace" three || fail "export --format perfetto of three processes: structure"
	python3 - "$TMP/p.pftrace" <<'PY' || fail "export --format perfetto of three processes"
import sys
d = open(sys.argv[1], "rb").read()
for name in (b"front", b"api", b"back", b"tasks of back", b"request"):
    assert name in d, name
PY
fi

# tasks and timeline read them as one too, ids kept apart
# shellcheck disable=SC2086
"$LOTRACE" tasks $FILES >"$TMP/out" 2>&1 || fail "tasks: status $?"
for t in front-main api-main back-main back-io; do
	grep -q "\"$t\"" "$TMP/out" || fail "tasks: no thread $t"
done
# shellcheck disable=SC2086
"$LOTRACE" timeline --color=never --width 80 $FILES >"$TMP/out" 2>&1 || fail "timeline: status $?"
for t in front-main api-main back-main; do
	grep -q "^$t 7 " "$TMP/out" || fail "timeline: no row for $t (thread 7 of each file)"
done

# The answer does not depend on the order of the files: every order of the
# three, and the directory, give byte-identical reports and exports (the
# reference clock is chosen by a rule, time 0 is the earliest start), and no
# export has a slice that overlaps its parent (times clamped at 0 did).
outputs() { # $1: a name for this order; the rest: the files
	o=$1
	shift
	"$LOTRACE" spans "$@" >"$TMP/$o.spans" 2>&1 || fail "spans in order $o: status $?"
	"$LOTRACE" spans --json "$@" >"$TMP/$o.spans.json" 2>&1 || fail "spans --json in order $o: status $?"
	"$LOTRACE" spans --slowest 1 --json "$@" >"$TMP/$o.slowest.json" 2>&1 ||
		fail "spans --slowest in order $o: status $?"
	"$LOTRACE" tasks --json "$@" >"$TMP/$o.tasks.json" 2>&1 || fail "tasks --json in order $o: status $?"
	"$LOTRACE" timeline --json "$@" >"$TMP/$o.timeline.json" 2>&1 || fail "timeline --json in order $o: status $?"
	for f in chrome perfetto otlp-json; do
		"$LOTRACE" export --format $f -o "$TMP/$o.$f" "$@" 2>"$TMP/$o.$f.err" ||
			fail "export --format $f in order $o: status $?"
	done
}
outputs dir "$TMP"
for order in "front api back" "front back api" "api front back" "api back front" \
	"back front api" "back api front"; do
	# shellcheck disable=SC2086
	set -- $order
	o=$1-$2-$3
	outputs "$o" "$TMP/$1.lot" "$TMP/$2.lot" "$TMP/$3.lot"
	for x in spans spans.json slowest.json tasks.json timeline.json chrome perfetto otlp-json; do
		cmp -s "$TMP/dir.$x" "$TMP/$o.$x" || fail "$x differs between the directory and the order $order"
	done
	if have_python; then
		python3 "$srcdir/tests/cmd/export_check.py" chrome "$TMP/$o.chrome" ||
			fail "export --format chrome in order $order: structure"
		python3 "$srcdir/tests/cmd/export_check.py" perfetto "$TMP/$o.perfetto" three ||
			fail "export --format perfetto in order $order: structure"
	fi
done

# errors name the file they concern
"$LOTRACE" spans "$TMP/front.lot" "$DATA/random.lot" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 2 ] || fail "spans with a foreign file: status not 2"
grep -q "^lotrace: $DATA/random.lot: offset 0: " "$TMP/err" || fail "spans: the error does not name the bad file: $(cat "$TMP/err")"
"$LOTRACE" spans "$TMP/front.lot" "$DATA/truncated-last-chunk.lot" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 3 ] || fail "spans with a damaged file: status not 3"
grep -q "^lotrace: $DATA/truncated-last-chunk.lot: offset " "$TMP/err" || fail "spans: the warning does not name the damaged file"
mkdir "$TMP/empty"
"$LOTRACE" spans "$TMP/empty" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 2 ] || fail "spans on a directory without traces: status not 2"
finish
