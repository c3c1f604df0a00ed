#!/bin/sh
# The Elasticsearch sink against tests/es/fake-es.py, a loopback stand-in
# for Elasticsearch 8 that checks every request (the wire format, the
# template, the documents' fields and types, the auth header) and records
# the documents it stores.  tests/es/es-push drives the sink with ticks of
# known counts.  Cases: delivery exactly once and one template across two
# runs; the server down at start; down for 10 s in the middle (delivered
# + dropped == pushed, no duplicates, peak RSS flat); 429 and 503 answers;
# per-item errors; a request timing out (repeated without duplicates,
# tick() not blocked); API key and basic auth; HTTPS with a CA; a tiny
# queue dropping its oldest points; bad settings; sizes stopped by the
# overhead guard ("size_valid":false); an older template replaced, a
# current or newer one left alone; counts and sizes of 2^64 - 1 exact
# (unsigned_long, the data stream rolled over), or on Elasticsearch 7.9
# and where the rollover is refused 2^63 - 1 marked "capped".  Every wait
# is bounded.
set -u
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
PUSH="$top_builddir/tests/es/es-push"
. "$top_srcdir/tests/cli/lib.sh"
test_tmp
. "$top_srcdir/tests/es/fake.sh"

# push [ES-PUSH ARGS]: es-push at most 60 s; output in $d/push.out and
# $d/push.err, status in $rc
push() {
	timeout 60 "$PUSH" "$@" > "$d/push.out" 2> "$d/push.err"
	rc=$?
}

# num NAME: the number after NAME in es-push's report
num() {
	awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) {
		print $(i + 1); exit } }' "$d/push.out"
}

# docs: "DOCS UNIQUE SUM_COUNT" of the stored documents; fails on a
# document whose numbers are not es-push's (with --stop-size-at $STOP
# when STOP is set)
docs() {
	python3 - "$d/docs" "${STOP:--1}" <<'PY' || fail "bad documents in $d/docs"
import json, sys
stop = int(sys.argv[2])
n, seen, total = 0, set(), 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    doc = r["doc"]
    e = int(doc["event"][len("test.e"):])
    tick = doc["count_total"] // (e + 1) - 1
    assert doc["count"] == e + 1, doc
    assert doc["count_total"] == (tick + 1) * (e + 1), doc
    assert doc["source"] == "tracepoint test:e%d" % e, doc
    assert doc["host"] == "es-push-host", doc
    stopped = e % 2 == 1 and 0 <= stop <= tick
    assert doc["mode"] == ("sampling" if e % 2 and not stopped
                           else "counting"), doc
    if stopped:
        assert doc["size_valid"] is False and "size" not in doc, doc
        assert doc["size_total"] == 100 * (e + 1) * stop, doc
    elif e % 2:
        assert doc["size"] == 100 * doc["count"], doc
        assert doc["size_total"] == 100 * doc["count_total"], doc
        assert doc["size_valid"] is True, doc
    else:
        assert "size" not in doc and "size_total" not in doc, doc
        assert "size_valid" not in doc, doc
    assert r["_index"] == "lden", r
    n += 1
    seen.add((e, tick, doc["@timestamp"]))
    total += doc["count"]
print(n, len(seen), total)
PY
}

# wait_lines FILE N: until FILE has N lines, at most 20 s
wait_lines() {
	_i=0
	while [ "$(wc -l < "$1" 2>/dev/null || echo 0)" -lt "$2" ]; do
		_i=$((_i + 1))
		[ $_i -gt 400 ] && fail "$1 did not reach $2 lines"
		sleep 0.05
	done
}

# expect_report SENT DROPPED: es-push's report says so, and succeeded
expect_report() {
	[ "$rc" = 0 ] || fail "es-push exited $rc"
	[ "$(num sent)" = "$1" ] && [ "$(num dropped)" = "$2" ] ||
		fail "expected sent $1 dropped $2: $(cat "$d/push.out")"
}

