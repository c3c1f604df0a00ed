#!/bin/sh
# lden visualize --prometheus against a real Prometheus (Debian package
# prometheus), both on loopback: Prometheus scrapes lden every second and,
# after a workload forks N times, its query API shows the counter grown
# by N.  Before that, /metrics itself with curl: the exposition format's
# HELP and TYPE lines, the security headers, HEAD, 405 for POST, 404.
#
# lden counts the workload's forks only (--pid), so the growth is exactly
# N whatever else the machine does.  Every wait is bounded.
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
T=${LDEN_TRACEFS:-/sys/kernel/tracing}
[ -r "$T/events/sched/sched_process_fork/id" ] ||
	{ echo "SKIP: no tracefs at $T"; exit 77; }
PROMETHEUS=${PROMETHEUS:-/usr/bin/prometheus}
[ -x "$PROMETHEUS" ] || { echo "SKIP: no $PROMETHEUS (Debian package prometheus)"; exit 77; }
for t in curl jq python3; do
	command -v $t >/dev/null || { echo "SKIP: no $t"; exit 77; }
done
LDEN="$top_builddir/src/lden"
tmp=$(mktemp -d) || exit 99
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
. "$top_srcdir/tests/cli/lib.sh"

# the value of a Prometheus instant query's first result, or ""
query() {
	curl -s -G --max-time 5 "http://127.0.0.1:$pport/api/v1/query" \
		--data-urlencode "query=$1" |
		jq -r 'if .status == "success" and (.data.result | length) > 0
			then .data.result[0].value[1] else "" end' 2>/dev/null
}

# wait_query QUERY JQ-TEST: until the value passes the test, at most 30 s
wait_query() {
	_i=0
	while :; do
		val=$(query "$1")
		[ -n "$val" ] && jq -n -e --argjson v "$val" "$2" >/dev/null 2>&1 && return 0
		_i=$((_i + 1))
		[ $_i -gt 150 ] && return 1
		sleep 0.2
	done
}

# ---------------------------------------------------------------------
# lden, counting the forks of a workload blocked on a fifo
N=60
mkfifo "$tmp/go" || exit 99
sh -c 'read x < "$1"; i=0; while [ $i -lt "$2" ]; do /bin/true; i=$((i + 1)); done' \
	sh "$tmp/go" $N &
w=$!; started $w
tries=0
while :; do
	lport=$(free_port)
	# a retry's wait_for must not read the attempt before (lib.sh)
	rm -f "$tmp/lden.out" "$tmp/lden.err"
	"$LDEN" visualize --no-dashboard --prometheus "127.0.0.1:$lport" \
		-e task.create,memory.alloc --pid $w >"$tmp/lden.out" 2>"$tmp/lden.err" &
	v=$!; started $v
	wait_for "$tmp/lden.out" '^  prometheus: ' && break
	join $v
	grep -q 'Address already in use' "$tmp/lden.err" && [ $tries -lt 5 ] ||
		fail "lden did not start"
	tries=$((tries + 1))
done
grep -qx "  prometheus: http://127.0.0.1:$lport/metrics" "$tmp/lden.out" ||
	fail "header: the /metrics URL"

# ---------------------------------------------------------------------
# /metrics by hand
url="http://127.0.0.1:$lport/metrics"
# the numbers come with the first tick, 50 ms after the header
_i=0
while curl -s -D "$tmp/h.txt" -o "$tmp/m.txt" --max-time 5 "$url" &&
	! grep -q '^lden_up{host="[^"]*"} 1$' "$tmp/m.txt"; do
	_i=$((_i + 1))
	[ $_i -gt 100 ] && fail "lden_up is not 1 within 5 s"
	sleep 0.05
done
head -n 1 "$tmp/h.txt" | grep -q '^HTTP/1.1 200' || fail "GET: $(head -n 1 "$tmp/h.txt")"
for h in 'X-Content-Type-Options: nosniff' 'X-Frame-Options: DENY' \
	"Content-Security-Policy: default-src 'self'; frame-ancestors 'none'" \
	'Referrer-Policy: no-referrer' 'Cache-Control: no-store' \
	'Content-Type: text/plain; version=0.0.4; charset=utf-8'; do
	tr -d '\r' < "$tmp/h.txt" | grep -qixF "$h" || fail "GET: no header '$h'"
done
for m in lden_up:gauge lden_interval_seconds:gauge lden_events_total:counter \
	lden_event_bytes_total:counter lden_lost_records_total:counter \
	lden_event_speed:gauge lden_event_info:gauge; do
	grep -q "^# HELP ${m%:*} [A-Z]" "$tmp/m.txt" || fail "no HELP line for ${m%:*}"
	grep -qx "# TYPE ${m%:*} ${m#*:}" "$tmp/m.txt" || fail "no TYPE ${m#*:} line for ${m%:*}"
