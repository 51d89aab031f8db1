#!/bin/sh
# Write the expected outputs of every corpus file in DIR (the only argument):
#   NAME.info.txt NAME.info.json NAME.dump.txt NAME.dump.json   stdout, when not empty
#   NAME.expect   first line "status N", then the expected stderr (the same
#                 for all four runs)
# Run by `make regen-corpus`; runs the tool from inside DIR so that file names
# in the output are the bare NAME.lot.
set -u
dir=$1
LOTRACE=${LOTRACE:?LOTRACE must name the lotrace binary}
cd "$dir" || exit 1
rm -f ./*.info.txt ./*.info.json ./*.dump.txt ./*.dump.json ./*.expect
for f in *.lot; do
	n=${f%.lot}
	for run in "info" "info --json" "dump" "dump --json"; do
		set -- $run
		ext=$1.txt
		[ $# -eq 2 ] && ext=$1.json
		"$LOTRACE" "$@" "$f" >"$n.$ext" 2>"$n.stderr.tmp"
		st=$?
		[ -s "$n.$ext" ] || rm -f "$n.$ext"
		if [ "$run" = info ]; then
			{ echo "status $st"; cat "$n.stderr.tmp"; } >"$n.expect"
		fi
		rm -f "$n.stderr.tmp"
	done
done
