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
# when the guest has it, perf record (the host's perf, shipped in the
# payload with its libraries: boot-test.sh copies what ldd finds) on the
# same tracepoint with the same filter, system-wide, into a file in the
# guest's RAM, enabled through its control fifo before the workload
# starts.  Reported per tracer: the median loop time, the slowdown against
# the baseline, the added ns per event, and lden's SIZE and COUNT (equal:
# every event summed once, whichever path) or perf record's samples, the
# records each lost (lden's LOST column; perf record's PERF_RECORD_LOST
# records and its lost-samples counter, the larger), a trial that lost
# any marked LOST; and each lden path's added cost over perf record's.
#
# Knobs [defaults]: N [200000], REPS [5], KM_KERNELS [linux-image-amd64
# linux-image-6.12-amd64; a Debian package, or "nobpf" = the matrix's
# kernels/bzImage-6.1-nobpf, or a bzImage's path], PERF [the host's perf
# on PATH; empty: none in the guest].
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
PERF=${PERF-$(command -v perf)}

pay=$(mktemp -d /tmp/lden-hist-bench.XXXXXX) || exit 1
trap 'rm -rf "$pay"' EXIT
mkdir "$pay/hb"
gcc -O2 -static -o "$pay/hb/workload" "$BENCH_DIR/workload.c" || exit 1
cp "$BUILDDIR/src/lden" "$pay/hb/"
cp "$BENCH_DIR/bench.events" "$pay/hb/"
cp -r "$BENCH_DIR/../kprobe_events" "$pay/hb/events"
if [ -n "$PERF" ]; then
	[ -x "$PERF" ] || { echo "hist-matrix.sh: PERF=$PERF is not executable" >&2; exit 1; }
	cp "$PERF" "$pay/hb/perf"
fi
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
if [ -x ./perf ] && v=$(./perf --version 2>&1); then
	echo "=== $v"
	tracers="$tracers perf-record"
else
	echo "=== no perf in the guest${v:+: $v}"
