#!/bin/sh
# The overhead guard in lden trace and lden top: an event above --max-rate
# stops being sampled, said once; trace prints no more lines for it but
# its summary count is the kernel's, exact; top's rows for it become one
# counted row, and the counts over all the tables add up exactly; lden's
# CPU after the switch stays within the budget; --max-cpu 0 without
# --max-rate never switches; bad values exit 2 with one line.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_cmd jq
need_read_burst
LDEN="$top_builddir/src/lden"
test_tmp

N=3000000
# low enough that the workload passes it even on a loaded machine (an
# ASan read-burst at load 17 made 9,532 reads/s); the rate cases run with
# --max-cpu 0, so that the CPU budget (an ASan lden's, loaded, passes 5%)
# does not act first
LIMIT=2000

# run NAME N CMD OPTS...: read-burst makes N reads; 'lden CMD guard.read
# OPTS' scoped to it, stopped with SIGINT once the reads are done; its
# CPU % from the guard's message (or from release) to the end in $after
run() {
	name=$1 n=$2 cmd=$3
	shift 3
	burst "$name" "$n"
	"$LDEN" "$cmd" guard.read -d "$EVENTS" --pid "$w" "$@" \
		>"$tmp/$name.out" 2>"$tmp/$name.err" &
	tracer=$!
	started $tracer
	# ready: trace says so; top's first table comes once it is attached
	if [ "$cmd" = top ]; then
		wait_for "$tmp/$name.out" '"time"' || fail "$name: no first table"
	else
		wait_for "$tmp/$name.err" '^lden: tracing' || fail "$name: no header"
	fi
	release "$tmp/$name.go"
	# from the switch on (with --max-rate; else from the release)
	case " $* " in
	*" --max-rate "*) wait_for "$tmp/$name.err" '^lden: guard:' ||
		fail "$name: no guard message" ;;
	esac
	join_burst "$tracer"
	stop "$tracer"; reaped "$tracer"
	[ "$rc" = 0 ] || [ "$rc" = 130 ] || fail "$name: lden $cmd exited $rc"
}

# guard_rate NAME: the rate in the one guard message of NAME.err
guard_rate() {
	[ "$(grep -c '^lden: guard:' "$tmp/$1.err")" = 1 ] ||
		fail "$1: want exactly one guard message"
	sed -n "s/^lden: guard: 'guard.read' sampled at \([0-9]*\) events\/s (limit $LIMIT): $2\$/\1/p" "$tmp/$1.err"
}

# 1. trace: lines stop, the count is exact
run tr $N trace --max-rate $LIMIT --max-cpu 0
rate=$(guard_rate tr "no more lines for it, its count goes on")
[ -n "$rate" ] && [ "$rate" -gt $LIMIT ] || fail "trace: unexpected message: $(grep guard "$tmp/tr.err")"
lines=$(grep -c ' guard\.read ' "$tmp/tr.out")
[ "$lines" -gt 0 ] && [ "$lines" -lt $N ] || fail "trace: $lines lines, want some, fewer than $N"
grep -q "^-- guard: 'guard.read' sampled at $rate events/s" "$tmp/tr.out" ||
	fail "trace: no guard line in the output"
count=$(awk '$1 == "guard.read" { print $2 }' "$tmp/tr.err")
[ "$count" = $N ] || fail "trace: summary count '$count', want $N"
grep -Eq "^    lines stopped at [0-9:]{8} by the guard \(rate $rate/s > $LIMIT/s\) after $lines; the count is the kernel's\$" "$tmp/tr.err" ||
	fail "trace: no note under the summary"
within_budget trace
echo "PASS: trace --max-rate $LIMIT: switched once at $rate events/s, $lines lines, summary count exactly $N"

# 2. trace --json: the guard's action inline, as an object
run trj 1000000 trace --json --max-rate $LIMIT --max-cpu 0
[ "$(grep '"guard"' "$tmp/trj.out" | jq -r --argjson l $LIMIT '.guard | "\(.event) \(.reason) \(.limit) \(.rate > $l)"')" = \
  "guard.read rate $LIMIT true" ] || fail "trace --json: no guard object"
echo "PASS: trace --json: {\"guard\":{...}} inline"

# 3. top: rows by pid, then one counted row; the counts add up to N
run top $N top --json -i 0.3 --max-rate $LIMIT --max-cpu 0
rate=$(guard_rate top "its rows stop, one row counts it all from now on")
[ -n "$rate" ] || fail "top: unexpected message: $(cat "$tmp/top.err")"
total=$(jq -s '[.[].rows[] | select(.event == "guard.read") | .count] | add' "$tmp/top.out")
[ "$total" = $N ] || fail "top: the tables count $total, want $N"
[ "$(jq -s '[.[].rows[] | select(.pid == "(all, counted: guard)")] | length > 0' "$tmp/top.out")" = true ] ||
	fail "top: no counted row"
[ "$(jq -s '[.[].rows[] | select(.pid != "(all, counted: guard)")] | length > 0' "$tmp/top.out")" = true ] ||
	fail "top: no row by pid before the switch"
