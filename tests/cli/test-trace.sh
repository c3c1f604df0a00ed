#!/bin/sh
# lden trace against the live kernel (root), on workloads this script
# starts and scopes to: the exec recipe shows a known argument list; the
# open --failed recipe shows exactly the N missing paths a helper opened
# (ENOENT), not its successful opens; tcp-accept shows M connections on
# 127.0.0.1 and M on ::1 with the right port and source; a raw tracepoint
# with a kernel filter and --json gives lines jq parses with the right
# values; bad input exits 2 with one line and leaves nothing attached.
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
T=${LDEN_TRACEFS:-/sys/kernel/tracing}
[ -r "$T/events/sched/sched_process_exec/id" ] ||
	{ echo "SKIP: no tracefs at $T"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
LDEN="$top_builddir/src/lden"
TARGET="$top_builddir/tests/kernel/open-target"
. "$top_srcdir/tests/cli/lib.sh"
setup_tmp

# trace NAME ARGS...: lden trace in the background, $NAME.out/.err,
# returns once it says it is tracing; its pid in $tpid
trace() {
	_n=$1
	shift
	# the guard off: these cases count every sample (test-trace-guard.sh)
	"$LDEN" trace "$@" -t 60 --max-cpu 0 >"$tmp/$_n.out" 2>"$tmp/$_n.err" &
	tpid=$!
	pids="$pids $tpid"
	wait_for "$tmp/$_n.err" '^lden: tracing' || fail "$_n: lden trace did not start"
}

# target NAME N [EXISTING...]: open-target waiting on fd 8; $opid
target() {
	_n=$1
	shift
	workload "$_n" "$TARGET" "$@"
	opid=$wpid
}

# --- exec: a known argument list -------------------------------------
trace exec exec --json
mark="lden-argv-$$"
(sleep 2 | "$TARGET" 0 "$mark" second-arg >/dev/null) &
xpid=$!
# (the pattern cannot match a grep's own argv, where JSON escapes quotes)
wait_for "$tmp/exec.out" '"comm":"open-target",' ||
	fail "exec: no line for open-target"
wait $xpid
stop $tpid
[ $rc = 0 ] || fail "exec: lden trace exited $rc after SIGINT"
line=$(grep '"comm":"open-target",' "$tmp/exec.out" | grep "$mark" | head -1)
argv=$(printf '%s\n' "$line" | jq -r .argv) || fail "exec: not JSON: $line"
[ "$argv" = "$TARGET 0 $mark second-arg" ] ||
	fail "exec: argv is '$argv', expected '$TARGET 0 $mark second-arg'"
[ "$(printf '%s\n' "$line" | jq -r .filename)" = "$TARGET" ] ||
	fail "exec: wrong filename in $line"
[ "$(printf '%s\n' "$line" | jq -r .uid)" = 0 ] || fail "exec: uid not 0: $line"
# the uid read from /proc as the record arrived, not in the record: said
# so; the ppid exact, lden having seen the process start (test-exec-ppid)
[ "$(printf '%s\n' "$line" | jq -r '"\(.uid_source) \(.ppid_source)"')" = "late exact" ] ||
	fail "exec: uid not marked late, or ppid not exact: $line"
[ "$(printf '%s\n' "$line" | jq -r .comm)" = open-target ] ||
	fail "exec: comm is not open-target: $line"
grep -q '^  exec  *[1-9]' "$tmp/exec.err" || fail "exec: no summary on stderr"
jq -e . "$tmp/exec.out" >/dev/null || fail "exec: output is not JSON lines"
echo "PASS: exec shows '$argv'"

# --- open --failed: exactly the N missing paths ----------------------
N=7
target open $N /etc/hostname /etc/passwd "$TARGET"
trace open open --failed --pid $opid
release_workload open
until_lines "$tmp/open.out" /nonexistent-lden/ $N
stop $tpid
exec 8>&-
[ "$(grep -c ENOENT "$tmp/open.out")" = $N ] ||
	fail "open: expected $N ENOENT lines"
for k in $(seq 0 $((N - 1))); do
	[ "$(grep -c " /nonexistent-lden/$opid-$k ENOENT\$" "$tmp/open.out")" = 1 ] ||
		fail "open: /nonexistent-lden/$opid-$k not shown once with ENOENT"
done
[ "$(grep -vc '^TIME' "$tmp/open.out")" = $N ] || fail "open: lines besides the $N"
grep -q -e /etc/hostname -e /etc/passwd "$tmp/open.out" &&
	fail "open: a successful open was shown"
grep -q "open-target  *$opid  *$opid " "$tmp/open.out" || fail "open: no comm/pid"
echo "PASS: open --failed shows exactly the $N failed opens"

# all opens: the existing paths with their descriptor
target all 2 /etc/hostname
trace all open --pid $opid
release_workload all
wait_for "$tmp/all.out" " /etc/hostname fd=[0-9]" || fail "all: no fd for /etc/hostname"
stop $tpid
exec 8>&-
[ "$(grep -c ' /nonexistent-lden/.* ENOENT$' "$tmp/all.out")" = 2 ] ||
	fail "all: the 2 failed opens are not there"
echo "PASS: open shows successes with fd= and failures with ENOENT"

# --- a tracepoint with a kernel filter, as JSON ----------------------
target raw 5 /etc/hostname
trace raw 'syscalls:sys_exit_openat[ret < 0]' --pid $opid --json --fields ret
release_workload raw
until_lines "$tmp/raw.out" '"ret":-2' 5
stop $tpid
exec 8>&-
n=$(jq -s '[.[] | select(.event == "syscalls:sys_exit_openat[ret < 0]" and .fields.ret == -2
	and .pid == '"$opid"' and .comm == "open-target" and (.fields | keys) == ["ret"])] | length' \
	"$tmp/raw.out") || fail "raw: output is not JSON"
