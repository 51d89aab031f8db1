#!/bin/sh
# CPU samples in the reports, on a trace with known attribution written by
# tests/cmd/cpu_trace (samples in its own functions; see its comment):
# profile by function, span, task and thread, text and JSON, filtered by
# span name and trace; flame --cpu folded stacks in flamegraph.pl's format;
# timeline's sample marks (text, SVG, JSON);
# spans --slowest's on-CPU time and hot functions; export --format pprof
# checked against profile.proto and read back by `go tool pprof` (names,
# labels, no warning); the corpus
# through profile with the status `lotrace info` gives.
. "${srcdir:-.}/tests/cmd/lib.sh"

CPU_TRACE=${CPU_TRACE:-$top_builddir/tests/cmd/cpu_trace}
"$CPU_TRACE" "$TMP/cpu.lot" >"$TMP/ids" || { fail "cpu_trace"; finish; }
A=$(sed -n 1p "$TMP/ids")
B=$(sed -n 2p "$TMP/ids")

# --- profile, text
"$LOTRACE" profile "$TMP/cpu.lot" >"$TMP/out" 2>"$TMP/err" || fail "profile: status $?"
[ -s "$TMP/err" ] && fail "profile: stderr: $(head -2 "$TMP/err")"
grep -q '^cpu samples: 16 (period 10.00ms, 100 Hz), 3 dropped$' "$TMP/out" || fail "profile: no sampling line"
grep -Eq '^ +90\.00ms +52\.9% +90\.00ms +52\.9% +9  burn_hot$' "$TMP/out" || fail "profile: burn_hot row"
grep -Eq '^ +10\.00ms +5\.9% +140\.00ms +82\.4% +13  handle_request$' "$TMP/out" ||
	fail "profile: handle_request's self and total"
awk '/^ *self/ {p=1; next} p {print $NF; exit}' "$TMP/out" | grep -qx burn_hot || fail "profile: not sorted by self time"
"$LOTRACE" profile --by span "$TMP/cpu.lot" >"$TMP/out" || fail "profile --by span"
grep -Eq ' 14  handle$' "$TMP/out" || fail "profile --by span: handle (with the inherited helper samples)"
grep -Eq ' 1  \(no span\)$' "$TMP/out" || fail "profile --by span: (no span)"
"$LOTRACE" profile --by task "$TMP/cpu.lot" >"$TMP/out" || fail "profile --by task"
grep -Eq ' 2  bg$' "$TMP/out" || fail "profile --by task: bg"
grep -Eq ' 1  bare \(thread 30\)$' "$TMP/out" || fail "profile --by task: a thread without task"

# --- profile, JSON
if have_python; then
	for run in "" "--by span" "--by task" "--by thread" "--trace $A" "--span handle --by function"; do
		# shellcheck disable=SC2086
		"$LOTRACE" profile --json $run "$TMP/cpu.lot" >"$TMP/p.json" || fail "profile --json $run: status $?"
		cat >"$TMP/check.py" <<'PY'
import json, sys
run, a = sys.argv[1], sys.argv[2]
d = json.load(open(sys.argv[3]))
assert isinstance(d["trace"]["lost"], int)
assert d["period_ns"] == 10000000 and d["dropped"] == 3, d
rows = {r["key"]: r for r in d["rows"]}
for r in d["rows"]:
    assert set(r) >= {"key", "samples", "cpu_ns", "self_samples"}, r
    assert r["self_samples"] <= r["samples"]
if run == "":
    assert d["samples"] == 16 and d["by"] == "function"
    assert rows["burn_hot"]["self_samples"] == 9 and rows["burn_hot"]["cpu_ns"] == 90000000
    assert rows["main"]["samples"] == 16 and rows["main"]["self_samples"] == 1
elif run == "--by span":
    assert rows["handle"]["samples"] == 14 and rows["(no span)"]["samples"] == 1, rows
elif run == "--by thread":
    assert rows["helper (thread 20)"]["samples"] == 2, rows
elif run.startswith("--trace"):
    # request A: its own 6 + 2, and the helper's 2 inherited
    assert d["trace_id"] == a and d["samples"] == 10, d
    assert rows["burn_hot"]["self_samples"] == 6 and rows["burn_cold"]["self_samples"] == 4, rows
    assert rows["helper_main"]["samples"] == 2
elif run.startswith("--span"):
    assert d["span"] == "handle" and d["samples"] == 14
PY
		python3 "$TMP/check.py" "$run" "$A" "$TMP/p.json" || fail "profile --json $run: not the documented answer"
	done
fi

