#!/bin/sh
# lden killed by SIGKILL (kill -9, the OOM killer) runs no handler; what
# it put in tracefs -- its instance, with its events on and recording, and
# its probe group -- stayed until the next lden's sweep.  Its watcher
# (lden-sweep, ltr_sweep_at_exit()) removes them as soon as it is gone:
# here within 10 s, without any other lden being started by this test.
set -u
. "$top_srcdir/tests/cli/lib.sh"
live_tmp

mkdir "$tmp/ev"
printf 'event k9.open\n\tdescribe\topens\n\ttracepoint\tsyscalls:sys_enter_openat\n\tsize\t\tmode + 1\n' \
	>"$tmp/ev/k9.events"

# watcher: the pid of the lden-sweep of the lden under test, found by
# its command line (the lden's, which names $tmp): another lden's sweep
# at its start would take the objects too, so their removal alone does
# not prove this one's watcher
watcher() {
	for _d in /proc/[0-9]*; do
		[ "$(cat "$_d/comm" 2>/dev/null)" = lden-sweep ] &&
			tr '\0' ' ' <"$_d/cmdline" 2>/dev/null | grep -q -F "$tmp/" &&
			echo "${_d#/proc/}"
	done
}

# killed WHAT READY CMD...: CMD in the background until it prints READY
# (stdout or stderr), its tracefs objects there and its watcher running,
# then kill -9; the objects must be gone and the watcher ended within
# 10 s
killed() {
	_what=$1 _ready=$2
	shift 2
	rm -f "$tmp/k.out"
	"$@" >"$tmp/k.out" 2>&1 &
	_p=$!
	started $_p
	wait_for "$tmp/k.out" "$_ready" || fail "$_what: not ready"
	left_behind $_p >/dev/null || fail "$_what: nothing of its in tracefs to take"
	_w=$(watcher)
	[ -n "$_w" ] || fail "$_what: no lden-sweep watches it"
	kill -KILL $_p
	wait $_p 2>/dev/null
	reaped $_p
	_i=0
	while left_behind $_p >/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt 200 ] && fail "$_what: left in tracefs 10 s after kill -9: $(left_behind $_p)"
		sleep 0.05
	done
	_i=0
	while kill -0 $_w 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt 200 ] && fail "$_what: its lden-sweep still there 10 s after"
		sleep 0.05
	done
}

# its own instance (the ftrace ring), its event on
killed "notify on the ftrace ring" "^lden: watching" \
	"$LDEN" notify "size(k9.open) > 1e18" --events-dir "$tmp/ev" --ring ftrace \
	--max-cpu 0 -t 60
n=1
# its probe group: uprobes on the C library copying open()'s path
if [ -w "$T/uprobe_events" ]; then
	killed "trace open --strings exact" "Ctrl-C to stop" \
		"$LDEN" trace open --strings exact -t 60 --events-dir "$tmp/ev"
	n=2
fi
echo "PASS: test-kill9: $n runs killed by SIGKILL, what they had in tracefs removed after them"