[ "$n" = 5 ] || fail "raw: $n lines with ret -2 for pid $opid, expected 5"
# open-target ran before lden: its name read from /proc, said so
[ "$(jq -r .comm_source "$tmp/raw.out" | sort -u)" = late ] ||
	fail "raw: the name of a process started before lden is not marked late"
[ "$(wc -l <"$tmp/raw.out")" = 5 ] || fail "raw: lines besides the 5 failures"
grep -q '^  syscalls:sys_exit_openat\[ret\\x20<\\x200\]  *5$' "$tmp/raw.err" ||
	fail "raw: the summary does not count 5"
echo "PASS: a filtered tracepoint as JSON: 5 failures, fields as asked"

# --- a uprobe, sampled: one line per call, removed at the end --------
# a copy of its own: the kernel tests run the same target meanwhile (make -j)
UP="$tmp/uprobe-target"
cp "$top_builddir/tests/kernel/uprobe-target" "$UP"
trace up "uprobe($UP:lden_uprobe_target_fn)" --json
group=$(lden_group "$tpid")
grep -q "$group/" "$T/dynamic_events" || fail "uprobe: no probe in group $group"
"$UP" 7 </dev/null &
upid=$!
wait $upid || fail "uprobe-target failed"
until_lines "$tmp/up.out" . 7
stop $tpid
# (its comm may be '?': it exits at once, before lden reads /proc)
[ "$(jq -s '[.[] | select(.pid == '$upid' and
	(.fields.__probe_ip | test("^0x[0-9a-f]+$")))] | length' "$tmp/up.out")" = 7 ] ||
	fail "uprobe: not 7 lines with the probe's address"
[ "$(wc -l <"$tmp/up.out")" = 7 ] || fail "uprobe: lines besides the 7 calls"
grep -q "$group/" "$T/dynamic_events" && fail "uprobe: group $group left behind"
echo "PASS: a uprobe shows the 7 calls and is removed"

# --- lost records, inline: a reader that stalls -----------------------
CALLS=600000
workload lost python3 -c '
import os, sys
print("ready", flush=True)
sys.stdin.readline()
for i in range(int(sys.argv[1])):
    os.getppid()
print("done", flush=True)
sys.stdin.readline()
' $CALLS
lpid=$wpid
# the pipe's reader reads nothing until the workload has made all its
# calls: lden blocks on the full pipe, and the rings fill whatever the
# machine's load (a sleep of a few seconds was not enough under load:
# a slowed workload did not fill them in that time)
"$LDEN" trace syscalls:sys_enter_getppid --pid $lpid -t 300 --max-cpu 0 2>"$tmp/lost.err" |
	(_i=0; while ! grep -q '^done' "$tmp/lost.tgt" && [ $_i -lt 3000 ]; do
		sleep 0.1; _i=$((_i + 1)); done; cat) >"$tmp/lost.out" &
