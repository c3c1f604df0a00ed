#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/run.sh - lden-exec and lden notify against perf stat, perf record
# and bpftrace, one interleaved run.
#
# Usage (as root):   bench/run.sh BUILDDIR          (what `make bench` runs)
#                    REPS=1 N=200000 bench/run.sh BUILDDIR    (quick, < 1 min)
#
# BUILDDIR is the build tree holding tracefs/examples/lden-exec and src/lden.
# (The condition-to-script latency of lden notify is bench/latency.sh.)
#
# A workload (bench/workload.c, built static into a tmpfs scratch dir) does
# N x openat("/dev/null")+close: N syscalls:sys_enter_openat events, flat
# out.  It runs with no tracer (baseline) and under each tracer, attached
# system-wide to that tracepoint.  Each repetition runs the baseline first,
# then the tracers in an order rotated by one every repetition and reversed
# in even repetitions.  Per trial:
# the workload's loop time (CLOCK_MONOTONIC, inside the workload), the
# tracer's CPU while the workload ran (/proc/PID/stat utime+stime delta,
# and /proc/PID/task/*/schedstat for ms resolution) and over its whole life
# (GNU time), its peak RSS (VmHWM read just before it is stopped, and GNU
# time's maximum RSS over its whole life), voluntary context switches, the
# events it counted or the samples it decoded, the records it lost, the
# workload events neither delivered nor reported lost, and the CPU that
# everything else on the machine used meanwhile (a noise gauge).
# Then a summary (median [min-max] over the repetitions), the lden/perf
# ratios, and a verdict for each goal:
#   counting: lden-exec --count slowdown <= perf stat slowdown
#   sampling: lden-exec -q added ns/event <= perf record's, zero lost
#   notify counting: lden notify "count(sys.open) > 1e12" slowdown
#             <= perf stat slowdown (bpftrace @ = count() alongside)
#   notify sampling: lden notify "size(bench.open) > 1e18" added ns/event
#             <= half of perf record's, zero lost
#
# Tracers (TRACERS, names):
#   baseline            no tracer
#   perf-stat           perf stat -e EVENT -a -x,
#   lden-count          lden-exec --count -e EVENT
#   perf-record         perf record -e EVENT -a -o FILE   (512 KiB/CPU ring)
#   perf-record-B       the same with -B (no build-id pass at exit)
#   perf-record-mP      the same with -m P (P data pages per CPU ring)
#   lden-sample         lden-exec -q -e EVENT              (lden's default ring)
#   lden-sample-rP      the same with -r P
#   lden-notify-count   lden notify "count(sys.open) > 1e12" --time NOTIFY_TIME
#                       (sys.open = openat + open + openat2: 3 tracepoints,
#                       counting mode; never true, stopped with SIGINT)
#   lden-notify-size    lden notify "size(bench.open) > 1e18" --time NOTIFY_TIME
#                       --events-dir BENCH_DIR (bench/bench.events: openat,
#                       sampled, size = 1 per record read from its flags)
#                       --max-cpu 0 (the overhead guard would stop sampling;
#                       with no --max-rate either, no counting twin is opened)
#   lden-notify-twin    the same with --max-rate 1000000000: the guard is on
#                       (it never acts at that rate), so every sampled event
#                       has its counting twin; against lden-notify-size, the
#                       twin's cost (not in the default TRACERS)
#   lden-notify-default the same with no guard option at all: what users
#                       run (--max-cpu 5, which may measure a sample's cost
#                       in a thread; it never acts on this workload)
#   lden-notify-size-ftrace, lden-notify-size-perf
#                       lden-notify-size with --ring ftrace / --ring perf
#   lden-notify-base-size-ftrace, lden-notify-base-size-perf,
#   lden-notify-base-twin, lden-notify-base-default
#                       the same with the lden NOTIFY_BASE names (another
#                       build, e.g. main's), in the same interleaved run
#                       (lden-notify-size is --ring auto: the ftrace ring
#                       system-wide, or a hist trigger where the kernel
#                       has them)
#   bt-count            bpftrace -e 'tracepoint:EVENT { @ = count(); }'
#                       (apt-get install -y bpftrace when missing; skipped
#                       with a note if that fails)
#   bt-sum              bpftrace -e 'tracepoint:EVENT { @ = sum(args->flags
#                       * 0 + 1); }': bench.open's size summed in a BPF map
#   trace-cmd           trace-cmd record -B INSTANCE -d -k -e EVENT -o FILE:
#                       the ftrace ring of its own instance, spliced to a
#                       file (apt-get install -y trace-cmd when missing)
#
# Readiness: lden-exec prints "lden-exec: tracing ... Ctrl-C to stop" once
# its events are enabled, lden notify its header "lden: watching ..."; the
# script waits for that line (bounded by READY_TIMEOUT).  perf starts with
# its events disabled (-D -1) and is enabled through its control fifo
# (--control fifo:ctl,ack); the script waits for perf's "ack" (bounded).
# bpftrace prints "Attaching 1 probe..." before it attaches (and runs
# BEGIN before it too), so the script waits for that line and then for
# the tracepoint's perf event fd: one more anon_inode:[perf_event] fd than
# the per-CPU output buffers in its epoll set.  Every tracer then gets
# SETTLE seconds before the workload starts.  Tracers are stopped with
# SIGINT, by PID.  Counting tracers that counted fewer than N events get a
# "short=" note (they were not attached for the whole workload).
#
# Environment knobs [defaults]:
#   N [2000000]            openat+close iterations per workload run
#   REPS [5]               interleaved repetitions
#   EVENT [syscalls:sys_enter_openat]
#   TRACERS [perf-stat lden-count lden-notify-count bt-count perf-record
#            perf-record-B perf-record-m64 lden-sample lden-notify-size]
#                          (baseline is always run first in each repetition)
#   LDEN_EXEC [BUILDDIR/tracefs/examples/lden-exec]
#   LDEN_NOTIFY [BUILDDIR/src/lden]
#   NOTIFY_COUNT_EXPR ["count(sys.open) > 1e12"]
#   NOTIFY_SIZE_EXPR ["size(bench.open) > 1e18"]
#   NOTIFY_TIME [3600]     notify's --time (the trials stop it before that)
#   NOTIFY_BASE []         a second lden, for lden-notify-base-*
#   BPFTRACE [bpftrace]
#   SETTLE [0.5]           seconds between readiness and the workload
#   READY_TIMEOUT [20]     seconds to wait for a tracer to become ready
#   FOLLOWUP [auto]        second series when lden-sample lost records:
#                          auto = only then, 1 = always, 0 = never
#   FOLLOWUP_TRACERS [perf-record lden-sample lden-sample-r128 lden-sample-r512]
#   FOLLOWUP_REPS [REPS]
#   NOISE_SECS [2]         length of the background-rate measurement (0 = skip)
#   WL_CPU []              pin the workload with taskset -c WL_CPU
#   SCRATCH [/dev/shm/lden-bench-run.PID]   removed at the end unless KEEP=1
#   KEEP [0]
#
# Needs root, perf (Debian: linux-perf), GNU time (Debian: time; installed
# with apt-get if missing), gcc (libc6-dev for the static workload), and
# for bt-count bpftrace (Debian: bpftrace; installed with apt-get if
# missing).

