#!/bin/sh
# lden notify scoped to processes, a cgroup, or a command it runs: counts
# are exactly the scope's while other processes do the same work.
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
LDEN="$top_builddir/src/lden"
tmp=$(mktemp -d) || exit 99
cg=""
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	[ -n "$cg" ] && rmdir "$cg" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
. "$top_srcdir/tests/cli/lib.sh"


# the COUNT column of EVENT's row in a notify table
count_of() {
	awk -v ev="$2" '$1 == ev { print $2 }' "$1" | tail -n 1
}

# a worker: waits for a line on its fifo, then forks N times (/bin/true)
worker() {	# name n
	mkfifo "$tmp/$1.go" || exit 99
	sh -c 'read x < "$1"; i=0; while [ $i -lt "$2" ]; do /bin/true; i=$((i + 1)); done' \
		sh "$tmp/$1.go" "$2" &
}

# --pid: exactly the forks of the process named, not of another one
worker a 30; a=$!
worker b 50; b=$!
pids="$a $b"
"$LDEN" notify "count(task.create) > 1000" -t 60 -p "$a" >"$tmp/pid.out" 2>"$tmp/pid.err" &
tracer=$!
wait_for "$tmp/pid.out" '^lden: watching' || fail "--pid: no header"
grep -q "in process $a\$" "$tmp/pid.out" || fail "--pid: header does not name the process"
echo go > "$tmp/a.go"; echo go > "$tmp/b.go"
wait "$a"; wait "$b"; pids=""
kill -INT "$tracer"; wait "$tracer"; rc=$?
[ "$rc" = 130 ] || fail "--pid: exit $rc after SIGINT, want 130"
[ "$(count_of "$tmp/pid.out" task.create)" = 30 ] || fail "--pid: want 30 forks"
echo "PASS: --pid counts exactly the 30 forks of its process (another made 50)"

# --pid A,B sums the two
worker c 7; c=$!
worker d 11; d=$!
pids="$c $d"
"$LDEN" notify "count(task.create) >= 18" -t 60 -p "$c,$d" >"$tmp/pids.out" 2>"$tmp/pids.err" &
tracer=$!
wait_for "$tmp/pids.out" '^lden: watching' || fail "--pid A,B: no header"
echo go > "$tmp/c.go"; echo go > "$tmp/d.go"
wait "$c"; wait "$d"; pids=""
wait "$tracer" || fail "--pid A,B: did not fire"
[ "$(count_of "$tmp/pids.out" task.create)" = 18 ] || fail "--pid A,B: want 7 + 11"
echo "PASS: --pid A,B sums 7 + 11 forks and fires at 18"

# --pid A,A,A counts A once (it counted each event three times), and
# --pid A,B,A,B each once
worker g 9; g=$!
worker h 5; h=$!
pids="$g $h"
"$LDEN" notify "count(task.create) > 1000" -t 60 -p "$g,$g,$g" \
	>"$tmp/dup.out" 2>"$tmp/dup.err" &
tracer=$!
"$LDEN" notify "count(task.create) > 1000" -t 60 -p "$g,$h" -p "$g,$h" \
	>"$tmp/dup2.out" 2>"$tmp/dup2.err" &
tracer2=$!
wait_for "$tmp/dup.out" '^lden: watching' || fail "--pid A,A,A: no header"
wait_for "$tmp/dup2.out" '^lden: watching' || fail "--pid A,B -p A,B: no header"
grep -q "in process $g\$" "$tmp/dup.out" || fail "--pid A,A,A: header does not name process $g once"
echo go > "$tmp/g.go"; echo go > "$tmp/h.go"
wait "$g"; wait "$h"; pids=""
kill -INT "$tracer" "$tracer2"; wait "$tracer"; wait "$tracer2"
[ "$(count_of "$tmp/dup.out" task.create)" = 9 ] ||
	fail "--pid A,A,A: $(count_of "$tmp/dup.out" task.create) forks, want 9"
[ "$(count_of "$tmp/dup2.out" task.create)" = 14 ] ||
	fail "--pid A,B -p A,B: $(count_of "$tmp/dup2.out" task.create) forks, want 9 + 5"
echo "PASS: a process named several times in --pid counts once (9; 9 + 5)"

