#!/bin/sh
# The overhead guard of lden notify: a sampled source above --max-rate (or
# lden above --max-cpu) is switched to counting, said once, shown in the
# report and the JSON; the count stays exact across the switch, and lden's
# own CPU stays within its budget afterwards.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_cmd jq
need_read_burst
LDEN="$top_builddir/src/lden"
test_tmp

MARGIN=2		# percentage points over --max-cpu lden may use

# 1. --max-rate: the source is switched once, the count stays exact, and
# lden's CPU after the switch (from /proc) is within the default budget.
N=8000000
burst go1 $N
notify_bg rate "size(guard.read) > 1e18" -d "$EVENTS" -t 120 \
	--max-rate 50000 -p "$w"
tracer=$n
release "$tmp/go1.go"
wait_for "$tmp/rate.err" '^lden: guard:' || fail "--max-rate: no guard message"
join_burst "$tracer"
stop "$tracer"; reaped "$tracer"
[ "$rc" = 130 ] || fail "--max-rate: exit $rc after SIGINT, want 130"
[ "$(grep -c '^lden: guard:' "$tmp/rate.err")" = 1 ] || fail "--max-rate: the guard spoke more than once"
msg=$(grep '^lden: guard:' "$tmp/rate.err")
rate=$(echo "$msg" | sed -n "s/^lden: guard: 'guard.read' sampled at \([0-9]*\) events\/s (limit 50000): counted from now on, its size is no longer updated (size(guard.read) keeps its last value, [0-9]*)\$/\1/p")
[ -n "$rate" ] || fail "--max-rate: unexpected message: $msg"
[ "$rate" -gt 50000 ] || fail "--max-rate: rate $rate is not above the limit"
row=$(awk '$1 == "guard.read" && $2 ~ /^[0-9]+$/ { print $2, $3 }' "$tmp/rate.out")
[ "$row" = "$N -" ] || fail "--max-rate: row '$row', want count $N and size '-'"
grep -Eq "^  guard\.read: size stopped at [0-9]{2}:[0-9]{2}:[0-9]{2} by the guard \(rate $rate/s > 50000/s\); it was [0-9]+ then\$" "$tmp/rate.out" ||
	fail "--max-rate: no note under the table"
within_budget "--max-rate"
echo "PASS: --max-rate 50000: switched once at $rate events/s, count exactly $N, size '-' and the note, lden ${after}% CPU after"

# 2. -- COMMAND with two children, one running at the switch and one
# started after it: every read counted; the JSON says what the guard did.
"$LDEN" notify "size(guard.read) > 1e18" -d "$EVENTS" --json -t 120 --max-rate 50000 \
	-- sh -c "'$RB' 3000000 $SIZE && '$RB' 1000000 $SIZE" >"$tmp/cmd.out" 2>"$tmp/cmd.err"
rc=$?
[ "$rc" = 1 ] || fail "-- COMMAND: exit $rc, want 1 (command ended, condition not met)"
[ "$(grep -c '^lden: guard:' "$tmp/cmd.err")" = 1 ] || fail "-- COMMAND: want one guard message"
rate=$(sed -n "s/^lden: guard: 'guard.read' sampled at \([0-9]*\) events.*/\1/p" "$tmp/cmd.err")
[ "$(jqv "$tmp/cmd.out" '"\(.reason) \(.command_status)"')" = "command 0" ] || fail "-- COMMAND: end object"
[ "$(jqv "$tmp/cmd.out" '.events[0].count')" = 4000000 ] || fail "-- COMMAND: count is not exactly 4000000"
[ "$(jqv "$tmp/cmd.out" '.events[0].size_valid')" = false ] || fail "-- COMMAND: size_valid is not false"
size=$(jqv "$tmp/cmd.out" '.events[0].size')
[ $((size % SIZE)) = 0 ] && [ "$size" -gt 0 ] && [ "$size" -lt $((4000000 * SIZE)) ] ||
	fail "-- COMMAND: frozen size $size is not a part of the reads"
