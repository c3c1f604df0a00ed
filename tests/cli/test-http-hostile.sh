#!/bin/sh
# lden visualize's HTTP server under attack, and exposed on purpose:
# (1) slowloris: 100 connections from one client (127.0.0.2) sending a
# byte every 2 s once kept every slot, and /api/stats unanswered; now a
# client gets 16 connections, other clients are answered within a second,
# and a request that dribbles is cut at its 10 s deadline; (2) 16 clients
# asking /api/series for long lists of events and the whole window, over
# and over: lden's serving threads are no tracing cost, so the overhead
# guard switches no size off, and the ticks keep their interval; (3) a GET
# with 500 query arguments gets a reply; (4) listening beyond loopback
# says so in one line, unless --web-config protects it; (5) --web-config:
# TLS and basic authentication, refused and accepted by curl and scraped
# by a real Prometheus with the same credentials; bad files name file and
# line.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_cmd curl jq python3 openssl
LDEN="$top_builddir/src/lden"
BH="$top_builddir/tests/cli/bcrypt-hash"
test_tmp

# viz NAME ARGS...: lden visualize ARGS in the background, output in
# $tmp/NAME.out/.err, its pid in $viz; returns once it printed its header
viz() {
	_n=$1
	shift
	"$LDEN" visualize "$@" >"$tmp/$_n.out" 2>"$tmp/$_n.err" &
	viz=$!
	viz_err="$tmp/$_n.err"
	started $viz
	wait_for "$tmp/$_n.err" '^lden: visualizing\|dashboard:' 20 ||
		wait_for "$tmp/$_n.out" '^lden: visualizing' 20 || fail "$_n: no header"
}

# serving WORD: until lden on $port answers /api/stats with WORD in it, at
# most 30 s; fails at once, with what it said, if lden ($viz) has gone
serving() {
	_i=0
	until curl -sS --max-time 1 "http://127.0.0.1:$port/api/stats" 2>"$tmp/serving.err" |
		grep -q "$1"; do
		[ -r "/proc/$viz/stat" ] && ! awk '{ exit $3 != "Z" }' "/proc/$viz/stat" ||
			fail "lden visualize on port $port (pid $viz) exited: $(tail -n 3 "$viz_err"); curl: $(cat "$tmp/serving.err")"
		[ $_i -lt 300 ] || fail "lden visualize on port $port: no /api/stats with $1 in 300 tries; curl: $(cat "$tmp/serving.err")"
		_i=$((_i + 1))
		sleep 0.1
	done
}

# worst N: the longest /api/stats of lden on $port took, over N requests
# half a second apart, in $worst (99 for one that failed)
worst_latency() {
	worst=0
	for _k in $(seq 1 "$1"); do
		_l=$(curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 5 \
			"http://127.0.0.1:$port/api/stats" |
			awk '$1 == 200 { print $2; exit } { print 99 }')
		worst=$(awk -v a="$_l" -v b="$worst" 'BEGIN { print (a > b) ? a : b }')
		sleep 0.5
	done
}

# baseline: $bound, what an attack may make /api/stats take: four times
# the worst of a few requests before it (a loaded machine slows every
# request), at least 2.5 s, at most 5 s (curl's limit: a request that got
# no answer counts 99).  A server the attack starved answers after its
# 10 s request deadline or not at all: 99 here, far above the bound; at
# load 12 one request during the attack took 1.019 s, above a 1 s floor.
baseline() {
	worst_latency 4
	bound=$(awk -v w="$worst" 'BEGIN { b = 4 * w; b = (b > 2.5) ? b : 2.5; print (b < 5) ? b : 5 }')
}

