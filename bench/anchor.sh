#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/anchor.sh - what a per-process `lden trace open` costs the
# processes it does not trace: a dynamic workload's openat+close loop
# (bench/workload.c, linked against the C library, so that the uprobes
# on its open can hit it) alone, beside `lden trace open --failed --
# sleep 300` (uprobes per task only: the default), and beside the same
# with --strings exact (a probe for every task besides, which keeps the
# breakpoint in every process: lden-trace(8), STRINGS).
#
# Usage (as root):   bench/anchor.sh BUILDDIR       [REPS=5 N=200000]
# Prints each trial's ns per iteration, then the medians, in one
# interleaved run.
set -u
B=${1:?usage: bench/anchor.sh BUILDDIR}
LDEN=${LDEN:-$B/src/lden}
REPS=${REPS:-5} N=${N:-200000}
dir=$(mktemp -d /tmp/lden-anchor.XXXXXX) || exit 1
trap 'rm -rf "$dir"' EXIT
gcc -O2 -o "$dir/wl" "$(dirname "$0")/workload.c" || exit 1

one() {	# one MODE: the workload's ns per iteration beside MODE's lden
	local p=
	case $1 in
	per-task) "$LDEN" trace open --failed --max-cpu 0 -- sleep 300 >/dev/null 2>"$dir/err" & p=$! ;;
	exact) "$LDEN" trace open --failed --strings exact --max-cpu 0 -- sleep 300 >/dev/null 2>"$dir/err" & p=$! ;;
	esac
	if [ -n "$p" ]; then
		for _ in $(seq 200); do
			grep -q '^lden: tracing' "$dir/err" && break
			sleep 0.05
		done
	fi
	"$dir/wl" "$N" | sed 's/.*ns_per_op=\([0-9.]*\).*/\1/'
	[ -n "$p" ] && { kill -INT "$p"; wait "$p" 2>/dev/null; }
}

echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$REPS"); do
	for m in alone per-task exact; do
		echo "$r $m $(one $m)"
	done
done | tee "$dir/trials"
echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
for m in alone per-task exact; do
	awk -v m=$m '$2 == m { print $3 }' "$dir/trials" | sort -n |
		awk -v m=$m '{ v[NR] = $1 } END { printf "%-9s median %.0f ns [%.0f-%.0f]\n", m, v[int((NR + 1) / 2)], v[1], v[NR] }'
done