# --- flame --cpu: folded stacks for flamegraph.pl ("a;b;c N"), weighted by cpu ns
"$LOTRACE" flame --cpu --trace "$A" "$TMP/cpu.lot" >"$TMP/out" 2>"$TMP/err" || fail "flame --cpu: status $?"
grep -qx 'main;handle_request;burn_hot 60000000' "$TMP/out" || fail "flame --cpu --trace: burn_hot line"
grep -qx 'main;helper_main;burn_cold 20000000' "$TMP/out" || fail "flame --cpu --trace: the helper's inherited samples"
grep -v '^[^ ;][^ ]*\(;[^ ;][^ ]*\)* [0-9][0-9]*$' "$TMP/out" && fail "flame --cpu: a line not in folded format"
have_python && { python3 "$srcdir/tests/cmd/export_check.py" folded "$TMP/out" || fail "flame --cpu: not as flamegraph.pl reads it"; }
grep -q 'cpu time 0.100000 s' "$TMP/err" || fail "flame --cpu: stderr header: $(cat "$TMP/err")"
"$LOTRACE" flame --cpu --trace "$B" --svg "$TMP/f.svg" "$TMP/cpu.lot" 2>/dev/null || fail "flame --cpu --svg"
grep -q 'burn_hot' "$TMP/f.svg" || fail "flame --cpu --svg: no burn_hot"
"$LOTRACE" flame --trace "$A" "$TMP/cpu.lot" >/dev/null 2>&1
[ $? = 1 ] || fail "flame --trace without --cpu: not a usage error"
"$LOTRACE" flame --cpu --state blocked "$TMP/cpu.lot" >/dev/null 2>&1
[ $? = 1 ] || fail "flame --cpu --state: not a usage error"

# --- spans --slowest: on-CPU time and hot functions
"$LOTRACE" spans --slowest 1 "$TMP/cpu.lot" >"$TMP/out" || fail "spans --slowest: status $?"
grep -q 'on cpu 100.00ms (10 samples) of running 18.00ms; hot: burn_hot 6, burn_cold 4' "$TMP/out" ||
	fail "spans --slowest: no on-cpu line: $(grep 'on cpu' "$TMP/out")"
if have_python; then
	"$LOTRACE" spans --slowest 2 --json "$TMP/cpu.lot" | python3 -c '
import json, sys
s = json.load(sys.stdin)["slowest"][0]
assert s["cpu_ns"] == 100000000 and s["cpu_samples"] == 10, s
assert s["hot"] == [{"function": "burn_hot", "samples": 6}, {"function": "burn_cold", "samples": 4}], s["hot"]
' || fail "spans --slowest --json: cpu_ns, cpu_samples, hot"
fi

# --- export --format pprof, read by go tool pprof
"$LOTRACE" export --format pprof -o "$TMP/cpu.pb.gz" "$TMP/cpu.lot" 2>"$TMP/err" || fail "export pprof: status $?"
gzip -t "$TMP/cpu.pb.gz" || fail "export pprof: not gzip"
# profile.proto's rules, by tests/cmd/export_check.py's table of its fields:
# wire types, string_table[0] "", ids non-zero and unique, references that
# resolve, a value per sample type, UTF-8 strings (proto3) even when the
# trace's names are not (make_trace odd-names has a sample in such a task)
"$top_builddir/tests/cmd/make_trace" odd-names "$TMP/odd.lot" || fail "make_trace odd-names"
"$LOTRACE" export --format pprof -o "$TMP/odd.pb.gz" "$TMP/odd.lot" 2>/dev/null || fail "export pprof odd-names: status $?"
"$LOTRACE" export --format pprof -o "$TMP/none.pb.gz" "$DATA/valid-tsc.lot" 2>/dev/null || fail "export pprof valid-tsc: status $?"
if have_python; then
	for f in cpu odd none; do
		python3 "$srcdir/tests/cmd/export_check.py" pprof "$TMP/$f.pb.gz" || fail "export pprof $f: profile.proto's rules"
	done