# ---------------------------------------------------------------------
# (1) slowloris from 127.0.0.2, /api/stats from 127.0.0.1
port=$(free_port)
viz slow --no-size -e task.create --listen 127.0.0.1:$port -i 0.5 -t 900
serving task.create
baseline
python3 - "$port" "$tmp/loris" <<'EOF' &
import socket, sys, time
port, out = int(sys.argv[1]), sys.argv[2]
conns = []
for i in range(100):
    s = socket.socket()
    s.bind(("127.0.0.2", 0))
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /api/stats HTTP/1.1\r\nHost: x\r\n")
        conns.append(s)
    except OSError:
        pass
# and one more client, alone from its address, dribbling too
d = socket.socket()
d.bind(("127.0.0.3", 0))
d.connect(("127.0.0.1", port))
d.sendall(b"GET /api/stats HTTP/1.1\r\nHost: x\r\n")
start = time.monotonic()
open(out + ".started", "w").write("%d\n" % len(conns))
# a header line a byte a second, for 16 s; when is the lone one cut?
cut_at = -1
for i in range(16):
    time.sleep(1)
    for s in conns:
        try:
            s.send(b"X")
        except OSError:
            pass
    try:
        d.send(b"X")
        d.setblocking(False)
        if d.recv(1) == b"" and cut_at < 0:
            cut_at = time.monotonic() - start
    except BlockingIOError:
        pass
    except OSError:
        if cut_at < 0:
            cut_at = time.monotonic() - start
    d.setblocking(True)
open(out, "w").write("%d %.1f\n" % (len(conns), cut_at))
EOF
loris=$!
started $loris
wait_for "$tmp/loris.started" . 20 || fail "slowloris: did not start"
worst_latency 24
join $loris
read -r held cut <"$tmp/loris" || fail "slowloris: no result"
awk -v w="$worst" -v b="$bound" 'BEGIN { exit !(w < b) }' ||
	fail "slowloris: /api/stats took $worst s during the attack (bound $bound s)"
# the lone dribbler: cut at its 10 s deadline (the watchdog looks every
# 0.2 s; a byte a second kept libmicrohttpd's idle timeout from firing;
# the client sees it at its next byte, 10-11.2 s at load 8, later when
# loaded more, and never if not cut: -1)
awk -v c="$cut" 'BEGIN { exit !(c >= 9.5 && c <= 15) }' ||
	fail "slowloris: a request dribbling a byte a second was cut after '$cut' s, not at 10 s"
echo "ok: slowloris of 100 connections from 127.0.0.2: /api/stats answered in at most $worst s (bound $bound s); a lone dribbling request cut after $cut s"
kill -INT $viz
join $viz
echo "PASS: a client that dribbles neither starves the others nor keeps a request for ever"

# ---------------------------------------------------------------------
# (2) a flood of /api/series while sizes are sampled: no size switched off
port=$(free_port)
# (a budget of 20%: the serving threads took 55-60% of a CPU on a quiet
# machine, which the guard would see if they counted; an ASan lden at load
# 12 took 5% for its tracing alone)
viz flood -e memory.alloc,task.create --listen 127.0.0.1:$port -i 0.2 -t 900 -o json --max-cpu 20
serving memory.alloc
baseline
names=$(python3 -c 'print(",".join(["memory.alloc", "task.create"] + ["x.e%d" % i for i in range(250)]))')
long=$(python3 -c 'print(",".join("x.e%d" % i for i in range(3500)))')
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "http://127.0.0.1:$port/api/series?events=$long")
[ "$code" = 400 ] || fail "flood: 3500 names: $code, want 400"
python3 - "$port" "$names" "$tmp/flood" <<'EOF' &
import http.client, threading, time, sys
port, names, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
end = time.monotonic() + 8
n = [0]
def client():
    # another client than the one that checks /api/stats
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5,
                                   source_address=("127.0.0.4", 0))
    while time.monotonic() < end:
        for q in ("since=0&events=" + names, "since=0", "step=0.2&since=0"):
            try:
                c.request("GET", "/api/series?" + q)
                c.getresponse().read()
                n[0] += 1
            except Exception:
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5,
                                               source_address=("127.0.0.4", 0))
