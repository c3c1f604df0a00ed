#!/bin/sh
# lden notify as users run it, against the live kernel (root): the table
# of bad expressions and options in notify-errors.txt (exit 2, the exact
# message, nothing attached), then conditions that fire on workloads this
# script starts: the script and its LDEN_* environment, --time, SIGINT and
# SIGTERM, size() over loopback TCP, speed() rising and decaying (JSON),
# arithmetic, a kernel filter, and --repeat with and without --cooldown.
#
# Where the system's own activity could make a condition true, the events
# are narrowed with kernel filters to the workload's pid, so the numbers
# asserted are the workload's.  Every wait is bounded.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
LDEN="$top_builddir/src/lden"
ERRORS="$top_srcdir/tests/cli/notify-errors.txt"
test_tmp

# row FILE LABEL: the columns after LABEL (escaped as the table shows it:
# esc) in the table of FILE
# (COUNT SIZE SPEED [LOST])
row() {
	awk -v l="$(esc "$2" | sed 's/\\/\\\\/g')" 'index($0, l) == 1 && substr($0, length(l) + 1, 1) == " " {
		print substr($0, length(l) + 1); exit }' "$1"
}

# esc NAME: NAME as the table and the header show it (a space as \x20)
esc() {
	printf '%s' "$1" | sed 's/ /\\x20/g'
}

# the LDEN_* variable NAME of FILE
envval() {
	sed -n "s/^$2=//p" "$1"
}

# is_between VALUE LOW HIGH (numbers, inclusive)
is_between() {
	awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN {
		exit !(v ~ /^[0-9]+(\.[0-9]+)?$/ && v + 0 >= lo + 0 && v + 0 <= hi + 0) }'
}

snapshot > "$tmp/state.before" || exit 99

# ---------------------------------------------------------------------
# 1. Bad input: exit 2, exactly the message, nothing on stdout; errors in
# the expression quote it with a caret line.
cases=0
bad=0
while IFS='	' read -r expr msg opts; do
	case $expr in
	'' | '#'*) continue ;;
	esac
	case $msg in
	*CONFIG_KPROBES*)
		# only where the kernel has no kprobes
		[ -e "$T/kprobe_events" ] && continue ;;
	esac
	eval "set -- $opts"
	case $expr in
	'(none)') timeout 10 "$LDEN" notify "$@" >"$tmp/e.out" 2>"$tmp/e.err" ;;
	'(empty)') expr=''; timeout 10 "$LDEN" notify "$@" '' >"$tmp/e.out" 2>"$tmp/e.err" ;;
	*) timeout 10 "$LDEN" notify "$@" "$expr" >"$tmp/e.out" 2>"$tmp/e.err" ;;
	esac
	rc=$?
	drop_sweep "$tmp/e.err"
	cases=$((cases + 1))
	first=$(sed -n 1p "$tmp/e.err")
	why=""
	if [ $rc != 2 ]; then
		why="exit status $rc, expected 2"
	elif [ "$first" != "$msg" ]; then
		why="message"
	elif [ -s "$tmp/e.out" ]; then
		why="output on stdout"
	else
		case $msg in
		'lden: notify:'*)
			[ "$(wc -l < "$tmp/e.err")" = 1 ] || why="more than one line" ;;
		*)
			[ "$(sed -n 2p "$tmp/e.err")" = "  $expr" ] ||
				why="second line is not the expression"
			sed -n 3p "$tmp/e.err" | grep -qx '  *^~*' ||
				why="third line is not a caret" ;;
		esac
	fi
	if [ -n "$why" ]; then
		bad=$((bad + 1))
		echo "FAIL: lden notify $opts '$expr': $why"
		echo "  expected: $msg"
		sed 's/^/  got:      /' "$tmp/e.err"
	fi
done < "$ERRORS"
[ $bad = 0 ] || fail "$bad of $cases bad inputs"
[ $cases -ge 40 ] || fail "only $cases bad inputs in $ERRORS"

