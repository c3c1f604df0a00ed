#!/bin/sh
# lden io -- CMD on both rings: the ftrace ring (lden's instance follows
# the command: set_event_pid, event-fork) and the perf ring (--ring perf).
# Each write's process and thread are known (tests/cli/io-follow.py): the
# command's, its thread's, a child process's and that child's thread's, a
# thread given the id of a child that exited, a thread that execs (it
# takes the process's id); an unrelated process that
# wakes the command and then writes must not appear (the kernel's pid
# filter lets a waker's records through: they are dropped).
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: needs jq"; exit 77; }
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) ||
	{ echo "SKIP: needs python3"; exit 77; }
LDEN="$top_builddir/src/lden"
FOLLOW="$top_srcdir/tests/cli/io-follow.py"
. "$top_srcdir/tests/cli/lib.sh"
test_tmp

# one NAME RING_WORD ARGS...: a run, its checks
one() {
	name=$1 word=$2; shift 2
	fifo="$tmp/$name.go"
	mkfifo "$fifo" || exit 99
	"$LDEN" io --json --max-cpu 0 "$@" -- "$PY" "$FOLLOW" "$tmp/$name.ids" "$fifo" \
		>"$tmp/$name.out" 2>"$tmp/$name.err" &
	tracer=$!
	pids="$pids $tracer"
	wait_for "$tmp/$name.err" '^lden: tracing' || fail "$name: lden io not ready"
	# an unrelated process: wakes the command, then writes 5555 bytes,
	# 20 times (the command reads a byte at a time)
	"$PY" -c '
import os, sys, time
w = open(sys.argv[1], "wb", buffering=0)
n = os.open("/dev/null", os.O_WRONLY)
for _ in range(20):
    w.write(b"g")
    for _ in range(10):
        os.write(n, b"u" * 5555)
    time.sleep(0.002)
' "$fifo" &
	other=$!
	pids="$pids $other"
	wait "$other" || fail "$name: the unrelated writer failed"
	wait "$tracer"; rc=$?
	[ "$rc" = 0 ] || fail "$name: lden io exited $rc"
	grep -q "^lden: syscall records: sampling: $word ring" "$tmp/$name.err" ||
		fail "$name: the header does not say the $word ring"
	jq -e 'select(.type == "stats") | .lost == 0' "$tmp/$name.out" >/dev/null ||
		fail "$name: records lost: the checks below cannot hold"
	jq -e 'select(.type == "stats") | (.unknown_pids // 0) == 0' "$tmp/$name.out" >/dev/null ||
		fail "$name: records with their process unknown"
	jq -r 'select(.type == "call" and .syscall == "write") | "\(.bytes) \(.pid) \(.tid)"' \
		"$tmp/$name.out" > "$tmp/$name.writes" || fail "$name: bad JSON"
	# role pid tid -> the write of that role's bytes must say them
	while read -r role pid tid; do
		case $role in
		main) b=1111 ;; thread) b=2222 ;; child) b=3333 ;;
		child-thread) b=4444 ;; reused) b=6666 ;; exec) b=7777 ;;
		*) continue ;;
		esac
		got=$(awk -v b=$b '$1 == b { print $2, $3 }' "$tmp/$name.writes")
		[ "$got" = "$pid $tid" ] ||
			fail "$name: the $role's write of $b bytes: '$got', not '$pid $tid'"
	done < "$tmp/$name.ids"
	grep -q '^exec ' "$tmp/$name.ids" || fail "$name: io-follow.py did not finish"
	grep -q '^reused ' "$tmp/$name.ids" ||
		echo "note: $name: no thread got an exited child's id (ns_last_pid raced)"
	main=$(awk '$1 == "main" { print $2 }' "$tmp/$name.ids")
	child=$(awk '$1 == "child" { print $2 }' "$tmp/$name.ids")
	awk '$1 == 5555' "$tmp/$name.writes" | grep -q . &&
		fail "$name: the unrelated process's writes were traced"
	jq -r 'select(.type == "call") | .pid' "$tmp/$name.out" | sort -u |
		grep -v -x -e "$main" -e "$child" | grep -q . &&
		fail "$name: calls of processes the command did not start"
	return 0
}

one follow ftrace
one perf perf --ring perf
echo PASS