[ "$(tail -n 1 "$tmp/top.out" | jq -r '.guard | map("\(.event) \(.reason) \(.limit) \(.action)") | join(";")')" = \
  "guard.read rate $LIMIT counting" ] || fail "top: the last JSON block does not say what the guard did"
[ "$(head -n 1 "$tmp/top.out" | jq -r 'has("guard")')" = false ] ||
	fail "top: a block before the switch has a guard member"
within_budget top
echo "PASS: top --max-rate $LIMIT: switched once at $rate events/s, the tables add up to exactly $N"

# 3b. top --by comm: the counted row is lden's, not a name (no
# comm_source); the last block has both the guard and the summary
run topc $N top --json -i 0.3 --max-rate $LIMIT --max-cpu 0 --by comm
jq -e -s '[.[].rows[] | select(.comm == "(all, counted: guard)")] |
	length > 0 and all(has("comm_source") | not)' "$tmp/topc.out" >/dev/null ||
	fail "top --by comm: no counted row, or one with a comm_source"
jq -e -s '[.[].rows[] | select(.comm != "(all, counted: guard)")] |
	length > 0 and all(.comm_source == "exact" or .comm_source == "late")' \
	"$tmp/topc.out" >/dev/null || fail "top --by comm: a named row without its source"
tail -n 1 "$tmp/topc.out" | jq -e 'has("guard") and (.summary.names | has("exact"))' >/dev/null ||
	fail "top --by comm: the last block lacks the guard or the summary"
echo "PASS: top --by comm with the guard: the counted row unnamed, the last block with guard and summary"

# 4. a recipe: open --failed on a shell making 100000 failed opens; the
# recipe's sampled tracepoint over the limit (the failed exits: the enters
# go to the recall rings, which cost lden nothing and are not watched) is
# switched, and the summary gives its exact count (100000 failed exits;
# the fifo's open succeeded)
mkfifo "$tmp/sh.go" || exit 99
sh -c 'read x < "$1"; i=0; while [ $i -lt 100000 ]; do true < /nonexistent; i=$((i + 1)); done' \
	sh "$tmp/sh.go" 2>/dev/null &
w=$!
started $w
"$LDEN" trace open --failed --pid "$w" --max-rate 5000 >"$tmp/rec.out" 2>"$tmp/rec.err" &
tracer=$!
started $tracer
wait_for "$tmp/rec.err" '^lden: tracing recipe open' || fail "recipe: no header"
# the guard judges a rate over a whole second of lden's: a burst over
# before then is never judged
lden_second $tracer || fail "recipe: lden did not run"
release "$tmp/sh.go"
join "$w"
stop "$tracer"; reaped "$tracer"
[ "$(grep -c "^lden: guard: 'syscalls:sys_exit_openat' sampled at [0-9]* events/s (limit 5000): no more lines for it, its count goes on\$" "$tmp/rec.err")" = 1 ] ||
	fail "recipe: want one guard message for sys_exit_openat"
grep -q "^lden: guard: 'syscalls:sys_enter" "$tmp/rec.err" &&
	fail "recipe: the guard switched a recalled enter"
[ "$(awk '$1 == "syscalls:sys_exit_openat" { print $2 }' "$tmp/rec.err")" = 100000 ] ||
	fail "recipe: want the kernel's count of 100000 failed openat exits"
lines=$(grep -c ' ENOENT' "$tmp/rec.out")
[ "$lines" -lt 100000 ] || fail "recipe: $lines lines, want fewer than 100000"
echo "PASS: trace open --failed --max-rate 5000: openat's failed exits switched once, $lines lines, 100000 counted exactly"

# 5. no limits: never switched, every read a line
# few enough that the rings hold them all even when lden reads slowly
run free 20000 trace --max-cpu 0
if grep -v '^lden: \(tracing\|trace stopped\)\|^  ' "$tmp/free.err" | grep -q .; then
	fail "no limits: lden said something: $(cat "$tmp/free.err")"
fi
[ "$(awk '$1 == "lost" { print $3 }' "$tmp/free.err")" = 0 ] || fail "no limits: records lost"
[ "$(grep -c ' guard\.read ' "$tmp/free.out")" = 20000 ] || fail "no limits: want 20000 lines"
echo "PASS: trace --max-cpu 0: no switch, 20000 lines"

# 6. bad values: one line, exit 2, for both commands
for cmd in trace top; do
	"$LDEN" $cmd task.create --max-rate 0 >"$tmp/e.out" 2>"$tmp/e.err"
	rc=$?
	[ "$rc" = 2 ] || fail "$cmd --max-rate 0: exit $rc, want 2"
	[ "$(cat "$tmp/e.err")" = "lden: $cmd: invalid --max-rate value '0' (expected events per second, a positive integer)" ] ||
		fail "$cmd --max-rate 0: $(cat "$tmp/e.err")"
	"$LDEN" $cmd task.create --max-cpu 101 >"$tmp/e.out" 2>"$tmp/e.err"
	rc=$?
	[ "$rc" = 2 ] || fail "$cmd --max-cpu 101: exit $rc, want 2"
	drop_sweep "$tmp/e.err"
	[ "$(wc -l <"$tmp/e.err")" = 1 ] || fail "$cmd --max-cpu 101: not one line"
done
echo "PASS: bad --max-rate and --max-cpu values exit 2 with one line"
