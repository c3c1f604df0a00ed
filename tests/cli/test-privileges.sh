#!/bin/sh
# Without the privileges tracing needs, lden says in one line how to get
# them (root, or CAP_PERFMON; CAP_SYS_ADMIN for kprobes) with the value of
# kernel.perf_event_paranoid, exits 1, and leaves nothing in the kernel:
# every tracing command and recipe.
set -u
. "$top_srcdir/tests/cli/lib.sh"
LDEN="$top_builddir/src/lden"
TARGET="$top_builddir/tests/kernel/uprobe-target"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to drop privileges"; exit 77; }
command -v setpriv >/dev/null || { echo "SKIP: no setpriv (util-linux)"; exit 77; }
[ -r /proc/sys/kernel/perf_event_paranoid ] || { echo "SKIP: no perf events"; exit 77; }
paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
tmp=$(mktemp -d) || exit 1
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
tracing=/sys/kernel/tracing
[ -f $tracing/uprobe_events ] || tracing=/sys/kernel/debug/tracing

# one_line_fix NAME: NAME.err is one line naming the fix and the paranoid value
one_line_fix() {
	drop_sweep "$tmp/$1.err"
	[ "$(wc -l < "$tmp/$1.err")" -eq 1 ] || fail "$1: not one line on stderr"
	for want in "^lden: " "permission denied" "run as root" "CAP_PERFMON" \
		"CAP_SYS_ADMIN for kprobes" "kernel.perf_event_paranoid is $paranoid)"; do
		grep -q -e "$want" "$tmp/$1.err" || fail "$1: no '$want' in the message"
	done
}

# 1. Another user (nobody), no capabilities: tracefs is not readable.
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$LDEN" notify "count(task.create) > 1" -t 1 >"$tmp/nobody.out" 2>"$tmp/nobody.err"
rc=$?
[ $rc = 1 ] || fail "nobody: exit status $rc, not 1"
one_line_fix nobody
echo "ok: as nobody: $(cat "$tmp/nobody.err")"

# 2. root's uid without any capability: tracefs is readable (root owns it)
# but perf_event_open is refused.
setpriv --bounding-set=-all --inh-caps=-all \
	"$LDEN" notify "count(task.create) > 1" -t 1 >"$tmp/nocaps.out" 2>"$tmp/nocaps.err"
rc=$?
[ $rc = 1 ] || fail "no capabilities: exit status $rc, not 1"
one_line_fix nocaps
grep -q "opening 'sched:" "$tmp/nocaps.err" || fail "no capabilities: the message does not name the event"
echo "ok: without capabilities: $(cat "$tmp/nocaps.err")"

# 3. The same with a uprobe: the probe is created in lden's group (uid 0
# may write uprobe_events), the open is refused, and the probe is gone when
# lden has exited.  The shell execs setpriv, which execs lden: one pid.
if [ -x "$TARGET" ] && [ -w $tracing/uprobe_events ]; then
	sh -c 'echo $$ > "$1"; shift; exec "$@"' sh "$tmp/pid" \
		setpriv --bounding-set=-all --inh-caps=-all "$LDEN" notify \
		"count(uprobe($TARGET:lden_uprobe_target_fn)) > 1" -t 1 \
		>"$tmp/uprobe.out" 2>"$tmp/uprobe.err"
	rc=$?
	pid=$(cat "$tmp/pid")
	group=lden_$(stat -L -c %i /proc/self/ns/pid)_$pid
	[ $rc = 1 ] || fail "uprobe without capabilities: exit status $rc, not 1"
	one_line_fix uprobe
	grep -q "opening '$group:" "$tmp/uprobe.err" ||
		fail "uprobe: the probe was not created in group $group before the open failed"
	if grep -q "$group[/:]" $tracing/uprobe_events $tracing/dynamic_events 2>/dev/null; then
		fail "uprobe: group $group left in tracefs"
	fi
	echo "ok: the uprobe $group created before the refusal is removed"
else
	echo "note: no uprobe-target or uprobe_events: uprobe case not run"
fi

# 4. Every tracing command and recipe the same way: exit 1 (trace and top
# said 2, a usage error, when perf_event_open was refused), the one line,
# and trace exec's uprobes (created before the refusal) removed.
for c in "trace task.create" "trace exec" "trace open" "trace tcp-accept" \
	"trace socket" "top task.create" "top net" "top drops" "io" \
	"visualize -o json --no-dashboard -e task.create" "notify count(task.create)>1"; do
	n=$(echo "$c" | tr -c 'a-z\n' _)
	# shellcheck disable=SC2086
	sh -c 'echo $$ > "$1"; shift; exec "$@"' sh "$tmp/pid" \
		setpriv --bounding-set=-all --inh-caps=-all "$LDEN" $c -t 1 \
		>"$tmp/$n.out" 2>"$tmp/$n.err"
	rc=$?
	group=lden_$(stat -L -c %i /proc/self/ns/pid)_$(cat "$tmp/pid")
	[ $rc = 1 ] || fail "$c without capabilities: exit status $rc, not 1"
	# (what another lden left and this one swept is said on a line of its own)
	grep -v -e 'cannot reach Elasticsearch' -e 'left by lden processes that are gone' \
		"$tmp/$n.err" >"$tmp/$n.err1"
	mv "$tmp/$n.err1" "$tmp/$n.err"
	one_line_fix "$n"
	if grep -q "$group[/:]" $tracing/uprobe_events $tracing/dynamic_events 2>/dev/null ||
		[ -d "$tracing/instances/$group" ]; then
		fail "$c without capabilities: $group left in tracefs"
	fi
done
echo "ok: trace, top (and their recipes), io, visualize, notify without capabilities: exit 1, one line, nothing left"

# 5. What needs no privilege still works: the catalog's names.
n=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$LDEN" list-events --names 2>"$tmp/names.err" | wc -l)
[ "$n" -ge 20 ] || fail "list-events --names as nobody printed $n names"
[ -s "$tmp/names.err" ] && fail "list-events --names as nobody wrote to stderr"
echo "PASS"
