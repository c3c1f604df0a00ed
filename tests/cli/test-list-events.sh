#!/bin/sh
# lden list-events checks what attaching would check, and says where:
# a catalog filter the kernel would reject is an error naming its file
# and line (exit 2), and notify on that event names them too; a size line
# naming a field the tracepoint lacks gives no size, and says why; an
# event unavailable for want of kprobes says so (not "its tracepoint is
# not on this kernel"); without the privilege to read tracefs the list is
# printed and the exit status is 1, as for every command.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
LDEN="$top_builddir/src/lden"
test_tmp
D="$tmp/ev"
mkdir "$D"
cat >"$D/x.events" <<'EOT'
event x.badsize
	describe	a size naming no field
	tracepoint	sched:sched_process_fork
	size		nosuch * 2
event x.badfilter
	describe	a filter naming no field
	tracepoint	sched:sched_process_fork if nosuch > 1
event x.kp
	describe	kprobes only
	kprobe		vfs_read
EOT
row() {
	grep "^$1 " "$tmp/list.out"
}

# 1. the shipped catalog alone: every event fine here
"$LDEN" list-events >"$tmp/ship.out" 2>"$tmp/ship.err" ||
	fail "the shipped catalog: exit $? ($(cat "$tmp/ship.err"))"
grep -q ' error: ' "$tmp/ship.out" && fail "the shipped catalog has an error here"

# 2. the broken entries
"$LDEN" list-events -d "$D" >"$tmp/list.out" 2>"$tmp/list.err"
rc=$?
[ "$rc" = 2 ] || fail "a catalog filter the kernel rejects: exit $rc, want 2"
row x.badfilter | grep -q "error: $D/x.events:7: bad filter 'nosuch > 1' on sched:sched_process_fork: field not valid\$" ||
	fail "x.badfilter: $(row x.badfilter)"
grep -qx "lden: list-events: 1 event(s) of the catalog would fail to attach (see STATUS)" "$tmp/list.err" ||
	fail "no one-line summary of the error on stderr"
row x.badsize | grep -q "count speed .* ok (no size here: $D/x.events:4: size 'nosuch \* 2' on sched:sched_process_fork: no field nosuch at column 1)\$" ||
	fail "x.badsize: $(row x.badsize)"
if [ ! -e "$T/kprobe_events" ]; then
	row x.kp | grep -q "unavailable: it needs kprobes, and this kernel has no kprobe support" ||
		fail "x.kp: $(row x.kp)"
fi
jq -e '.[] | select(.name == "x.badfilter") | .available == false and .catalog_error' \
	>/dev/null <<EOJ || fail "--json: x.badfilter not an error"
$("$LDEN" list-events -d "$D" --json 2>/dev/null)
EOJ
echo "ok: list-events: the bad filter at x.events:7, the size at x.events:4"

# 3. notify on them says where too
"$LDEN" notify -d "$D" -t 1 'count(x.badfilter) > 1' >"$tmp/nf.out" 2>"$tmp/nf.err"
rc=$?
[ "$rc" = 2 ] || fail "notify on x.badfilter: exit $rc"
grep -q "^lden: x.badfilter: $D/x.events:7: bad filter 'nosuch > 1'" "$tmp/nf.err" ||
	fail "notify on x.badfilter does not name the file and line"
"$LDEN" notify -d "$D" -t 1 'size(x.badsize) > 1' >"$tmp/ns.out" 2>"$tmp/ns.err"
rc=$?
[ "$rc" = 2 ] || fail "size(x.badsize): exit $rc"
grep -q "^lden: x.badsize has no size on this kernel: the size at $D/x.events:4 names a field sched:sched_process_fork lacks here" "$tmp/ns.err" ||
	fail "size(x.badsize) does not say where"
echo "ok: notify names x.events:7 and x.events:4"

# 4. no privilege: the list, and exit 1
need_cmd setpriv
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$LDEN" list-events >"$tmp/nobody.out" 2>"$tmp/nobody.err"
rc=$?
[ "$rc" = 1 ] || fail "as nobody: exit $rc, want 1"
grep -q '^lden: permission denied reading tracefs' "$tmp/nobody.err" ||
	fail "as nobody: no message naming the missing privilege"
[ "$(grep -c ' ok$' "$tmp/nobody.out")" = 0 ] || fail "as nobody: events said ok"
grep -q '^task.create ' "$tmp/nobody.out" || fail "as nobody: no list"
echo "PASS: list-events checks filters and sizes as attaching would, with file:line"

# --verbose says when an event takes another source per process: here
# the host's kernel lets a task's events see sched_process_exit (no such
# line); with LDEN_TEST_EXIT_NOT_PER_TASK (a 6.1 or 6.12 kernel's do_exit)
# task.exit per process falls back to its kprobe, or is unavailable
"$LDEN" list-events --verbose >"$tmp/v.out" 2>"$tmp/v.err" || fail "--verbose: exit $?"
grep -q '^    per process: ' "$tmp/v.out" && fail "--verbose: a per-process line on this kernel"
LDEN_TEST_EXIT_NOT_PER_TASK=1 "$LDEN" list-events --verbose >"$tmp/v.out" 2>"$tmp/v.err" ||
	fail "--verbose, exits unseen per task: exit $?"
got=$(awk '/^task\.exit / { e = 1; next } /^[a-z]/ { e = 0 } e && /^    per process: / { print }' "$tmp/v.out")
if [ -e "${LDEN_TRACEFS:-/sys/kernel/tracing}/kprobe_events" ]; then
	echo "$got" | grep -q '^    per process: kprobe do_exit (tracepoint sched:sched_process_exit: not per process: ' ||
		fail "--verbose, exits unseen per task: task.exit says '$got'"
else
	echo "$got" | grep -q '^    per process: unavailable: per process, its tracepoint is not seen on this kernel' ||
		fail "--verbose, exits unseen per task: task.exit says '$got'"
fi
[ "$(grep -c '^    per process: ' "$tmp/v.out")" = 1 ] ||
	fail "--verbose, exits unseen per task: per-process lines for other events: $(grep -B8 '^    per process: ' "$tmp/v.out")"
echo "PASS: list-events --verbose says task.exit's source per process where it differs"
