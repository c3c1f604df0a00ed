#!/bin/sh
# lden io's flame graphs as pictures, against a process whose file I/O is
# known call by call (tests/kernel/io-target), on a file whose name has
# markup characters, a byte that is not UTF-8 and a control character:
# (a) --flamegraph FILE.svg and FILE.folded from one run: the SVG parses
# as XML, has a frame per stack prefix with the folded value, widths that
# add up to the totals (flame-check.py), and the recipe's own counts; by
# latency with --format svg, against the latencies of the JSON calls;
# --format folded; bad input; (b) headless Chromium renders the file with
# no error, hover, zoom, search and reset working (flame-browser.py);
# (c) the dashboard of a running lden visualize shows the live graph of
# a running lden io, and no more once it has ended.  Every wait is bounded.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_cmd curl jq python3
LDEN="$top_builddir/src/lden"
TARGET="$top_builddir/tests/kernel/io-target"
CHECK="$top_srcdir/tests/cli/flame-check.py"
BROWSER="$top_srcdir/tests/cli/flame-browser.py"
SHOT="$top_builddir/tests/cli/flamegraph.png"
test_tmp
# the file's name is not UTF-8: byte-wise patterns
LC_ALL=C
export LC_ALL
# the live snapshots of this test's lden io, not other runs'
LDEN_RUNTIME_DIR="$tmp/run"
export LDEN_RUNTIME_DIR

# start_target NAME ARGS...: io-target on fifo $tmp/NAME.go, ready
start_target() {
	name=$1; shift
	mkfifo "$tmp/$name.go" || exit 99
	"$TARGET" "$tmp/$name.go" "$@" >"$tmp/$name.target" &
	target=$!
	started "$target"
	wait_for "$tmp/$name.target" '^ready' || fail "$name: target not ready"
}

# trace NAME ARGS...: lden io --pid $target ARGS, started and ready
trace() {
	name=$1; shift
	"$LDEN" io --pid "$target" --max-cpu 0 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	tracer=$!
	started "$tracer"
	wait_for "$tmp/$name.err" '^lden: tracing' || fail "$name: lden io not ready"
}

# recipe_done PATTERN: until the live snapshot of lden io has a line
# matching PATTERN (the recipe's last call, with its path: paths are read
# from the process, which must not have gone by then), at most 20 s
recipe_done() {
	wait_for "$LDEN_RUNTIME_DIR/io-$tracer.folded" "$1" ||
		fail "no '$1' in the live snapshot of lden io"
}

# finish NAME: the second byte, then both gone: lden io stops when its
# --pid process has
finish() {
	printf x > "$tmp/$1.go"
	join "$target"
	[ "$rc" = 0 ] || fail "$1: io-target exited $rc"
	join "$tracer"
	[ "$rc" = 0 ] || fail "$1: lden io exited $rc"
}

K=8192 W=8
data=$(printf '%s/d<&"\377\001x' "$tmp")
# as the folded stacks write it (lden-io(8)): escaped, one frame
folded_data="$tmp/d<&\"\\xff\\x01x"

# ---------------------------------------------------------------------
# (a) one run, two files: the picture of the folded stacks
start_target run file "$data" $K $W
trace run -q --flamegraph "$tmp/run.svg" --flamegraph "$tmp/run.folded"
printf g > "$tmp/run.go"
recipe_done '^io-target;.*;close 3$'
finish run
io_recipe_folded "$folded_data" "$tmp/run.go" $W > "$tmp/run.expected"
cmp -s "$tmp/run.expected" "$tmp/run.folded" ||
	fail "the folded stacks are not the recipe's: $(diff "$tmp/run.expected" "$tmp/run.folded")"
python3 "$CHECK" "$tmp/run.svg" "$tmp/run.folded" script >"$tmp/check.out" 2>&1 ||
	fail "$(cat "$tmp/check.out")"
