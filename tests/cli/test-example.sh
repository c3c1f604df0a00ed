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

# --mntns: each exec's mount namespace, exact or marked.  A process
# execs unshare, which moves to a new mount namespace and execs sh there
# (held on a fifo), then the link to true runs and exits at once.
"$EXEC" --mntns --count 2>"$tmp/m.err"; [ $? = 2 ] || fail "--mntns --count status"
grep -qx "lden-exec: --mntns goes with the exec lines, not with --count" "$tmp/m.err" ||
	fail "--mntns --count message"
command -v unshare >/dev/null || { echo "SKIP: no unshare for --mntns"; exit 0; }
own=$(readlink /proc/self/ns/mnt | tr -dc 0-9)
mkfifo "$tmp/ns.go" "$tmp/ns.hold" || exit 99
printf 'read x < "$1"\n' > "$tmp/hold.sh"
sh -c 'read x < "$1"; unshare --mount -- sh "$2" "$3"; "$4"' sh "$tmp/ns.go" \
	"$tmp/hold.sh" "$tmp/ns.hold" "$tmp/lden-example-$$" &
worker=$!
"$EXEC" --mntns -p "$worker" >"$tmp/ns.out" 2>"$tmp/ns.err" &
tracer=$!
wait_for "$tmp/ns.err" 'Ctrl-C to stop' || fail "no readiness line (--mntns)"
grep -qx "lden-exec: mount namespace of lden-exec: $own" "$tmp/ns.err" ||
	fail "--mntns does not give its own mount namespace $own"
echo go > "$tmp/ns.go"
wait_for "$tmp/ns.out" '^exec [0-9]* [0-9]* .*/sh$' || fail "no exec line for sh with a namespace"
set -- $(grep '/sh$' "$tmp/ns.out")
inner=$2
new=$(readlink "/proc/$inner/ns/mnt" | tr -dc 0-9)
[ "$3" = "$new" ] || fail "sh in the new namespace: $3, /proc/$inner/ns/mnt says $new"
[ "$new" != "$own" ] || fail "unshare --mount did not make a new namespace"
# the same process's exec of unshare, before it moved: ours, or unknown
set -- $(grep "^exec $inner .*/unshare\$" "$tmp/ns.out")
[ "$#" = 4 ] || fail "no exec line for unshare"
case $3 in "$own"|"?") ;; *) fail "unshare's exec shows namespace $3, not ours ($own) or '?'" ;; esac
echo go > "$tmp/ns.hold"
wait "$worker"
wait_for "$tmp/ns.out" "lden-example-$$\$" || fail "no exec line for the link"
set -- $(grep "lden-example-$$\$" "$tmp/ns.out")
case $3 in "$own"|-) ;; *) fail "the short-lived link shows namespace $3, not ours ($own) or '-'" ;; esac
kill -INT "$tracer"
wait "$tracer" || fail "--mntns exit status after SIGINT"
tracer=""
grep -qx 'samples 3 lost 0' "$tmp/ns.err" || fail "--mntns: want 3 exec samples, none lost"
[ "$(wc -l < "$tmp/ns.out")" = 3 ] || fail "--mntns: want 3 lines"
echo "PASS: lden-exec --mntns: sh in its new namespace exactly, unshare's exec as ours or '?', the short-lived one as ours or '-'"
