#!/bin/sh
# Prints the kernel state lden and its tests must leave as they found
# it: tracefs's dynamic event files and list of instances, and the
# cgroups the tests make: directories named lden-* (lden-test-PID-x,
# lden-test-scope-PID ...), ldentest* or docker-<a test's id>.scope in
# any cgroup file system (two levels deep), and the cgroup v1 hierarchies
# named ldentest<PID> (test-scope.sh mounts one: one unmounted with a
# child still dying is kept by the kernel for good; /proc/self/cgroup
# shows every hierarchy, mounted or not).
#
# With LDEN_SNAPSHOT_SKIP_LIVE=1, leaves out the probe groups and instances
# of lden sessions that are alive (their owner holds the shared flock on
# the directory, tracefs/owner.c): a test that compares tracefs before and
# after its own runs while other tests run beside it (make -j2) then sees
# only what is left behind: what a process that is gone left.  A test's
# cgroup or hierarchy is left out likewise while the process whose pid
# its name holds is alive (another test, or another user's suite, at
# work).
T=${LDEN_TRACEFS:-/sys/kernel/tracing}

# held DIR: some process holds DIR's lock (an lden session that is alive),
# as /proc/locks says (major:minor in hex, inode): taking the lock to find
# out (flock -n -x) would make a sweep pass over DIR meanwhile, as if its
# owner lived (test-owner's two_pid_ones saw its sweep do so)
held() {
	[ -d "$1" ] || return 1
	# (major and minor from st_dev as glibc's makedev() packs them:
	# stat's %Hd and %Ld are not in older coreutils)
	_id=$(stat -c '%d %i' "$1" |
		awk '{ d = $1; printf "%02x:%02x:%s", int(d / 256) % 4096, d % 256 + int(d / 1048576) * 256, $2 }')
	grep -q " FLOCK .* $_id " /proc/locks
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

# pid_alive PID: the process of a cgroup's name is alive
pid_alive() {
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null
}

# cg_pid NAME: the pid a test's cgroup name holds (docker-XX<10 digits of
# pid><52 zeros>.scope, else the name's first digits)
cg_pid() {
	case $1 in
	docker-*.scope) printf '%s' "$1" | cut -c10-19 | sed 's/^0*//' ;;
	*) printf '%s' "$1" | sed -n 's/^[^0-9]*\([0-9][0-9]*\).*/\1/p' ;;
	esac
}

echo "== cgroups"
awk '$3 == "cgroup2" || $3 == "cgroup" { print $2 }' /proc/mounts | sort -u |
while IFS= read -r m; do
	find "$m" -mindepth 1 -maxdepth 2 -type d \( -name 'lden-*' -o \
		-name 'ldentest*' -o \
		-name 'docker-*0000000000000000000000000000000000000000000000000000.scope' \) \
		-print 2>/dev/null
done | sort | while IFS= read -r d; do
	if [ "${LDEN_SNAPSHOT_SKIP_LIVE:-}" = 1 ] &&
		pid_alive "$(cg_pid "${d##*/}")"; then
		continue
	fi
	printf 'cgroup %s\n' "$d"
done
sed -n 's/^[0-9]*:\(name=ldentest[0-9]*\):.*/\1/p' /proc/self/cgroup | sort |
while IFS= read -r h; do
	if [ "${LDEN_SNAPSHOT_SKIP_LIVE:-}" = 1 ] &&
		pid_alive "${h#name=ldentest}"; then
		continue
	fi
	printf 'v1 hierarchy %s\n' "$h"
done
