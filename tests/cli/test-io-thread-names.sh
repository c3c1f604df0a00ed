#!/bin/sh
# lden io --pid names each call after its own thread, not its process: a
# process started before lden whose worker thread renamed itself before
# lden too (no task_rename for lden to see) writes from that thread.  Its
# name is then read late, from /proc/TID/comm, or, when the thread has
# gone before lden read its first record, taken from its own exit record
# (exact).  io named every call after the process (/proc/PID/comm, or the
# leader's exit record), so that the worker's writes showed the main
# thread's name: late, or, for a process gone at once, marked exact.
# Two runs: the worker waits after its writes (its name read late, alive)
# and exits at once (late, exact or unavailable: never the main thread's
# name).
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_syscall_tp sys_enter_write
need_cmd python3
need_cmd jq
LDEN="$top_builddir/src/lden"
test_tmp

# main renamed 'mainthread', a thread renamed 'workerthread' prints
# "ready", reads a line, writes 5 bytes to /dev/null one at a time, then,
# given 'wait', reads another line; then the process exits
cat >"$tmp/names.py" <<'EOF'
import ctypes, os, sys, threading
prctl = ctypes.CDLL(None).prctl
prctl(15, b"mainthread", 0, 0, 0)
def work():
    prctl(15, b"workerthread", 0, 0, 0)
    print("ready", flush=True)
    sys.stdin.readline()
    fd = os.open("/dev/null", os.O_WRONLY)
    for _ in range(5):
        os.write(fd, b"x")
    if sys.argv[1] == "wait":
        sys.stdin.readline()
    os._exit(0)
threading.Thread(target=work).start()
threading.Event().wait()
EOF

for how in wait exit; do
	pids=""
	workload "$how" python3 "$tmp/names.py" "$how"
	rm -f "$tmp/$how.err"
	"$LDEN" io --max-cpu 0 --json --pid "$wpid" >"$tmp/$how.out" 2>"$tmp/$how.err" &
	l=$!
	started $l
	wait_for "$tmp/$how.err" '^lden: tracing file I/O' ||
		fail "$how: lden io did not start"
	echo go >&8
	if [ $how = wait ]; then
		until_lines "$tmp/$how.out" '"syscall":"write"' 5
		echo go >&8
	fi
	exec 8>&-
	join "$wpid"
	# the process is gone: lden io ends by itself (bounded)
	i=0
	while kill -0 $l 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -0 $l 2>/dev/null && kill -INT $l
	join $l
	jq -e . "$tmp/$how.out" >/dev/null || fail "$how: bad JSON"
	jq -c 'select(.type == "call" and .syscall == "write" and .path == "/dev/null")' \
		"$tmp/$how.out" >"$tmp/$how.writes"
	[ "$(wc -l <"$tmp/$how.writes")" = 5 ] ||
		fail "$how: $(wc -l <"$tmp/$how.writes") writes to /dev/null, want 5"
	# every write is the worker's, named as the worker
	names=$(jq -r '"\(.comm) \(.comm_source) \(.tid != .pid)"' "$tmp/$how.writes" | sort -u)
	case "$how:$names" in
	"wait:workerthread late true") ;;
	"exit:workerthread late true" | "exit:workerthread exact true") ;;
	# gone between the ring's read and /proc's, its exit not read yet
	"exit:? unavailable true") ;;
	*) fail "$how: the worker thread's writes named '$names', want workerthread (late, or exact from its exit)" ;;
	esac
	echo "ok: $how: 5 writes of the worker thread named '$names'"
done
echo "PASS: test-io-thread-names"