# ---------------------------------------------------------------------
echo "happy path: every point once, the template installed once"
fake_start happy
push --url "$url" --required --ticks 20 --every 20 --events 3
expect_report 60 0
set -- $(docs)
[ "$1 $2 $3" = "60 60 120" ] || fail "stored docs/unique/sum $*, not 60 60 120"
push --url "$url/" --required --ticks 10 --every 10 --events 3
expect_report 30 0
set -- $(docs)
[ "$1 $2" = "90 90" ] || fail "after two runs: docs/unique $*, not 90 90"
[ "$(grep -c '^PUT /_index_template/lden 200$' "$d/log")" = 1 ] ||
	fail "template PUT not exactly once: $(cat "$d/log")"
[ "$(grep -c '^GET /_index_template/lden' "$d/log")" = 2 ] ||
	fail "template not checked at each start"
no_violations "happy path"
[ "$(num retries)" = 0 ] || fail "retries on the happy path"
fake_stop

# ---------------------------------------------------------------------
echo "sizes stopped by the overhead guard: size_valid false, total frozen"
fake_start stopped
push --url "$url" --required --ticks 6 --every 10 --events 4 --stop-size-at 3
expect_report 24 0
set -- $(STOP=3 docs)
[ "$1 $2 $3" = "24 24 60" ] || fail "stored docs/unique/sum $*, not 24 24 60"
# events 1 and 3, ticks 3 to 5; and the other documents said true
[ "$(grep -c '"size_valid": false' "$d/docs")" = 6 ] ||
	fail "not 6 documents with size_valid false"
[ "$(grep -c '"size_valid": true' "$d/docs")" = 6 ] ||
	fail "not 6 documents with size_valid true"
no_violations "stopped sizes"
fake_stop

# ---------------------------------------------------------------------
echo "the template: an older one replaced, a current or newer one kept"
# version 1, as lden installed it before size_valid: the documents must
# not be checked against it (size_valid, missed, count_exact not in its
# mappings)
python3 - "$tmp/old.json" 1 <<'PY'
import json, sys
props = {"@timestamp": {"type": "date"}}
for f in ("event", "host", "source", "mode"):
    props[f] = {"type": "keyword"}
for f in ("count", "size", "count_total", "size_total", "lost"):
    props[f] = {"type": "long"}
for f in ("speed", "interval"):
    props[f] = {"type": "double"}
json.dump({"index_patterns": ["lden*"], "data_stream": {}, "priority": 200,
           "version": int(sys.argv[2]),
           "template": {"mappings": {"dynamic": False,
                                     "properties": props}}},
          open(sys.argv[1], "w"))
PY
fake_start upgrade --template "lden=$tmp/old.json"
push --url "$url" --required --ticks 2 --every 10 --events 2
expect_report 4 0
[ "$(grep -c '^PUT /_index_template/lden 200$' "$d/log")" = 1 ] ||
	fail "version 1 not replaced: $(cat "$d/log")"
no_violations "template upgrade"
push --url "$url" --required --ticks 2 --every 10 --events 2
expect_report 4 0
[ "$(grep -c '^PUT /_index_template/lden' "$d/log")" = 1 ] ||
	fail "the current template replaced: $(cat "$d/log")"
grep -q '"size_valid": true' "$d/docs" || fail "no size_valid stored"
fake_stop
# a newer lden's (version 99, which maps size_valid, missed,
# count_exact, speed_estimated, speed_span, lost_shared and size_overflow
# too) stays
sed 's/"size_total": {"type": "long"}/&, "size_valid": {"type": "boolean"}, "missed": {"type": "long"}, "count_exact": {"type": "boolean"}, "speed_estimated": {"type": "boolean"}, "speed_span": {"type": "double"}, "lost_shared": {"type": "boolean"}, "size_overflow": {"type": "boolean"}/; s/"version": 1/"version": 99/' \
	"$tmp/old.json" > "$tmp/new.json"
grep -q '"version": 99' "$tmp/new.json" && grep -q boolean "$tmp/new.json" ||
	fail "could not write the newer template"
fake_start newer --template "lden=$tmp/new.json"
push --url "$url" --required --ticks 2 --every 10 --events 2
expect_report 4 0
grep -q '^GET /_index_template/lden 200$' "$d/log" ||
	fail "template not checked: $(cat "$d/log")"
