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
TARGET="$top_builddir/tests/kernel/open-target"
. "$top_srcdir/tests/cli/lib.sh"
live_tmp
need_syscall_tp sys_enter_openat

SIZE=63050394783186951
mkdir "$tmp/ev"
printf 'event my.open\n\tdescribe\topens\n\ttracepoint\tsyscalls:sys_enter_openat\n\tsize\t\tmode * 0 + 9007199254740993\n' \
	>"$tmp/ev/o.events"

# --- 1. notify ----------------------------------------------------------
workload n "$TARGET" 7
notify_released n "count(my.open) >= 7 and size(my.open) > 63050394783186950" \
	--events-dir "$tmp/ev" --pid $wpid -t 30 -i 50 \
	-s "printf '%s\n' \"\$LDEN_MY_OPEN_SIZE\" >'$tmp/env.txt'"
[ $rc = 0 ] || fail "notify: exit $rc, not 0 (never fired: compared as doubles?)"
[ "$(notify_row "$tmp/n.out" my.open)" = "7 $SIZE" ] ||
	fail "notify: the table does not say 7 $SIZE"
[ "$(cat "$tmp/env.txt")" = $SIZE ] ||
	fail "notify: LDEN_MY_OPEN_SIZE=$(cat "$tmp/env.txt"), not $SIZE"
exec 8>&-
echo "PASS: notify: fired on size > ...950, table and script say $SIZE"

# --- 2. watch -------------------------------------------------------------
printf 'rule big\n\twhen\tcount(my.open) >= 7\n\tannotation\ttotal {{ size(my.open) }} bytes, {{ size(my.open) / 7 }} each\n' \
	>"$tmp/big.rules"
workload w "$TARGET" 7
lden_bg w '"type":"start"' watch --json -r "$tmp/big.rules" --events-dir "$tmp/ev" --pid $wpid \
	-i 100
release_workload w
stop_at w '"state":"firing"' "watch: the rule never fired"
grep '"state":"firing"' "$tmp/w.out" |
	grep -q "\"total\":\"$SIZE bytes, 9007199254740993 each\"" ||
	fail "watch: the annotation 'total' is not '$SIZE bytes, 9007199254740993 each'"
exec 8>&-
echo "PASS: watch: the annotation says $SIZE"

# --- 3. visualize -o json --------------------------------------------------
workload v "$TARGET" 7
lden_bg v '"event":"my.open"' visualize -e my.open -d "$tmp/ev" -o json --no-dashboard -i 0.1 \
	--pid $wpid
release_workload v
stop_at v '"count_total":7,' "visualize: never 7 opens"
grep '"count_total":7,' "$tmp/v.out" | grep -q "\"size_total\":$SIZE," ||
	fail "visualize: size_total is not $SIZE"
exec 8>&-
echo "PASS: visualize: size_total $SIZE"
echo "PASS: test-size-exact"
