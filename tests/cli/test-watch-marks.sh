#!/bin/sh
# A rule's texts (describe, labels, annotations) carry the marks of the
# numbers their {{ }} values read, as the table and the transition's
# exactness note do: a speed that is an average over more than the last
# second is followed by "(speed estimated)" (lden watch -i 1500: no tick
# is a second old), never at -i 100.  The reads are read-burst's, scoped
# to its pid: the count in the text is exact.
set -u
. "$top_srcdir/tests/cli/lib.sh"
live_tmp jq
need_read_burst

cat > "$tmp/marks.rules" <<'EOF2'
rule reads
	describe	{{ speed(guard.read) }} reads a second, {{ count(guard.read) }} in all
	when		count(guard.read) >= 1000
	annotation	rate {{ speed(guard.read) }}/s
EOF2

snapshot > "$tmp/state.before" || exit 99

for iv in 1500 100; do
	burst b$iv 1000
	"$LDEN" watch --json -i $iv -r "$tmp/marks.rules" -d "$EVENTS" --pid "$w" \
		>"$tmp/w$iv.out" 2>"$tmp/w$iv.err" &
	n=$!
	started $n
	wait_for "$tmp/w$iv.out" '"type":"start"' || fail "-i $iv: did not start"
	# at -i 100, a tick a second old: lden a second old first (younger,
	# the speed is an average over less, marked)
	[ $iv = 1500 ] || lden_second $n || fail "-i $iv: lden did not run"
	release "$tmp/b$iv.go"
	join "$w"
	[ $rc = 0 ] || fail "read-burst failed"
	wait_for "$tmp/w$iv.out" '"state":"firing"' || fail "-i $iv: the rule did not fire"
	kill -TERM $n
	join $n
	[ $rc = 143 ] || fail "-i $iv: exit $rc after SIGTERM"
	jq -c 'select(.type == "transition" and .state == "firing")' "$tmp/w$iv.out" > "$tmp/f$iv.json"
	est=$(jq -r '.values[0].speed_estimated // false' "$tmp/f$iv.json")
	speed=$(jq -r '.values[0].speed' "$tmp/f$iv.json")
	desc=$(jq -r '.describe' "$tmp/f$iv.json")
	rate=$(jq -r '.annotations.rate' "$tmp/f$iv.json")
	[ "$(jq -r '.values[0].count' "$tmp/f$iv.json")" = 1000 ] || fail "-i $iv: count is not 1000"
	if [ $iv = 1500 ]; then
		[ "$est" = true ] || fail "-i 1500: the speed is not estimated (the case tests nothing)"
		# the template's value has its fraction (664.881), the
		# JSON's speed is rounded (665)
		printf '%s\n' "$desc" | grep -Eqx '[0-9]+(\.[0-9]+)? \(speed estimated\) reads a second, 1000 in all' ||
			fail "-i 1500: describe '$desc' does not mark the estimated speed $speed"
		printf '%s\n' "$rate" | grep -Eqx '[0-9]+(\.[0-9]+)? \(speed estimated\)/s' ||
			fail "-i 1500: annotation '$rate' does not mark the estimated speed"
	else
		[ "$est" = false ] || fail "-i 100: the speed is estimated"
		[ "$desc" = "$speed reads a second, 1000 in all" ] ||
			fail "-i 100: describe '$desc', speed $speed"
	fi
done
echo "PASS: an estimated speed is marked in the rule's texts at -i 1500 ('(speed estimated)'), not at -i 100; the count exact"

# ---------------------------------------------------------------------
# From a terminal (tests/cli/pty-run.py: lden in its foreground), an exec
# action that reads stdin, in a group of its own, reads /dev/null: end of
# file at once ('read' fails, 1); its environment marks a lost that is the
# ftrace ring's (LOST_SHARED, 0 here: per process, the perf ring) and has
# LDEN_LOST_TOTAL.  Old code: the terminal, SIGTTIN, the command stopped
# until its timeout killed it (the file never written), no LOST_SHARED.
need_cmd python3
cat > "$tmp/tty.rules" <<EOF2
rule reads
	when		count(guard.read) >= 10
	action		exec read x; echo "read=\$?" > $tmp/read.txt; env | grep ^LDEN_ > $tmp/env.txt
EOF2
burst tty 10
python3 "$top_srcdir/tests/cli/pty-run.py" 30 "$tmp/tty.txt" "$LDEN" watch -i 100 \
	-r "$tmp/tty.rules" -d "$EVENTS" --pid "$w" 2>"$tmp/tty.err" &
p=$!
started $p
until_file "$tmp/tty.txt.pid" || fail "tty: pty-run did not start"
wait_for "$tmp/tty.txt" 'watching' || fail "tty: watch did not start"
release "$tmp/tty.go"
join "$w"
until_file "$tmp/env.txt" 15 ||
	fail "tty: the exec action never got past its read of stdin (stopped by SIGTTIN?)"
kill -TERM "$(cat "$tmp/tty.txt.pid")"
join $p
[ "$(cat "$tmp/read.txt")" = read=1 ] ||
	fail "tty: the action's read of stdin: '$(cat "$tmp/read.txt")', not end of file (read=1)"
grep -qx 'LDEN_GUARD_READ_LOST_SHARED=0' "$tmp/env.txt" || fail "tty: no LDEN_GUARD_READ_LOST_SHARED=0"
grep -qx 'LDEN_LOST_TOTAL=0' "$tmp/env.txt" || fail "tty: no LDEN_LOST_TOTAL=0"
echo "PASS: from a terminal, an exec action reading stdin gets end of file (/dev/null); LOST_SHARED and LDEN_LOST_TOTAL in its environment"

snapshot > "$tmp/state.after"
diff -u "$tmp/state.before" "$tmp/state.after" > "$tmp/state.diff.out" ||
	{ cat "$tmp/state.diff.out"; fail "tracefs changed"; }
echo "PASS: tracefs as before"
