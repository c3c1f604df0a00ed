#!/bin/sh
# A start and a stop of lden visualize with every catalog event, against
# the live kernel (root), twice in a row with no pause (the first one's
# detached closer, lden-close, still at work during the second start):
#
# - "ready" means live: the header is printed once every event is
#   enabled, so a workload released when the header appears is counted
#   in full, on four events of the list (forks, execs, exits, kill
#   calls of its own processes: N each);
# - LDEN_DEBUG=timing prints the steps in their order (events enabled
#   before the header; the perf events handed to lden-close, then the
#   instance removed, before the end);
# - right after each lden exits (no wait for lden-close), nothing of it
#   is left in tracefs: no instance, no probe group, as before.
#
# Counts are scoped to the test's processes (--pid ... --children).  Every
# wait is bounded; no timing is asserted (bench/startstop.sh measures).
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
T=${LDEN_TRACEFS:-/sys/kernel/tracing}
[ -r "$T/events/sched/sched_process_fork/id" ] ||
	{ echo "SKIP: no tracefs at $T"; exit 77; }
[ -r "$T/events/syscalls/sys_enter_kill/id" ] ||
	{ echo "SKIP: no syscall tracepoints"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
LDEN="$top_builddir/src/lden"
. "$top_srcdir/tests/cli/lib.sh"
test_tmp

snapshot > "$tmp/state.before" || exit 99

# line number of the first line of FILE matching PATTERN (0: none)
line_of() {
	grep -n -m 1 -e "$2" "$1" | cut -d: -f1 | grep . || echo 0
}

N=23
for run in 1 2; do
	rm -f "$tmp/go" "$tmp/viz.out" "$tmp/viz.err"
	mkfifo "$tmp/go" || exit 99
	# N times: a fork and an exec of /bin/true, its exit, and a kill(2)
	# of the shell's own (kill -0: nothing is sent)
	sh -c 'read x < "$1"; i=0; while [ $i -lt "$2" ]; do /bin/true; kill -0 $$; i=$((i + 1)); done' \
		sh "$tmp/go" $N &
	w=$!; started $w
	LDEN_DEBUG=timing "$LDEN" visualize --no-dashboard -o json --pid $w --children \
		>"$tmp/viz.out" 2>"$tmp/viz.err" &
	v=$!; started $v
	wait_for "$tmp/viz.err" '^lden: visualizing [0-9]* events ' ||
		fail "run $run: no header"
	# released at "ready": every event must be live already
	timeout 10 sh -c 'echo go > "$1"' sh "$tmp/go" ||
		fail "run $run: the workload did not start"
	join $w
	[ $rc = 0 ] || fail "run $run: the workload failed ($rc)"
	# the workload's last exit is counted by the tick after it
	for e in task.create task.exec task.exit sys.kill; do
		_i=0
		until [ "$(jq -r --arg e $e 'select(.event == $e) | .count_total' \
			"$tmp/viz.out" 2>/dev/null | tail -n 1)" -ge $N ] 2>/dev/null; do
			_i=$((_i + 1))
			[ $_i -gt 200 ] && fail "run $run: $e never reached $N"
			sleep 0.05
		done
	done
	kill -INT $v
	join $v
	[ $rc = 0 ] || fail "run $run: exit status $rc after SIGINT"
	# at once, lden-close or not: nothing of lden's left in tracefs
	ls "$T/instances" | grep -q "_$v\$" &&
		fail "run $run: instance of lden $v left after its exit"
	grep -q "_$v/" "$T/dynamic_events" 2>/dev/null &&
		fail "run $run: probes of lden $v left after its exit"
	snapshot > "$tmp/state.after" || exit 99
	diff "$tmp/state.before" "$tmp/state.after" >"$tmp/state.diff" ||
		fail "run $run: tracefs state changed: $(cat "$tmp/state.diff")"
	# exact: the task's forks, execs and exits (/bin/true N times; the
	# shell's own exit is the last, N + 1), and its kill calls
	got=$(jq -r -s '[.[] | select(.type == "end")][0].events |
		map(select(.event | test("^(task.create|task.exec|task.exit|sys.kill)$")) |
		"\(.event)=\(.count_total)") | sort | join(" ")' "$tmp/viz.out")
	[ "$got" = "sys.kill=$N task.create=$N task.exec=$N task.exit=$((N + 1))" ] ||
		fail "run $run: counts at the end: $got"
	# the steps, in order
	enabled=$(line_of "$tmp/viz.err" '^lden: \[+[0-9.]* ms\] events enabled$')
	header=$(line_of "$tmp/viz.err" '^lden: visualizing ')
	first=$(line_of "$tmp/viz.err" '^lden: \[+[0-9.]* ms\] the first values$')
	handed=$(line_of "$tmp/viz.err" '^lden: \[+[0-9.]* ms\] [1-9][0-9]* perf events handed to lden-close$')
	removed=$(line_of "$tmp/viz.err" '^lden: \[+[0-9.]* ms\] instance removed$')
	done_=$(line_of "$tmp/viz.err" '^lden: \[+[0-9.]* ms\] done$')
	[ "$enabled" -gt 0 ] && [ "$enabled" -lt "$header" ] &&
		[ "$header" -lt "$first" ] && [ "$handed" -gt "$first" ] &&
		[ "$removed" -gt "$handed" ] && [ "$done_" -gt "$removed" ] ||
		fail "run $run: LDEN_DEBUG steps out of order: enabled $enabled header $header first $first handed $handed removed $removed done $done_"
	echo "PASS: run $run: every event live at the header, counts exact, nothing left at exit"
done

# without LDEN_DEBUG: no debug line
"$LDEN" visualize --no-dashboard -o json -e task.create -t 0.2 \
	>"$tmp/quiet.out" 2>"$tmp/quiet.err" || fail "quiet: exit status $?"
grep -q '^lden: \[+' "$tmp/quiet.err" && fail "quiet: debug lines without LDEN_DEBUG"
echo "PASS: no timing lines without LDEN_DEBUG"
exit 0
