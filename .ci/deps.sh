#!/usr/bin/env bash
# Installs everything lotrace needs to build, test and run the demo on a fresh
# Debian 12 machine (as root); with --bench, what the benchmarks use too.
# Safe to run again.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
pkgs=(
	build-essential autoconf automake libtool pkg-config git ca-certificates
	liburing-dev liblz4-dev zlib1g-dev check libdw-dev libelf-dev
	libunwind-dev               # LOTRACE_UNWIND=dwarf in liblotrace-auto.so
	memcached redis-server redis-tools libmemcached-tools   # tests/auto: real servers, untouched
	clang libclang-rt-14-dev   # libFuzzer and the sanitizer runtimes
	python3 lz4                 # test scripts; stock lz4 reads our chunks
	golang-go                   # go tool pprof reads `lotrace export --format pprof` back
	libxml2-utils protobuf-compiler # xmllint checks SVGs (export, auto tests), protoc the Perfetto export
)
# --bench: also what `make bench` uses for its full table: /usr/bin/time
# (peak memory), valgrind (instruction counts) and LTTng-UST (the peer).
if [ "${1:-}" = --bench ]; then
	pkgs+=(time valgrind lttng-tools liblttng-ust-dev)
fi
# --bench: wrk drives examples/httpd in bench/overhead (loopback only).
if [ "${1:-}" = --bench ]; then
	pkgs+=(wrk)
fi
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# tests/analysis/otlp.sh decodes lotrace's OTLP export with OpenTelemetry's
# own codec: the protobufjs root generated from opentelemetry-proto, which
# @opentelemetry/otlp-transformer shipped up to 0.5x (later versions dropped
# it).  node and npm come from the image or: apt-get install nodejs npm.
OTLP_DIR=${OTLP_NODE_DIR:-/opt/lotrace-otlp}
if command -v npm >/dev/null 2>&1 &&
	[ ! -f "$OTLP_DIR/node_modules/@opentelemetry/otlp-transformer/build/src/generated/root.js" ]; then
	echo "deps: npm install @opentelemetry/otlp-transformer@0.52.1 into $OTLP_DIR"
	mkdir -p "$OTLP_DIR"
	npm install --silent --no-audit --no-fund --prefix "$OTLP_DIR" @opentelemetry/otlp-transformer@0.52.1
fi
