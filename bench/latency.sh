#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/latency.sh - lden notify: from a condition becoming true to its
# script starting.
#
# Usage (as root):   bench/latency.sh BUILDDIR        (BUILDDIR holds src/lden)
#                    TRIALS=5 bench/latency.sh BUILDDIR     (quick)
#
# Each trial:
#   1. starts bench/monotime.c as "monotime kill", which blocks reading a
#      go line from a fifo;
#   2. starts  lden notify "count(sys.kill[common_pid == HELPER]) >= 1"
#                -i MS --time 30 --script 'monotime > FILE'
#      and waits for its header "lden: watching" (events enabled);
#   3. sleeps a random 0-3 x MS (so the kill falls at a random phase of
#      notify's tick), then writes the go line: the helper takes
#      CLOCK_MONOTONIC and calls kill(getpid(), 0) at once, which is the
#      moment the condition becomes true;
#   4. the script records CLOCK_MONOTONIC when it runs.
# latency = script time - kill time.  notify reads its counters once per
# tick, so the expected latency is about MS/2 on average (up to MS), plus
# what it takes to fork /bin/sh -c and exec the script.  That last part is
# measured on its own: "monotime spawn 'monotime > FILE'" (fork, /bin/sh -c,
# exec, as notify does it; a small static process, not notify's).
#
# The filter on the helper's pid is there because other processes call
# kill() too (about 8/s on the development VM, e.g. shells' kill -0): with
# the bare "count(sys.kill) >= 1" (LAT_FILTER=0) one of them often turns the
# condition true before the helper does; those trials (script before the
# kill) are rejected and retried, and counted in the report.
#
# Trials alternate between the intervals (INTERVALS) and the spawn baseline.
# Reported per series: n, median, p90 (nearest rank), max, min, mean, in ms.
#
# Environment knobs [defaults]:
#   TRIALS [20]            trials per interval (and for the spawn baseline)
#   INTERVALS [100 10]     notify -i values, ms
#   LAT_FILTER [1]         1: count(sys.kill[common_pid == HELPER]) >= 1;
#                          0: count(sys.kill) >= 1, contaminated trials retried
#   MAX_REJECTS [100]      give up after this many rejected trials
#   LDEN_NOTIFY [BUILDDIR/src/lden]
#   READY_TIMEOUT [20]
#   SCRATCH [/dev/shm/lden-bench-lat.PID]   removed at the end unless KEEP=1
#   KEEP [0]

set -u
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
BUILDDIR=${1:-}
if [ -z "$BUILDDIR" ] && [ -z "${LDEN_NOTIFY:-}" ]; then
	echo "usage: $0 BUILDDIR   (the build tree holding src/lden)" >&2
	exit 2
fi
NOTIFY=${LDEN_NOTIFY:-$BUILDDIR/src/lden}
TRIALS=${TRIALS:-20}
INTERVALS=${INTERVALS:-"100 10"}
LAT_FILTER=${LAT_FILTER:-1}
MAX_REJECTS=${MAX_REJECTS:-100}
READY_TIMEOUT=${READY_TIMEOUT:-20}
SCRATCH=${SCRATCH:-/dev/shm/lden-bench-lat.$$}
KEEP=${KEEP:-0}

NPID=""	# the notify of the current trial
HPID=""	# its helper

log() { echo "[$(date +%T)] $*" >&2; }

stop_pid() {	# $1 = a pid this script started: SIGINT, then SIGKILL after 5 s
	local p=$1 i
	kill -0 "$p" 2>/dev/null || return 0
	kill -INT "$p" 2>/dev/null
	for i in $(seq 50); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null
}

cleanup() {
	[ -n "$NPID" ] && stop_pid "$NPID"
	[ -n "$HPID" ] && { kill -KILL "$HPID" 2>/dev/null; wait "$HPID" 2>/dev/null; }
	if [ "$KEEP" = 1 ]; then
		log "raw outputs kept in $SCRATCH"
	else
		rm -rf "$SCRATCH"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "latency.sh: must run as root" >&2; exit 1; }
