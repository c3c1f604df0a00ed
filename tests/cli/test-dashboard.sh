#!/bin/sh
# The built-in dashboard of lden visualize, against the live kernel (root):
# (a) its JSON endpoints count exactly the forks of a workload lden is
# scoped to, the static files are the installed ones with their types,
# every reply carries the security headers, POST and path traversal are
# refused; (b) a real headless Chromium, driven over WebDriver
# (webdriver.py), renders the workload's count, and the count grows when
# the workload forks more; the screenshot is tests/cli/dashboard.png.
# Every wait is bounded.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_cmd curl jq python3
LDEN="$top_builddir/src/lden"
DASH="$top_srcdir/dashboard"
SHOT="$top_builddir/tests/cli/dashboard.png"
test_tmp

# worker NAME N M: blocks on NAME.go, forks N times (/bin/true), blocks
# on NAME.more, forks M times, exits; its pid in $w
worker() {
	mkfifo "$tmp/$1.go" "$tmp/$1.more" || exit 99
	sh -c 'read x < "$1"; i=0; while [ $i -lt "$2" ]; do /bin/true; i=$((i + 1)); done
		read x < "$3"; i=0; while [ $i -lt "$4" ]; do /bin/true; i=$((i + 1)); done' \
		sh "$tmp/$1.go" "$2" "$tmp/$1.more" "$3" &
	w=$!
	started "$w"
}

# get PATH [CURL OPTIONS]: the body of http://$addr$PATH in $tmp/body,
# the status in $code
get() {
	_p=$1
	shift
	code=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 5 "$@" \
		"http://$addr$_p")
}

# until_json PATH JQ-FILTER: until the filter is true of PATH's JSON, 20 s
until_json() {
	_i=0
	while :; do
		get "$1"
		[ "$code" = 200 ] && jq -e "$2" "$tmp/body" >/dev/null 2>&1 && return 0
		_i=$((_i + 1))
		[ $_i -gt 200 ] && return 1
		sleep 0.1
	done
}

# start_viz NAME PID [LISTEN]: lden visualize on $addr (or --listen
# LISTEN), tracing the forks of PID
start_viz() {
	"$LDEN" visualize --events task.create --pid "$2" --listen "${3:-$addr}" \
		>"$tmp/$1.out" 2>"$tmp/$1.err" &
	viz=$!
	started "$viz"
	# the first tick: attached and counting
	until_json /api/stats '.events | map(.event) == ["task.create"]' ||
		fail "$1: /api/stats never showed task.create"
}

stop_viz() {
	kill -INT "$viz"
	join "$viz"
	[ "$rc" = 0 ] || [ "$rc" = 130 ] || fail "lden visualize exited $rc after SIGINT"
}

# ---------------------------------------------------------------------
# (a) the JSON endpoints against a known workload
N=25
M=15
port=$(free_port)
addr=127.0.0.1:$port
worker a $N $M
start_viz a "$w" "$port"
# --listen PORT, no address: loopback only
ss -ltnH "sport = :$port" > "$tmp/listen"
[ "$(awk '{ print $4 }' "$tmp/listen")" = "$addr" ] ||
	fail "--listen $port: listening on $(awk '{ print $4 }' "$tmp/listen" | tr '\n' ' '), want $addr only"
grep -q "dashboard: http://$addr/" "$tmp/a.out" ||
	fail "the header does not give the dashboard's address"
release "$tmp/a.go"
until_json /api/stats ".events[0].count_total == $N" ||
	fail "/api/stats: count_total $(jq -c '.events[0].count_total' "$tmp/body"), want $N"
# no more than N: two more ticks later it is still N
now=$(jq .now "$tmp/body")
until_json /api/stats ".now >= $now + 2 * .interval" || fail "/api/stats: no more ticks"
jq -e ".events[0].count_total == $N" "$tmp/body" >/dev/null ||
	fail "/api/stats: count_total went past $N"
cp "$tmp/body" "$tmp/stats.json"
jq -e --arg host "$(uname -n)" '
	.host == $host and (.start | type) == "number" and .start <= .now and
	.interval == 1 and .lost_total == 0 and (.events | length) == 1 and
	(.events[0] | .event == "task.create" and
		(.source | startswith("tracepoint sched:sched_process_fork")) and
		.mode == "counting" and .has_size == false and .size_total == 0 and
		.lost == 0 and (.speed | type) == "number")' "$tmp/stats.json" \
	>/dev/null || fail "/api/stats: $(cat "$tmp/stats.json")"
echo "PASS: /api/stats counts exactly the $N forks, counting mode, its source and host"