grep -q '^PUT /_index_template' "$d/log" &&
	fail "a newer template replaced: $(cat "$d/log")"
no_violations "newer template"
fake_stop

# ---------------------------------------------------------------------
echo "counts and sizes past 2^63 - 1: exact (unsigned_long), else capped and marked"
# A real server refuses a document whose "long" field gets 2^64 - 1 (the
# fake does too): version 5's template dropped them all.
big=18446744073709551615
# bignums WANT CAPPED: every count and size of every stored document is
# the JSON integer WANT, "capped" there (true) exactly when CAPPED is true
bignums() {
	python3 - "$d/docs" "$1" "$2" <<'PY' || fail "bad numbers in $d/docs"
import json, sys
want, capped, n = int(sys.argv[2]), sys.argv[3] == "true", 0
for line in open(sys.argv[1]):
    doc = json.loads(line)["doc"]
    for f in ("count", "count_total", "lost", "missed", "size", "size_total"):
        if f in doc or f not in ("size", "size_total"):
            assert doc[f] == want and type(doc[f]) is int, (f, doc)
    assert doc.get("capped", False) is capped, doc
    if "size_total" in doc:
        assert doc["size_overflow"] is True, doc
    n += 1
assert n > 0
PY
}
# version 5 of the template, all numbers "long", for the data stream
# already there
python3 - "$tmp/old.json" "$tmp/v5.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
t["version"] = 5
props = t["template"]["mappings"]["properties"]
props["missed"] = {"type": "long"}
for f in ("size_valid", "count_exact", "speed_estimated", "lost_shared",
          "size_overflow"):
    props[f] = {"type": "boolean"}
props["speed_span"] = {"type": "double"}
json.dump(t, open(sys.argv[2], "w"))
PY
fake_start big
push --url "$url" --required --ticks 2 --every 10 --events 2 --value $big
expect_report 4 0
[ "$(num capped)" = 0 ] || fail "capped on a server with unsigned_long: $(cat "$d/push.out")"
bignums $big false
no_violations "2^64 - 1, unsigned_long"
fake_stop
# the data stream of version 5 there: the template replaced and the
# stream rolled over, so that its new write index maps unsigned_long
fake_start big-upgrade --template "lden=$tmp/v5.json" --stream lden
push --url "$url" --required --ticks 2 --every 10 --events 2 --value $big
expect_report 4 0
grep -q '^POST /lden/_rollover 200$' "$d/log" ||
	fail "the data stream not rolled over: $(cat "$d/log")"
bignums $big false
no_violations "2^64 - 1 after version 5"
fake_stop
# Elasticsearch 7.9 has no unsigned_long: 2^63 - 1 marked "capped"
fake_start big-79 --version 7.9.3
push --url "$url" --required --ticks 2 --every 10 --events 2 --value $big
expect_report 4 0
[ "$(num capped)" = 4 ] || fail "capped not counted: $(cat "$d/push.out")"
[ "$(grep -c '^PUT /_index_template/lden 200$' "$d/log")" = 1 ] ||
	fail "no template for 7.9: $(cat "$d/log")"
bignums 9223372036854775807 true
no_violations "2^64 - 1 on 7.9"
fake_stop
# a rollover refused (no privilege): the old write index maps long, so
# capped and marked as well
fake_start big-deny --template "lden=$tmp/v5.json" --stream lden --deny-rollover
push --url "$url" --required --ticks 2 --every 10 --events 2 --value $big
expect_report 4 0
[ "$(num capped)" = 4 ] || fail "capped not counted: $(cat "$d/push.out")"
bignums 9223372036854775807 true
no_violations "2^64 - 1, rollover refused"
fake_stop

# ---------------------------------------------------------------------
echo "down at start: a clear error, quickly, whether required or not"
fake_start gone
fake_stop
for req in --required ""; do
	start=$(date +%s)
	push --url "$url" $req --ticks 1
	[ "$rc" = 3 ] || fail "es-push $req exited $rc, not 3"
	[ "$(cat "$d/push.err")" = "es-push: cannot reach Elasticsearch at $url: Connection refused" ] ||
		fail "message: $(cat "$d/push.err")"
	[ $(($(date +%s) - start)) -le 5 ] || fail "open took over 5 s"