[ -x "$NOTIFY" ] || { echo "latency.sh: $NOTIFY not found; build it (make src/lden)" >&2; exit 1; }
case $TRIALS in ''|*[!0-9]*|0) echo "latency.sh: bad TRIALS '$TRIALS'" >&2; exit 2 ;; esac
for i in $INTERVALS; do
	case $i in ''|*[!0-9]*|0) echo "latency.sh: bad interval '$i'" >&2; exit 2 ;; esac
done
mkdir -p "$SCRATCH" || exit 1

MONO=$SCRATCH/monotime
gcc -O2 -Wall -static -o "$MONO" "$BENCH_DIR/monotime.c" 2>"$SCRATCH/gcc.err" ||
	gcc -O2 -Wall -o "$MONO" "$BENCH_DIR/monotime.c" 2>>"$SCRATCH/gcc.err" ||
	{ cat "$SCRATCH/gcc.err" >&2; exit 1; }
cp "$NOTIFY" "$SCRATCH/lden" || exit 1
NOTIFY_SRC=$NOTIFY
NOTIFY=$SCRATCH/lden
if nm "$NOTIFY" 2>/dev/null | grep -q -e __asan_ -e __ubsan_; then
	log "WARNING: $NOTIFY_SRC is built with sanitizers; its numbers are not representative"
	NOTIFY_NOTE=", SANITIZER BUILD"
fi

RES=$SCRATCH/results.tsv	# series ns_latency
: >"$RES"
REJECTS=0

# One notify trial at interval $1 (ms), number $2; appends to RES.
# Returns 0 when recorded, 1 when rejected (fired by another process).
notify_trial() {
	local ms=$1 n=$2 d=$SCRATCH/t.$1.$2 expr i delay k s rc
	mkdir -p "$d" && mkfifo "$d/go"
	# the helper blocks in the fifo's open until the go line is written
	"$MONO" kill <"$d/go" >"$d/kill_ns" &
	HPID=$!
	if [ "$LAT_FILTER" = 1 ]; then
		expr="count(sys.kill[common_pid == $HPID]) >= 1"
	else
		expr="count(sys.kill) >= 1"
	fi
	"$NOTIFY" notify "$expr" -i "$ms" --time 30 --script "$MONO > $d/script_ns" \
		>"$d/stdout" 2>"$d/stderr" &
	NPID=$!
	for i in $(seq $((READY_TIMEOUT * 100))); do
		grep -q '^lden: watching' "$d/stdout" 2>/dev/null && break
		kill -0 "$NPID" 2>/dev/null || break
		sleep 0.01
	done
	if ! grep -q '^lden: watching' "$d/stdout" 2>/dev/null; then
		log "notify not ready; stderr:"; sed 's/^/    /' "$d/stderr" >&2
		exit 1
	fi
	delay=$(awk -v r="$RANDOM" -v ms="$ms" 'BEGIN {printf "%.4f", r / 32768 * 3 * ms / 1000}')
	sleep "$delay"
	echo go >"$d/go"
	wait "$HPID"; HPID=""
	wait "$NPID"; rc=$?; NPID=""
	k=$(cat "$d/kill_ns" 2>/dev/null)
	s=$(cat "$d/script_ns" 2>/dev/null)
	if [ "$rc" != 0 ] || [ -z "$k" ] || [ -z "$s" ]; then
		log "interval $ms trial $n: notify exit $rc, kill '${k}', script '${s}'; output:"
		sed 's/^/    /' "$d/stdout" "$d/stderr" >&2
		exit 1
	fi
	if [ "$s" -lt "$k" ]; then
		REJECTS=$((REJECTS + 1))
		log "interval $ms trial $n: fired by another process's kill() (script $(((k - s) / 1000)) us before the helper's kill), retried"
		[ "$KEEP" = 1 ] || rm -rf "$d"
		[ "$REJECTS" -le "$MAX_REJECTS" ] || { log "more than $MAX_REJECTS rejected trials: use LAT_FILTER=1"; exit 1; }
		return 1
	fi
	printf 'notify -i %s\t%s\n' "$ms" "$((s - k))" >>"$RES"
	log "interval $ms trial $n: $(awk -v x="$((s - k))" 'BEGIN {printf "%.3f", x / 1e6}') ms"
	[ "$KEEP" = 1 ] || rm -rf "$d"
	return 0
}

