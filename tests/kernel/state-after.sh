#!/bin/sh
# Runs after every other test: tracefs must hold exactly what it held
# before the suite (no probe, no instance left behind).
[ -f "$LDEN_STATE_FILE" ] || { echo "SKIP: no state recorded"; exit 77; }
now=$(mktemp) || exit 99
sh "$top_srcdir/tests/kernel/state-snapshot.sh" > "$now"
if ! diff -u "$LDEN_STATE_FILE" "$now"; then
	echo "FAIL: the test suite left kernel state behind (diff above)"
	rm -f "$now"
	exit 1
fi
rm -f "$now"
echo "tracefs dynamic events and instances unchanged"
