#!/bin/sh
# lden io against a process whose file I/O is known call by call
# (tests/kernel/io-target): every call, its path on every fd (duplicated
# ones and one opened before lden started), its bytes; the summary; the
# flame graph, by count and by latency; a million writes in bounded
# memory with the lost records accounted for; bad input.
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: needs jq"; exit 77; }
LDEN="$top_builddir/src/lden"
TARGET="$top_builddir/tests/kernel/io-target"
. "$top_srcdir/tests/cli/lib.sh"
test_tmp

# wait_count FILE PATTERN N: until N lines of FILE match, at most 20 s
wait_count() {
	_i=0
	while [ "$(grep -c -e "$2" "$1" 2>/dev/null)" -lt "$3" ]; do
		_i=$((_i + 1))
		[ $_i -gt 400 ] && return 1
		sleep 0.05
	done
}

# start_target NAME ARGS...: io-target on fifo $tmp/NAME.go, ready
start_target() {
	name=$1; shift
	mkfifo "$tmp/$name.go" || exit 99
	"$TARGET" "$tmp/$name.go" "$@" >"$tmp/$name.target" &
	target=$!
	pids="$pids $target"
	wait_for "$tmp/$name.target" '^ready' || fail "$name: target not ready"
}

# trace NAME ARGS...: lden io --pid $target ARGS, started and ready
trace() {
	name=$1; shift
	# the guard off: these cases pair every call (test-io-guard.sh)
	"$LDEN" io --pid "$target" --max-cpu 0 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	tracer=$!
	pids="$pids $tracer"
	wait_for "$tmp/$name.err" '^lden: tracing' || fail "$name: lden io not ready"
}

K=8192 W=8
C=$((K / W))
data="$tmp/data"
fifo="$tmp/run.go"

# One run: every call as JSON, the summary, a flame graph by count.
start_target run file "$data" $K $W
trace run --json --summary --flamegraph "$tmp/run.folded"
printf g > "$fifo"
wait_count "$tmp/run.out" '"syscall":"close"' 3 || fail "run: the three closes never came"
printf x > "$fifo"
wait "$target" || fail "run: io-target failed"
wait "$tracer"; rc=$?
[ "$rc" = 0 ] || fail "run: lden io exited $rc once the process was gone"

jq -e -s 'map(select(.type == "call")) | length > 0' "$tmp/run.out" >/dev/null ||
	fail "run: no call objects"
jq -r 'select(.type == "call") | [.comm, .pid, .syscall, (.fd // "-"), (.newfd // "-"), .path, .ret, (.bytes // "-")] | join(" ")' \
	"$tmp/run.out" > "$tmp/run.calls" || fail "run: bad JSON"
fd=$(awk '$3 == "openat" { print $5 }' "$tmp/run.calls")
ffd=$(awk '$3 == "read" && $6 ~ /go$/ { print $4; exit }' "$tmp/run.calls")
[ -n "$fd" ] && [ -n "$ffd" ] || fail "run: no openat or fifo read"
{
	echo "io-target $target read $ffd - $fifo 1 1"
	echo "io-target $target openat - $fd $data $fd -"
	i=0; while [ $i -lt $W ]; do echo "io-target $target write $fd - $data $C $C"; i=$((i + 1)); done
	echo "io-target $target lseek $fd - $data 0 -"
	i=0; while [ $i -lt $W ]; do echo "io-target $target read $fd - $data $C $C"; i=$((i + 1)); done
	echo "io-target $target dup $fd $((fd + 1)) $data $((fd + 1)) -"
	echo "io-target $target fcntl $fd 100 $data 100 -"
	echo "io-target $target write $((fd + 1)) - $data 10 10"
	echo "io-target $target write 100 - $data 20 20"
	echo "io-target $target lseek $((fd + 1)) - $data 0 -"
	echo "io-target $target read 100 - $data 30 30"
	echo "io-target $target close 100 - $data 0 -"
	echo "io-target $target close $((fd + 1)) - $data 0 -"
	echo "io-target $target close $fd - $data 0 -"
	echo "io-target $target read $ffd - $fifo 1 1"
} > "$tmp/run.expected"
diff "$tmp/run.expected" "$tmp/run.calls" > "$tmp/run.diff" ||
	fail "run: calls differ from the recipe: $(cat "$tmp/run.diff")"