set -u
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
BUILDDIR=${1:-}
if [ -z "$BUILDDIR" ] && { [ -z "${LDEN_EXEC:-}" ] || [ -z "${LDEN_NOTIFY:-}" ]; }; then
	echo "usage: $0 BUILDDIR   (the build tree holding tracefs/examples/lden-exec and src/lden)" >&2
	exit 2
fi
LDEN=${LDEN_EXEC:-$BUILDDIR/tracefs/examples/lden-exec}
NOTIFY=${LDEN_NOTIFY:-$BUILDDIR/src/lden}
NOTIFY_COUNT_EXPR=${NOTIFY_COUNT_EXPR:-"count(sys.open) > 1e12"}
NOTIFY_SIZE_EXPR=${NOTIFY_SIZE_EXPR:-"size(bench.open) > 1e18"}
NOTIFY_TIME=${NOTIFY_TIME:-3600}
NOTIFY_BASE=${NOTIFY_BASE:-}
BPFTRACE=${BPFTRACE:-bpftrace}
N=${N:-2000000}
REPS=${REPS:-5}
EVENT=${EVENT:-syscalls:sys_enter_openat}
TRACERS=${TRACERS:-"perf-stat lden-count lden-notify-count bt-count perf-record perf-record-B perf-record-m64 lden-sample lden-notify-size"}
SETTLE=${SETTLE:-0.5}
READY_TIMEOUT=${READY_TIMEOUT:-20}
FOLLOWUP=${FOLLOWUP:-auto}
FOLLOWUP_TRACERS=${FOLLOWUP_TRACERS:-"perf-record lden-sample lden-sample-r128 lden-sample-r512"}
FOLLOWUP_REPS=${FOLLOWUP_REPS:-$REPS}
NOISE_SECS=${NOISE_SECS:-2}
WL_CPU=${WL_CPU:-}
SCRATCH=${SCRATCH:-/dev/shm/lden-bench-run.$$}
KEEP=${KEEP:-0}

CUR_TPID=""	# /usr/bin/time wrapping the current tracer
CUR_PID=""	# the tracer itself
CUR_T=""	# its name in TRACERS
HZ=$(getconf CLK_TCK)

log() { echo "[$(date +%T)] $*" >&2; }

# ------------------------------------------------------------------ cleanup
stop_pid() {	# $1 = a pid this script started: SIGINT, then SIGKILL after 10 s
	local p=$1 i
	kill -0 "$p" 2>/dev/null || return 0
	kill -INT "$p" 2>/dev/null
	for i in $(seq 100); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null
}

cleanup() {
	[ -n "$CUR_PID" ] && stop_pid "$CUR_PID"
	[ -n "$CUR_TPID" ] && wait "$CUR_TPID" 2>/dev/null
	# trace-cmd's instance (not lden's: never named lden_*), if a trial
	# was cut short before its own rmdir
	[ -n "${TC_INST:-}" ] && rmdir "$TRACEFS/instances/$TC_INST" 2>/dev/null
	if [ "$KEEP" = 1 ]; then
		log "raw outputs kept in $SCRATCH"
	else
		rm -rf "$SCRATCH"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ preflight
[ "$(id -u)" = 0 ] || { echo "run.sh: must run as root (system-wide tracing)" >&2; exit 1; }
uses() {	# is a tracer matching glob $1 in TRACERS?
	local t
	for t in $TRACERS; do
		# shellcheck disable=SC2053
		[[ $t == $1 ]] && return 0
	done
	return 1
}
if uses 'lden-count' || uses 'lden-sample*'; then
	[ -x "$LDEN" ] || { echo "run.sh: $LDEN not found; build it (make tracefs/examples/lden-exec)" >&2; exit 1; }
fi
if uses 'lden-notify-*'; then
	[ -x "$NOTIFY" ] || { echo "run.sh: $NOTIFY not found; build it (make src/lden)" >&2; exit 1; }
fi
BT_NOTE=""
if uses bt-count && ! command -v "$BPFTRACE" >/dev/null 2>&1; then
	log "bpftrace missing: apt-get install -y bpftrace"
	apt-get install -y bpftrace >/dev/null 2>&1
	if ! command -v "$BPFTRACE" >/dev/null 2>&1; then
		BT_NOTE="bt-count skipped: bpftrace is not installed and 'apt-get install -y bpftrace' failed"
		log "$BT_NOTE"
		TRACERS=$(tr ' ' '\n' <<<"$TRACERS" | grep -vx bt-count | tr '\n' ' ')
	fi
fi
if uses trace-cmd && ! command -v trace-cmd >/dev/null 2>&1; then
	log "trace-cmd missing: apt-get install -y trace-cmd"
	apt-get install -y trace-cmd >/dev/null 2>&1 ||
		{ echo "run.sh: need trace-cmd (Debian package 'trace-cmd')" >&2; exit 1; }
fi
TRACEFS=/sys/kernel/tracing
command -v perf >/dev/null 2>&1 || { echo "run.sh: perf not found (Debian: apt-get install linux-perf)" >&2; exit 1; }
if [ ! -x /usr/bin/time ]; then
	log "GNU time missing: apt-get install -y time"
	apt-get install -y time >/dev/null 2>&1 || { echo "run.sh: need /usr/bin/time (Debian package 'time')" >&2; exit 1; }
fi
case $N in ''|*[!0-9]*) echo "run.sh: bad N '$N'" >&2; exit 2 ;; esac
case $REPS in ''|*[!0-9]*) echo "run.sh: bad REPS '$REPS'" >&2; exit 2 ;; esac
mkdir -p "$SCRATCH" || exit 1

WL=$SCRATCH/workload
if gcc -O2 -Wall -static -o "$WL" "$BENCH_DIR/workload.c" 2>"$SCRATCH/gcc.err"; then
	WL_LINK=static
elif gcc -O2 -Wall -o "$WL" "$BENCH_DIR/workload.c" 2>>"$SCRATCH/gcc.err"; then
	WL_LINK="dynamic (+ the loader's openat calls before the loop)"
else
	cat "$SCRATCH/gcc.err" >&2; exit 1
fi
# A private copy, so that a rebuild of the tree during the run cannot
# swap the binary under the measurement.
LDEN_SRC=$LDEN
if [ -x "$LDEN" ]; then
	cp "$LDEN" "$SCRATCH/lden-exec" || exit 1
	LDEN=$SCRATCH/lden-exec
	if nm "$LDEN" 2>/dev/null | grep -q -e __asan_ -e __ubsan_; then
		log "WARNING: $LDEN_SRC is built with sanitizers; its numbers are not representative"
		LDEN_NOTE=", SANITIZER BUILD"
	fi
