#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/visualize.sh - what `lden visualize` costs with every catalog event
# attached (issue 5's benchmark).
#
# Usage (as root):   bench/visualize.sh BUILDDIR     (make bench-visualize)
#                    REPS=1 IDLE_SECS=3 FIRST_RUNS=3 bench/visualize.sh .
#
# 1. Slowdown.  Two workloads, each built static into a tmpfs scratch dir:
#    bench/workload.c (N_OPEN x openat+close), and the same with "fork"
#    (N_FORK x fork, _exit, waitpid), run with no tracer (baseline) and under each
#    tracer, attached system-wide:
#      perf-stat    perf stat -a -e TP ... on the same tracepoints lden
#                   attaches (the tracepoint and "also" lines of the
#                   catalog that exist on this kernel; no filters)
#      lden         lden visualize --no-dashboard -o json (every event;
#                   those with a size sampled, the others counted)
#      lden-nosize  the same with --no-size (everything counted, as perf
#                   stat does)
#    Each repetition runs the baseline first, then the tracers, in an order
#    rotated by one per repetition.  A tracer is ready when its perf events
#    are open (perf: one anon_inode:[perf_event] fd per tracepoint per
#    CPU) or when its first JSON line is out (lden), then SETTLE seconds.
#    Per trial: the workload's loop time (CLOCK_MONOTONIC, inside it), the
#    tracer's CPU while it ran (/proc/PID/task/*/schedstat in ns, and
#    utime+stime of /proc/PID/stat at 1/HZ: stat_ms), its peak RSS
#    (VmHWM just before it is stopped with SIGINT), and for lden the lost
#    records of its JSON end object.
# 2. Idle: lden's CPU over IDLE_SECS seconds after its start, with no
#    workload (the machine's other CPU use meanwhile, from /proc/stat, is
#    printed beside it: these machines are shared).
# 3. Time to first data: from spawning `lden visualize --no-dashboard -o
#    json` to reading its first JSON line, FIRST_RUNS times; the median.
#
# Knobs [defaults]: REPS [5], N_OPEN [1000000], N_FORK [10000], TRACERS
# ["perf-stat lden lden-nosize"], SETTLE [0.5], IDLE_SECS [10],
# FIRST_RUNS [9], LDEN [BUILDDIR/src/lden], KEEP [0] (keep the scratch dir
# /dev/shm/lden-bench-viz.PID).
#
# Needs root, perf (Debian: linux-perf), gcc, python3.

set -u
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
BUILDDIR=${1:-}
[ -n "$BUILDDIR" ] || { echo "usage: $0 BUILDDIR" >&2; exit 2; }
LDEN=${LDEN:-$BUILDDIR/src/lden}
REPS=${REPS:-5}
N_OPEN=${N_OPEN:-1000000}
N_FORK=${N_FORK:-10000}
TRACERS=${TRACERS:-"perf-stat lden lden-nosize"}
SETTLE=${SETTLE:-0.5}
IDLE_SECS=${IDLE_SECS:-10}
FIRST_RUNS=${FIRST_RUNS:-9}
KEEP=${KEEP:-0}
SCRATCH=/dev/shm/lden-bench-viz.$$
TRACEFS=/sys/kernel/tracing
HZ=$(getconf CLK_TCK)
NCPU=$(nproc)
CATALOG="$BENCH_DIR/../kprobe_events"