echo "PASS: every call of the recipe, in order, with its path on fd $fd, its dup, F_DUPFD 100 and the fifo opened before lden"

jq -s -e 'first(.[] | select(.type == "stats")) | .mismatches == 0 and .lost == 0 and .syscalls == '$((2 * W + 13))'' \
	"$tmp/run.out" >/dev/null || fail "run: stats $(grep '"stats"' "$tmp/run.out")"
grep -q '^  mismatches 0 ' "$tmp/run.err" || fail "run: stderr statistics do not say 0 mismatches"
echo "PASS: $((2 * W + 13)) syscalls, zero mismatches, zero lost"

# the summary: the data file's row and the process's
jq -s -e --arg d "$data" 'first(.[] | select(.type == "file" and .key == $d)) |
	.calls == '$((2 * W + 11))' and .bytes_read == '$((K + 30))' and
	.bytes_written == '$((K + 30))' and .errors == 0 and
	.latency_p50_ns > 0 and .latency_p99_ns >= .latency_p50_ns' \
	"$tmp/run.out" >/dev/null || fail "run: summary row of the file: $(grep '"file"' "$tmp/run.out")"
jq -s -e --arg k "io-target[$target]" 'first(.[] | select(.type == "process" and .key == $k)) |
	.calls == '$((2 * W + 13))' and .bytes_read == '$((K + 32))' and
	.bytes_written == '$((K + 30))'' \
	"$tmp/run.out" >/dev/null || fail "run: summary row of the process: $(grep '"process"' "$tmp/run.out")"
# its p50 and p99 (27 calls): the p99 is the longest call, exact; a value
# not marked estimated is a call's latency (the middle of a histogram
# bucket was shown unmarked, as if a call's)
jq -s -e --arg d "$data" '(map(select(.type == "call" and .path == $d) | .latency_ns)) as $l |
	first(.[] | select(.type == "file" and .key == $d)) |
	.latency_p99_ns == ($l | max) and (.latency_p99_estimated | not) and
	((.latency_p50_estimated == true) or (.latency_p50_ns as $p | $l | index($p) != null))' \
	"$tmp/run.out" >/dev/null || fail "run: the file's p50/p99 not a call's latency nor marked: $(grep '"file"' "$tmp/run.out")"
lat=$(jq -s --arg d "$data" 'map(select(.type == "call" and .path == $d) | .latency_ns) | add' "$tmp/run.out")
jq -s -e --arg d "$data" 'first(.[] | select(.type == "file" and .key == $d)) | .latency_total_ns == '"$lat" \
	"$tmp/run.out" >/dev/null || fail "run: summary latency total is not the sum of the calls' ($lat)"
echo "PASS: summary: $((2 * W + 11)) calls, $((K + 30)) bytes each way on the file, latency total = sum of the calls'"

io_recipe_folded "$data" "$fifo" $W > "$tmp/fold.expected"
diff "$tmp/fold.expected" "$tmp/run.folded" > "$tmp/fold.diff" ||
	fail "flame graph differs: $(cat "$tmp/fold.diff")"
echo "PASS: flame graph (count): the 8 expected folded lines"
[ "$(jq -r --arg d "$data" --arg f "$fifo" 'select(.type == "call" and (.path == $d or .path == $f)) | "\(.path) \(.path_source)"' \
	"$tmp/run.out" | sort -u | tr '\n' ' ')" = "$data exact $fifo late " ] ||
	fail "run: the data file's path is not exact, or the fifo's not late"
echo "PASS: the data file's path copied at its open, the fifo's (opened before lden) read late"

# By latency: each stack's value is the sum of its calls' latencies.
start_target lat file "$data" $K $W
trace lat --json --flamegraph "$tmp/lat.folded" --weight latency
printf g > "$tmp/lat.go"
wait_count "$tmp/lat.out" '"syscall":"close"' 3 || fail "lat: the three closes never came"
printf x > "$tmp/lat.go"
wait "$target"; wait "$tracer" || fail "lat: lden io failed"
jq -r 'select(.type == "call") | "\(.comm);\(.path)\(if .path_source == "late" then "?" else "" end);\(.syscall) \(.latency_ns)"' "$tmp/lat.out" |
	awk '{ v[$1] += $2 } END { for (k in v) print k, v[k] }' | LC_ALL=C sort > "$tmp/lat.expected"
