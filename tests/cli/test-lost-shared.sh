#!/bin/sh
# Records lost by the ftrace ring are that ring's, the same number on every
# event in it (lost_shared): where a consumer would add them up, each
# output says so and gives the total with the ring's drops once.  Two
# sampled events on lden's ftrace ring (--ring ftrace, the whole machine),
# kept to the workload's own calls by their filters: my.a, its
# lseek(777) calls (sys_enter_lseek, fd 777), and my.b, their returns
# (sys_exit_lseek, ret < 0).  lden is stopped (SIGSTOP) while the workload
# makes 200,000 of them on one CPU (400,000 records: more than a ring of
# 2 MiB holds), so the ring drops D > 0 records:
#  1. lden visualize: /api/stats gives lost D on each event, with
#     "lost_shared":true, and lost_total D (not 2D); /metrics has
#     lden_lost_records_shared 1 on both and lden_lost_records_all_total
#     D; the JSON lines' end object lost_total D, and self.lost D (old
#     code: 2D, the guard's sum over the events).  Old code: no
#     lost_shared in /api/stats, neither gauge in /metrics (where the
#     man page said sum(lden_lost_records_total) was the total: 2D).
#  2. lden notify --script: LDEN_MY_A_LOST_SHARED=1, LDEN_MY_B_LOST_SHARED=1
#     and LDEN_LOST_TOTAL equal to LDEN_MY_A_LOST (old code: neither).
# visualize's counts are exact (counted in the kernel): 200,000 each.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_cmd python3 curl jq
LDEN="$top_builddir/src/lden"
test_tmp
[ -r "$T/events/syscalls/sys_enter_lseek/format" ] ||
	{ echo "SKIP: no syscall tracepoints"; exit 77; }

N=200000
flood_lib
cat >"$tmp/w.py" <<'PY'
import os, sys
sys.path.insert(0, os.path.dirname(sys.argv[0]))
from flood import until, flood
print("ready %d" % os.getpid(), flush=True)
until(sys.argv[1] + "/go")
flood()
open(sys.argv[1] + "/flooded", "w").close()
until(sys.argv[1] + "/cont")
PY

# start NAME: the workload ($wpid, waiting for $tmp/go), and the events
# file $tmp/ev/NAME.events kept to its calls
start() {
	rm -f "$tmp/go" "$tmp/flooded" "$tmp/cont"
	python3 "$tmp/w.py" "$tmp" >"$tmp/$1.tgt" &
	wpid=$!
	started $wpid
	wait_for "$tmp/$1.tgt" '^ready' || fail "$1: the workload did not start"
	mkdir -p "$tmp/ev"
	rm -f "$tmp/ev/"*.events
	printf 'event my.a\n\tdescribe\tlseek(777)\n\ttracepoint\tsyscalls:sys_enter_lseek if common_pid == %s && fd == 777\n\tsize\t\t1\n' \
		$wpid >"$tmp/ev/$1.events"
	printf 'event my.b\n\tdescribe\tits failure\n\ttracepoint\tsyscalls:sys_exit_lseek if common_pid == %s && ret < 0\n\tsize\t\t1\n' \
		$wpid >>"$tmp/ev/$1.events"
}

# get PATH: the body of http://$addr$PATH in $tmp/body, the status in $code
get() {
	code=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 5 "http://$addr$1")
}

# until_json PATH JQ-FILTER: until the filter is true of PATH's JSON, 30 s
until_json() {
	_i=0
	while :; do
		get "$1"
		[ "$code" = 200 ] && jq -e "$2" "$tmp/body" >/dev/null 2>&1 && return 0
		_i=$((_i + 1))
		[ $_i -gt 300 ] && return 1
		sleep 0.1
	done
}

# --- 1. visualize: /api/stats, /metrics, the JSON lines ----------------
start v
tries=0
while :; do
	addr=127.0.0.1:$(free_port)
	rm -f "$tmp/v.out" "$tmp/v.err"
	"$LDEN" visualize -e my.a,my.b -d "$tmp/ev" --ring ftrace --listen "$addr" \
		-o json -i 0.2 -t 120 >"$tmp/v.out" 2>"$tmp/v.err" &
	v=$!
	started $v
	wait_for "$tmp/v.err" "dashboard: http://$addr/" && break
	join $v
	grep -q 'Address already in use' "$tmp/v.err" && [ $tries -lt 5 ] ||
		fail "visualize did not start"
	tries=$((tries + 1))
done
grep -q '^  my.a .*ftrace ring' "$tmp/v.err" || fail "visualize: my.a is not on the ftrace ring"
grep -q '^  my.b .*ftrace ring' "$tmp/v.err" || fail "visualize: my.b is not on the ftrace ring"
until_json /api/stats '.events | map(.event) == ["my.a", "my.b"]' ||
	fail "/api/stats never showed both events"
