#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/trace.sh - `lden trace` throughput: a line per event, against
# bpftrace printing the same fields and `perf trace`, one interleaved run.
#
# Usage (as root):   bench/trace.sh BUILDDIR          (src/lden there)
#                    REPS=1 N=100000 bench/trace.sh BUILDDIR   (quick)
#
# The workload (built here, static, named trbench) makes N lseek(fd, i,
# SEEK_SET) calls flat out on /dev/null and prints its loop time.  Each
# tracer is attached to the whole machine, filtered on the workload's
# name in the kernel (bpftrace: in its program), before the workload
# starts, then stopped once it is done:
#   baseline     no tracer
#   lden-perf    lden trace syscalls:sys_enter_lseek --comm trbench
#                --max-cpu 0 --ring perf (TIME CPU PID COMM EVENT fields)
#   lden-ftrace  the same with --ring ftrace: `trace` shows the process
#                id, which an ftrace record does not hold, so lden refuses
#                it (the line says so) and the row is empty
#   bpftrace     printf of nsecs, cpu, pid, comm, fd, offset, whence
#   perf-trace   perf trace -a -e syscalls:sys_enter_lseek --filter
#                'comm == "trbench"'
# Per trial: the loop time, the slowdown against the median baseline,
# the workload's lines shown (each tracer's output lines naming trbench)
# and lines a second of loop time, and the loss each tracer reports
# (lden's "lost records", bpftrace's "Lost N events", perf's "LOST").
# Medians over REPS; the order rotates each repetition.  lden's lines
# must be N exactly (checked: "lines=N" or "SHORT").
set -u
BUILD=${1:?usage: bench/trace.sh BUILDDIR}
LDEN=${LDEN:-$BUILD/src/lden}
N=${N:-400000}
REPS=${REPS:-3}
TRACERS=${TRACERS:-"baseline lden-perf lden-ftrace bpftrace perf-trace"}
[ "$(id -u)" = 0 ] || { echo "bench/trace.sh: needs root" >&2; exit 1; }
dir=$(mktemp -d /dev/shm/lden-bench-trace.XXXXXX) || exit 1
trap 'rm -rf "$dir"' EXIT

cat > "$dir/w.c" <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 0;
	struct timespec a, b;
	int fd = open("/dev/null", O_RDONLY);

	if (fd < 0 || prctl(PR_SET_NAME, "trbench") < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		lseek(fd, i, SEEK_SET);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("elapsed_ns=%lld\n", (long long)(b.tv_sec - a.tv_sec) *
		1000000000LL + b.tv_nsec - a.tv_nsec);
	return 0;
}
C
gcc -O2 -static -o "$dir/w" "$dir/w.c" 2>/dev/null || gcc -O2 -o "$dir/w" "$dir/w.c" || exit 1

EV=syscalls:sys_enter_lseek
BT='tracepoint:syscalls:sys_enter_lseek /comm == "trbench"/ { printf("%llu %d %d %s %d %lld %d\n", nsecs, cpu, pid, comm, args->fd, args->offset, args->whence); }'

# start TRACER: in the background, attached once this returns ($tp: its
# pid, empty when it refused)
start() {
	rm -f "$dir/t.out" "$dir/t.err"
	tp=
	case $1 in
	baseline) return ;;
	lden-perf|lden-ftrace)
		"$LDEN" trace "$EV" --comm trbench --max-cpu 0 --ring "${1#lden-}" \
			>"$dir/t.out" 2>"$dir/t.err" & ;;
	bpftrace) bpftrace -e "$BT" >"$dir/t.out" 2>"$dir/t.err" & ;;
	perf-trace) perf trace -a -e "$EV" --filter 'comm == "trbench"' \
			-o "$dir/t.out" 2>"$dir/t.err" & ;;
	esac
	tp=$!
	for _ in $(seq 400); do
		kill -0 "$tp" 2>/dev/null || { wait "$tp"; tp=; return; }
		case $1 in
		lden*) grep -q '^lden: tracing' "$dir/t.err" 2>/dev/null && return ;;
		bpftrace) grep -q 'Attaching' "$dir/t.out" "$dir/t.err" 2>/dev/null && return ;;
		perf-trace) sleep 3; return ;;
		esac
		sleep 0.05
	done
}