get /api/series
[ "$code" = 200 ] || fail "/api/series: HTTP $code"
cp "$tmp/body" "$tmp/series.json"
jq -e "[.points[] | select(.event == \"task.create\") | .count] | add == $N" \
	"$tmp/series.json" >/dev/null ||
	fail "/api/series: the counts do not sum to $N: $(cat "$tmp/series.json")"
jq -e "[.points[].count_total] | max == $N" "$tmp/series.json" >/dev/null ||
	fail "/api/series: count_total does not reach $N"
# in time order, every point complete, each tick's total the sum so far
jq -e '.points | . == sort_by(.t) and length >= 2 and
	all(.[]; has("t") and has("event") and has("size") and has("speed") and
		has("size_total")) and
	([foreach .[] as $p (0; . + $p.count; . == $p.count_total)] | all)' \
	"$tmp/series.json" >/dev/null || fail "/api/series: points out of order or inconsistent"
last=$(jq '.points[-1].t' "$tmp/series.json")
mid=$(jq '.points[(.points | length) / 2 | floor].t' "$tmp/series.json")
get "/api/series?since=$mid"
jq -e --argjson mid "$mid" '(.points | length) >= 1 and all(.points[]; .t > $mid)' \
	"$tmp/body" >/dev/null || fail "/api/series?since=$mid: points not after $mid"
get "/api/series?since=$last&events=memory.alloc"
jq -e '.points == []' "$tmp/body" >/dev/null ||
	fail "/api/series?events=memory.alloc: points for an event not traced"
get "/api/series?events=task.create,disk.read"
jq -e '(.points | length) >= 2 and all(.points[]; .event == "task.create")' \
	"$tmp/body" >/dev/null || fail "/api/series?events=task.create,disk.read"
get "/api/series?since=yesterday"
[ "$code" = 400 ] || fail "/api/series?since=yesterday: HTTP $code, want 400"
# decimal seconds only: strtod took 0x10 as 16, 1e3, " 5" and "+5"
for v in 0x10 1e3 %205 %2B5 nan inf -1 "" 99999999999999999999 1.5.2; do
	for k in since step; do
		get "/api/series?$k=$v"
		[ "$code" = 400 ] && grep -q "^bad '$k': want seconds.*in decimal" "$tmp/body" ||
			fail "/api/series?$k=$v: HTTP $code ($(cat "$tmp/body")), want 400 and the reason"
	done
done
get "/api/series?since=0.5&step=2"
[ "$code" = 200 ] || fail "/api/series?since=0.5&step=2: HTTP $code"
echo "PASS: /api/series sums to $N, in order, since= and events= select; since= and step= decimal only (0x10, 1e3, ' 5', '+5', nan, inf, -1, '', 1e20: 400)"

# more forks: the totals follow
release "$tmp/a.more"
join "$w"
until_json /api/stats ".events[0].count_total == $((N + M))" ||
	fail "/api/stats: count_total $(jq -c '.events[0].count_total' "$tmp/body") after $M more, want $((N + M))"
get /api/series
jq -e "[.points[].count] | add == $((N + M))" "$tmp/body" >/dev/null ||
	fail "/api/series: does not sum to $((N + M)) after $M more"
# step: one point per hour (two if an hour began meanwhile), summing all
get "/api/series?step=3600"
jq -e "(.points | length) <= 2 and ([.points[].count] | add == $((N + M))) and
	.points[-1].count_total == $((N + M))" "$tmp/body" >/dev/null ||
	fail "/api/series?step=3600: $(cat "$tmp/body")"
get "/api/series?step=-1"
[ "$code" = 400 ] || fail "/api/series?step=-1: HTTP $code, want 400"
echo "PASS: after $M more forks both say $((N + M)); step= sums the ticks it merges"