rpid=$!
pids="$pids $rpid"
wait_for "$tmp/lost.err" '^lden: tracing' || fail "lost: lden trace did not start"
lden_pid=$(pgrep -n -f "trace syscalls:sys_enter_getppid --pid $lpid")
release_workload lost
# the line comes after the 600,000 calls' lines before it are written: on a
# loaded machine that takes longer than the usual bound
wait_for "$tmp/lost.out" '^-- lost [0-9]* records on CPU [0-9]* --$' 120 ||
	fail "lost: no inline lost line"
sleep 0.5
kill -INT "$lden_pid"
wait $rpid
exec 8>&-
inline=$(sed -n 's/^-- lost \([0-9]*\) records on CPU [0-9]* --$/\1/p' "$tmp/lost.out" |
	awk '{ s += $1 } END { print s + 0 }')
lines=$(grep -c 'syscalls:sys_enter_getppid' "$tmp/lost.out")
summary_lost=$(sed -n 's/^  lost records  *//p' "$tmp/lost.err")
summary_n=$(sed -n 's/^  syscalls:sys_enter_getppid  *//p' "$tmp/lost.err")
[ "$inline" -gt 0 ] || fail "lost: nothing lost"
[ "$inline" = "$summary_lost" ] || fail "lost: inline $inline, summary $summary_lost"
[ "$lines" = "$summary_n" ] || fail "lost: $lines lines, summary says $summary_n"
[ $((lines + inline)) = $CALLS ] ||
	fail "lost: $lines lines + $inline lost != $CALLS calls"
echo "PASS: $lines lines + $inline lost inline = the $CALLS calls"

# --- tcp-accept: M connections over 127.0.0.1 and M over ::1 ---------
M=4
workload srv python3 -c '
import socket, sys
m = int(sys.argv[1])
socks = []
for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    s = socket.socket(fam)
    s.bind((addr, 0))
    s.listen(16)
    socks.append(s)
    print("port", addr, s.getsockname()[1], flush=True)
print("ready", flush=True)
sys.stdin.readline()
keep = []
for s in socks:
    fam = s.family
    addr, port = s.getsockname()[:2]
    for i in range(m):
        c = socket.socket(fam)
        c.connect((addr, port))
        a, peer = s.accept()
        keep += [c, a]
        print("peer", addr, port, peer[0], peer[1], flush=True)
print("done", flush=True)
sys.stdin.readline()
' $M
spid=$wpid
trace acc tcp-accept --pid $spid
release_workload srv
until_lines "$tmp/acc.out" python3 $((2 * M))
stop $tpid
exec 8>&-
p4=$(sed -n 's/^port 127.0.0.1 //p' "$tmp/srv.tgt")
p6=$(sed -n 's/^port ::1 //p' "$tmp/srv.tgt")
# TIME UID CMD PID PORT IP_SOURCE: the server ran before lden, so its
# name and uid are read from /proc as each record arrives: marked late
n4=$(awk -v p=$spid -v port=$p4 '$3 == "python3?" && $4 == p && $5 == port && $6 == "127.0.0.1"' "$tmp/acc.out" | wc -l)
n6=$(awk -v p=$spid -v port=$p6 '$3 == "python3?" && $4 == p && $5 == port && $6 == "::1"' "$tmp/acc.out" | wc -l)
[ "$n4" = $M ] || fail "tcp-accept: $n4 lines for 127.0.0.1 port $p4, expected $M"
[ "$n6" = $M ] || fail "tcp-accept: $n6 lines for ::1 port $p6, expected $M"
[ "$(grep -vc '^TIME' "$tmp/acc.out")" = $((2 * M)) ] || fail "tcp-accept: extra lines"
awk '$2 != "0?" && $1 != "TIME"' "$tmp/acc.out" | grep -q . && fail "tcp-accept: uid is not 0, marked late"
grep -q "process values (names, uids, ppids): 0 exact (at the record), $((4 * M)) late" "$tmp/acc.err" ||
	fail "tcp-accept: the summary does not count $((4 * M)) late values"
