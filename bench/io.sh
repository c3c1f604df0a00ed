#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/io.sh - lden io against perf trace -s and bpftrace on a
# write-heavy workload, one interleaved run.
#
# Usage (as root):   bench/io.sh BUILDDIR             (src/lden in BUILDDIR)
#                    REPS=1 N=200000 bench/io.sh BUILDDIR   (quick)
#
# The workload (built here into a scratch dir) makes N one-byte write(2)
# calls to /dev/null, flat out, and prints its loop time (CLOCK_MONOTONIC).
# Each tracer runs it as its command, so each traces only it:
#   baseline   no tracer
#   lden-io    lden io -q --json --max-cpu 0 -- W N   (pairs enter/exit, fd
#              table; the overhead guard off, else it would stop sampling)
#   perf-trace perf trace -s -e write -- W N (per-syscall summary)
#              (falls back to perf record -e 'syscalls:sys_*_write')
#   bpftrace   enter/exit of write paired per tid, latency histogram
#   lden-io-base  lden-io with the lden LDEN_BASE names (another build)
# IO_TRACERS picks them [lden-io perf-trace bpftrace, and lden-io-base when
# LDEN_BASE is set]; LDEN_RING (auto, ftrace, perf) is both lden's --ring.
# Per trial: the loop time and the workload's own CPU time (the figure a
# loaded, shared machine disturbs least: waiting for a CPU is not in it),
# the slowdown against the median baseline,
# syscall records handled per second (2 N / loop time), and lost records
# (lden: its stats; perf: "LOST" lines; bpftrace: "Lost N events").
# Each repetition runs the baseline, then the tracers in an order rotated
# by one each repetition.
set -u
BUILD=${1:?usage: bench/io.sh BUILDDIR}
LDEN=${LDEN:-$BUILD/src/lden}
LDEN_BASE=${LDEN_BASE:-}
LDEN_RING=${LDEN_RING:-auto}
N=${N:-1000000}
REPS=${REPS:-5}
[ "$(id -u)" = 0 ] || { echo "bench/io.sh: needs root" >&2; exit 1; }
dir=$(mktemp -d /dev/shm/lden-bench-io.XXXXXX) || exit 1
trap 'rm -rf "$dir"' EXIT

cat > "$dir/w.c" <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	long n = atol(argv[1]);
	struct timespec a, b;
	int fd = open("/dev/null", O_WRONLY);

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		if (write(fd, "x", 1) != 1)
			return 2;
	clock_gettime(CLOCK_MONOTONIC, &b);
	fprintf(stderr, "elapsed_ns=%lld\n",
		(long long)(b.tv_sec - a.tv_sec) * 1000000000LL + b.tv_nsec - a.tv_nsec);
	/* its own CPU time: what the tracer costs it, whoever else runs */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	fprintf(stderr, "cpu_ns=%lld\n",
		(long long)b.tv_sec * 1000000000LL + b.tv_nsec);
	return 0;
}
C
gcc -O2 -static -o "$dir/w" "$dir/w.c" 2>/dev/null || gcc -O2 -o "$dir/w" "$dir/w.c" || exit 1

perf_mode=trace
perf trace -s -e write -- /bin/true >/dev/null 2>&1 || perf_mode=record

BT='tracepoint:syscalls:sys_enter_write /pid == cpid/ { @s[tid] = nsecs; }
tracepoint:syscalls:sys_exit_write /@s[tid]/ { @lat = hist(nsecs - @s[tid]); delete(@s[tid]); @n = count(); }'

run() {	# tracer -> prints "elapsed_ns cpu_ns lost"
	case $1 in
	baseline) "$dir/w" "$N" 2>"$dir/out" ;;
	lden-io) "$LDEN" io -q --json --max-cpu 0 --ring "$LDEN_RING" -- "$dir/w" "$N" >"$dir/lden.json" 2>"$dir/out" ;;
	lden-io-base) "$LDEN_BASE" io -q --json --max-cpu 0 --ring "$LDEN_RING" -- "$dir/w" "$N" >"$dir/lden.json" 2>"$dir/out" ;;
	perf-trace)
		if [ $perf_mode = trace ]; then
			perf trace -s -e write -- "$dir/w" "$N" >/dev/null 2>"$dir/out"
		else
			perf record -q -o "$dir/perf.data" -e 'syscalls:sys_enter_write,syscalls:sys_exit_write' -- "$dir/w" "$N" 2>"$dir/out" >/dev/null
		fi ;;
	bpftrace) bpftrace -e "$BT" -c "$dir/w $N" >"$dir/bt.out" 2>"$dir/out" ;;
	esac
	e=$(sed -n 's/.*elapsed_ns=\([0-9]*\).*/\1/p' "$dir/out" | tail -n 1)
	c=$(sed -n 's/.*cpu_ns=\([0-9]*\).*/\1/p' "$dir/out" | tail -n 1)
	case $1 in
	lden-io*) lost=$(jq -r 'select(.type == "stats") | .lost' "$dir/lden.json") ;;
	perf-trace) lost=$(grep -ci 'lost' "$dir/out") ;;
	bpftrace) lost=$(sed -n 's/.*Lost \([0-9]*\) events.*/\1/p' "$dir/out" "$dir/bt.out" | awk '{ s += $1 } END { print s + 0 }') ;;
	*) lost=0 ;;
	esac
	echo "${e:-0} ${c:-0} ${lost:-?}"
}

read -r -a tracers <<<"${IO_TRACERS:-lden-io perf-trace bpftrace${LDEN_BASE:+ lden-io-base}}"
nt=${#tracers[@]}
echo "# bench/io.sh: N=$N one-byte writes to /dev/null, REPS=$REPS, perf mode: $perf_mode, lden --ring $LDEN_RING"
printf '%-4s %-12s %14s %14s %8s\n' rep tracer loop_ns cpu_ns lost
for rep in $(seq 1 "$REPS"); do
	order=("${tracers[@]:$(( (rep - 1) % nt ))}" "${tracers[@]:0:$(( (rep - 1) % nt ))}")
	for t in baseline "${order[@]}"; do
		read -r e c lost < <(run "$t")
		printf '%-4s %-12s %14s %14s %8s\n' "$rep" "$t" "$e" "$c" "$lost" | tee -a "$dir/trials"
	done
done
echo
echo "# median over reps: loop time, slowdown vs baseline, records handled/s (2N / loop), lost (max)"
base=$(awk '$2 == "baseline" { print $3 }' "$dir/trials" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
for t in baseline "${tracers[@]}"; do
	awk -v t="$t" -v b="$base" -v n="$N" '$2 == t { print $3, $5 }' "$dir/trials" | sort -n |
	awk -v t="$t" -v b="$base" -v n="$N" '{ a[NR] = $1; if ($2 + 0 > l) l = $2 + 0 }
		END { m = a[int((NR + 1) / 2)]; printf "%-12s %12.0f ns  x%.2f  %.2f M records/s  lost %d\n", t, m, m / b, 2 * n / m * 1000, l }'
done
echo
echo "# median over reps of the workload's own CPU time per write, and what the tracer adds to it"
cbase=$(awk '$2 == "baseline" { print $4 }' "$dir/trials" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
for t in baseline "${tracers[@]}"; do
	awk -v t="$t" '$2 == t { print $4 }' "$dir/trials" | sort -n |
	awk -v t="$t" -v b="$cbase" -v n="$N" '{ a[NR] = $1 }
		END { m = a[int((NR + 1) / 2)]; printf "%-12s %7.0f ns/write CPU  +%4.0f ns  x%.2f\n", t, m / n, (m - b) / n, m / b }'
done
