#!/bin/sh
# lden watch and a real Alertmanager (Debian's prometheus-alertmanager),
# started here on loopback with a generated configuration whose receiver
# is a webhook of the test's own (recv.py):
#  - a rule over the test's own forks (--pid PID --children) fires (its
#    keep-firing-for bridging a loaded machine's faltering forks):
#    Alertmanager's API lists the alert with its labels (alertname, host,
#    the rule's), annotations and the generatorURL of lden's dashboard,
#    and the receiver gets it;
#  - while it fires lden tells Alertmanager again (--resend 1);
#  - the second URL of the action (an HA peer that is down) is counted
#    as failed and does not hold up the first;
#  - the workload stops: the rule resolves, Alertmanager shows the alert
#    resolved and the receiver gets the resolution;
#  - a rule with 'for 60s' over the same forks never reaches Alertmanager.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
AM=$(command -v prometheus-alertmanager || command -v alertmanager) ||
	{ echo "SKIP: no prometheus-alertmanager"; exit 77; }
need_cmd python3 jq curl
LDEN="$top_builddir/src/lden"
RECV="$top_srcdir/tests/cli/recv.py"
test_tmp

# the receiver of Alertmanager's notifications
python3 "$RECV" http "$tmp/recv.port" "$tmp/recv.json" &
started $!
wait_for "$tmp/recv.port" . || fail "the receiver did not start"
rport=$(cat "$tmp/recv.port")

cat > "$tmp/am.yml" <<EOF
route:
  receiver: test
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: test
    webhook_configs:
      - url: http://127.0.0.1:$rport/am
        send_resolved: true
EOF
# a free port may be taken before Alertmanager binds it: try three
for try in 1 2 3; do
	aport=$(free_port)
	"$AM" --config.file="$tmp/am.yml" --storage.path="$tmp/am" \
		--web.listen-address="127.0.0.1:$aport" --cluster.listen-address= \
		--log.level=warn >"$tmp/am.out" 2>&1 &
	am=$!
	started $am
	i=0
	while [ $i -lt 300 ] && kill -0 $am 2>/dev/null &&
	      [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$aport/-/ready")" != 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -0 $am 2>/dev/null && break
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$aport/-/ready")" = 200 ] ||
	fail "Alertmanager did not start: $(cat "$tmp/am.out")"
dead=$(free_port)

# alerts NAME [ACTIVE]: Alertmanager's alerts named NAME, as JSON
alerts() {
	curl -s -G "http://127.0.0.1:$aport/api/v2/alerts" \
		--data-urlencode "filter=alertname=\"$1\"" \
		--data-urlencode "active=${2:-true}" --data-urlencode "inhibited=true" \
		--data-urlencode "silenced=true" --data-urlencode "unprocessed=true"
}

cat > "$tmp/forker.sh" <<'EOF'
echo ready
read cmd
while :; do /bin/true; done
EOF
workload forker sh "$tmp/forker.sh"
cat > "$tmp/am.rules" <<EOF
rule forkstorm
	describe	more than 5 new tasks a second
	when		speed(task.create) > 5
	keep-firing-for	3s
	labels		severity=page team=lden-test
	annotation	summary {{ speed(task.create) }} tasks a second
	action		alertmanager http://127.0.0.1:$aport http://127.0.0.1:$dead
rule slowstorm
	when		speed(task.create) > 5
	for		60s
	action		alertmanager http://127.0.0.1:$aport
EOF
lport=$(free_port)
"$LDEN" watch --json -i 100 -r "$tmp/am.rules" --pid $wpid --children \
	--resend 1 --listen "127.0.0.1:$lport" >"$tmp/w.out" 2>"$tmp/w.err" &
n=$!
started $n
wait_for "$tmp/w.out" '"type":"start"' || fail "lden watch did not start"
# a speed is the last second's once lden is a second old (before, an
# average over less, marked: the summary below is asserted unmarked)
lden_second $n || fail "lden watch did not run"
echo go >&8
wait_for "$tmp/w.out" '"rule":"forkstorm","from":"inactive","state":"firing"' ||
	fail "forkstorm did not fire"

