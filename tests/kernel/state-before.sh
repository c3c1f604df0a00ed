#!/bin/sh
# Runs before every other test: records the tracefs state.  What lden
# processes that are gone left behind (a killed run before the suite) is
# swept first, as the first lden of the suite would sweep it: the record
# is what the suite must leave, not what any lden would take away.  The
# live sessions of other lden processes (another user's run) are left out.
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
T=/sys/kernel/tracing
[ -d "$T/events" ] || mount -t tracefs nodev "$T" 2>/dev/null
[ -d "$T/events" ] || { echo "SKIP: no tracefs"; exit 77; }
"$top_builddir/src/lden" trace task.create -- true >/dev/null 2>&1 ||
	echo "note: the sweeping run of lden failed"
LDEN_SNAPSHOT_SKIP_LIVE=1 sh "$top_srcdir/tests/kernel/state-snapshot.sh" > "$LDEN_STATE_FILE" || exit 99
cat "$LDEN_STATE_FILE"
