#!/bin/sh
# Prints the tracefs state lden must leave as it found it: the dynamic
# event files and the list of instances.
#
# With LDEN_SNAPSHOT_SKIP_LIVE=1, leaves out the probe groups and instances
# of lden sessions that are alive (their owner holds the shared flock on
# the directory, tracefs/owner.c): a test that compares tracefs before and
# after its own runs while other tests run beside it (make -j2) then sees
# only what is left behind: what a process that is gone left.
T=${LDEN_TRACEFS:-/sys/kernel/tracing}

# held DIR: some process holds DIR's lock (an lden session that is alive)
held() {
	[ -d "$1" ] && ! flock -n -x "$1" true 2>/dev/null
}

# live DIR: DIR is an object of an lden that is alive, or gone: an lden
# writes its probes a moment before it takes their lock, and removes them
# a moment after it drops it, so an object not held is given 3 s to be
# taken or removed before it counts as left behind
live() {
	_i=0
	while [ $_i -lt 30 ]; do
		[ -d "$1" ] || return 0
		held "$1" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

live_filter() {
	if [ "${LDEN_SNAPSHOT_SKIP_LIVE:-}" != 1 ]; then
		cat
		return
	fi
	while IFS= read -r line; do
		case $line in
		*:lden_*/*)
			g=${line#*:}
			g=${g%%/*}
			live "$T/events/$g" && continue ;;
		esac
		printf '%s\n' "$line"
	done
}

for f in kprobe_events uprobe_events dynamic_events; do
	if [ -r "$T/$f" ]; then
		echo "== $f"
		live_filter < "$T/$f"
	fi
done
echo "== instances"
ls "$T/instances" 2>/dev/null | while IFS= read -r i; do
	case $i in
	lden_*)
		[ "${LDEN_SNAPSHOT_SKIP_LIVE:-}" = 1 ] && live "$T/instances/$i" &&
			continue ;;
	esac
	printf '%s\n' "$i"
done
