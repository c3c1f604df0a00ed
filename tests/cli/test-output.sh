#!/bin/sh
# stdout that cannot be written.  A reader gone ('lden trace exec |
# head -1') killed lden by SIGPIPE with its uprobes left in tracefs; a
# full disk (>/dev/full) was found only at the end, after tracing on for
# the whole --time into nothing (watch and notify --repeat: until
# stopped).  Now trace, io, top, watch and notify stop at the first
# failed write, exit 1, say it in one line (nothing for a reader gone),
# and leave nothing attached.  The workload execs /bin/true until told
# to stop; lden traces only it (-- CMD) with -t 60: ending within 20 s
# is the stop at the failed write.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
LDEN="$top_builddir/src/lden"
test_tmp
ns=$(stat -L -c %i /proc/self/ns/pid)

cat >"$tmp/execs.sh" <<'EOF'
end=$(($(date +%s) + 30))
while [ ! -e "$1" ] && [ "$(date +%s)" -lt $end ]; do /bin/true; done
EOF

# run NAME HOW lden-ARGS...: lden ARGS -t 60 (or $tflag, when set) --
# the workload, its stdout
# to 'head -n 1' (HOW pipe) or /dev/full (HOW full), at most 20 s; then
# $rc, $secs, and the probe group its pid names in $group
run() {
	_n=$1
	_how=$2
	shift 2
	rm -f "$tmp/stop" "$tmp/$_n.pid"
	_t0=$(date +%s)
	if [ "$_how" = pipe ]; then
		{ timeout 20 sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$tmp/$_n.pid" \
			"$LDEN" "$@" ${tflag--t 60} -- sh "$tmp/execs.sh" "$tmp/stop" \
			2>"$tmp/$_n.err"; echo $? >"$tmp/$_n.rc"; } | head -n 1 >"$tmp/$_n.out"
	else
		timeout 20 sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$tmp/$_n.pid" \
			"$LDEN" "$@" ${tflag--t 60} -- sh "$tmp/execs.sh" "$tmp/stop" \
			>/dev/full 2>"$tmp/$_n.err"
		echo $? >"$tmp/$_n.rc"
	fi
	secs=$(($(date +%s) - _t0))
	touch "$tmp/stop"
	rc=$(cat "$tmp/$_n.rc")
	group=lden_${ns}_$(cat "$tmp/$_n.pid")
}

# left NAME: fail if lden's group is in tracefs (probes or instance)
left() {
	if grep -q "$group[/:]" "$T/uprobe_events" "$T/kprobe_events" \
		"$T/dynamic_events" 2>/dev/null || [ -d "$T/instances/$group" ]; then
		fail "$1: $group left in tracefs: $(grep -h "$group" "$T/uprobe_events" "$T/dynamic_events" 2>/dev/null | cut -c 1-80)"
	fi
}

# 1. The reader gone: trace exec (uprobes on the C library here), io
# with its paths copied by uprobes, top
for c in "trace exec" "trace open --strings auto" "io" "top task.create -i 0.1"; do
	n=$(echo "$c" | tr -c 'a-z\n' _)
	# shellcheck disable=SC2086
	run "$n" pipe $c
	[ "$rc" = 124 ] && fail "$c | head -n 1: still running after 20 s"
	[ "$rc" = 1 ] || fail "$c | head -n 1: exit status $rc, want 1 (141: killed by SIGPIPE)"
	[ "$secs" -lt 20 ] || fail "$c | head -n 1: took $secs s"
	grep -q 'write error' "$tmp/$n.err" && fail "$c | head -n 1: a write error said for a reader gone"
	left "$c | head -n 1"
	echo "ok: $c | head -n 1: exit 1 after ${secs} s, $group not in tracefs"
done

# 2. A full disk: the first failed write stops the run, said once
for c in "trace exec" "io" "top task.create -i 0.1"; do
	n=full_$(echo "$c" | tr -c 'a-z\n' _)
	# shellcheck disable=SC2086
	run "$n" full $c
	[ "$rc" = 124 ] && fail "$c >/dev/full: still running after 20 s (-t 60)"
	[ "$rc" = 1 ] || fail "$c >/dev/full: exit status $rc, want 1"
	[ "$(grep -c 'write error' "$tmp/$n.err")" = 1 ] &&
		grep -q '^lden: write error on stdout: No space left on device$' "$tmp/$n.err" ||
		fail "$c >/dev/full: no one line 'write error on stdout: No space left on device'"
	left "$c >/dev/full"
	echo "ok: $c >/dev/full: exit 1 after ${secs} s: $(grep 'write error' "$tmp/$n.err")"
done
# 3. watch and notify --repeat: a full disk stopped them only at -t's end
# (they ran on until stopped, writing into nothing); a reader gone too
printf 'rule forks\n\twhen\tcount(task.create) >= 0\n' >"$tmp/forks.rules"
for c in "watch -r $tmp/forks.rules -i 100" "watch -r $tmp/forks.rules -i 100 --json" \
	"notify --repeat -i 100 count(task.create)>=0" \
	"notify --repeat --json -i 100 count(task.create)>=0"; do
	for how in full pipe; do
		# --json | head -n 1: the one line it writes goes through
		case $how$c in pipe*--json*) continue ;; esac
		n=$how$(echo "$c" | tr -c 'a-z\n' _ | cut -c 1-40)
		# watch has no -t: the workload's end (30 s) stops it
		case $c in watch*) tflag= ;; *) unset tflag ;; esac
		# shellcheck disable=SC2086
		run "$n" $how $c
		[ "$rc" = 124 ] && fail "$c ($how): still running after 20 s (-t 60)"
		[ "$rc" = 1 ] || fail "$c ($how): exit status $rc, want 1"
		drop_sweep "$tmp/$n.err"
		if [ $how = full ]; then
			[ "$(cat "$tmp/$n.err")" = "lden: write error on stdout: No space left on device" ] ||
				fail "$c >/dev/full: stderr is not the one line 'write error on stdout: No space left on device'"
		else
			[ -s "$tmp/$n.err" ] && fail "$c | head -n 1: said something for a reader gone"
		fi
		left "$c ($how)"
		echo "ok: $c ($how): exit 1 after ${secs} s"
	done
done
echo "PASS: a closed pipe or a full disk on stdout stops trace, io, top, watch and notify --repeat at once, nothing left"
