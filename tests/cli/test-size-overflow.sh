#!/bin/sh
# Sizes past 2^64 - 1 saturate and are marked, never wrapped: an events
# file sizes each lseek 'whence * 4611686018427387904' (whence times
# 2^62); the test's own process calls lseek with chosen whence values
# (one syscalls:sys_enter_lseek record each, scoped to its pid).
#  1. a sum past 2^64: whence 2, 2, 1 is 2^63 + 2^63 + 2^62.  The old code
#     summed 2^62 (4611686018427387904): 'size(my.seek) > 5e18' never
#     fired and the table said ...904.  Now: it fires, the table says
#     'overflow', LDEN_MY_SEEK_SIZE_OVERFLOW=1; and 'size(my.seek) <
#     5e18' never fires (a saturated size is at least 2^64 - 1; the old
#     code fired on its 2^62).
#  2. one record past 2^64: whence 8, 1 is 2^65 + 2^62 (the old code:
#     0 + 2^62).  visualize -o json says size_total 18446744073709551615
#     with "size_overflow":true; watch's annotation says 'overflow'.
set -u
TARGET="python3 $top_srcdir/tests/cli/seek-whence.py"
. "$top_srcdir/tests/cli/lib.sh"
live_tmp python3
need_syscall_tp sys_enter_lseek

MAX=18446744073709551615
mkdir "$tmp/ev"
printf 'event my.seek\n\tdescribe\tseeks\n\ttracepoint\tsyscalls:sys_enter_lseek\n\tsize\t\twhence * 4611686018427387904\n' \
	>"$tmp/ev/s.events"

# --- 1. a sum past 2^64: notify ------------------------------------------
workload n $TARGET 2 2 1
notify_released n "count(my.seek) >= 3 and size(my.seek) > 5000000000000000000" \
	--events-dir "$tmp/ev" --pid $wpid -t 30 -i 50 \
	-s "printf '%s %s\n' \"\$LDEN_MY_SEEK_SIZE\" \"\${LDEN_MY_SEEK_SIZE_OVERFLOW:-}\" >'$tmp/env.txt'"
[ $rc = 0 ] || fail "notify: exit $rc, not 0 (the sum wrapped: never fired?)"
[ "$(notify_row "$tmp/n.out" my.seek)" = "3 overflow" ] ||
	fail "notify: the table does not say '3 overflow'"
[ "$(cat "$tmp/env.txt")" = "$MAX 1" ] ||
	fail "notify: the script saw '$(cat "$tmp/env.txt")', not '$MAX 1'"
echo "PASS: notify: fired on size > 5e18, the table says overflow"

# --- 1c. '<' must not fire on a saturated size ---------------------------
# (the time bound ends it: the table at the end shows the count reached 3)
workload c $TARGET 2 2 1
notify_released c "count(my.seek) >= 3 and size(my.seek) < 5000000000000000000" \
	--events-dir "$tmp/ev" --pid $wpid -t 2 -i 50
exec 8>&-
grep -q "condition true" "$tmp/c.out" &&
	fail "notify: 'size(my.seek) < 5e18' fired on a saturated size"
[ "$(notify_row "$tmp/c.out" my.seek)" = "3 overflow" ] ||
	fail "notify (<): the table does not say '3 overflow'"
echo "PASS: notify: 'size < 5e18' did not fire (exit $rc); the table says 3 overflow"

# --- 2. one record past 2^64: visualize -o json -----------------------------
workload v $TARGET 8 1
lden_bg v '"event":"my.seek"' visualize -e my.seek -d "$tmp/ev" -o json --no-dashboard -i 0.1 \
	--pid $wpid
release_workload v
stop_at v '"count_total":2,' "visualize: never 2 lseeks"
exec 8>&-
grep '"count_total":2,' "$tmp/v.out" | tail -n 1 | grep -q "\"size_total\":$MAX," ||
	fail "visualize: size_total is not $MAX"
grep '"count_total":2,' "$tmp/v.out" | tail -n 1 | grep -q '"size_overflow":true' ||
	fail "visualize: no \"size_overflow\":true"
echo "PASS: visualize: size_total $MAX, size_overflow true"

# --- 2b. watch's annotation --------------------------------------------------
printf 'rule big\n\twhen\tcount(my.seek) >= 2\n\tannotation\ttotal {{ size(my.seek) }} bytes\n' \
	>"$tmp/big.rules"
workload w $TARGET 8 1
lden_bg w '"type":"start"' watch --json -r "$tmp/big.rules" --events-dir "$tmp/ev" --pid $wpid \
	-i 100
release_workload w
stop_at w '"state":"firing"' "watch: the rule never fired"
exec 8>&-
grep '"state":"firing"' "$tmp/w.out" | grep -q '"total":"overflow bytes"' ||
	fail "watch: the annotation is not 'overflow bytes'"
grep '"state":"firing"' "$tmp/w.out" | grep -q '"size_overflow":true' ||
	fail "watch: no \"size_overflow\":true in the alert"
echo "PASS: watch: the annotation says overflow"
echo "PASS: test-size-overflow"
