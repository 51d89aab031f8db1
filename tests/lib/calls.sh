#!/bin/sh
# No circle of calls between a folder's modules, read from the built
# objects: x.o uses y.o when it refers to a symbol y.o defines.  This sees
# what the include check (layers.sh) cannot: functions of several files
# declared in one shared header, data defined in one module and used by
# another.
st=0
for d in lib trace-format tracer tracer/auto cmd; do
	objs=$(ls "$d"/.libs/*.o 2>/dev/null || ls "$d"/*.o 2>/dev/null)
	[ -n "$objs" ] || { echo "FAIL: no objects in $d (run from the top build directory)"; st=1; continue; }
	# "module symbol" per definition, then "user module" per use
	defs=$(for o in $objs; do
		m=${o##*/}; m=${m%.o}; m=${m#*-}
		nm --defined-only -g "$o" | awk -v m="$m" 'NF == 3 { print m, $3 }'
	done)
	loops=$(for o in $objs; do
		m=${o##*/}; m=${m%.o}; m=${m#*-}
		echo "$m $m"
		nm -u "$o" | awk '{ print $NF }' | while read -r sym; do
			echo "$defs" | awk -v s="$sym" -v m="$m" '$2 == s && $1 != m { print m, $1 }'
		done
	done | sort -u | tsort 2>&1 >/dev/null | sed -n 's/^tsort: \([^ -][^ ]*\)$/\1/p' | sort -u)
	for m in $loops; do
		echo "FAIL: $d/$m is on a circle of calls"
		st=1
	done
done
exit $st