done

# ---------------------------------------------------------------------
echo "down for 10 s in the middle: delivered + dropped == pushed"
fake_start outage
LDEN_ES_QUEUE_MAX=3000 timeout 90 "$PUSH" --url "$url" --required \
	--ticks 1600 --every 10 --events 10 \
	> "$d/push.out" 2> "$d/push.err" &
ppid=$!
started $ppid
wait_lines "$d/docs" 1000
outage 10
join $ppid
[ "$rc" = 0 ] || fail "es-push exited $rc"
pushed=$(num pushed)
sent=$(num sent)
dropped=$(num dropped)
unknown=$(num unknown)
[ "$pushed" = 16000 ] || fail "pushed $pushed"
[ $((sent + dropped + unknown)) = "$pushed" ] ||
	fail "sent $sent + dropped $dropped + unknown $unknown != pushed $pushed"
# 10 s at 1000 points/s cannot fit in a queue of 3000
[ "$dropped" -ge 5000 ] || fail "only $dropped dropped"
[ "$(num retries)" -ge 1 ] || fail "no retries"
set -- $(docs)
# what was sent is stored, once; of the documents whose request got no
# answer when the time to flush ran out (a loaded machine), some or all
# may be stored too: never more
[ "$2" = "$1" ] && [ "$1" -ge "$sent" ] && [ "$1" -le $((sent + unknown)) ] ||
	fail "stored $1 (unique $2), sink says $sent sent and $unknown unknown"
no_violations "outage"
echo "  sent $sent dropped $dropped unknown $unknown"
# the newest points made it
grep -q '"count_total": 16000,' "$d/docs" || fail "last tick not delivered"
fake_stop

# ---------------------------------------------------------------------
echo "memory: 20000 points/s while the server is down for 5 s"
fake_start memory
for q in 3000 1000000; do
	# the previous run's "open" must not pass for this one's: the shell
	# truncates push.out in the child, maybe after wait_for's first look
	rm -f "$d/push.out"
	LDEN_ES_QUEUE_MAX=$q timeout 60 "$PUSH" --url "$url" --required \
		--ticks 500 --every 10 --events 200 \
		> "$d/push.out" 2> "$d/push.err" &
	ppid=$!
	started $ppid
	wait_for "$d/push.out" '^open' || fail "es-push did not open"
	outage 5
	join $ppid
	[ "$rc" = 0 ] || fail "es-push exited $rc"
	[ $(($(num sent) + $(num dropped) + $(num unknown))) = 100000 ] ||
		fail "queue $q: $(cat "$d/push.out")"
	eval "growth_$q=\$((\$(num hwm_end_kb) - \$(num hwm_start_kb)))"
done
no_violations "memory"
echo "  peak RSS growth: queue 3000 ${growth_3000} kB, queue 10^6 ${growth_1000000} kB"
# the big queue holds ~100000 points (over 10 MB); the small one 3000
# (around 1 MB, the rest is the sender's working memory; more under ASan)
# AddressSanitizer's quarantine (freed memory kept, 256 MiB) makes peak
# RSS say little: there the bound is checked in the other builds only.
case "${LDEN_SAN_CFLAGS:-}" in
*address*)
	echo "  (ASan build: peak RSS not compared)" ;;
*)
	[ "$growth_3000" -lt 8192 ] || fail "peak RSS grew by $growth_3000 kB"
	[ "$growth_1000000" -gt $((growth_3000 * 3)) ] &&
	[ "$growth_1000000" -gt $((growth_3000 + 6144)) ] ||
		fail "peak RSS grew as much with a bounded queue as with a huge one"
	;;
esac
fake_stop