ts = [threading.Thread(target=client) for _ in range(16)]
for t in ts: t.start()
for t in ts: t.join()
open(out, "w").write("%d\n" % n[0])
EOF
flood=$!
started $flood
worst_latency 14
join $flood
kill -INT $viz
join $viz
[ "$rc" = 0 ] || fail "flood: lden exit $rc"
grep -q 'guard:' "$tmp/flood.err" && fail "flood: the guard switched a size off: $(grep guard: "$tmp/flood.err")"
[ "$(jq -s '[.[] | select(.guard)] | .[-1].guard | length' "$tmp/flood.out")" = 0 ] ||
	fail "flood: a guard action in the JSON"
# the ticks kept their interval: no gap between two longer than what
# the attack may make /api/stats take ($bound, 2.5-5 s: at load 8.6 ticks
# were 0.43 s apart); serving threads that starved the ticks would leave
# one gap of the flood's 8 s
gap=$(jq -s -r '[.[] | select(.event == "task.create") | .interval] | max' "$tmp/flood.out")
awk -v g="$gap" -v b="$bound" 'BEGIN { exit !(g < b) }' ||
	fail "flood: ticks $gap s apart (interval 0.2 s, bound $bound s)"
awk -v w="$worst" -v b="$bound" 'BEGIN { exit !(w < b) }' ||
	fail "flood: /api/stats took $worst s (bound $bound s)"
serving=$(jq -s -r '.[-1].self.serving_cpu_pct' "$tmp/flood.out")
echo "PASS: $(cat "$tmp/flood") /api/series replies to 16 clients in 8 s: no size switched off, ticks at most $gap s apart, /api/stats in $worst s; the serving threads used $serving% of a CPU, not budgeted"

# ---------------------------------------------------------------------
# (3) 500 query arguments: a reply, not silence
port=$(free_port)
viz args --no-size -e task.create --listen 127.0.0.1:$port -t 900
serving task.create
q=$(python3 -c 'print("&".join("a%d=1" % i for i in range(500)))')
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "http://127.0.0.1:$port/api/stats?$q")
[ "$code" = 400 ] || fail "500 query arguments: $code, want 400"
kill -INT $viz
join $viz
echo "PASS: a GET with 500 query arguments gets 400"

# ---------------------------------------------------------------------
# (4) beyond loopback: one line of warning
# wide NAME ARGS...: lden visualize for half a second on 0.0.0.0:$port,
# stderr in $tmp/NAME.err (a port free on every address, which another
# may take before lden does: the next one then)
wide() {
	_n=$1
	shift
	for _try in 1 2 3 4 5; do
		port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("0.0.0.0", 0)); print(s.getsockname()[1])')
		"$LDEN" visualize --no-size -e task.create --listen 0.0.0.0:$port \
			-t 0.5 "$@" >"$tmp/$_n.out" 2>"$tmp/$_n.err" && return
		grep -q 'Address already in use' "$tmp/$_n.err" ||
			fail "$_n on 0.0.0.0: exit status not 0"
	done
	fail "$_n: no free port on 0.0.0.0"
}
wide wide
[ "$(grep -c "^lden: warning: the dashboard on 0.0.0.0:$port is reachable beyond this host unencrypted and without a password (--web-config FILE adds TLS and basic authentication)\$" "$tmp/wide.err")" = 1 ] ||
	fail "0.0.0.0: no one-line warning"
"$LDEN" visualize --no-size -e task.create \
	--listen 127.0.0.1:$port -t 0.5 >"$tmp/narrow.out" 2>"$tmp/narrow.err" ||
	fail "127.0.0.1: exit $?"
grep -q 'reachable beyond' "$tmp/narrow.err" && fail "127.0.0.1: warned"
echo "PASS: listening on 0.0.0.0 says so in one line, on 127.0.0.1 not"