echo "PASS: tcp-accept shows $M connections on 127.0.0.1:$p4 and $M on [::1]:$p6 (name and uid read late, marked)"

# --- tcp-accept: a server started after lden renames itself and drops
# root after each accept: its name at the accept is exact, the uid
# (in no record) marked late --------------------------------------------
trace acc2 tcp-accept --json
workload srv2 python3 -c '
import ctypes, os, socket, sys
m = int(sys.argv[1])
prctl = ctypes.CDLL(None, use_errno=True).prctl
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print("ready", flush=True)
sys.stdin.readline()
keep = []
for i in range(m):
    c = socket.create_connection(s.getsockname())
    a, _ = s.accept()
    keep += [c, a]
    prctl(15, b"renamed-%d" % i, 0, 0, 0)
    if i == 0:
        os.setresuid(65534, 65534, 65534)
print("done", flush=True)
sys.stdin.readline()
' $M
spid2=$wpid
release_workload srv2
mine2="select(.pid == $spid2)"
until_jq "$tmp/acc2.out" "[.[] | $mine2] | length >= $M" ||
	fail "tcp-accept: fewer than $M lines for the renaming server"
stop $tpid
exec 8>&-
# accept i: python3, then renamed-(i-1) (read at arrival: a later name)
want='[["python3","exact","late"]'
i=1
while [ $i -lt $M ]; do
	want="$want,[\"renamed-$((i - 1))\",\"exact\",\"late\"]"
	i=$((i + 1))
done
want="$want]"
[ "$(grep '^{' "$tmp/acc2.out" | jq -s -c "[.[] | $mine2 | [.cmd, .cmd_source, .uid_source]]")" = "$want" ] ||
	fail "tcp-accept: the renaming server's names at its accepts are not $want: $(grep "$spid2" "$tmp/acc2.out")"
echo "PASS: tcp-accept names a server that renamed itself after each accept as it was at each accept (exact); its uid marked late"

# --- -- COMMAND: only it and its children, its status passed on ------
"$LDEN" trace task.create --max-cpu 0 -- sh -c 'for i in 1 2 3 4 5 6; do /bin/true; done; exit 3' \
	>"$tmp/cmd.out" 2>"$tmp/cmd.err"
rc=$?
[ "$rc" = 3 ] || fail "-- COMMAND: exit $rc, want the command's 3"
[ "$(grep -c ' task\.create ' "$tmp/cmd.out")" = 6 ] || fail "-- COMMAND: want 6 task.create lines"
[ "$(awk '$1 == "task.create" { print $2 }' "$tmp/cmd.err")" = 6 ] || fail "-- COMMAND: want a count of 6"
grep -q '^lden: the command exited with status 3$' "$tmp/cmd.err" || fail "-- COMMAND: no status line"
echo "PASS: -- COMMAND: its 6 forks, stopped when it exited, its status 3 passed on"

# --- names as at each record: fork, exec, prctl followed -------------
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
"$LDEN" trace syscalls:sys_enter_openat --json --max-cpu 0 -- sh -c "cat /etc/hostname >/dev/null
$PY -c \"import ctypes
ctypes.CDLL(None).prctl(15, b'renamed-it', 0, 0, 0)
open('/etc/hostname').read()\"
exec cat /etc/hostname >/dev/null" >"$tmp/names.out" 2>"$tmp/names.err" || fail "names: lden trace failed"
jq -e -s 'length > 20 and (map(.comm_source) | unique) == ["exact"]' "$tmp/names.out" >/dev/null ||
	fail "names: a process lden saw start not named exactly: $(jq -r .comm_source "$tmp/names.out" | sort | uniq -c)"
# the shell: sh up to its exec, cat after (its own pid, the first line's)
jq -e -s '.[0].pid as $p | [.[] | select(.pid == $p) | .comm] as $n |
	$n[0] == "sh" and ($n | index("cat")) as $i | $i != null and
	($n[:$i] | unique) == ["sh"] and ($n[$i:] | unique) == ["cat"]' \
	"$tmp/names.out" >/dev/null || fail "names: the shell is not sh then cat after its exec"
