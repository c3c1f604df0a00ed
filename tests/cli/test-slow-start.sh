#!/bin/sh
# Ctrl-C during a slow start: lden stops attaching at once, closes what
# it had attached and exits as at any signal (130), leaving nothing in
# tracefs.  The start is made slow by LDEN_TEST_SLOW_ATTACH=MS (each
# tracepoint waits MS ms before it opens, as behind another lden-close
# holding the kernel's event_mutex): 8 tracepoints at 500 ms, a start of
# 4 s.  SIGINT once the first is open (LDEN_DEBUG's "opened" line); lden
# must be gone within 2 s of it, before half the rest could open.  Before,
# the signal was seen only once all were attached: 3.5 s later.
#
# For notify, top, trace and watch (one rules file of 8 rules).
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
T=${LDEN_TRACEFS:-/sys/kernel/tracing}
[ -r "$T/events/syscalls/sys_enter_getppid/id" ] ||
	{ echo "SKIP: no syscall tracepoints at $T"; exit 77; }
LDEN="$top_builddir/src/lden"
. "$top_srcdir/tests/cli/lib.sh"
test_tmp

snapshot > "$tmp/state.before" || exit 99

TPS="getppid getpid getuid getgid geteuid getegid gettid sched_yield"
events=""
expr=""
rules=""
for s in $TPS; do
	events="$events syscalls:sys_enter_$s"
	expr="$expr${expr:+ or }count(syscalls:sys_enter_$s) > 1e12"
	rules="${rules}rule $s
	when count(syscalls:sys_enter_$s) > 1e12
"
done
printf '%s' "$rules" >"$tmp/r.rules"

# now_ms: a monotonic enough clock in milliseconds
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# interrupt NAME LDEN-ARGS...: lden, slowed, interrupted after its first
# tracepoint opened; it must exit 130 within 2 s, say why, leave nothing
interrupt() {
	_n=$1
	shift
	rm -f "$tmp/$_n.err"
	LDEN_DEBUG=1 LDEN_TEST_SLOW_ATTACH=500 "$LDEN" "$@" \
		>"$tmp/$_n.out" 2>"$tmp/$_n.err" &
	_l=$!
	started $_l
	wait_for "$tmp/$_n.err" '\] opened ' || fail "$_n: nothing opened"
	_t0=$(now_ms)
	kill -INT $_l
	_i=0
	while kill -0 $_l 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	_ms=$(($(now_ms) - _t0))
	kill -0 $_l 2>/dev/null && fail "$_n: still running 5 s after SIGINT"
	wait $_l
	rc=$?
	reaped $_l
	[ $rc = 130 ] || fail "$_n: exit status $rc, want 130"
	[ $_ms -lt 2000 ] || fail "$_n: exited $_ms ms after SIGINT, want < 2000"
	grep -q 'stopped by signal 2 while attaching$' "$tmp/$_n.err" ||
		fail "$_n: no line saying the start was stopped"
	[ "$(grep -c '\] opened ' "$tmp/$_n.err")" -lt 8 ] ||
		fail "$_n: every tracepoint opened"
	snapshot > "$tmp/state.after" || exit 99
	diff "$tmp/state.before" "$tmp/state.after" >"$tmp/state.diff" ||
		fail "$_n: tracefs state changed: $(cat "$tmp/state.diff")"
	echo "PASS: $_n: out $_ms ms after SIGINT (exit 130), tracefs as before"
}

interrupt notify notify -t 60 "$expr"
interrupt top top -i 60 -t 60 $events
interrupt trace trace -t 60 $events
interrupt watch watch -r "$tmp/r.rules"
