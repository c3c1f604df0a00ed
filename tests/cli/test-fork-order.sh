#!/bin/sh
# Records read before the fork that made their task.  lden reads the
# per-CPU rings one CPU after another; the workload's parent stays on
# CPU 1 and forks N children one after another, each moving itself to
# CPU 0 before its K calls and its exit (pid-reuse's PID_REUSE_AWAY): its
# calls, its exit and its free are in a ring read before its fork's.  The
# last child's pid is given again to a process B making KB calls, 1 s
# after (A freed first: nothing may be missing).  On both rings, top
# (text and JSON) and trace (text and JSON) give every child its K calls
# and B its KB, nothing marked, nothing said missing; so does top --comm
# on the perf ring, from outside (--pid P --children and --comm take the
# perf ring: the ftrace ring follows -- CMD alone).  Then one child
# making 30,000 calls: before, the records waiting for its fork were
# 16,384 at most, the rest given no process (io: "records of a process
# not known (a fork not read: lost): 44227", nothing lost); now none.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_pid_reuse
[ "$(nproc)" -ge 2 ] || { echo "SKIP: one CPU"; exit 77; }
E='syscalls:sys_enter_lseek[fd == 7717]'
N=12 K=3 KB=4

run() {
	PID_REUSE_GAP_MS=1000 PID_REUSE_AWAY=$N "$LDEN" "$@" \
		>"$tmp/o.out" 2>"$tmp/o.err" ||
		fail "lden $* failed: $(cat "$tmp/o.err")"
	pid=$(awk 'NF == 2 && $1 == $2 { print $1 }' "$tmp/o.out")
	kids=$(awk '$1 == "a" { print $2 }' "$tmp/o.out")
	[ -n "$pid" ] && [ "$(echo $kids | wc -w)" = $((N - 1)) ] ||
		fail "the workload did not say its pids: $(cat "$tmp/o.out")"
	! grep -q "may be missing" "$tmp/o.err" ||
		fail "lden $*: something said missing: $(cat "$tmp/o.err")"
}

for ring in ftrace perf; do
	# top --json: a row per child, K each; the last pid's two, K
	# (exited) and KB; nothing marked, nothing lost
	run top "$E" --ring $ring --json --rows 0 --max-cpu 0 -i 60 -- "$W" $K $KB
	grep '^{' "$tmp/o.out" | jq -e -s --arg p "$pid" --arg kids "$kids" \
		--argjson k $K --argjson kb $KB '
		($kids | split("\n") | map(select(. != ""))) as $a |
		[.[].rows? // empty | .[]] as $r |
		(all(.[]; .lost == 0)) and
		($r | all(.records_may_be_missing | not)) and
		($r | all(.pid_source == "exact")) and
		($r | length == ($a | length) + 2) and
		($a | all(. as $c | [$r[] | select(.pid == $c)] |
			length == 1 and .[0].count == $k)) and
		([$r[] | select(.pid == $p and .pid_exited)] |
			length == 1 and .[0].count == $k) and
		([$r[] | select(.pid == $p and (.pid_exited | not))] |
			length == 1 and .[0].count == $kb)' >/dev/null ||
		fail "top --json ($ring): not $K calls a child and $KB for B, exact: $(grep rows "$tmp/o.out")"
	# text: 'PID K' a child, 'PID(exited) K' and 'PID KB', no '+'
	run top "$E" --ring $ring --rows 0 --max-cpu 0 -i 60 -- "$W" $K $KB
	for c in $kids; do
		[ "$(awk -v p="$c" '$1 ~ /^syscalls:/ && $2 == p { print $3 }' "$tmp/o.out")" = $K ] ||
			fail "top text ($ring): child $c not '$c $K': $(cat "$tmp/o.out")"
	done
	awk -v p="$pid" -v n=$K '$2 == p "(exited)" && $3 == n' "$tmp/o.out" | grep -q . &&
		awk -v p="$pid" -v n=$KB '$2 == p && $3 == n' "$tmp/o.out" | grep -q . ||
		fail "top text ($ring): not '$pid(exited) $K' and '$pid $KB': $(cat "$tmp/o.out")"
	! grep -q '+' "$tmp/o.out" || fail "top text ($ring): a row marked: $(cat "$tmp/o.out")"
	# trace --json: K lines a child, K + KB for the pid given twice,
	# none marked
	run trace "$E" --ring $ring --json -- "$W" $K $KB
	grep '^{' "$tmp/o.out" | jq -e -s --arg p "$pid" --arg kids "$kids" \
		--argjson k $K --argjson kb $KB '
		($kids | split("\n") | map(select(. != "") | tonumber)) as $a |
		[.[] | select(.pid?)] as $l |
		($l | all(.records_may_be_missing | not)) and
		($l | length == ($a | length) * $k + $k + $kb) and
		($a | all(. as $c | [$l[] | select(.pid == $c)] | length == $k)) and
		([$l[] | select(.pid == ($p | tonumber))] | length == $k + $kb)' \
		>/dev/null ||
		fail "trace --json ($ring): not $K lines a child, $((K + KB)) for $pid, unmarked: $(cat "$tmp/o.out")"
	# text: the pid column
	run trace "$E" --ring $ring -- "$W" $K $KB
	for c in $kids; do
		[ "$(awk -v p="$c" '$3 == p && $5 ~ /^syscalls:/' "$tmp/o.out" | wc -l)" = $K ] ||
			fail "trace text ($ring): child $c not $K lines: $(cat "$tmp/o.out")"
	done
	[ "$(awk -v p="$pid" '$3 == p && $5 ~ /^syscalls:/' "$tmp/o.out" | wc -l)" = $((K + KB)) ] ||
		fail "trace text ($ring): $pid not $((K + KB)) lines: $(cat "$tmp/o.out")"
	echo "PASS: $ring ring: $N children forked on CPU 1, run on CPU 0, $K calls each, and B ($KB): top and trace, text and JSON, exact, nothing marked"
done

# --- the perf ring from outside, --comm (filtered in the kernel; a child
# is named as its parent): the same calls a process, the tables summed
# (a copy with a name of its own: test-top-reuse runs pid-reuse too, maybe
# at the same time)
cw=prf$$
cp "$W" "$tmp/$cw" || fail "cannot copy pid-reuse"
lden_bg comm '"rows"' top "$E" --comm "$cw" --ring perf --json --rows 0 \
	--max-cpu 0 -i 0.3 -t 60
PID_REUSE_GAP_MS=1000 PID_REUSE_AWAY=$N "$tmp/$cw" $K $KB >"$tmp/cw.out" ||
	fail "pid-reuse (--comm) failed"
pid=$(awk 'NF == 2 && $1 == $2 { print $1 }' "$tmp/cw.out")
kids=$(awk '$1 == "a" { print $2 }' "$tmp/cw.out")
want=$( (for c in $kids; do echo "$c $K"; done; echo "$pid $K"; echo "$pid $KB") |
	sort | tr '\n' ' ')
sums() {
	grep '^{' "$tmp/comm.out" | jq -r -s '[.[].rows? // empty | .[] |
		select(.pid_source == "exact" and
		       (.records_may_be_missing | not))] |
		group_by([.pid, .pid_process]) | .[] | "\(.[0].pid) \(map(.count) | add)"' |
		sort | tr '\n' ' '
}
until_equal sums "$want"
stop $l
reaped $l
[ $rc = 0 ] || fail "top --comm exited $rc: $(cat "$tmp/comm.err")"
[ "$(sums)" = "$want" ] || fail "top --comm (perf): $(sums), want $want"
grep '^{' "$tmp/comm.out" | jq -e -s '[.[].rows? // empty | .[]] |
	all(.pid_source == "exact" and (.records_may_be_missing | not))' >/dev/null ||
	fail "top --comm (perf): a row not exact: $(grep rows "$tmp/comm.out")"
