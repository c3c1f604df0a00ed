#!/bin/sh
# Values lden top and trace key or print by, exact or marked, on the
# owners' classes of workload:
# - top --by cgroup: a process that moves itself from one cgroup to a
#   second after a known number of events in each, and a child that moves
#   to a third, makes its events and exits at once: each cgroup's count
#   exact (the samples' cgroup ids, PERF_SAMPLE_CGROUP), and with the ids
#   unavailable (LDEN_TEST_NO_SAMPLE_CGROUP: a kernel before 5.7) every
#   row marked late or unknown; the end summary counts them (text, JSON);
#   without the ids, two threads in two threaded cgroups each in its own;
# - a storm of N short-lived children each making K known calls and
#   exiting at once: top --by comm counts K for each child's name, exact;
#   threads that rename themselves: each thread's calls under its name;
#   one tracepoint under two filters: a row each, named with its filter;
#   trace open --failed and trace exec show every call with its name
#   exact, each path exact and right or marked.
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
trap 'for _p in $pids; do kill "$_p" 2>/dev/null; done
for _c in $cgs; do rmdir "$_c" 2>/dev/null; done; rm -rf "$tmp"' EXIT

# --- top --by cgroup: a move midway, a short-lived child ---------------
NA=5 NB=7 NC=3
for x in a b c; do
	mkdir "$CGROOT/lden-test-$$-$x" || fail "cannot make a cgroup under $CGROOT"
	cgs="$CGROOT/lden-test-$$-$x $cgs"
done
cat >"$tmp/mover.py" <<'PY'
import os, sys
na, nb, nc = (int(x) for x in sys.argv[1:4])
a, b, c = sys.argv[4:7]
def move(cg):
    with open(cg + "/cgroup.procs", "w") as f:
        f.write(str(os.getpid()))
move(a)
for i in range(na):
    os.getppid()
move(b)
for i in range(nb):
    os.getppid()
pid = os.fork()
if pid == 0:
    move(c)
    for i in range(nc):
        os.getppid()
    os._exit(0)
os.waitpid(pid, 0)
PY
mover() {
	"$LDEN" top syscalls:sys_enter_getppid --by cgroup --rows 0 --max-cpu 0 -i 60 "$@" -- \
		python3 "$tmp/mover.py" $NA $NB $NC "$CGROOT/lden-test-$$-a" \
		"$CGROOT/lden-test-$$-b" "$CGROOT/lden-test-$$-c"
}
mover --json >"$tmp/cg.out" 2>"$tmp/cg.err" || fail "top --by cgroup failed"
if grep -q 'carry no cgroup id' "$tmp/cg.err"; then
	echo "SKIP (part): this kernel's samples carry no cgroup id"