stop() {
	[ -n "$tp" ] || return
	kill -INT "$tp" 2>/dev/null
	wait "$tp" 2>/dev/null
}

# lost TRACER: the records it says it lost
lost() {
	case $1 in
	lden*) awk '/lost records/ { s += $NF } END { print s + 0 }' "$dir/t.err" ;;
	bpftrace) cat "$dir/t.out" "$dir/t.err" | awk '/Lost [0-9]+ events/ { for (i = 1; i <= NF; i++) if ($i == "Lost") s += $(i + 1) } END { print s + 0 }' ;;
	perf-trace) cat "$dir/t.out" "$dir/t.err" | awk '/LOST [0-9]+ events/ { for (i = 1; i <= NF; i++) if ($i == "LOST") s += $(i + 1) } END { print s + 0 }' ;;
	*) echo - ;;
	esac
}

trial() {	# TRACER
	local t=$1 w el lines
	start "$t"
	if [ "$t" != baseline ] && [ -z "$tp" ]; then
		printf '%s\t-\t-\t-\t%s\n' "$t" "$(head -1 "$dir/t.err" | tr '\t' ' ')" >>"$dir/rows"
		return
	fi
	w=$("$dir/w" "$N")
	el=$(echo "$w" | sed -n 's/elapsed_ns=//p')
	sleep 0.5
	stop
	lines=-
	[ "$t" != baseline ] && lines=$(cat "$dir/t.out" 2>/dev/null | grep -c trbench)
	printf '%s\t%s\t%s\t%s\t\n' "$t" "$el" "$lines" "$(lost "$t")" >>"$dir/rows"
}

read -r -a order <<<"$TRACERS"
k=${#order[@]}
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$REPS"); do
	for i in $(seq 0 $((k - 1))); do
		trial "${order[$(( (i + r - 1) % k ))]}"
	done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -F'\t' -v n="$N" -v list="$TRACERS" '
function med(a, k,    i, j, t) {
	for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++)
		if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
$2 == "-" { why[$1] = $5; next }
{ c = ++cnt[$1]; el[$1, c] = $2; ln[$1, c] = $3; lo[$1, c] = $4 }
END {
	for (i = 1; i <= cnt["baseline"]; i++) b[i] = el["baseline", i]
	base = med(b, cnt["baseline"])
	printf "%-12s %4s %12s %9s %12s %12s %10s  %s\n", "tracer", "runs",
		"loop_ms", "slowdown", "lines", "lines/s", "lost", "check"
	m = split(list, names, " ")
	for (t = 1; t <= m; t++) {
		nm = names[t]; k = cnt[nm]
		if (!k) { printf "%-12s %4d  %s\n", nm, 0, why[nm]; continue }
		for (i = 1; i <= k; i++) { e[i] = el[nm, i]; l[i] = ln[nm, i]; x[i] = lo[nm, i] }
		me = med(e, k)
		if (nm == "baseline") {
			printf "%-12s %4d %12.1f %9s %12s %12s %10s\n", nm, k, me / 1e6, "1.00", "-", "-", "-"
			continue
		}
		ml = med(l, k)
		chk = ""
		if (nm ~ /^lden/) {
			short = 0
			for (i = 1; i <= k; i++) if (l[i] != n) short++
			chk = short ? short " of " k " SHORT" : "lines=N"
		}
		printf "%-12s %4d %12.1f %9.2f %12d %12.0f %10s  %s\n", nm, k, me / 1e6,
			me / base, ml, ml / (me / 1e9), med(x, k), chk
	}
}' "$dir/rows"
