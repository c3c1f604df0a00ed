#!/bin/sh
# A rename lost in a full ring: lden names each task from the records of
# its start and renames (task_newtask, task_rename), and showed that name
# as exact at every later record.  When the ring was full as the task
# renamed itself, that record was dropped (counted lost) and the task's
# records after it carried its old name, marked exact: a workload
# 'python3' that renamed itself 'renamed' while lden was stopped
# (SIGSTOP, its ring full of the workload's 200,000 lseeks) had its next
# calls shown as 'python3' "comm_source":"exact".  Now, once records of
# the names' tracepoints were lost, every name set before is read from
# /proc instead (late, marked): 'renamed', late.  For trace, top --by
# comm and io (each over the same tracker); top --by pid marks which
# process had the pid unsure.  The workload stays on one
# CPU: a rename written to another CPU's ring, which had room, is not
# lost, and its name stays exact.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_cmd python3
need_cmd jq
LDEN="$top_builddir/src/lden"
test_tmp

# waits for $1/go, floods (flood_lib: on one CPU, 200,000 lseek(777)),
# renames itself 'renamed', says so ($1/flooded), waits for $1/cont, then
# calls lseek(778, 0, 0) every 5 ms until $1/seen (at most 15 s)
flood_lib
cat >"$tmp/ren.py" <<'PY'
import os, sys, time
from flood import until, flood_then, rename
d = sys.argv[1]
def seek(fd):
    try:
        os.lseek(fd, 0, 0)
    except OSError:
        pass
# on one CPU: the rename is written to the ring the flood filled
flood_then(d, lambda: rename(b"renamed"))
until(d + "/cont")
for i in range(3000):
    if os.path.exists(d + "/seen"):
        break
    seek(778)
    time.sleep(0.005)
PY

# run NAME PATTERN ARGS...: lden ARGS -- python3 ren.py, stopped while
# the workload floods its ring and renames itself, continued, until
# PATTERN is in its stdout ($tmp/NAME.out); its exit status in $rc
run() {
	_n=$1 _p=$2
	shift 2
	rm -f "$tmp/go" "$tmp/flooded" "$tmp/cont" "$tmp/seen"
	"$LDEN" "$@" -- python3 "$tmp/ren.py" "$tmp" \
		>"$tmp/$_n.out" 2>"$tmp/$_n.err" &
	_l=$!
	started $_l
	# attached: trace and io say so, top prints its first table (one
	# wait for either: two waits in turn spent 10 s on top's, 20 s at
	# load 17, and the workload's wait for go ended first)
	_i=0
	until grep -q '^lden: tracing' "$tmp/$_n.err" ||
		grep -q '"time"' "$tmp/$_n.out"; do
		_i=$((_i + 1))
		[ $_i -gt 400 ] && fail "$_n: lden did not start"
		sleep 0.05
	done
	flood_stopped $_l "$_n"
	wait_for "$tmp/$_n.out" "$_p" 15 || fail "$_n: no call after the rename shown"
	touch "$tmp/seen"
	join $_l
}

E='syscalls:sys_enter_lseek[fd == 777]'
E2='syscalls:sys_enter_lseek[fd == 778]'

# lost FILE: the records lden said were lost, in its summary FILE
lost() {
	awk '$1 == "lost" && $2 == "records" { print $3 }' "$1"
}

run trace '"fd":778' trace "$E" "$E2" --json --max-cpu 0
[ $rc = 0 ] || fail "trace: exit $rc"
n=$(lost "$tmp/trace.err")
[ "${n:-0}" -gt 0 ] || fail "trace: no record lost (the ring did not fill: the test proves nothing)"
# (a call read after the workload exited, on a loaded machine, has no
# name to read: '?', unavailable, also right; one named is needed)
jq -e -s '[.[] | select(.fields.fd == 778)] |
	any(.comm == "renamed") and
	all((.comm == "renamed" and .comm_source == "late") or
	    (.comm == null and .comm_source == "unavailable"))' \
	"$tmp/trace.out" >/dev/null ||
	fail "trace: calls after the lost rename not named 'renamed', late: $(jq -c -s '[.[] | select(.fields.fd == 778) | [.comm, .comm_source]] | unique' "$tmp/trace.out")"