echo "PASS: perf ring, --comm: $N children and B, $K and $KB calls each process, exact"

# --- one child, 30,000 calls read before its fork: every record's
# process known (io says how many were not, each call marked)
N=2
run io --summary -- "$W" 30000 1
! grep -q "records of a process not known" "$tmp/o.err" ||
	fail "io: a child's 30,000 calls read before its fork, not every process known: $(grep "not known" "$tmp/o.err")"
grep -q "lost records 0" "$tmp/o.err" || fail "io: records lost: $(cat "$tmp/o.err")"
awk -v c="$kids" -v p="$pid" '$1 == "process" && (($NF == "pid-reuse[" c "]" && $2 == 30000) ||
	($NF == "pid-reuse[" p "]" && $2 == 30001)) { n++ } END { exit n != 2 }' "$tmp/o.out" ||
	fail "io --summary: not 30000 calls for child $kids and 30001 for $pid: $(grep '^process' "$tmp/o.out")"
echo "PASS: io: a child's 30,000 calls read before its fork, every process known"

# --- more records waiting for their fork than lden keeps (a bound made
# small for the test): those beyond are shown with their thread id as the
# pid (here the right one: processes), and the end says how many; before,
# top and trace said nothing (io alone counted them)
for cmd in top trace; do
	LDEN_TEST_FOLLOW_WAIT_BYTES=2000 PID_REUSE_AWAY=2 "$LDEN" $cmd "$E" \
		--ring ftrace $([ $cmd = top ] && echo --rows 0 --max-cpu 0 -i 60) \
		-- "$W" 300 1 >"$tmp/o.out" 2>"$tmp/o.err" ||
		fail "lden $cmd (a small bound) failed: $(cat "$tmp/o.err")"
	grep -q "^lden: [1-9][0-9]* records shown with their thread id as the process id: their process not known" "$tmp/o.err" ||
		fail "lden $cmd: records waited beyond the bound, not said: $(cat "$tmp/o.err")"
done
echo "PASS: top and trace say the records shown with their thread id as the pid"
