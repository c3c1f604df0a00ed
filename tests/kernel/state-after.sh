#!/bin/sh
# Runs after every other test: tracefs must hold exactly what it held
# before the suite (no probe, no instance left behind), and no test's
# cgroup or cgroup v1 hierarchy may be left (state-snapshot.sh).  The last tests'
# lden-close may still be tearing down for a moment: up to 10 s are given
# for tracefs to come back to the record.  What is still there then and
# held by a live lden session (tracefs/owner.c's lock) is another user's
# run on the same machine, in use, not left behind (a test's cgroup
# whose pid is alive likewise), and an lden object or test cgroup
# recorded before and gone now was swept (its owner dead) or removed:
# both are named, not failed; everything else is.
[ -f "$LDEN_STATE_FILE" ] || { echo "SKIP: no state recorded"; exit 77; }
now=$(mktemp) || exit 99
snap="$top_srcdir/tests/kernel/state-snapshot.sh"
i=0
while :; do
	sh "$snap" > "$now"
	cmp -s "$LDEN_STATE_FILE" "$now" && break
	i=$((i + 1))
	if [ $i -ge 50 ]; then
		held=$(diff "$LDEN_STATE_FILE" "$now" | grep '^[<>]')
		LDEN_SNAPSHOT_SKIP_LIVE=1 sh "$snap" > "$now"
		# an lden object recorded before and gone now was swept: its
		# owner was dead (a sweep takes only what no lock holds)
		# so was a test's cgroup recorded before and removed since
		if diff "$LDEN_STATE_FILE" "$now" | grep '^[<>]' |
			grep -v '^< cgroup \|^< v1 hierarchy ' |
			grep -qv '^< .*lden_'; then
			diff -u "$LDEN_STATE_FILE" "$now"
			echo "FAIL: the test suite left kernel state behind (diff above)"
			rm -f "$now"
			exit 1
		fi
		echo "note: other lden sessions' objects, live (left out) or swept (gone):"
		echo "$held"
		break
	fi
	sleep 0.2
done
rm -f "$now"
echo "tracefs dynamic events and instances, the tests' cgroups and v1 hierarchies unchanged"
