#!/bin/sh
# lden visualize into Elasticsearch, end to end, against the live kernel
# (root) and tests/es/fake-es.py: a process forks N times and the
# documents stored for task.create, scoped to it with --pid, add up to N,
# in documents the fake finds valid; the report counts what was stored.
# A sampled event the overhead guard switches to counting (--max-rate):
# its documents say "size_valid":true, then false with a frozen
# size_total, and the count stays exact.
# The server down at start: an error when its address was given, one
# warning for the default one; down in the middle: a warning when it goes,
# a line when it is back.  Every wait is bounded.
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
T=${LDEN_TRACEFS:-/sys/kernel/tracing}
[ -r "$T/events/sched/sched_process_fork/id" ] ||
	{ echo "SKIP: no tracefs at $T"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
LDEN="$top_builddir/src/lden"
. "$top_srcdir/tests/cli/lib.sh"
test_tmp
. "$top_srcdir/tests/es/fake.sh"

# total: the sum of "count" and the last "count_total" of the stored
# task.create documents, in time order
total() {
	python3 - "$d/docs" <<'PY'
import json, sys
docs = [json.loads(l)["doc"] for l in open(sys.argv[1])]
docs = sorted((d for d in docs if d["event"] == "task.create"),
              key=lambda d: d["@timestamp"])
print(sum(d["count"] for d in docs), docs[-1]["count_total"] if docs else 0)
PY
}

fake_start viz

# ---------------------------------------------------------------------
N=41
mkfifo "$tmp/go" || exit 99
sh -c 'read x < "$1"; i=0; while [ $i -lt "$2" ]; do /bin/true; i=$((i + 1)); done' \
	sh "$tmp/go" $N &
w=$!
started $w
"$LDEN" visualize --url "$url" --events task.create --pid $w --no-dashboard \
	-t 60 > "$tmp/viz.out" 2> "$tmp/viz.err" &
v=$!
started $v
wait_for "$tmp/viz.out" "^  elasticsearch: $url, index 'lden'\$" ||
	fail "no elasticsearch line in the header"
wait_for "$d/docs" '"event": "task.create"' || fail "no first document"
timeout 10 sh -c 'echo go > "$1"' sh "$tmp/go" ||
	fail "the workload did not start"
join $w
i=0
until [ "$(total)" = "$N $N" ]; do
	i=$((i + 1))
	[ $i -gt 200 ] && fail "stored task.create counts: $(total), not $N $N"
	sleep 0.05
done
kill -TERM $v
join $v
[ "$rc" = 0 ] || fail "exit status $rc after SIGTERM"
no_violations "visualize"
[ "$(total)" = "$N $N" ] || fail "after the end: $(total)"
docs=$(wc -l < "$d/docs")
grep -qx "  elasticsearch: $docs points" "$tmp/viz.err" ||
	fail "report does not say $docs points: $(cat "$tmp/viz.err")"
[ "$(grep -c '^PUT /_index_template/lden 200$' "$d/log")" = 1 ] ||
	fail "template not installed once"
# every document says whether its lost is the shared ftrace ring's (a sum
# over documents must take those once): false for a counted event
python3 - "$d/docs" <<'PY' || fail "documents without \"lost_shared\":false"
import json, sys
docs = [json.loads(l)["doc"] for l in open(sys.argv[1])]
sys.exit(not docs or any(d.get("lost_shared") is not False for d in docs))
PY
echo "PASS: $N forks of process $w stored as documents adding up to $N ($docs documents, each with lost_shared false)"

fake_stop

# ---------------------------------------------------------------------
RB="$top_builddir/tests/cli/read-burst"
if [ -x "$RB" ]; then
	SIZE=4093
	fake_start guard
	N=3000000
	burst guard $N
	"$LDEN" visualize --url "$url" -d "$top_srcdir/tests/cli" -e guard.read \
		--pid $w --no-dashboard -i 0.2 -t 120 --max-rate 50000 \
		> "$tmp/guard.out" 2> "$tmp/guard.err" &
	v=$!
	started $v
	wait_for "$d/docs" '"event": "guard.read"' || fail "guard: no first document"
	release "$tmp/guard.go"
	join $w
	[ "$rc" = 0 ] || fail "read-burst exited $rc"
	# until the last count is stored, then the end
	wait_for "$d/docs" "\"count_total\": $N," ||
		fail "guard: count_total $N never stored"
	kill -INT $v
	join $v
	[ "$rc" = 0 ] || fail "guard: exit status $rc"
	grep -q "^lden: guard: 'guard.read' sampled at" "$tmp/guard.err" ||
		fail "guard: the guard did not act"
	no_violations "guard"
	python3 - "$d/docs" $N <<'PY' || fail "guard: documents"
import json, sys
n = int(sys.argv[2])
docs = sorted((json.loads(l)["doc"] for l in open(sys.argv[1])),
              key=lambda d: d["@timestamp"])
assert all(d["event"] == "guard.read" for d in docs)
valid = [d["size_valid"] for d in docs]
# true before the switch, false from it on, never back
k = valid.index(False)
assert all(valid[:k]) and not any(valid[k:]), valid
# (the samples' sizes may trail the counter by a few at a tick)
assert all(d["mode"] == "sampling" and d["size"] % 4093 == 0 and
           d["size_total"] % 4093 == 0 for d in docs[:k]), docs[:k]
frozen = docs[k]["size_total"]
assert frozen % 4093 == 0 and 0 < frozen < 4093 * n, frozen
assert all(d["mode"] == "counting" and "size" not in d and
           d["size_total"] == frozen for d in docs[k:]), docs[k:]
assert sum(d["count"] for d in docs) == n, sum(d["count"] for d in docs)
assert docs[-1]["count_total"] == n
print("  %d documents, size_valid false from the %dth, size_total frozen at"
      " %d" % (len(docs), k + 1, frozen))
PY
	echo "PASS: guard: $N reads, size_valid false after the switch, count exact"
	fake_stop
else
	echo "SKIP (part): $RB not built"
fi

# ---------------------------------------------------------------------
# Elasticsearch down in the middle of a run: one warning line as it goes
# down (not only in the final report), one as it delivers again
fake_start mid
"$LDEN" visualize --url "$url" -e task.create --no-dashboard -i 0.2 -t 60 \
	> "$tmp/mid.out" 2> "$tmp/mid.err" &
v=$!
started $v
wait_for "$d/docs" . 20 || fail "down in the middle: no document before"
fake_mode '"down": true'
wait_for "$tmp/mid.err" '^lden: warning: elasticsearch: cannot reach Elasticsearch: .*; [0-9]* points queued, retrying$' 20 ||
	fail "down in the middle: no warning while it was down"
fake_mode '"down": false'
wait_for "$tmp/mid.err" '^lden: elasticsearch: delivering again (0 points dropped meanwhile)$' 60 ||
	fail "down in the middle: no line when it came back"
kill -INT $v
join $v
[ "$(grep -c 'warning: elasticsearch' "$tmp/mid.err")" = 1 ] ||
	fail "down in the middle: the warning more than once"
fake_stop
echo "PASS: Elasticsearch down in the middle: one warning at once, one line when it is back"

# ---------------------------------------------------------------------
# $url: the last fake's, stopped
"$LDEN" visualize --url "$url" -e task.create --no-dashboard -t 1 \
	> "$tmp/down.out" 2> "$tmp/down.err"
rc=$?
[ "$rc" = 1 ] || fail "server down, --url: exit $rc, not 1"
[ "$(cat "$tmp/down.err")" = "lden: cannot reach Elasticsearch at $url: Connection refused" ] ||
	fail "server down, --url: $(cat "$tmp/down.err")"
echo "PASS: server down with --url: the error, exit 1"

if python3 -c 'import socket; socket.create_connection(("localhost", 9200), 1)' 2>/dev/null; then
	echo "SKIP: something listens on localhost:9200: no default-address case"
	exit 0
fi
"$LDEN" visualize -e task.create --no-dashboard -t 0.5 \
	> "$tmp/warn.out" 2> "$tmp/warn.err"
rc=$?
[ "$rc" = 0 ] || fail "default address down: exit $rc"
[ "$(grep -c 'Elasticsearch' "$tmp/warn.err")" = 1 ] &&
grep -qx 'lden: warning: cannot reach Elasticsearch at http://localhost:9200: .* (going on without elasticsearch)' "$tmp/warn.err" ||
	fail "default address down: $(cat "$tmp/warn.err")"
echo "PASS: default address down: one warning, traced anyway"