# --cgroup: a fresh cgroup v2 directory holding one worker
root=/sys/fs/cgroup/unified
[ -d "$root" ] || root=/sys/fs/cgroup
if [ -f "$root/cgroup.procs" ] && grep -q cgroup2 /proc/mounts; then
	cg="$root/lden-test-scope-$$"
	mkdir "$cg" || fail "mkdir $cg"
	worker e 20; e=$!
	worker f 40; f=$!
	pids="$e $f"
	echo "$e" > "$cg/cgroup.procs" || fail "moving $e into $cg"
	"$LDEN" notify "count(task.create) > 1000" -t 60 -g "$cg" >"$tmp/cg.out" 2>"$tmp/cg.err" &
	tracer=$!
	wait_for "$tmp/cg.out" '^lden: watching' || fail "--cgroup: no header"
	echo go > "$tmp/e.go"; echo go > "$tmp/f.go"
	wait "$e"; wait "$f"; pids=""
	kill -TERM "$tracer"; wait "$tracer"; rc=$?
	[ "$rc" = 143 ] || fail "--cgroup: exit $rc after SIGTERM, want 143"
	[ "$(count_of "$tmp/cg.out" task.create)" = 20 ] || fail "--cgroup: want 20 forks"
	rmdir "$cg" && cg=""
	echo "PASS: --cgroup counts exactly the 20 forks made inside it (40 outside)"
else
	echo "SKIP: no cgroup v2 hierarchy for --cgroup"
fi

# -- COMMAND: fires on the command's own forks
"$LDEN" notify "count(task.create) > 5" -t 60 -- sh -c 'for i in 1 2 3 4 5 6 7 8; do /bin/true; done' \
	>"$tmp/cmd.out" 2>"$tmp/cmd.err" || fail "-- COMMAND: did not fire"
grep -q '^lden: condition true after' "$tmp/cmd.out" || fail "-- COMMAND: no firing line"

# -- COMMAND that ends first: its status, the table, exit 1
"$LDEN" notify "count(task.create) > 100" -t 60 -- sh -c '/bin/true; /bin/true; exit 3' \
	>"$tmp/cmd2.out" 2>"$tmp/cmd2.err"
rc=$?
[ "$rc" = 1 ] || fail "-- COMMAND ending first: exit $rc, want 1"
grep -qx 'lden: command exited with status 3; condition not met' "$tmp/cmd2.out" ||
	fail "-- COMMAND: no exit status line"
[ "$(count_of "$tmp/cmd2.out" task.create)" = 2 ] || fail "-- COMMAND: want its 2 forks"
echo "PASS: -- COMMAND fires on its forks; one that ends first reports status 3 and 2 forks"

# task.exit per process: every exit of the command and its children.  On
# 6.1 and 6.12 a task's own perf events are detached before do_exit()
# fires sched:sched_process_exit: counted on pids it read 0, silently
# (tests/kernel-matrix/test-task-exit, where the kprobe on do_exit takes
# over).  LDEN_TEST_EXIT_NOT_PER_TASK stands in for such a kernel here.
loop7='i=0; while [ $i -lt 7 ]; do /bin/true; i=$((i + 1)); done'
"$LDEN" notify "count(task.exit) > 1000" -t 60 -- sh -c "$loop7" \
	>"$tmp/exit.out" 2>"$tmp/exit.err"
rc=$?
[ "$rc" = 1 ] && [ "$(count_of "$tmp/exit.out" task.exit)" = 8 ] ||
	fail "task.exit -- COMMAND: exit $rc, $(count_of "$tmp/exit.out" task.exit) exits, want 8"
if [ -e "${LDEN_TRACEFS:-/sys/kernel/tracing}/kprobe_events" ]; then
	LDEN_TEST_EXIT_NOT_PER_TASK=1 "$LDEN" notify "count(task.exit) > 1000" \
		-t 60 -- sh -c "$loop7" >"$tmp/exit2.out" 2>"$tmp/exit2.err"
	rc=$?
	[ "$rc" = 1 ] && grep -q '^  task\.exit  *kprobe do_exit' "$tmp/exit2.out" &&
		[ "$(count_of "$tmp/exit2.out" task.exit)" = 8 ] ||
		fail "task.exit -- COMMAND, exits unseen per task: exit $rc, not 8 by kprobe do_exit"