[ "$(jqv "$tmp/cmd.out" '.guard | length')" = 1 ] || fail "-- COMMAND: want one guard action"
[ "$(jqv "$tmp/cmd.out" '.guard[0] | "\(.event) \(.action) \(.reason) \(.limit) \(.rate) \(.size) \(.at > 0.9)"')" = \
  "guard.read counting rate 50000 $rate $size true" ] || fail "-- COMMAND: wrong guard action"
self=$(jqv "$tmp/cmd.out" '.self.cpu_pct')
awk -v a="$self" -v m=$((5 + MARGIN)) 'BEGIN { exit !(a <= m) }' ||
	fail "-- COMMAND: self.cpu_pct $self over the budget"
[ "$(jqv "$tmp/cmd.out" '.self.rates["guard.read"] > 0')" = true ] || fail "-- COMMAND: no self.rates"
echo "PASS: -- COMMAND: 3000000 + 1000000 reads by two children counted exactly across the switch; JSON guard action, size_valid false, self.cpu_pct $self"

# 2b. --pid A,B: one source over both processes, switched once as one
burst go2a 2000000; wa=$w
burst go2b 1000000; wb=$w
notify_bg pids "size(guard.read) > 1e18" -d "$EVENTS" -t 120 \
	--max-rate 50000 -p "$wa,$wb"
release "$tmp/go2a.go"; release "$tmp/go2b.go"
join "$wa"; rca=$rc
join "$wb"
[ "$rca" = 0 ] && [ "$rc" = 0 ] || fail "read-burst failed"
stop "$n"; reaped "$n"
[ "$(grep -c "^lden: guard: 'guard.read' sampled at" "$tmp/pids.err")" = 1 ] || fail "--pid A,B: want one guard message"
row=$(awk '$1 == "guard.read" && $2 ~ /^[0-9]+$/ { print $2, $3 }' "$tmp/pids.out")
[ "$row" = "3000000 -" ] || fail "--pid A,B: row '$row', want 3000000 and '-'"
echo "PASS: --pid A,B: 2000000 + 1000000 reads, one source, switched once, counted exactly"

# 3. --max-cpu: lden over its CPU budget for a whole window switches the
# busiest sampled source, never a counted one (reads for 8 s)
"$LDEN" notify "size(guard.read) > 1e18 or count(task.create) > 1e9" -d "$EVENTS" \
	--json -t 120 --max-cpu 0.2 -- timeout 8 "$RB" 0 $SIZE >"$tmp/cpu.out" 2>"$tmp/cpu.err"
grep -Eq "^lden: guard: lden used [0-9.]+% of a CPU(, [0-9.]+% of it in the traced tasks for its samples \([0-9]+ ns each\))? \(limit 0.2%\): 'guard.read', the busiest sampled source at [0-9]+ events/s, counted from now on" "$tmp/cpu.err" ||
	fail "--max-cpu: unexpected message: $(cat "$tmp/cpu.err")"
[ "$(jqv "$tmp/cpu.out" '.guard[0] | "\(.event) \(.reason) \(.limit) \(.cpu_pct > 0.2) \(.at >= 2.9)"')" = \
  "guard.read cpu 0.2 true true" ] || fail "--max-cpu: wrong guard action"
[ "$(jqv "$tmp/cpu.out" '.guard | length')" = 1 ] || fail "--max-cpu: counted events are never switched"
echo "PASS: --max-cpu 0.2: after a whole 3 s window over budget, the sampled source (not the counted one) is switched"

