#!/bin/sh
# Event names (labels) that are long or hold a filter's spaces and
# newlines: every place a name is a key keeps two events apart, and every
# text line shows one event on one row.
#
# 1. Two filters of one tracepoint that differ only past the first 350
#    bytes ("LONG && ret < 0", "LONG && ret >= 0"), on open-target's 5
#    failed and 1 good open: top has two rows (5 and 1), trace's summary
#    two lines with the whole names, notify's JSON both whole names and
#    its script two environment names (X__1_COUNT=5, X__2_COUNT=1),
#    a watch rule over both their own values.
#    Before, names were cut at 160 bytes: one top row of 6, two summary
#    lines of one name, one JSON name twice.
# 2. A name longer than lden keeps: exit 2, one clear line.
# 3. A filter holding a newline and spaces: notify's table and trace's
#    summary keep the row on one line (escaped, as top's EVENT column),
#    the JSON parses and has the exact name.
# 4. A filter string not UTF-8: notify's JSON gives its exact bytes.
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
T=${LDEN_TRACEFS:-/sys/kernel/tracing}
[ -r "$T/events/syscalls/sys_exit_openat/id" ] ||
	{ echo "SKIP: no syscall tracepoints at $T"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
LDEN="$top_builddir/src/lden"
TARGET="$top_builddir/tests/kernel/open-target"
. "$top_srcdir/tests/cli/lib.sh"
setup_tmp

long="ret != 10000"
i=1
while [ $i -lt 24 ]; do
	long="$long && ret != $((10000 + i))"
	i=$((i + 1))
done
[ ${#long} -gt 200 ] || fail "the long filter is ${#long} bytes"
A="syscalls:sys_exit_openat[$long && ret < 0]"
B="syscalls:sys_exit_openat[$long && ret >= 0]"

# esc NAME: NAME as a text column shows it (spaces as \x20)
esc() { printf '%s' "$1" | sed 's/ /\\x20/g'; }
# row FILE NAME: the number after NAME on its lines of FILE and the field
# after it, if any (the count of trace's summary; COUNT SIZE of notify's
# table)
row() {
	N=$2 awk '$1 == ENVIRON["N"] && $2 ~ /^[0-9]+$/ {
		print $2 ($3 == "" ? "" : " " $3) }' "$1"
}

# --- 1. top: two rows ------------------------------------------------
workload top-t "$TARGET" 5 /etc/hostname
"$LDEN" top "$A" "$B" --pid $wpid --max-cpu 0 --json -i 0.3 -t 60 \
	>"$tmp/top.out" 2>"$tmp/top.err" &
l=$!
started $l
wait_for "$tmp/top.out" '"rows"' || fail "top: printed no block"
release_workload top-t
exec 8>&-
# every block's rows summed, until both counts are in (a wrong sum stays)
sums() {
	jq -sc '[.[].rows[]] | group_by(.event) |
		map([.[0].event, (map(.count) | add)]) | sort' "$tmp/top.out"
}
want=$(jq -nc --arg a "$A" --arg b "$B" '[[$a, 5], [$b, 1]] | sort')
until_equal sums "$want"
kill -INT $l
wait $l
reaped $l
[ "$(sums)" = "$want" ] || fail "top: rows $(sums), want $want"
echo "PASS: top: two filters differing past 350 bytes are two rows (5, 1)"

# --- 1. trace's summary ----------------------------------------------
workload trace-t "$TARGET" 5 /etc/hostname
"$LDEN" trace "$A" "$B" --pid $wpid --max-cpu 0 -t 60 \
	>"$tmp/trace.out" 2>"$tmp/trace.err" &
l=$!
started $l
wait_for "$tmp/trace.err" '^lden: tracing' || fail "trace: did not start"
release_workload trace-t
exec 8>&-
until_lines "$tmp/trace.out" . 6
kill -INT $l
wait $l
reaped $l
[ "$(row "$tmp/trace.err" "$(esc "$A")")" = 5 ] ||
	fail "trace: no summary line of the whole first name with 5"
[ "$(row "$tmp/trace.err" "$(esc "$B")")" = 1 ] ||
	fail "trace: no summary line of the whole second name with 1"
echo "PASS: trace: the summary has both whole names (5, 1)"

# --- 1. notify: the script's environment, JSON names -----------------
workload notify-t "$TARGET" 5 /etc/hostname
"$LDEN" notify --max-cpu 0 -t 60 --pid $wpid \
	-s "env | grep ^LDEN_ > '$tmp/env.txt'" \
	"count($A) >= 5 and count($B) >= 1" \
	>"$tmp/notify.out" 2>"$tmp/notify.err" &
l=$!
started $l
wait_for "$tmp/notify.out" '^lden: watching ' || fail "notify: no header"
release_workload notify-t
exec 8>&-
join $l
reaped $l
[ $rc = 0 ] || fail "notify: exit status $rc"
base=$(printf '%s' "$A" | tr 'a-z' 'A-Z' | sed 's/[^A-Z0-9][^A-Z0-9]*/_/g; s/_$//')
[ ${#base} -gt 200 ] || fail "the environment name is ${#base} bytes"
grep -qx "LDEN_${base}__1_COUNT=5" "$tmp/env.txt" ||
	fail "notify: no LDEN_${base}__1_COUNT=5"
grep -qx "LDEN_${base}__2_COUNT=1" "$tmp/env.txt" ||
	fail "notify: no LDEN_${base}__2_COUNT=1"
[ "$(grep -c '_COUNT=' "$tmp/env.txt")" = 2 ] ||
	fail "notify: not two COUNT variables"
[ "$(row "$tmp/notify.out" "$(esc "$A")")" = "5 -" ] &&
[ "$(row "$tmp/notify.out" "$(esc "$B")")" = "1 -" ] ||
	fail "notify: the table's rows of the whole names"
timeout 20 "$LDEN" notify --json -t 0.3 "count($A) > 100 or count($B) > 100" \
	>"$tmp/notifyj.out" 2>"$tmp/notifyj.err"
got=$(jq -c '[.events[].name]' "$tmp/notifyj.out")
want=$(jq -nc --arg a "$A" --arg b "$B" '[$a, $b]')
[ "$got" = "$want" ] || fail "notify --json: names $got, want $want"
echo "PASS: notify: two environment names (${#base} bytes), table rows, whole names in JSON"

# --- 1. watch: one rule over both ------------------------------------
printf 'rule r\n\twhen count(%s) >= 5 and count(%s) >= 1\n' "$A" "$B" >"$tmp/r.rules"
workload watch-t "$TARGET" 5 /etc/hostname
"$LDEN" watch --json -r "$tmp/r.rules" -i 100 --max-cpu 0 --pid $wpid \
	>"$tmp/watch.out" 2>"$tmp/watch.err" &
l=$!
started $l
wait_for "$tmp/watch.out" '"type":"start"' || fail "watch: did not start"
release_workload watch-t
exec 8>&-
wait_for "$tmp/watch.out" '"type":"transition"' || fail "watch: never fired"
kill -INT $l
wait $l
reaped $l
got=$(jq -c 'select(.type == "transition") | [.values[] | [.name, .count]]' "$tmp/watch.out")
want=$(jq -nc --arg a "$A" --arg b "$B" '[[$a, 5], [$b, 1]]')
[ "$got" = "$want" ] || fail "watch: values $got, want $want"
echo "PASS: watch: a rule's two events stay apart (5, 1)"

# --- 2. too long: refused ------------------------------------------------
huge=$(printf "%340s" "" | sed 's/ /(ret != 1) \&\& /g')
huge="${huge}ret != 2"
timeout 10 "$LDEN" notify -t 1 "count(syscalls:sys_exit_openat[$huge]) > 1" \
	>"$tmp/huge.out" 2>"$tmp/huge.err"
rc=$?
[ $rc = 2 ] || fail "too long: exit $rc, want 2"
head -1 "$tmp/huge.err" | grep -q '^lden: event name too long: [0-9]* bytes with its filter, at most 4607$' ||
	fail "too long: message"
echo "PASS: a name longer than 4607 bytes is refused (exit 2)"

# --- 3. a newline and spaces in a filter -------------------------------
[ -r "$T/events/sched/sched_process_exec/id" ] ||
	{ echo "SKIP: no sched_process_exec"; exit 0; }
nl='sched:sched_process_exec[filename == "a
 b"]'
escaped='sched:sched_process_exec[filename\x20==\x20"a\n\x20b"]'
timeout 20 "$LDEN" notify -t 0.3 "count($nl) > 5" >"$tmp/nl.out" 2>"$tmp/nl.err"
[ $? = 1 ] || fail "newline: notify exit status, want 1 (--time ran out)"
# (the notes under the table, each a line: 0.3 s is under a second, so the
# speed is said estimated)
sed -n '/^ENAME/,$p' "$tmp/nl.out" | grep -v '^  ' >"$tmp/nl.table"
[ "$(wc -l <"$tmp/nl.table")" = 2 ] || fail "newline: the table is not a header and a row"
sed -n '/^ENAME/,$p' "$tmp/nl.out" | grep '^  ' | grep -qvF "  $escaped: " &&
	fail "newline: a note under the table not of the escaped name"
[ "$(row "$tmp/nl.table" "$escaped")" = "0 -" ] ||
	fail "newline: the row is not the escaped name and its numbers"
grep -qxF "  $escaped tracepoint sched:sched_process_exec (counting)" "$tmp/nl.out" ||
	fail "newline: the header line of the event"
[ "$(grep -c '^lden: ' "$tmp/nl.out")" = 2 ] && ! grep -q '^ b' "$tmp/nl.out" ||
	fail "newline: a line of notify's split"
timeout 20 "$LDEN" notify --json -t 0.3 "count($nl) > 5" >"$tmp/nlj.out" 2>"$tmp/nlj.err"
[ "$(jq -r '.events[0].name' "$tmp/nlj.out")" = "$nl" ] ||
	fail "newline: the JSON name is not the exact name"
timeout 20 "$LDEN" trace -t 0.3 "$nl" >"$tmp/nlt.out" 2>"$tmp/nlt.err"
[ "$(row "$tmp/nlt.err" "$escaped")" = 0 ] ||
	fail "newline: trace's summary line"
grep -q '^ b' "$tmp/nlt.err" && fail "newline: a line of trace's stderr split"
echo "PASS: a filter's newline and spaces: one row, escaped; exact in JSON"

# 4. A filter's string holding bytes that are not UTF-8 (a comm may): the
#    JSON's name and expression are valid UTF-8 (U+FFFD), and name_hex and
#    expression_hex give the exact bytes (before: lost, nothing said).
bad=$(printf 'sched:sched_process_exec[comm == "a\377\303b"]')
timeout 20 "$LDEN" notify --json -t 0.3 "count($bad) >= 0" >"$tmp/u8.out" 2>"$tmp/u8.err" ||
	fail "not UTF-8: notify failed"
jq -e . "$tmp/u8.out" >/dev/null || fail "not UTF-8: bad JSON"
[ "$(jq -r 'select(.type == "fire") | .events[0].name_hex' "$tmp/u8.out")" = \
  "$(printf '%s' "$bad" | od -An -tx1 | tr -d ' \n')" ] ||
	fail "not UTF-8: the event's name_hex is not its bytes: $(cat "$tmp/u8.out")"
[ "$(jq -r 'select(.type == "fire") | .expression_hex' "$tmp/u8.out")" = \
  "$(printf '%s' "count($bad) >= 0" | od -An -tx1 | tr -d ' \n')" ] ||
	fail "not UTF-8: the expression_hex is not its bytes: $(cat "$tmp/u8.out")"
echo "PASS: a filter's bytes that are not UTF-8: exact in JSON's name_hex and expression_hex"
