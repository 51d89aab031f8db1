#!/bin/sh
# `lotrace timeline` and `lotrace export` on a trace recorded by
# tests/cmd/story_prog (tasks, spans, a cross-thread unblock) and on the
# corpus: outputs checked for structure by tests/cmd/export_check.py
# (Chrome JSON, the Perfetto protobuf framing, SVG as XML, timeline JSON),
# damaged files giving the same status as `lotrace info`.
. "${srcdir:-.}/tests/cmd/lib.sh"

CHECK="$srcdir/tests/cmd/export_check.py"
STORY=${STORY:-$top_builddir/tests/cmd/story_prog}
have_python || { echo "note: python3 not found, outputs not checked" >&2; }
checked() { # kind file [story]
	have_python || return 0
	python3 "$CHECK" "$@" || fail "$1 $2: structure (see above)"
}

"$STORY" "$TMP/story.lot" || { fail "story_prog"; finish; }

"$LOTRACE" export "$TMP/story.lot" -o "$TMP/story.json" 2>"$TMP/err" || fail "export chrome: status $?"
grep -q "^lotrace export: .*events lost" "$TMP/err" || fail "export: no summary line: $(cat "$TMP/err")"
checked chrome "$TMP/story.json" story
"$LOTRACE" export --format perfetto "$TMP/story.lot" -o "$TMP/story.pftrace" 2>"$TMP/err" ||
	fail "export perfetto: status $?"
checked perfetto "$TMP/story.pftrace" story
# and protoc's own parser reads it: as protobuf, and as the messages of
# Perfetto's schema that export_check.py's table lists (a field of another
# number or wire type than the schema's would come out as a bare number)
if command -v protoc >/dev/null 2>&1; then
	protoc --decode_raw <"$TMP/story.pftrace" >/dev/null 2>"$TMP/err" ||
		fail "export perfetto: protoc --decode_raw: $(head -1 "$TMP/err")"
	if have_python; then
		python3 "$CHECK" perfetto-proto >"$TMP/perfetto_subset.proto"
		(cd "$TMP" && protoc --decode=perfetto.protos.Trace perfetto_subset.proto) \
			<"$TMP/story.pftrace" >"$TMP/decoded" 2>"$TMP/err" ||
			fail "export perfetto: protoc --decode with the schema: $(head -1 "$TMP/err")"
		grep -E '^ *[0-9]+( *[:{])' "$TMP/decoded" | head -3 >"$TMP/unknown"
		[ -s "$TMP/unknown" ] && fail "export perfetto: fields outside the schema: $(cat "$TMP/unknown")"
		grep -q '^  track_event {' "$TMP/decoded" || fail "export perfetto: protoc --decode: no track_event"
	fi
fi
# a host up 200 days: no slice overlaps its neighbour (or is lost)
"$top_builddir/tests/cmd/make_trace" uptime "$TMP/uptime.lot" || fail "make_trace uptime"
"$LOTRACE" export "$TMP/uptime.lot" -o "$TMP/uptime.json" 2>/dev/null || fail "export uptime: status $?"
checked chrome "$TMP/uptime.json" uptime
"$LOTRACE" export --format perfetto "$TMP/uptime.lot" -o "$TMP/uptime.pftrace" 2>/dev/null ||
	fail "export perfetto uptime: status $?"
checked perfetto "$TMP/uptime.pftrace"
# names, reasons and frames that are not UTF-8: SVGs stay XML, JSON stays UTF-8
"$top_builddir/tests/cmd/make_trace" odd-names "$TMP/odd.lot" || fail "make_trace odd-names"
for run in "timeline --svg $TMP/odd.svg" "timeline --tasks --svg $TMP/odd.svg" \
	"flame --svg $TMP/odd.svg" "flame --state blocked --svg $TMP/odd.svg"; do
	rm -f "$TMP/odd.svg"
	# shellcheck disable=SC2086
	"$LOTRACE" $run "$TMP/odd.lot" >/dev/null 2>&1 || fail "$run (odd names): status $?"
	if command -v xmllint >/dev/null 2>&1; then
		xmllint --noout "$TMP/odd.svg" 2>"$TMP/err" || fail "$run (odd names): not XML: $(head -1 "$TMP/err")"
	elif have_python; then
		python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$TMP/odd.svg" ||
			fail "$run (odd names): not XML"
	fi