fi
if uses 'lden-notify-base-*'; then
	[ -x "$NOTIFY_BASE" ] || { echo "run.sh: lden-notify-base-* needs NOTIFY_BASE, a built lden" >&2; exit 1; }
	cp "$NOTIFY_BASE" "$SCRATCH/lden-base" || exit 1
	NOTIFY_BASE_SRC=$NOTIFY_BASE
	NOTIFY_BASE=$SCRATCH/lden-base
fi
NOTIFY_SRC=$NOTIFY
if [ -x "$NOTIFY" ]; then
	cp "$NOTIFY" "$SCRATCH/lden" || exit 1
	NOTIFY=$SCRATCH/lden
	if nm "$NOTIFY" 2>/dev/null | grep -q -e __asan_ -e __ubsan_; then
		log "WARNING: $NOTIFY_SRC is built with sanitizers; its numbers are not representative"
		NOTIFY_NOTE=", SANITIZER BUILD"
	fi
fi

WL_RUN=("$WL")
[ -n "$WL_CPU" ] && WL_RUN=(taskset -c "$WL_CPU" "$WL")

valid_tracer() {
	case $1 in
	perf-stat|lden-count|perf-record|perf-record-B|lden-sample) return 0 ;;
	lden-notify-count|lden-notify-size|lden-notify-twin|bt-count) return 0 ;;
	lden-notify-size-ftrace|lden-notify-size-perf|bt-sum|trace-cmd) return 0 ;;
	lden-notify-base-size-ftrace|lden-notify-base-size-perf) return 0 ;;
	lden-notify-default|lden-notify-base-twin|lden-notify-base-default) return 0 ;;
	perf-record-m[0-9]*|lden-sample-r[0-9]*)
		local p=${1##*-[mr]}
		case $p in *[!0-9]*) return 1 ;; esac
		[ "$p" -gt 0 ] && [ $((p & (p - 1))) = 0 ] ;;
	*) return 1 ;;
	esac
}
for t in $TRACERS $FOLLOWUP_TRACERS; do
	[ "$t" = baseline ] && continue
	valid_tracer "$t" || { echo "run.sh: unknown tracer '$t' (sizes must be powers of two)" >&2; exit 2; }
done

# ------------------------------------------------------------------ helpers
stat_ticks() {	# utime+stime of a process, all its threads, in clock ticks
	sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}'
}
sched_ns() {	# on-CPU time of all threads, ns (first field of schedstat)
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f", s}'
}
busy_ticks() {	# all CPUs' non-idle time, clock ticks (user nice system irq softirq steal)
	awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat
}
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null; }
tv() { awk -F': ' -v k="$2" 'index($0, k) == 2 {print $2}' "$1" 2>/dev/null; }	# GNU time -v field

# CPU s used by everything else while the workload ran: all CPUs' busy
# time minus the workload's own (its getrusage) minus the tracer's.
# $1 $2 = busy ticks before/after, $3 = workload output, $4 = tracer ticks
others_cpu() {
	local u s
	u=$(sed -n 's/.*utime_s=\([0-9.]*\).*/\1/p' <<<"$3")
	s=$(sed -n 's/.*stime_s=\([0-9.]*\).*/\1/p' <<<"$3")
	awk -v a="$1" -v b="$2" -v u="${u:-0}" -v s="${s:-0}" -v t="$4" -v hz="$HZ" \
		'BEGIN {x = (b - a - t) / hz - u - s; printf "%.2f", (x > 0 ? x : 0)}'
}

tracer_cmd() {	# sets CMD for tracer $1 writing into dir $2; PERF_CTL=1 for perf
	local t=$1 d=$2 ctl="--control=fifo:$2/ctl,$2/ack"
	PERF_CTL=0
	case $t in
	perf-stat)      CMD=(perf stat -D -1 "$ctl" -e "$EVENT" -a "-x," -o "$d/stat.csv"); PERF_CTL=1 ;;
	perf-record)    CMD=(perf record -D -1 "$ctl" -e "$EVENT" -a -o "$d/perf.data"); PERF_CTL=1 ;;
	perf-record-B)  CMD=(perf record -D -1 "$ctl" -B -e "$EVENT" -a -o "$d/perf.data"); PERF_CTL=1 ;;
	perf-record-m*) CMD=(perf record -D -1 "$ctl" -m "${t#perf-record-m}" -e "$EVENT" -a -o "$d/perf.data"); PERF_CTL=1 ;;
	lden-count)     CMD=("$LDEN" --count -e "$EVENT") ;;
	lden-sample)    CMD=("$LDEN" -q -e "$EVENT") ;;
	lden-sample-r*) CMD=("$LDEN" -q -r "${t#lden-sample-r}" -e "$EVENT") ;;
	lden-notify-count) CMD=("$NOTIFY" notify "$NOTIFY_COUNT_EXPR" --time "$NOTIFY_TIME") ;;
	lden-notify-size)  CMD=("$NOTIFY" notify "$NOTIFY_SIZE_EXPR" --time "$NOTIFY_TIME" --events-dir "$BENCH_DIR" --max-cpu 0) ;;
	lden-notify-twin)  CMD=("$NOTIFY" notify "$NOTIFY_SIZE_EXPR" --time "$NOTIFY_TIME" --events-dir "$BENCH_DIR" --max-cpu 0 --max-rate 1000000000) ;;
	lden-notify-default) CMD=("$NOTIFY" notify "$NOTIFY_SIZE_EXPR" --time "$NOTIFY_TIME" --events-dir "$BENCH_DIR") ;;
	lden-notify-base-twin) CMD=("$NOTIFY_BASE" notify "$NOTIFY_SIZE_EXPR" --time "$NOTIFY_TIME" --events-dir "$BENCH_DIR" --max-cpu 0 --max-rate 1000000000) ;;
	lden-notify-base-default) CMD=("$NOTIFY_BASE" notify "$NOTIFY_SIZE_EXPR" --time "$NOTIFY_TIME" --events-dir "$BENCH_DIR") ;;
	lden-notify-base-size-*) CMD=("$NOTIFY_BASE" notify "$NOTIFY_SIZE_EXPR" --time "$NOTIFY_TIME" --events-dir "$BENCH_DIR" --max-cpu 0 --ring "${t#lden-notify-base-size-}") ;;
	lden-notify-size-*) CMD=("$NOTIFY" notify "$NOTIFY_SIZE_EXPR" --time "$NOTIFY_TIME" --events-dir "$BENCH_DIR" --max-cpu 0 --ring "${t#lden-notify-size-}") ;;
	bt-count)       CMD=("$BPFTRACE" -e "tracepoint:$EVENT { @ = count(); }") ;;
	# the same size as bench.open's, summed in the kernel's BPF map
	bt-sum)         CMD=("$BPFTRACE" -e "tracepoint:$EVENT { @ = sum(args->flags * 0 + 1); }") ;;
	# the ftrace ring of an instance of its own, pages spliced to a file
	trace-cmd)      TC_INST=bench_tc_$$_$RANDOM
			CMD=(trace-cmd record -B "$TC_INST" -d -k -e "$EVENT" -o "$d/trace.dat") ;;
	esac
}