# where the caret is, for errors found after parsing
check_caret() {
	timeout 10 "$LDEN" notify "$1" >"$tmp/c.out" 2>"$tmp/c.err"
	[ $? = 2 ] || fail "'$1': exit status"
	printf 'lden: %s\n  %s\n%s\n' "$2" "$1" "$3" > "$tmp/c.want"
	drop_sweep "$tmp/c.err"
	cmp -s "$tmp/c.want" "$tmp/c.err" ||
		fail "'$1': expected $(cat "$tmp/c.want")"
}
check_caret 'count(task.creat) > 1' \
	"unknown event 'task.creat' (did you mean 'task.create'?)" \
	'        ^~~~~~~~~~'
check_caret 'count(task.create) > 1 and size(task.create) > 1' \
	'task.create has no size (it counts events only); use count() or speed()' \
	'                                  ^~~~~~~~~~~'
check_caret 'count(task.exec) > 0 or count(syscalls:sys_exit_openat[nosuch < 0]) > 1' \
	"syscalls:sys_exit_openat: bad filter 'nosuch < 0' on syscalls:sys_exit_openat: field not valid" \
	'                                ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~'

snapshot > "$tmp/state.errors"
diff -u "$tmp/state.before" "$tmp/state.errors" > "$tmp/state.diff.out" ||
	{ cat "$tmp/state.diff.out"; fail "tracefs changed by the bad inputs"; }
echo "PASS: $cases bad inputs, exit 2 with their messages, tracefs unchanged"

# ---------------------------------------------------------------------
# 2. It fires: 200 forks, count(task.create) > 100 (system-wide), and the
# script sees the numbers in its environment.
mkfifo "$tmp/go1" || exit 99
sh -c 'read x < "$1"; i=0; while [ $i -lt 200 ]; do ( : ); i=$((i + 1)); done' \
	sh "$tmp/go1" &
w=$!; started $w
expr='count(task.create) > 100'
notify_bg fire "$expr" -t 30 --script "env | grep ^LDEN_ > '$tmp/env.txt'"
release "$tmp/go1"
join $w
join $n
[ $rc = 0 ] || fail "fire: exit status $rc"
drop_sweep "$tmp/fire.err"
[ -s "$tmp/fire.err" ] && fail "fire: messages on stderr"
grep -qx 'lden: watching count(task.create) > 100' "$tmp/fire.out" || fail "header"
grep -qx '  task.create  *tracepoint sched:sched_process_fork (counting)' "$tmp/fire.out" ||
	fail "header: the event, its source and mode"
grep -qx "  until it is true, or for at most 30 s; then runs: env | grep ^LDEN_ > '$tmp/env.txt'" \
	"$tmp/fire.out" || fail "header: time and script"
