#!/bin/sh
# lden io's summary keeps how a path was had apart from the path: a path
# read late (a descriptor opened before lden started) and an exact path
# that ends in '?' are two rows, never one; an exact path "(other)" is not
# lden's bucket of the keys past the summary's room.  Text marks and
# escapes them so that each reads as what it is.
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: needs jq"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: needs python3"; exit 77; }
LDEN="$top_builddir/src/lden"
. "$top_srcdir/tests/cli/lib.sh"
test_tmp

mkdir "$tmp/w" "$tmp/w/d" || exit 99
mkfifo "$tmp/w/go" || exit 99

# the workload: 'x' opened before lden (its path read late from /proc:
# absolute), then 3 bytes to it, 5 to '$tmp/w/x?', 7 to '(other)'
# (relative, as the program passes it), then 4200 files of 1 byte (past
# the summary's 4096 keys)
run() {
	cd "$tmp/w" && exec python3 -c '
import os, sys
fd = os.open("x", os.O_WRONLY | os.O_CREAT, 0o600)
print("ready", flush=True)
open("go").read()
os.write(fd, b"abc")
# /proc names a descriptor by its absolute path: so is "x?" opened
for name, data in ((os.path.abspath("x?"), b"12345"), ("(other)", b"1234567")):
	f = os.open(name, os.O_WRONLY | os.O_CREAT, 0o600)
	os.write(f, data)
	os.close(f)
for i in range(4200):
	f = os.open("d/%d" % i, os.O_WRONLY | os.O_CREAT, 0o600)
	os.write(f, b"z")
	os.close(f)
'
}

for mode in json text; do
	run > "$tmp/$mode.target" &
	target=$!
	pids="$target"
	wait_for "$tmp/$mode.target" '^ready' || fail "$mode: workload not ready"
	if [ $mode = json ]; then
		"$LDEN" io --pid "$target" --max-cpu 0 --json --summary -q >"$tmp/$mode.out" 2>"$tmp/$mode.err" &
	else
		"$LDEN" io --pid "$target" --max-cpu 0 --summary -q >"$tmp/$mode.out" 2>"$tmp/$mode.err" &
	fi
	tracer=$!
	pids="$target $tracer"
	wait_for "$tmp/$mode.err" '^lden: tracing' || fail "$mode: lden io not ready: $(cat "$tmp/$mode.err")"
	printf g > "$tmp/w/go"
	wait "$target" || fail "$mode: the workload failed"
	i=0
	while kill -0 "$tracer" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 600 ] && fail "$mode: lden io still running 30 s after its process"
		sleep 0.05
	done
	join "$tracer"
	[ "$rc" = 0 ] || fail "$mode: lden io exited $rc: $(cat "$tmp/$mode.err")"
	rm -f "$tmp"/w/d/* "$tmp/w/x?" "$tmp/w/(other)"
done

# JSON: the exact name in "key", how it was had in "key_source"
row() {	# row KEY SOURCE: bytes_written of that file row, or nothing
	jq -r -s --arg k "$1" --arg s "$2" \
		'first(.[] | select(.type == "file" and .key == $k and .key_source == $s)) | .bytes_written' \
		"$tmp/json.out"
}
x=$(cd "$tmp/w" && pwd -P)/x
[ "$(row "$x" late)" = 3 ] || fail "json: no late row '$x' of 3 bytes: $(grep '"file"' "$tmp/json.out" | head -5)"
[ "$(row "$x?" exact)" = 5 ] || fail "json: no exact row '$x?' of 5 bytes: $(grep '"file"' "$tmp/json.out" | head -5)"
[ "$(row '(other)' exact)" = 7 ] || fail "json: no exact row '(other)' of 7 bytes: $(grep '"file"' "$tmp/json.out" | head -5)"
b=$(row '(other)' other)
[ -n "$b" ] && [ "$b" -gt 0 ] && [ "$b" -le 4200 ] ||
	fail "json: no bucket row '(other)' past the summary's keys ($b)"
echo "PASS: json: late '$x' 3 bytes, exact '$x?' 5, exact '(other)' 7, the bucket $b: four rows"

# text: the last column; a late path ends in lden's '?', an exact path's
# own '?' and first '(' are escaped
line() {	# line KEY: WRITTEN of the file row whose last column is KEY
	# from the environment: awk -v would undo the escapes
	K="$1" awk '$1 == "file" && $NF == ENVIRON["K"] { print $5; exit }' "$tmp/text.out"
}
[ "$(line "$x?")" = 3 ] || fail "text: no row '$x?' (late) of 3 bytes: $(grep '^file' "$tmp/text.out" | head -5)"
[ "$(line "$x\\x3f")" = 5 ] || fail "text: no row '$x\\x3f' (exact) of 5 bytes"
[ "$(line '\x28other)')" = 7 ] || fail "text: no row '\\x28other)' (exact) of 7 bytes"
[ -n "$(line '(other)')" ] || fail "text: no bucket row '(other)'"
echo "PASS: text: '$x?' late, '$x\\x3f' and '\\x28other)' exact, '(other)' lden's"
exit 0
