#!/bin/sh
# The end of a run: a command after "--" that makes N calls and exits at
# once; its last records are still in the rings when lden sees it gone.
# trace, top and io each show exactly the N calls, or the ones missing
# in their lost count (count + lost = N, lost said): never fewer unsaid.
# Several runs each, as the window is at the very end.
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
T=${LDEN_TRACEFS:-/sys/kernel/tracing}
[ -r "$T/events/syscalls/sys_enter_read/id" ] ||
	{ echo "SKIP: no syscall tracepoints at $T"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
LDEN="$top_builddir/src/lden"
BURST="$top_builddir/tests/cli/read-burst"
. "$top_srcdir/tests/cli/lib.sh"
setup_tmp

N=3000		# reads of 7 bytes: no other read of the run has that size
RUNS=${END_DRAIN_RUNS:-10}

# exact COUNT LOST WHAT: count + lost must be N
exact() {
	[ -n "$1" ] && [ -n "$2" ] && [ $(($1 + $2)) -eq $N ] ||
		fail "$3: $1 shown + $2 said lost, want $N in all"
}

i=0
while [ $i -lt "$RUNS" ]; do
	i=$((i + 1))
	"$LDEN" top syscalls:sys_enter_read --filter 'count == 7' --by comm \
		--max-cpu 0 -i 60 --json -- "$BURST" $N 7 \
		>"$tmp/top.out" 2>"$tmp/top.err" || fail "top run $i failed"
	exact "$(jq -s '[.[].rows[] | select(.comm == "read-burst") | .count] | add // 0' "$tmp/top.out")" \
		"$(jq -s '[.[].lost] | max' "$tmp/top.out")" "top run $i"

	"$LDEN" trace syscalls:sys_enter_read --filter 'count == 7' --max-cpu 0 \
		-- "$BURST" $N 7 >"$tmp/trace.out" 2>"$tmp/trace.err" ||
		fail "trace run $i failed"
	exact "$(grep -c ' read-burst .*sys_enter_read' "$tmp/trace.out")" \
		"$(awk '/^  lost records/ { print $3 }' "$tmp/trace.err")" "trace run $i"

	"$LDEN" io --max-cpu 0 --json -- "$BURST" $N 7 \
		>"$tmp/io.out" 2>"$tmp/io.err" || fail "io run $i failed"
	exact "$(jq -s '[.[] | select(.type == "call" and .syscall == "read" and .bytes == 7)] | length' "$tmp/io.out")" \
		"$(jq -s '[.[] | select(.type == "stats") | .lost] | add' "$tmp/io.out")" "io run $i"
done
echo "PASS: $RUNS runs each of top, trace and io: the $N reads of a command that exits at once, all shown or said lost"
