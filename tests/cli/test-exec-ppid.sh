#!/bin/sh
# lden trace exec: the ppid of a process lden saw start is exact.  The
# exec record carries no parent: every ppid was read from /proc as the
# record arrived, marked late, even for a process whose fork (task_newtask,
# in its parent's context) lden had read.  Now: a shell (the command) forks
# N children, each execs /bin/true: each row's ppid is the shell's pid,
# "ppid_source": "exact" (text: no '?'); the uid stays late (no record
# carries it); the command itself (started by lden before tracing) keeps
# a late ppid; a child whose parent exited before its exec (reparented:
# /proc names another) is late, not its forker given as exact.  The
# recipe reads through the perf ring (its uprobes; sched_process_exec's
# records may not fit the ftrace ring's sub-buffers): the command's scope
# and the whole machine.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_cmd jq
LDEN="$top_builddir/src/lden"
[ -r "$T/events/task/task_newtask/id" ] ||
	{ echo "SKIP: no task_newtask tracepoint"; exit 77; }
test_tmp
N=5
for ring in perf; do
	"$LDEN" trace exec --json --ring "$ring" --max-cpu 0 -- sh -c \
		'echo "shell $$"; i=0; while [ $i -lt '$N' ]; do /bin/true; i=$((i + 1)); done' \
		>"$tmp/e.out" 2>"$tmp/e.err" ||
		fail "trace exec ($ring) failed: $(cat "$tmp/e.err")"
	sh=$(awk '$1 == "shell" { print $2 }' "$tmp/e.out")
	[ -n "$sh" ] || fail "the shell did not say its pid ($ring)"
	grep '^{' "$tmp/e.out" >"$tmp/e.json"
	jq -e -s --argjson sh "$sh" --argjson n $N '
		[.[] | select(.filename? == "/bin/true")] |
		length == $n and
		all(.ppid == $sh and .ppid_source == "exact" and
		    .uid_source == "late")' "$tmp/e.json" >/dev/null ||
		fail "trace exec ($ring): not $N rows of /bin/true with ppid $sh exact, uid late: $(cat "$tmp/e.json")"
	jq -e -s --argjson sh "$sh" '[.[] | select(.pid? == $sh)] |
		length == 1 and .[0].ppid_source == "late"' "$tmp/e.json" >/dev/null ||
		fail "trace exec ($ring): the command's own exec not one row with its ppid late: $(cat "$tmp/e.json")"
	echo "PASS: trace exec --ring $ring: $N children of $sh, each ppid $sh exact, uid late; the command's own late"
done

# the whole machine: the shell's forks seen as any other's
rm -f "$tmp/w.out" "$tmp/w.err"
"$LDEN" trace exec --json --max-cpu 0 -t 60 >"$tmp/w.out" 2>"$tmp/w.err" &
l=$!
started $l
wait_for "$tmp/w.err" '^lden: tracing' || fail "trace exec (machine) did not start"
sh -c 'echo "shell $$" >"$1"; i=0; while [ $i -lt '$N' ]; do /bin/true; i=$((i + 1)); done' \
	sh "$tmp/w.sh"
sh=$(awk '{ print $2 }' "$tmp/w.sh")
out="$tmp/w.out"
until_true() {
	_i=0
	while ! "$@" && [ $_i -lt 200 ]; do sleep 0.05; _i=$((_i + 1)); done
}
n_true() {
	grep '^{' "$out" | jq -s --argjson sh "$sh" \
		'[.[] | select(.filename? == "/bin/true" and .ppid == $sh)] | length'
}
has_all() { [ "$(n_true)" = $N ]; }
until_true has_all
stop $l
reaped $l
[ $rc = 0 ] || fail "trace exec (machine) exited $rc: $(cat "$tmp/w.err")"
grep '^{' "$out" | jq -e -s --argjson sh "$sh" --argjson n $N '
	[.[] | select(.filename? == "/bin/true" and .ppid == $sh)] |
	length == $n and all(.ppid_source == "exact")' >/dev/null ||
	fail "trace exec (machine): not $N rows of /bin/true with ppid $sh exact: $(grep "$sh" "$out")"
echo "PASS: trace exec, the whole machine: $N children of $sh, each ppid exact"

# text: the ppid column (3rd) without the late mark '?'
"$LDEN" trace exec --max-cpu 0 -- sh -c \
	'echo "shell $$"; /bin/true; /bin/true' >"$tmp/t.out" 2>"$tmp/t.err" ||
	fail "trace exec (text) failed: $(cat "$tmp/t.err")"
sh=$(awk '$1 == "shell" { print $2 }' "$tmp/t.out")
[ "$(awk -v sh="$sh" '$6 == "/bin/true" && $3 == sh' "$tmp/t.out" | wc -l)" = 2 ] ||
	fail "trace exec text: not 2 rows of /bin/true with ppid $sh unmarked: $(cat "$tmp/t.out")"
echo "PASS: trace exec, text: ppid $sh shown exact (no '?')"

# reparented: the middle shell starts a child and exits; the child,
# once its parent is gone (reaped by the outer shell: reparented before),
# execs touch, whose file the outer shell waits for: its ppid at the exec
# is not its forker, so not shown as exact
"$LDEN" trace exec --json --max-cpu 0 -- sh -c \
	'sh -c '\''(while kill -0 $$ 2>/dev/null; do sleep 0.01; done; exec touch "$1") & echo "middle $$"'\'' sh "$1"
	i=0; while [ ! -e "$1" ] && [ $i -lt 2000 ]; do sleep 0.01; i=$((i + 1)); done' \
	sh "$tmp/orphan.done" >"$tmp/r.out" 2>"$tmp/r.err" ||
	fail "trace exec (reparented) failed: $(cat "$tmp/r.err")"
[ -e "$tmp/orphan.done" ] || fail "the orphan did not run touch"
mid=$(awk '$1 == "middle" { print $2 }' "$tmp/r.out")
[ -n "$mid" ] || fail "the middle shell did not say its pid"
grep '^{' "$tmp/r.out" | jq -e -s --argjson m "$mid" '
	[.[] | select(.comm? == "touch")] | length == 1 and
	(.[0].ppid_source != "exact" or .[0].ppid != $m)' >/dev/null ||
	fail "trace exec: a child reparented before its exec shown with its forker $mid exact: $(cat "$tmp/r.out")"
echo "PASS: trace exec: a child reparented before its exec not given its forker as exact"
