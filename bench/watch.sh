#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/watch.sh - what `lden watch` costs per tick with 100 rules over
# the 23 catalog events, against one rule (issue 19's benchmark).
#
# Usage (as root):   bench/watch.sh BUILDDIR        (make bench-watch)
#                    REPS=3 SECS=10 bench/watch.sh .
#
# Three rule sets, each run REPS times, in an order rotated by one per
# repetition, for SECS seconds at -i INTERVAL_MS, with the machine's own
# activity as the workload (every event counted system-wide):
#   one       1 rule over 1 event:  speed(task.create) > 1000000000
#   one-23    1 rule over the 23 events (an "or" of a speed of each)
#   rules-100 100 rules over the 23 events: rule i is
#             "speed(E[i%23]) > BIG or count(E[(i+7)%23]) > BIG", every
#             tenth with a third event and an annotation {{ speed(...) }}
# The thresholds are never reached: no transition, no action; what is
# measured is the evaluation itself.
# Per run: lden's own figure of the CPU time of one evaluation (reading
# every event's counters and evaluating every rule: eval_seconds_avg and
# eval_seconds_max of its JSON end object, CLOCK_THREAD_CPUTIME_ID), the
# evaluations done, and lden's CPU over the run (utime+stime of
# /proc/PID/stat, every thread, as % of one CPU) and its peak RSS (VmHWM).
# Printed: each run, then the median per set and the ratios to "one".
#
# Knobs [defaults]: REPS [5], SECS [20], INTERVAL_MS [100],
# LDEN [BUILDDIR/src/lden].
set -euo pipefail

BUILD=${1:?usage: bench/watch.sh BUILDDIR}
LDEN=${LDEN:-$BUILD/src/lden}
REPS=${REPS:-5}
SECS=${SECS:-20}
INTERVAL_MS=${INTERVAL_MS:-100}
HZ=$(getconf CLK_TCK)
[ "$(id -u)" = 0 ] || { echo "bench/watch.sh: needs root" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mapfile -t EV < <("$LDEN" list-events --names)
[ "${#EV[@]}" -ge 23 ] || { echo "only ${#EV[@]} events in the catalog" >&2; exit 1; }
EV=("${EV[@]:0:23}")
BIG=1000000000

printf 'rule one\n\twhen speed(task.create) > %s\n' $BIG > "$tmp/one.rules"
{
	printf 'rule one-23\n\twhen speed(%s) > %s' "${EV[0]}" $BIG
	for ((e = 1; e < 23; e++)); do printf ' or speed(%s) > %s' "${EV[e]}" $BIG; done
	printf '\n'
} > "$tmp/one-23.rules"
for ((i = 0; i < 100; i++)); do
	a=${EV[i % 23]} b=${EV[(i + 7) % 23]} c=${EV[(i + 13) % 23]}
	printf 'rule r%03d\n\twhen speed(%s) > %s or count(%s) > %s' "$i" "$a" $BIG "$b" $BIG
	if ((i % 10 == 0)); then
		printf ' or speed(%s) * 2 > %s\n\tannotation rate {{ speed(%s) }}\n' "$c" $BIG "$a"
	else
		printf '\n'
	fi
done > "$tmp/rules-100.rules"

cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# run SET REP: one run, a line of results on stdout
run() {
	local set=$1 out="$tmp/$1.$2.out" pid t0 t1 c0 c1 hwm
	"$LDEN" watch --json -q -i "$INTERVAL_MS" -r "$tmp/$set.rules" >"$out" 2>"$tmp/err" &
	pid=$!
	for ((w = 0; w < 200; w++)); do
		grep -q '"type":"start"' "$out" 2>/dev/null && break
		sleep 0.05
	done
	grep -q '"type":"start"' "$out" || { cat "$tmp/err" >&2; exit 1; }
	t0=$(date +%s.%N); c0=$(cpu_ticks $pid)
	sleep "$SECS"
	t1=$(date +%s.%N); c1=$(cpu_ticks $pid)
	hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
	kill -INT $pid
	wait $pid || true
	jq -r --arg set "$set" --arg cpu "$(echo "$c0 $c1 $t0 $t1 $HZ" |
		awk '{ printf "%.3f", 100 * ($2 - $1) / $5 / ($4 - $3) }')" --arg hwm "$hwm" \
		'select(.type == "end") | [$set, (.rules | length),
		 (.eval_seconds_avg * 1e6), (.eval_seconds_max * 1e6), .evaluations,
		 ($cpu | tonumber), ($hwm | tonumber)] | @tsv' "$out"
}

sets=(one one-23 rules-100)
printf '# lden watch -i %s ms, %s s a run, %s runs a set; %s\n' "$INTERVAL_MS" "$SECS" "$REPS" "$(uname -r)"
printf '# set\trules\teval_us_avg\teval_us_max\tevaluations\tcpu_pct\tpeak_rss_kib\n'
for ((r = 0; r < REPS; r++)); do
	for ((k = 0; k < 3; k++)); do
		s=${sets[(k + r) % 3]}
		run "$s" "$r" | tee -a "$tmp/all.tsv"
	done
done
echo "# medians"
for s in "${sets[@]}"; do
	awk -F'\t' -v s="$s" '$1 == s' "$tmp/all.tsv" > "$tmp/$s.tsv"
	med() { cut -f"$1" "$tmp/$s.tsv" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
	printf '%s\teval_us %.1f\tcpu_pct %.3f\tpeak_rss_kib %s\n' "$s" "$(med 3)" "$(med 6)" "$(med 7)" |
		tee -a "$tmp/med.tsv"
done
awk -F'\t' '{ split($2, e, " "); split($3, c, " "); ev[$1] = e[2]; cpu[$1] = c[2] }
	END { printf "# ratios to one: eval one-23 %.1fx, rules-100 %.1fx; cpu one-23 %.1fx, rules-100 %.1fx\n",
		ev["one-23"] / ev["one"], ev["rules-100"] / ev["one"],
		cpu["one-23"] / cpu["one"], cpu["rules-100"] / cpu["one"] }' "$tmp/med.tsv"