# ---------------------------------------------------------------------
# (5) --web-config: TLS and basic authentication, as exporters have them
[ -x "$BH" ] || fail "$BH not built"
tls_cert 127.0.0.5
hash=$("$BH" 's3cret pass') || fail "no bcrypt hash"
cat >"$tmp/web.yml" <<EOF
tls_server_config:
  cert_file: server.crt
  key_file: server.key
basic_auth_users:
  scraper: '$hash'
EOF
# beyond loopback, protected: no warning; half protected: which half
wide wprot --web-config "$tmp/web.yml"
grep -q 'reachable beyond' "$tmp/wprot.err" && fail "0.0.0.0 with TLS and users: warned"
sed '/^basic_auth_users:/,$d' "$tmp/web.yml" >"$tmp/tls-only.yml"
wide wtls --web-config "$tmp/tls-only.yml"
grep -q "^lden: warning: the dashboard on 0.0.0.0:$port is reachable beyond this host without a password (no basic_auth_users in --web-config)\$" "$tmp/wtls.err" ||
	fail "0.0.0.0 with TLS only: $(cat "$tmp/wtls.err")"
port=$(free_port)
viz web --no-size -e task.create --listen 127.0.0.5:$port --web-config "$tmp/web.yml" -i 0.5 -t 900
grep -q "dashboard: https://127.0.0.5:$port/ (basic authentication)" "$tmp/web.out" ||
	fail "web: the header does not say https and basic authentication"
url="https://127.0.0.5:$port/metrics"
c() { curl -s -o "$tmp/body" -w '%{http_code}' --max-time 5 --cacert "$tmp/ca.crt" "$@"; }
_i=0
until [ "$(c -u 'scraper:s3cret pass' "$url")" = 200 ]; do
	_i=$((_i + 1)); [ $_i -gt 100 ] && fail "web: never 200 with the password"; sleep 0.1
done
grep -q '^lden_up{' "$tmp/body" || fail "web: not /metrics"
[ "$(c "$url")" = 401 ] || fail "web: no password: not 401"
[ "$(c -u 'scraper:wrong' "$url")" = 401 ] || fail "web: a wrong password: not 401"
[ "$(c -u 'nobody:s3cret pass' "$url")" = 401 ] || fail "web: an unknown user: not 401"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.5:$port/metrics")
[ "$code" = 000 ] || fail "web: plain HTTP answered $code"
# a flood of wrong passwords is throttled, the right one gets in: two
# clients, 16 guesses each on one connection, asking faster than the
# fifth of a CPU lden gives bcrypt a second allows (one connection each,
# so that its TLS handshake costs once, even on a loaded machine).  A
# machine so loaded that lden gets less than that CPU has nothing to
# throttle: then lden's own CPU over the flood must say so (under half a
# CPU: under make -j2 check, beside another test, four floods got no
# answer at all with lden at 8-29% of a CPU), or the throttle failed; a
# few floods at most.  A dead server fails the password's check after.
urls=$(for i in $(seq 1 16); do printf '%s ' "-o /dev/null $url"; done)
for round in 1 2 3 4; do
	t0=$(date +%s.%N); c0=$(cpu_ticks "$viz")
	codes=$(seq 1 2 | xargs -P 2 -I N sh -c 'curl -s --max-time 60 --cacert "$1" \
		-u "scraper:guessN" -w "%{http_code}\n" $2' sh "$tmp/ca.crt" "$urls" |
		sort | uniq -c | tr -s ' \n' ' ')
	echo "$codes" | grep -q ' 429' && break
	share=$(awk -v c="$(($(cpu_ticks "$viz") - c0))" -v hz="$(getconf CLK_TCK)" \
		-v t0="$t0" -v t1="$(date +%s.%N)" 'BEGIN { printf "%.3f", c / hz / (t1 - t0) }')
	starved=$(awk -v s="$share" 'BEGIN { print (s < 0.5) ? 1 : 0 }')
	# no guess answered at all (curl's 000): the watchdog cut requests
	# that took over 10 s; only a server starved of CPU (its threads run
	# at nice 10) may take that long
	if ! echo "$codes" | grep -q ' [1-9][0-9][0-9]'; then
		[ "$starved" = 1 ] ||
			fail "web: no guess of 32 answered ($codes), though lden had $share of a CPU"
		echo "  flood $round: no guess answered ($codes): lden had $share of a CPU, starved"
		codes="none judged: lden was starved of CPU in 4 floods"
		continue
	fi
	[ "$starved" = 1 ] ||
		fail "web: 32 wrong passwords at once were not throttled ($codes), lden had $share of a CPU"
	echo "  flood $round: not throttled ($codes): lden had $share of a CPU, under the budget"
	codes="none throttled: lden never had the CPU for it"
