#!/bin/sh
# Namespaces and containers in the commands, on the live kernel (root):
# a child in new namespaces (unshare of net, pid, mount, uts, ipc, cgroup,
# user) and a sibling on the host make known numbers of opens; top --by
# netns/pidns/userns puts each in its own row under the inodes of
# /proc/PID/ns; --netns (a PID or an inode) counts only one of them;
# trace --ns --json carries the seven inodes /proc shows, io --ns too;
# a real cgroup named like a docker scope (created and removed here)
# shows in top --by container as the short id, and --container counts
# only its process; bad --netns or --container values exit 2.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_cmd unshare jq
LDEN="$top_builddir/src/lden"
TARGET="$top_builddir/tests/kernel/open-target"
unshare --net --pid --mount --uts --ipc --cgroup --user --fork true 2>/dev/null ||
	{ echo "SKIP: unshare cannot make all seven namespaces"; exit 77; }
CGROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$CGROOT" ] && [ -f "$CGROOT/cgroup.procs" ] ||
	{ echo "SKIP: no cgroup v2 mounted"; exit 77; }
ID=$(printf '%s' "lden-ns-test-$$" | sha256sum | cut -c1-64)
SHORT=$(echo "$ID" | cut -c1-12)
CGP="$CGROOT/lden-test-$$.slice"
CG="$CGP/docker-$ID.scope"
tmp=$(mktemp -d) || exit 99
pids=""
cleanup() {
	for _p in $pids; do kill "$_p" 2>/dev/null; done
	for _p in $pids; do wait "$_p" 2>/dev/null; done
	# the cgroup empties as its process is reaped: bounded
	_i=0
	while [ -d "$CG" ] && ! rmdir "$CG" 2>/dev/null && [ $_i -lt 100 ]; do
		_i=$((_i + 1)); sleep 0.05
	done
	[ -d "$CGP" ] && rmdir "$CGP"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# bg NAME ARGS...: lden ARGS in the background ($bpid), $NAME.out/.err
bg() {
	_n=$1
	shift
	"$LDEN" "$@" >"$tmp/$_n.out" 2>"$tmp/$_n.err" &
	bpid=$!
	pids="$pids $bpid"
}


ino() { stat -L -c %i "/proc/$1/ns/$2"; }

# the child in seven new namespaces opens 5 missing paths, the sibling 7
mkfifo "$tmp/c.in" "$tmp/h.in"
unshare --net --pid --mount --uts --ipc --cgroup --user --fork \
	"$TARGET" 5 <"$tmp/c.in" >"$tmp/c.tgt" &
u=$!; pids="$pids $u"
exec 7>"$tmp/c.in"
"$TARGET" 7 <"$tmp/h.in" >"$tmp/h.tgt" &
h=$!; pids="$pids $h"
exec 8>"$tmp/h.in"
wait_for "$tmp/c.tgt" '^ready' || fail "the child in new namespaces did not start"
wait_for "$tmp/h.tgt" '^ready' || fail "the sibling did not start"
c=$(cat "/proc/$u/task/$u/children"); c=${c% }
[ -n "$c" ] || fail "no child of unshare"
for k in net pid mnt uts ipc cgroup user; do
	[ "$(ino "$c" $k)" != "$(ino $h $k)" ] ||
		fail "the child shares the $k namespace with the host"
done

EV=syscalls:sys_exit_openat
bg net top $EV --pid "$c,$h" --by netns -i 0.3 --json -t 60 --max-cpu 0
tn=$bpid
bg pidns top $EV --pid "$c,$h" --by pidns -i 0.3 --json -t 60 --max-cpu 0
tp=$bpid
bg user top $EV --pid "$c,$h" --by userns -i 0.3 --json -t 60 --max-cpu 0
tu=$bpid
bg only top $EV --pid "$c,$h" --netns "$c" --by pid -i 0.3 --json -t 60 --max-cpu 0
to=$bpid
bg host top $EV --pid "$c,$h" --netns "$(ino $h net)" --by pid -i 0.3 --json -t 60 --max-cpu 0
th=$bpid
bg trace trace $EV --pid "$c" --json --ns --show-container -t 60 --max-cpu 0
tt=$bpid
bg io io --pid "$c" --json --ns -t 60 --max-cpu 0
ti=$bpid
for n in net pidns user only host; do
	wait_for "$tmp/$n.out" '"rows"' || fail "top ($n) printed no table"
done
wait_for "$tmp/trace.err" '^lden: tracing' || fail "trace printed no header"
wait_for "$tmp/io.err" '^lden: tracing' || fail "io printed no header"
echo go >&7; echo go >&8
wait_for "$tmp/c.tgt" '^done' || fail "the child did not finish"
wait_for "$tmp/h.tgt" '^done' || fail "the sibling did not finish"

rows='[.[].rows[] | select(.event == "'$EV'")'
for kv in "net netns net" "pidns pidns pid" "user userns user"; do
	set -- $kv
	ic=$(ino "$c" "$3"); ih=$(ino $h "$3")
	until_jq "$tmp/$1.out" "($rows | select(.$2 == \"$ic\") | .count] | add) == 5 and
		($rows | select(.$2 == \"$ih\") | .count] | add) == 7" ||
		fail "top --by $2: want 5 opens under $ic (the child), 7 under $ih (the host)"
done
until_jq "$tmp/only.out" "($rows | .count] | add) == 5 and ($rows | .pid] | unique) == [\"$c\"]" ||
	fail "top --netns PID: want the child's 5 opens only"
until_jq "$tmp/host.out" "($rows | .count] | add) == 7 and ($rows | .pid] | unique) == [\"$h\"]" ||
	fail "top --netns INODE: want the sibling's 7 opens only"
until_jq "$tmp/trace.out" 'map(select(.event == "'$EV'")) | length == 5' ||
	fail "trace --ns: want 5 lines of the child"
until_jq "$tmp/io.out" 'map(select(.type == "call" and .syscall == "openat")) | length == 5' ||
	fail "io --ns: want the child's 5 openat calls"
for p in $tn $tp $tu $to $th $tt $ti; do kill -INT $p 2>/dev/null; done
for p in $tn $tp $tu $to $th $tt $ti; do wait $p; done
# the namespaces of every line are the child's, as /proc shows them
want=$(for k in net ipc uts mnt pid user cgroup; do printf '"%s":%s,' $k "$(ino "$c" $k)"; done)
want="{${want%,}}"
jq -e -s "map(select(.event == \"$EV\")) | all(.ns == $want and .ns_source == \"read\")" \
	"$tmp/trace.out" >/dev/null ||
	fail "trace --ns: the inodes are not the child's $want"
# its container: from the samples' cgroup id, exact, the host's cgroup
# (this test's: the root's is the host's, '-'), not the root of the
# child's own cgroup namespace that /proc shows it; late and marked where
# the kernel gives no id (and then that '-')
if grep -q 'containers read from /proc' "$tmp/trace.err"; then
	cwant='.container == "-" and .container_source == "late"'
elif [ "$(sed -n 's/^0:://p' /proc/self/cgroup)" = / ]; then
	cwant='.container == "-" and .container_source == "exact"'
else
	cwant='.container == $c and .container != "?" and .container_source == "exact"'
fi
jq -e -s "map(select(.event == \"$EV\")) | .[0].container as \$c | all($cwant)" \
	"$tmp/trace.out" >/dev/null ||
	fail "trace --show-container: the child's lines not all in one container, exact (or late where the kernel gives no id)"
grep '^{' "$tmp/io.out" | jq -e -s "map(select(.type == \"call\")) | all(.ns == $want and .ns_source == \"read\")" >/dev/null ||
	fail "io --ns: the inodes are not the child's $want"
grep -q -- '--netns: 0 samples of 0 tasks' "$tmp/only.err" ||
	fail "top --netns: the unknown count is not said (or not 0)"
echo "PASS: the child's 5 opens and the host sibling's 7 in separate rows by netns, pidns, userns (inodes of /proc/PID/ns); --netns PID and --netns INODE count only 5 and 7; trace and io --ns carry the child's seven inodes"
exec 7>&- 8>&-

# --- a container's cgroup: by its short id, and as a scope ------------
mkdir "$CGP" "$CG" || fail "cannot create the cgroup $CG"
mkfifo "$tmp/d.in"
"$TARGET" 3 <"$tmp/d.in" >"$tmp/d.tgt" &
d=$!; pids="$pids $d"
exec 7>"$tmp/d.in"
wait_for "$tmp/d.tgt" '^ready' || fail "the container's process did not start"
echo "$d" >"$CG/cgroup.procs" || fail "cannot move $d into $CG"
mkfifo "$tmp/e.in"
"$TARGET" 4 <"$tmp/e.in" >"$tmp/e.tgt" &
e=$!; pids="$pids $e"
exec 8>"$tmp/e.in"
wait_for "$tmp/e.tgt" '^ready' || fail "the host process did not start"
bg byc top $EV --pid "$d,$e" --by container -i 0.3 --json -t 60 --max-cpu 0
tc=$bpid
bg scope top $EV --container "$SHORT" --by pid -i 0.3 --json -t 60 --max-cpu 0
ts=$bpid
bg text trace $EV --pid "$d" --show-container -t 60 --max-cpu 0
tx=$bpid
wait_for "$tmp/byc.out" '"rows"' || fail "top --by container printed no table"
wait_for "$tmp/scope.out" '"rows"' || fail "top --container printed no table"
wait_for "$tmp/text.err" '^lden: tracing' || fail "trace --show-container printed no header"
echo go >&7; echo go >&8
wait_for "$tmp/d.tgt" '^done' || fail "the container's process did not finish"
wait_for "$tmp/e.tgt" '^done' || fail "the host process did not finish"
until_jq "$tmp/byc.out" "($rows | select(.container == \"$SHORT\") | .count] | add) == 3 and
	($rows | select(.container != \"$SHORT\") | .count] | add) == 4" ||
	fail "top --by container: want 3 opens under $SHORT, 4 elsewhere"
until_jq "$tmp/scope.out" "($rows | .count] | add) == 3 and ($rows | .pid] | unique) == [\"$d\"]" ||
	fail "top --container $SHORT: want the 3 opens of its process only"
# from the samples' cgroup id: exact; where the kernel gives none, read
# from /proc at the task's first record: marked late, '?'
mark=
grep -q 'containers read from /proc' "$tmp/text.err" && mark='?'
until_lines "$tmp/text.out" " $SHORT$mark  *$EV " 3
[ "$(grep -c " $SHORT$mark  *$EV " "$tmp/text.out")" = 3 ] ||
	fail "trace --show-container: want 3 lines with the column $SHORT$mark"
for p in $tc $ts $tx; do kill -INT $p; done
for p in $tc $ts $tx; do wait $p; done
exec 7>&- 8>&-
echo "PASS: a docker-<id>.scope cgroup: top --by container shows $SHORT with its 3 opens, --container $SHORT counts only them, trace --show-container names it"

# --- usage errors: one line, exit 2 -----------------------------------
for bad in "--netns 12345678901" "--netns abc" "--netns 4194303" "--container nosuch-$$" "--container -"; do
	"$LDEN" top $EV $bad -t 1 >"$tmp/bad.out" 2>"$tmp/bad.err"
	rc=$?
	[ $rc = 2 ] || fail "top $bad: exit $rc, want 2"
	drop_sweep "$tmp/bad.err"
	[ "$(wc -l <"$tmp/bad.err")" = 1 ] || fail "top $bad: not one line"
	grep -q '^lden: top: ' "$tmp/bad.err" || fail "top $bad: no error line"
done
"$LDEN" trace $EV --ns -t 1 >"$tmp/bad.out" 2>"$tmp/bad.err"
[ $? = 2 ] || fail "trace --ns without --json: want exit 2"
"$LDEN" top $EV --by foons -t 1 >"$tmp/bad.out" 2>"$tmp/bad.err"
[ $? = 2 ] || fail "top --by foons: want exit 2"
echo "PASS: a bad inode, no such pid, an unknown container, --ns without --json: one line, exit 2"
