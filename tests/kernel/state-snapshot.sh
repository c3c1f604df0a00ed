#!/bin/sh
# Prints the tracefs state lden must leave as it found it: the dynamic
# event files and the list of instances.
T=${LDEN_TRACEFS:-/sys/kernel/tracing}
for f in kprobe_events uprobe_events dynamic_events; do
	if [ -r "$T/$f" ]; then
		echo "== $f"
		cat "$T/$f"
	fi
done
echo "== instances"
ls "$T/instances" 2>/dev/null