done
sleep 1.1
[ "$(c -u 'scraper:s3cret pass' "$url")" = 200 ] || fail "web: the password after the flood"
echo "ok: https only; 401 without, with a wrong password or user; 429 for a flood of guesses ($codes); 200 with the password"

need_cmd prometheus
pport=$(free_port)
cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: lden
    scheme: https
    tls_config:
      ca_file: $tmp/ca.crt
    basic_auth:
      username: scraper
      password: 's3cret pass'
    static_configs:
      - targets: ['127.0.0.5:$port']
EOF
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
	--web.listen-address="127.0.0.1:$pport" >"$tmp/prometheus.txt" 2>&1 &
p=$!
started $p
_i=0
q='up{job="lden"}'
until [ "$(curl -s --max-time 2 "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$q" |
	jq -r '.data.result[0].value[1] // empty' 2>/dev/null)" = 1 ]; do
	_i=$((_i + 1))
	[ $_i -gt 300 ] && { cat "$tmp/prometheus.txt"; fail "Prometheus never scraped lden over TLS with the password"; }
	sleep 0.1
done
v=$(curl -s --max-time 2 "http://127.0.0.1:$pport/api/v1/query" \
	--data-urlencode 'query=lden_up{job="lden"}' | jq -r '.data.result[0].value[1]')
[ "$v" = 1 ] || fail "Prometheus: lden_up is '$v'"
kill $p
join $p
kill -INT $viz
join $viz
grep -q '^  prometheus: [1-9][0-9]* scrapes$' "$tmp/web.err" || fail "web: no scrapes counted"
echo "ok: a real Prometheus scraped /metrics over TLS with the same user and password"

# bad configurations: exit 2, one line naming the file and line
bad() {	# want-regex yaml...
	_want=$1
	shift
	printf '%s\n' "$@" >"$tmp/bad.yml"
	"$LDEN" visualize --web-config "$tmp/bad.yml" -t 1 >"$tmp/bad.out" 2>"$tmp/bad.err"
	_rc=$?
	[ "$_rc" = 2 ] || fail "bad web config ($*): exit $_rc"
	drop_sweep "$tmp/bad.err"
	[ "$(wc -l <"$tmp/bad.err")" = 1 ] && grep -q "^lden: visualize: --web-config: $tmp/bad.yml:$_want" "$tmp/bad.err" ||
		fail "bad web config ($*): $(cat "$tmp/bad.err")"
}
bad "2: tls_server_config: needs both cert_file and key_file" 'tls_server_config:' '  cert_file: server.crt'
bad "2: basic_auth_users: 'u': expected a bcrypt hash" 'basic_auth_users:' '  u: plain'
bad "2: tls_server_config: 'cipher_suites' is not supported by lden" 'tls_server_config:' '  cipher_suites: [x]'
bad "1: 'http_server_config' is not supported by lden" 'http_server_config:' '  http2: false'
bad "2: .*: No such file or directory" 'tls_server_config:' '  cert_file: nope.crt' '  key_file: nope.key'
bad "2: tls_server_config: min_version 'TLS10': lden allows TLS12 or TLS13" 'tls_server_config:' '  min_version: TLS10'
echo "PASS: --web-config: TLS and bcrypt basic auth, scraped by Prometheus; bad files refused with file:line"