# ---------------------------------------------------------------------
for status in 429 503; do
	echo "HTTP $status twice, then success: retried, delivered"
	fake_start "fail$status"
	fake_mode "\"fail\": [$status, 2]"
	push --url "$url" --required --ticks 5 --every 10 --events 3
	expect_report 15 0
	[ "$(grep -c "^POST /_bulk $status\$" "$d/log")" = 2 ] ||
		fail "not 2 answers $status: $(cat "$d/log")"
	[ "$(num retries)" -ge 2 ] || fail "retries $(num retries)"
	set -- $(docs)
	[ "$1 $2" = "15 15" ] || fail "stored $1 (unique $2), not 15"
	no_violations "HTTP $status"
	fake_stop
done

# ---------------------------------------------------------------------
echo "per-item errors: 429/503 retried, 400 dropped with the reason"
fake_start items
fake_mode '"items": [429, 400, 503, 400, 429]'
push --url "$url" --required --ticks 10 --every 10 --events 3
expect_report 28 2
grep -q '^last_error rejected by Elasticsearch: mapper_parsing_exception: failed to parse field \[count\]' "$d/push.out" ||
	fail "reason not kept: $(cat "$d/push.out")"
set -- $(docs)
[ "$1 $2" = "28 28" ] || fail "stored $1 (unique $2), not 28"
no_violations "per-item errors"
fake_stop

# ---------------------------------------------------------------------
echo "a request timing out: repeated without duplicates, ticks not held"
fake_start slow
fake_mode '"delay": 2'
LDEN_ES_TIMEOUT_MS=500 timeout 60 "$PUSH" --url "$url" --required \
	--ticks 150 --every 20 --events 3 > "$d/push.out" 2> "$d/push.err" &
ppid=$!
started $ppid
wait_lines "$d/docs" 3
# the fake answers its first request 2 s after the client gave up on it
wait_for "$d/log" '^POST /_bulk 200' || fail "no answer after the delay"
fake_mode '"delay": 0'
join $ppid
expect_report 450 0
set -- $(docs)
[ "$1 $2" = "450 450" ] || fail "stored $1 (unique $2), not 450"
[ "$(num retries)" -ge 1 ] || fail "no retries after timeouts"
grep -q "Timeout\|timed out" "$d/push.out" || fail "no timeout reported"
[ "$(num max_tick_us)" -lt 50000 ] ||
	fail "tick() blocked $(num max_tick_us) us"
no_violations "timeouts"
fake_stop

# ---------------------------------------------------------------------
echo "a server hanging at exit: the flush gives up after 3 s, counted"
fake_start hung
fake_mode '"delay": 30'
start=$(date +%s)
push --url "$url" --required --ticks 3 --every 10 --events 2
# the request waiting for its answer went out: its points are unknown
# (the server may have them), the others dropped; none counted as sent
[ "$rc" = 0 ] || fail "es-push exited $rc"
[ "$(num sent)" = 0 ] && [ "$(num unknown)" -ge 2 ] &&
	[ $(($(num dropped) + $(num unknown))) = 6 ] ||
	fail "expected 0 sent, the request in flight unknown, 6 in all: $(cat "$d/push.out")"
[ $(($(date +%s) - start)) -le 6 ] ||
	fail "es-push took $(($(date +%s) - start)) s to give up"
fake_stop

# ---------------------------------------------------------------------
echo "API key and basic auth, from the environment"
fake_start apikey --api-key 'c2VjcmV0OmtleQ=='
LDEN_ES_API_KEY='c2VjcmV0OmtleQ==' push --url "$url" --required --ticks 3 \
	--every 10 --events 2
expect_report 6 0
no_violations "API key"
LDEN_ES_API_KEY=wrong push --url "$url" --required --ticks 1
[ "$rc" = 3 ] || fail "a wrong key: es-push exited $rc"
[ "$(cat "$d/push.err")" = "es-push: Elasticsearch at $url refused the credentials (HTTP 401: security_exception: unable to authenticate user)" ] ||
	fail "wrong key: $(cat "$d/push.err")"
fake_stop
fake_start basic --basic 'elastic:pa ss:word'
LDEN_ES_USER=elastic LDEN_ES_PASSWORD='pa ss:word' push --url "$url" \
	--required --ticks 3 --every 10 --events 2
