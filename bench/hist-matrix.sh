#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/hist-matrix.sh - the size path that sums in the kernel (hist
# triggers), against the sampling paths, inside the qemu kernel matrix
# (Debian 6.1 and 6.12 have CONFIG_HIST_TRIGGERS; these machines' kernel
# does not).  The guests run under TCG (no KVM here): absolute times mean
# nothing, only ratios within one guest run do.
#
# Usage (as root):   bench/hist-matrix.sh BUILDDIR [KERNEL_MATRIX_DIR]
#
# In each guest, REPS interleaved repetitions of: the workload alone
# (bench/workload.c, N x openat+close), and under lden notify
# "size(bench.ret) > 1e18" (bench/bench.events: the result of each openat,
# a field the kernel can sum exactly; bench.open's "flags * 0 + 1" reads an
# int stored in a syscall's 8-byte slot, which lden does not let a hist
# trigger sum, so it would be sampled on every path)
# with --ring auto (the hist trigger), --ring ftrace and --ring perf, and,
# when the guest has it, perf record.  Reported per tracer: the median
# loop time, the slowdown against the baseline, the added ns per event, and
# lden's SIZE and COUNT (equal: every event summed once, whichever path).
#
# Knobs [defaults]: N [200000], REPS [5], KM_KERNELS [linux-image-amd64
# linux-image-6.12-amd64].
set -u
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
BUILDDIR=${1:-}
KM=${2:-$BENCH_DIR/../../shared/kernel-matrix}
[ -n "$BUILDDIR" ] || { echo "usage: $0 BUILDDIR [KERNEL_MATRIX_DIR]" >&2; exit 2; }
[ -x "$BUILDDIR/src/lden" ] || { echo "hist-matrix.sh: no $BUILDDIR/src/lden" >&2; exit 1; }
[ -x "$KM/boot-test.sh" ] || { echo "hist-matrix.sh: no kernel matrix at $KM" >&2; exit 1; }
N=${N:-200000}
REPS=${REPS:-5}
KERNELS=${KM_KERNELS:-linux-image-amd64 linux-image-6.12-amd64}

pay=$(mktemp -d /tmp/lden-hist-bench.XXXXXX) || exit 1
trap 'rm -rf "$pay"' EXIT
mkdir "$pay/hb"
gcc -O2 -static -o "$pay/hb/workload" "$BENCH_DIR/workload.c" || exit 1
cp "$BUILDDIR/src/lden" "$pay/hb/"
cp "$BENCH_DIR/bench.events" "$pay/hb/"
cp -r "$BENCH_DIR/../kprobe_events" "$pay/hb/events"
cat >"$pay/hb/run" <<EOF
#!/bin/sh
# in the guest: busybox sh, cwd /test/hb
N=$N
REPS=$REPS
EOF
cat >>"$pay/hb/run" <<'EOF'
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs nodev $T
export LDEN_EVENTS_PATH=$PWD/events
echo "=== $(uname -r): hist triggers: $(grep -c 'hist:keys=' $T/README)"
tracers="auto ftrace perf"
trial() {	# $1 = tracer or baseline; prints the loop ns, SIZE, COUNT
	if [ "$1" = baseline ]; then
		./workload $N | sed -n 's/.*elapsed_ns=\([0-9]*\).*/\1 - -/p'
		return
	fi
	# a fresh file: with the last repetition's header in it, the wait
	# below ended at once and the workload began before lden attached
	rm -f out.$1
	./lden notify "size(bench.ret) > 1e18" -d . --max-cpu 0 --ring $1 -t 3600 >out.$1 2>&1 &
	p=$!
	i=0
	until grep -q '^lden: watching' out.$1; do
		i=$((i + 1)); [ $i -gt 600 ] && { echo "- - -"; kill $p; return; }
		sleep 0.05
	done
	ns=$(./workload $N | sed -n 's/.*elapsed_ns=\([0-9]*\).*/\1/p')
	kill -INT $p; wait $p
	set -- $(awk '$1 == "bench.ret" && $2 ~ /^[0-9]+$/ { print $2, $3 }' out.$1)
	echo "$ns ${2:--} ${1:--}"
}
for r in $(seq $REPS); do
	for t in baseline $tracers; do
		echo "row $t $r $(trial $t)"
	done
	tracers="$(echo $tracers | cut -d' ' -f2-) $(echo $tracers | cut -d' ' -f1)"
done
for t in $tracers; do echo "path $t: $(grep -h '^  bench.ret' out.$t | sort -u)"; done
echo "KM_BENCH_DONE"
EOF
chmod +x "$pay/hb/run"

for k in $KERNELS; do
	echo "=== $k"
	"$KM/boot-test.sh" --kernel-pkg "$k" --timeout 1500 --out "$pay/out.$k" \
		"$pay/hb" >/dev/null 2>"$pay/log.$k"
	grep -h -e '^row ' -e '^===' -e '^path ' "$pay/out.$k/console.log" |
		tr -d '\r' >"$pay/rows.$k"
	grep '^===\|^path ' "$pay/rows.$k"
	awk -v n="$N" '
	function med(a, k,   i, j, t) {
		for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j+1] = a[j]; a[j+1] = t }
		return (k % 2) ? a[(k+1)/2] : (a[k/2] + a[k/2+1]) / 2
	}
	$1 == "row" && $4 != "-" {
		t = $2; if (!(t in c)) o[++nt] = t
		v[t, ++c[t]] = $4; sz[t] = $5; ct[t] = $6
	}
	END {
		for (i = 1; i <= c["baseline"]; i++) b[i] = v["baseline", i]
		bm = med(b, c["baseline"])
		printf "%-9s %5s %12s %9s %12s %12s %12s\n", "tracer", "runs", "loop_ms", "slowdown", "added_ns/ev", "SIZE(last)", "COUNT(last)"
		for (k = 1; k <= nt; k++) {
			t = o[k]
			for (i = 1; i <= c[t]; i++) a[i] = v[t, i]
			m = med(a, c[t])
			printf "%-9s %5d %12.1f %8.2fx %12.0f %12s %12s\n", t, c[t], m / 1e6, m / bm, (m - bm) / n,
				(t == "baseline" ? "-" : sz[t]), (t == "baseline" ? "-" : ct[t])
			md[t] = m
		}
		if (("auto" in md) && ("perf" in md) && md["perf"] > bm)
			printf "auto (its path above) added cost / perf ring: %.2f; / ftrace ring: %.2f\n",
				(md["auto"] - bm) / (md["perf"] - bm), (md["auto"] - bm) / (md["ftrace"] - bm)
	}' "$pay/rows.$k"
done