grep -qx "frames=12 total=$((2 * W + 13)) levels=4 unit=calls" "$tmp/check.out" ||
	fail "run.svg: $(cat "$tmp/check.out")"
if command -v xmllint >/dev/null; then
	xmllint --noout "$tmp/run.svg" 2>"$tmp/xmllint.err" || fail "xmllint: $(cat "$tmp/xmllint.err")"
fi
grep -q "<text id=\"subtitle\"[^>]*>$((2 * W + 13)) calls over " "$tmp/run.svg" ||
	fail "run.svg: the totals line does not say $((2 * W + 13)) calls"
grep -q '<text id="notes"[^>]*></text>' "$tmp/run.svg" ||
	fail "run.svg: notes of missing data where nothing is missing"
# the name as it is drawn: markup escaped, the other bytes as \xNN
grep -q 'd&lt;&amp;&quot;\\xff\\x01x</text>' "$tmp/run.svg" ||
	fail "run.svg: the file's name is not drawn escaped"
echo "PASS: run.svg: valid XML, 12 frames with the folded values ($((2 * W + 13)) calls), widths adding up to the totals, the odd name escaped"

# by latency, --format svg on a name without .svg: the JSON calls' sums
start_target lat file "$data" $K $W
trace lat --json --weight latency --format svg --flamegraph "$tmp/lat.picture"
printf g > "$tmp/lat.go"
recipe_done '^io-target;.*;close [0-9]*$'
wait_for "$tmp/lat.out" '"syscall":"close".*"fd":4,' || fail "lat: no close of fd 4"
finish lat
sed -n 's/.*data-unit="\([a-z]*\)".*/\1/p' "$tmp/lat.picture" | grep -qx ns ||
	fail "lat.picture: not an SVG in ns"
python3 - "$tmp/lat.picture" "$tmp/lat.out" <<'EOF' >"$tmp/latcheck.out" 2>&1 || fail "lat: $(cat "$tmp/latcheck.out")"
import json, sys, xml.etree.ElementTree as ET
S = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
calls = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8", errors="surrogateescape")]
calls = [c for c in calls if c.get("type") == "call"]
by_sys = {}
for c in calls:
    k = (c.get("path", "").endswith(".go"), c["syscall"]); by_sys[k] = by_sys.get(k, 0) + c["latency_ns"]
total = sum(c["latency_ns"] for c in calls)
assert int(root.get("data-total")) == total, (root.get("data-total"), total)
leaves = {}
for g in root.iter(S + "g"):
    if g.get("data-d") == "3":
        leaves[g.find(S + "title").text.split("\n")[0], int(g.get("data-s"))] = int(g.get("data-v"))
got = sorted(leaves.values())
assert got == sorted(by_sys.values()), (got, sorted(by_sys.values()))
print("latency total %d ns in %d stacks" % (total, len(got)))
EOF
echo "PASS: --weight latency --format svg: the picture's total and stacks are the JSON calls' latencies ($(cat "$tmp/latcheck.out"))"

# --format folded on a .svg name: text, not a picture
start_target null null 5
trace null -q --format folded --flamegraph "$tmp/null.svg"
printf g > "$tmp/null.go"
recipe_done '^io-target;/dev/null;close 1$'
finish null
grep -qx 'io-target;/dev/null;write 5' "$tmp/null.svg" ||
	fail "--format folded: $(cat "$tmp/null.svg")"
echo "PASS: --format folded writes folded text whatever the name"

# bad input: one line, status 2, nothing written
check() {
	want=$1; shift
	"$LDEN" io "$@" >"$tmp/bad.out" 2>"$tmp/bad.err"
	rc=$?
	[ "$rc" = 2 ] || fail "lden io $*: exit $rc, want 2"
	[ "$(cat "$tmp/bad.err")" = "$want" ] || fail "lden io $*: '$(cat "$tmp/bad.err")', want '$want'"
}
check "lden: io: --format needs --flamegraph" --format svg
check "lden: io: invalid --format value 'png' (folded or svg)" --flamegraph "$tmp/x.svg" --format png
check "lden: io: --flamegraph given more than 4 times" -f a -f b -f c -f d -f e
check "lden: io: cannot write '/nonexistent/x.svg': No such file or directory" --flamegraph /nonexistent/x.svg
[ ! -e "$tmp/x.svg" ] || fail "a bad --format left $tmp/x.svg"
echo "PASS: bad --format and --flamegraph: one line, status 2"

