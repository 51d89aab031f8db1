# Sourced by the tests in tests/auto/ (zero-code tracing with
# liblotrace-auto.so): tests/cmd/lib.sh's helpers, free loopback ports, and
# servers that are always stopped.
. "${srcdir:-.}/tests/cmd/lib.sh"
unset LOTRACE_DIR LOTRACE_OUTPUT LOTRACE_SIGNAL LOTRACE_MODE LOTRACE_START LOTRACE_DURATION
AUTO_PIDS=""
# A sanitizer build's interposer needs its runtime, which the test programs
# (built with the same flags) load; it is preloaded after ours, so ASan's
# link-order check is off.  Programs built without it (Debian's servers)
# cannot take that interposer: the tests that run them skip.
sanitized=""
if ldd "$top_builddir/.libs/liblotrace-auto.so" 2>/dev/null | grep -q 'lib[at]san'; then
	sanitized=1
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0:detect_leaks=0"
fi
need_plain_build() {
	[ -z "$sanitized" ] || { echo "SKIP: a sanitizer build's interposer cannot preload into $1"; exit 77; }
}
trap 'for p in $AUTO_PIDS; do kill -9 "$p" 2>/dev/null; done; [ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"' EXIT

# A TCP port nobody listens on now (the kernel's choice).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Wait until 127.0.0.1:$1 accepts connections (at most 5 s).
wait_port() {
	python3 - "$1" <<'PY'
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY
}

# Skip (77) when a tool the test drives is not installed.
need() {
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || { echo "SKIP: $t is not installed (bash .ci/deps.sh)"; exit 77; }
	done
}

# True when `lotrace info` counts no lost event in the trace $1.
no_loss() {
	"$LOTRACE" info --json "$1" >"$TMP/info.json" &&
		python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["lost"] != 0)' "$TMP/info.json"
}

# Start `lotrace record --auto -o TRACE -- SERVER...` in the background and
# wait until the server listens on PORT: sets $rec (the record) and $server
# (its child); both are killed on exit.  stop_traced ends the server with
# SIGTERM (it finishes its trace at exit) and waits for the record.
start_traced() {
	trace=$1 port=$2
	shift 2
	"$LOTRACE" record --auto -o "$trace" -- "$@" >rec.out 2>rec.err &
	rec=$!
	AUTO_PIDS="$rec"
	wait_port "$port" || { fail "$1 did not listen on $port: $(tail -3 rec.err)"; finish; }
	server=$(pgrep -P "$rec")
	AUTO_PIDS="$rec $server"
}

stop_traced() {
	kill -TERM "$server"
	wait "$rec" || fail "record $1: status $? ($(tail -3 rec.err))"
}