after=$(sed -n 's/^lden: condition true after \([0-9.]*\) s: count(task.create) > 100$/\1/p' "$tmp/fire.out")
[ -n "$after" ] || fail "no 'condition true after' line"
grep -q '^ENAME  *COUNT  *SIZE  *SPEED$' "$tmp/fire.out" || fail "table header"
set -- $(row "$tmp/fire.out" task.create)
[ $# = 3 ] && [ "$2" = - ] || fail "table row of task.create"
count=$1
grep -qx 'lden: script exited with status 0' "$tmp/fire.out" || fail "script status"
[ -s "$tmp/env.txt" ] || fail "the script did not run"
[ "$(envval "$tmp/env.txt" LDEN_EXPRESSION)" = "$expr" ] || fail "LDEN_EXPRESSION"
elapsed=$(envval "$tmp/env.txt" LDEN_ELAPSED)
is_between "$elapsed" 0 30 || fail "LDEN_ELAPSED '$elapsed'"
[ "$elapsed" = "$after" ] || fail "LDEN_ELAPSED $elapsed, printed $after"
c=$(envval "$tmp/env.txt" LDEN_TASK_CREATE_COUNT)
is_between "$c" 101 1000000000 || fail "LDEN_TASK_CREATE_COUNT '$c'"
[ "$c" = "$count" ] || fail "LDEN_TASK_CREATE_COUNT $c, table $count"
[ "$(envval "$tmp/env.txt" LDEN_FIRED)" = 1 ] || fail "LDEN_FIRED"
[ "$(envval "$tmp/env.txt" LDEN_TASK_CREATE_LOST)" = 0 ] || fail "LDEN_TASK_CREATE_LOST"
envval "$tmp/env.txt" LDEN_TASK_CREATE_SPEED | grep -qx '[0-9][0-9]*' ||
	fail "LDEN_TASK_CREATE_SPEED"
grep -q '^LDEN_TASK_CREATE_SIZE=' "$tmp/env.txt" && fail "a size for a count-only event"
echo "PASS: fires after forks (at $after s, count $count), script environment"

# values reach the script only through its environment, never its text
expr='count(task.create[child_comm != "$(touch '"$tmp"'/injected)"]) >= 0'
timeout 20 "$LDEN" notify -t 10 -s "printf '%s\n' \"\$LDEN_EXPRESSION\" > '$tmp/expr.txt'" \
	"$expr" >"$tmp/inject.out" 2>"$tmp/inject.err"
[ $? = 0 ] || fail "injection: exit status"
[ -e "$tmp/injected" ] && fail "the expression was run by the shell"
[ "$(cat "$tmp/expr.txt")" = "$expr" ] || fail "LDEN_EXPRESSION with quotes and \$()"
echo "PASS: the script gets the expression verbatim, not as shell text"

# ---------------------------------------------------------------------
# 3. --time without firing: exit 1, says so, prints the table; --quiet
# prints nothing.
t0=$(date +%s%N)
"$LDEN" notify -t 1 'count(sys.kill) > 1e12' >"$tmp/time.out" 2>"$tmp/time.err"
rc=$?
t1=$(date +%s%N)
[ $rc = 1 ] || fail "--time: exit status $rc, expected 1"
drop_sweep "$tmp/time.err"
[ -s "$tmp/time.err" ] && fail "--time: messages on stderr"
grep -qx 'lden: condition not met within 1 s: count(sys.kill) > 1e12' "$tmp/time.out" ||
	fail "--time: no 'not met' line"
grep -q '^ENAME  *COUNT  *SIZE  *SPEED$' "$tmp/time.out" || fail "--time: table"
[ -n "$(row "$tmp/time.out" sys.kill)" ] || fail "--time: no sys.kill row"
ms=$(( (t1 - t0) / 1000000 ))
is_between $ms 1000 10000 || fail "--time 1 took $ms ms"
"$LDEN" notify -q -t 0.2 'count(sys.kill) > 1e12' >"$tmp/quiet.out" 2>&1
[ $? = 1 ] || fail "--quiet: exit status"
drop_sweep "$tmp/quiet.out"
grep -q . "$tmp/quiet.out" && fail "--quiet printed something"
echo "PASS: --time 1 ends after $ms ms with status 1, --quiet"

# ---------------------------------------------------------------------
# 4. SIGINT and SIGTERM: the table, exit 128 + signal.
# (a file of its own each: a header left from the first must not count)
for sig in INT:130 TERM:143; do
	out="$tmp/sig-${sig%:*}.out"
	"$LDEN" notify -t 60 'count(sys.kill) > 1e12' >"$out" 2>"$tmp/sig.err" &
	n=$!; started $n
	wait_for "$out" '^lden: watching ' || fail "SIG${sig%:*}: no header"
	kill -"${sig%:*}" $n
	join $n
	[ $rc = "${sig#*:}" ] || fail "SIG${sig%:*}: exit status $rc, expected ${sig#*:}"
	drop_sweep "$tmp/sig.err"
	[ -s "$tmp/sig.err" ] && fail "SIG${sig%:*}: messages on stderr"
	grep -q '^lden: stopped by signal after [0-9.]* s$' "$out" ||
		fail "SIG${sig%:*}: no 'stopped' line"
	[ -n "$(row "$out" sys.kill)" ] || fail "SIG${sig%:*}: no table"
done
echo "PASS: SIGINT exits 130, SIGTERM 143, with the table"

# ---------------------------------------------------------------------
# 5. size(): exactly 1 MiB sent over loopback TCP by one process (perl
# is in Debian's perl-base, essential).
mkfifo "$tmp/go2" || exit 99
perl "$top_srcdir/tests/cli/tcp-send.pl" "$tmp/go2" 2>"$tmp/send.err" &
s=$!; started $s
mine="network.tcp_send[common_pid == $s]"
# the filtered one first: it takes the tracepoint in lden's instance (the
# ftrace ring); the other, the same tracepoint with another filter, is
# sampled through the perf ring
notify_bg size -t 30 "size($mine) >= 1048576 and size(network.tcp_send) >= 1048576"
release "$tmp/go2"
join $s
[ $rc = 0 ] || fail "size: the sender failed"
join $n
[ $rc = 0 ] || fail "size: exit status $rc"
grep -qF "  $(esc "$mine") tracepoint sock:sock_send_length (sampling, for size: ftrace ring, $(ftrace_reader) (system-wide))" "$tmp/size.out" ||
	fail "size: $mine not on the ftrace ring: $(grep sock_send "$tmp/size.out")"
grep -q "^  network.tcp_send  *tracepoint sock:sock_send_length (sampling, for size: perf ring (the tracepoint is in lden's instance already, with another filter))\$" "$tmp/size.out" ||
	fail "size: network.tcp_send not on the perf ring: $(grep sock_send "$tmp/size.out")"
grep -q '^ENAME  *COUNT  *SIZE  *SPEED$' "$tmp/size.out" || fail "size: lost records"
set -- $(row "$tmp/size.out" "$mine")
[ $# = 3 ] && [ "$2" = 1048576 ] && [ "$1" -ge 1 ] ||
	fail "size: $mine row '$*', expected size 1048576"
set -- $(row "$tmp/size.out" network.tcp_send)
[ $# = 3 ] && [ "$2" -ge 1048576 ] || fail "size: network.tcp_send row '$*'"
echo "PASS: size() fires after 1 MiB over TCP, the sender's size exactly 1048576 (ftrace ring; the other on the perf ring)"

# ---------------------------------------------------------------------
# 6. speed(): rises with a burst of forks (over 10 a second: a loaded
# machine forks a shell's subshells at some 30 a second), and falls back
# to 0 a second after they stop (LDEN's never did).  --json prints no header, so the
# workload forks until the first firing is out.
mkfifo "$tmp/go3" || exit 99
sh -c 'read x < "$1"; i=0
	while [ ! -e "$2" ] && [ $i -lt 20000 ]; do ( : ); i=$((i + 1)); done
	echo $i > "$3"' sh "$tmp/go3" "$tmp/stop3" "$tmp/forks3.txt" &
w=$!; started $w
mine="task.create[parent_pid == $w]"
"$LDEN" notify --repeat --json -t 60 "speed($mine) > 10" \
	>"$tmp/speed.out" 2>"$tmp/speed.err" &
n=$!; started $n
release "$tmp/go3"
wait_for "$tmp/speed.out" '"type":"fire"' || fail "speed: never fired"
touch "$tmp/stop3"
join $w
# the window is one second: two seconds after the last fork it is empty
sleep 2
kill -INT $n
join $n
[ $rc = 130 ] || fail "speed: exit status $rc"
drop_sweep "$tmp/speed.err"
[ -s "$tmp/speed.err" ] && fail "speed: messages on stderr"
forks=$(cat "$tmp/forks3.txt")
# (then the guard's actions and, at the end, lden's own cost)
pat_events='"events":\[{"name":"task.create\[parent_pid == '$w'\]","count":\([0-9]*\),"size":null,"speed":\([0-9]*\),"lost":0,"missed":0,"count_exact":true}\],"guard":\[\]\(,"self":{.*}\)\{0,1\}}$'
# a firing in lden's first second: the speed is the average over the span
# since its first tick, marked
pat_first=$(echo "$pat_events" | sed 's/"count_exact":true}/"count_exact":true\\(,"speed_estimated":true,"speed_span":0\\.[0-9]*\\)\\{0,1\\}}/')
first=$(sed -n 1p "$tmp/speed.out")
speed=$(echo "$first" | sed -n 's/^{"type":"fire","elapsed":[0-9.]*,"expression":"speed(task.create\[parent_pid == '$w'\]) > 10",'"$pat_first"'/\2/p')
[ -n "$speed" ] && [ "$speed" -gt 10 ] || fail "speed: first line '$first'"
last=$(tail -n 1 "$tmp/speed.out")
end=$(echo "$last" | sed -n 's/^{"type":"end","reason":"signal","elapsed":[0-9.]*,"fired":\([0-9]*\),'"$pat_events"'/\1 \2 \3/p')
set -- $end
[ $# = 3 ] || fail "speed: last line '$last'"
[ "$1" -ge 1 ] && [ "$1" = "$(grep -c '"type":"fire"' "$tmp/speed.out")" ] ||
	fail "speed: fired $1"
[ "$2" -gt 10 ] && [ "$2" -le "$forks" ] || fail "speed: count $2 of $forks forks"
[ "$3" = 0 ] || fail "speed: still $3 a second after the forks stopped"
echo "PASS: speed() rose to $speed, back to 0 after the burst ($2 forks counted)"

# ---------------------------------------------------------------------
# 7. Arithmetic: 150 forks and 50 fork+execs of a uniquely named link;
# the condition holds only when all are done.
ln -s /bin/true "$tmp/lden-true" || exit 99
mkfifo "$tmp/go4" || exit 99
sh -c 'read x < "$1"; i=0; while [ $i -lt 150 ]; do ( : ); i=$((i + 1)); done
	i=0; while [ $i -lt 50 ]; do "$2"; i=$((i + 1)); done' \
	sh "$tmp/go4" "$tmp/lden-true" &
w=$!; started $w
C="count(task.create[parent_pid == $w])"
E="count(task.exec[filename == \"$tmp/lden-true\"])"
notify_bg arith -t 30 "$C - $E = 150 and $E / $C = 0.25 and $C * 2 + 1 > 400"
release "$tmp/go4"
join $w
join $n
[ $rc = 0 ] || fail "arithmetic: exit status $rc"
set -- $(row "$tmp/arith.out" "task.create[parent_pid == $w]")
[ "${1:-}" = 200 ] || fail "arithmetic: ${1:-no} forks, expected 200"
set -- $(row "$tmp/arith.out" "task.exec[filename == \"$tmp/lden-true\"]")
[ "${1:-}" = 50 ] || fail "arithmetic: ${1:-no} execs, expected 50"
echo "PASS: arithmetic over two events"

# ---------------------------------------------------------------------
# 8. A kernel filter: 30 failed opens by one process; its successful
# opens, counted apart, are the one of the fifo it was blocked in.  lden
# starts once the process has done the opens of its own start (it says
# so with a rename, which opens nothing).
mkfifo "$tmp/go5" || exit 99
perl -e 'open(my $r, ">", "$ARGV[1].tmp") or die "$ARGV[1]: $!";
	print $r "ready\n"; close($r) or die "$ARGV[1]: $!";
	rename("$ARGV[1].tmp", $ARGV[1]) or die "$ARGV[1]: $!";
	open(my $g, "<", $ARGV[0]) or die; <$g>;
	for (1 .. 30) { open(my $f, "<", "/nonexistent/lden-$_") and die }' \
	"$tmp/go5" "$tmp/ready5" &
p=$!; started $p
wait_for "$tmp/ready5" ready || fail "filter: the workload did not start"
failed="syscalls:sys_exit_openat[ret < 0 && common_pid == $p]"
ok="syscalls:sys_exit_openat[ret >= 0 && common_pid == $p]"
notify_bg filter -t 30 "count($failed) > 20 and count($ok) = 1"
release "$tmp/go5"
join $p
[ $rc = 0 ] || fail "filter: the workload failed"
join $n
[ $rc = 0 ] || fail "filter: exit status $rc"
set -- $(row "$tmp/filter.out" "$failed")
is_between "${1:-}" 21 30 || fail "filter: ${1:-no} failed opens"
set -- $(row "$tmp/filter.out" "$ok")
[ "${1:-}" = 1 ] || fail "filter: ${1:-no} successful opens"
echo "PASS: a kernel filter counts only the failed opens"

# ---------------------------------------------------------------------
# 9. --repeat: two bursts of 100 forks two seconds apart fire twice (the
# condition turns false in between); with --cooldown 30, once.
mkfifo "$tmp/go6" || exit 99
sh -c 'read x < "$1"; for burst in 1 2; do
		i=0; while [ $i -lt 100 ]; do ( : ); i=$((i + 1)); done
		[ $burst = 1 ] && sleep 2
	done' sh "$tmp/go6" &
w=$!; started $w
cond="speed(task.create[parent_pid == $w]) > 20"
notify_bg cooldown --repeat --cooldown 30 -t 8 "$cond"
n2=$n
notify_bg repeat --repeat -t 8 -s "echo fired >> '$tmp/fired.txt'" "$cond"
release "$tmp/go6"
join $w
join $n
[ $rc = 0 ] || fail "repeat: exit status $rc"
fired=$(grep -c '^lden: condition true after' "$tmp/repeat.out")
[ "$fired" -ge 2 ] || fail "repeat: fired $fired times"
[ "$(grep -cx fired "$tmp/fired.txt")" = "$fired" ] || fail "repeat: scripts run"
grep -qx "lden: stopped after 8 s, fired $fired times" "$tmp/repeat.out" ||
	fail "repeat: last line"
join $n2
[ $rc = 0 ] || fail "cooldown: exit status $rc"
grep -qx 'lden: stopped after 8 s, fired 1 time' "$tmp/cooldown.out" ||
	fail "cooldown: fired more than once"
echo "PASS: --repeat fired $fired times, with --cooldown once"

# ---------------------------------------------------------------------
# 10. Two events with one environment name (a filter's operators are not
# letters: both are SYSCALLS_SYS_EXIT_OPENAT_RET_0): each has variables of
# its own (X__1_*, X__2_*), and none is the other's.  On the old code both
# wrote LDEN_SYSCALLS_SYS_EXIT_OPENAT_RET_0_COUNT, the last one winning.
failed="syscalls:sys_exit_openat[ret < 0]"
ok="syscalls:sys_exit_openat[ret >= 0]"
timeout 30 "$LDEN" notify -t 20 -s "env | grep ^LDEN_ > '$tmp/env2.txt'" \
	"count($failed) >= 3 and count($ok) >= 1" -- \
	perl -e 'for (1 .. 3) { open(my $g, "<", "/nonexistent/lden-$_") and die }
		open(my $f, "<", "/etc/hostname") or die; sleep 10' \
	>"$tmp/envname.out" 2>&1
rc=$?
[ $rc = 0 ] || fail "environment names: exit status $rc"
V=LDEN_SYSCALLS_SYS_EXIT_OPENAT_RET_0
set -- $(row "$tmp/envname.out" "$failed")
[ -n "${1:-}" ] && [ "$(envval "$tmp/env2.txt" ${V}__1_COUNT)" = "$1" ] ||
	fail "environment names: ${V}__1_COUNT '$(envval "$tmp/env2.txt" ${V}__1_COUNT)', the table's '$failed' ${1:-none}"
set -- $(row "$tmp/envname.out" "$ok")
[ -n "${1:-}" ] && [ "$(envval "$tmp/env2.txt" ${V}__2_COUNT)" = "$1" ] ||
	fail "environment names: ${V}__2_COUNT '$(envval "$tmp/env2.txt" ${V}__2_COUNT)', the table's '$ok' ${1:-none}"
grep -q "^${V}_COUNT=" "$tmp/env2.txt" &&
	fail "environment names: ${V}_COUNT, one of two events' counts"
echo "PASS: two events with one environment name: each its own variables"

# ---------------------------------------------------------------------
# the library's messages quote a filter escaped: a newline in it does not
# make the error two lines (the expression and its caret follow)
nl='
'
"$LDEN" notify "count(task.create[nosuch == 1 &&${nl} common_pid == 1]) > 1" -t 0.2 \
	>"$tmp/nlf.out" 2>"$tmp/nlf.err"
rc=$?
drop_sweep "$tmp/nlf.err"
[ $rc = 2 ] || fail "a filter with a newline: exit $rc, not 2"
[ "$(wc -l <"$tmp/nlf.err")" = 3 ] &&
	[ "$(sed -n 1p "$tmp/nlf.err")" = "lden: task.create: bad filter 'nosuch == 1 &&\\n common_pid == 1' on sched:sched_process_fork: field not valid" ] ||
	fail "a filter with a newline: not one message line with it escaped"
echo "PASS: a filter's newline escaped in the library's message"

# ---------------------------------------------------------------------
snapshot > "$tmp/state.after"
diff -u "$tmp/state.before" "$tmp/state.after" > "$tmp/state.diff.out" ||
	{ cat "$tmp/state.diff.out"; fail "tracefs changed"; }
echo "PASS: tracefs unchanged"
