#!/bin/sh
# A speed that is not the events of the last second (no tick a second
# ago: lden was stopped, late, or its interval is over a second) is the
# average over the span there is, and says so wherever it goes, as
# notify's table ("~") and JSON do:
#  1. visualize -i 2: from the second tick on, every speed is estimated
#     (the tick before is 2 s old): the JSON lines ("speed_estimated",
#     "speed_span"), /metrics (lden_event_speed_estimated 1 and
#     lden_event_speed_span_seconds), the dashboard's /api/stats and
#     /api/series; so is the first tick's, at the start (no tick a
#     second old: lden just started);
#  2. visualize -i 0.1 stopped (SIGSTOP) for 2 s: the ticks after it are
#     estimated over the 2 s and more, those of the first second over
#     the span since the start, the others before and a second after
#     are not;
#  3. watch -i 2000: a transition at the second evaluation carries the
#     mark in its values and its "exactness" note; at -i 100 none.
# The events are those of a process of the test's that makes none
# (--pid), so the speeds are 0 whatever the machine does: what is
# checked is the mark.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_cmd jq curl python3
LDEN="$top_builddir/src/lden"
test_tmp

# every lden run, to check none left anything in tracefs
ran=""

# a process that makes no event until the test ends
mkfifo "$tmp/hold" || exit 99
sh -c 'read x < "$1"' sh "$tmp/hold" &
w=$!; started $w

# viz_bg NAME WEB ARGS...: lden visualize -o json ARGS (--pid $w) in
# the background, output in $tmp/NAME.out/.err, its pid in $v; WEB
# "web": also /metrics on $pport and the dashboard on $lport (other
# ports tried when taken), "-": neither
viz_bg() {
	_name=$1
	_web=$2
	shift 2
	_tries=0
	while :; do
		rm -f "$tmp/$_name.out" "$tmp/$_name.err"
		if [ "$_web" = web ]; then
			pport=$(free_port)
			lport=$(free_port)
			"$LDEN" visualize -o json -e task.create --pid $w "$@" \
				--prometheus "127.0.0.1:$pport" --listen "127.0.0.1:$lport" \
				>"$tmp/$_name.out" 2>"$tmp/$_name.err" &
		else
			"$LDEN" visualize -o json --no-dashboard -e task.create --pid $w "$@" \
				>"$tmp/$_name.out" 2>"$tmp/$_name.err" &
		fi
		v=$!; started $v; ran="$ran $v"
		wait_for "$tmp/$_name.out" '"event":"task.create"' && return 0
		join $v
		grep -q 'Address already in use' "$tmp/$_name.err" && [ $_tries -lt 5 ] ||
			fail "$_name: lden did not start"
		_tries=$((_tries + 1))
	done
}

# lines FILE: its JSON lines
lines() {
	grep -c '^{' "$1"
}

# metric NAME: its value for task.create in /metrics
metric() {
	curl -s --max-time 5 "http://127.0.0.1:$pport/metrics" |
		sed -n "s/^$1{event=\"task.create\",host=\"[^\"]*\"} //p"
}

# ---------------------------------------------------------------------
# 1. visualize -i 2
viz_bg long web -i 2
[ "$(lines "$tmp/long.out")" = 1 ] || fail "long: more than one tick already"
# the first tick, at the start: no tick a second old, the events of the
# last second not known (old code: said exact, the count since the start)
jtrue "$tmp/long.out" -s '.[0] | .speed_estimated == true and .speed_span < 1' ||
	fail "long: the first tick's speed not marked: $(sed -n 1p "$tmp/long.out")"
[ "$(metric lden_event_speed_estimated)" = 1 ] ||
	fail "long: /metrics speed_estimated after the first tick: $(metric lden_event_speed_estimated)"
span=$(metric lden_event_speed_span_seconds)
awk -v s="$span" 'BEGIN { exit !(s < 1) }' ||
	fail "long: /metrics speed_span_seconds after the first tick: $span"
curl -s --max-time 5 "http://127.0.0.1:$lport/api/stats" > "$tmp/stats1.json"
jq -e '.events[] | select(.event == "task.create") | .speed_estimated == true and .speed_span < 1' \
	"$tmp/stats1.json" >/dev/null || fail "long: /api/stats first tick: $(cat "$tmp/stats1.json")"
until_jq "$tmp/long.out" 'length >= 2' || fail "long: no second tick"
jtrue "$tmp/long.out" -s '.[1] | .speed_estimated == true and .speed_span >= 1.9 and .speed_span < 4' ||
	fail "long: the second tick's speed not marked: $(sed -n 2p "$tmp/long.out")"