# ---------------------------------------------------------------------
# (b) Chromium: the file as a user opens it
browser=yes
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
	echo "SKIP: no chromium or chromedriver: the browser checks did not run"
	browser=no
fi
if [ $browser = yes ]; then
	rm -f "$SHOT"
	timeout 300 python3 "$BROWSER" file "$tmp/run.svg" "$data" write "$SHOT" >"$tmp/browser.out" 2>&1
	rc=$?
	sed 's/^/  browser: /' "$tmp/browser.out"
	[ $rc = 0 ] || fail "flame-browser.py file exited $rc"
	want=$(awk -v w=$((W + 2)) -v t=$((2 * W + 13)) 'BEGIN { printf "%.2f", 100 * w / t }')
	grep -qx "search=write matched=$want% frames=1" "$tmp/browser.out" ||
		fail "the search for write did not cover $want%"
	echo "PASS: Chromium draws run.svg with no error; hover, zoom into the file, search (write: $want%), reset"
fi

# ---------------------------------------------------------------------
# (c) the dashboard shows a running lden io's graph, live
port=$(free_port)
addr=127.0.0.1:$port
"$LDEN" visualize --events task.create --pid $$ --listen "$addr" \
	>"$tmp/viz.out" 2>"$tmp/viz.err" &
viz=$!
started "$viz"
_i=0
until [ "$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "http://$addr/api/flamegraphs")" = 200 ]; do
	_i=$((_i + 1))
	[ $_i -gt 200 ] && fail "the dashboard never answered"
	sleep 0.1
done
# snapshots left with a pid now a shell's, and a process's that has gone:
# neither listed, both removed by the next lden io
mkdir -p "$LDEN_RUNTIME_DIR" && chmod 700 "$LDEN_RUNTIME_DIR" || exit 99
/bin/true &
gone=$!
wait $gone
for p in $$ $gone; do
	printf '# lden-flame: 1\n# unit: calls\nsh;x;read 1\n' > "$LDEN_RUNTIME_DIR/io-$p.folded"
done
curl -s --max-time 5 "http://$addr/api/flamegraphs" > "$tmp/list.json"
jq -e '.graphs == []' "$tmp/list.json" >/dev/null ||
	fail "/api/flamegraphs lists stale snapshots: $(cat "$tmp/list.json")"
# a snapshot of a running lden (the dashboard's pid) whose "updated" is
# not decimal seconds: refused, not listed (strtod read "nan", which went
# out as JSON's invalid nan, and "0x10" as 16)
for u in nan 0x10 1e3 -1; do
	printf '# lden-flame: 1\n# unit: calls\n# updated: %s\nsh;x;read 1\n' "$u" \
		> "$LDEN_RUNTIME_DIR/io-$viz.folded"
	curl -s --max-time 5 "http://$addr/api/flamegraphs" > "$tmp/list.json"
	jq -e '.graphs == []' "$tmp/list.json" >/dev/null ||
		fail "/api/flamegraphs with 'updated: $u': $(cat "$tmp/list.json")"
done
printf '# lden-flame: 1\n# unit: calls\n# updated: 12.500\nsh;x;read 1\n' \
	> "$LDEN_RUNTIME_DIR/io-$viz.folded"
curl -s --max-time 5 "http://$addr/api/flamegraphs" > "$tmp/list.json"
jq -e --argjson p "$viz" '.graphs | length == 1 and .[0].pid == $p and .[0].updated == 12.5' \
	"$tmp/list.json" >/dev/null || fail "/api/flamegraphs with 'updated: 12.500': $(cat "$tmp/list.json")"
rm -f "$LDEN_RUNTIME_DIR/io-$viz.folded"
start_target live file "$data" $K $W
trace live -q --flamegraph "$tmp/live.svg"
printf g > "$tmp/live.go"
snap="$LDEN_RUNTIME_DIR/io-$tracer.folded"
recipe_done '^io-target;.*;close 3$'
[ ! -e "$LDEN_RUNTIME_DIR/io-$$.folded" ] && [ ! -e "$LDEN_RUNTIME_DIR/io-$gone.folded" ] ||
	fail "lden io did not remove the stale snapshots: $(ls "$LDEN_RUNTIME_DIR")"
cp "$snap" "$tmp/snap.folded"
curl -s --max-time 5 "http://$addr/api/flamegraphs" > "$tmp/list.json"
jq -e --argjson p "$tracer" '.graphs | length == 1 and .[0].pid == $p and .[0].unit == "calls" and
	(.[0].title | startswith("lden io: file I/O calls")) and .[0].notes == "" and
	(.[0].updated | type) == "number"' "$tmp/list.json" >/dev/null ||
	fail "/api/flamegraphs: $(cat "$tmp/list.json")"
code=$(curl -s --max-time 5 -D "$tmp/h" -o "$tmp/live-dash.svg" -w '%{http_code}' "http://$addr/flamegraph.svg?pid=$tracer")
[ "$code" = 200 ] || fail "/flamegraph.svg?pid=$tracer: HTTP $code"
tr -d '\r' < "$tmp/h" | grep -qi '^content-type: image/svg+xml' || fail "/flamegraph.svg: not image/svg+xml"
python3 "$CHECK" "$tmp/live-dash.svg" "$tmp/snap.folded" noscript >"$tmp/check.out" 2>&1 ||
	fail "the dashboard's SVG: $(cat "$tmp/check.out")"
grep -qx "frames=12 total=$((2 * W + 12)) levels=4 unit=calls" "$tmp/check.out" ||
	fail "the dashboard's SVG: $(cat "$tmp/check.out")"
for q in "pid=abc:400" "pid=:400" "pid=-1:400" "pid=$$:404" "pid=999999999:404" ":400"; do
	code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://$addr/flamegraph.svg?${q%:*}")
	[ "$code" = "${q##*:}" ] || fail "/flamegraph.svg?${q%:*}: HTTP $code, want ${q##*:}"
done
echo "PASS: /api/flamegraphs lists the running lden io (stale snapshots neither listed nor kept); /flamegraph.svg draws its live stacks ($((2 * W + 12)) calls so far); bad pids 400/404"

if [ $browser = yes ]; then
	timeout 300 python3 "$BROWSER" dashboard "http://$addr/" "$tracer" "$data" \
		"$tmp/dash.png" >"$tmp/browser.out" 2>&1
	rc=$?
	sed 's/^/  browser: /' "$tmp/browser.out"
	[ $rc = 0 ] || fail "flame-browser.py dashboard exited $rc"
	echo "PASS: Chromium shows the live graph on the dashboard, with no error; hover and zoom work there"
fi

finish live
[ ! -e "$snap" ] || fail "lden io left its snapshot $snap"
curl -s --max-time 5 "http://$addr/api/flamegraphs" > "$tmp/list.json"
jq -e '.graphs == []' "$tmp/list.json" >/dev/null || fail "/api/flamegraphs after io ended: $(cat "$tmp/list.json")"
io_recipe_folded "$folded_data" "$tmp/live.go" $W > "$tmp/live.expected"
python3 "$CHECK" "$tmp/live.svg" "$tmp/live.expected" script >"$tmp/check.out" 2>&1 ||
	fail "live.svg: $(cat "$tmp/check.out")"
kill -INT "$viz"
join "$viz"
echo "PASS: once lden io has ended its snapshot is gone and the dashboard lists none; its file has all $((2 * W + 13)) calls"
