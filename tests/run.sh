#!/usr/bin/env bash
# The test command: installs dependencies, builds from scratch and runs every
# test: the normal build (warnings fatal), the whole suite under ASan+UBSan,
# the concurrency tests under TSan, short libFuzzer runs (reader, commands, traceparent), and
# make distcheck.
# Builds go to _build/<variant> so the source tree stays clean.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash .ci/deps.sh

jobs=$(nproc)
autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
rm -rf _build
summary=()
pass_total=0
fail_total=0

# run_variant NAME CONFIGURE-ARGS... : configure, build and `make check` in _build/NAME.
run_variant() {
	local name=$1; shift
	echo "=== $name"
	mkdir -p "_build/$name"
	(cd "_build/$name" && "$top/configure" -q --enable-werror "$@" && make -s -j"$jobs")
	local status=0
	# bounded: a test that hangs fails its variant instead of CI's budget
	(cd "_build/$name" && timeout --kill-after=30 "${CHECK_TIMEOUT:-1500}" \
		make -s -j"$jobs" check ${TEST_SUBSET:+TESTS="$TEST_SUBSET"}) || status=$?
	if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		echo "$name: make check timed out after ${CHECK_TIMEOUT:-1500} s; still running then:"
		for l in $(find "_build/$name/tests" -name '*.log'); do
			[ -f "${l%.log}.trs" ] || echo "  ${l#_build/$name/}"
		done
	fi
	local log="_build/$name/test-suite.log"
	local pass fail
	pass=$(awk '/^# PASS:/ {print $3}' "$log" 2>/dev/null || echo 0)
	fail=$(awk '/^# (FAIL|XPASS|ERROR):/ {s += $3} END {print s + 0}' "$log" 2>/dev/null || echo 0)
	pass_total=$((pass_total + ${pass:-0}))
	fail_total=$((fail_total + ${fail:-0}))
	summary+=("$name: ${pass:-0} passed, ${fail:-0} failed")
	if [ "$status" -ne 0 ]; then
		find "_build/$name" -name '*.log' ! -name config.log -newer "_build/$name/Makefile" \
			-exec grep -l -E '^(FAIL|ERROR)' {} + 2>/dev/null | head -5 | xargs -r tail -n 40 || true
		fail_total=$((fail_total + (fail == 0 ? 1 : 0)))
	fi
}

san_flags="-O1 -g -fno-omit-frame-pointer"
run_variant default
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	run_variant asan CFLAGS="$san_flags -fsanitize=address,undefined -fno-sanitize-recover=all"
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 TEST_SUBSET="$(cat tests/tsan-tests.txt 2>/dev/null | tr '\n' ' ')" \
	run_variant tsan CFLAGS="$san_flags -fsanitize=thread"

# A bounded libFuzzer run (about a minute each) of the reader, the lotrace
# commands and traceparent parsing, with ASan+UBSan (longer runs: make fuzz).
echo "=== fuzz"
mkdir -p _build/fuzz
if (cd _build/fuzz && "$top/configure" -q CC=clang --enable-fuzz && make -s -j"$jobs" fuzz-check FUZZ_SECONDS="${FUZZ_SECONDS:-60}"); then
	summary+=("fuzz: 1 passed, 0 failed"); pass_total=$((pass_total + 1))
else
	summary+=("fuzz: 0 passed, 1 failed"); fail_total=$((fail_total + 1))
fi

# The release tarball builds, passes its tests and installs (make distcheck).
echo "=== distcheck"
if (cd _build/default && timeout --kill-after=30 "${CHECK_TIMEOUT:-1500}" make -s -j"$jobs" distcheck >distcheck.log 2>&1); then
	summary+=("distcheck: 1 passed, 0 failed"); pass_total=$((pass_total + 1))
else
	tail -n 40 _build/default/distcheck.log
	summary+=("distcheck: 0 passed, 1 failed"); fail_total=$((fail_total + 1))
fi

echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "${pass_total} passed, ${fail_total} failed"
[ "$fail_total" -eq 0 ]