flood_stopped $v visualize
join $wpid
until_json /api/stats ".events | map(.count_total) == [$N, $N]" ||
	fail "/api/stats: counts $(jq -c '.events | map(.count_total)' "$tmp/body"), want $N each"
cp "$tmp/body" "$tmp/stats.json"
D=$(jq '.events[0].lost' "$tmp/stats.json")
[ "$D" -gt 0 ] 2>/dev/null ||
	fail "the ring lost nothing ($D): the case tests nothing: $(cat "$tmp/stats.json")"
jq -e ".events | map(.lost) == [$D, $D]" "$tmp/stats.json" >/dev/null ||
	fail "/api/stats: lost $(jq -c '.events | map(.lost)' "$tmp/stats.json"), not $D on each"
jq -e '.events | map(.lost_shared) == [true, true]' "$tmp/stats.json" >/dev/null ||
	fail "/api/stats: lost_shared $(jq -c '.events | map(.lost_shared)' "$tmp/stats.json"), not true on each"
jq -e ".lost_total == $D" "$tmp/stats.json" >/dev/null ||
	fail "/api/stats: lost_total $(jq .lost_total "$tmp/stats.json"), not $D (the ring's drops once)"
echo "PASS: /api/stats: $D lost on each event, lost_shared true, lost_total $D"

get /metrics
[ "$code" = 200 ] || fail "/metrics: HTTP $code"
host=$(hostname)
for e in my.a my.b; do
	grep -qx "lden_lost_records_total{event=\"$e\",host=\"$host\"} $D" "$tmp/body" ||
		fail "/metrics: lden_lost_records_total of $e is not $D"
	grep -qx "lden_lost_records_shared{event=\"$e\",host=\"$host\"} 1" "$tmp/body" ||
		fail "/metrics: lden_lost_records_shared of $e is not 1"
done
grep -qx "# TYPE lden_lost_records_all_total counter" "$tmp/body" ||
	fail "/metrics: no TYPE line for lden_lost_records_all_total"
grep -qx "lden_lost_records_all_total{host=\"$host\"} $D" "$tmp/body" ||
	fail "/metrics: lden_lost_records_all_total is not $D"
echo "PASS: /metrics: lden_lost_records_shared 1 on both, lden_lost_records_all_total $D"

kill -INT $v
join $v
[ $rc = 0 ] || fail "visualize: exit $rc after SIGINT"
jq -e "select(.type == \"end\") | .lost_total == $D and .self.lost == $D and
	(.events | map(.lost_shared) == [true, true])" "$tmp/v.out" >/dev/null ||
	fail "the end object: $(grep '"type":"end"' "$tmp/v.out")"
echo "PASS: the JSON end object: lost_total $D, self.lost $D"

# --- 2. notify --script: the environment --------------------------------
start n
# (notify counts these from their records: short by up to the drops, so
# its condition is on any record; the drops are all in before lden goes on)
notify_bg n "count(my.a) >= 1 and count(my.b) >= 1 and size(my.a) >= 0 and size(my.b) >= 0" \
	-d "$tmp/ev" --ring ftrace -i 100 -t 30 --max-cpu 0 \
	-s "env | grep ^LDEN_ > '$tmp/env.txt'"
flood_stopped $n notify
join $wpid
join $n
[ $rc = 0 ] || fail "notify: exit $rc, not 0 (never fired?)"
envval() {
	sed -n "s/^$1=//p" "$tmp/env.txt"
}
DA=$(envval LDEN_MY_A_LOST)
[ "$DA" -gt 0 ] 2>/dev/null || fail "notify: the ring lost nothing ($DA): the case tests nothing"
[ "$(envval LDEN_MY_B_LOST)" = "$DA" ] || fail "notify: LDEN_MY_B_LOST $(envval LDEN_MY_B_LOST), not $DA"
[ "$(envval LDEN_MY_A_LOST_SHARED)" = 1 ] || fail "notify: LDEN_MY_A_LOST_SHARED is not 1"
[ "$(envval LDEN_MY_B_LOST_SHARED)" = 1 ] || fail "notify: LDEN_MY_B_LOST_SHARED is not 1"
[ "$(envval LDEN_LOST_TOTAL)" = "$DA" ] ||
	fail "notify: LDEN_LOST_TOTAL '$(envval LDEN_LOST_TOTAL)', not $DA (the ring's drops once)"
echo "PASS: notify's script: LOST $DA on each, LOST_SHARED 1, LDEN_LOST_TOTAL $DA"
echo "PASS: test-lost-shared"
