#!/bin/sh
# trace and io --show-container: the container a task was in at each
# event, from the sample's cgroup id (PERF_SAMPLE_CGROUP) where the
# kernel has it, exact:
# - a process that does NA calls in container A, moves itself to B,
#   does NB calls, then forks a child that moves to C, does NC calls and
#   exits at once: trace shows NA lines with A, NB with B, NC with C,
#   every one exact (text and JSON), io the same for its calls; (read
#   from /proc at the task's first record, as before, every line said
#   A late, and the child's '?' or late);
# - a cgroup made, used and removed while lden could not look (stopped):
#   its lines '?', "container_why":"cgroup removed", never a wrong name;
#   counted in the summary;
# - where the samples carry no cgroup id (LDEN_TEST_NO_CGROUP_PERF_STATE,
#   LDEN_TEST_NO_SAMPLE_CGROUP): every line marked late or unknown, and
#   the reason said once.
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
T=${LDEN_TRACEFS:-/sys/kernel/tracing}
[ -r "$T/events/syscalls/sys_enter_getppid/id" ] ||
	{ echo "SKIP: no syscall tracepoints at $T"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
CGROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$CGROOT" ] && [ -f "$CGROOT/cgroup.procs" ] ||
	{ echo "SKIP: no cgroup2 file system"; exit 77; }
LDEN="$top_builddir/src/lden"
. "$top_srcdir/tests/cli/lib.sh"
setup_tmp
cgs=""
trap 'for _p in $pids; do kill -CONT "$_p" 2>/dev/null; kill "$_p" 2>/dev/null; done
for _c in $cgs; do rmdir "$_c" 2>/dev/null; done; rm -rf "$tmp"' EXIT

NA=4 NB=6 NC=1 NR=3
# containers as Docker names them (systemd driver): the short id shown
for x in a b c r; do
	id=$(printf '%s%s%010d%052d' $x $x $$ 0)
	eval "id_$x=$id short_$x=$(echo "$id" | cut -c1-12)"
	eval "cg_$x=$CGROOT/docker-$id.scope"
done
for x in a b c; do
	eval "mkdir \"\$cg_$x\"" || fail "cannot make a cgroup under $CGROOT"
	eval "cgs=\"\$cg_$x \$cgs\""
done
cgs="$cg_r $cgs"

# each call: a getppid() (trace) and a failed open of a path naming its
# container (io)
cat >"$tmp/mover.py" <<'PY'
import os, sys
na, nb, nc = (int(x) for x in sys.argv[1:4])
a, b, c = sys.argv[4:7]
def move(cg):
    with open(cg + "/cgroup.procs", "w") as f:
        f.write(str(os.getpid()))
def calls(n, tag):
    for i in range(n):
        os.getppid()
        try:
            os.open("/nonexistent-lden-ctr-%s-%d" % (tag, i), os.O_RDONLY)
        except OSError:
            pass
move(a)
calls(na, "a")
move(b)
calls(nb, "b")
pid = os.fork()
if pid == 0:
    move(c)
    calls(nc, "c")
    os._exit(0)
os.waitpid(pid, 0)
PY
mover() {
	"$LDEN" "$@" --max-cpu 0 -- python3 "$tmp/mover.py" $NA $NB $NC \
		"$cg_a" "$cg_b" "$cg_c"
}
GP=syscalls:sys_enter_getppid

# --- trace: the move, the child gone at once ---------------------------
mover trace $GP --show-container --json >"$tmp/tj.out" 2>"$tmp/tj.err" ||
	fail "trace --show-container --json failed"
exact=1
if grep -q 'carry no cgroup id\|no cgroup has perf state' "$tmp/tj.err"; then
	echo "SKIP (part): this kernel's samples carry no cgroup id: $(grep '^lden: .*containers read from /proc' "$tmp/tj.err")"
	exact=0
fi
if [ $exact = 1 ]; then
	jq -e -s --arg a $short_a --arg b $short_b --arg c $short_c \
		--argjson na $NA --argjson nb $NB --argjson nc $NC '
		[.[] | select(.comm == "python3" and .event == "'$GP'")] as $l |
		([$l[] | select(.container == $a and .container_source == "exact")] | length) == $na and
		([$l[] | select(.container == $b and .container_source == "exact")] | length) == $nb and
		([$l[] | select(.container == $c and .container_source == "exact")] | length) == $nc and
		all($l[]; .container_source == "exact")' "$tmp/tj.out" >/dev/null ||
		fail "trace --json: not $NA lines in $short_a, $NB in $short_b (after a move), $NC in $short_c (a child gone at once), all exact"
	# the child's line is the child's (another pid)
	jq -e -s --arg c $short_c '[.[] | select(.container == $c)] as $k |
		[.[] | select(.container != $c and .comm == "python3")][0].pid as $p |
		all($k[]; .pid != $p)' "$tmp/tj.out" >/dev/null ||
		fail "trace --json: the line in $short_c is not the child's"
	grep -q "^lden: containers shown: [0-9]* exact (the kernel's cgroup id at the event), 0 late (read from /proc at the task's first record, marked ?), 0 unknown" \
		"$tmp/tj.err" || fail "trace --json: the summary does not count every container exact"
	grep -q 'containers read from /proc' "$tmp/tj.err" &&
		fail "trace --json: a reason for late containers where they are exact"

	mover trace $GP --show-container >"$tmp/tt.out" 2>"$tmp/tt.err" ||
		fail "trace --show-container failed"
	# time cpu pid comm CONTAINER event: exact, no '?'
	for x in a:$NA b:$NB c:$NC; do
		eval "s=\$short_${x%:*}"
		[ "$(awk -v c="$s" -v ev=$GP '$4 == "python3" && $5 == c && $6 == ev' \
			"$tmp/tt.out" | wc -l)" = ${x#*:} ] ||
			fail "trace text: not ${x#*:} lines with the container $s (exact, no '?')"
	done
	awk -v ev=$GP '$4 == "python3" && $6 == ev && $5 ~ /\?$/' "$tmp/tt.out" | grep -q . &&
		fail "trace text: a container marked late or unknown"
	echo "PASS: trace --show-container: $NA lines in A, $NB in B after a move, $NC of a child gone at once in C, each exact (JSON, text); summary"
fi

# --- io: the same calls, by the cgroup of each call's enter ------------
mover io --show-container --json >"$tmp/ij.out" 2>"$tmp/ij.err" ||
	fail "io --show-container --json failed"
if [ $exact = 1 ]; then
	for x in a:$NA b:$NB c:$NC; do
		eval "s=\$short_${x%:*}"
		grep '^{"type":"call"' "$tmp/ij.out" | jq -e -s --arg s "$s" \
			--arg p "/nonexistent-lden-ctr-${x%:*}-" --argjson n ${x#*:} '
			[.[] | select(.path != null and (.path | startswith($p)))] |
			length == $n and all(.container == $s and .container_source == "exact")' \
			>/dev/null ||
			fail "io --json: not ${x#*:} opens of ${x%:*}'s paths, each in $s, exact"
	done
	grep -q "^lden: containers shown: [0-9]* exact (the kernel's cgroup id at the event), 0 late" \
		"$tmp/ij.err" || fail "io: the summary does not count every container exact"
	mover io --show-container >"$tmp/it.out" 2>"$tmp/it.err" ||
		fail "io --show-container failed"
	# TIME COMM PID TID CONTAINER SYSCALL FD RESULT LAT PATH
	for x in a:$NA b:$NB c:$NC; do
		eval "s=\$short_${x%:*}"
		[ "$(awk -v c="$s" -v p="/nonexistent-lden-ctr-${x%:*}-" \
			'$5 == c && index($NF, p) == 1' "$tmp/it.out" | wc -l)" = ${x#*:} ] ||
			fail "io text: not ${x#*:} opens in the container $s (exact, no '?')"
	done
	echo "PASS: io --show-container: the same $NA, $NB and $NC calls in A, B and C, exact (JSON, text)"
fi

# --- a cgroup removed before lden could resolve its id -----------------
# lden stopped (SIGSTOP) while the process makes R, moves in, makes NR
# calls, moves to B, removes R, makes NB calls; then lden goes on: R's
# id is in no walk lden can make
cat >"$tmp/gone.py" <<'PY'
import os, signal, sys, time
nr, nb = int(sys.argv[1]), int(sys.argv[2])
r, b = sys.argv[3:5]
def stat(p):
    s = open("/proc/%d/stat" % p).read()
    return s[s.index("(") + 1:s.rindex(")")], s[s.rindex(")") + 2:].split()
def lden():
    p = os.getppid()
    while p > 1:
        comm, rest = stat(p)
        if comm == "lden":
            return p
        p = int(rest[1])
    sys.exit("no lden above")
def move(cg):
    with open(cg + "/cgroup.procs", "w") as f:
        f.write(str(os.getpid()))
l = lden()
os.kill(l, signal.SIGSTOP)
try:
    for i in range(200):
        if stat(l)[1][0] == "T":
            break
        time.sleep(0.05)
    else:
        sys.exit("lden did not stop")
    os.mkdir(r)
    move(r)
    for i in range(nr):
        os.getppid()
    move(b)
    os.rmdir(r)
    for i in range(nb):
        os.getppid()
finally:
    os.kill(l, signal.SIGCONT)
PY
"$LDEN" trace $GP --show-container --json --max-cpu 0 -- python3 "$tmp/gone.py" \
	$NR $NB "$cg_r" "$cg_b" >"$tmp/gj.out" 2>"$tmp/gj.err" ||
	fail "trace --show-container (a cgroup removed) failed"
[ -d "$cg_r" ] && fail "the removed cgroup is still there"
if [ $exact = 1 ]; then
	jq -e -s --arg b $short_b --argjson nr $NR --argjson nb $NB '
		[.[] | select(.comm == "python3" and .event == "'$GP'")] as $l |
		([$l[] | select(.container == "?" and .container_source == "unknown" and
				.container_why == "cgroup removed")] | length) == $nr and
		([$l[] | select(.container == $b and .container_source == "exact")] | length) == $nb and
		([$l[] | select(.container_source == "exact")] | length) == ($l | length) - $nr' \
		"$tmp/gj.out" >/dev/null ||
		fail "trace: not $NR lines unknown (cgroup removed) and $NB exact in $short_b"
	grep -q "^lden: containers shown: .* [0-9]* unknown (?): $NR cgroup removed before lden resolved its id" \
		"$tmp/gj.err" || fail "trace: the summary does not say $NR lines' cgroup was removed"
	echo "PASS: a cgroup removed before lden resolved its id: its $NR lines '?' (cgroup removed), never another name; said in the summary"
fi

# --- no cgroup ids: late, marked, the reason once ----------------------
for v in LDEN_TEST_NO_CGROUP_PERF_STATE:'no cgroup has perf state of its own' \
	 LDEN_TEST_NO_SAMPLE_CGROUP:'carry no cgroup id (PERF_SAMPLE_CGROUP, Linux 5.7)'; do
	env "${v%%:*}=1" "$LDEN" trace $GP --show-container --json \
		--max-cpu 0 -- python3 "$tmp/mover.py" $NA $NB $NC "$cg_a" "$cg_b" "$cg_c" \
		>"$tmp/lj.out" 2>"$tmp/lj.err" || fail "trace (${v%%:*}) failed"
	[ "$(grep -c "^lden: .*${v#*:}.*: containers read from /proc at each task's first record (marked ?)" \
		"$tmp/lj.err")" = 1 ] || fail "trace (${v%%:*}): the reason not said once"
	jq -e -s '[.[] | select(.comm == "python3" and .event == "'$GP'")] as $l |
		($l | length) >= '$((NA + NB + NC))' and
		all($l[]; .container_source == "late" or .container_source == "unknown")' \
		"$tmp/lj.out" >/dev/null || fail "trace (${v%%:*}): a line not marked late or unknown"
	grep -q "^lden: containers shown: 0 exact" "$tmp/lj.err" ||
		fail "trace (${v%%:*}): the summary counts a container exact"
	env "${v%%:*}=1" "$LDEN" trace $GP --show-container \
		--max-cpu 0 -- python3 "$tmp/mover.py" $NA $NB $NC "$cg_a" "$cg_b" "$cg_c" \
		>"$tmp/lt.out" 2>"$tmp/lt.err" || fail "trace text (${v%%:*}) failed"
	awk -v ev=$GP '$4 == "python3" && $6 == ev && $5 !~ /\?$/' "$tmp/lt.out" | grep -q . &&
		fail "trace text (${v%%:*}): a container not marked '?'"
	env "${v%%:*}=1" "$LDEN" io --show-container --json \
		--max-cpu 0 -- python3 "$tmp/mover.py" $NA $NB $NC "$cg_a" "$cg_b" "$cg_c" \
		>"$tmp/lij.out" 2>"$tmp/lij.err" || fail "io (${v%%:*}) failed"
	grep -q "^lden: .*${v#*:}.*: containers read from /proc at each task's first record (marked ?)" \
		"$tmp/lij.err" || fail "io (${v%%:*}): the reason not said"
	grep '^{"type":"call"' "$tmp/lij.out" | jq -e -s '
		[.[] | select(.path != null and (.path | startswith("/nonexistent-lden-ctr-")))] |
		length == '$((NA + NB + NC))' and
		all(.container_source == "late" or .container_source == "unknown")' >/dev/null ||
		fail "io (${v%%:*}): a call not marked late or unknown"
done
echo "PASS: without the samples' cgroup ids (no perf state; a kernel before 5.7): every trace and io line marked late or unknown, the reason said once"
