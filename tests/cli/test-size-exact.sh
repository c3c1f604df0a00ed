#!/bin/sh
# Sizes past 2^53 are shown and compared exactly, never through a double
# (which holds a whole number exactly only below 2^53).  An events file
# sizes each openat 'mode * 0 + 9007199254740993' (2^53 + 1); the test's
# own workload makes 7 openat calls: the size is 63050394783186951,
# which as a double is 63050394783186952.
#  1. notify: 'size(my.open) > 63050394783186950' fires (as doubles both
#     sides are ...952: the old code never fired), its table and its
#     script's LDEN_MY_OPEN_SIZE say ...951;
#  2. watch: an annotation '{{ size(my.open) }}' says ...951 (the old
#     code wrote ...952, unmarked);
#  3. visualize -o json: size_total ...951.
set -u
LDEN="$top_builddir/src/lden"
TARGET="$top_builddir/tests/kernel/open-target"
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
test_tmp
[ -r "$T/events/syscalls/sys_enter_openat/format" ] ||
	{ echo "SKIP: no syscall tracepoints"; exit 77; }

SIZE=63050394783186951
mkdir "$tmp/ev"
printf 'event my.open\n\tdescribe\topens\n\ttracepoint\tsyscalls:sys_enter_openat\n\tsize\t\tmode * 0 + 9007199254740993\n' \
	>"$tmp/ev/o.events"

# --- 1. notify ----------------------------------------------------------
workload n "$TARGET" 7
"$LDEN" notify "count(my.open) >= 7 and size(my.open) > 63050394783186950" \
	--events-dir "$tmp/ev" --pid $wpid -t 30 -i 50 \
	-s "printf '%s\n' \"\$LDEN_MY_OPEN_SIZE\" >'$tmp/env.txt'" \
	>"$tmp/n.out" 2>"$tmp/n.err" &
l=$!
started $l
wait_for "$tmp/n.out" "^lden: watching " || fail "notify did not start"
release_workload n
join $l
[ $rc = 0 ] || fail "notify: exit $rc, not 0 (never fired: compared as doubles?)"
[ "$(awk '$1 == "my.open" && $2 ~ /^[0-9]+$/ { print $2, $3 }' "$tmp/n.out")" = "7 $SIZE" ] ||
	fail "notify: the table does not say 7 $SIZE"
[ "$(cat "$tmp/env.txt")" = $SIZE ] ||
	fail "notify: LDEN_MY_OPEN_SIZE=$(cat "$tmp/env.txt"), not $SIZE"
exec 8>&-
echo "PASS: notify: fired on size > ...950, table and script say $SIZE"

# --- 2. watch -------------------------------------------------------------
printf 'rule big\n\twhen\tcount(my.open) >= 7\n\tannotation\ttotal {{ size(my.open) }} bytes, {{ size(my.open) / 7 }} each\n' \
	>"$tmp/big.rules"
workload w "$TARGET" 7
"$LDEN" watch --json -r "$tmp/big.rules" --events-dir "$tmp/ev" --pid $wpid \
	-i 100 >"$tmp/w.out" 2>"$tmp/w.err" &
l=$!
started $l
wait_for "$tmp/w.out" '"type":"start"' || fail "watch: did not start"
release_workload w
wait_for "$tmp/w.out" '"state":"firing"' || fail "watch: the rule never fired"
kill -INT $l
join $l
grep '"state":"firing"' "$tmp/w.out" |
	grep -q "\"total\":\"$SIZE bytes, 9007199254740993 each\"" ||
	fail "watch: the annotation 'total' is not '$SIZE bytes, 9007199254740993 each'"
exec 8>&-
echo "PASS: watch: the annotation says $SIZE"

# --- 3. visualize -o json --------------------------------------------------
workload v "$TARGET" 7
"$LDEN" visualize -e my.open -d "$tmp/ev" -o json --no-dashboard -i 0.1 \
	--pid $wpid >"$tmp/v.out" 2>"$tmp/v.err" &
l=$!
started $l
wait_for "$tmp/v.out" '"event":"my.open"' || fail "visualize: no point"
release_workload v
wait_for "$tmp/v.out" '"count_total":7,' || fail "visualize: never 7 opens"
kill -INT $l
join $l
grep '"count_total":7,' "$tmp/v.out" | grep -q "\"size_total\":$SIZE," ||
	fail "visualize: size_total is not $SIZE"
exec 8>&-
echo "PASS: visualize: size_total $SIZE"
echo "PASS: test-size-exact"