# the page and its files, with their types and the security headers
for f in /:index.html:text/html /static/lden.js:lden.js:text/javascript \
	/static/lden.css:lden.css:text/css /static/lden.svg:lden.svg:image/svg+xml \
	/static/flame.js:flame.js:text/javascript \
	/api/stats::application/json \
	/api/series::application/json; do
	path=${f%%:*}
	rest=${f#*:}
	file=${rest%%:*}
	type=${rest#*:}
	get "$path" -D "$tmp/headers"
	[ "$code" = 200 ] || fail "GET $path: HTTP $code"
	[ -z "$file" ] || cmp -s "$tmp/body" "$DASH/$file" ||
		fail "GET $path is not $DASH/$file"
	tr -d '\r' < "$tmp/headers" > "$tmp/h"
	grep -qi "^content-type: $type" "$tmp/h" || fail "GET $path: not $type"
	grep -qi '^x-frame-options: deny$' "$tmp/h" || fail "GET $path: no X-Frame-Options: DENY"
	grep -qi '^x-content-type-options: nosniff$' "$tmp/h" ||
		fail "GET $path: no X-Content-Type-Options: nosniff"
	grep -qi "^content-security-policy: default-src 'self'" "$tmp/h" ||
		fail "GET $path: no Content-Security-Policy default-src 'self'"
done
# nothing in the page runs or styles inline (the policy would block it)
grep -qi -e '<script>' -e '<style' -e ' style=' -e ' on[a-z]*=' "$DASH/index.html" &&
	fail "index.html has inline script or style"
grep -v 'xmlns="http://www.w3.org/2000/svg"' "$DASH/index.html" "$DASH/lden.js" \
	"$DASH/lden.css" "$DASH/lden.svg" "$DASH/flame.js" | grep -Eq 'https?://' &&
	fail "the dashboard loads something from elsewhere"
echo "PASS: page, script and styles served as installed, with their types and security headers"

# read-only: no other method; nothing outside the three files
for p in / /api/stats /api/series /static/lden.js; do
	get "$p" -X POST -d x=1
	[ "$code" = 405 ] || fail "POST $p: HTTP $code, want 405"
	get "$p" -X PUT -d x=1
	[ "$code" = 405 ] || fail "PUT $p: HTTP $code, want 405"
done
for p in /static/../index.html /static/../../../../etc/passwd \
	/static/%2e%2e/%2e%2e/etc/passwd /static/..%2f..%2fetc%2fpasswd \
	/static/ /static/lden.js/ /static/index.html /static//etc/passwd \
	/../../etc/passwd /etc/passwd /index.html/x /api/nothing; do
	get "$p" --path-as-is
	[ "$code" = 404 ] || fail "GET $p: HTTP $code, want 404"
	grep -q root: "$tmp/body" && fail "GET $p served /etc/passwd"
done
echo "PASS: POST and PUT refused (405); traversal and unknown paths 404"

stop_viz
curl -s --max-time 2 "http://$addr/" >/dev/null && fail "still serving after SIGINT"
# no Elasticsearch was asked for: at most one warning that none answers
grep '^lden: ' "$tmp/a.err" | grep -v -e '^lden: warning: ' -e '^lden: stopped ' &&
	fail "lden visualize printed errors"
grep -Eq '^  dashboard: [1-9][0-9]* requests' "$tmp/a.err" ||
	fail "the summary does not count the dashboard's requests"
[ "$(grep -c '^lden: warning: ' "$tmp/a.err")" -le 1 ] || fail "more than one warning"
echo "PASS: loopback when --listen has no address; the server stops with lden; no errors"

# --no-dashboard: none of its routes on the server /metrics still uses
port=$(free_port)
addr=127.0.0.1:$port
"$LDEN" visualize --events task.create --pid $$ --no-dashboard \
	--prometheus "$addr" >"$tmp/nodash.out" 2>"$tmp/nodash.err" &
viz=$!
started "$viz"
_i=0
until get /metrics && [ "$code" = 200 ]; do
	_i=$((_i + 1))
	[ $_i -gt 200 ] && fail "--no-dashboard --prometheus: no /metrics"
	sleep 0.1
done
for p in / /api/stats /api/series /static/lden.js; do
	get "$p"
	[ "$code" = 404 ] || fail "--no-dashboard: GET $p: HTTP $code, want 404"
done
grep -q dashboard: "$tmp/nodash.out" && fail "--no-dashboard: the header names a dashboard"
stop_viz
echo "PASS: --no-dashboard serves none of the dashboard's routes"

# ---------------------------------------------------------------------
# (b) a real browser renders the count, and the count grows
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
	echo "SKIP: no chromium or chromedriver: the browser test did not run"
	exit 77
fi
N=20
M=30
addr=127.0.0.1:$(free_port)
worker b $N $M
start_viz b "$w"
release "$tmp/b.go"
until_json /api/stats ".events[0].count_total == $N" || fail "b: /api/stats never said $N"
rm -f "$SHOT"
timeout 300 python3 "$top_srcdir/tests/cli/webdriver.py" "http://$addr/" \
	task.create "$tmp/b.more" "$SHOT" $((N + M)) >"$tmp/browser.out" 2>&1
rc=$?
sed 's/^/  browser: /' "$tmp/browser.out"
[ $rc = 0 ] || fail "webdriver.py exited $rc"
join "$w"
grep -qx "first=$N" "$tmp/browser.out" || fail "the page first showed $(sed -n 's/^first=//p' "$tmp/browser.out"), want $N"
grep -qx "grown=$((N + M))" "$tmp/browser.out" || fail "the page did not grow to $((N + M))"
[ -s "$SHOT" ] && [ "$(head -c 8 "$SHOT" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
	fail "no PNG screenshot at $SHOT"
stop_viz
echo "PASS: Chromium rendered task.create = $N, then $((N + M)) after more forks; charts drawn; screenshot $SHOT"