# 3b. The kernel's share: sampling is paid for in the traced task, which
# writes each record; lden itself barely works.  The guard counts that
# share (rate x the cost of a sample beyond a count, measured at the start)
# against --max-cpu, and acts on a workload that lden's samples slow down
# while lden's own CPU is within budget (once, it never did).  The model is
# checked against the workload's own CPU time per read: bare, counted and
# sampled, the best of three runs each.
per_read() {	# what: the workload's CPU ns per read, best of 3
	_best=""
	for _i in 1 2 3; do
		rm -f "$tmp/cpu.ns"
		case $1 in
		bare) READ_BURST_CPU="$tmp/cpu.ns" "$RB" 500000 $SIZE ;;
		*) READ_BURST_CPU="$tmp/cpu.ns" "$LDEN" notify "$1(guard.read) > 1e18" \
			-d "$EVENTS" --max-cpu 0 -t 120 -- "$RB" 500000 $SIZE \
			>/dev/null 2>&1 ;;
		esac
		_v=$(cat "$tmp/cpu.ns") || fail "kernel share: no CPU time from the workload"
		_best=$(awk -v a="$_v" -v b="$_best" 'BEGIN { print (b == "" || a < b) ? a : b }')
	done
	echo "$_best"
}
# (reads for 6 s: the CPU budget is judged over whole 3 s windows, and a
# fixed 3,000,000 reads took 2.2 s on a quiet machine, never judged; on
# the perf ring, whose samples the switch saves: on the ftrace ring the
# records are the count, and stay)
"$LDEN" notify "size(guard.read) > 1e18" -d "$EVENTS" --json -t 120 --ring perf \
	-- timeout 6 "$RB" 0 $SIZE >"$tmp/kern.out" 2>"$tmp/kern.err"
if grep -q '^lden: guard:' "$tmp/kern.err"; then
	grep -Eq "^lden: guard: lden used [0-9.]+% of a CPU, [0-9.]+% of it in the traced tasks for its samples \([0-9]+ ns each\) \(limit 5%\): 'guard.read'" "$tmp/kern.err" ||
		fail "kernel share: the guard message does not name it: $(cat "$tmp/kern.err")"
	act=$(jqv "$tmp/kern.out" '.guard[0] | "\(.reason) \(.own_pct) \(.kernel_pct) \(.cpu_pct) \(.sample_ns)"')
	set -- $act
	[ "$1" = cpu ] || fail "kernel share: the guard did not act on CPU ($act)"
	# what it judged is the sum, over the budget, with a kernel share
	awk -v own="$2" -v k="$3" -v t="$4" 'BEGIN {
		d = t - own - k; exit !(k > 0 && t > 5 && d < 0.02 && d > -0.02) }' ||
		fail "kernel share: want own + kernel = total > 5%, kernel > 0 (own $2, kernel $3, total $4)"
	# lden's own CPU under the budget shows the kernel's share made the
	# difference (2.6-2.8% in the suite here); lden's own work is no constant
	# (at load 2-3 with a suite beside it: 5.12%, with 57.95% the
	# kernel's; under AddressSanitizer some three times as much): said
	if awk -v own="$2" 'BEGIN { exit !(own < 5) }'; then
		acted="the guard acted on the kernel's share ($3% for samples of $5 ns, lden's own $2%, under the 5% alone)"
	else
		acted="the guard acted at $4% ($3% the kernel's for samples of $5 ns; lden's own $2% was over 5% alone this run: the kernel's share not shown to decide)"
	fi
else
	# A loaded machine gives the workload too little CPU for its reads
	# to cost 5%: then the run's own figures must say the budget was not
	# reached (the reads' rate times a sample's cost, and lden's CPU),
	# or the guard failed to act.
	set -- $(jqv "$tmp/kern.out" '"\(.events[0].speed) \(.self.rates["guard.read"]) \(.self.source_ns["guard.read"].ns) \(.self.cpu_pct)"')
	awk -v a="$1" -v b="$2" -v ns="$3" -v own="$4" 'BEGIN {
		r = a > b ? a : b; exit !(ns > 0 && r * ns / 1e7 + own < 5) }' ||
		fail "kernel share: no guard action at $1 reads/s (last window $2), samples of $3 ns, lden's own $4%: over the 5% budget"
	acted="the guard rightly did not act: a loaded machine ran the reads at $1/s, samples of $3 ns and lden's own $4% stay under 5%"
	set -- x x x x "$3"
