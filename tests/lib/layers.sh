#!/bin/sh
# The folders are layers: lib/ knows nothing of the others, trace-format/
# only lib/, and cmd/ (the tool) nothing of the recorder's internals (what
# both need lives in lib/ or trace-format/).
#
# Within a folder the modules (x.c with x.h) form layers too: no circle of
# includes, so each can be read, tested and changed knowing only those
# below it.  A header without a .c of its name (a public facade such as
# tracer/lotrace.h or trace-format/reader.h, a struct, inline code) is a
# module of its own.
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
# dir: every circle of includes between its modules
cycles() {
	for f in "$srcdir/$1"/*.c "$srcdir/$1"/*.h; do
		[ -e "$f" ] || continue
		m=${f##*/}
		m=${m%.*}
		echo "$m $m" # a module with no includes is still a node
		sed -n "s|^#[ \t]*include[ \t]*\"$1/\([^/\"]*\)\\.h\".*|\1|p" "$f" |
			while read -r inc; do
				echo "$m $inc"
			done
	done | tsort 2>&1 >/dev/null | sed -n "s/^tsort: \([^ -][^ ]*\)\$/\1/p" | sort -u |
		while read -r m; do
			echo "FAIL: $1/$m is on a circle of includes"
		done
}
out=$( {
	bad lib '^(lib/|config\.h$)'
	bad trace-format '^(lib/|trace-format/|config\.h$)'
	bad cmd '^(lib/|trace-format/|cmd/|config\.h$)'
	for d in lib trace-format tracer tracer/auto cmd; do
		cycles $d
	done
})
[ -n "$out" ] && { echo "$out"; st=1; }
exit $st
