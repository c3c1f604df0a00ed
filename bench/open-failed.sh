#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/open-failed.sh - failed opens: lden trace open --failed against
# bpftrace's two-probe failed-open script and perf trace --failure, one
# interleaved run.
#
# Usage (as root):   bench/open-failed.sh BUILDDIR          (src/lden there)
#                    REPS=1 N=200000 bench/open-failed.sh BUILDDIR   (quick)
#
# Part 1, cost per traced open.  The workload (built here, static) makes N
# opens flat out, every K-th of a missing path built in one reused stack
# buffer (/nonexistent-bench/PID-I), the others of /etc/hostname, and
# prints its loop time.  Each tracer is attached to the whole machine
# before the workload starts, then stopped:
#   baseline     no tracer
#   lden         lden trace open --failed (the default: on a kernel
#                without kprobes, paths read late and marked '?')
#   lden-exact   the same with --strings exact (uprobes on the C library,
#                armed in every process)
#   lden-cmd     lden trace open --failed -- W (per-process uprobes:
#                exact, only the workload pays)
#   perf-trace   perf trace -a -e openat --failure
#   bpftrace     enter: @f[tid] = args->filename; exit: if ret < 0, print
#                str(@f[tid]) (read in the kernel at the exit)
# Per trial: the loop time, the cost per open against the median
# baseline, and how many of the N/K failed opens were shown with their
# exact path (each once; lden's marked-late lines do not count).
#
# Part 2, lden's CPU while the machine makes RATE successful opens a
# second (the workload paced, with F failed opens a second among them),
# for SECS seconds, each tracer on the whole machine at its defaults
# (lden: the overhead guard at 5 % of a CPU): the tracer's own CPU (user
# + system, from /proc/PID/stat; bpftrace's probes run in the kernel, in
# the workload's time), the rate the workload reached, the workload's
# failed opens shown (a line each) and shown with their exact path, and
# whether lden's guard acted.
set -u
BUILD=${1:?usage: bench/open-failed.sh BUILDDIR}
LDEN=${LDEN:-$BUILD/src/lden}
N=${N:-400000}
K=${K:-100}
REPS=${REPS:-3}
RATE=${RATE:-100000}
F=${F:-100}
SECS=${SECS:-10}
[ "$(id -u)" = 0 ] || { echo "bench/open-failed.sh: needs root" >&2; exit 1; }
dir=$(mktemp -d /dev/shm/lden-bench-open.XXXXXX) || exit 1
trap 'rm -rf "$dir"' EXIT

cat > "$dir/w.c" <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* one open: every k-th of a missing path, built in the same buffer */
static void one(long i, long k, long *failed)
{
	char buf[64];
	int fd;

	if (i % k == k - 1) {
		snprintf(buf, sizeof(buf), "/nonexistent-bench/%d-%ld",
			 (int)getpid(), (*failed)++);
		fd = open(buf, O_RDONLY);
	} else {
		fd = open("/etc/hostname", O_RDONLY);
	}
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	long failed = 0, i = 0;
	long long a, b;

	if (argc == 4 && !strcmp(argv[1], "loop")) {
		long n = atol(argv[2]), k = atol(argv[3]);

		a = now_ns();
		for (; i < n; i++)
			one(i, k, &failed);
		b = now_ns();
	} else if (argc == 5 && !strcmp(argv[1], "pace")) {
		double secs = atof(argv[2]), rate = atof(argv[3]);
		long k = atol(argv[4]);

		a = now_ns();
		while ((b = now_ns()) - a < secs * 1e9) {
			/* 100 at a time, on schedule */
			while (i < (b - a) * rate / 1e9) {
				for (int j = 0; j < 100; j++, i++)
					one(i, k, &failed);
			}
		}
	} else {
		return 2;
	}
	fprintf(stderr, "elapsed_ns=%lld opens=%ld failed=%ld pid=%d\n", b - a,
		i, failed, (int)getpid());
	return 0;
}
C
gcc -O2 -static -o "$dir/w" "$dir/w.c" 2>/dev/null || gcc -O2 -o "$dir/w" "$dir/w.c" || exit 1
# lden-cmd and lden-exact need the C library: a dynamic twin
gcc -O2 -o "$dir/wd" "$dir/w.c" || exit 1

BT='tracepoint:syscalls:sys_enter_openat { @f[tid] = args->filename; }
tracepoint:syscalls:sys_exit_openat /@f[tid]/ { if (args->ret < 0) { printf("%s %s %d\n", comm, str(@f[tid]), args->ret); } delete(@f[tid]); }'

# start TRACER: in the background, attached once this returns; pid in $tp
start() {
	rm -f "$dir/t.out" "$dir/t.err"
	case $1 in
	lden) "$LDEN" trace open --failed >"$dir/t.out" 2>"$dir/t.err" & ;;
	lden-exact) "$LDEN" trace open --failed --strings exact >"$dir/t.out" 2>"$dir/t.err" & ;;
	perf-trace) perf trace -a -e openat --failure >"$dir/t.out" 2>"$dir/t.err" & ;;
	bpftrace) bpftrace -e "$BT" >"$dir/t.out" 2>"$dir/t.err" & ;;
	esac
	tp=$!
	for _ in $(seq 200); do
		case $1 in
		lden*) grep -q '^lden: tracing' "$dir/t.err" 2>/dev/null && break ;;
		bpftrace) grep -q 'Attaching' "$dir/t.out" "$dir/t.err" 2>/dev/null && break ;;
		perf-trace) sleep 2; break ;;
		esac
		sleep 0.05
	done
}

