#!/bin/sh
# The folders are layers: lib/ knows nothing of the others, trace-format/
# only lib/, and cmd/ (the tool) nothing of the recorder's internals (what
# both need lives in lib/ or trace-format/).
srcdir=${srcdir:-.}
st=0
bad() { # dir allowed-pattern
	for f in "$srcdir/$1"/*.c "$srcdir/$1"/*.h; do
		[ -e "$f" ] || continue
		sed -n 's/^#[ \t]*include[ \t]*"\([^"]*\)".*/\1/p' "$f" | grep -Ev "$2" |
			while read -r inc; do
				echo "FAIL: $1/${f##*/} includes \"$inc\""
			done
	done
}
out=$( {
	bad lib '^(lib/|config\.h$)'
	bad trace-format '^(lib/|trace-format/|config\.h$)'
	bad cmd '^(lib/|trace-format/|cmd/|config\.h$)'
})
[ -n "$out" ] && { echo "$out"; st=1; }
exit $st
