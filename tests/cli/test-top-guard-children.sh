#!/bin/sh
# lden top --pid P --children with the guard: its tables must add up to
# every event of the tasks, before the switch (rows by pid, one sample
# each) and after it (one row, the kernel's count).  The workload forks
# two children that each open /etc/hostname N times; --max-rate switches
# the event to counting while both run.  Before the fix the tables came
# out short by one event for each fork seen before the switch (2 here;
# hundreds with --comm), unsaid: lden_evlist__index() took the process
# tracker's task_newtask samples for the event's, so the guard's baseline
# (the samples counted) held more than the rows did.
set -u
. "$top_srcdir/tests/cli/lib.sh"
live_tmp jq python3
need_syscall_tp sys_enter_openat

N=200000
mkdir "$tmp/ev"
printf 'event my.open\n\tdescribe\topens\n\ttracepoint\tsyscalls:sys_enter_openat\n' \
	>"$tmp/ev/o.events"
cat >"$tmp/kids.py" <<'PY'
import os, sys
n = int(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
kids = []
for k in range(2):
    pid = os.fork()
    if pid == 0:
        for i in range(n):
            os.close(os.open("/etc/hostname", os.O_RDONLY))
        os._exit(0)
    kids.append(pid)
for p in kids:
    os.waitpid(p, 0)
print("done", flush=True)
PY

workload k python3 "$tmp/kids.py" $N
lden_bg top '^{' top my.open -d "$tmp/ev" --json -i 0.3 --max-rate 2000 --max-cpu 0 \
	--pid $wpid --children
release_workload k
# every table until the kernel's count has settled: one more after it
sum() { jq -s '[.[].rows[].count] | add // 0' "$tmp/top.out" 2>/dev/null; }
until_equal sum $((2 * N))
kill -INT $l
join $l
exec 8>&-
[ $rc = 0 ] || fail "top: exit $rc"
grep -q "its rows stop, one row counts it all from now on" "$tmp/top.err" ||
	fail "top: the guard did not switch (no message)"
jq -e -s '[.[].rows[] | select(.pid == "(all, counted: guard)")] | length > 0' \
	"$tmp/top.out" >/dev/null || fail "top: no counted row"
jq -e -s '[.[].rows[] | select(.pid != "(all, counted: guard)")] | length > 0' \
	"$tmp/top.out" >/dev/null || fail "top: no row by pid before the switch"
total=$(sum)
[ "$total" = $((2 * N)) ] ||
	fail "top: the tables count $total, want $((2 * N)) (lost said: $(jq -s '[.[].lost] | add' "$tmp/top.out"))"
echo "PASS: top --children with the guard: the tables add up to exactly $((2 * N))"