fi
if command -v go >/dev/null 2>&1; then
	export HOME="$TMP/home" GOCACHE="$TMP/home/gocache" GOFLAGS=-mod=mod GOTOOLCHAIN=local
	mkdir -p "$HOME"
	go tool pprof -top "$TMP/cpu.pb.gz" >"$TMP/top" 2>"$TMP/err" || fail "go tool pprof -top: status $?"
	[ -s "$TMP/err" ] && fail "go tool pprof -top: stderr: $(head -3 "$TMP/err")"
	grep -Eq '^ +90ms +52\.94% .* burn_hot$' "$TMP/top" || fail "pprof -top: burn_hot 90ms: $(cat "$TMP/top")"
	grep -Eq ' burn_cold$' "$TMP/top" || fail "pprof -top: burn_cold"
	grep -q '^service=test$' "$TMP/top" || fail "pprof -top: the service comment"
	grep -q '^version=1.2.3$' "$TMP/top" || fail "pprof -top: the version comment"
	go tool pprof -raw "$TMP/cpu.pb.gz" >"$TMP/raw" 2>"$TMP/err" || fail "go tool pprof -raw: status $?"
	[ -s "$TMP/err" ] && fail "go tool pprof -raw: stderr: $(head -3 "$TMP/err")"
	grep -q "span:\[handle\] span_id:\[00000000000000a1\] task:\[bg\] trace_id:\[$A\]" "$TMP/raw" ||
		fail "pprof -raw: the helper's sample labelled with request A's span"
	grep -q 'PeriodType: cpu nanoseconds' "$TMP/raw" && grep -q '^Period: 10000000$' "$TMP/raw" ||
		fail "pprof -raw: period"
	grep -Eq 'burn_hot .*cpu_trace\.c:[0-9]+' "$TMP/raw" || fail "pprof -raw: no file:line for burn_hot"
	grep -q '\[FN\]\[FL\]\[LN\]' "$TMP/raw" || fail "pprof -raw: mapping flags"
	go tool pprof -top -tagfocus "trace_id=$B" "$TMP/cpu.pb.gz" 2>/dev/null | grep -Eq '^ +30ms .* burn_hot$' ||
		fail "pprof -tagfocus trace_id: request B's burn_hot"
	# a trace without samples nor module map: an empty profile, still no warning
	"$LOTRACE" export --format pprof -o "$TMP/empty.pb.gz" "$DATA/valid-tsc.lot" 2>/dev/null ||
		fail "export pprof valid-tsc.lot: status $?"
	go tool pprof -top "$TMP/empty.pb.gz" >"$TMP/top" 2>"$TMP/err" || fail "go tool pprof -top (no samples): status $?"
	[ -s "$TMP/err" ] && fail "go tool pprof -top (no samples): stderr: $(head -3 "$TMP/err")"
else
	echo "note: go not found (golang-go), pprof output not read back" >&2
fi

# --- timeline: samples marked on the rows ('*' cells, SVG ticks, JSON counts)
"$LOTRACE" timeline --width 100 "$TMP/cpu.lot" >"$TMP/tl.txt" || fail "timeline: status $?"
grep -q '^worker 10 .*\*' "$TMP/tl.txt" || fail "timeline: no sampled cells on the worker"
grep -q '^bare 30 *\*' "$TMP/tl.txt" || fail "timeline: the thread known only from a sample"
grep -q '\* on cpu (sampled)' "$TMP/tl.txt" || fail "timeline: legend without the sample mark"
"$LOTRACE" timeline --svg "$TMP/tl.svg" "$TMP/cpu.lot" 2>/dev/null || fail "timeline --svg"
grep -q '<title>1 cpu sample at ' "$TMP/tl.svg" || fail "timeline --svg: no sample ticks"
if have_python; then
	"$LOTRACE" timeline --json "$TMP/cpu.lot" | python3 -c '
import json, sys
iv = json.load(sys.stdin)["intervals"]
bg = [i for i in iv if i["task_name"] == "bg" and i["state"] == "running"]
assert bg and bg[0]["cpu_samples"] == 2 and bg[0]["cpu_ns"] == 20000000, bg
assert all("cpu_samples" in i for i in iv if i["state"] == "running")
assert sum(i["cpu_samples"] for i in iv if i["state"] == "running") == 15  # all but the bare thread
' || fail "timeline --json: running intervals' cpu_samples"
fi

# --- usage errors
for bad in "--by nothing" "--trace xyz" "--frob"; do
	"$LOTRACE" profile $bad "$TMP/cpu.lot" >/dev/null 2>&1
	[ $? = 1 ] || fail "profile $bad: not a usage error"
done

# --- the corpus (no samples): the status `lotrace info` gives; status 2
# with one line and nothing on stdout; a sound trace says it has no samples
cd "$DATA" || exit 1
for f in *.lot; do
	want=$(sed -n '1s/^status //p' "${f%.lot}.expect")
	for run in "profile" "profile --json" "profile --by span" "flame --cpu" "export --format pprof -o $TMP/x.pb.gz"; do
		# shellcheck disable=SC2086
		"$LOTRACE" $run "$f" >"$TMP/out" 2>"$TMP/err"
		st=$?
		[ "$st" = "$want" ] || fail "$run $f: status $st, expected $want"
		if [ "$st" = 2 ]; then
			[ -s "$TMP/out" ] && fail "$run $f: output on status 2"
			[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "$run $f: not one stderr line"
		fi
	done
done
"$LOTRACE" profile valid-tsc.lot >"$TMP/out" 2>&1 || fail "profile valid-tsc.lot: status $?"
grep -q '^note: no CPU samples' "$TMP/out" || fail "profile without samples: no note"
finish