echo "PASS: trace: $n records lost, the calls after the lost rename named 'renamed', late"
# whose: the user's events' and the tracker's, or said counted together
grep -q '^    of lden.s process tracker  *[1-9]' "$tmp/trace.err" ||
	grep -q "and lden's process tracker: counted together" "$tmp/trace.err" ||
	fail "trace: the lost records are not told apart (nor said counted together)"
echo "PASS: trace: the lost records told apart: $(grep -A2 '^  lost records' "$tmp/trace.err" | tr -s ' ' | tr '\n' ';')"
# the header names every event traced (it named the first alone)
grep -qxF "lden: tracing $E, $E2 (Ctrl-C to stop)" "$tmp/trace.err" ||
	fail "trace: the header does not name both events: $(head -1 "$tmp/trace.err")"
echo "PASS: trace: the header names both events"

run top 'fd == 778' top "$E" "$E2" --by comm --json -i 0.2 --max-cpu 0
[ $rc = 0 ] || fail "top: exit $rc"
# each table holds its interval's counts: the rows of every table
jq -e -s 'map(.lost) | add > 0' "$tmp/top.out" >/dev/null ||
	fail "top: no record lost (the ring did not fill: the test proves nothing)"
jq -e -s '[.[].rows[] | select(.event | endswith("778]"))] |
	any(.comm == "renamed") and
	all((.comm == "renamed" and .comm_source == "late") or
	    .comm_source == "unavailable")' \
	"$tmp/top.out" >/dev/null ||
	fail "top --by comm: calls after the lost rename not under 'renamed', late: $(jq -c -s '[.[].rows[] | select(.event | endswith("778]"))]' "$tmp/top.out")"
echo "PASS: top --by comm: the calls after the lost rename under 'renamed', late"
# the lost records told apart: the user's events' and the tracker's (the
# rename's record among them); on perf rings before 6.0, or the ftrace
# ring, the kernel counts them together: said so ("lost_split":false).
# The old code gave one "lost", the tracker's records in it unsaid.
if jq -e -s 'any(.lost_split == false)' "$tmp/top.out" >/dev/null; then
	echo "PASS: top: lost records not told apart on this kernel: lost_split false"
else
	jq -e -s 'all(has("lost_events") and has("lost_tracker") and
		.lost == .lost_events + .lost_tracker) and
		(map(.lost_tracker) | add > 0) and (map(.lost_events) | add > 0)' \
		"$tmp/top.out" >/dev/null ||
		fail "top: lost records not split into the events' and the tracker's: $(jq -c -s 'map([.lost, .lost_events, .lost_tracker])' "$tmp/top.out")"
	echo "PASS: top: lost $(jq -s 'map(.lost_events) | add' "$tmp/top.out") of the events, $(jq -s 'map(.lost_tracker) | add' "$tmp/top.out") of the tracker"
fi

# top --by pid over the same tracker: a new process with the workload's
# pid may be among the records lost, so which process had it is not known:
# its rows after the loss marked (they were merged exact)
run top-pid 'fd == 778' top "$E" "$E2" --json -i 0.2 --max-cpu 0
[ $rc = 0 ] || fail "top-pid: exit $rc"
jq -e -s 'map(.lost) | add > 0' "$tmp/top-pid.out" >/dev/null ||
	fail "top-pid: no record lost (the ring did not fill: the test proves nothing)"
jq -e -s '[.[].rows[] | select(.event | endswith("778]"))] |
	length > 0 and all(.pid_source == "unsure")' \
	"$tmp/top-pid.out" >/dev/null ||
	fail "top --by pid: rows after the lost records not marked unsure: $(jq -c -s '[.[].rows[] | select(.event | endswith("778]"))]' "$tmp/top-pid.out")"
echo "PASS: top --by pid: the rows after the tracker's records were lost marked unsure"

run io '"fd":778' io --json --max-cpu 0
[ $rc = 0 ] || fail "io: exit $rc"
grep -q '^  lost records *[1-9]' "$tmp/io.err" ||
	fail "io: no record lost (the ring did not fill: the test proves nothing)"
# io's late name is its fd table's, read at the process's first call
# (before the exec of python3, the pyenv shim's 'bash' here): marked
jq -e -s '[.[] | select(.fd == 778)] | length > 0 and
	all(.comm_source == "late")' \
	"$tmp/io.out" >/dev/null ||
	fail "io: calls after the lost rename named exactly: $(jq -c -s '[.[] | select(.fd == 778) | [.comm, .comm_source]] | unique' "$tmp/io.out")"