# The script start on its own: fork + /bin/sh -c + exec, from monotime.
spawn_trial() {
	local n=$1 d=$SCRATCH/s.$1 t0 s
	mkdir -p "$d"
	t0=$("$MONO" spawn "$MONO > $d/script_ns") || { log "spawn trial failed"; exit 1; }
	s=$(cat "$d/script_ns")
	printf 'spawn (fork+sh+exec)\t%s\n' "$((s - t0))" >>"$RES"
	[ "$KEEP" = 1 ] || rm -rf "$d"
}

# ------------------------------------------------------------------ run
T_START=$SECONDS
echo "=== lden notify latency: $(date -u '+%Y-%m-%d %H:%M:%S UTC') ==="
echo "host: $(uname -r), $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)$(grep -q hypervisor /proc/cpuinfo && echo ", virtual machine")"
echo "lden notify: $NOTIFY_SRC${NOTIFY_NOTE:-}$(cd "$BENCH_DIR/.." 2>/dev/null && git describe --always --dirty 2>/dev/null | sed 's/^/ (source /;s/$/)/')"
if [ "$LAT_FILTER" = 1 ]; then
	echo "condition: count(sys.kill[common_pid == HELPER]) >= 1 (the helper's kill(getpid(), 0))"
else
	echo "condition: count(sys.kill) >= 1 (any kill() on the machine; trials fired by another process are retried)"
fi
echo "script: monotime > FILE   trials: $TRIALS per interval, intervals: $INTERVALS ms"
echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "background kill() rate: $(perf stat -e syscalls:sys_enter_kill -a -x, -- sleep 2 2>&1 >/dev/null |
	awk -F, '$3 == "syscalls:sys_enter_kill" {printf "%.1f/s", $1 / 2}') (perf stat -a, 2 s)"

for n in $(seq 1 "$TRIALS"); do
	for ms in $INTERVALS; do
		until notify_trial "$ms" "$n"; do :; done
	done
	spawn_trial "$n"
done

echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "rejected trials (fired by another process's kill): $REJECTS"
echo
echo "--- condition true (kill) -> script start, ms ---"
awk -F'\t' '
function sortn(a, k,   i, j, t) {
	for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j+1] = a[j]; a[j+1] = t }
}
{
	if (!($1 in c)) order[++ns] = $1
	v[$1, ++c[$1]] = $2; sum[$1] += $2
}
END {
	printf "%-22s %4s %9s %9s %9s %9s %9s\n", "series", "n", "median", "p90", "max", "min", "mean"
	for (i = 1; i <= ns; i++) {
		s = order[i]; k = c[s]
		for (j = 1; j <= k; j++) a[j] = v[s, j]
		sortn(a, k)
		med = (k % 2) ? a[(k+1)/2] : (a[k/2] + a[k/2+1]) / 2
		r = int(0.9 * k + 0.999999); if (r < 1) r = 1
		printf "%-22s %4d %9.3f %9.3f %9.3f %9.3f %9.3f\n", s, k, med / 1e6, a[r] / 1e6,
			a[k] / 1e6, a[1] / 1e6, sum[s] / k / 1e6
	}
}' "$RES"
cat <<'EOF'
notify -i MS: from the helper's CLOCK_MONOTONIC just before kill(getpid(), 0) to the script's
  first CLOCK_MONOTONIC (the script is "monotime > FILE", run by notify through /bin/sh -c).
  Expected: the wait for notify's next tick, uniform in 0-MS (mean MS/2), plus the spawn.
spawn: fork + /bin/sh -c + exec of the same script, from a small static process.
p90 is the nearest-rank 90th percentile.
EOF
echo
echo "total wall time: $((SECONDS - T_START)) s"
