#!/bin/sh
# The example program as a user runs it: one line per exec with the pid
# and path, a fork count in counting mode, and exit status 2 with a clear
# message for bad input.
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
EXEC="$top_builddir/tracefs/examples/lden-exec"
tmp=$(mktemp -d) || exit 99
tracer=""
cleanup() {
	[ -n "$tracer" ] && kill "$tracer" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
. "$top_srcdir/tests/cli/lib.sh"


# --help, bad options, bad events, bad filters
"$EXEC" --help | grep -q '^usage: lden-exec' || fail "--help"
"$EXEC" --bogus 2>/dev/null; [ $? = 2 ] || fail "unknown option is not status 2"
"$EXEC" -e sched:no_such_event 2>"$tmp/e.err"; [ $? = 2 ] || fail "bad event status"
grep -qx "lden-exec: no event 'sched:no_such_event' on this kernel" "$tmp/e.err" || fail "bad event message"
"$EXEC" -f 'child_pid ==' 2>"$tmp/f.err"; [ $? = 2 ] || fail "bad filter status"
grep -q "bad filter 'child_pid ==' on sched:sched_process_exec" "$tmp/f.err" || fail "bad filter message"

# exec lines: a uniquely named link to true
ln -s /bin/true "$tmp/lden-example-$$" || exit 99
"$EXEC" >"$tmp/exec.out" 2>"$tmp/exec.err" &
tracer=$!
wait_for "$tmp/exec.err" 'Ctrl-C to stop' || fail "no readiness line"
"$tmp/lden-example-$$" &
child=$!
wait "$child"
wait_for "$tmp/exec.out" "^exec $child $tmp/lden-example-$$\$" || fail "exec line for $child"
kill -INT "$tracer"
wait "$tracer" || fail "exit status after SIGINT"
tracer=""
grep -q '^samples [1-9][0-9]* lost 0$' "$tmp/exec.err" || fail "summary"

# fork count of one process, per task
mkfifo "$tmp/go" || exit 99
sh -c 'read x < "$1"; for i in 1 2 3 4 5; do /bin/true; done' sh "$tmp/go" &
worker=$!
"$EXEC" --count -p "$worker" >"$tmp/count.out" 2>"$tmp/count.err" &
tracer=$!
wait_for "$tmp/count.err" 'Ctrl-C to stop' || fail "no readiness line (count)"
echo go > "$tmp/go"
wait "$worker"
kill -INT "$tracer"
wait "$tracer" || fail "count exit status"
tracer=""
grep -qx 'forks 5' "$tmp/count.out" || fail "expected 'forks 5'"
echo "PASS: lden-exec exec lines, fork count, errors"