# the child cat: cat from its exec on; the child python: renamed after prctl
jq -e -s '[.[] | select(.comm == "renamed-it")] | length >= 1' "$tmp/names.out" >/dev/null ||
	fail "names: no line named renamed-it after prctl"
jq -e -s '([.[] | select(.comm == "renamed-it")][0].pid) as $p |
	[.[] | select(.pid == $p) | .comm] as $n | ($n | index("renamed-it")) as $i |
	$i > 0 and $n[$i - 1] == "python3" and ($n[$i:] | unique) == ["renamed-it"]' \
	"$tmp/names.out" >/dev/null || fail "names: python3 not renamed-it after its prctl"
# the text: no name marked late for the command's processes
"$LDEN" trace syscalls:sys_enter_openat --max-cpu 0 -- sh -c "exec cat /etc/hostname >/dev/null" \
	>"$tmp/namest.out" 2>"$tmp/namest.err" || fail "names: lden trace (text) failed"
awk '$4 ~ /\?$/' "$tmp/namest.out" | grep -q . && fail "names: marked late in the text: $(awk '$4 ~ /\?$/' "$tmp/namest.out" | head -1)"
grep -q '^[0-9:.]*  *[0-9]*  *[0-9]* cat  ' "$tmp/namest.out" || fail "names: no cat line in the text"
echo "PASS: names as at each record: sh until its exec, cat after, python3 until prctl; a process started before lden marked late"

# --- bad input: exit 2, one line, nothing attached -------------------
# what each bad run left is told by its pid (left_behind)
: >"$tmp/bad.pids"
bad() {	# expected-message-pattern, args...
	_pat=$1
	shift
	"$LDEN" trace "$@" >"$tmp/bad.out" 2>"$tmp/bad.err" &
	_p=$!
	echo "$_p" >>"$tmp/bad.pids"
	# bounded: a refusal that regressed into a run must fail, not hang
	_i=0
	while [ -d "/proc/$_p" ] &&
		[ "$(sed 's/.*) //' "/proc/$_p/stat" 2>/dev/null | cut -c1)" != Z ]; do
		_i=$((_i + 1))
		if [ $_i -gt 300 ]; then
			kill -INT "$_p" 2>/dev/null
			wait "$_p"
			fail "trace $*: still running after 30 s, expected a refusal"
		fi
		sleep 0.1
	done
	wait "$_p"
	_rc=$?
	[ $_rc = 2 ] || fail "trace $*: exit $_rc, expected 2"
	drop_sweep "$tmp/bad.err"
	[ "$(wc -l <"$tmp/bad.err")" = 1 ] || fail "trace $*: not one line: $(cat "$tmp/bad.err")"
	grep -q "^lden: .*$_pat" "$tmp/bad.err" || fail "trace $*: message '$(cat "$tmp/bad.err")'"
	[ -s "$tmp/bad.out" ] && fail "trace $*: printed on stdout"
}
bad "unknown event 'task.creat'" task.creat
bad "no tracepoint 'sched:nosuch'" sched:nosuch
bad "bad filter 'nosuch == 1'" 'sched:sched_switch[nosuch == 1]'
bad "bad filter" sched:sched_switch --filter 'nosuch > 2'
bad "no event has a field 'nosuch'" sched:sched_switch --fields nosuch
bad "invalid --time value '0'" exec -t 0
bad "takes no other events" exec --failed
bad "--failed goes with the recipe 'open'" sched:sched_switch --failed
# a name with both quotes cannot be written in a kernel filter (one
# with either alone is matched: test-comm.sh)
bad "invalid --comm value .*: both ' and \"" task.create --comm "a\"b'c"
bad "no command after '--'" task.create --
bad "choose one of --pid, --cgroup, --container and -- COMMAND" task.create --pid $$ -- true
bad "missing EVENT" 
bad "uprobe" 'uprobe(/bin/true:nosuch_symbol_lden)'
while read -r _p; do
	left_behind "$_p" && fail "bad input (pid $_p) left kernel state behind"
done <"$tmp/bad.pids"
echo "PASS: bad input exits 2 with one line"
exit 0