done
# folded stacks as flamegraph.pl reads them, names not UTF-8 included
for st in running blocked runnable; do
	"$LOTRACE" flame --state $st "$TMP/odd.lot" >"$TMP/odd.folded" 2>/dev/null || fail "flame --state $st (odd names): status $?"
	checked folded "$TMP/odd.folded"
	"$LOTRACE" flame --state $st "$TMP/story.lot" >"$TMP/story.folded" 2>/dev/null || fail "flame --state $st: status $?"
	checked folded "$TMP/story.folded"
done
"$LOTRACE" flame --state blocked "$TMP/odd.lot" 2>/dev/null | grep -q ';\[io\\xe2\\x82\] [0-9]*$' ||
	fail "flame --state blocked (odd names): the reason's cut UTF-8 not as \\xNN"
if have_python; then
	for run in "export" "timeline --json" "timeline --tasks --json" "spans --json" "tasks --json" \
		"flame --json" "info --json"; do
		# shellcheck disable=SC2086
		"$LOTRACE" $run "$TMP/odd.lot" 2>/dev/null >"$TMP/odd.json"
		python3 -c 'import json, sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$TMP/odd.json" ||
			fail "$run (odd names): not UTF-8 JSON"
	done
	"$LOTRACE" dump --json "$TMP/odd.lot" 2>/dev/null >"$TMP/odd.json"
	python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    json.loads(line)' "$TMP/odd.json" || fail "dump --json (odd names): not UTF-8 JSON lines"
fi
# a trace that a full disk ended: info says so, and the losses
"$top_builddir/tests/cmd/make_trace" write-error "$TMP/werr.lot" || fail "make_trace write-error"
"$LOTRACE" info "$TMP/werr.lot" >"$TMP/info.txt" 2>&1 || fail "info of a write-error trace: status $?"
grep -q "^write error    $(python3 -c 'import os; print(os.strerror(28))' 2>/dev/null || echo 'No space left on device')" "$TMP/info.txt" ||
	fail "info: no write error line: $(grep -i error "$TMP/info.txt")"
grep -q "1234" "$TMP/info.txt" || fail "info: the trailer's losses are not shown"
# standard output works too, and gives the same bytes
"$LOTRACE" export --format chrome "$TMP/story.lot" >"$TMP/stdout.json" 2>/dev/null || fail "export to stdout"
cmp -s "$TMP/stdout.json" "$TMP/story.json" || fail "export to stdout differs from -o"

"$LOTRACE" timeline --width 100 "$TMP/story.lot" >"$TMP/tl.txt" 2>"$TMP/err" || fail "timeline: status $?"
[ -s "$TMP/err" ] && fail "timeline: stderr: $(head -2 "$TMP/err")"
head -1 "$TMP/tl.txt" | grep -q "events lost" || fail "timeline: first line without the losses"
grep -q "^main " "$TMP/tl.txt" && grep -q "^worker " "$TMP/tl.txt" || fail "timeline: thread rows"
grep -q '#' "$TMP/tl.txt" || fail "timeline: no running cells"
awk '/^time /{p=1} p && length($0) > 100 { exit 1 }' "$TMP/tl.txt" || fail "timeline: picture wider than --width 100"
grep -q "$(printf '\033')" "$TMP/tl.txt" && fail "timeline: colours without a terminal"
"$LOTRACE" timeline --color=always "$TMP/story.lot" | grep -q "$(printf '\033')\[" ||
	fail "timeline --color=always: no colours"
"$LOTRACE" timeline --tasks --width 100 "$TMP/story.lot" >"$TMP/tl.txt" || fail "timeline --tasks"
grep -q "^request #" "$TMP/tl.txt" || fail "timeline --tasks: no request row"
grep -q '\.' "$TMP/tl.txt" || fail "timeline --tasks: no blocked cells"
"$LOTRACE" timeline --tasks --json "$TMP/story.lot" >"$TMP/tl.json" || fail "timeline --json"
checked timeline-json "$TMP/tl.json" story
"$LOTRACE" timeline --svg "$TMP/story.svg" "$TMP/story.lot" 2>/dev/null || fail "timeline --svg"
checked svg "$TMP/story.svg" story
# a window: the header names it
"$LOTRACE" timeline --from 0 --to 1s "$TMP/story.lot" | grep -q "^window 0 to 1.000 s" ||
	fail "timeline --from/--to: no window line"
