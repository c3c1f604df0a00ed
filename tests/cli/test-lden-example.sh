#!/bin/sh
# LDEN's own example, as its README gives it:
#   lden notify "count(task.create) > 100 and size(memory.free) > 500"
# It must run and fire when the condition holds: memory.free's size is
# the bytes of the allocations freed (lden-events(5), join), with the
# frees it cannot size counted apart.  Once as written (the whole
# machine, a workload that forks 150 times meanwhile), once scoped to
# that workload, where the count is exact.
set -u
. "$top_srcdir/tests/cli/lib.sh"
LDEN="$top_builddir/src/lden"
need_root
need_tracefs
need_cmd jq
test_tmp

EXPR='count(task.create) > 100 and size(memory.free) > 500'

# --- as written: the whole machine ----------------------------------------
"$LDEN" notify "$EXPR" -t 60 >"$tmp/text.out" 2>"$tmp/text.err" &
n=$!
started $n
wait_for "$tmp/text.out" '^lden: watching ' || fail "no header"
sh -c 'i=0; while [ $i -lt 150 ]; do /bin/true; i=$((i + 1)); done'
join $n
[ "$rc" = 0 ] || fail "exit status $rc, not 0 (fired)"
grep -q "^lden: condition true after [0-9.]* s: $EXPR\$" "$tmp/text.out" ||
	fail "no firing line"
# the table, under the firing line
count=$(awk '/^lden: condition true/ { t = 1 } t && $1 == "task.create" { print $2 }' "$tmp/text.out")
size=$(awk '/^lden: condition true/ { t = 1 } t && $1 == "memory.free" { print $3 }' "$tmp/text.out")
[ "$count" -gt 100 ] || fail "task.create $count, not over 100"
# a number: the size is known (not '-'), and over 500
[ "$size" -gt 500 ] 2>/dev/null || fail "memory.free size '$size', not over 500"
grep -q '^  memory.free .* (sampling, for size)$' "$tmp/text.out" ||
	fail "memory.free not sampled"
echo "PASS: LDEN's example fired: task.create $count, size(memory.free) $size"

# --- scoped to a command that forks 150 times: JSON ------------------------
"$LDEN" notify "$EXPR" --json -t 60 -- \
	sh -c 'i=0; while [ $i -lt 150 ]; do /bin/true; i=$((i + 1)); done' \
	>"$tmp/json.out" 2>"$tmp/json.err"
rc=$?
[ "$rc" = 0 ] || fail "scoped: exit status $rc"
fire=$(grep '"type":"fire"' "$tmp/json.out" | head -n 1)
[ -n "$fire" ] || fail "scoped: no firing object"
c=$(echo "$fire" | jq '.events[] | select(.name == "task.create") | .count')
s=$(echo "$fire" | jq '.events[] | select(.name == "memory.free") | .size')
u=$(echo "$fire" | jq '.events[] | select(.name == "memory.free") | .unsized')
k=$(echo "$fire" | jq '.events[] | select(.name == "memory.free") | .count')
[ "$c" -gt 100 ] && [ "$c" -le 150 ] || fail "scoped: task.create $c"
[ "$s" -gt 500 ] || fail "scoped: memory.free size $s"
# frees are sized or counted apart, never guessed
[ "$u" -ge 0 ] && [ "$u" -le "$k" ] || fail "scoped: unsized $u of $k"
echo "$fire" | jq -e '.events[] | select(.name == "memory.free") |
	.count_exact and .missed == 0 and (.unsized | type) == "number"' \
	>/dev/null || fail "scoped: memory.free's exactness fields"
echo "PASS: scoped to the command: task.create $c, memory.free $k frees, $s bytes, $u unsized"
