#!/bin/sh
# lden in containers: PID namespaces share one tracefs.  Two lden that are
# both pid 1 of their namespace ('unshare --pid --fork', as in a
# container) and one on the host trace the same uprobe at once: three
# groups, all three count the same 10 calls.  An lden starting in a
# container sweeps probes left by dead lden processes; it must not take
# the host's live probes (their pid does not exist in its namespace), and
# a host lden must take a dead container lden's probes and only those.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_cmd unshare
LDEN="$top_builddir/src/lden"
UP="$top_builddir/tests/kernel/uprobe-target"
[ -x "$UP" ] || { echo "SKIP: $UP not built"; exit 77; }
[ -w "$T/uprobe_events" ] || { echo "SKIP: no uprobe_events"; exit 77; }
unshare --pid --fork true 2>/dev/null || { echo "SKIP: no PID namespaces"; exit 77; }
test_tmp
# a copy of its own: the kernel tests run the same target meanwhile (make -j)
cp "$UP" "$tmp/uprobe-target" && UP="$tmp/uprobe-target"
EXPR="count(uprobe($UP:lden_uprobe_target_fn)) > 9"

# probes_of GROUP: how many dynamic events GROUP has
probes_of() {
	grep -c ":$1/" "$T/uprobe_events"
}

# in_ns NAME ARGS...: lden ARGS as pid 1 of a new PID namespace, output in
# $tmp/NAME.out/.err; returns once it printed its header; the host pid
# of that lden in $lp (and $pids), its group in $lg, the pid of unshare
# (which exits as lden does) in $lu
in_ns() {
	_n=$1
	shift
	unshare --pid --fork --kill-child "$LDEN" "$@" \
		>"$tmp/$_n.out" 2>"$tmp/$_n.err" &
	_u=$!
	started $_u
	wait_for "$tmp/$_n.out" '^lden: watching' || fail "$_n: no header"
	lp=$(cat "/proc/$_u/task/$_u/children"); lp=${lp% }
	started "$lp"
	[ "$(awk '/^NSpid:/ { print $NF }' "/proc/$lp/status")" = 1 ] ||
		fail "$_n: lden is not pid 1 of its namespace"
	lg=$(lden_group "$lp")
	lu=$_u
}

# 1. a host lden, then two in containers: none takes another's probes,
# the second container's does not collide with the first's
notify_bg host "$EXPR" -t 60
host=$n
hg=$(lden_group "$host")
[ "$(probes_of "$hg")" = 1 ] || fail "host: no probe in its group $hg"
in_ns a notify "$EXPR" -t 60
a=$lu; ag=$lg
[ "$(probes_of "$hg")" = 1 ] ||
	fail "the container lden's sweep removed the host lden's live probe ($hg)"
in_ns b notify "$EXPR" -t 60
b=$lu; bg=$lg
[ "$ag" != "$bg" ] || fail "two containers' lden share group $ag"
for g in "$hg" "$ag" "$bg"; do
	[ "$(probes_of "$g")" = 1 ] || fail "group $g does not hold its probe"
done
echo "ok: three lden, three groups: $hg $ag $bg"

"$UP" 10 </dev/null || fail "uprobe-target failed"
for w in host:$host a:$a b:$b; do
	join "${w#*:}"
	[ "$rc" = 0 ] || fail "${w%%:*}: exit $rc, want 0 (fired)"
	c=$(awk '$1 ~ /^uprobe\(/ && $2 ~ /^[0-9]+$/ { print $2 }' "$tmp/${w%%:*}.out" | tail -n 1)
	[ "$c" = 10 ] || fail "${w%%:*}: counted '$c' calls, want 10"
done
for g in "$hg" "$ag" "$bg"; do
	[ "$(probes_of "$g")" = 0 ] || fail "group $g left behind"
done
echo "PASS: host and two pid-1 container lden trace one uprobe at once, each counts 10"

# 2. a container lden killed and a live one: the next host lden takes the
# dead one's probe, and only that
# (the live one first: a namespace's inode is reused as soon as it dies)
in_ns live notify "$EXPR" -t 60
live=$lu; livep=$lp; lg2=$lg
in_ns dead notify "$EXPR" -t 60
dead=$lu; dg=$lg
kill -KILL "$lp"
join "$dead"
# (any lden starting meanwhile, another test's, may sweep it first: that
# a probe stays until a sweep is test-owner's, which holds it)
"$LDEN" notify "count(task.create) > 1000000" -t 0.1 >"$tmp/sweep.out" 2>&1
[ "$(probes_of "$dg")" = 0 ] || fail "the host lden did not sweep the dead container's $dg"
[ "$(probes_of "$lg2")" = 1 ] || fail "the host lden swept the live container's $lg2"
kill -TERM "$livep"
join "$live"
[ "$(probes_of "$lg2")" = 0 ] || fail "the live container's lden left $lg2 on SIGTERM"
echo "PASS: a killed container lden's probe is swept by the next lden, a live one's is not"