else
	for x in a:$NA b:$NB c:$NC; do
		jq -e -s --arg cg "/lden-test-$$-${x%:*}" --argjson n ${x#*:} \
			'[.[].rows[] | select(.cgroup == $cg)] |
			 length == 1 and .[0].count == $n and .[0].cgroup_source == "exact"' \
			"$tmp/cg.out" >/dev/null ||
			fail "top --by cgroup: /lden-test-$$-${x%:*} has not ${x#*:} calls, exact"
	done
	# every row exact; the last block's summary says as many as counted
	jq -e -s '([.[].rows[] | .count] | add) as $n |
		  all(.[].rows[]; .cgroup_source == "exact") and
		  .[-1].summary.cgroups == {"exact": $n, "late": 0, "unavailable": 0}' \
		"$tmp/cg.out" >/dev/null || fail "top --by cgroup: a row not exact, or the summary wrong"
	grep -q "^lden: cgroups shown: [0-9]* exact (the kernel's cgroup id at the event), 0 late" \
		"$tmp/cg.err" || fail "top --by cgroup: no summary line on stderr"
	mover >"$tmp/cgt.out" 2>"$tmp/cgt.err" || fail "top --by cgroup (text) failed"
	for x in a:$NA b:$NB c:$NC; do
		awk -v cg="/lden-test-$$-${x%:*}" -v n=${x#*:} '$2 == cg && $3 == n && NF == 3' \
			"$tmp/cgt.out" | grep -q . || fail "top --by cgroup text: no row '/lden-test-$$-${x%:*} ${x#*:}'"
	done
	echo "PASS: top --by cgroup: $NA, $NB (after a move) and $NC (a child gone at once) calls in their cgroups, exact; summary"
fi

# without the ids: read from /proc as the samples arrive, so marked: the
# moved process's calls may show in the cgroup it moved to, the gone
# child's nowhere; each row says so, and the summary counts them
LDEN_TEST_NO_SAMPLE_CGROUP=1 mover --json >"$tmp/cgl.out" 2>"$tmp/cgl.err" ||
	fail "top --by cgroup (no ids) failed"
grep -q 'carry no cgroup id (PERF_SAMPLE_CGROUP, Linux 5.7)' "$tmp/cgl.err" ||
	fail "top --by cgroup (no ids): the run does not say the cgroups are read late"
jq -e -s '([.[].rows[] | .count] | add) as $n |
	  ([.[].rows[] | select(.cgroup_source == "late" or .cgroup_source == "unavailable")] |
	   map(.count) | add) == $n and
	  ([.[].rows[] | select(.cgroup_source == "unavailable") | .cgroup] | all(. == null)) and
	  .[-1].summary.cgroups.exact == 0 and
	  .[-1].summary.cgroups.late + .[-1].summary.cgroups.unavailable == $n and
	  $n >= '$((NA + NB + NC)) "$tmp/cgl.out" >/dev/null ||
	fail "top --by cgroup (no ids): a row not marked late or unavailable, or the summary wrong"
LDEN_TEST_NO_SAMPLE_CGROUP=1 mover >"$tmp/cglt.out" 2>"$tmp/cglt.err" ||
	fail "top --by cgroup (no ids, text) failed"
awk '$1 == "syscalls:sys_enter_getppid" && $2 !~ /\?$/ && $2 != "unknown"' "$tmp/cglt.out" |
	grep -q . && fail "top --by cgroup (no ids) text: a cgroup neither marked '?' nor unknown"
echo "PASS: top --by cgroup without the samples' ids: every row marked late (?) or unknown, counted in the summary"

# the same without the ids, threads in two cgroups (cgroup v2's threaded
# mode): each thread's calls in its own cgroup, read late per thread
# (/proc/TID), not its process's (before: all under the main thread's);
# their paths, 180 bytes alike but for the last, whole (before: cut to 127)
P="$CGROOT/lden-test-$$-thr"
long=$(printf '%0150d' 0)
mkdir "$P" || fail "cannot make a cgroup under $CGROOT"
cgs="$P $cgs"
mkdir "$P/t-$long-1" "$P/t-$long-2" || fail "cannot make cgroups under $P"
cgs="$P/t-$long-1 $P/t-$long-2 $cgs"
if ! { echo threaded >"$P/t-$long-1/cgroup.type" &&
	echo threaded >"$P/t-$long-2/cgroup.type"; } 2>/dev/null; then
	echo "SKIP (part): no threaded cgroups here"
else
	cat >"$tmp/threads.py" <<'PY'
import os, sys, threading
na, nb, cg, sub = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
def put(f, v):
    with open(cg + f, "w") as o:
        o.write(str(v))
put("/cgroup.procs", os.getpid())
put("/" + sub + "1/cgroup.threads", threading.get_native_id())
moved, go, end = threading.Event(), threading.Event(), threading.Event()
def second():
    put("/" + sub + "2/cgroup.threads", threading.get_native_id())
    moved.set()
    go.wait()
    for i in range(nb):
        os.getppid()
    end.wait()
t = threading.Thread(target=second)
t.start()
moved.wait()
print("ready", flush=True)
sys.stdin.readline()
go.set()
for i in range(na):
    os.getppid()
print("done", flush=True)
sys.stdin.read()
end.set()
t.join()
PY
	workload thr python3 "$tmp/threads.py" $NA $NB "$P" "t-$long-"
	LDEN_TEST_NO_SAMPLE_CGROUP=1 "$LDEN" top syscalls:sys_enter_getppid --by cgroup \
		--pid $wpid --rows 0 --max-cpu 0 -i 0.3 --json -t 60 \
		>"$tmp/thr.out" 2>"$tmp/thr.err" &
	l=$!
	started $l
	wait_for "$tmp/thr.out" '"rows"' || fail "top --by cgroup (threads): printed no block"
	release_workload thr
	# every block's rows summed, until both are in (a wrong sum stays)
	sums() {
		jq -sc '[.[].rows[]] | group_by(.cgroup) |
			map([.[0].cgroup, .[0].cgroup_source, (map(.count) | add)]) | sort' \
			"$tmp/thr.out"
	}
	want=$(jq -nc --arg a "/lden-test-$$-thr/t-$long-1" --arg b "/lden-test-$$-thr/t-$long-2" \
		--argjson na $NA --argjson nb $NB '[[$a, "late", $na], [$b, "late", $nb]]')
	until_equal sums "$want"
	exec 8>&-
	kill -INT $l
	wait $l
	[ "$(sums)" = "$want" ] ||
		fail "top --by cgroup (threads): $(sums), want $want"
	echo "PASS: top --by cgroup without the ids: two threads of one process in two threaded cgroups of long paths, $NA and $NB calls each in its own, whole (late)"
fi
# where no cgroup has perf state of its own, the samples say the root's
# id (the kernel matrix's test-perf-exact has the real case): the same
# marks, with that reason
LDEN_TEST_NO_CGROUP_PERF_STATE=1 mover >"$tmp/cgp.out" 2>"$tmp/cgp.err" ||
	fail "top --by cgroup (no perf state) failed"
grep -q '^lden: no cgroup has perf state of its own (no controller was ever enabled in the cgroup2 root' "$tmp/cgp.err" ||
	fail "top --by cgroup (no perf state): the reason not said"
awk '$1 == "syscalls:sys_enter_getppid" && $2 !~ /\?$/ && $2 != "unknown"' "$tmp/cgp.out" |
	grep -q . && fail "top --by cgroup (no perf state): a cgroup neither marked '?' nor unknown"

# --- top --by container: the same moves between containers' cgroups ----
# (the container was read from /proc at a task's first sample and kept
# for a second, unmarked: the moved process's calls all showed under its
# first container)
ida=$(printf 'a1%010d%052d' $$ 0) idb=$(printf 'b2%010d%052d' $$ 0)
idc=$(printf 'c3%010d%052d' $$ 0)
for id in $ida $idb $idc; do
	mkdir "$CGROOT/docker-$id.scope" || fail "cannot make a cgroup under $CGROOT"
	cgs="$CGROOT/docker-$id.scope $cgs"
done
cmover() {
	"$LDEN" top syscalls:sys_enter_getppid --by container --rows 0 --max-cpu 0 -i 60 "$@" -- \
		python3 "$tmp/mover.py" $NA $NB $NC "$CGROOT/docker-$ida.scope" \
		"$CGROOT/docker-$idb.scope" "$CGROOT/docker-$idc.scope"
}
cmover --json >"$tmp/ct.out" 2>"$tmp/ct.err" || fail "top --by container failed"
if grep -q 'carry no cgroup id' "$tmp/ct.err"; then
	echo "SKIP (part): this kernel's samples carry no cgroup id"
else
	for x in $ida:$NA $idb:$NB $idc:$NC; do
		id=${x%:*}
		jq -e -s --arg c "$(echo "$id" | cut -c1-12)" --argjson n ${x#*:} \
			'[.[].rows[] | select(.container == $c)] |
			 length == 1 and .[0].count == $n and .[0].container_source == "exact"' \
			"$tmp/ct.out" >/dev/null ||
			fail "top --by container: $(echo "$id" | cut -c1-12) has not ${x#*:} calls, exact"
	done
	jq -e -s '([.[].rows[] | .count] | add) as $n |
		  .[-1].summary.containers == {"exact": $n, "late": 0, "unavailable": 0}' \
		"$tmp/ct.out" >/dev/null || fail "top --by container: the summary does not count the rows"
	echo "PASS: top --by container: $NA, $NB (after a move) and $NC (a child gone at once) calls in their containers, exact; summary"
fi
# system-wide too (where a sample could go through the ftrace ring, which
# records no cgroup: top takes the perf ring for cgroups and containers)
"$LDEN" top syscalls:sys_enter_getppid --by container --rows 0 --max-cpu 0 \
	-i 0.5 -t 120 --json >"$tmp/ctw.out" 2>"$tmp/ctw.err" &
twp=$!
started $twp
wait_for "$tmp/ctw.out" '"rows"' || fail "top --by container (system-wide) printed no block"
python3 "$tmp/mover.py" $NA $NB $NC "$CGROOT/docker-$ida.scope" \
	"$CGROOT/docker-$idb.scope" "$CGROOT/docker-$idc.scope" ||
	fail "the mover failed"
kill -INT $twp
join $twp
[ "$rc" = 0 ] || fail "top --by container (system-wide) exited $rc"
if ! grep -q 'carry no cgroup id' "$tmp/ct.err"; then
	for x in $ida:$NA $idb:$NB $idc:$NC; do
		id=$(echo "${x%:*}" | cut -c1-12)
		jq -e -s --arg c "$id" --argjson n ${x#*:} \
			'[.[].rows[] | select(.container == $c)] |
			 (map(.count) | add) == $n and all(.container_source == "exact")' \
			"$tmp/ctw.out" >/dev/null ||
			fail "top --by container (system-wide): $id has not ${x#*:} calls, exact"
	done
	echo "PASS: top --by container, system-wide: the same $NA, $NB and $NC calls, exact"
fi
LDEN_TEST_NO_SAMPLE_CGROUP=1 cmover --json >"$tmp/ctl.out" 2>"$tmp/ctl.err" ||
	fail "top --by container (no ids) failed"
grep -q 'carry no cgroup id (PERF_SAMPLE_CGROUP, Linux 5.7): containers read from /proc at each task' "$tmp/ctl.err" ||
	fail "top --by container (no ids): the run does not say the containers are read late"
jq -e -s '([.[].rows[] | .count] | add) as $n |
	  all(.[].rows[]; .container_source == "late" or .container_source == "unavailable") and
	  .[-1].summary.containers.exact == 0 and
	  .[-1].summary.containers.late + .[-1].summary.containers.unavailable == $n' \
	"$tmp/ctl.out" >/dev/null ||
	fail "top --by container (no ids): a row not marked late or unavailable, or the summary wrong"
echo "PASS: top --by container without the samples' ids: every row marked late or unknown, counted"

# --- a storm of short-lived processes ---------------------------------
N=40 K=4
cat >"$tmp/storm.py" <<'PY'
import ctypes, os, sys
n, k = int(sys.argv[1]), int(sys.argv[2])
prctl = ctypes.CDLL(None).prctl
kids = []
for i in range(n):
    pid = os.fork()
    if pid == 0:
        prctl(15, b"w-%d" % i, 0, 0, 0)
        for j in range(k):
            os.getppid()
            try:
                os.open("/nonexistent-lden-storm-%d-%d" % (i, j), os.O_RDONLY)
            except OSError:
                pass
        os._exit(0)
    kids.append(pid)
for p in kids:
    os.waitpid(p, 0)
PY
"$LDEN" top syscalls:sys_enter_getppid --by comm --json --rows 0 --max-cpu 0 -i 60 -- \
	python3 "$tmp/storm.py" $N $K >"$tmp/st.out" 2>"$tmp/st.err" || fail "top --by comm (storm) failed"
jq -e -s --argjson n $N --argjson k $K '[.[].rows[] | select(.comm | startswith("w-"))] |
	length == $n and all(.count == $k and .comm_source == "exact") and
	(map(.comm) | unique | length) == $n' "$tmp/st.out" >/dev/null ||
	fail "top --by comm: not $N children named w-I with $K calls each, exact"
jq -e -s '([.[].rows[] | .count] | add) as $n | .[-1].summary.names.exact +
	.[-1].summary.names.late + .[-1].summary.names.unavailable == $n and
	([.[].rows[] | select(.comm_source == "exact") | .count] | add) == .[-1].summary.names.exact' \
	"$tmp/st.out" >/dev/null || fail "top --by comm: the summary does not count the rows"
grep -q '^lden: names shown: [0-9]* exact' "$tmp/st.err" || fail "top --by comm: no summary line"
echo "PASS: top --by comm: $N children gone at once, $K calls each under its own name, exact; summary"

# --- threads that name themselves: each thread's calls under its own
# name (the kernel's COMM, which --comm filters on and trace shows), not
# the process's (on the old code all 4 x 5 calls counted under the main
# thread's name, marked exact) -----------------------------------------
cat >"$tmp/threads.py" <<'PY'
import ctypes, os, sys, threading
n, k = int(sys.argv[1]), int(sys.argv[2])
prctl = ctypes.CDLL(None).prctl
def run(i):
    prctl(15, b"t-%d" % i, 0, 0, 0)
    for j in range(k):
        os.getppid()
for i in range(n):
    t = threading.Thread(target=run, args=(i,))
    t.start()
    t.join()
PY
"$LDEN" top syscalls:sys_enter_getppid --by comm --json --rows 0 --max-cpu 0 -i 60 -- \
	python3 "$tmp/threads.py" 4 5 >"$tmp/th.out" 2>"$tmp/th.err" || fail "top --by comm (threads) failed"
jq -e -s '[.[].rows[] | select(.comm | startswith("t-"))] |
	length == 4 and all(.count == 5 and .comm_source == "exact") and
	(map(.comm) | unique | length) == 4' "$tmp/th.out" >/dev/null ||
	fail "top --by comm: not 4 threads named t-I with 5 calls each, exact: $(jq -c '.rows' "$tmp/th.out" | tail -1)"
echo "PASS: top --by comm: 4 threads that named themselves, 5 calls each under its own name, exact"

# --- one tracepoint under two filters: two events, two rows, each named
# with its filter (on the old code one row 'syscalls:sys_enter_getppid'
# of their sum, 10) ------------------------------------------------------
A='syscalls:sys_enter_getppid[__syscall_nr == 110]'
B='syscalls:sys_enter_getppid[__syscall_nr >= 0]'
"$LDEN" top "$A" "$B" --by comm --json --rows 0 --max-cpu 0 -i 60 -- \
	python3 -c 'import os
for i in range(5): os.getppid()' >"$tmp/two.out" 2>"$tmp/two.err" ||
	fail "top, two filters: failed"
jq -e -s --arg a "$A" --arg b "$B" '[.[].rows[] | select(.comm == "python3")] |
	length == 2 and (map(.event) | sort) == ([$a, $b] | sort) and all(.count == 5)' \
	"$tmp/two.out" >/dev/null ||
	fail "top, two filters: not two rows of 5: $(jq -c '.rows' "$tmp/two.out" | tail -1)"
echo "PASS: top: one tracepoint under two filters, two rows of 5, each named with its filter"

"$LDEN" trace open --failed --json --max-cpu 0 -- python3 "$tmp/storm.py" $N $K \
	>"$tmp/so.out" 2>"$tmp/so.err" || fail "trace open (storm) failed"
# each child's K lines under its name, exact; a path exact is its own
jq -e -s --argjson n $N --argjson k $K '[.[] | select(.comm | startswith("w-"))] |
	length == $n * $k and all(.comm_source == "exact") and
	all(. as $l | $l.path_source != "exact" or ($l.path |
	    startswith("/nonexistent-lden-storm-" + ($l.comm | ltrimstr("w-")) + "-")))' \
	"$tmp/so.out" >/dev/null ||
	fail "trace open: not $((N * K)) lines named exactly, or an exact path of another child"
jq -e -s '[.[] | select(.comm | startswith("w-")) |
	select(.path_source == "late" or .path_source == "unavailable")] | length' "$tmp/so.out" \
	>"$tmp/so.marked" || fail "trace open: JSON"
echo "PASS: trace open: $N children gone at once, $((N * K)) lines named exactly, paths exact or marked ($(cat "$tmp/so.marked") marked)"

"$LDEN" trace exec --json --max-cpu 0 -- sh -c \
	'i=0; while [ $i -lt '$N' ]; do i=$((i + 1)); /bin/true lden-storm-$i & done; wait' \
	>"$tmp/se.out" 2>"$tmp/se.err" || fail "trace exec (storm) failed"
sh=$(jq -s '[.[] | select(.comm == "sh")][0].pid' "$tmp/se.out")
# an argument list is exact (its own), or marked where the kernel could
# not copy it (test-strings-storm.sh asserts every one exact here)
jq -e -s --argjson n $N --argjson sh "$sh" '[.[] | select(.comm == "true")] |
	length == $n and
	all(.argv_source == "exact" or .argv_source == "late" or
	    .argv_source == "unavailable") and
	([.[] | select(.argv_source == "exact") | .argv] |
	 all(test("^/bin/true lden-storm-[0-9]+$")) and
	 (unique | length) == length) and
	([.[] | select(.argv_source == "exact")] | length) > 0 and
	all(.ppid == $sh or .ppid_source != "exact")' "$tmp/se.out" >/dev/null ||
	fail "trace exec: not $N execs of true, each argument list exact or marked, each ppid the shell or marked"
late=$(jq -s '[.[] | select(.comm == "true" and .argv_source != "exact")] | length' "$tmp/se.out")
echo "PASS: trace exec: $N short-lived execs, each named, argument lists exact or marked ($late marked), ppids right or marked"