else
	LDEN_TEST_EXIT_NOT_PER_TASK=1 "$LDEN" notify "count(task.exit) > 1000" \
		-t 60 -- sh -c "$loop7" >"$tmp/exit2.out" 2>"$tmp/exit2.err"
	rc=$?
	[ "$rc" = 2 ] && [ ! -s "$tmp/exit2.out" ] &&
		head -n 1 "$tmp/exit2.err" | grep -q "^lden: task.exit is unavailable on this kernel: per process, its tracepoint is not seen on this kernel (do_exit() detaches a task's perf events before it fires), and its kprobe fallback needs kprobes" ||
		fail "task.exit -- COMMAND, exits unseen per task, no kprobes: exit $rc, not refused"
fi
for how in "notify count(sched:sched_process_exit)>1000 -t 60" \
	"trace sched:sched_process_exit" "top sched:sched_process_exit" \
	"visualize -o json --events sched:sched_process_exit -t 60"; do
	# shellcheck disable=SC2086
	LDEN_TEST_EXIT_NOT_PER_TASK=1 "$LDEN" $how -- /bin/true \
		>"$tmp/exit3.out" 2>"$tmp/exit3.err"
	rc=$?
	[ "$rc" = 2 ] && [ ! -s "$tmp/exit3.out" ] &&
		head -n 1 "$tmp/exit3.err" |
		grep -q "^lden: .*sched:sched_process_exit cannot be counted per process here: a task's own perf events do not see it on this kernel" ||
		fail "$how -- CMD, exits unseen per task: exit $rc, not refused"
done
# visualize, per process, as notify: by the kprobe, or not at all (it
# counted 0 per process on 6.1 and 6.12, marked exact)
if [ -e "${LDEN_TRACEFS:-/sys/kernel/tracing}/kprobe_events" ]; then
	LDEN_TEST_EXIT_NOT_PER_TASK=1 "$LDEN" visualize -o json --events task.exit \
		-t 60 -- sh -c "$loop7" >"$tmp/exit5.out" 2>"$tmp/exit5.err"
	rc=$?
	[ "$rc" = 0 ] && grep -q '^  task\.exit  *kprobe do_exit' "$tmp/exit5.err" &&
		grep -q '"type":"end".*"events":\[{"event":"task.exit","count_total":8,' "$tmp/exit5.out" ||
		fail "visualize task.exit -- COMMAND, exits unseen per task: exit $rc, not 8 by kprobe do_exit"
else
	LDEN_TEST_EXIT_NOT_PER_TASK=1 "$LDEN" visualize -o json --events task.exit \
		-t 60 -- sh -c "$loop7" >"$tmp/exit5.out" 2>"$tmp/exit5.err"
	rc=$?
	[ "$rc" = 2 ] && [ ! -s "$tmp/exit5.out" ] &&
		grep -q "^lden: cannot trace task.exit: unavailable on this kernel: per process, its tracepoint is not seen" "$tmp/exit5.err" ||
		fail "visualize task.exit -- COMMAND, exits unseen per task, no kprobes: exit $rc, not refused: $(cat "$tmp/exit5.err")"
fi
"$LDEN" visualize -o json --events task.exit -t 60 -- sh -c "$loop7" \
	>"$tmp/exit5.out" 2>"$tmp/exit5.err"
grep -q '"type":"end".*"events":\[{"event":"task.exit","count_total":8,' "$tmp/exit5.out" ||
	fail "visualize task.exit -- COMMAND: not 8 exits: $(tail -n 1 "$tmp/exit5.out")"
# the whole machine sees every exit: not refused
LDEN_TEST_EXIT_NOT_PER_TASK=1 "$LDEN" notify "count(sched:sched_process_exit) > 1e18 or count(task.exit) > 1e18" \
	-t 0.2 >"$tmp/exit4.out" 2>"$tmp/exit4.err"
rc=$?
[ "$rc" = 1 ] || fail "exits in the whole machine, unseen per task: exit $rc"
rm -f "$tmp"/exit*.out "$tmp"/exit*.err
echo "PASS: task.exit per process counts 8 exits; unseen per task, the tracepoint named is refused in one line"

# refusals, exit 2, nothing attached
check_err() {	# expected-first-line args...
	want=$1; shift
	"$LDEN" notify "$@" >"$tmp/e.out" 2>"$tmp/e.err"
	rc=$?
	[ "$rc" = 2 ] || fail "notify $*: exit $rc, want 2"
	[ "$(head -n 1 "$tmp/e.err")" = "$want" ] ||
		fail "notify $*: got '$(head -n 1 "$tmp/e.err")', want '$want'"
}
check_err "lden: irq.hard cannot be counted per process or cgroup: runs in interrupt context, whatever task was interrupted" \
	"count(irq.hard) > 1" -p $$