fi
export HOME=$PWD	# perf record's build-id cache
# the workload: its loop's ns and its CPU time (user + system, of the
# whole process) in us, one field "LOOP_NS/CPU_US"
wl() {
	./workload $N | sed -n 's/.*elapsed_ns=\([0-9]*\).*utime_s=\([0-9]*\)\.\([0-9]*\) stime_s=\([0-9]*\)\.\([0-9]*\).*/\1 \2\3 \4\5/p' |
		awk '{ printf "%s/%d\n", $1, ($2 + $3) * 1000 }'
}
# perf record on lden's event (bench.ret: the tracepoint and its filter),
# as bench/run.sh runs it: started disabled, enabled through its control
# fifo, its ack read before the workload starts.  Prints the loop ns, -,
# the samples and the records lost (PERF_RECORD_LOST records or its
# lost-samples counter, the larger)
perf_trial() {
	rm -f pr.data pr.err ctl ack
	mkfifo ctl ack
	./perf record -D -1 --control fifo:ctl,ack -e syscalls:sys_exit_openat \
		--filter 'ret >= 0' -a -o pr.data 2>pr.err &
	p=$!
	exec 3<>ctl 4<>ack
	echo enable >&3
	a=
	read -r -t 120 a <&4
	exec 3>&- 4>&-
	if [ "$a" != ack ]; then
		kill -INT $p; wait $p; echo "- - - -"; cat pr.err >&2; return
	fi
	ns=$(wl)
	kill -INT $p; wait $p
	./perf report -i pr.data --stats >pr.stats 2>&1
	set -- $(awk '/^ *LOST events:/ {k = $3}
		/sys_exit_openat stats:/ {f = 1}
		f && /^ *SAMPLE events:/ {s = $3}
		f && /^ *LOST_SAMPLES events:/ {l = $3}
		END {print s + 0, k + 0, l + 0}' pr.stats)
	s=$1 lrec=0 lst=$3
	# the count of lost records only when there are PERF_RECORD_LOST
	# records (perf script reads the whole file: slow under TCG)
	[ "$2" -gt 0 ] && lrec=$(./perf script -i pr.data -F cpu --show-lost-events 2>/dev/null |
		awk '/PERF_RECORD_LOST/ {l += $NF} END {print l + 0}')
	[ "$lrec" -gt "$lst" ] && lst=$lrec
	echo "perf-record: $(grep -h 'perf record:' pr.err | tr '\n' ' ')" >&2
	echo "$ns - $s $lst"
	rm -f pr.data
}
trial() {	# $1 = tracer or baseline; prints the loop ns, SIZE, COUNT, LOST
	if [ "$1" = baseline ]; then
		echo "$(wl) - - -"
		return
	fi
	[ "$1" = perf-record ] && { perf_trial; return; }
	# a fresh file: with the last repetition's header in it, the wait
	# below ended at once and the workload began before lden attached
	rm -f out.$1
	./lden notify "size(bench.ret) > 1e18" -d . --max-cpu 0 --ring $1 -t 3600 >out.$1 2>&1 &
	p=$!
	i=0
	until grep -q '^lden: watching' out.$1; do
		i=$((i + 1)); [ $i -gt 600 ] && { echo "- - - -"; kill $p; return; }
		sleep 0.05
	done
	ns=$(wl)
	kill -INT $p; wait $p
	# notify's table: ENAME COUNT SIZE SPEED [LOST] (LOST when not 0)
	set -- $(awk '/^ENAME/ { hl = ($NF == "LOST") }
		$1 == "bench.ret" && $2 ~ /^[0-9]+$/ { print $2, $3, (hl ? $5 : 0) }' out.$1)
	echo "$ns ${2:--} ${1:--} ${3:--}"
}
for r in $(seq $REPS); do
	for t in baseline $tracers; do
		echo "row $t $r $(trial $t)"
	done
	tracers="$(echo $tracers | cut -d' ' -f2-) $(echo $tracers | cut -d' ' -f1)"
done
for t in $tracers; do
	[ -f out.$t ] && echo "path $t: $(grep -h '^  bench.ret' out.$t | sort -u)"
done
echo "KM_BENCH_DONE"
EOF
chmod +x "$pay/hb/run"

for k in $KERNELS; do
	echo "=== $k"
	# as the matrix's matrix.sh names them
	if [ -f "$KM/kernels/bzImage-6.1-$k" ]; then src="--kernel $KM/kernels/bzImage-6.1-$k"
	elif [ -f "$k" ]; then src="--kernel $k"
	else src="--kernel-pkg $k"; fi
	# shellcheck disable=SC2086 # src is two words
	"$KM/boot-test.sh" $src --timeout 1500 --out "$pay/out.$k" \
		"$pay/hb" >/dev/null 2>"$pay/log.$k"
	grep -h -e '^row ' -e '^===' -e '^path ' -e '^perf-record: ' "$pay/out.$k/console.log" |
		tr -d '\r' >"$pay/rows.$k"
	grep '^===\|^path \|^perf-record: ' "$pay/rows.$k"
	# a guest that died part way (an oops under TCG, the timeout): said,
	# with what it printed last, and the rows it gave
	if ! grep -q '^KM_BENCH_DONE' "$pay/out.$k/console.log"; then
		echo "=== $k: the guest did not finish; boot-test.sh said:"
		tail -n 3 "$pay/log.$k"
		echo "=== its console's last lines:"
		tr -d '\r' <"$pay/out.$k/console.log" | grep -v '^row ' | tail -n 8
	fi
	# every trial: tracer, repetition, loop ns/the workload's CPU us,
	# SIZE, COUNT (perf record: its samples), lost
	grep '^row ' "$pay/rows.$k"
	awk -v n="$N" '
	function med(a, k,   i, j, t) {
		for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j+1] = a[j]; a[j+1] = t }
		return (k % 2) ? a[(k+1)/2] : (a[k/2] + a[k/2+1]) / 2
	}
	function ratios(what, m, b) {
		if (("auto" in m) && ("perf" in m) && m["perf"] > b)
			printf "%s: auto (its path above) added / perf ring: %.2f; / ftrace ring: %.2f\n", what,
				(m["auto"] - b) / (m["perf"] - b), (m["auto"] - b) / (m["ftrace"] - b)
		if (("perf-record" in m) && m["perf-record"] > b)
			printf "%s: added / perf record'"'"'s: auto %.2f, ftrace ring %.2f, perf ring %.2f\n", what,
				(m["auto"] - b) / (m["perf-record"] - b), (m["ftrace"] - b) / (m["perf-record"] - b),
				(m["perf"] - b) / (m["perf-record"] - b)
	}
	$1 == "row" && $4 != "-" {
		t = $2; if (!(t in c)) o[++nt] = t
		split($4, f, "/")
		c[t]++; v[t, c[t]] = f[1]; u[t, c[t]] = f[2] * 1000; sz[t] = $5; ct[t] = $6
		if ($7 != "-" && $7 > 0) { nl[t]++; lo[t] += $7; lt[t, c[t]] = 1; bad[t, $3] = 1 }
		x[t, $3] = f[1]; if ($3 > nr) nr = $3
	}
	$1 == "row" && $4 == "-" { nf[$2]++ }
	END {
		for (i = 1; i <= c["baseline"]; i++) { b[i] = v["baseline", i]; bc[i] = u["baseline", i] }
		bm = med(b, c["baseline"]); bu = med(bc, c["baseline"])
		printf "%-12s %4s %9s %8s %11s %9s %11s %10s %10s %s\n", "tracer", "runs", "loop_ms", "slowdown", "added_ns/ev",
			"wl_cpu_ms", "cpu_ns/ev", "SIZE", "COUNT", "marks"
		for (k = 1; k <= nt; k++) {
			t = o[k]
			for (i = 1; i <= c[t]; i++) { a[i] = v[t, i]; a2[i] = u[t, i] }
			m = med(a, c[t]); mu = med(a2, c[t])
			mk = (nl[t] ? sprintf("LOST in %d trials (%d records)", nl[t], lo[t]) : "")
			printf "%-12s %4d %9.1f %7.2fx %11.0f %9.1f %11.0f %10s %10s %s\n", t, c[t], m / 1e6, m / bm, (m - bm) / n,
				mu / 1e6, (mu - bu) / n, (t == "baseline" ? "-" : sz[t]), (t == "baseline" ? "-" : ct[t]), mk
			md[t] = m; mc[t] = mu
		}
		for (t in nf) printf "%s: %d trials failed (not started)\n", t, nf[t]
		ratios("loop, medians", md, bm)
		ratios("workload cpu, medians", mc, bu)
		# the host'"'"'s load only ever slows a trial down: the fastest of
		# each is the least disturbed (perf record'"'"'s that lost records
		# left out: they did less)
		for (t in c) for (i = 1; i <= c[t]; i++)
			if (!(t in lm) || v[t, i] < lm[t]) if (!(t == "perf-record" && lt[t, i])) lm[t] = v[t, i]
		ratios("loop, fastest of each", lm, lm["baseline"])
		# per repetition, against the baseline and perf record of the
		# same repetition (a few seconds apart): the median of each
		# path'"'"'s ratio over the repetitions where perf record lost nothing
		np = 0
		for (r = 1; r <= nr; r++) {
			p = x["perf-record", r] - x["baseline", r]
			if (x["perf-record", r] == "" || x["baseline", r] == "" || p <= 0 || bad["perf-record", r])
				continue
			np++
			for (k = 1; k <= nt; k++)
				if (o[k] != "baseline" && o[k] != "perf-record")
					pr[o[k], np] = (x[o[k], r] - x["baseline", r]) / p
		}
		if (np) {
			printf "loop, per repetition (median of %d): added / perf record'"'"'s:", np
			for (k = 1; k <= nt; k++)
				if (o[k] != "baseline" && o[k] != "perf-record") {
					for (i = 1; i <= np; i++) a[i] = pr[o[k], i]
					printf " %s %.2f", o[k], med(a, np)
				}
			printf "\n"
		}
	}' "$pay/rows.$k"
done
