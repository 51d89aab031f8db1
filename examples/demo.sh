#!/usr/bin/env bash
# The demo: installs what lotrace needs, builds it, records a small traced
# program (a producer handing requests to a worker), then shows what the
# trace holds with `lotrace info` and the start of `lotrace dump`.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash .ci/deps.sh

echo "== building (autoreconf, configure, make) in _build/demo"
[ -x configure ] || autoreconf -fi >/dev/null 2>&1
mkdir -p _build/demo
(cd _build/demo && { [ -f Makefile ] || "$top/configure" -q; } && make -s -j"$(nproc)" >/dev/null)
b="$top/_build/demo"

out="$top/_build/demo/out"
mkdir -p "$out"
trace="$out/quickstart.lot"
rm -f "$trace"
echo "== recording: LOTRACE_OUTPUT=$trace examples/quickstart 200"
LOTRACE_OUTPUT="$trace" "$b/examples/quickstart" 200

echo
echo "== lotrace info $trace"
"$b/cmd/lotrace" info "$trace"
echo
echo "== lotrace dump $trace | head -40"
"$b/cmd/lotrace" dump "$trace" | head -40 || true
echo
echo "The trace is $trace; lz4 -dc reads its raw chunk payloads, lotrace dump --json prints every event as JSON."