is_counting() {	# tracers that count in the kernel (no samples, no lost)
	case $1 in perf-stat|lden-count|lden-notify-count|bt-count|bt-sum) return 0 ;; esac
	return 1
}

# bpftrace has attached its tracepoint: more perf_event fds than the
# per-CPU output buffers registered in its epoll set.
bt_attached() {
	local p=$1 nperf nbuf
	nperf=$(find "/proc/$p/fd" -lname 'anon_inode:\[perf_event\]' 2>/dev/null | wc -l)
	nbuf=$(cat /proc/"$p"/fdinfo/* 2>/dev/null | grep -c '^tfd:')
	[ "$nperf" -gt "$nbuf" ]
}

# Waits until tracer pid $1 (files in $2) has its events enabled.
wait_ready() {
	local p=$1 d=$2 line
	if [ "$PERF_CTL" = 1 ]; then
		# O_RDWR opens of a fifo never block; what we write stays in the
		# pipe until perf opens its end and reads it.
		exec {ctlfd}<>"$d/ctl" {ackfd}<>"$d/ack"
		echo enable >&"$ctlfd"
		line=""
		read -r -t "$READY_TIMEOUT" -u "$ackfd" line
		exec {ctlfd}>&- {ackfd}>&-
		[ "$line" = ack ] && kill -0 "$p" 2>/dev/null
		return
	fi
	# bounded by the clock, not by a count of tries: a try (find, grep)
	# takes longer than its sleep on a loaded machine
	local end=$((SECONDS + READY_TIMEOUT))
	while [ "$SECONDS" -lt "$end" ]; do
		kill -0 "$p" 2>/dev/null || return 1
		case $CUR_T in
		lden-notify-*)
			grep -q '^lden: watching' "$d/stdout" 2>/dev/null && return 0 ;;
		bt-count|bt-sum)
			grep -q '^Attaching' "$d/stdout" 2>/dev/null && bt_attached "$p" && return 0 ;;
		trace-cmd)
			# its instance's event on, and recording
			[ "$(cat "$TRACEFS/instances/$TC_INST/events/${EVENT%%:*}/${EVENT#*:}/enable" 2>/dev/null)" = 1 ] &&
			[ "$(cat "$TRACEFS/instances/$TC_INST/tracing_on" 2>/dev/null)" = 1 ] && return 0 ;;
		*)
			grep -q '^lden-exec: tracing .*Ctrl-C to stop' "$d/stderr" 2>/dev/null && return 0 ;;
		esac
		sleep 0.02
	done
	return 1
}

# System-wide EVENT rate with no workload (other processes on the machine).
noise_rate() {
	[ "$NOISE_SECS" != 0 ] || { echo "-"; return; }
	perf stat -e "$EVENT" -a -x, -o "$SCRATCH/noise.csv" -- sleep "$NOISE_SECS" >/dev/null 2>&1
	awk -F, -v ev="$EVENT" -v s="$NOISE_SECS" '$3 == ev {printf "%.0f", $1 / s}' "$SCRATCH/noise.csv"
}

wl_sys() { sed -n 's/.*stime_s=\([0-9.]*\).*/\1/p' <<<"$1"; }	# the workload's system CPU s

# One trial; appends a row to file $3:
# tracer rep wl_ns cpu_win_s cpu_win_ms cpu_tot_s hwm_KiB maxrss_KiB vol_cs
# counted lost unacct others_s note wl_sys_s
run_trial() {
	local t=$1 rep=$2 out=$3 d=$SCRATCH/$1.$2 wlout wl_ns
	local cpu_win=- cpu_ms=- cpu_tot=- hwm=- rss=- vcs=- counted=- lost=- unacct=- others note=""
	local tk0 tk1 ns0 ns1 bz0 bz1 i
	mkdir -p "$d"
	if [ "$t" = baseline ]; then
		bz0=$(busy_ticks)
		wlout=$("${WL_RUN[@]}" "$N") || { log "workload failed"; return 1; }
		bz1=$(busy_ticks)
		wl_ns=$(sed -n 's/.*elapsed_ns=\([0-9]*\).*/\1/p' <<<"$wlout")
		others=$(others_cpu "$bz0" "$bz1" "$wlout" 0)
		printf '%s\t%s\t%s\t-\t-\t-\t-\t-\t-\t-\t-\t-\t%s\t-\t%s\n' "$t" "$rep" "$wl_ns" "$others" \
			"$(wl_sys "$wlout")" >>"$out"
		rm -rf "$d"
		return 0
	fi
	tracer_cmd "$t" "$d"
	CUR_T=$t
	[ "$PERF_CTL" = 1 ] && mkfifo "$d/ctl" "$d/ack"
	/usr/bin/time -v -o "$d/time.txt" "${CMD[@]}" >"$d/stdout" 2>"$d/stderr" &
	CUR_TPID=$!
	CUR_PID=""
	for i in $(seq 250); do
		CUR_PID=$(ps -o pid= --ppid "$CUR_TPID" 2>/dev/null | head -1 | tr -d ' ')
		[ -n "$CUR_PID" ] && break
		kill -0 "$CUR_TPID" 2>/dev/null || break
		sleep 0.02
	done
	if [ -z "$CUR_PID" ] || ! wait_ready "$CUR_PID" "$d"; then
		# a tracer that refused to start has exited: say so, with
		# its error (read once it has exited, so it is all there)
		if kill -0 "$CUR_TPID" 2>/dev/null; then
			[ -n "$CUR_PID" ] && stop_pid "$CUR_PID"
			wait "$CUR_TPID" 2>/dev/null
			log "$t: not ready within ${READY_TIMEOUT}s; stderr:"
		else
			wait "$CUR_TPID" 2>/dev/null
			log "$t: exited before it was ready (status $?); stderr:"
		fi
		sed 's/^/    /' "$d/stderr" >&2
		CUR_TPID="" CUR_PID=""
		printf '%s\t%s\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\tnot-ready\t-\n' "$t" "$rep" >>"$out"
		[ "$KEEP" = 1 ] || rm -rf "$d"
		return 1
	fi
	sleep "$SETTLE"

	tk0=$(stat_ticks "$CUR_PID"); ns0=$(sched_ns "$CUR_PID"); bz0=$(busy_ticks)
	wlout=$("${WL_RUN[@]}" "$N")
	bz1=$(busy_ticks); tk1=$(stat_ticks "$CUR_PID"); ns1=$(sched_ns "$CUR_PID")
	hwm=$(status_kb "$CUR_PID" VmHWM)
	wl_ns=$(sed -n 's/.*elapsed_ns=\([0-9]*\).*/\1/p' <<<"$wlout")

	kill -INT "$CUR_PID" 2>/dev/null
	for i in $(seq 1200); do kill -0 "$CUR_TPID" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$CUR_TPID" 2>/dev/null; then
		log "$t: still running 120 s after SIGINT, killing it"
		kill -KILL "$CUR_PID" 2>/dev/null
		note="killed "
	fi
	wait "$CUR_TPID" 2>/dev/null
	CUR_TPID="" CUR_PID=""

	cpu_win=$(awk -v a="${tk0:-0}" -v b="${tk1:-0}" -v hz="$HZ" 'BEGIN {printf "%.2f", (b - a) / hz}')
	cpu_ms=$(awk -v a="${ns0:-0}" -v b="${ns1:-0}" 'BEGIN {printf "%.1f", (b - a) / 1e6}')
	others=$(others_cpu "$bz0" "$bz1" "$wlout" "$((tk1 - tk0))")
	cpu_tot=$(awk -v u="$(tv "$d/time.txt" 'User time (seconds)')" \
		      -v s="$(tv "$d/time.txt" 'System time (seconds)')" 'BEGIN {printf "%.2f", u + s}')
	rss=$(tv "$d/time.txt" 'Maximum resident set size (kbytes)')
	vcs=$(tv "$d/time.txt" 'Voluntary context switches')

	case $t in
	perf-stat)
		counted=$(awk -F, -v ev="$EVENT" '$3 == ev {print $1}' "$d/stat.csv")
		note="${note}running=$(awk -F, -v ev="$EVENT" '$3 == ev {print $5}' "$d/stat.csv")%"
		;;
	lden-count)
		# 'SYS:NAME <N>', or 'forks <N>' for sched:sched_process_fork
		counted=$(awk -v ev="$EVENT" '$1 == ev || $1 == "forks" {print $2}' "$d/stdout")
		;;
	perf-record*)
		# Two tallies of the same drops, as lden-exec does: the
		# PERF_RECORD_LOST records the kernel wrote into the ring
		# (perf script --show-lost-events), and the per-event lost
		# counter perf record reads at exit (LOST_SAMPLES in the event's
		# --stats section).  Take the larger.
		local lrec lstat
		read -r counted lrec < <(perf script -i "$d/perf.data" -F cpu --show-lost-events 2>/dev/null |
			awk '/PERF_RECORD_LOST/ {l += $NF; next} /^ *\[[0-9]+\]/ {s++}
				END {print s + 0, l + 0}')
		lstat=$(perf report -i "$d/perf.data" --stats 2>/dev/null |
			awk -v ev="$EVENT stats:" 'index($0, ev) {f = 1}
				f && /LOST_SAMPLES events:/ {l = $3} END {print l + 0}')
		lost=$((lrec > lstat ? lrec : lstat))
		note="${note}wakeups=$(sed -n 's/.*Woken up \([0-9]*\) times.*/\1/p' "$d/stderr")"
		[ "$lost" -gt 0 ] && note="$note lost_records=$lrec lost_counter=$lstat"
		;;
	lden-sample*)
		read -r counted lost < <(sed -n 's/^samples \([0-9]*\) lost \([0-9]*\)$/\1 \2/p' "$d/stderr")
		;;
	lden-notify-*)
		# The table notify prints when stopped: ENAME COUNT SIZE SPEED
		# [LOST] (LOST only when non-zero).  Count mode: COUNT.  Size
		# mode: SIZE = samples received (bench.events: 1 per record),
		# COUNT = the kernel's count of the event, LOST = dropped.
		local kcount
		# (the row's COUNT is a number: a note under the table, such as
		# the guard's "size stopped at", is not a row; a size the guard
		# stopped is "-", a partial one, said in the note)
		read -r kcount counted lost < <(awk '
			/^ENAME/ {t = 1; hl = ($NF == "LOST"); next}
			t && NF >= 4 && $2 ~ /^[0-9]+$/ {c = $2; s = $3; l = hl ? $5 : 0; sub(/\*$/, "", l)}
			END {if (c != "") print c, s, l}' "$d/stdout")
		[ "$counted" = - ] && counted=
		if [ "$t" = lden-notify-count ]; then
			counted=$kcount
		else
			note="${note}kcount=$kcount"
		fi
		grep -q 'size stopped at' "$d/stdout" && note="${note} guard-switched"
		local ex
		ex=$(tv "$d/time.txt" 'Exit status')
		[ "$ex" = 130 ] || note="${note} exit=$ex"
		;;
	bt-count|bt-sum)
		counted=$(sed -n 's/^@: \([0-9]*\)$/\1/p' "$d/stdout" | tail -1)
		lost=$(sed -n 's/.*Lost \([0-9]*\) events.*/\1/p' "$d/stdout" "$d/stderr" | awk '{s += $1} END {print s + 0}')
		;;
	trace-cmd)
		# records in the file; lost: what its per-CPU stats say the
		# ring dropped (overrun, commit overrun, dropped events)
		counted=$(trace-cmd report -i "$d/trace.dat" 2>/dev/null | grep -c "${EVENT#*:}:")
		lost=$(awk '/^ *(overrun|commit overrun|dropped events):/ {s += $NF} END {print s + 0}' "$d/stdout" "$d/stderr")
		rmdir "$TRACEFS/instances/$TC_INST" 2>/dev/null
		;;
	esac
	[ -n "$counted" ] || { counted=-; note="${note} no-result"; log "$t: no result; stdout, stderr:"; sed 's/^/    /' "$d/stdout" "$d/stderr" >&2; }
	if is_counting "$t"; then
		lost=-
		# counted system-wide, so >= N when it was attached for the
		# whole workload
		if [ "$counted" != - ] && [ "$counted" -lt "$N" ]; then
			note="${note} short=$((N - counted))"
			log "$t: counted $counted < N=$N: not attached for the whole workload?"
		fi
	else
		# workload events neither delivered nor reported lost (a lower
		# bound: other processes' events pad the samples)
		[ "$counted" != - ] && [ -n "$lost" ] &&
			unacct=$(( N - counted - lost > 0 ? N - counted - lost : 0 ))
	fi
	local wsys
	wsys=$(wl_sys "$wlout")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$rep" "${wl_ns:--}" \
		"$cpu_win" "$cpu_ms" "$cpu_tot" "${hwm:--}" "${rss:--}" "${vcs:--}" \
		"${counted:--}" "${lost:--}" "${unacct:--}" "${others:--}" "${note:--}" "${wsys:--}" >>"$out"
	[ "$KEEP" = 1 ] || rm -rf "$d"
	return 0
}

