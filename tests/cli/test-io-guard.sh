#!/bin/sh
# lden io scoped to a cgroup (exactly the calls made inside it), and its
# overhead guard: a syscall above --max-rate is switched to counting, said
# once; its lines stop but the statistics give its exact number of calls;
# lden's CPU after the switch stays within the budget; no limits, no
# switch; bad values exit 2 with one line.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_cmd jq
need_read_burst
LDEN="$top_builddir/src/lden"
test_tmp
cg=""
trap 'test_cleanup; [ -z "$cg" ] || rmdir "$cg" 2>/dev/null' EXIT


# reads FILE: the per-call JSON lines of read(2) calls of $SIZE bytes
reads() {
	jq -c "select(.type == \"call\" and .syscall == \"read\" and .ret == $SIZE)" "$1" | wc -l
}

# 1. --cgroup: a fresh cgroup v2 directory holding one read-burst; another
# outside makes more reads of the same size at the same time
root=/sys/fs/cgroup/unified
[ -d "$root" ] || root=/sys/fs/cgroup
if [ -f "$root/cgroup.procs" ] && grep -q cgroup2 /proc/mounts; then
	cg="$root/lden-test-io-guard-$$"
	mkdir "$cg" || fail "mkdir $cg"
	burst in 3000; inside=$w
	burst out 5000; outside=$w
	echo "$inside" > "$cg/cgroup.procs" || fail "moving $inside into $cg"
	"$LDEN" io --json --cgroup "$cg" >"$tmp/cg.out" 2>"$tmp/cg.err" &
	tracer=$!
	started $tracer
	wait_for "$tmp/cg.err" '^lden: tracing' || fail "--cgroup: no header"
	grep -q "^lden: tracing file I/O of cgroup $cg" "$tmp/cg.err" ||
		fail "--cgroup: the header does not name the cgroup"
	release "$tmp/in.go"; release "$tmp/out.go"
	join "$inside"; join "$outside"
	stop "$tracer"; reaped "$tracer"
	[ "$rc" = 0 ] || fail "--cgroup: exit $rc"
	got=$(reads "$tmp/cg.out")
	[ "$got" = 3000 ] || fail "--cgroup: $got reads of $SIZE bytes, want the 3000 made inside"
	[ "$(jq -r "select(.type == \"call\" and .ret == $SIZE) | .pid" "$tmp/cg.out" | sort -u)" = "$inside" ] ||
		fail "--cgroup: calls of another process"
	rmdir "$cg" && cg=""
	echo "PASS: --cgroup: exactly the 3000 reads made inside (5000 outside at the same time)"
else
	echo "SKIP: no cgroup v2 hierarchy for --cgroup"
fi

# 2. --max-rate: read is switched once; its lines stop; the statistics
# count every call; lden's CPU after the switch is within the budget
N=8000000
burst go $N
"$LDEN" io --json --pid "$w" --max-rate 50000 --flamegraph "$tmp/rate.svg" \
	>"$tmp/rate.out" 2>"$tmp/rate.err" &
tracer=$!
started $tracer
wait_for "$tmp/rate.err" '^lden: tracing' || fail "--max-rate: no header"
release "$tmp/go.go"
wait_for "$tmp/rate.err" '^lden: guard:' || fail "--max-rate: no guard message"
# lden's CPU is measured from 1.5 s after the switch: until then it reads
# what the rings took before it (a second of 500,000 reads/s), which the
# switch cannot make cheaper; the burst's rest is still counted then
sleep 1.5
join_burst "$tracer"
stop "$tracer"; reaped "$tracer"
[ "$rc" = 0 ] || fail "--max-rate: exit $rc"
[ "$(grep -c '^lden: guard:' "$tmp/rate.err")" = 1 ] || fail "--max-rate: want one guard message"
rate=$(sed -n "s/^lden: guard: 'read' sampled at \([0-9]*\) events\/s (limit 50000): its calls are counted only from now on\$/\1/p" "$tmp/rate.err")
[ -n "$rate" ] && [ "$rate" -gt 50000 ] || fail "--max-rate: unexpected message: $(grep guard "$tmp/rate.err")"
lines=$(reads "$tmp/rate.out")
[ "$lines" -gt 0 ] && [ "$lines" -lt $N ] || fail "--max-rate: $lines read lines, want some, fewer than $N"
# the other reads (the fifo's line) were traced before the switch
other=$(jq -c 'select(.type == "call" and .syscall == "read")' "$tmp/rate.out" | grep -vc "\"ret\":$SIZE[,}]")
stats=$(tail -n 1 "$tmp/rate.out")
[ "$(echo "$stats" | jq -r '.counted.read')" = $((N + other)) ] ||
	fail "--max-rate: counted $(echo "$stats" | jq -r '.counted.read') reads, want $N + $other"
[ "$(echo "$stats" | jq -r '.guard | map("\(.event) \(.reason) \(.limit)") | join(";")')" = "read rate 50000" ] ||
	fail "--max-rate: the stats' guard: $(echo "$stats" | jq -c .guard)"
grep -Eq "^  read: switched to counting at [0-9:]{8} by the guard \(rate $rate/s > 50000/s\); $((N + other)) calls in all\$" "$tmp/rate.err" ||
	fail "--max-rate: no guard line in the statistics"
within_budget "--max-rate"
# the flame graph says its reads stop at the switch
grep -q '<text id="notes"[^>]*>incomplete: \(.*; \)\{0,1\}the guard switched read to counting: later calls missing</text>' \
	"$tmp/rate.svg" || fail "--max-rate: the flame graph does not say it lacks the later reads"
echo "PASS: --max-rate 50000: read switched once at $rate events/s, $lines lines, $((N + other)) calls counted exactly; the flame graph says what it lacks"

# 3. no limits: no switch, every read a line
# few enough that the rings hold them all even when lden reads slowly
# (ASan): about 1 MB of records
burst free 5000
"$LDEN" io --json --pid "$w" --max-cpu 0 >"$tmp/free.out" 2>"$tmp/free.err" &
tracer=$!
started $tracer
wait_for "$tmp/free.err" '^lden: tracing' || fail "no limits: no header"
release "$tmp/free.go"
join "$w"
stop "$tracer"; reaped "$tracer"
! grep -q 'guard' "$tmp/free.err" || fail "no limits: the guard acted"
[ "$(tail -n 1 "$tmp/free.out" | jq -r .lost)" = 0 ] || fail "no limits: records lost"
[ "$(reads "$tmp/free.out")" = 5000 ] || fail "no limits: want 5000 read lines"
echo "PASS: --max-cpu 0: no switch, 5000 read lines"

# 4. bad values
check() {	# want args...
	want=$1; shift
	"$LDEN" io "$@" >"$tmp/e.out" 2>"$tmp/e.err"
	rc=$?
	[ "$rc" = 2 ] || fail "io $*: exit $rc, want 2"
	[ "$(cat "$tmp/e.err")" = "$want" ] || fail "io $*: got '$(cat "$tmp/e.err")', want '$want'"
}
check "lden: io: invalid --max-rate value 'x' (expected events per second, a positive integer)" --max-rate x
check "lden: io: invalid --max-cpu value '-1' (expected a percentage of one CPU, 0 to 100)" --max-cpu -1
check "lden: io: cannot use cgroup '/nonexistent': No such file or directory" --cgroup /nonexistent
check "lden: io: choose one of --pid, --cgroup, --container and -- COMMAND" --cgroup /sys/fs/cgroup --pid $$
echo "PASS: bad --max-rate, --max-cpu and --cgroup values exit 2 with one line"
