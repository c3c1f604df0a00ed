#!/bin/sh
# /metrics stays parseable whatever bytes an event's filter holds: a rule
# over sched_process_fork[child_comm == "a<0xff>b"] (malformed UTF-8)
# gave a label value Prometheus refuses, and one such value fails the
# whole scrape (every series of every rule); it is now U+FFFD, as in
# lden's JSON.  promtool checks the text.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_cmd curl promtool
LDEN="$top_builddir/src/lden"
test_tmp

printf 'rule hostile\n\twhen\tcount(sched:sched_process_fork[child_comm == "a\377b"]) > 1000000\n' \
	> "$tmp/u.rules"
snapshot > "$tmp/state.before" || exit 99
port=$(free_port)
"$LDEN" watch --json -r "$tmp/u.rules" --prometheus "127.0.0.1:$port" --pid $$ \
	>"$tmp/w.out" 2>"$tmp/w.err" &
n=$!
started $n
wait_for "$tmp/w.out" '"type":"start"' || fail "did not start"
i=0
until curl -sf "http://127.0.0.1:$port/metrics" > "$tmp/m.txt" &&
	grep -q '^lden_events_total{' "$tmp/m.txt"; do
	i=$((i + 1))
	[ $i -gt 100 ] && fail "no lden_events_total in /metrics"
	sleep 0.1
done
kill -INT $n
join $n
[ $rc = 130 ] || fail "exit $rc after SIGINT"
promtool check metrics < "$tmp/m.txt" > "$tmp/promtool.out" 2>&1 ||
	fail "promtool refuses /metrics: $(cat "$tmp/promtool.out")"
grep -q "^lden_events_total{event=\"sched:sched_process_fork\[child_comm == \\\\\"a$(printf '\357\277\275')b\\\\\"\]\",host=" "$tmp/m.txt" ||
	fail "the event's label is not the filter with U+FFFD: $(grep -a '^lden_events_total' "$tmp/m.txt")"
echo "PASS: a malformed UTF-8 byte of a filter is U+FFFD in /metrics; promtool accepts it"
snapshot > "$tmp/state.after"
diff -u "$tmp/state.before" "$tmp/state.after" > "$tmp/state.diff.out" ||
	{ cat "$tmp/state.diff.out"; fail "tracefs changed"; }
echo "PASS: tracefs as before"