expect_report 6 0
no_violations "basic auth"
LDEN_ES_USER=elastic push --url "$url" --required --ticks 1
[ "$rc" = 3 ] &&
[ "$(cat "$d/push.err")" = "es-push: LDEN_ES_USER is set but LDEN_ES_PASSWORD is not" ] ||
	fail "user without password: $rc $(cat "$d/push.err")"
fake_stop

# ---------------------------------------------------------------------
echo "HTTPS with a self-signed certificate: --ca"
if command -v openssl >/dev/null; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 -keyout "$tmp/key.pem" \
		-out "$tmp/cert.pem" 2> "$tmp/openssl.err" ||
		fail "openssl: $(cat "$tmp/openssl.err")"
	fake_start tls --cert "$tmp/cert.pem" --key "$tmp/key.pem"
	surl="https://127.0.0.1:$port"
	push --url "$surl" --required --ca "$tmp/cert.pem" --ticks 3 \
		--every 10 --events 2
	expect_report 6 0
	no_violations "HTTPS"
	push --url "$surl" --required --ticks 1
	[ "$rc" = 3 ] || fail "unknown CA: es-push exited $rc"
	grep -q "^es-push: cannot reach Elasticsearch at $surl: SSL certificate problem" "$d/push.err" ||
		fail "unknown CA: $(cat "$d/push.err")"
	fake_stop
else
	echo "  (no openssl: skipped)"
fi

# ---------------------------------------------------------------------
echo "a queue of 10: the oldest points dropped and counted"
fake_start tiny
fake_mode '"delay": 1'
LDEN_ES_QUEUE_MAX=10 push --url "$url" --required --ticks 60 --every 5 \
	--events 1
[ "$rc" = 0 ] || fail "es-push exited $rc"
sent=$(num sent)
dropped=$(num dropped)
unknown=$(num unknown)
[ $((sent + dropped + unknown)) = 60 ] && [ "$dropped" -ge 30 ] ||
	fail "sent $sent dropped $dropped unknown $unknown"
# delivered: the first few (in flight when the queue filled) and the
# newest 10; dropped: everything between
python3 - "$d/docs" <<'PY' || fail "not the oldest dropped"
import json, sys
ticks = sorted(json.loads(l)["doc"]["count_total"] - 1 for l in open(sys.argv[1]))
assert ticks[-10:] == list(range(50, 60)), ticks
head = ticks[:-10]
assert head == list(range(len(head))), ticks
PY
# what waited went in one request: 60 ticks, not 60 requests
[ "$(grep -c '^POST /_bulk 200$' "$d/log")" -le 3 ] ||
	fail "ticks not batched: $(grep -c '^POST /_bulk' "$d/log") requests"
no_violations "tiny queue"
fake_stop

# ---------------------------------------------------------------------
echo "bad settings: one clear line each"
fake_start bad
for args in "LDEN_ES_QUEUE_MAX=abc|--url $url|bad LDEN_ES_QUEUE_MAX 'abc' (a positive number)" \
	"LDEN_ES_QUEUE_MAX=-1|--url $url|bad LDEN_ES_QUEUE_MAX '-1' (a positive number)" \
	"X=1|--url $url --index Bad*|bad index name 'Bad*' (lowercase, not starting with -, _ or +, none of \\/*?\"<>| ,#:)" \
	"X=1|--url ftp://127.0.0.1:$port|bad Elasticsearch URL 'ftp://127.0.0.1:$port' (http:// or https://HOST[:PORT][/PATH])" \
	"X=1|--url http://u:p@127.0.0.1:$port|no credentials in the Elasticsearch URL, please (use LDEN_ES_API_KEY, or LDEN_ES_USER and LDEN_ES_PASSWORD)"; do
	envv=${args%%|*}
	rest=${args#*|}
	opts=${rest%%|*}
	msg=${rest#*|}
	env "$envv" "$PUSH" $opts --ticks 1 > "$d/push.out" 2> "$d/push.err"
	rc=$?
	[ "$rc" = 3 ] && [ "$(cat "$d/push.err")" = "es-push: $msg" ] ||
		fail "$envv $opts: $rc $(cat "$d/push.err")"
done
[ -s "$d/docs" ] && fail "bad settings stored documents"
fake_stop
echo "PASS"
