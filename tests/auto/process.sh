#!/bin/sh
# Processes under `lotrace record --auto`: a forked child traces into its
# own file (the plain output path with -PID), the parent's is untouched; an
# exec finishes the old image's file and the new image traces again into
# PATH-exec; with the default name (a %p template) every process has its
# own file and record names them; a program linked with liblotrace and
# preloaded records once.
. "${srcdir:-.}/tests/auto/lib.sh"
cd "$TMP" || exit 1

# Forking a program with threads (the recorder's) then allocating in the
# child hangs under ASan (its allocator has no fork handlers, glibc's malloc
# does): the fork cases run in plain builds only.
if [ -z "$sanitized" ]; then
child=$("$LOTRACE" record --auto -o p.lot -- "$top_builddir/tests/auto/forker" | head -1) ||
	fail "record forker: status $?"
for f in p.lot "p-$child.lot" p-exec.lot; do
	[ -f "$f" ] || { fail "no trace $f (have: $(ls))"; continue; }
	"$LOTRACE" dump "$f" >"$f.txt" || fail "dump $f: status $?"
	grep -q 'task_block.*sleep' "$f.txt" || fail "$f: no sleep block"
done
# each sleep is in its own process's file: 10 ms before the fork, 20 ms in
# the child, 30 ms after the exec
grep -q '"10us\|10ms' p.lot.txt || fail "p.lot: not the parent's 10 ms sleep"
grep -q '20ms' "p-$child.lot.txt" || fail "child's file: not its 20 ms sleep"
grep -q '30ms' p-exec.lot.txt || fail "exec'd image's file: not its 30 ms sleep"
grep -q '20ms' p.lot.txt && fail "the child's sleep is in the parent's file"

# the default name is a template: every process of a shell's pipeline
# (same-pid execs, forks) gets its own file, and record names them
mkdir def && cd def || exit 1
"$LOTRACE" record -- sh -c "$top_builddir/tests/auto/forker" >out.txt 2>err.txt ||
	fail "record sh -c forker: status $?"
grep -q 'cannot start' err.txt && fail "default name: a process could not start: $(cat err.txt)"
[ "$(grep -c 'also traced' err.txt)" -ge 3 ] || fail "default name: others not named: $(cat err.txt)"
main=$(tail -1 out.txt)
case $main in lotrace-sh-*.lot) ;; *) fail "default name: printed '$main'" ;; esac
[ "$(ls *.lot | wc -l)" -ge 4 ] || fail "default name: files $(ls)"
cd .. || exit 1
else
	echo "note: fork cases skipped in a sanitizer build"
fi

# linked with liblotrace (shared) and preloaded: one recorder, one file
"$LOTRACE" record --auto -o l.lot -- "$top_builddir/tests/auto/linked" >out.txt 2>err.txt ||
	fail "record --auto of a linked program: status $? ($(cat err.txt))"
[ "$(ls | grep -c '^l.*\.lot$')" = 1 ] || fail "linked: more than one trace: $(ls)"
[ -s err.txt ] && fail "linked: stderr: $(cat err.txt)"
"$LOTRACE" dump l.lot >l.txt || fail "dump l.lot"
grep -q 'instant.*linked' l.txt || fail "linked: the program's own instant is missing"
[ "$(grep -c 'task_block.*sleep' l.txt)" = 1 ] || fail "linked: not exactly one sleep block"

# --help says when --auto is the default
"$LOTRACE" record --help | grep -q 'default when CMD does not link' || fail "record --help"
finish