diff "$tmp/lat.expected" "$tmp/lat.folded" > "$tmp/lat.diff" ||
	fail "flame graph (latency) differs: $(cat "$tmp/lat.diff")"
echo "PASS: flame graph (latency): each stack is the sum of its calls' latency_ns"

# --path and --comm filters: only the data file; another name, nothing
start_target filt file "$data" $K $W
trace filt --json --path "$tmp/d*" --comm io-target
printf g > "$tmp/filt.go"
wait_count "$tmp/filt.out" '"syscall":"close"' 3 || fail "filt: the three closes never came"
printf x > "$tmp/filt.go"
wait "$target"; wait "$tracer" || fail "filt: lden io failed"
n=$(jq -s 'map(select(.type == "call")) | length' "$tmp/filt.out")
[ "$n" = $((2 * W + 11)) ] || fail "filt: --path kept $n calls, want $((2 * W + 11))"
jq -s -e 'first(.[] | select(.type == "stats")) | .syscalls == '$((2 * W + 13))' and .syscalls_after_filter == '$((2 * W + 11))'' \
	"$tmp/filt.out" >/dev/null || fail "filt: stats $(grep stats "$tmp/filt.out")"
echo "PASS: --path keeps the $((2 * W + 11)) calls on the file, not the fifo's 2; statistics count both"

# A million one-byte writes to /dev/null: memory stays bounded, and what
# the kernel dropped is counted: records seen + lost = records made.
N=1000000
HWM_KB=65536
# AddressSanitizer keeps freed memory in a 256 MiB quarantine and adds its
# shadow: there the bound only catches growth without limit.
case "${LDEN_SAN_CFLAGS:-}" in
*address*) HWM_KB=$((768 * 1024)) ;;
esac
start_target heavy null $N
trace heavy -q --json
printf g > "$tmp/heavy.go"
hwm=0
i=0
until grep -q '^done' "$tmp/heavy.target"; do
	i=$((i + 1)); [ $i -gt 1200 ] && fail "heavy: the writes took over 60 s"
	sleep 0.05
done
# the writes are done; lden io may exit within ms of the target's end
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$tracer/status")
printf x > "$tmp/heavy.go"
while kill -0 "$tracer" 2>/dev/null; do
	h=$(awk '/^VmHWM/ { print $2 }' "/proc/$tracer/status" 2>/dev/null)
	[ -n "$h" ] && [ "$h" -gt "$hwm" ] && hwm=$h
	sleep 0.01
done
wait "$target"; wait "$tracer" || fail "heavy: lden io failed"
stats=$(grep '"stats"' "$tmp/heavy.out")
seen=$(echo "$stats" | jq .tracepoints)
lost=$(echo "$stats" | jq .lost)
calls=$(echo "$stats" | jq .syscalls)
mism=$(echo "$stats" | jq .mismatches)
# made: read(fifo), openat, N writes, close, write(done), read(fifo): 2
# records each, and the process's exit
made=$((2 * (N + 5) + 1))
# (seen: the syscalls' and exits' records; the fork and rename records
# that name processes, e.g. LeakSanitizer's thread at exit, are apart,
# but a lost one counts in lost)
if [ "$lost" = 0 ]; then
	[ "$seen" = $made ] || fail "heavy: $seen records seen, 0 lost, $made made"
else
	[ $((seen + lost)) -ge $made ] && [ $((seen + lost)) -le $((made + 4)) ] ||
		fail "heavy: $seen records seen + $lost lost: not $made made (plus at most 4 name records)"
fi
[ "$lost" -gt 0 ] || [ "$calls" = $((N + 5)) ] ||
	fail "heavy: no loss but $calls calls, want $((N + 5))"
[ "$mism" -le "$lost" ] || fail "heavy: $mism mismatches with only $lost lost"
# (and whose: "(N of the syscalls, M of lden's process tracker)")
grep -q "^  lost records $lost\( (.*)\)\?\$" "$tmp/heavy.err" ||
	fail "heavy: stderr does not report $lost lost"
