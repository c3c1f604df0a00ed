#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/ftrace-read.sh - lden's own CPU per record on the ftrace ring, two
# builds of lden against each other (and perf record) in one run.
#
# Usage (as root):
#   REPS=5 N=400000 bench/ftrace-read.sh LDEN_A LDEN_B [EXPR]
#
# LDEN_A and LDEN_B are two lden binaries (main's and a branch's);
# EXPR defaults to "size(bench.open) > 1e18" (bench/bench.events).  The
# workload (bench/workload.c, static: exactly N syscalls:sys_enter_openat)
# runs pinned on CPU 0, the tracer on CPU 1, so that the tracer's reading
# does not take the workload's CPU.  Per trial: the tracer's CPU while the
# workload ran (its threads' schedstat, ns), per record; the workload's
# system time per event (getrusage), less the baseline's; the samples
# lden counted (COUNT) and lost.
# Each repetition runs baseline, A, B, perf record in an order rotated
# by one every repetition.  Medians are printed at the end.
set -u
A=${1:?usage: bench/ftrace-read.sh LDEN_A LDEN_B [EXPR]}
B=${2:?usage: bench/ftrace-read.sh LDEN_A LDEN_B [EXPR]}
EXPR=${3:-"size(bench.open) > 1e18"}
NAME=$(echo "$EXPR" | sed -n 's/^[a-z]*(\([a-z.]*\)).*/\1/p')
REPS=${REPS:-5}
N=${N:-400000}
EVENT=syscalls:sys_enter_openat
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/ftrace-read.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
gcc -O2 -static -o "$tmp/workload" "$here/workload.c" || exit 1

sched_ns() {	# the summed run time of PID's threads, ns
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%d\n", s }'
}

wait_line() {	# FILE PATTERN: until it has the line, 20 s at most
	for _i in $(seq 200); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

trial() {	# NAME: one run of the workload under tracer NAME
	local name=$1 pid="" out=$tmp/$1.out c0=0 c1=0 w
	: >"$out"
	case $name in
	A|B)	bin=$A; [ "$name" = B ] && bin=$B
		taskset -c 1 "$bin" notify "$EXPR" --events-dir "$here" --max-cpu 0 \
			--ring ftrace -t 600 >"$out" 2>&1 &
		pid=$!
		wait_line "$out" "watching" || { echo "$name: not ready" >&2; kill -INT $pid; return; } ;;
	perf)	taskset -c 1 perf record -e "$EVENT" -a -o "$tmp/perf.data" >"$out" 2>&1 &
		pid=$!
		sleep 2 ;;
	esac
	[ -n "$pid" ] && c0=$(sched_ns $pid)
	w=$(taskset -c 0 "$tmp/workload" "$N")
	[ -n "$pid" ] && { sleep 0.3; c1=$(sched_ns $pid); kill -INT $pid; wait $pid 2>/dev/null; }
	stime=$(echo "$w" | sed -n 's/.*stime_s=\([0-9.]*\).*/\1/p')
	# lden's last row: NAME COUNT SIZE [SPEED] [LOST]
	samples=$(awk -v e="$NAME" '$1 == e { s = $2; l = $5 } END { print s "\t" (l == "" ? 0 : l) }' "$out")
	printf '%s\t%s\t%s\t%s\n' "$name" "$stime" "$((c1 - c0))" "$samples" >>"$tmp/rows"
}

order=(base A B perf)
for r in $(seq "$REPS"); do
	k=$(( (r - 1) % 4 ))
	for i in 0 1 2 3; do
		trial "${order[$(( (i + k) % 4 ))]}"
	done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -F'\t' -v n="$N" '
function med(a, k,    i, j, t) {
	for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++)
		if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
{ k = ++cnt[$1]; st[$1, k] = $2; cpu[$1, k] = $3; smp[$1, k] = $4; lost[$1, k] = $5 }
END {
	for (i = 1; i <= cnt["base"]; i++) b[i] = st["base", i]
	base = med(b, cnt["base"])
	printf "%-6s %5s %14s %16s %14s %s\n", "tracer", "runs", "sys_ns/ev", "tracer_ns/rec", "counted", "lost"
	split("base A B perf", names, " ")
	for (t = 1; t <= 4; t++) {
		nm = names[t]; k = cnt[nm]
		for (i = 1; i <= k; i++) {
			s[i] = (st[nm, i] - base) * 1e9 / n
			c[i] = cpu[nm, i] / n
			m[i] = smp[nm, i]; l[i] = lost[nm, i]
		}
		printf "%-6s %5d %14.0f %16.0f %14s %s\n", nm, k, med(s, k), med(c, k),
			nm ~ /^[AB]$/ ? med(m, k) : "-", nm ~ /^[AB]$/ ? med(l, k) : "-"
	}
}' "$tmp/rows"