# --tasks with a window: the rows are the tasks in the window (3 of 600)
"$top_builddir/tests/cmd/make_trace" many-tasks "$TMP/many.lot" || fail "make_trace many-tasks"
"$LOTRACE" timeline --tasks --color=never --from 500.2ms --to 502.8ms "$TMP/many.lot" >"$TMP/tl.txt" 2>&1 ||
	fail "timeline --tasks --from/--to: status $?"
for id in 500 501 502; do
	grep -q "^job #1$id " "$TMP/tl.txt" || fail "timeline --tasks --from/--to: no row for job #1$id"
done
[ "$(grep -c '^job #' "$TMP/tl.txt")" = 3 ] || fail "timeline --tasks --from/--to: rows of tasks outside the window"
"$LOTRACE" export --format perfetto "$TMP/many.lot" -o "$TMP/many.pftrace" 2>/dev/null ||
	fail "export perfetto many-tasks: status $?"
checked perfetto "$TMP/many.pftrace" many
# export --from/--to: what happens in the window only, cut at its edges
"$LOTRACE" export --from 500.2ms --to 502.8ms "$TMP/many.lot" -o "$TMP/win.json" 2>/dev/null ||
	fail "export --from/--to: status $?"
checked chrome "$TMP/win.json"
if have_python; then
	python3 -c '
import json, sys
evs = [e for e in json.load(open(sys.argv[1]))["traceEvents"] if e["ph"] != "M"]
assert evs, "nothing exported"
for e in evs:
    assert 500200 <= e["ts"] and e["ts"] + e.get("dur", 0) <= 502800.0005, e
steps = [e for e in evs if e["name"] == "step"]
assert len(steps) == 3, "%d step spans, not 3" % len(steps)
' "$TMP/win.json" || fail "export --from/--to: events outside the window"
fi
"$LOTRACE" export --from 2ms --to 1ms "$TMP/many.lot" >/dev/null 2>&1
[ $? = 1 ] || fail "export --from 2ms --to 1ms: not a usage error"
for bad in "--from x" "--to -1" "--width 3" "--color=sometimes" "--from 2ms --to 1ms"; do
	"$LOTRACE" timeline $bad "$TMP/story.lot" >/dev/null 2>&1
	[ $? = 1 ] || fail "timeline $bad: not a usage error"
done
"$LOTRACE" export --format svg "$TMP/story.lot" >/dev/null 2>&1
[ $? = 1 ] || fail "export --format svg: not a usage error"

# The corpus: the status `lotrace info` gives; status 2 with one line and
# no output file; damaged files still give complete outputs (the JSON ones
# strictly parsed).
cd "$DATA" || exit 1
for f in *.lot; do
	n=${f%.lot}
	want=$(sed -n '1s/^status //p' "$n.expect")
	for fmt in chrome otlp-json perfetto; do
		rm -f "$TMP/out"
		"$LOTRACE" export --format $fmt "$f" -o "$TMP/out" 2>"$TMP/err"
		st=$?
		[ "$st" = "$want" ] || fail "export $fmt $f: status $st, expected $want"
		if [ "$st" = 2 ]; then
			[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "export $fmt $f: status 2 needs one stderr line"
			[ -e "$TMP/out" ] && fail "export $fmt $f: output written on status 2"
		else
			checked $fmt "$TMP/out"
		fi
	done
	"$LOTRACE" timeline --json "$f" >"$TMP/out" 2>"$TMP/err"
	st=$?
	[ "$st" = "$want" ] || fail "timeline --json $f: status $st, expected $want"
	if [ "$st" = 2 ]; then
		[ -s "$TMP/out" ] && fail "timeline $f: stdout on status 2"
		[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "timeline $f: status 2 needs one stderr line"
	else
		checked timeline-json "$TMP/out"
	fi
	[ "$st" = 3 ] && ! grep -q "^lotrace: $f: offset [0-9]*: " "$TMP/err" && fail "timeline $f: status 3 without a warning"
	"$LOTRACE" timeline "$f" >"$TMP/out" 2>/dev/null
	[ $? = "$want" ] || fail "timeline $f: status differs from --json"
	[ "$want" = 3 ] && ! grep -q "^damaged" "$TMP/out" && fail "timeline $f: damage not stated"
done
finish
