#!/bin/sh
# Command-line handling: help and version, usage errors (status 1), files
# that cannot be opened (status 2, one line).
. "${srcdir:-.}/tests/cmd/lib.sh"

expect_status() { # expected-status description command...
	want=$1 what=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	st=$?
	[ "$st" = "$want" ] || fail "$what: status $st, expected $want"
}

expect_status 0 "--help" "$LOTRACE" --help
grep -q '^usage: lotrace' "$TMP/out" || fail "--help: no usage on stdout"
grep -q 'info' "$TMP/out" && grep -q 'dump' "$TMP/out" || fail "--help: commands not listed"
expect_status 0 "--version" "$LOTRACE" --version
grep -Eq '^lotrace [0-9]+\.[0-9]+\.[0-9]+ \(git [^)]+\)$' "$TMP/out" || fail "--version: '$(cat "$TMP/out")'"
expect_status 0 "info --help" "$LOTRACE" info --help
expect_status 0 "dump --help" "$LOTRACE" dump --help

expect_status 1 "no arguments" "$LOTRACE"
expect_status 1 "unknown command" "$LOTRACE" frobnicate x.lot
grep -q "unknown command 'frobnicate'" "$TMP/err" || fail "unknown command: message"
for cmd in info dump spans tasks flame profile; do
	expect_status 1 "$cmd without FILE" "$LOTRACE" $cmd
	expect_status 1 "$cmd --json without FILE" "$LOTRACE" $cmd --json
	expect_status 1 "$cmd with an unknown option" "$LOTRACE" $cmd --bogus "$DATA/valid.lot"
	case $cmd in info | dump) # the analysis commands read several files as one
		expect_status 1 "$cmd with two files" "$LOTRACE" $cmd "$DATA/valid.lot" "$DATA/valid.lot"
		[ -s "$TMP/out" ] && fail "$cmd usage error: output on stdout" ;;
	esac

	expect_status 2 "$cmd on a missing file" "$LOTRACE" $cmd "$TMP/no-such-file.lot"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "$cmd missing file: not one stderr line"
	grep -q "^lotrace: $TMP/no-such-file.lot: offset 0: " "$TMP/err" || fail "$cmd missing file: '$(cat "$TMP/err")'"
	expect_status 2 "$cmd on a directory" "$LOTRACE" $cmd "$TMP"
	expect_status 2 "$cmd on /dev/null" "$LOTRACE" $cmd /dev/null
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "$cmd /dev/null: not one stderr line"
	# options after the file are options too (GNU style)
	expect_status 0 "$cmd FILE --json" "$LOTRACE" $cmd "$DATA/valid.lot" --json
done
finish
