#!/usr/bin/env bash
# The demo: installs what lotrace needs, builds it, starts the example HTTP
# server (examples/httpd) with tracing armed on a signal, drives load at it
# with wrk, captures a 3-second window with `lotrace trigger`, and shows
# what the trace says: `lotrace info`, the slowest requests and where their
# time went, a timeline, a flame graph and a Perfetto-ready export.
# Everything it starts is stopped when it ends (or is interrupted).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -n "${DEMO_BUILD_ONLY:-}" ] || bash .ci/deps.sh
if [ -z "${DEMO_BUILD_ONLY:-}" ] && ! command -v wrk >/dev/null; then
	echo "== installing wrk (the load generator)"
	apt-get install -y -qq --no-install-recommends wrk >/dev/null ||
		{ apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
fi

# A tree configured in place (README's Build section: ./configure && make)
# refuses a second, out-of-tree configuration: build there instead.
if [ -f "$top/config.status" ]; then
	echo "== building (make) in the tree configured here"
	make -s -j"$(nproc)" >/dev/null
	b="$top"
else
	echo "== building (autoreconf, configure, make) in _build/demo"
	[ -x configure ] || autoreconf -fi >/dev/null 2>&1
	mkdir -p _build/demo
	(cd _build/demo && { [ -f Makefile ] || "$top/configure" -q; } && make -s -j"$(nproc)" >/dev/null)
	b="$top/_build/demo"
fi
[ -n "${DEMO_BUILD_ONLY:-}" ] && { echo "$b"; exit 0; } # (for checking the build step alone)
lotrace="$b/cmd/lotrace"
out="$top/_build/demo-out"
rm -rf "$out"
mkdir -p "$out"

server_pid= load_pid= chain_pids=()
cleanup() {
	[ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null && wait "$load_pid" 2>/dev/null
	[ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	for p in "${chain_pids[@]}"; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	return 0
}
trap cleanup EXIT INT TERM

# The server: 2 workers, one downstream query in 50 slow (20 ms), so that
# the window holds a few slow requests worth explaining.
httpd_args=(--port 0 --workers 2 --db-slow-every 50 --db-slow-us 20000)
echo "== starting: LOTRACE_SIGNAL=USR2 LOTRACE_DIR=$out examples/httpd/httpd ${httpd_args[*]}"
LOTRACE_SIGNAL=USR2 LOTRACE_DIR="$out" "$b/examples/httpd/httpd" "${httpd_args[@]}" \
	>"$out/httpd.out" 2>"$out/httpd.err" &
server_pid=$!
port=
for _ in $(seq 100); do
	port=$(sed -n 's|^httpd: listening on http://[0-9.]*:\([0-9]*\)/.*|\1|p' "$out/httpd.out")
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { echo "demo: the server did not start:" >&2; cat "$out/httpd.err" >&2; exit 1; }
cat "$out/httpd.out"

echo
echo "== one request carrying a traceparent (bash /dev/tcp); the answer carries the server's"
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /hello HTTP/1.1\r\nHost: demo\r\nConnection: close\r\ntraceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n\r\n' >&3
sed -n '/^traceparent:/p; /^\r$/q' <&3 | sed 's/^/   response /; s/\r$//'
exec 3<&-
echo "   (same trace id, the server's own span id)"

echo
echo "== load: wrk -t1 -c8 -d8s http://127.0.0.1:$port/ (loopback, 8 s)"
wrk -t1 -c8 -d8s --latency "http://127.0.0.1:$port/" >"$out/wrk.txt" 2>&1 &
load_pid=$!
sleep 2
echo "== lotrace trigger $server_pid --for 3s   (a 3-second window, the server keeps running)"
trace=$("$lotrace" trigger "$server_pid" --for 3s | tail -n 1)
echo "   trace: $trace"
wait "$load_pid" || true
load_pid=
sed -n '/Latency Distribution/,/Transfer/p' "$out/wrk.txt" | sed 's/^/   /'

echo "== stopping the server (SIGTERM: it finishes what is in flight; the trace is completed)"
kill -TERM "$server_pid"
wait "$server_pid" || true
server_pid=
[ -f "$trace" ] || { echo "demo: no trace at '$trace'" >&2; exit 1; }

echo
echo "== lotrace info $trace"
"$lotrace" info "$trace"

echo
echo "== lotrace spans $trace --slowest 3   (the slow requests and where their time went)"
"$lotrace" spans "$trace" --slowest 3

echo
echo "== lotrace timeline $trace   (per thread and task, in the terminal)"
"$lotrace" timeline "$trace" | head -60
"$lotrace" timeline "$trace" --svg "$out/timeline.svg" >/dev/null

echo
echo "== lotrace flame $trace --svg $out/flame.svg"
"$lotrace" flame "$trace" --svg "$out/flame.svg" >/dev/null

echo "== lotrace export --format chrome $trace -o $out/trace.json"
"$lotrace" export --format chrome "$trace" -o "$out/trace.json"

echo
echo "== across processes: examples/chain, a front end -> an API -> a back end, each"
echo "   its own process and trace, the traceparent passed along over HTTP"
chain="$b/examples/chain"
mkdir -p "$out/chain"
chain_port() { # role: the port it printed
	local p=
	for _ in $(seq 100); do
		p=$(sed -n 's/^chain [a-z]*: listening on port //p' "$out/chain/$1.out")
		[ -n "$p" ] && break
		sleep 0.1
	done
	[ -n "$p" ] || { echo "demo: chain $1 did not start" >&2; exit 1; }
	echo "$p"
}
start_chain() { # role args...
	local role=$1
	shift
	LOTRACE_SIGNAL=USR2 LOTRACE_SERVICE=$role LOTRACE_DIR="$out/chain" \
		"$chain" "$role" --port 0 "$@" >"$out/chain/$role.out" 2>"$out/chain/$role.err" &
	chain_pids+=($!)
}
start_chain back --work-us 300 --disk-us 2000 --slow-every 20
back_pid=$!
start_chain api --next "$(chain_port back)" --work-us 300
api_pid=$!
start_chain front --next "$(chain_port api)" --work-us 200
front_pid=$!
front_port=$(chain_port front)
wrk -t1 -c4 -d6s "http://127.0.0.1:$front_port/" >"$out/chain/wrk.txt" 2>&1 &
load_pid=$!
sleep 1
echo "== lotrace trigger PID --for 2s, once per process (front $front_pid, api $api_pid, back $back_pid)"
trigger_pids=()
for p in "$front_pid" "$api_pid" "$back_pid"; do
	"$lotrace" trigger "$p" --for 2s >"$out/chain/trigger-$p.txt" &
	trigger_pids+=($!)
done
wait "${trigger_pids[@]}" || { echo "demo: a trigger failed" >&2; exit 1; }
wait "$load_pid" || true
load_pid=
traces=()
for p in "$front_pid" "$api_pid" "$back_pid"; do
	t=$(tail -n 1 "$out/chain/trigger-$p.txt")
	echo "   trace: $t"
	traces+=("$t")
done
echo
echo "== lotrace spans --slowest 1 ${traces[*]}"
echo "   (the slowest end-to-end request, its tree across the three processes and"
echo "   its critical path: which span, in which state, held the request up)"
"$lotrace" spans --slowest 1 "${traces[@]}"
"$lotrace" export --format chrome "${traces[@]}" -o "$out/chain/trace.json" 2>/dev/null

echo
echo "Files:"
echo "  $trace   the trace (lotrace info|dump|spans ... FILE)"
echo "  $out/timeline.svg   the timeline: open in a web browser"
echo "  $out/flame.svg   the flame graph: open in a web browser (click to zoom)"
echo "  $out/trace.json   open at https://ui.perfetto.dev (Open trace file), or chrome://tracing"
echo "  $out/chain/trace.json   the three processes in one trace, arrows from client to server spans"
echo "The server's code is examples/httpd/; doc/GUIDE.md explains its instrumentation."
echo "The three services are examples/chain.c."
