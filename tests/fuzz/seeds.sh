#!/bin/sh
# The fuzz target must read every seed (valid and damaged) and every corpus
# file cleanly, and prefixes of the valid seed (truncations) too.
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
./tests/fuzz/make_seeds "$dir"
./tests/fuzz/replay_reader "$dir"/*.lot
# and the shared corpus of valid and damaged traces, when present
for f in "${srcdir:-.}"/tests/data/*.lot; do
	if [ -f "$f" ]; then ./tests/fuzz/replay_reader "$f"; fi
done
size=$(wc -c < "$dir/valid.lot")
i=0
while [ "$i" -lt "$size" ]; do
	head -c "$i" "$dir/valid.lot" > "$dir/cut"
	./tests/fuzz/replay_reader "$dir/cut"
	i=$((i + 7))
done
