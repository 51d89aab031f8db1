#!/bin/sh
# Runs libFuzzer targets one after the other, from the build directory:
#   tests/fuzz/run.sh SECONDS CORPUS-PREFIX TARGET...
# Each target fuzz_TARGET runs SECONDS with its seeds (the generated
# fuzz-seeds/ or a checked-in folder) and keeps what it finds in
# CORPUS-PREFIX-TARGET/.  Progress goes to fuzz-TARGET.log; printed are the
# summary (executions, coverage `cov:`, inputs added) or, on a crash, the
# log's end with the reproducer's name.  FUZZ_FLAGS: libFuzzer options for all.
set -u
seconds=$1 prefix=$2
shift 2
srcdir=${srcdir:-.}
for t in "$@"; do
	case $t in
	traceparent) seeds=$srcdir/tests/fuzz/traceparent-seeds extra=-max_len=256 ;;
	commands) seeds=fuzz-seeds extra=-close_fd_mask=2 ;; # the commands' warnings
	*) seeds=fuzz-seeds extra= ;;
	esac
	mkdir -p "$prefix-$t"
	echo "fuzzing $t for $seconds s (progress in fuzz-$t.log)"
	# shellcheck disable=SC2086 # FUZZ_FLAGS holds several options
	if ! "./tests/fuzz/fuzz_$t" ${FUZZ_FLAGS:-} $extra -max_total_time="$seconds" \
		"$prefix-$t" "$seeds" >"fuzz-$t.log" 2>&1; then
		tail -n 60 "fuzz-$t.log"
		exit 1
	fi
	grep -E '^(#[0-9]+.*DONE|Done|stat::number_of_executed_units|stat::new_units_added)' "fuzz-$t.log"
done