# Alertmanager lists it, active, with its labels and where it came from
i=0
while [ $i -lt 300 ] && [ "$(alerts forkstorm | jq length)" != 1 ]; do
	sleep 0.1
	i=$((i + 1))
done
alerts forkstorm > "$tmp/alert.json"
host=$(hostname)
jtrue "$tmp/alert.json" --arg host "$host" --arg url "http://127.0.0.1:$lport/#rule=forkstorm" '
	length == 1 and (.[0] | .status.state == "active" and
	.labels == {"alertname": "forkstorm", "host": $host, "severity": "page",
		    "team": "lden-test"} and
	.annotations.description == "more than 5 new tasks a second" and
	(.annotations.summary | test("^[0-9]+ tasks a second$")) and
	.generatorURL == $url)' ||
	fail "Alertmanager lists: $(cat "$tmp/alert.json")"
echo "ok: Alertmanager lists forkstorm with its labels"

# the receiver gets the notification
wait_for "$tmp/recv.json" '"status": "firing"' 30 || fail "the receiver got nothing"
jtrue "$tmp/recv.json" 'select(.body.status == "firing") | .path == "/am" and
	.body.alerts[0].labels.alertname == "forkstorm"' ||
	fail "the receiver got: $(cat "$tmp/recv.json")"
echo "ok: the receiver got it"

# resent while firing: more than the one firing POST reached Alertmanager
i=0
while [ $i -lt 300 ]; do
	sent=$(curl -s "http://127.0.0.1:$lport/metrics" |
		sed -n "s|^lden_action_sent_total{action=\"alertmanager\",target=\"http://127.0.0.1:$aport\",[^}]*} ||p")
	[ "${sent:-0}" -ge 3 ] && break
	sleep 0.1
	i=$((i + 1))
done
[ "${sent:-0}" -ge 3 ] || fail "not resent while firing: $sent sent"
grep -q '"rule":"forkstorm","from":"firing","state":"resolved"' "$tmp/w.out" &&
	fail "forkstorm resolved while the workload still forked"
echo "ok: resent while firing ($sent)"

# the workload stops: resolved, in lden, in Alertmanager, at the receiver
kill $wpid
exec 8>&-
wait_for "$tmp/w.out" '"rule":"forkstorm","from":"firing","state":"resolved"' ||
	fail "forkstorm did not resolve"
i=0
while [ $i -lt 300 ] && [ "$(alerts forkstorm true | jq length)" != 0 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ "$(alerts forkstorm true | jq length)" = 0 ] ||
	fail "still active in Alertmanager: $(alerts forkstorm true)"
wait_for "$tmp/recv.json" '"status": "resolved"' 30 || fail "the receiver got no resolution"
jtrue "$tmp/recv.json" 'select(.body.status == "resolved") | .body.alerts[0].labels.alertname == "forkstorm" and
	.body.alerts[0].status == "resolved"' ||
	fail "the resolution: $(cat "$tmp/recv.json")"
echo "ok: resolved in Alertmanager and at the receiver"

stop $n
reaped $n
[ "$(alerts slowstorm false | jq length)" = 0 ] ||
	fail "slowstorm reached Alertmanager: $(alerts slowstorm false)"
# the HA peer that is down: every POST failed, none held up the first
jtrue "$tmp/w.out" --arg up "http://127.0.0.1:$aport" --arg down "http://127.0.0.1:$dead" '
	select(.type == "end") | .actions as $a |
	($a[] | select(.target == $up) | .sent >= 4 and .failed == 0 and .dropped == 0) and
	($a[] | select(.target == $down) | .sent == 0 and .failed >= 4)' ||
	fail "the end: $(tail -1 "$tmp/w.out")"
grep -q slowstorm "$tmp/recv.json" && fail "the receiver heard of slowstorm"
echo "PASS"