# A series: REPS repetitions of baseline + rotated tracers; rows into $1.
run_series() {
	local out=$1 reps=$2 tracers=$3 rep k idx order nt
	local -a tl
	read -r -a tl <<<"$tracers"
	nt=${#tl[@]}
	: >"$out"
	for rep in $(seq 1 "$reps"); do
		# rotated by one each rep, and reversed in even reps, so that
		# every pair of tracers runs in both orders (drift cancels)
		order="baseline"
		for k in $(seq 0 $((nt - 1))); do
			if [ $((rep % 2)) = 1 ]; then
				idx=$(((k + rep - 1) % nt))
			else
				idx=$(((nt - 1 - k + rep - 1) % nt))
			fi
			order="$order ${tl[$idx]}"
		done
		log "rep $rep/$reps: $order"
		for t in $order; do
			run_trial "$t" "$rep" "$out"
			log "  $(tail -1 "$out")"
		done
	done
}

print_rows() {
	echo "tracer             rep     wl_s wl_sys_s  cpu_win  cpu_win_ms  cpu_tot  hwm_KiB  maxrss_KiB   vol_cs    counted       lost  unacct  others_s  note"
	awk -F'\t' '{
		wl = ($3 == "-") ? "-" : sprintf("%.3f", $3 / 1e9)
		printf "%-17s %4s %8s %8s %8s %11s %8s %8s %11s %8s %10s %10s %7s %9s  %s\n",
			$1, $2, wl, ($15 == "" ? "-" : $15), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14
	}' "$1"
}