echo "PASS: io: the calls after the lost rename named late"

# the perf rings: the tracker reads its events' lost counters only when a
# look at the rings says one may have been full (ltr_session__full_marks())
for mode in trace io; do
	if [ $mode = trace ]; then
		run perf-$mode '"fd":778' trace "$E" "$E2" --json --max-cpu 0 \
			--ring perf
		sel='.fields.fd == 778'
	else
		run perf-$mode '"fd":778' io --json --max-cpu 0 --ring perf
		sel='.fd == 778'
	fi
	[ $rc = 0 ] || fail "perf-$mode: exit $rc"
	n=$(lost "$tmp/perf-$mode.err")
	[ "${n:-0}" -gt 0 ] || fail "perf-$mode: no record lost (the ring did not fill: the test proves nothing)"
	jq -e -s "[.[] | select($sel)] | length > 0 and
		all(.comm_source == \"late\")" \
		"$tmp/perf-$mode.out" >/dev/null ||
		fail "perf-$mode: calls after the lost rename named exactly: $(jq -c -s "[.[] | select($sel) | [.comm, .comm_source]] | unique" "$tmp/perf-$mode.out")"
	echo "PASS: perf ring, $mode: $n records lost, the calls after the lost rename named late"
done
# on the perf rings of 6.0+ each event counts its own drops: the summary
# tells the user's events' from the tracker's (the lost rename's record
# is the tracker's); the old code said one number, the tracker's in it
ev=$(awk '$1 == "of" && $2 == "your" { print $4 }' "$tmp/perf-trace.err")
tr=$(awk '$1 == "of" && $2 == "lden'"'"'s" { print $5 }' "$tmp/perf-trace.err")
n=$(lost "$tmp/perf-trace.err")
[ -n "$ev" ] && [ -n "$tr" ] && [ "$tr" -gt 0 ] && [ $((ev + tr)) = "$n" ] ||
	fail "perf-trace: lost $n not told apart (events '$ev', tracker '$tr')"
echo "PASS: perf ring, trace: lost $n = $ev of the events + $tr of the tracker"
grep -q "^  lost records [1-9][0-9]* ([0-9]* of the syscalls, [1-9][0-9]* of lden's process tracker: names may be unknown)" \
	"$tmp/perf-io.err" ||
	fail "perf-io: the lost records not told apart: $(grep 'lost records' "$tmp/perf-io.err")"
echo "PASS: perf ring, io: $(grep 'lost records' "$tmp/perf-io.err")"

# Before 6.0 (LDEN_TEST_NO_FORMAT_LOST: the kernel refuses
# PERF_FORMAT_LOST), on the perf ring: no event counts its own drops, so
# the tracker takes any the session lost (the rings' LOST records): the
# same late name, the losses said.
for mode in trace top; do
	export LDEN_TEST_NO_FORMAT_LOST=1
	if [ $mode = trace ]; then
		run old-trace '"fd":778' trace "$E" "$E2" --json --max-cpu 0 \
			--ring perf
	else
		run old-top 'fd == 778' top "$E" "$E2" --by comm --json -i 0.2 \
			--max-cpu 0 --ring perf
	fi
	unset LDEN_TEST_NO_FORMAT_LOST
	[ $rc = 0 ] || fail "old-$mode: exit $rc"
done
n=$(lost "$tmp/old-trace.err")
[ "${n:-0}" -gt 0 ] || fail "old-trace: no record lost (the ring did not fill: the test proves nothing)"
jq -e -s '[.[] | select(.fields.fd == 778)] |
	any(.comm == "renamed") and
	all((.comm == "renamed" and .comm_source == "late") or
	    (.comm == null and .comm_source == "unavailable"))' \
	"$tmp/old-trace.out" >/dev/null ||
	fail "old-trace: calls after the lost rename not named 'renamed', late: $(jq -c -s '[.[] | select(.fields.fd == 778) | [.comm, .comm_source]] | unique' "$tmp/old-trace.out")"
echo "PASS: before 6.0, perf ring: trace: $n records lost, the calls after the lost rename named 'renamed', late"
jq -e -s 'map(.lost) | add > 0' "$tmp/old-top.out" >/dev/null ||
	fail "old-top: no record lost (the ring did not fill: the test proves nothing)"
# before 6.0 the kernel cannot tell them apart: said so, not split
jq -e -s 'all(.lost_split == false and (has("lost_tracker") | not))' \
	"$tmp/old-top.out" >/dev/null ||
	fail "old-top: lost records split where the kernel cannot"
grep -q "and lden's process tracker: counted together" "$tmp/old-trace.err" ||
	fail "old-trace: the summary does not say the lost records are counted together"
echo "PASS: before 6.0: lost records said counted together, not split"
# a table after the workload's exit finds no /proc to read: unavailable,
# said so
jq -e -s '[.[].rows[] | select(.event | endswith("778]"))] |
	any(.comm == "renamed" and .comm_source == "late") and
	all((.comm == "renamed" and .comm_source == "late") or
	    (.comm == null and .comm_source == "unavailable"))' \
	"$tmp/old-top.out" >/dev/null ||
	fail "old-top --by comm: calls after the lost rename not under 'renamed', late: $(jq -c -s '[.[].rows[] | select(.event | endswith("778]"))]' "$tmp/old-top.out")"
