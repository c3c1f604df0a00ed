#!/bin/sh
# lden top against the live kernel (root), on workloads this script
# starts and scopes to: a tracepoint per comm and per field counts exactly
# a helper's opens; top net shows at least the bytes a process sent over
# loopback TCP and UDP for its pid; top drops shows UDP datagrams sent to
# a closed port at a symbolised location with reason NO_SOCKET; the text
# output has a timestamp line per interval; bad input exits 2.
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
T=${LDEN_TRACEFS:-/sys/kernel/tracing}
[ -r "$T/events/net/net_dev_queue/id" ] ||
	{ echo "SKIP: no tracefs (or no net events) at $T"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
LDEN="$top_builddir/src/lden"
TARGET="$top_builddir/tests/kernel/open-target"
. "$top_srcdir/tests/cli/lib.sh"
setup_tmp

# top NAME ARGS...: lden top in the background ($tpid), $NAME.out
top() {
	_n=$1
	shift
	# the guard off: these cases count every sample (test-trace-guard.sh)
	"$LDEN" top "$@" -t 60 --max-cpu 0 >"$tmp/$_n.out" 2>"$tmp/$_n.err" &
	tpid=$!
	pids="$pids $tpid"
}



# --- a tracepoint per comm and per field: exact counts ---------------
N=6
workload t "$TARGET" $N /etc/hostname /etc/passwd
opid=$wpid
top comm syscalls:sys_exit_openat --pid $opid --by comm -i 0.5 --json
cpid=$tpid
top field syscalls:sys_exit_openat --pid $opid --by ret -i 0.5 --json
fpid=$tpid
top cg syscalls:sys_exit_openat --pid $opid --by cgroup -i 0.5 --json
gpid=$tpid
top cpu syscalls:sys_exit_openat --pid $opid --by cpu -i 0.5 --json
ppid_=$tpid
cgroup=$(sed -n 's/^0:://p' /proc/$opid/cgroup)
wait_for "$tmp/comm.out" '"rows"' || fail "top (comm) printed no block"
wait_for "$tmp/field.out" '"rows"' || fail "top (field) printed no block"
wait_for "$tmp/cg.out" '"rows"' || fail "top (cgroup) printed no block"
wait_for "$tmp/cpu.out" '"rows"' || fail "top (cpu) printed no block"
release_workload t
sum='[.[].rows[] | select(.event == "syscalls:sys_exit_openat")'
# open-target ran before lden: its name is read from /proc, marked late
until_jq "$tmp/comm.out" "$sum | select(.comm == \"open-target\" and .comm_source == \"late\") | .count] | add == $((N + 2))" ||
	fail "top --by comm: open-target? (started before lden, named late) does not have $((N + 2)) opens"
until_jq "$tmp/field.out" "$sum | select(.ret == \"-2\") | .count] | add == $N" ||
	fail "top --by ret: ret -2 does not have $N"
if [ -n "$cgroup" ]; then
	until_jq "$tmp/cg.out" "$sum | select(.cgroup == \"$cgroup\") | .count] | add == $((N + 2))" ||
		fail "top --by cgroup: $cgroup does not have $((N + 2)) opens"
fi
until_jq "$tmp/cpu.out" "$sum | select(.cpu | test(\"^[0-9]+\$\")) | .count] | add == $((N + 2))" ||
	fail "top --by cpu: the CPUs do not sum to $((N + 2)) opens"
stop $fpid
[ $rc = 0 ] || fail "top exited $rc after SIGINT"
stop $cpid
stop $gpid
stop $ppid_
exec 8>&-
[ "$(jq -s "$sum | select(.ret == \"-2\") | .count] | add" "$tmp/field.out")" = $N ] ||
	fail "top --by ret: more than $N failures"
echo "PASS: top counts the $((N + 2)) opens by comm, cgroup ($cgroup) and cpu, the $N failures by ret"

# --- --by comm names a process as it was at each event ----------------
# the shell opens the loader's files and /dev/null (its redirection) as
# sh, then exec's cat: the opens after the exec are cat's
"$LDEN" top syscalls:sys_enter_openat --by comm --max-cpu 0 -i 60 --json -- \
	sh -c 'exec cat /etc/hostname >/dev/null' >"$tmp/names.out" 2>"$tmp/names.err" ||
	fail "top --by comm -- CMD failed: $(tail -1 "$tmp/names.err")"
rows='[.[].rows[] | select(.event == "syscalls:sys_enter_openat")]'
jq -e -s "$rows | (map(.comm) | unique == [\"cat\", \"sh\"]) and all(.comm_source == \"exact\")" "$tmp/names.out" >/dev/null ||
	fail "top --by comm: want rows sh and cat only (no late name): $(jq -c -s "$rows" "$tmp/names.out")"
jq -e -s "$rows | (map(select(.comm == \"sh\") | .count) | add) <= 5 and
	(map(select(.comm == \"cat\") | .count) | add) >= 3" "$tmp/names.out" >/dev/null ||
	fail "top --by comm: the exec'd cat's opens counted as sh's: $(jq -c -s "$rows" "$tmp/names.out")"
echo "PASS: top --by comm: a shell's opens as sh until its exec, cat's after; a process started before lden named late (open-target?)"

# --- top net: at least the bytes sent, for the sender's pid ----------
TCP=3000000
UDP=200
SIZE=1000
workload n python3 -c '
import socket, sys
tcp, udp, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
print("ready", flush=True)
sys.stdin.readline()
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
c = socket.create_connection(s.getsockname()); a, _ = s.accept()
buf = b"x" * 65536; sent = got = 0
while sent < tcp:
    sent += c.send(buf[:min(65536, tcp - sent)])
    while got < sent:
        got += len(a.recv(1 << 20))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(udp):
    v.sendto(b"y" * size, u.getsockname())
    u.recv(size)
print("done", flush=True)
sys.stdin.readline()
' $TCP $UDP $SIZE
npid=$wpid
top net net --pid $npid -i 0.5 --json
wait_for "$tmp/net.out" '"rows"' || fail "top net printed no block"
release_workload n
want=$((TCP + UDP * SIZE))
mine="[.[].rows[] | select(.pid == \"$npid\" and .dev == \"lo\")"
until_jq "$tmp/net.out" "$mine | .xmit_bytes] | add >= $want" ||
	fail "top net: pid $npid sent less than $want bytes: $(jq -s "$mine | .xmit_bytes] | add" "$tmp/net.out")"
stop $tpid
exec 8>&-
pk=$(jq -s "$mine | .xmit_pk] | add" "$tmp/net.out")
[ "$pk" -ge "$UDP" ] || fail "top net: $pk packets sent, fewer than the $UDP datagrams"
[ "$(jq -s "$mine | .uid] | unique" "$tmp/net.out" | jq -c .)" = '["0"]' ] ||
	fail "top net: uid is not 0"
[ "$(jq -s -c "$mine | .uid_source] | unique" "$tmp/net.out")" = '["late"]' ] ||
	fail "top net: uid not marked late (read from /proc at arrival)"
# the end summary: no uid exact, at least this sender's packets late
jq -e -s --argjson pk "$pk" '.[-1].summary.uids | .exact == 0 and .late >= $pk' \
	"$tmp/net.out" >/dev/null || fail "top net: the last block's summary does not count the uids late"
grep -q '^lden: uids shown: 0 exact (at the record), [1-9][0-9]* late' "$tmp/net.err" ||
	fail "top net: no summary line of the uids"
echo "PASS: top net shows >= $want bytes ($pk packets) sent by pid $npid; the uids late in the summary"

# --- top net: a sender that drops root half way, then exits: no uid of
# it is shown as if exact (read at arrival, after the change maybe) ---
workload nu python3 -c '
import os, socket, sys
n = int(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(n):
    v.sendto(b"r" * 100, u.getsockname()); u.recv(100)
os.setresuid(65534, 65534, 65534)
for i in range(n):
    v.sendto(b"n" * 100, u.getsockname()); u.recv(100)
print("done", flush=True)
' $UDP
nupid=$wpid
top nu net --pid $nupid -i 0.3 --json
wait_for "$tmp/nu.out" '"rows"' || fail "top net printed no block"
release_workload nu
join $nupid
reaped $nupid
exec 8>&-
mine="[.[].rows[] | select(.pid == \"$nupid\" and .dev == \"lo\")"
until_jq "$tmp/nu.out" "$mine | .xmit_pk] | add >= $((2 * UDP))" ||
	fail "top net: pid $nupid sent fewer than $((2 * UDP)) packets: $(jq -s -c "$mine]" "$tmp/nu.out")"
stop $tpid
# each row: a uid marked late, or none (unavailable): never bare
[ "$(jq -s -c "$mine | select((.uid_source == \"late\" and (.uid == \"0\" or .uid == \"65534\")) or (.uid_source == \"unavailable\" and .uid == null) | not)]" "$tmp/nu.out")" = '[]' ] ||
	fail "top net: a uid of the sender that changed uid shown unmarked: $(jq -s -c "$mine]" "$tmp/nu.out")"
echo "PASS: top net: the uid of a sender that dropped root, then exited, is marked late or unavailable"

# --- top drops: datagrams to a closed port ---------------------------
D=40
top drops drops -i 0.5 --json
wait_for "$tmp/drops.out" '"rows"' || fail "top drops printed no block"
python3 -c '
import socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
port = u.getsockname()[1]; u.close()
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[1])):
    try: v.sendto(b"z" * 100, ("127.0.0.1", port))
    except OSError: pass
' $D || fail "the drop workload failed"
nosock='[.[].rows[] | select(.reason == "NO_SOCKET" and (.location | test("^[A-Za-z0-9_.]+\\+0x[0-9a-f]+$")))'
until_jq "$tmp/drops.out" "$nosock | .drops] | add >= $D" ||
	fail "top drops: fewer than $D NO_SOCKET drops at a symbolised location"
stop $tpid
loc=$(jq -rs "$nosock | .location] | first" "$tmp/drops.out")
echo "PASS: top drops shows >= $D drops at $loc (NO_SOCKET)"

# --- the text output: a timestamp line per interval ------------------
"$LDEN" top drops -i 0.3 -t 1 >"$tmp/text.out" 2>&1 || fail "top drops -t 1 failed"
blocks=$(grep -c '^--- [0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]*  every 0.3 s  lost [0-9]* ---$' "$tmp/text.out")
[ "$blocks" -ge 3 ] || fail "top text: $blocks timestamp lines in 1 s at 0.3 s"
[ "$(grep -c '^LOCATION  *REASON  *DROPS $' "$tmp/text.out")" = "$blocks" ] ||
	fail "top text: no header under each timestamp line"
echo "PASS: top prints a block per interval in a pipe"

# --- -- COMMAND: only it and its children, its status passed on ------
"$LDEN" top task.create --json -i 0.2 --max-cpu 0 -- \
	sh -c 'for i in 1 2 3 4 5 6 7 8 9; do /bin/true; done; exit 4' >"$tmp/cmd.out" 2>"$tmp/cmd.err"
rc=$?
[ "$rc" = 4 ] || fail "-- COMMAND: exit $rc, want the command's 4"
[ "$(jq -s '[.[].rows[] | select(.event == "task.create") | .count] | add' "$tmp/cmd.out")" = 9 ] ||
	fail "-- COMMAND: the tables count $(jq -s '[.[].rows[] | .count] | add' "$tmp/cmd.out") forks, want 9"
echo "PASS: -- COMMAND: its 9 forks in the tables, stopped when it exited, its status 4 passed on"

# --- bad input: exit 2, one line ------------------------------------
bad() {	# expected-message-pattern, args...
	_pat=$1
	shift
	"$LDEN" top "$@" >"$tmp/bad.out" 2>"$tmp/bad.err"
	_rc=$?
	[ $_rc = 2 ] || fail "top $*: exit $_rc, expected 2"
	drop_sweep "$tmp/bad.err"
	[ "$(wc -l <"$tmp/bad.err")" = 1 ] || fail "top $*: not one line: $(cat "$tmp/bad.err")"
	grep -q "^lden: .*$_pat" "$tmp/bad.err" || fail "top $*: message '$(cat "$tmp/bad.err")'"
	[ -s "$tmp/bad.out" ] && fail "top $*: printed on stdout"
}
bad "unknown event 'task.creat'" task.creat
bad "bad --by key 'nosuch'" task.create --by nosuch
bad "invalid --interval value '0'" task.create -i 0
bad "invalid --interval value 'abc'" task.create --interval abc
bad "unknown --sort column 'nosuch'" net --sort nosuch
bad "invalid --rows value" task.create -n -1
bad "takes no other events, --by" drops --by pid
echo "PASS: bad input exits 2 with one line"
exit 0