check_err "lden: disk.read cannot be counted per process or cgroup: requests are issued by kernel threads and plugs as often as by the task that asked" \
	"size(disk.read) > 1" -- /bin/true
check_err "lden: notify: choose one of --pid, --cgroup, --container and -- COMMAND" "count(task.create) > 1" -p $$ -- /bin/true
check_err "lden: notify: --children needs --pid" "count(task.create) > 1" --children
check_err "lden: notify: no command after '--'" "count(task.create) > 1" --
check_err "lden: notify: invalid --pid value '1,x' (expected PID[,PID...])" "count(task.create) > 1" -p 1,x
check_err "lden: notify: cannot use cgroup '/nonexistent': No such file or directory" "count(task.create) > 1" -g /nonexistent
# a directory that is no cgroup: the kernel's EBADF named the event, not the option
check_err "lden: notify: cannot use cgroup '$tmp': not a cgroup directory (one under the cgroup v2 mount, or the v1 perf_event hierarchy)" \
	"count(task.create) > 1" -g "$tmp"
[ "$(wc -l < "$tmp/e.err")" = 1 ] || fail "-g $tmp: not one line"
# a cgroup of a v1 hierarchy without perf_event: the kernel's ENOENT on
# the first event, said as the event's ('cannot open
# sched:sched_process_fork as a perf event') over three lines; made here
# (name=, no controller) in a mount namespace of its own, so nothing
# leaks, where the machine has none
if command -v unshare >/dev/null; then
	mkdir "$tmp/v1"
	# named for this shell: state-snapshot.sh leaves it out while the
	# test runs, and sees it after if the kernel kept it
	unshare -m sh -c '
		mount --make-rprivate / 2>/dev/null
		mount -t cgroup -o none,name=ldentest$4 cgroup "$1" || exit 77
		# its root, no child: a child removed just before the umount is
		# still dying then, and the kernel keeps the hierarchy for good
		for cmd in "notify -t 1 count(task.create)>1" "trace task.create -t 1" "top task.create -t 1"; do
			# shellcheck disable=SC2086
			"$2" $cmd -g "$1" >"$3/v1.out" 2>"$3/v1.err"
			echo "$? $(wc -l <"$3/v1.err") $(head -n 1 "$3/v1.err")"
		done
		umount "$1"' sh "$tmp/v1" "$LDEN" "$tmp" $$ >"$tmp/v1.res"
	case $? in
	0)
		c=0
		while read -r rc lines msg; do
			c=$((c + 1))
			cmd=$(echo "$msg" | sed -n 's/^lden: \([a-z]*\): .*/\1/p')
			[ "$rc $lines" = "2 1" ] &&
				[ "$msg" = "lden: $cmd: cannot use cgroup '$tmp/v1': its cgroup v1 hierarchy has no perf_event controller (perf counts by the cgroups of the v1 perf_event hierarchy, or of cgroup v2)" ] ||
				fail "a v1 cgroup without perf_event: exit $rc, $lines lines: $msg"
		done <"$tmp/v1.res"
		[ $c = 3 ] || fail "a v1 cgroup without perf_event: $c of 3 commands ran"
		# unmounted with no child left, the hierarchy is gone (one whose
		# child was still dying at the umount stayed in every process's
		# /proc/PID/cgroup for good): 5 s for the kernel to let it go
		_i=0
		while grep -q "^[0-9]*:name=ldentest$$:" /proc/self/cgroup; do
			_i=$((_i + 1))
			[ $_i -gt 50 ] && fail "the v1 hierarchy name=ldentest$$ is still in the kernel after its umount (/proc/self/cgroup)"
			sleep 0.1
		done
		echo "ok: a v1 cgroup without perf_event: one line, exit 2 (notify, trace, top); its hierarchy gone after" ;;
	77) echo "skip: cannot mount a v1 cgroup hierarchy here" ;;
	*) fail "the v1 hierarchy's namespace failed: $(cat "$tmp/v1.res")" ;;
	esac
	rmdir "$tmp/v1"
fi
echo "PASS: unattributable events and bad scope options exit 2"
