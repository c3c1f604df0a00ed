#!/bin/sh
# notify with its defaults (the overhead guard on) samples a size on the
# ftrace ring without a counting twin: the records are the count.  lden
# holds no perf event for it (a perf counter on a tracepoint costs the
# kernel nearly what the record does, every hit), before the guard's
# switch or after it; at the switch (--max-rate) the records go on,
# counted and no longer read for the size, so the count stays exact.
# The workload knows its count: read-burst's N reads of 4091 bytes, the
# only reads of that size here (its own catalog), system-wide as the ftrace
# ring is.  Old code: a twin, one perf fd per CPU.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_read_burst
LDEN="$top_builddir/src/lden"
test_tmp
N=4000000
# low enough that the workload passes it even on a loaded machine
# (test-trace-guard.sh)
LIMIT=2000

perf_fds() {
	ls -l "/proc/$1/fd" | grep -c 'anon_inode:\[perf_event\]'
}

# its own reads only: of a size of their own (guard.events' 4093 is the
# other guard tests') and of its pid, as the ring is system-wide and a
# suite runs tests side by side (a full suite counted 4000001)
SIZE=4091
burst go $N
EVENTS=$tmp
printf 'event guard.read\n\tdescribe\tread(2) calls of %s bytes by %s\n\ttracepoint\tsyscalls:sys_enter_read if count == %s && common_pid == %s\n\tsize\tcount\n' \
	$SIZE $w $SIZE $w >"$EVENTS/guard.events"
notify_bg ft "size(guard.read) > 1e18" -d "$EVENTS" -t 120 --max-rate $LIMIT
tracer=$n
grep -q '^  guard\.read .*(sampling, for size: ftrace ring' "$tmp/ft.out" || {
	echo "SKIP: guard.read is not sampled on the ftrace ring here: $(grep guard.read "$tmp/ft.out")"
	exit 77
}
fds=$(perf_fds "$tracer")
[ "$fds" = 0 ] || fail "attached: $fds perf fds, want none (no twin)"
release "$tmp/go.go"
wait_for "$tmp/ft.err" '^lden: guard:' || fail "no guard message"
fds=$(perf_fds "$tracer")
[ "$fds" = 0 ] || fail "switched: $fds perf fds, want none"
join_burst "$tracer"
stop "$tracer"; reaped "$tracer"
[ "$rc" = 130 ] || fail "exit $rc after SIGINT, want 130"
[ "$(grep -c '^lden: guard:' "$tmp/ft.err")" = 1 ] || fail "the guard spoke more than once"
size=$(sed -n "s/^lden: guard: 'guard.read' sampled at [0-9]* events\/s (limit $LIMIT): counted from now on, its size is no longer updated (size(guard.read) keeps its last value, \([0-9]*\))\$/\1/p" "$tmp/ft.err")
[ -n "$size" ] || fail "unexpected guard message: $(cat "$tmp/ft.err")"
[ $((size % SIZE)) = 0 ] && [ "$size" -gt 0 ] && [ "$size" -le $((N * SIZE)) ] ||
	fail "frozen size $size is not a part of the reads"
row=$(awk '$1 == "guard.read" && $2 ~ /^[0-9]+$/ { print $2, $3, NF }' "$tmp/ft.out")
[ "$row" = "$N - 4" ] || fail "row '$row', want count $N, size '-' and no LOST column: $(cat "$tmp/ft.out")"
grep -Eq "^  guard\.read: size stopped at [0-9:]{8} by the guard \(rate [0-9]+/s > $LIMIT/s\); it was $size then\$" "$tmp/ft.out" ||
	fail "no note under the table"
! grep -Eq 'MISSED|LOST|\*' "$tmp/ft.out" || fail "a count said inexact: $(cat "$tmp/ft.out")"
echo "PASS: ftrace ring, guard on: no perf fd before or after the switch; $N reads counted exactly, size frozen at $size"