# Summary of a series file $1 with title $2.  Also writes one line per
# tracer to $1.sum for compare() and the verdicts:
#   tracer median_ns slowdown added_ns cpu_win_ms lost_total unaccounted_total
# and the loop time of every trial to $1.pairs (tracer rep ns).
summarize() {
	local f=$1 title=$2
	echo
	echo "--- $title ---"
	awk -F'\t' -v n="$N" -v sumf="$f.sum" '
	function med(a, k,   i, j, t, b) {
		for (i = 1; i <= k; i++) b[i] = a[i]
		for (i = 2; i <= k; i++) { t = b[i]; for (j = i - 1; j >= 1 && b[j] > t; j--) b[j+1] = b[j]; b[j+1] = t }
		return (k % 2) ? b[(k+1)/2] : (b[k/2] + b[k/2+1]) / 2
	}
	$3 != "-" {
		t = $1
		if (!(t in seen)) { seen[t] = 1; order[++nt] = t }
		k = ++cnt[t]
		wl[t, k] = $3
		if (!(t in mn) || $3 < mn[t]) mn[t] = $3
		if (!(t in mx) || $3 > mx[t]) mx[t] = $3
		cw[t, k] = $4; cm[t, k] = $5; ct[t, k] = $6; vc[t, k] = $9; co[t, k] = $10; ot[t, k] = $13
		ws[t, k] = ($15 == "" || $15 == "-") ? 0 : $15
		if ($7 != "-" && $7 > hwm[t]) hwm[t] = $7
		if ($8 != "-" && $8 > rss[t]) rss[t] = $8
		if ($11 != "-") {
			haslost[t] = 1; lo[t, k] = $11; lt[t] += $11
			if ($11 > lmax[t]) lmax[t] = $11
			if ($11 > 0) lossy[t]++
		}
		if ($12 != "-") ua[t] += $12
	}
	END {
		for (k = 1; k <= cnt["baseline"]; k++) b[k] = wl["baseline", k]
		bmed = cnt["baseline"] ? med(b, cnt["baseline"]) : 0
		for (k = 1; k <= cnt["baseline"]; k++) b[k] = ws["baseline", k]
		bsys = cnt["baseline"] ? med(b, cnt["baseline"]) : 0
		printf "%-17s %4s  %-26s %8s %11s %10s %7s %10s %7s %8s %10s %7s %9s  %-28s %6s %8s\n",
			"tracer", "runs", "workload_s med [min-max]", "slowdown", "added_ns/ev", "sys_ns/ev",
			"cpu_win", "cpu_win_ms", "cpu_tot", "hwm_KiB", "maxrss_KiB", "vol_cs", "counted",
			"lost med[max] total (reps)", "unacct", "others_s"
		for (i = 1; i <= nt; i++) {
			t = order[i]; k = cnt[t]
			for (j = 1; j <= k; j++) a[j] = wl[t, j]
			m = med(a, k)
			sd = bmed ? m / bmed : 0
			add = (m - bmed) / n
			for (j = 1; j <= k; j++) a[j] = ot[t, j]; mot = med(a, k)
			for (j = 1; j <= k; j++) a[j] = ws[t, j]; msys = med(a, k)
			addsys = (msys - bsys) * 1e9 / n
			if (t == "baseline") {
				printf "%-17s %4d  %7.3f [%7.3f-%7.3f]   %7.2fx %11.0f %10.0f %7s %10s %7s %8s %10s %7s %9s  %-28s %6s %8.2f\n",
					t, k, m / 1e9, mn[t] / 1e9, mx[t] / 1e9, 1, 0, 0, "-", "-", "-", "-", "-", "-", "-", "-", "-", mot
				continue
			}
			for (j = 1; j <= k; j++) a[j] = cw[t, j]; mcw = med(a, k)
			for (j = 1; j <= k; j++) a[j] = cm[t, j]; mcm = med(a, k)
			for (j = 1; j <= k; j++) a[j] = ct[t, j]; mct = med(a, k)
			for (j = 1; j <= k; j++) a[j] = vc[t, j]; mvc = med(a, k)
			for (j = 1; j <= k; j++) a[j] = co[t, j]; mco = med(a, k)
			if (haslost[t]) {
				for (j = 1; j <= k; j++) a[j] = lo[t, j]
				ls = sprintf("%d[%d] %d (%d/%d)", med(a, k), lmax[t], lt[t], lossy[t], k)
				us = sprintf("%d", ua[t])
			} else { ls = "- (counting)"; us = "-" }
			printf "%-17s %4d  %7.3f [%7.3f-%7.3f]   %7.2fx %11.0f %10.0f %7.2f %10.1f %7.2f %8d %10d %7d %9d  %-28s %6s %8.2f\n",
				t, k, m / 1e9, mn[t] / 1e9, mx[t] / 1e9, sd, add, addsys, mcw, mcm, mct, hwm[t], rss[t], mvc, mco, ls, us, mot
			printf "%s %.0f %.6f %.3f %.1f %s %s %.3f\n", t, m, sd, add, mcm,
				haslost[t] ? lt[t] : "-", us, addsys > sumf
		}
	}' "$f"
	awk -F'\t' '$3 != "-" {print $1, $2, $3}' "$f" >"$f.pairs"
}