[ "$hwm" -gt 0 ] && [ "$hwm" -lt $HWM_KB ] || fail "heavy: VmHWM $hwm kB (bound $HWM_KB kB)"
echo "PASS: $N writes: $seen records seen + $lost lost = $made made, $calls calls, $mism mismatches, VmHWM $hwm kB < $HWM_KB kB"

# Process names as the kernel had them at each call: a fork's child is
# named as its parent, exec and prctl(PR_SET_NAME) rename, all followed
# from the task tracepoints; a process lden did not see start (--pid
# above) is named from /proc, late, marked.
n1="$tmp/name-exec" n2="$tmp/name-fork" n3="$tmp/name-prctl"
echo a >"$n1"; echo b >"$n2"; echo c >"$n3"
"$LDEN" io --json --max-cpu 0 -- sh -c "(cat '$n2' >/dev/null); python3 -c \"import ctypes
ctypes.CDLL(None).prctl(15, b'renamed-it', 0, 0, 0)
open('$n3').read()\"; exec cat '$n1' >/dev/null" >"$tmp/names.out" 2>"$tmp/names.err" ||
	fail "names: lden io failed: $(tail -1 "$tmp/names.err")"
# name_of FILE [RUN]: name comm_source of the openat of FILE in RUN.out
name_of() {
	jq -r --arg p "$1" 'select(.type == "call" and .syscall == "openat" and .path == $p) |
		"\(.comm) \(.comm_source)"' "$tmp/${2:-names}.out" | tr '\n' ' '
}
[ "$(name_of "$n2")" = "cat exact " ] || fail "names: fork+exec: $(name_of "$n2")"
[ "$(name_of "$n1")" = "cat exact " ] || fail "names: exec of the shell itself: $(name_of "$n1")"
# prctl: the process's calls are python3's up to the rename (and those
# of the programs it was before: pyenv's shims exec), renamed-it's after
# (not matched by path: a path may be read late under load)
jq -e -s '[.[] | select(.type == "call")] as $c |
	($c | map(select(.comm == "renamed-it")) | .[0].pid) as $p |
	[$c[] | select(.pid == $p) | .comm] as $n |
	($n | map(select(. == "renamed-it")) | length) >= 3 and
	($n | index("renamed-it")) as $i |
	$i > 0 and $n[$i - 1] == "python3" and ($n[$i:] | unique) == ["renamed-it"]' \
	"$tmp/names.out" >/dev/null || fail "names: prctl: not python3 then renamed-it"
# the shell before its exec, and the subshell before cat's: sh
jq -e -s '[.[] | select(.type == "call" and .syscall == "openat" and .path == "/etc/ld.so.cache")] |
	map(.comm) | index("sh") != null' "$tmp/names.out" >/dev/null ||
	fail "names: no call named sh"
late=$(jq -s '[.[] | select(.type == "call" and .comm_source != "exact")] | length' "$tmp/names.out")
[ "$late" = 0 ] || fail "names: $late calls of processes lden saw start not named exactly"
jq -e -s 'first(.[] | select(.type == "stats")) | .comms.late == 0 and .comms.exact > 20' \
	"$tmp/names.out" >/dev/null || fail "names: stats $(grep '"stats"' "$tmp/names.out")"
# --comm finds a program by the name it has at the call, not at the
# process's first call (sh, before its exec)
"$LDEN" io --json --max-cpu 0 --comm cat -- sh -c "exec cat '$n1' >/dev/null" >"$tmp/namesc.out" 2>"$tmp/namesc.err" ||
	fail "names: lden io --comm failed: $(tail -1 "$tmp/namesc.err")"
[ "$(jq -r --arg p "$n1" 'select(.type == "call" and .path == $p and .syscall == "read") | .comm' "$tmp/namesc.out" | sort -u)" = cat ] ||
	fail "names: --comm cat misses cat's reads after sh's exec"
# a process that was running before: its name read from /proc, marked
# (the run above traced io-target by --pid)
[ "$(jq -r 'select(.type == "call") | .comm_source' "$tmp/run.out" | sort -u)" = late ] ||
	fail "names: io-target (started before lden) not marked late"
