#!/bin/sh
# --pid P is the process P: every thread alive at the start and every
# thread it creates later, not its child processes (--children adds
# them); a thread named alone is that thread.  One workload
# (pid-threads.py, 20 idle threads besides) makes 100 + 50 + 25 getppid
# calls in threads alive at the start, 10 in a thread created after
# lden's header, 7 in a child process: notify, top and trace count 185,
# --children 192, a thread named alone its own 50; without
# inherit_thread (before Linux 5.13, stood in for by
# LDEN_TEST_NO_INHERIT_THREAD) 175 and a line saying so.  A soft limit on
# open files too low for a perf event per thread and CPU is raised; a
# hard one is a clear error.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_cmd jq python3
LDEN="$top_builddir/src/lden"
EV=syscalls:sys_enter_getppid
[ -r "$T/events/syscalls/sys_enter_getppid/id" ] ||
	{ echo "SKIP: no $EV"; exit 77; }
setup_tmp

# the COUNT column of EV's row in a notify table
count_of() {
	awk -v ev="$EV" '$1 == ev { print $2 }' "$1" | tail -n 1
}

workload w python3 "$top_srcdir/tests/cli/pid-threads.py" 20
wp=$wpid
# the thread of 50 calls
t50=$(awk '/^tids / { print $3 }' "$tmp/w.tgt")
[ -n "$t50" ] || fail "the workload printed no thread ids"

notify_bg pid "count($EV) > 100000" -t 120 -p "$wp"
npid=$n
notify_bg kids "count($EV) > 100000" -t 120 -p "$wp" --children
nkids=$n
notify_bg tid "count($EV) > 100000" -t 120 -p "$t50"
ntid=$n
grep -qx "  in thread $t50 of process $wp" "$tmp/tid.out" ||
	fail "--pid TID: the header does not say it is a thread of $wp"
LDEN_TEST_NO_INHERIT_THREAD=1 "$LDEN" notify "count($EV) > 100000" -t 120 -p "$wp" \
	>"$tmp/old.out" 2>"$tmp/old.err" &
nold=$!
started $nold
wait_for "$tmp/old.out" "^lden: watching " || fail "old: no header"
# soft limit 40, hard 4096: 23 threads on each CPU need more, raised
(ulimit -Sn 40 && ulimit -Hn 4096 && exec "$LDEN" notify "count($EV) > 100000" \
	-t 120 -p "$wp") >"$tmp/soft.out" 2>"$tmp/soft.err" &
nsoft=$!
started $nsoft
wait_for "$tmp/soft.out" '^lden: watching ' || fail "soft limit: no header"
# the guard off: these count every sample (test-trace-guard.sh)
"$LDEN" top "$EV" --pid "$wp" --by comm -i 0.3 --json -t 120 --max-cpu 0 \
	>"$tmp/top.out" 2>"$tmp/top.err" &
tp=$!
started $tp
"$LDEN" trace "$EV" --pid "$wp" -t 120 --max-cpu 0 \
	>"$tmp/trace.out" 2>"$tmp/trace.err" &
trp=$!
started $trp
wait_for "$tmp/top.out" '"rows"' || fail "top: no first block"
wait_for "$tmp/trace.err" '^lden: tracing' || fail "trace: no header"

# a hard limit too low: one line naming the cause, nothing attached
(ulimit -n 40 && exec timeout 60 "$LDEN" notify "count($EV) > 100000" -t 120 -p "$wp") \
	>"$tmp/hard.out" 2>"$tmp/hard.err"
rc=$?
[ "$rc" = 1 ] || fail "hard limit: exit $rc, want 1"
grep -q "^lden: .*too many open files opening '$EV': a perf event per thread, CPU and event" \
	"$tmp/hard.err" || fail "hard limit: no line saying why"

release_workload w
# every lden has the later thread's and the child's calls: the workload
# made them before it said done

until_jq "$tmp/top.out" "[.[].rows[] | select(.event == \"$EV\") | .count] | add == 185" ||
	fail "top: not 185 calls"
for p in $npid $nkids $ntid $nold $nsoft $tp $trp; do
	kill -INT "$p"
done
for p in $npid $nkids $ntid $nold $nsoft $tp $trp; do
	join "$p"
	[ "$rc" = 130 ] || [ "$rc" = 0 ] || fail "lden $p: exit $rc after SIGINT"
done
exec 8>&-

c=$(count_of "$tmp/pid.out")
[ "$c" = 185 ] || fail "--pid: $c calls, want 100 + 50 + 25 + 10 = 185"
echo "PASS: notify --pid counts 185: 3 threads alive at the start, one created later, not the child"
c=$(count_of "$tmp/kids.out")
[ "$c" = 192 ] || fail "--pid --children: $c calls, want 185 + the child's 7"
echo "PASS: notify --pid --children counts 192, the child's 7 too"
c=$(count_of "$tmp/tid.out")
[ "$c" = 50 ] || fail "--pid TID: $c calls, want the thread's 50"
echo "PASS: notify --pid TID counts the thread's own 50"
c=$(count_of "$tmp/old.out")
[ "$c" = 175 ] || fail "--pid without inherit_thread: $c calls, want the 175 of the threads alive at the start"
grep -qx 'lden: threads created after start are not counted: the kernel lacks inherit_thread (Linux 5.13)' \
	"$tmp/old.err" || fail "without inherit_thread: no line saying so"
grep -q 'inherit_thread' "$tmp/pid.err" "$tmp/kids.err" &&
	fail "with inherit_thread: a line says it lacks it"
echo "PASS: without inherit_thread: the 175 of the threads alive at the start, and a line saying so"
c=$(count_of "$tmp/soft.out")
[ "$c" = 185 ] || fail "soft limit: $c calls, want 185"
echo "PASS: a soft limit on open files too low is raised (185); a hard one is one line, exit 1"

top_n=$(grep '^{' "$tmp/top.out" | jq -s "[.[].rows[] | select(.event == \"$EV\") | .count] | add")
[ "$top_n" = 185 ] || fail "top: $top_n calls at the end, want 185"
grep -q 'lost\|missed' "$tmp/top.err" && fail "top: says it lost some"
echo "PASS: top --pid counts 185 sampled calls"

lines=$(grep -c "$EV" "$tmp/trace.out")
summary=$(sed -n "s/^  $EV  *//p" "$tmp/trace.err")
[ "$lines" = 185 ] || fail "trace: $lines lines, want 185"
[ "$summary" = 185 ] || fail "trace: its summary says '$summary', want 185"
echo "PASS: trace --pid shows 185 lines, its summary 185"