log() { echo "[$(date +%T)] $*" >&2; }
die() { echo "visualize.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root"
[ -x "$LDEN" ] || die "no $LDEN (run make first)"
command -v perf >/dev/null || die "needs perf (Debian: linux-perf)"
command -v python3 >/dev/null || die "needs python3"

TPID=""		# the running tracer
cleanup() {
	[ -n "$TPID" ] && kill -KILL "$TPID" 2>/dev/null
	if [ "$KEEP" = 1 ]; then log "raw outputs kept in $SCRATCH"; else rm -rf "$SCRATCH"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$SCRATCH" || die "cannot create $SCRATCH"

gcc -O2 -Wall -static -o "$SCRATCH/workload" "$BENCH_DIR/workload.c" 2>/dev/null ||
	gcc -O2 -Wall -o "$SCRATCH/workload" "$BENCH_DIR/workload.c" ||
	die "cannot build workload.c"

# the tracepoints lden attaches here, for perf stat
TPS=$(awk '$1 == "tracepoint" || $1 == "also" { print $2 }' "$CATALOG"/*.events |
	sort -u | while read -r tp; do
		[ -e "$TRACEFS/events/${tp%%:*}/${tp#*:}/id" ] && echo "$tp"
	done)
NTPS=$(echo "$TPS" | wc -w)
PERF_EVENTS=""
for tp in $TPS; do PERF_EVENTS="$PERF_EVENTS -e $tp"; done

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# CPU time in ns over every thread (schedstat: 1/HZ is too coarse here)
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
perf_fds() { ls -l "/proc/$1/fd" 2>/dev/null | grep -c 'anon_inode:\[perf_event\]'; }
# busy jiffies of the whole machine
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }

# wait_until CMD...: at most 20 s
wait_until() {
	local i=0
	until "$@"; do
		i=$((i + 1))
		[ $i -gt 400 ] && return 1
		sleep 0.05
	done
}
has_line() { [ -s "$1" ]; }
perf_ready() { [ "$(perf_fds "$TPID")" -ge $((NTPS * NCPU)) ]; }

start_tracer() {	# NAME OUTFILE
	case $1 in
	perf-stat)
		perf stat -a -x, -o "$2" $PERF_EVENTS >/dev/null 2>&1 &
		TPID=$!
		wait_until perf_ready || die "perf stat did not open its events"
		;;
	lden | lden-nosize)
		local opt=""
		[ "$1" = lden-nosize ] && opt=--no-size
		"$LDEN" visualize --no-dashboard -o json $opt >"$2" 2>"$2.err" &
		TPID=$!
		wait_until has_line "$2" || die "lden visualize did not start: $(cat "$2.err")"
		;;
	*) die "unknown tracer $1" ;;
	esac
}

stop_tracer() {
	local i
	kill -INT "$TPID" 2>/dev/null
	for i in $(seq 200); do kill -0 "$TPID" 2>/dev/null || break; sleep 0.05; done
	kill -KILL "$TPID" 2>/dev/null
	wait "$TPID" 2>/dev/null
	TPID=""
}

RESULTS="$SCRATCH/results.txt"
: > "$RESULTS"

# trial TRACER WORKLOAD REP: one line of RESULTS
trial() {
	local t=$1 w=$2 out="$SCRATCH/$1.$2.$3" n c0=0 c1=0 k0=0 k1=0 hwm=0 ns lost=-
	local mode=openat
	n=$N_OPEN
	[ "$w" = forks ] && n=$N_FORK && mode=fork
	if [ "$t" != baseline ]; then
		start_tracer "$t" "$out"
		sleep "$SETTLE"
		c0=$(cpu_ns "$TPID")
		k0=$(cpu_ticks "$TPID")
	fi
	ns=$("$SCRATCH/workload" "$n" "$mode" | sed -n 's/.*elapsed_ns=\([0-9]*\).*/\1/p')
	[ -n "$ns" ] || die "$w failed"
	if [ "$t" != baseline ]; then
		c1=$(cpu_ns "$TPID")
		k1=$(cpu_ticks "$TPID")
		hwm=$(hwm_kib "$TPID")
		stop_tracer
		case $t in lden*)
			lost=$(tail -n 1 "$out" | python3 -c 'import json, sys; print(json.load(sys.stdin).get("lost_total", "-"))' 2>/dev/null || echo "?")
		esac
	fi
	echo "$t $w $ns $((c1 - c0)) $hwm $lost $n $((k1 - k0))" >> "$RESULTS"
	log "rep $3 $w $t: $(awk -v ns="$ns" -v n="$n" -v c=$((c1 - c0)) 'BEGIN { printf "%.1f ns/op, tracer cpu %.1f ms", ns / n, c / 1e6 }') hwm=${hwm} KiB lost=$lost"
}

log "tracepoints ($NTPS): $(echo $TPS)"
log "workloads: openat x $N_OPEN, fork x $N_FORK; $REPS reps; tracers: $TRACERS"
set -- $TRACERS
NT=$#
for rep in $(seq "$REPS"); do
	# rotate the tracers by one per repetition
	order=""
	for i in $(seq 0 $((NT - 1))); do
		k=$(( (i + rep - 1) % NT + 1 ))
		order="$order ${!k}"
	done
	for w in workload forks; do
		trial baseline "$w" "$rep"
		for t in $order; do trial "$t" "$w" "$rep"; done
	done
done

# idle CPU: lden alone for IDLE_SECS seconds
: > "$SCRATCH/idle.txt"
for t in lden lden-nosize; do
	start_tracer "$t" "$SCRATCH/idle.$t"
	sleep 1
	c0=$(cpu_ns "$TPID"); k0=$(cpu_ticks "$TPID"); b0=$(busy_ticks)
	sleep "$IDLE_SECS"
	c1=$(cpu_ns "$TPID"); k1=$(cpu_ticks "$TPID"); b1=$(busy_ticks)
	echo "$t $((c1 - c0)) $((b1 - b0)) $(hwm_kib "$TPID") $((k1 - k0))" >> "$SCRATCH/idle.txt"
	stop_tracer
done

# time to the first JSON line
python3 - "$LDEN" "$FIRST_RUNS" > "$SCRATCH/first.txt" <<'EOF'
import subprocess, sys, time, signal
lden, runs = sys.argv[1], int(sys.argv[2])
for _ in range(runs):
    t0 = time.monotonic()
    p = subprocess.Popen([lden, "visualize", "--no-dashboard", "-o", "json"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    p.stdout.readline()
    t1 = time.monotonic()
    p.send_signal(signal.SIGINT)
    p.stdout.read()
    p.wait()
    print("%.1f" % ((t1 - t0) * 1000))
EOF

python3 - "$RESULTS" "$SCRATCH/idle.txt" "$SCRATCH/first.txt" "$HZ" "$IDLE_SECS" "$NCPU" <<'EOF'
import sys, statistics as st
res, idle, first, hz, idle_secs, ncpu = sys.argv[1:7]
hz, idle_secs, ncpu = int(hz), float(idle_secs), int(ncpu)
rows = [l.split() for l in open(res) if l.strip()]
med = lambda xs: st.median(xs) if xs else float("nan")
print("--- lden visualize, every catalog event attached; medians over %d reps ---"
      % max(1, len([r for r in rows if r[0] == "baseline" and r[1] == "workload"])))
print("%-9s %-12s %12s %9s %12s %10s %10s %8s %9s %8s" % ("workload", "tracer", "ns/op",
      "slowdown", "added ns/op", "cpu_ms", "cpu_ns/op", "stat_ms", "hwm_KiB", "lost"))
peer = {}
for w in ("workload", "forks"):
    base = med([int(r[2]) / int(r[6]) for r in rows if r[0] == "baseline" and r[1] == w])
    for t in ["baseline"] + sorted({r[0] for r in rows} - {"baseline"}):
        rs = [r for r in rows if r[0] == t and r[1] == w]
        if not rs:
            continue
        n = int(rs[0][6])
        nsop = med([int(r[2]) / n for r in rs])
        cpu = med([int(r[3]) / 1e6 for r in rs])
        hwm = med([int(r[4]) for r in rs])
        stat_ms = med([int(r[7]) * 1000.0 / hz for r in rs])
        lost = ",".join(sorted({r[5] for r in rs}))
        peer[(w, t)] = nsop / base
        print("%-9s %-12s %12.1f %8.2fx %12.1f %10.1f %10.1f %8.0f %9s %8s" % (
            "openat" if w == "workload" else "fork", t, nsop, nsop / base,
            nsop - base, cpu if t != "baseline" else 0,
            cpu * 1e6 / n if t != "baseline" else 0, stat_ms,
            "%d" % hwm if t != "baseline" else "-", lost if t.startswith("lden") else "-"))
print()
for w in ("workload", "forks"):
    p = peer.get((w, "perf-stat"))
    for t in ("lden", "lden-nosize"):
        l = peer.get((w, t))
        if p and l:
            print("%-6s %-12s vs perf-stat: slowdown %.2fx vs %.2fx (ratio %.3f; added cost ratio %.2f)" % (
                "openat" if w == "workload" else "fork", t, l, p, l / p,
                (l - 1) / (p - 1) if p > 1 else float("nan")))
print()
for l in open(idle):
    t, ns, busy, hwm, ticks = l.split()
    print("idle: %-12s %.3f %% of a core over %g s (%.1f ms of CPU; utime+stime %d ms; hwm %s KiB); the whole machine meanwhile: %.1f %% of %d CPUs busy"
          % (t, int(ns) / 1e7 / idle_secs, idle_secs, int(ns) / 1e6, int(ticks) * 1000 // hz, hwm,
             int(busy) * 100.0 / hz / idle_secs / ncpu, ncpu))
ms = [float(x) for x in open(first) if x.strip()]
print("first JSON line after spawn: median %.1f ms [min %.1f, max %.1f] over %d runs"
      % (med(ms), min(ms), max(ms), len(ms)))
EOF