# every tick from here on is estimated: /metrics and /api/stats too
[ "$(metric lden_event_speed_estimated)" = 1 ] ||
	fail "long: /metrics speed_estimated: $(metric lden_event_speed_estimated)"
span=$(metric lden_event_speed_span_seconds)
awk -v s="$span" 'BEGIN { exit !(s >= 1.9 && s < 4) }' ||
	fail "long: /metrics speed_span_seconds $span"
curl -s --max-time 5 "http://127.0.0.1:$lport/api/stats" > "$tmp/stats2.json"
jq -e '.events[] | select(.event == "task.create") | .speed_estimated == true and .speed_span >= 1.9' \
	"$tmp/stats2.json" >/dev/null || fail "long: /api/stats: $(cat "$tmp/stats2.json")"
curl -s --max-time 5 "http://127.0.0.1:$lport/api/series" > "$tmp/series.json"
jq -e '[.. | objects | select(.event == "task.create" and has("t"))] as $p |
	($p | length) >= 2 and ($p[0] | .speed_estimated == true and .speed_span < 1) and
	($p | last | .speed_estimated == true and .speed_span >= 1.9)' \
	"$tmp/series.json" >/dev/null || fail "long: /api/series: $(cat "$tmp/series.json")"
kill -TERM $v
join $v
[ $rc = 0 ] || fail "long: exit status $rc"
echo "PASS: visualize -i 2: JSON lines, /metrics, /api/stats and /api/series mark every speed (the first: lden just started; then 2 s apart)"

# ---------------------------------------------------------------------
# 2. visualize -i 0.1, stopped for 2 s
viz_bg stop - -i 0.1
until_jq "$tmp/stop.out" 'length >= 5' || fail "stop: no 5 ticks"
kill -STOP $v
_i=0
until [ "$(sed 's/^.*) //' "/proc/$v/stat" | cut -d' ' -f1)" = T ]; do
	_i=$((_i + 1))
	[ $_i -gt 200 ] && { kill -CONT $v; fail "stop: lden did not stop"; }
	sleep 0.05
done
before=$(lines "$tmp/stop.out")
# what is tested is time passing with no tick: nothing else to wait on
sleep 2
kill -CONT $v
until_jq "$tmp/stop.out" "length >= $before + 15" || fail "stop: no ticks after SIGCONT"
kill -TERM $v
join $v
# the ticks of lden's first second: estimated over the span since its
# start (old code: not marked, the count since the start); the first tick
# after the stop: estimated over the 2 s at least; the other ticks before
# it are not; a second and more after it are not again
jtrue "$tmp/stop.out" -s --argjson b "$before" '
	(.[1] | .speed_estimated == true and .speed_span >= 0.05 and .speed_span < 1) and
	(.[:$b] | all((has("speed_estimated") | not) or .speed_span < 1)) and
	(.[$b] | .speed_estimated == true and .speed_span >= 2) and
	(.[-1] | has("speed_estimated") | not)' ||
	fail "stop: the marks around the stop (tick $before on)"
echo "PASS: visualize stopped 2 s: the ticks after it are estimated over the gap, those of the first second over the span since the start, the others not"

# ---------------------------------------------------------------------
# 3. watch
cat > "$tmp/r.rules" <<'EOF'
rule second
	when	count(task.create) >= 0
	for	1s
EOF
# watch_run NAME MS: lden watch --json -i MS until the rule fired
watch_run() {
	rm -f "$tmp/$1.out" "$tmp/$1.err"
	"$LDEN" watch --json -i "$2" -r "$tmp/r.rules" --pid $w \
		>"$tmp/$1.out" 2>"$tmp/$1.err" &
	n=$!; started $n; ran="$ran $n"
	wait_for "$tmp/$1.out" '"state":"firing"' 30 || fail "watch $1: never fired"
	kill -TERM $n
	join $n
}
watch_run wlong 2000
jtrue "$tmp/wlong.out" 'select(.type == "transition" and .state == "firing") |
	(.values[0] | .speed_estimated == true and .speed_span >= 1.9) and
	.count_exact == true and
	(.exactness | startswith("not exact: speed(task.create) estimated, the average per second over the last ")) and
	(.annotations.exactness == .exactness)' ||
	fail "watch -i 2000: the firing's speed not marked"
watch_run wshort 100
jtrue "$tmp/wshort.out" 'select(.type == "transition" and .state == "firing") |
	(.values[0] | has("speed_estimated") | not) and (has("exactness") | not)' ||
	fail "watch -i 100: a speed marked"
echo "PASS: watch: an estimated speed is marked in the transition's values and its exactness note"

echo go > "$tmp/hold"
join $w
for p in $ran; do
	left_behind $p && fail "lden $p left the above in tracefs"
done
exit 0
