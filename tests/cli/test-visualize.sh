#!/bin/sh
# lden visualize against the live kernel (root): JSON lines whose counts
# match a workload that forks a known number of times, sizes that match
# a known number of bytes over loopback TCP, the first tick within 10 ms,
# every catalog event at once, --no-size, --time, SIGTERM, and bad input
# (exit 2, or 1 for a port in use; one line; nothing left in tracefs).
#
# Counts are scoped to the test's own processes (--pid), so other work on
# the machine does not change them.  Every wait is bounded.
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
T=${LDEN_TRACEFS:-/sys/kernel/tracing}
[ -r "$T/events/sched/sched_process_fork/id" ] ||
	{ echo "SKIP: no tracefs at $T"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
LDEN="$top_builddir/src/lden"
. "$top_srcdir/tests/cli/lib.sh"
test_tmp


# json_ok FILE: every line is one JSON object
json_ok() {
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		printf '%s\n' "$line" | jq -e 'type == "object"' >/dev/null 2>&1 ||
			fail "$1 line $n is not a JSON object: $line"
	done < "$1"
	[ $n -gt 0 ] || fail "$1 is empty"
}

# wait_total FILE EVENT N: until a line of EVENT has count_total >= N
wait_total() {
	_i=0
	while [ "$(jq -r --arg e "$2" 'select(.event == $e) | .count_total' "$1" 2>/dev/null |
		tail -n 1)" -lt "$3" ] 2>/dev/null || ! grep -q "\"event\":\"$2\"" "$1"; do
		_i=$((_i + 1))
		[ $_i -gt 400 ] && return 1
		sleep 0.05
	done
}

snapshot > "$tmp/state.before" || exit 99

# ---------------------------------------------------------------------
# 1. JSON lines count exactly the forks of one process: 37 /bin/true
# after a go line on a fifo; the first tick comes 10 ms after the start.
N=37
mkfifo "$tmp/go1" || exit 99
sh -c 'read x < "$1"; i=0; while [ $i -lt "$2" ]; do /bin/true; i=$((i + 1)); done' \
	sh "$tmp/go1" $N &
w=$!; started $w
"$LDEN" visualize --no-dashboard -o json -e task.create --pid $w \
	>"$tmp/fork.out" 2>"$tmp/fork.err" &
v=$!; started $v
wait_for "$tmp/fork.err" '^lden: visualizing 1 event ' || fail "json: no header on stderr"
grep -qx '  task.create  *tracepoint sched:sched_process_fork (counting)' "$tmp/fork.err" ||
	fail "json: header line of task.create"
grep -qx "  in process $w" "$tmp/fork.err" || fail "json: header scope"
wait_for "$tmp/fork.out" '"event":"task.create"' || fail "json: no first line"
timeout 10 sh -c 'echo go > "$1"' sh "$tmp/go1" || fail "json: the workload did not start"
join $w
wait_total "$tmp/fork.out" task.create $N || fail "json: count_total never reached $N"
kill -TERM $v
join $v
[ $rc = 0 ] || fail "json: exit status $rc after SIGTERM, expected 0"
json_ok "$tmp/fork.out"
[ "$(jq -s '[.[] | select(.event == "task.create") | .count] | add' "$tmp/fork.out")" = $N ] ||
	fail "json: the counts do not add up to $N"
[ "$(jq -s '[.[] | select(.event == "task.create")] | last | .count_total' "$tmp/fork.out")" = $N ] ||
	fail "json: the last count_total is not $N"
first=$(sed -n 1p "$tmp/fork.out")
printf '%s\n' "$first" | jq -e --arg h "$(hostname)" '
	(.["@timestamp"] | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$")) and
	.host == $h and .source == "tracepoint sched:sched_process_fork" and
	.mode == "counting" and .interval < 0.2 and .lost == 0 and
	(has("size") | not) and (has("size_total") | not) and
	(.speed | type) == "number"' >/dev/null || fail "json: first line $first"
# ticks a second apart after the first
jq -s -e '[.[] | select(.event) | .interval] | .[1:-1] | all(. > 0.8 and . < 1.3)' \
	"$tmp/fork.out" >/dev/null || fail "json: intervals are not 1 s"
last=$(tail -n 1 "$tmp/fork.out")
printf '%s\n' "$last" | jq -e --argjson n $N '.type == "end" and .reason == "signal" and
	.events[0].event == "task.create" and .events[0].count_total == $n and
	(.sinks[0] | .name == "json" and .dropped == 0 and .points > 0)' >/dev/null ||
	fail "json: end object $last"
echo "PASS: JSON lines: $N forks of process $w counted exactly, first tick at $(printf '%s' "$first" | jq .interval) s"

# ---------------------------------------------------------------------
# 2. Sizes: exactly 1 MiB sent and received over loopback TCP by a perl
# process and its child (perl is in Debian's perl-base, essential).
mkfifo "$tmp/go2" || exit 99
perl "$top_srcdir/tests/cli/tcp-send.pl" "$tmp/go2" 2>"$tmp/send.err" &
s=$!; started $s
"$LDEN" visualize --no-dashboard -o json -i 0.2 -e network.tcp_send,network.tcp_recv \
	--pid $s --children >"$tmp/size.out" 2>"$tmp/size.err" &
v=$!; started $v
wait_for "$tmp/size.err" '^lden: visualizing 2 events ' || fail "size: no header"
grep -qx '  network.tcp_send  *tracepoint sock:sock_send_length (sampling, for size: perf ring (per task: .*))' "$tmp/size.err" ||
	fail "size: tcp_send is not sampled through the perf ring: $(grep tcp_send "$tmp/size.err")"
timeout 10 sh -c 'echo go > "$1"' sh "$tmp/go2" || fail "size: the workload did not start"
join $s
[ $rc = 0 ] || fail "size: the sender failed"
wait_total "$tmp/size.out" network.tcp_recv 1 || fail "size: no receive counted"
sleep 0.5	# two more ticks: the last receives are in
kill -INT $v
join $v
[ $rc = 0 ] || fail "size: exit status $rc after SIGINT, expected 0"
json_ok "$tmp/size.out"
for e in network.tcp_send network.tcp_recv; do
	got=$(jq -r -s --arg e $e '[.[] | select(.event == $e)] | [(map(.size) | add), last.size_total, last.mode, last.lost] | @tsv' \
		"$tmp/size.out")
	[ "$got" = "$(printf '1048576\t1048576\tsampling\t0')" ] ||
		fail "size: $e: sum of size, size_total, mode, lost = $got"
done
echo "PASS: sizes: 1 MiB sent and 1 MiB received, summed from the samples"

# ---------------------------------------------------------------------
# 3. Every catalog event at once for a second: one line per traced event
# per tick; the header lists each event traced or skipped; --no-size
# counts every one.  --time ends it with status 0.
t0=$(date +%s%N)
"$LDEN" visualize --no-dashboard -o json -t 1.2 >"$tmp/all.out" 2>"$tmp/all.err"
rc=$?
t1=$(date +%s%N)
[ $rc = 0 ] || fail "all: --time exit status $rc"
ms=$(( (t1 - t0) / 1000000 ))
[ $ms -ge 1200 ] && [ $ms -lt 6000 ] || fail "all: --time 1.2 took $ms ms"
json_ok "$tmp/all.out"
traced=$(grep -c '^  [a-z_.]*  *\(tracepoint\|kprobe\|kretprobe\) .*(\(counting\|sampling, for size: \(ftrace\|perf\) ring\(, \(mmap\|read\)\)\? (.*)\))$' "$tmp/all.err")
skipped=$(grep -c '^  [a-z_.]*  *skipped: ' "$tmp/all.err")
catalog=$("$LDEN" list-events | grep -c '^[a-z]*\.[a-z_]* ')
[ $((traced + skipped)) = "$catalog" ] && [ "$catalog" -ge 20 ] ||
	fail "all: $traced traced + $skipped skipped, catalog $catalog"
grep -q "^lden: visualizing $traced events on " "$tmp/all.err" || fail "all: header count"
ticks=$(jq -s '[.[] | select(.event)] | group_by(.event) | map(length) | unique' "$tmp/all.out" | tr -d ' \n')
[ "$ticks" = "[3]" ] || fail "all: lines per event $ticks, expected 3 ticks each (0.01, 1, 1.2 s)"
[ "$(jq -s '[.[] | select(.event)] | map(.event) | unique | length' "$tmp/all.out")" = "$traced" ] ||
	fail "all: events in the JSON lines differ from the header's $traced"
jq -s -e '[.[] | select(.event == "memory.alloc")] | all(.mode == "sampling" and has("size_total"))' \
	"$tmp/all.out" >/dev/null || fail "all: memory.alloc is not sampled for its size"
tail -n 1 "$tmp/all.out" | jq -e '.type == "end" and .reason == "time" and .elapsed >= 1.2' \
	>/dev/null || fail "all: end object"
"$LDEN" visualize --no-dashboard -o json --no-size -t 0.2 -e memory.alloc,task.exit \
	>"$tmp/nosize.out" 2>"$tmp/nosize.err" || fail "--no-size: exit status"
jq -s -e 'map(select(.event)) | length > 0 and all(.mode == "counting" and (has("size") | not))' \
	"$tmp/nosize.out" >/dev/null || fail "--no-size: an event is sampled"
echo "PASS: $traced events at once ($skipped skipped, of $catalog), --time 1.2 in $ms ms, --no-size"

# a scope skips what cannot be attributed to a process, with the reason
"$LDEN" visualize --no-dashboard -t 0.1 -e task.create,irq.hard --pid $$ \
	>"$tmp/scoped.out" 2>"$tmp/scoped.err" || fail "scoped: exit status"
grep -qx '  irq.hard  *skipped: not counted per process or cgroup: runs in interrupt context, whatever task was interrupted' \
	"$tmp/scoped.out" || fail "scoped: irq.hard not skipped with its reason"
grep -q '^lden: visualizing 1 event ' "$tmp/scoped.out" || fail "scoped: header"
grep -q '^lden: stopped by --time after ' "$tmp/scoped.err" || fail "scoped: summary on stderr"
echo "PASS: with --pid, irq.hard is skipped with its reason"

# -- COMMAND: only its forks, and it ends the run (exit 0, its status in
# the end object)
timeout 30 "$LDEN" visualize --no-dashboard -o json -e task.create \
	-- sh -c 'for i in 1 2 3 4 5 6 7; do /bin/true; done; exit 3' \
	>"$tmp/cmd.out" 2>"$tmp/cmd.err" || fail "-- COMMAND: exit status $?"
json_ok "$tmp/cmd.out"
[ "$(jq -s '[.[] | select(.event == "task.create") | .count] | add' "$tmp/cmd.out")" = 7 ] ||
	fail "-- COMMAND: its 7 forks"
tail -n 1 "$tmp/cmd.out" | jq -e '.type == "end" and .reason == "command" and
	.command_status == 3 and .events[0].count_total == 7' >/dev/null ||
	fail "-- COMMAND: end object $(tail -n 1 "$tmp/cmd.out")"
echo "PASS: -- COMMAND: its 7 forks, the run ends with it (status 3 reported)"

# ---------------------------------------------------------------------
# 4. Bad input: one line, exit 2 (1 for a port in use), nothing attached.
check_err() {	# status expected-line args...
	want_rc=$1; want=$2; shift 2
	timeout 20 "$LDEN" visualize "$@" >"$tmp/e.out" 2>"$tmp/e.err"
	rc=$?
	[ $rc = "$want_rc" ] || fail "visualize $*: exit $rc, expected $want_rc"
	[ "$(cat "$tmp/e.err")" = "$want" ] ||
		fail "visualize $*: got '$(cat "$tmp/e.err")', expected '$want'"
	[ -s "$tmp/e.out" ] && fail "visualize $*: output on stdout"
	return 0
}
check_err 2 "lden: visualize: --interval must be between 0.05 and 3600 s, not '0'" -i 0
check_err 2 "lden: visualize: invalid --interval value '1s'" -i 1s
check_err 2 "lden: visualize: invalid --time value 'x'" -t x
check_err 2 "lden: unknown event 'task.creat' in --events (did you mean 'task.create'?)" \
	--no-dashboard -e task.create,task.creat
check_err 2 "lden: no tracepoint 'sched:nosuch' on this kernel (see 'lden list-events --all')" \
	--no-dashboard -e sched:nosuch
check_err 2 "lden: visualize: --prometheus: invalid port '0' in '0' (expected 1 to 65535)" \
	--prometheus 0
check_err 2 "lden: visualize: --prometheus: invalid port '99999' in '127.0.0.1:99999' (expected 1 to 65535)" \
	--prometheus 127.0.0.1:99999
check_err 2 "lden: visualize: --listen: invalid address '::1:80' (expected [ADDR:]PORT; IPv6 in brackets)" \
	--listen ::1:80
check_err 2 "lden: visualize: unknown --output format 'xml' (expected 'json')" -o xml
check_err 2 "lden: visualize: invalid --port '0' (expected 1 to 65535)" -p 0
check_err 2 "lden: visualize: --url replaces --address and --port; give one or the other" \
	-a es.example --url http://es.example:9200
check_err 2 "lden: visualize: invalid --index 'Lden' (lowercase, not starting with '-', '_' or '+', none of \\/*?\"<>| ,#:)" \
	--index Lden
check_err 2 "lden: visualize: choose one of --pid, --cgroup, --container and -- COMMAND" --pid $$ -- true
check_err 2 "lden: cannot trace irq.hard: not counted per process or cgroup: runs in interrupt context, whatever task was interrupted" \
	--no-dashboard -e irq.hard --pid $$
check_err 2 "lden: visualize: unexpected argument 'now'" now

# a port in use (a listener this test holds open): exit 1, for each flag
mkfifo "$tmp/hold.fifo" || exit 99
python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
print(s.getsockname()[1], flush=True)
sys.stdin.read()
' <"$tmp/hold.fifo" >"$tmp/port.txt" 2>&1 &
h=$!; started $h
exec 9>"$tmp/hold.fifo"
wait_for "$tmp/port.txt" '^[0-9][0-9]*$' || fail "no port held"
port=$(cat "$tmp/port.txt")
check_err 1 "lden: cannot listen on 127.0.0.1:$port: Address already in use (--listen to choose another, --no-dashboard for none)" \
	-e task.create --listen $port
check_err 1 "lden: cannot listen on 127.0.0.1:$port: Address already in use (--prometheus)" \
	-e task.create --no-dashboard --prometheus $port
exec 9>&-
join $h

snapshot > "$tmp/state.after"
diff -u "$tmp/state.before" "$tmp/state.after" > "$tmp/state.diff.out" ||
	{ cat "$tmp/state.diff.out"; fail "tracefs changed"; }
echo "PASS: bad input: exit 2 with one line, a port in use exit 1, tracefs unchanged"