stop() {
	kill -INT "$tp" 2>/dev/null
	wait "$tp" 2>/dev/null
}

# shown PID NFAILED: failed opens of PID shown with their exact path, once
shown() {
	grep -o "/nonexistent-bench/$1-[0-9]*[^0-9]" "$dir/t.out" 2>/dev/null |
		grep -v '?$' | sed 's/.$//' | sort | uniq -c |
		awk -v n="$2" -v p="$1" '$1 == 1 { split($2, a, "-"); if (a[2] + 0 < n) c++ } END { print c + 0 }'
}

# trial TRACER: one run of the loop workload; prints "loop_ns shown"
trial() {
	case $1 in
	baseline) "$dir/w" loop "$N" "$K" 2>"$dir/w.err" ;;
	lden-cmd)
		"$LDEN" trace open --failed -- "$dir/wd" loop "$N" "$K" >"$dir/t.out" 2>"$dir/w.err" ;;
	lden-exact)
		start "$1"; "$dir/wd" loop "$N" "$K" 2>"$dir/w.err"; stop ;;
	*) start "$1"; "$dir/w" loop "$N" "$K" 2>"$dir/w.err"; stop ;;
	esac
	e=$(sed -n 's/.*elapsed_ns=\([0-9]*\).*/\1/p' "$dir/w.err" | tail -n 1)
	p=$(sed -n 's/.* pid=\([0-9]*\).*/\1/p' "$dir/w.err" | tail -n 1)
	f=$(sed -n 's/.* failed=\([0-9]*\).*/\1/p' "$dir/w.err" | tail -n 1)
	[ "$1" = baseline ] && { echo "${e:-0} -"; return; }
	echo "${e:-0} $(shown "$p" "$f")"
}

tracers=(lden lden-exact lden-cmd perf-trace bpftrace)
nt=${#tracers[@]}
echo "# bench/open-failed.sh part 1: N=$N opens, 1 in $K failing ($((N / K)) failed), REPS=$REPS, $(uname -r), $(nproc) CPUs"
printf '%-4s %-11s %14s %8s\n' rep tracer loop_ns shown
for rep in $(seq 1 "$REPS"); do
	order=("${tracers[@]:$(( (rep - 1) % nt ))}" "${tracers[@]:0:$(( (rep - 1) % nt ))}")
	for t in baseline "${order[@]}"; do
		read -r e s < <(trial "$t")
		printf '%-4s %-11s %14s %8s\n' "$rep" "$t" "$e" "$s" | tee -a "$dir/trials"
	done
done
echo
echo "# median over reps: loop time, added cost per open against the baseline, failed opens shown exactly (of $((N / K)))"
base=$(awk '$2 == "baseline" { print $3 }' "$dir/trials" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
for t in baseline "${tracers[@]}"; do
	awk -v t="$t" '$2 == t { print $3, $4 }' "$dir/trials" | sort -n |
	awk -v t="$t" -v b="$base" -v n="$N" '{ a[NR] = $1; s[NR] = $2 }
		END { m = a[int((NR + 1) / 2)]; printf "%-11s %12.0f ns  %+8.0f ns/open  shown %s\n", t, m, (m - b) / n, s[int((NR + 1) / 2)] }'
done

# --- part 2: the tracer's CPU at RATE successful opens/s ---------------
cpu_of() {	# PID -> utime + stime in clock ticks
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
echo
echo "# part 2: workload paced at $RATE opens/s for $SECS s, 1 in $((RATE / F)) failing ($F/s); each tracer at its defaults"
printf '%-11s %10s %12s %9s %9s  %s\n' tracer tracer_cpu opens_per_s shown exact note
for t in lden lden-exact perf-trace bpftrace; do
	w=$dir/w
	[ "$t" = lden-exact ] && w=$dir/wd
	start "$t"
	c0=$(cpu_of "$tp")
	"$w" pace "$SECS" "$RATE" $((RATE / F)) 2>"$dir/w.err"
	c1=$(cpu_of "$tp")
	stop
	e=$(sed -n 's/.*elapsed_ns=\([0-9]*\).*/\1/p' "$dir/w.err")
	o=$(sed -n 's/.* opens=\([0-9]*\).*/\1/p' "$dir/w.err")
	p=$(sed -n 's/.* pid=\([0-9]*\).*/\1/p' "$dir/w.err")
	f=$(sed -n 's/.* failed=\([0-9]*\).*/\1/p' "$dir/w.err")
	note="-"
	case $t in
	lden*) note=$(grep -c 'guard:' "$dir/t.err" | sed 's/^0$/guard did not act/; s/^[1-9][0-9]*$/guard ACTED/')
	      shown_n=$(awk -v p="$p" '$3 == p && / ENOENT$/' "$dir/t.out" | wc -l) ;;
	bpftrace) shown_n=$(grep -c "/nonexistent-bench/$p-" "$dir/t.out") ;;
	# no path without its BPF augmenter: the calls of the workload that failed
	perf-trace) shown_n=$(grep "/$p openat" "$dir/t.out" | grep -c ENOENT) ;;
	esac
	exact_n=$(shown "$p" "$f")
	awk -v t="$t" -v c0="$c0" -v c1="$c1" -v hz="$(getconf CLK_TCK)" -v e="$e" -v o="$o" -v s="$shown_n/$f" -v x="$exact_n/$f" -v note="$note" \
		'BEGIN { printf "%-11s %9.2f%% %12.0f %9s %9s  %s\n", t, 100 * (c1 - c0) / hz / (e / 1e9), o / (e / 1e9), s, x, note }'
done