start_target namel file "$data" $K $W
trace namel
printf g > "$tmp/namel.go"
wait_count "$tmp/namel.out" ' close ' 3 || fail "namel: the three closes never came"
printf x > "$tmp/namel.go"
wait "$target"; wait "$tracer" || fail "namel: lden io failed"
grep -q "^ *[0-9.]* io-target? " "$tmp/namel.out" || fail "namel: the text does not mark io-target's name late: $(sed -n 2p "$tmp/namel.out")"
grep -q "^  process names: 0 calls named by a fork, exec, rename or exit (exact), [1-9][0-9]* read from /proc (late, marked ?), 0 unavailable (gone, ?); [0-9]* fork and rename records\$" "$tmp/namel.err" ||
	fail "namel: $(grep 'process names' "$tmp/namel.err")"
echo "PASS: process names: fork, exec and prctl followed exactly (--comm cat finds cat after sh's exec); a process started before lden marked late"

# Names are the thread's, as the kernel has them at each call: a thread
# of a short-lived process renames itself (prctl) and opens a file, the
# main thread another; then the process exits
t1="$tmp/name-thread" t2="$tmp/name-main"
echo d >"$t1"; echo e >"$t2"
"$LDEN" io --json --max-cpu 0 -- python3 -c "import ctypes, threading
def work():
    ctypes.CDLL(None).prctl(15, b'io-worker', 0, 0, 0)
    open('$t1').read()
w = threading.Thread(target=work); w.start(); w.join()
open('$t2').read()" >"$tmp/namet.out" 2>"$tmp/namet.err" ||
	fail "names: lden io failed: $(tail -1 "$tmp/namet.err")"
[ "$(name_of "$t1" namet)" = "io-worker exact " ] || fail "names: the renamed thread's open: $(name_of "$t1" namet)"
[ "$(name_of "$t2" namet)" = "python3 exact " ] || fail "names: the main thread's open: $(name_of "$t2" namet)"
echo "PASS: process names per thread: a thread renamed by prctl is named so at its calls, the main thread not"

# Bad input: status 2, one line, nothing left attached
# what each bad run left is told by its pid (left_behind): other tests'
# lden add and remove their instances meanwhile
while IFS='|' read -r args msg; do
	# shellcheck disable=SC2086
	"$LDEN" io $args >"$tmp/bad.out" 2>"$tmp/bad.err" &
	bpid=$!
	wait "$bpid"; rc=$?
	left_behind "$bpid" && fail "'lden io $args' left kernel state behind"
	drop_sweep "$tmp/bad.err"
	[ "$rc" = 2 ] || fail "'lden io $args' exited $rc, want 2"
	[ "$(wc -l < "$tmp/bad.err")" = 1 ] || fail "'lden io $args' printed more than one line"
	grep -q -F -e "$msg" "$tmp/bad.err" || fail "'lden io $args': $(cat "$tmp/bad.err"), want '$msg'"
done <<'BAD'
--pid 0|lden: io: invalid --pid value '0'
--pid 1073741823|lden: io: no process 1073741823
--duration x|lden: io: invalid --duration value 'x'
--duration 0|lden: io: invalid --duration value '0'
--time x|lden: io: invalid --time value 'x'
-t 0|lden: io: invalid --time value '0'
--weight latency|lden: io: --weight needs --flamegraph
--flamegraph /nonexistent/x.folded|lden: io: cannot write '/nonexistent/x.folded'
--flamegraph f --weight size|lden: io: invalid --weight value 'size'
--summary --sort name|lden: io: invalid --sort value 'name'
--comm 0123456789abcdefg|lden: io: invalid --comm value
--nosuch|lden: io: unknown option '--nosuch'
--children|lden: io: --children needs --pid
extra|lden: io: unexpected argument 'extra'
BAD
echo "PASS: bad input: status 2 and one line each"

# --time, and --duration (its old name), stop the run: status 0, the
# statistics said, within a bound far above the 0.3 s asked
for opt in --time --duration -t; do
	timeout 30 "$LDEN" io "$opt" 0.3 --quiet --comm lden-no-such >"$tmp/time.out" 2>"$tmp/time.err"; rc=$?
	[ "$rc" = 0 ] || fail "'lden io $opt 0.3' exited $rc: $(cat "$tmp/time.err")"
	grep -q "^  lost records " "$tmp/time.err" || fail "'lden io $opt 0.3': no statistics: $(cat "$tmp/time.err")"
done
echo "PASS: --time, -t and --duration stop the run"
exit 0