# Comparison lines: $1 = series file, $2 = lden tracer, $3 = its peer
compare() {
	local f=$1 a=$2 b=$3
	grep -q "^$a " "$f.sum" 2>/dev/null && grep -q "^$b " "$f.sum" 2>/dev/null || return 0
	awk -v a="$a" -v b="$b" -v pairs="$f.pairs" '
	function med(x, k,   i, j, t) {
		for (i = 2; i <= k; i++) { t = x[i]; for (j = i - 1; j >= 1 && x[j] > t; j--) x[j+1] = x[j]; x[j+1] = t }
		return (k % 2) ? x[(k+1)/2] : (x[k/2] + x[k/2+1]) / 2
	}
	FILENAME != pairs { sd[$1] = $3; add[$1] = $4; cpu[$1] = $5; next }
	{ w[$1, $2] = $3; if ($1 == a) reps[$2] = 1 }
	END {
		if (!(a in sd) || !(b in sd)) { printf "  %s vs %s: missing data\n", a, b; exit }
		k = 0; le = 0
		for (r in reps) if ((b, r) in w) { x[++k] = w[a, r] / w[b, r]; if (w[a, r] <= w[b, r]) le++ }
		printf "  %-17s vs %-16s slowdown %.2fx vs %.2fx (ratio %.3f); added ns/ev %.0f vs %.0f (ratio %s); cpu_win_ms %.1f vs %.1f; same-rep loop ratio median %.3f, first <= second in %d/%d reps\n",
			a, b, sd[a], sd[b], sd[a] / sd[b], add[a], add[b],
			(add[b] > 0 ? sprintf("%.2f", add[a] / add[b]) : "n/a"),
			cpu[a], cpu[b], k ? med(x, k) : 0, le, k
	}' "$f.sum" "$f.pairs"
}

# ------------------------------------------------------------------ header
T_START=$SECONDS
echo "=== lden benchmark: $(date -u '+%Y-%m-%d %H:%M:%S UTC') ==="
echo "host: $(uname -r), $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)$(grep -q hypervisor /proc/cpuinfo && echo ", virtual machine")"
SRC_REV=$(cd "$BENCH_DIR/.." 2>/dev/null && git describe --always --dirty 2>/dev/null | sed 's/^/ (source /;s/$/)/')
uses 'lden-count' || uses 'lden-sample*' && echo "lden-exec: $LDEN_SRC${LDEN_NOTE:-}$SRC_REV"
uses 'lden-notify-*' && echo "lden notify: $NOTIFY_SRC${NOTIFY_NOTE:-}$SRC_REV, built $(date -u -r "$NOTIFY_SRC" '+%Y-%m-%d %H:%M UTC' 2>/dev/null)"
uses 'lden-notify-base-*' && echo "lden notify base (lden-notify-base-*): $NOTIFY_BASE_SRC, built $(date -u -r "$NOTIFY_BASE_SRC" '+%Y-%m-%d %H:%M UTC' 2>/dev/null)"
uses 'lden-notify-count' && echo "  lden-notify-count: lden notify \"$NOTIFY_COUNT_EXPR\" --time $NOTIFY_TIME"
uses 'lden-notify-size' && echo "  lden-notify-size:  lden notify \"$NOTIFY_SIZE_EXPR\" --time $NOTIFY_TIME --events-dir $BENCH_DIR"
echo "perf: $(perf --version 2>/dev/null)"
uses bt-count && echo "bpftrace: $("$BPFTRACE" --version 2>/dev/null): $BPFTRACE -e 'tracepoint:$EVENT { @ = count(); }'"
[ -n "$BT_NOTE" ] && echo "NOTE: $BT_NOTE"
echo "workload: $WL $N (openat+close of /dev/null), $WL_LINK${WL_CPU:+, pinned to CPU $WL_CPU}"
echo "event: $EVENT   reps: $REPS   settle: ${SETTLE}s   scratch: $SCRATCH"
echo "tracers: baseline $TRACERS"
echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
others=$(ps -eo pid=,comm= | awk '$2 == "perf" || $2 == "lden-exec" || $2 == "lden" || $2 == "bpftrace" || $2 == "trace-cmd" {printf "%s ", $0}')
echo "tracer processes already running: ${others:-none}"
top_cpu() { ps -eo pcpu=,etime=,comm= --sort=-pcpu | awk 'NR <= 4 {printf "%s%s %s%% (up %s)", (NR > 1 ? ", " : ""), $3, $1, $2}'; }
echo "busiest processes at start: $(top_cpu)"
echo "background $EVENT rate before: $(noise_rate)/s (perf stat -a, ${NOISE_SECS}s, no workload)"

# ------------------------------------------------------------------ series
MAIN=$SCRATCH/main.tsv
run_series "$MAIN" "$REPS" "$TRACERS"

RUN_FOLLOWUP=0
if [ "$FOLLOWUP" = 1 ]; then
	RUN_FOLLOWUP=1
elif [ "$FOLLOWUP" = auto ] &&
     awk -F'\t' '$1 == "lden-sample" && $11 != "-" && $11 > 0 {f = 1} END {exit !f}' "$MAIN"; then
	RUN_FOLLOWUP=1
	log "lden-sample lost records: follow-up series with $FOLLOWUP_TRACERS"
fi
FOLLOW=$SCRATCH/followup.tsv
[ "$RUN_FOLLOWUP" = 1 ] && run_series "$FOLLOW" "$FOLLOWUP_REPS" "$FOLLOWUP_TRACERS"

echo "background $EVENT rate after: $(noise_rate)/s"
echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "busiest processes at end: $(top_cpu)"

