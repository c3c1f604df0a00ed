#!/bin/sh
# Runs before every other test: records the tracefs state.
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
T=/sys/kernel/tracing
[ -d "$T/events" ] || mount -t tracefs nodev "$T" 2>/dev/null
[ -d "$T/events" ] || { echo "SKIP: no tracefs"; exit 77; }
sh "$top_srcdir/tests/kernel/state-snapshot.sh" > "$LDEN_STATE_FILE" || exit 99
cat "$LDEN_STATE_FILE"