fi
model=$5
bare=$(per_read bare); counted=$(per_read count); sampled=$(per_read size)
echo "  a read: $bare ns bare, $counted counted, $sampled sampled; the guard's model: $model ns a sample beyond a count"
# the model against what the workload paid is a comparison of timings:
# said here, not asserted (two timings of a workload beside another test
# under make -j2 check can come out in either order: counted 1937 ns a
# read against sampled 1709 was seen): a timing is for bench/, not a test
echo "PASS: $acted"

# 4. Without limits: no message, the size is whole
"$LDEN" notify "size(guard.read) > 1e18" -d "$EVENTS" --json -t 120 \
	--max-rate 1000000000 --max-cpu 0 -- "$RB" 500000 $SIZE >"$tmp/free.out" 2>"$tmp/free.err"
[ ! -s "$tmp/free.err" ] || fail "no limits: lden said something: $(cat "$tmp/free.err")"
# (on a loaded machine lden may be off its CPU long enough for its ring
# to fill: then the size is short by exactly the lost records' bytes, and
# says how many; 1,887 of 500,000 once at load 8 with four suites running)
set -- $(jqv "$tmp/free.out" '.events[0] | "\(.count) \(.size) \(.size_valid) \(.lost)"')
[ $# = 4 ] && [ "$1 $3" = "500000 true" ] && [ "$2" = $(((500000 - $4) * SIZE)) ] ||
	fail "no limits: want 500000 reads, the bytes of all but the lost, size_valid: $*"
[ "$(jqv "$tmp/free.out" '.guard | length')" = 0 ] || fail "no limits: a guard action"
echo "PASS: with --max-rate 1e9 --max-cpu 0, nothing switched: 500000 reads, $2 bytes ($4 lost, said)"

# 4b. A guard that cannot act costs no twin: the command, started once
# everything is attached, counts lden's perf event fds; the counting twin
# of the one sampled tracepoint is one fd per CPU (on the perf ring: the
# ftrace ring has none, test-no-twin.sh).  Compared with a rate
# limit alone (twins, no CPU budget): a CPU budget also measures what a
# sample costs, in a thread with two perf fds of its own for a moment,
# which a loaded machine's command can see.
perf_fds() {
	"$LDEN" notify "size(guard.read) > 1e18" -d "$EVENTS" -t 120 --ring perf "$@" -- \
		sh -c 'echo "fds=$(ls -l /proc/$PPID/fd | grep -c perf_event)"' 2>"$tmp/fds.err" |
		sed -n "s/^fds=//p"
}
# (a guard on by --max-rate alone: a CPU budget would measure a sample's
# cost in a thread, whose perf events may be open at that moment)
on=$(perf_fds --max-rate 1000000000 --max-cpu 0)
off=$(perf_fds --max-cpu 0)
[ "$((on - off))" = "$(getconf _NPROCESSORS_ONLN)" ] ||
	fail "twins: $on perf fds with --max-rate 1e9, $off with --max-cpu 0 alone; want $(getconf _NPROCESSORS_ONLN) fewer"
echo "PASS: --max-cpu 0 without --max-rate opens no counting twin ($on perf fds -> $off)"

# 5. Bad budgets: one line, exit 2
check_err() {	# expected-line args...
	want=$1; shift
	"$LDEN" notify "count(task.create) > 1" "$@" >"$tmp/e.out" 2>"$tmp/e.err"
	rc=$?
	[ "$rc" = 2 ] || fail "notify $*: exit $rc, want 2"
	[ "$(cat "$tmp/e.err")" = "$want" ] || fail "notify $*: got '$(cat "$tmp/e.err")', want '$want'"
}
for v in 0 -1 abc 10x ""; do
	check_err "lden: notify: invalid --max-rate value '$v' (expected events per second, a positive integer)" --max-rate "$v"
done
for v in 150 -1 abc 100.5 nan; do
	check_err "lden: notify: invalid --max-cpu value '$v' (expected a percentage of one CPU, 0 to 100)" --max-cpu "$v"
done
check_err "lden: notify: option '--max-cpu' needs a value" --max-cpu
echo "PASS: bad --max-rate and --max-cpu values exit 2 with one line"