# ------------------------------------------------------------------ report
echo
echo "--- per-trial rows ---"
print_rows "$MAIN"
summarize "$MAIN" "summary: $EVENT, workload N=$N, $REPS interleaved reps (median [min-max])"
cat <<'EOF'
columns: workload_s = the workload's N-iteration loop time (CLOCK_MONOTONIC, measured inside it);
  slowdown = tracer median / baseline median; added_ns/ev = (median - baseline median) / N;
  sys_ns/ev = (median - baseline median of the workload's system CPU time (getrusage)) / N: the part
  of the cost paid in the kernel in the workload's own context (tracepoint, counting, writing the
  sample); the rest of added_ns/ev is contention with the tracer and everything else for the CPUs;
  cpu_win = tracer user+sys CPU s while the workload ran (/proc/PID/stat, 1/HZ resolution);
  cpu_win_ms = the same from /proc/PID/task/*/schedstat (ns resolution); cpu_tot = tracer CPU s
  over its whole life incl. start-up and teardown (GNU time; perf record: incl. its build-id pass);
  hwm_KiB = max over reps of VmHWM read just before the tracer was stopped; maxrss_KiB = max over
  reps of GNU time's maximum RSS over the whole life; vol_cs = median voluntary context switches
  (a proxy for wake-ups); counted = events counted (counting mode) or samples decoded / written
  (sampling mode), system-wide, so a little above N from other processes (lden-notify-count:
  sys.open = openat + open + openat2; lden-notify-size: SIZE, 1 per sample received; bt-count: @);
  lost = records the tracer reports lost (perf record: the larger of its PERF_RECORD_LOST records
  and the event's lost counter; lden-exec: its 'lost M'; lden notify: its LOST column, 0 when
  absent): median[max] total (reps with loss / reps);
  unacct = sum over reps of N - counted - lost where positive: workload events neither delivered
  nor reported lost (a lower bound); others_s = median CPU s used by everything else (other
  processes, kernel threads) during the workload (/proc/stat busy - workload - tracer), a noise gauge.
EOF

echo
echo "--- lden / perf, lden / bpftrace ---"
compare "$MAIN" lden-count perf-stat
compare "$MAIN" lden-notify-count perf-stat
compare "$MAIN" lden-notify-count bt-count
compare "$MAIN" bt-count perf-stat
compare "$MAIN" lden-notify-count lden-count
for p in perf-record perf-record-B perf-record-m64; do
	compare "$MAIN" lden-sample "$p"
done
for p in perf-record perf-record-B perf-record-m64 lden-sample trace-cmd bt-sum lden-notify-size-perf; do
	compare "$MAIN" lden-notify-size "$p"
done
for p in perf-record trace-cmd lden-notify-size-perf; do
	compare "$MAIN" lden-notify-size-ftrace "$p"
done
compare "$MAIN" lden-notify-size-perf perf-record
compare "$MAIN" lden-notify-base-size-perf perf-record
compare "$MAIN" lden-notify-size-perf lden-notify-base-size-perf
compare "$MAIN" trace-cmd perf-record
compare "$MAIN" bt-sum perf-record
uses lden-notify-twin && compare "$MAIN" lden-notify-twin lden-notify-size
for t in lden-notify-twin lden-notify-default lden-notify-base-twin lden-notify-base-default; do
	uses "$t" && compare "$MAIN" "$t" perf-record
done
uses lden-notify-base-twin && compare "$MAIN" lden-notify-twin lden-notify-base-twin
uses lden-notify-base-default && compare "$MAIN" lden-notify-default lden-notify-base-default

if [ "$RUN_FOLLOWUP" = 1 ]; then
	echo
	echo "--- follow-up per-trial rows (lden ring sizes) ---"
	print_rows "$FOLLOW"
	summarize "$FOLLOW" "follow-up summary: lden-exec ring sizes, $FOLLOWUP_REPS interleaved reps"
	for t in $FOLLOWUP_TRACERS; do
		case $t in lden-sample*) compare "$FOLLOW" "$t" perf-record ;; esac
	done
fi

# ------------------------------------------------------------------ verdicts
# Half the spread of the baseline loop times, per event: differences
# smaller than this are not significant on this machine.
noise_ns() {
	awk -F'\t' -v n="$N" '$1 == "baseline" && $3 != "-" {if (!c++ || $3 < lo) lo = $3; if ($3 > hi) hi = $3}
		END {printf "%.0f", c ? (hi - lo) / 2 / n : 0}' "$1"
}

# counting goal: tracer $2's slowdown <= perf-stat's (series $1; $3 =
# label, $4 = what to call the tracer; bpftrace's figures alongside)
verdict_count() {
	awk -v noise="$(noise_ns "$1")" -v t="$2" -v label="$3" -v what="$4" '
	{ sd[$1] = $3; add[$1] = $4 }
	END {
		if (!(t in sd) || !("perf-stat" in sd)) {
			printf "%s: n/a (%s or perf-stat not measured)\n", label, t; exit
		}
		ok = sd[t] <= sd["perf-stat"]
		d = add[t] - add["perf-stat"]
		bt = ""
		if (t != "lden-count" && ("bt-count" in sd))
			bt = sprintf("; bpftrace @ = count(): %.2fx (%+.0f ns/event vs perf stat, %s: %+.0f)",
				sd["bt-count"], add["bt-count"] - add["perf-stat"], t, add[t] - add["bt-count"])
		printf "%s: %s  %s slowdown %.2fx vs perf stat %.2fx (%+.0f ns/event; noise: baseline spread +-%d ns/event)%s%s\n",
			label, ok ? "PASS" : "FAIL", what, sd[t], sd["perf-stat"], d, noise,
			(d > 0 && d <= noise) ? "; the difference is within the noise" : "", bt
	}' "$1.sum"
}

# sampling goal: tracer $2 added ns/event <= F x perf-record's, with zero
# lost and zero unaccounted events (series $1; $3 = label; $4 = F, 1 if
# not given)
verdict_sample() {
	awk -v noise="$(noise_ns "$1")" -v t="$2" -v label="$3" -v f="${4:-1}" '
	{ sd[$1] = $3; add[$1] = $4; lost[$1] = $6; ua[$1] = $7; sys[$1] = $8 }
	END {
		if (!(t in sd) || !("perf-record" in sd)) {
			printf "%s: n/a (%s or perf-record not measured)\n", label, t; exit
		}
		goal = f * add["perf-record"]
		okc = add[t] <= goal
		okl = lost[t] == 0 && ua[t] == 0
		d = add[t] - goal
		printf "%s: %s  cost %s: %s added %.0f ns/event vs %sperf record %.0f%s (%+.0f; noise +-%d)%s, of which the workload'"'"'s own system time %.0f vs %.0f; loss %s: %s lost %d, unaccounted %d (perf record: lost %d, unaccounted %d)\n",
			label, (okc && okl) ? "PASS" : "FAIL", okc ? "ok" : "FAIL", t,
			add[t], f == 1 ? "" : sprintf("%g x ", f), add["perf-record"],
			f == 1 ? "" : sprintf(" = %.0f", goal), d, noise,
			(d > 0 && d <= noise) ? " within the noise" : "",
			sys[t], sys["perf-record"],
			okl ? "ok" : "FAIL", t, lost[t], ua[t], lost["perf-record"], ua["perf-record"]
	}' "$1.sum"
}

echo
echo "--- verdicts (goals: counting <= perf stat's slowdown; sampling <= perf record's added cost, zero lost;"
echo "    notify counting <= perf stat's slowdown; notify sampling <= half perf record's added cost, zero lost) ---"
uses lden-count && verdict_count "$MAIN" lden-count "counting" "lden-exec --count"
uses lden-sample && verdict_sample "$MAIN" lden-sample "sampling"
uses lden-notify-count && verdict_count "$MAIN" lden-notify-count "notify counting" "lden notify \"$NOTIFY_COUNT_EXPR\""
uses lden-notify-size && verdict_sample "$MAIN" lden-notify-size "notify sampling" 0.5
if [ "$RUN_FOLLOWUP" = 1 ]; then
	for t in $FOLLOWUP_TRACERS; do
		case $t in lden-sample*) verdict_sample "$FOLLOW" "$t" "follow-up $t" ;; esac
	done
fi

echo
echo "total wall time: $((SECONDS - T_START)) s"
