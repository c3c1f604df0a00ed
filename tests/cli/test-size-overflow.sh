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
#     with "size_overflow":true; watch's annotation says 'overflow';
#     Elasticsearch 8 stores it exact, 7.9 (no unsigned_long) capped at
#     2^63 - 1 and marked "capped" (the old code: refused, "dropped").
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

# --- 2b. Elasticsearch: exact where it maps unsigned_long, else marked -------
# The same 2^64 - 1 to tests/es/fake-es.py as Elasticsearch 8 (stored as
# the JSON integer 18446744073709551615) and as 7.9 (no unsigned_long:
# 9223372036854775807, "capped":true, one warning on stderr, the summary
# counts it).  The old code sent 2^64 - 1 into a "long" field: the server
# refused the document, lden said "dropped".
. "$top_srcdir/tests/es/fake.sh"
for v in 8.11.0 7.9.3; do
	fake_start "es-$v" --version $v
	workload "e$v" $TARGET 8 1
	lden_bg "e$v" '"event":"my.seek"' visualize -e my.seek -d "$tmp/ev" -o json \
		--no-dashboard -i 0.1 --pid $wpid --url "$url"
	release_workload "e$v"
	wait_for "$d/docs" '"count_total": 2,' ||
		fail "es $v: no document of the 2 lseeks: $(cat "$d/log")"
	if [ $v = 7.9.3 ]; then
		wait_for "$tmp/e$v.err" 'capped' ||
			fail "es $v: no warning of a capped number"
	fi
	kill -INT $l
	join $l
	exec 8>&-
	python3 - "$d/docs" $v <<'PY' || fail "es $v: not the number as the server holds it"
import json, sys
docs = [json.loads(l)["doc"] for l in open(sys.argv[1])]
doc = [d for d in docs if d["count_total"] == 2][-1]
if sys.argv[2] == "7.9.3":
    assert doc["size_total"] == 2**63 - 1 and doc["capped"] is True, doc
else:
    assert doc["size_total"] == 2**64 - 1 and "capped" not in doc, doc
assert doc["size_overflow"] is True, doc
PY
	no_violations "es $v"
	# one warning; the end object counts the capped points the server has
	want=0
	[ $v = 7.9.3 ] && want=$(grep -c '"capped": true' "$d/docs")
	[ "$(grep -c 'capped' "$tmp/e$v.err")" = $((want > 0)) ] ||
		fail "es $v: not one warning (or none): $(cat "$tmp/e$v.err")"
	tail -n 1 "$tmp/e$v.out" | python3 -c '
import json, sys
es = [s for s in json.loads(sys.stdin.read())["sinks"]
      if s["name"] == "elasticsearch"][0]
assert es["capped"] == int(sys.argv[1]) and es["dropped"] == 0, es' $want ||
		fail "es $v: the end object does not say $want capped, 0 dropped: $(tail -n 1 "$tmp/e$v.out")"
	fake_stop
	echo "PASS: elasticsearch $v: size_total $(tail -n 1 "$d/docs" | grep -o '"size_total": [0-9]*')"
done

# --- 2c. the dashboard and /metrics: exact and marked -----------------------
# /metrics: lden_event_bytes_overflow 1 (old code: no mark); /api/stats and
# /api/series: the exact number in the JSON text (old code: /api/stats
# 9223372036854775807, clamped) and, past 2^53 - 1, the string
# size_total_string the page's JSON.parse keeps exact; the page's
# formatting (under node, when there is one) shows those digits, and marks
# '≈' a number it could only have rounded.
need_cmd curl jq
workload d $TARGET 8 1
tries=0
while :; do
	addr=127.0.0.1:$(free_port)
	rm -f "$tmp/d.out" "$tmp/d.err"
	"$LDEN" visualize -e my.seek -d "$tmp/ev" --listen "$addr" -i 0.1 \
		--pid $wpid >"$tmp/d.out" 2>"$tmp/d.err" &
	l=$!
	started $l
	wait_for "$tmp/d.out" "dashboard: http://$addr/" && break
	join $l
	grep -q 'Address already in use' "$tmp/d.err" && [ $tries -lt 5 ] ||
		fail "dashboard: visualize did not start"
	tries=$((tries + 1))
done
release_workload d
i=0
until curl -s --max-time 5 -o "$tmp/stats.json" "http://$addr/api/stats" &&
	jq -e '.events[0].count_total == 2' "$tmp/stats.json" >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 200 ] && fail "dashboard: /api/stats never counted 2 lseeks"
	sleep 0.1
done
curl -s --max-time 5 -o "$tmp/metrics.txt" "http://$addr/metrics" || fail "/metrics: no answer"
curl -s --max-time 5 -o "$tmp/series.json" "http://$addr/api/series" || fail "/api/series: no answer"
kill -INT $l
join $l
exec 8>&-
host=$(hostname)
grep -qx "lden_event_bytes_total{event=\"my.seek\",host=\"$host\"} $MAX" "$tmp/metrics.txt" ||
	fail "/metrics: lden_event_bytes_total is not $MAX"
grep -qx "lden_event_bytes_overflow{event=\"my.seek\",host=\"$host\"} 1" "$tmp/metrics.txt" ||
	fail "/metrics: no lden_event_bytes_overflow 1"
grep -q "\"size_total\":$MAX[,}]" "$tmp/stats.json" ||
	fail "/api/stats: size_total is not $MAX in the text: $(cat "$tmp/stats.json")"
jq -e ".events[0].size_total_string == \"$MAX\" and .events[0].size_overflow == true
	and (.events[0] | has(\"count_total_string\") | not)" "$tmp/stats.json" >/dev/null ||
	fail "/api/stats: no size_total_string \"$MAX\" (or a count_total_string for 2): $(cat "$tmp/stats.json")"
jq -e "[.points[] | select(.count_total == 2)] | last |
	.size_total_string == \"$MAX\" and .size_overflow == true" "$tmp/series.json" >/dev/null ||
	fail "/api/series: the last point has no size_total_string \"$MAX\""
echo "PASS: dashboard: /metrics marks the overflow, /api/stats and /api/series give $MAX exactly (and as a string)"
if command -v node >/dev/null; then
	node -e '
const f = require(process.argv[1]);
const s = require("fs").readFileSync(process.argv[2], "utf8");
const e = JSON.parse(s).events[0];
const got = f.group(f.exactOf(e, "size_total"));
const want = "18\u202f446\u202f744\u202f073\u202f709\u202f551\u202f615";
if (got !== want) { console.log("exact: " + got); process.exit(1); }
// what JSON.parse alone gives: 2^64, marked as not exact
if (f.group(e.size_total) !== "\u224818\u202f446\u202f744\u202f073\u202f709\u202f551\u202f616") {
	console.log("rounded: " + f.group(e.size_total)); process.exit(1);
}
if (f.group(9007199254740991) !== "9\u202f007\u202f199\u202f254\u202f740\u202f991") process.exit(1);
' "$top_srcdir/dashboard/lden.js" "$tmp/stats.json" >"$tmp/node.out" 2>&1 ||
		fail "the page's formatting: $(cat "$tmp/node.out")"
	echo "PASS: the page shows $MAX digit for digit, and marks a rounded number '≈'"
fi

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