done
host=$(hostname)
grep -qx "lden_events_total{event=\"task.create\",host=\"$host\"} 0" "$tmp/m.txt" ||
	fail "no task.create counter at 0 before the workload"
grep -q "^lden_event_bytes_total{event=\"memory.alloc\",host=\"$host\"} [0-9][0-9]*$" "$tmp/m.txt" ||
	fail "no bytes counter for memory.alloc"
grep -q '^lden_event_bytes_total{event="task.create"' "$tmp/m.txt" &&
	fail "a bytes counter for task.create, which has no size"
grep -qx "lden_event_info{event=\"memory.alloc\",source=\"tracepoint kmem:kmalloc\",mode=\"sampling\",host=\"$host\"} 1" \
	"$tmp/m.txt" || fail "lden_event_info of memory.alloc"
grep -v '^#' "$tmp/m.txt" | grep -v '^[a-z_]*{\([a-z]*="[^"]*",\)*[a-z]*="[^"]*"} [0-9.e+-]*$' \
	> "$tmp/bad.out" && fail "lines not in the exposition format"
curl -s -I -o /dev/null -w '%{http_code}' --max-time 5 "$url" | grep -qx 200 || fail "HEAD"
[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST -d x=1 "$url")" = 405 ] ||
	fail "POST is not 405"
curl -s -D "$tmp/h405.txt" -o /dev/null --max-time 5 -X DELETE "$url"
tr -d '\r' < "$tmp/h405.txt" | grep -qx 'Allow: GET, HEAD' || fail "405 without Allow"
tr -d '\r' < "$tmp/h405.txt" | grep -qx 'X-Frame-Options: DENY' || fail "405 without the headers"
[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$lport/nope")" = 404 ] ||
	fail "unknown path is not 404"
[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$lport/metrics/x")" = 404 ] ||
	fail "/metrics/x is not 404"
echo "PASS: /metrics: HELP and TYPE lines, security headers, HEAD, 405 with Allow, 404"

# ---------------------------------------------------------------------
# Prometheus scraping lden every second
tries=0
while :; do
	pport=$(free_port)
	cat > "$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: lden
    static_configs:
      - targets: ['127.0.0.1:$lport']
EOF
	rm -rf "$tmp/data"
	"$PROMETHEUS" --config.file="$tmp/prometheus.yml" \
		--storage.tsdb.path="$tmp/data" \
		--web.listen-address="127.0.0.1:$pport" \
		>"$tmp/prometheus.log.txt" 2>&1 &
	p=$!; started $p
	_i=0
	while kill -0 $p 2>/dev/null && [ $_i -lt 300 ] &&
		! curl -s --max-time 2 "http://127.0.0.1:$pport/-/ready" | grep -q Ready; do
		_i=$((_i + 1))
		sleep 0.1
	done
	curl -s --max-time 2 "http://127.0.0.1:$pport/-/ready" | grep -q Ready && break
	kill $p 2>/dev/null
	join $p
	grep -q 'address already in use' "$tmp/prometheus.log.txt" && [ $tries -lt 5 ] || {
		cat "$tmp/prometheus.log.txt"
		fail "prometheus did not become ready"
	}
	tries=$((tries + 1))
done
wait_query 'up{job="lden"}' '$v == 1' || fail "the lden target is not up in Prometheus"
wait_query 'lden_events_total{event="task.create",job="lden"}' '$v == 0' ||
	fail "Prometheus has no task.create sample before the workload"
timeout 10 sh -c 'echo go > "$1"' sh "$tmp/go" || fail "the workload did not start"
join $w
[ $rc = 0 ] || fail "the workload failed"
q='max_over_time(lden_events_total{event="task.create",job="lden"}[5m]) - min_over_time(lden_events_total{event="task.create",job="lden"}[5m])'
wait_query "$q" "(\$v | tonumber) >= $N" ||
	fail "Prometheus saw an increase of '$(query "$q")', expected $N"
[ "$(query "$q")" = "$N" ] || fail "Prometheus saw an increase of $(query "$q"), expected exactly $N"
inc=$(query 'increase(lden_events_total{event="task.create",job="lden"}[5m])')
jq -n -e --argjson v "$inc" "(\$v | tonumber) >= $N" >/dev/null ||
	fail "increase() is $inc, expected >= $N"
lost=$(query 'sum(lden_lost_records_total{job="lden"})')
[ "$lost" = 0 ] || fail "lost records: $lost"
echo "PASS: Prometheus scraped lden every second: task.create grew by $N (increase() $inc), 0 lost"

kill $p
join $p
kill -INT $v
join $v
[ $rc = 0 ] || fail "lden: exit status $rc after SIGINT"
grep -q '^  prometheus: [1-9][0-9]* scrapes$' "$tmp/lden.err" || fail "lden: no scrape count in the summary"
echo "PASS: lden stopped cleanly: $(grep prometheus: "$tmp/lden.err")"
