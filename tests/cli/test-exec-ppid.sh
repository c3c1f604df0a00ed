#!/bin/sh
# lden trace exec: the ppid of a process lden saw start is exact.  The
# exec record carries no parent: every ppid was read from /proc as the
# record arrived, marked late, even for a process whose fork (task_newtask,
# in its parent's context) lden had read.  Now: a shell (the command) forks
# N children, each execs /bin/true: each row's ppid is the shell's pid,
# "ppid_source": "exact" (text: no '?'); the uid stays late (no record
# carries it; unavailable when the child was reaped before lden read it); the command itself
# (started by lden before tracing) has lden as its parent, exact; a child whose parent exited before its exec (reparented:
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
# the workload: says its pid, runs /bin/true N times, then waits (20 s at
# most) for "$1" to exist: the test makes it once lden showed the N rows,
# so that the parent lives while lden handles them (a child reaped before
# lden read /proc is exact only while its parent lives: a parent gone may
# have been left)
WL='echo "shell $$" >"$2"; i=0; while [ $i -lt '$N' ]; do /bin/true; i=$((i + 1)); done
i=0; while [ ! -e "$1" ] && [ $i -lt 2000 ]; do sleep 0.01; i=$((i + 1)); done'
out=
n_true() {
	grep '^{' "$out" | jq -s --argjson sh "$sh" \
		'[.[] | select(.filename? == "/bin/true" and .ppid == $sh)] | length'
}
# rows NAME: waits for the N rows of /bin/true, lets the workload go, and
# stops lden (ARGS after NAME: how it was started, in $l)
rows() {
	out="$tmp/$1.out"
	_i=0
	while [ ! -s "$tmp/$1.sh" ] && [ $_i -lt 400 ]; do sleep 0.05; _i=$((_i + 1)); done
	sh=$(awk '{ print $2 }' "$tmp/$1.sh")
	[ -n "$sh" ] || fail "$1: the workload did not say its pid"
	_i=0
	while [ "$(n_true)" != $N ] && [ $_i -lt 400 ]; do sleep 0.05; _i=$((_i + 1)); done
	touch "$tmp/$1.go"
}
check() {
	grep '^{' "$out" | jq -e -s --argjson sh "$sh" --argjson n $N '
		[.[] | select(.filename? == "/bin/true" and .ppid == $sh)] |
		length == $n and all(.ppid_source == "exact" and
				     .uid_source != "exact")' >/dev/null ||
		fail "trace exec ($1): not $N rows of /bin/true with ppid $sh exact, uid not exact: $(grep "$sh" "$out"); $(tail -5 "${out%.out}.err")"
}

# the command's scope
rm -f "$tmp/c.out" "$tmp/c.err"
"$LDEN" trace exec --json --max-cpu 0 -- sh -c "$WL" sh "$tmp/c.go" "$tmp/c.sh" \
	>"$tmp/c.out" 2>"$tmp/c.err" &
l=$!
started $l
rows c
wait $l
rc=$?
reaped $l
[ $rc = 0 ] || fail "trace exec -- CMD exited $rc: $(cat "$tmp/c.err")"
check "-- CMD"
# the command itself: lden forked it, before tracing, and lives: its
# parent, exact (it was shown late, from /proc, though lden knew)
grep '^{' "$tmp/c.out" | jq -e -s --argjson sh "$sh" --argjson l "$l" '[.[] | select(.pid? == $sh)] |
	length == 1 and .[0].ppid == $l and .[0].ppid_source == "exact"' >/dev/null ||
	fail "trace exec: the command's own exec not one row with ppid $l (lden) exact: $(cat "$tmp/c.out")"
echo "PASS: trace exec -- CMD: $N children of $sh, each ppid $sh exact, uid not; the command's own ppid $l (lden) exact"

# the whole machine: the shell's forks seen as any other's
rm -f "$tmp/w.out" "$tmp/w.err"
"$LDEN" trace exec --json --max-cpu 0 -t 60 >"$tmp/w.out" 2>"$tmp/w.err" &
l=$!
started $l
wait_for "$tmp/w.err" '^lden: tracing' || fail "trace exec (machine) did not start"
sh -c "$WL" sh "$tmp/w.go" "$tmp/w.sh" &
ws=$!
rows w
wait $ws
stop $l
reaped $l
[ $rc = 0 ] || fail "trace exec (machine) exited $rc: $(cat "$tmp/w.err")"
check machine
echo "PASS: trace exec, the whole machine: $N children of $sh, each ppid exact"

# text: the ppid column (3rd) without the late mark '?'
rm -f "$tmp/t.out" "$tmp/t.err"
"$LDEN" trace exec --max-cpu 0 -- sh -c "$WL" sh "$tmp/t.go" "$tmp/t.sh" \
	>"$tmp/t.out" 2>"$tmp/t.err" &
l=$!
started $l
_i=0
while [ ! -s "$tmp/t.sh" ] && [ $_i -lt 400 ]; do sleep 0.05; _i=$((_i + 1)); done
sh=$(awk '{ print $2 }' "$tmp/t.sh")
n_text() { awk -v sh="$sh" '$6 == "/bin/true" && $3 == sh' "$tmp/t.out" | wc -l; }
_i=0
while [ "$(n_text)" -lt $N ] && [ $_i -lt 400 ]; do sleep 0.05; _i=$((_i + 1)); done
touch "$tmp/t.go"
wait $l
rc=$?
reaped $l
[ $rc = 0 ] || fail "trace exec (text) exited $rc: $(cat "$tmp/t.err")"
[ "$(n_text)" = $N ] ||
	fail "trace exec text: not $N rows of /bin/true with ppid $sh unmarked: $(cat "$tmp/t.out")"
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