echo "PASS: before 6.0, perf ring: top --by comm: the calls after the lost rename under 'renamed', late"

# a task whose records are read after it is gone, once lden's names
# are no longer exact (its rename's record lost in the ring the flood
# filled: on a perf ring of 6.0+ lden knows whether its tracker lost any,
# and a flood alone does not make it): no name to show, said so -- JSON
# null and "unavailable", a lone '?' in text, counted in the summary (it
# was "?" marked late, as if read)
cat >"$tmp/gone.py" <<'PY'
import os, sys
from flood import until, flood_then, rename
d = sys.argv[1]
flood_then(d, lambda: rename(b"gone"))
until(d + "/cont2")
for i in range(5):
    try:
        os.lseek(779, 0, 0)
    except OSError:
        pass
PY
for fmt in json text; do
	rm -f "$tmp/go" "$tmp/flooded" "$tmp/cont" "$tmp/cont2" "$tmp/gone.out"
	if [ $fmt = json ]; then set -- --json; else set --; fi
	"$LDEN" trace "$E" 'syscalls:sys_enter_lseek[fd == 779]' "$@" --max-cpu 0 \
		-t 120 >"$tmp/gone.out" 2>"$tmp/gone.err" &
	l=$!
	started $l
	wait_for "$tmp/gone.err" '^lden: tracing' 20 || fail "gone: lden did not start"
	(cd "$tmp" && exec python3 gone.py "$tmp") &
	w=$!
	started $w
	flood_stopped $l gone
	# the loss seen: said in the output (which 777 calls are kept, and
	# whether any is after the loss, depends on the timing)
	wait_for "$tmp/gone.out" '^{"lost":\|^-- lost ' 60 ||
		fail "gone $fmt: the loss was not seen"
	kill -STOP $l
	touch "$tmp/cont2"
	join $w
	# what is tested is time passing: trace keeps what it read of a
	# process from /proc for 100 ms, and a name read before the stop,
	# the process alive, would still be served (late) within them: it
	# was, on a quiet machine where the 5 calls and the exit took less
	sleep 0.2
	kill -CONT $l
	i=0
	while [ "$(grep -c -E '"fd":779|fd=779' "$tmp/gone.out")" != 5 ]; do
		i=$((i + 1))
		[ $i -gt 1200 ] && fail "gone $fmt: not the 5 calls in 60 s"
		sleep 0.05
	done
	kill -INT $l
	join $l
	grep -q "^  names: .* [1-9][0-9]* unavailable (gone, ?)" "$tmp/gone.err" ||
		fail "gone $fmt: the summary does not count the names unavailable"
	if [ $fmt = json ]; then
		jq -e -s '[.[] | select(.fields.fd == 779)] | length == 5 and
			all(.comm == null and .comm_source == "unavailable")' \
			"$tmp/gone.out" >/dev/null ||
			fail "gone json: not null, unavailable: $(jq -c -s '[.[] | select(.fields.fd == 779)] | map([.comm, .comm_source]) | unique' "$tmp/gone.out")"
	else
		[ "$(grep 'fd=779' "$tmp/gone.out" | awk '$4 == "?" { n++ } END { print n + 0 }')" = 5 ] ||
			fail "gone text: the name is not a lone '?': $(grep 'fd=779' "$tmp/gone.out" | head -1)"
	fi
done
echo "PASS: trace: a task gone before its records are read, names not exact: no name, said unavailable (JSON null, text '?')"
