# Shared by the CLI tests (sourced, not run).

# wait_for FILE PATTERN [SECONDS]: until a line of FILE matches, at most
# SECONDS (default 20).  FILE must hold nothing from an earlier run: a
# background 'cmd >FILE &' truncates it only once the shell has forked,
# so a readiness line of the previous run in FILE can be matched first
# (remove FILE before starting cmd)
wait_for() {
	_i=0
	while ! grep -q -e "$2" "$1" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt $((${3:-20} * 20)) ] && return 1
		sleep 0.05
	done
}

# fail MESSAGE: say it, show what the test's commands printed, exit 1
# fail MSG: MSG, the test's .out and .err files, and MSG again last: CI
# shows only the end of a long log, which must still say what failed
fail() {
	echo "FAIL: $*"
	for _f in "$tmp"/*.out "$tmp"/*.err; do
		[ -s "$_f" ] && { echo "--- $_f"; cat "$_f"; }
	done
	echo "FAIL (said again after the files): $*"
	exit 1
}

# --- for tests that start workloads (test-trace.sh, test-top.sh) ---

# setup_tmp: $tmp, and the processes in $pids killed on exit
setup_tmp() {
	tmp=$(mktemp -d) || exit 99
	pids=""
	trap 'for _p in $pids; do kill "$_p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
	trap 'exit 1' INT TERM
}

# workload NAME CMD [ARGS]: CMD in the background, stdin from a fifo
# held open on fd 8, stdout in $tmp/NAME.tgt; returns once it printed
# "ready" (at most 20 s); its pid in $wpid.  'echo go >&8' releases it,
# 'exec 8>&-' ends it.
workload() {
	_n=$1
	shift
	mkfifo "$tmp/$_n.in"
	"$@" <"$tmp/$_n.in" >"$tmp/$_n.tgt" &
	wpid=$!
	pids="$pids $wpid"
	exec 8>"$tmp/$_n.in"
	wait_for "$tmp/$_n.tgt" '^ready' || fail "$_n: the workload did not start"
}

# release NAME: 'go' to the workload, then wait until it printed "done"
release_workload() {
	echo go >&8
	wait_for "$tmp/$1.tgt" '^done' || fail "$1: the workload did not finish"
}

# until_lines FILE PATTERN N: until N lines of FILE match, at most 10 s,
# then a moment more so that a wrong extra line would show up too
until_lines() {
	_i=0
	while [ "$(grep -c -e "$2" "$1")" -lt "$3" ] && [ $_i -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	sleep 0.2
}

# stop PID: SIGINT, then its exit status in $rc
stop() {
	kill -INT "$1"
	wait "$1"
	rc=$?
}

# started PID / reaped PID: keep $pids, the processes cleanup may kill
started() { pids="$pids $1"; }
reaped() { pids=$(echo " $pids " | sed "s/ $1 / /"); }

# join PID: wait for it; its exit status in $rc
join() {
	wait "$1"
	rc=$?
	reaped "$1"
}

# test_tmp: makes $tmp, and at exit kills what is left of $pids and
# removes $tmp (INT and TERM exit 1 through the same)
test_tmp() {
	tmp=$(mktemp -d) || exit 99
	pids=""
	trap test_cleanup EXIT
	trap 'exit 1' INT TERM
}
test_cleanup() {
	for _p in $pids; do
		kill "$_p" 2>/dev/null
	done
	rm -rf "$tmp"
}

# --- preambles: what a test needs, else it is skipped (exit 77) ---

need_root() {
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
}

# need_tracefs: $T, the tracefs ($LDEN_TRACEFS, else /sys/kernel/tracing),
# with the sched tracepoints
need_tracefs() {
	T=${LDEN_TRACEFS:-/sys/kernel/tracing}
	[ -r "$T/events/sched/sched_process_fork/id" ] ||
		{ echo "SKIP: no tracefs at $T"; exit 77; }
}

# need_syscall_tp NAME: the tracepoint syscalls:NAME in $T (need_tracefs)
need_syscall_tp() {
	[ -r "$T/events/syscalls/$1/format" ] ||
		{ echo "SKIP: no syscall tracepoints"; exit 77; }
}

# need_cmd CMD...: each on the PATH
need_cmd() {
	for _c in "$@"; do
		command -v "$_c" >/dev/null || { echo "SKIP: no $_c"; exit 77; }
	done
}

# live_tmp [CMD...]: the preamble of a test against the live kernel: root,
# tracefs ($T), each CMD on the PATH (else exit 77); $LDEN, the lden
# built here; $tmp (test_tmp)
live_tmp() {
	need_root
	need_tracefs
	need_cmd "$@"
	LDEN="$top_builddir/src/lden"
	test_tmp
}

# need_pid_reuse: live_tmp with jq, and $W, the pid-reuse workload,
# built and able to give a chosen pid here (clone3's set_tid: 5.5+,
# privileged), with the task_newtask tracepoint
need_pid_reuse() {
	live_tmp jq
	W="$top_builddir/tests/cli/pid-reuse"
	[ -x "$W" ] || { echo "SKIP: $W not built (make check builds it)"; exit 77; }
	[ -r "$T/events/task/task_newtask/id" ] ||
		{ echo "SKIP: no task_newtask tracepoint"; exit 77; }
	"$W" 1 1 >"$tmp/probe.out" 2>"$tmp/probe.err"
	_rc=$?
	[ $_rc = 77 ] && { echo "SKIP: $(cat "$tmp/probe.err")"; exit 77; }
	[ $_rc = 0 ] || fail "pid-reuse failed ($_rc)"
}

# --- shared by the tests below ---

# lden_second PID: called once lden PID said it started (its header or
# start line, printed as its first tick is taken), returns after 1.2 s,
# 1 if PID is gone by then.  A speed is the events of the last second only
# once lden's first tick is a second old (before, an average over less,
# marked), and the rate guard judges over a whole second: what is waited
# for is time itself.  (The process's age is not it: under AddressSanitizer
# lden takes more than 0.2 s to attach before its first tick.)
lden_second() {
	sleep 1.2
	kill -0 "$1" 2>/dev/null
}

# lden_bg NAME PATTERN ARGS...: lden ARGS in the background, its output in
# $tmp/NAME.out and $tmp/NAME.err, its pid in $l (and $pids); returns once
# a line of NAME.out matches PATTERN (at most 20 s), else fails
lden_bg() {
	_name=$1
	_pat=$2
	shift 2
	# an earlier run's header in them would be matched (wait_for)
	rm -f "$tmp/$_name.out" "$tmp/$_name.err"
	"$LDEN" "$@" >"$tmp/$_name.out" 2>"$tmp/$_name.err" &
	l=$!
	started $l
	wait_for "$tmp/$_name.out" "$_pat" || fail "$_name: lden $1 did not start (no '$_pat')"
}

# notify_released NAME ARGS...: lden notify ARGS (lden_bg NAME) on the
# workload NAME, which is released (release_workload NAME); returns once
# lden notify ended, its exit status in $rc
notify_released() {
	_nr=$1
	shift
	lden_bg "$_nr" '^lden: watching ' notify "$@"
	release_workload "$_nr"
	join $l
}

# notify_row FILE EVENT: the count and the size of EVENT in the table of
# lden notify's output FILE ("3 overflow")
notify_row() {
	awk -v e="$2" '$1 == e && $2 ~ /^[0-9]+$/ { print $2, $3 }' "$1"
}

# stop_at NAME PATTERN MESSAGE: once a line of $tmp/NAME.out matches
# PATTERN (at most 20 s, else fails saying MESSAGE), lden $l is stopped
# (SIGINT) and reaped, its exit status in $rc
stop_at() {
	wait_for "$tmp/$1.out" "$2" || fail "$3"
	kill -INT $l
	join $l
}

# How lden reads its instance's ftrace ring on this kernel: "mmap" from
# 6.10 (trace_pipe_raw's mmap), "read" before.
ftrace_reader() {
	uname -r | awk -F. '{ print ($1 > 6 || ($1 == 6 && $2 + 0 >= 10)) ? "mmap" : "read" }'
}

# lden_group PID: the probe group (and instance) name of lden process PID,
# lden_<inode of its PID namespace>_<pid as it sees itself>
lden_group() {
	_ns=$(stat -L -c %i "/proc/$1/ns/pid") || return 1
	_p=$(awk '/^NSpid:/ { print $NF }' "/proc/$1/status") || return 1
	echo "lden_${_ns}_$_p"
}

# left_behind PID: true (and says what) when the exited lden process PID
# left a probe group or an instance in tracefs: names are lden_<ns>_<pid>,
# so other tests' lden, adding and removing theirs meanwhile, do not count
left_behind() {
	_t=${LDEN_TRACEFS:-/sys/kernel/tracing}
	grep -E "lden_[0-9]+_$1[/ ]" "$_t/dynamic_events" 2>/dev/null ||
		ls "$_t/instances" 2>/dev/null | grep -E "^lden_[0-9]+_$1\$"
}

# drop_sweep FILE: removes from lden's stderr in FILE the line of a sweep
# of what a gone lden left (another test's, killed on purpose, may leave
# it for any lden to take): not part of what a run is tested for
drop_sweep() {
	sed -i '/^lden: removed .* left by lden processes that are gone: /d' "$1"
}

# snapshot: tracefs' state (tests/kernel/state-snapshot.sh), only what
# sessions that are gone left: other tests' lden run beside this one
snapshot() {
	LDEN_SNAPSHOT_SKIP_LIVE=1 sh "$top_srcdir/tests/kernel/state-snapshot.sh"
}

# release FIFO: the workload blocked on FIFO goes on, at most 10 s
release() {
	timeout 10 sh -c 'echo go > "$1"' sh "$1" ||
		fail "the workload did not open $1"
}

# free_port: a loopback port nothing listens on now (another may take it
# before we do: the callers retry)
# tls_cert IP: a CA ($tmp/ca.crt) and a server certificate for IP signed
# by it ($tmp/server.crt, $tmp/server.key), for --web-config; exit 99
# (a hard error) when openssl fails
tls_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca.key" -out "$tmp/ca.crt" \
		-days 2 -subj "/CN=lden test CA" >/dev/null 2>&1 || exit 99
	openssl req -newkey rsa:2048 -nodes -keyout "$tmp/server.key" -out "$tmp/server.csr" \
		-subj "/CN=$1" >/dev/null 2>&1 || exit 99
	printf 'subjectAltName=IP:%s\n' "$1" >"$tmp/san.ext"
	openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" \
		-CAcreateserial -out "$tmp/server.crt" -days 2 -extfile "$tmp/san.ext" \
		>/dev/null 2>&1 || exit 99
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# notify_bg NAME ARGS...: lden notify ARGS in the background, output in
# $tmp/NAME.out and $tmp/NAME.err, its pid in $n (and $pids); returns
# once it printed its header, at most 20 s
notify_bg() {
	_name=$1
	shift
	rm -f "$tmp/$_name.out" "$tmp/$_name.err"	# (wait_for)
	"$LDEN" notify "$@" >"$tmp/$_name.out" 2>"$tmp/$_name.err" &
	n=$!
	started $n
	wait_for "$tmp/$_name.out" '^lden: watching ' ||
		fail "$_name: no header"
}

# jqv FILE FILTER: jq FILTER on the last line of FILE
jqv() {
	tail -n 1 "$1" | jq -r "$2"
}

# jtrue FILE [JQ OPTIONS] FILTER: FILTER's last output over the JSON
# objects of FILE is true (jq 1.6's -e judges by the last object, whether
# FILTER selected it or not)
jtrue() {
	_f=$1
	shift
	[ "$(jq -r "$@" "$_f" | tail -n 1)" = true ]
}

# --- the overhead guard's workload (test-guard.sh, test-viz-guard.sh) ---

# need_read_burst: $RB, tests/cli/read-burst; $EVENTS, the directory of
# guard.events, whose guard.read counts only reads of $SIZE bytes
need_read_burst() {
	RB="$top_builddir/tests/cli/read-burst"
	EVENTS="$top_srcdir/tests/cli"
	SIZE=4093
	[ -x "$RB" ] ||
		{ echo "SKIP: $RB not built (make check builds it)"; exit 77; }
}

# burst NAME N: read-burst to make N reads of $SIZE bytes once released
# ('release "$tmp/NAME.go"'); its pid in $w (and $pids)
burst() {
	rm -f "$tmp/$1.go"
	mkfifo "$tmp/$1.go" || exit 99
	"$RB" "$2" "$SIZE" "$tmp/$1.go" &
	w=$!
	started $w
}

# cpu_ticks PID (test-guard.sh, test-trace-guard.sh): utime + stime of a process, in clock ticks
cpu_ticks() {
	sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# join_burst TRACER: waits for the workload $w (a burst) to end, fails
# unless it succeeded; the CPU TRACER used meanwhile in $after (% of one
# CPU)
join_burst() {
	_t1=$(date +%s.%N); _c1=$(cpu_ticks "$1")
	join "$w"
	_t2=$(date +%s.%N); _c2=$(cpu_ticks "$1")
	[ "$rc" = 0 ] || fail "read-burst failed ($rc)"
	after=$(echo "$_c1 $_c2 $_t1 $_t2 $(getconf CLK_TCK)" |
		awk '{ printf "%.2f", 100 * ($2 - $1) / $5 / ($4 - $3) }')
}
# until_equal FN WANT: until the output of the shell function FN is WANT
# (a sum of counts over a growing output), at most 10 s, then 0.5 s more,
# so that a count that would go past WANT has gone past it (the caller
# then compares once more: a wrong sum stays wrong)
until_equal() {
	_i=0
	while [ "$($1)" != "$2" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	sleep 0.5
}

# until_jq FILE JQ: until JQ, over all the JSON lines of FILE slurped (other
# lines left out), prints true; at most 20 s
until_jq() {
	_i=0
	until [ "$(grep '^{' "$1" | jq -s "$2" 2>/dev/null)" = true ]; do
		_i=$((_i + 1))
		[ $_i -gt 400 ] && return 1
		sleep 0.05
	done
}

# within_budget WHAT: $after is at most 5 (the default --max-cpu; 15 under
# ASan) plus 2
# percentage points
within_budget() {
	# under AddressSanitizer lden's own work costs some three times as
	# much: its fixed cost (reading the counters of some 80 events ten
	# times a second) alone is about 6% there
	case "${LDEN_SAN_CFLAGS:-}" in
	*address*) _budget=15 ;;
	*) _budget=5 ;;
	esac
	echo "  $1: lden after the switch: $after % of a CPU"
	awk -v a="$after" -v b="$_budget" 'BEGIN { exit !(a <= b + 2) }' ||
		fail "$1: lden used $after % of a CPU after the switch (budget $_budget + 2)"
}

# --- lden io's known workload (tests/kernel/io-target) ---

# io_recipe_folded DATA FIFO W: the folded stacks, by count, of io-target's
# file recipe on DATA with W writes and reads, released through FIFO (which
# it opened before lden started: its path is read from /proc, late, '?')
io_recipe_folded() {
	{
		echo "io-target;$1;close 3"
		echo "io-target;$1;dup 1"
		echo "io-target;$1;fcntl 1"
		echo "io-target;$1;lseek 2"
		echo "io-target;$1;openat 1"
		echo "io-target;$1;read $(($3 + 1))"
		echo "io-target;$1;write $(($3 + 2))"
		echo "io-target;$2?;read 2"
	} | LC_ALL=C sort
}

# --- a ring filled while lden is stopped (test-comm-lost, test-io-lost) ---

# flood_lib: $tmp/flood.py, imported by a workload in $tmp ('from flood
# import until, flood'): until(F), a bounded wait (60 s) for the file F,
# else exit 3; flood(), on one CPU (the records after it go to the ring it
# filled, not to another CPU's with room), 200,000 lseek(777) calls (EBADF);
# flood_then(D, CHANGE), what flood_stopped drives: until D/go, flood(),
# CHANGE(), then D/flooded; rename(NAME), prctl(PR_SET_NAME)
flood_lib() {
	cat >"$tmp/flood.py" <<'PY'
import ctypes, os, sys, time
def until(f):
    for _ in range(6000):
        if os.path.exists(f):
            return
        time.sleep(0.01)
    sys.exit(3)
def flood():
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    for i in range(200000):
        try:
            os.lseek(777, 0, 0)
        except OSError:
            pass
def flood_then(d, change):
    until(d + "/go")
    flood()
    change()
    open(d + "/flooded", "w").close()
def rename(name):
    ctypes.CDLL(None).prctl(15, name, 0, 0, 0)
PY
}

# until_file FILE [SECONDS]: bounded wait (default 10 s)
until_file() {
	_i=0
	while [ ! -e "$1" ]; do
		_i=$((_i + 1))
		[ $_i -gt $((${2:-10} * 20)) ] && return 1
		sleep 0.05
	done
}

# flood_stopped PID WHAT: lden PID stopped, the workload told to flood
# ($tmp/go) until it says it did and made its change ($tmp/flooded), lden
# continued, the workload told so ($tmp/cont); fails naming WHAT
flood_stopped() {
	kill -STOP "$1"
	touch "$tmp/go"
	# (200,000 calls on one CPU: 0.3 s quiet, over 10 s at load 17)
	until_file "$tmp/flooded" 60 ||
		{ kill -CONT "$1"; fail "$2: the workload did not flood"; }
	kill -CONT "$1"
	touch "$tmp/cont"
}
