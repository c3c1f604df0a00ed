#!/bin/sh
# An fd reopened while records were lost: lden io names each fd after the
# open (or dup) it saw make it, exact.  When the ring was full as the
# process closed fd 50 (fileA) and dup2'd fileB onto it, those records
# were dropped (counted lost) and its next write to fd 50 was shown as
# fileA, "path_source":"exact".  Now, once records of io's own events
# were lost, every fd learned before is read again from /proc (late,
# marked): fileB, late.  The workload stays on one CPU, so that its
# close and dup2 go to the ring its flood filled.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_cmd python3
need_cmd jq
LDEN="$top_builddir/src/lden"
test_tmp

# fd 50 is fileA, 10 bytes written; waits for $1/go, floods (flood_lib:
# on one CPU, 200,000 lseek(777)), closes fd 50, dup2s fileB onto it,
# says so ($1/flooded), waits for $1/cont, writes 100 bytes to fd 50, and
# stays until $1/seen (at most 20 s)
flood_lib
cat >"$tmp/fdl.py" <<'PY'
import os, sys
from flood import until, flood
d = sys.argv[1]
fa = os.open(d + "/fileA", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.dup2(fa, 50)
os.close(fa)
os.write(50, b"a" * 10)
until(d + "/go")
flood()
os.close(50)
fb = os.open(d + "/fileB", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.dup2(fb, 50)
os.close(fb)
open(d + "/flooded", "w").close()
until(d + "/cont")
os.write(50, b"b" * 100)
until(d + "/seen")
PY

# lost NAME [ARGS]: the run, with lden io's ARGS
lost() {
	name=$1
	shift
	rm -f "$tmp/go" "$tmp/flooded" "$tmp/cont" "$tmp/seen"
	"$LDEN" io --json --max-cpu 0 "$@" -- python3 "$tmp/fdl.py" "$tmp" \
		>"$tmp/$name.out" 2>"$tmp/$name.err" &
	l=$!
	started $l
	wait_for "$tmp/$name.err" '^lden: tracing' 10 || fail "$name: lden did not start"
	# the 10 bytes to fileA shown: its open is known before the loss (its
	# line, not any 10 bytes: python's own reads at its start are some;
	# a write read after the loss is known is late, by design)
	wait_for "$tmp/$name.out" '"syscall":"write","fd":50,.*"bytes":10,' 15 ||
		fail "$name: the write to fileA not shown"
	flood_stopped $l $name
	wait_for "$tmp/$name.out" '"bytes":100,' 15 || fail "$name: the write after the loss not shown"
	touch "$tmp/seen"
	join $l
	[ $rc = 0 ] || fail "$name: exit $rc"
	grep -q '^  lost records *[1-9]' "$tmp/$name.err" ||
		fail "$name: no record lost (the ring did not fill: the test proves nothing)"
	# before the loss: fileA, exact
	jq -e -s --arg a "$tmp/fileA" '[.[] | select(.fd == 50 and .bytes == 10)] |
		length == 1 and all(.path == $a and .path_source == "exact")' \
		"$tmp/$name.out" >/dev/null ||
		fail "$name: the write before the loss not fileA, exact: $(jq -c -s '[.[] | select(.fd == 50) | [.syscall, .path, .path_source]]' "$tmp/$name.out")"
	echo "PASS: $name: the write before the loss: fileA, exact"
	# after: never fileA, nor exact; /proc's fileB, late
	jq -e -s --arg b "$tmp/fileB" '[.[] | select(.fd == 50 and .bytes == 100)] |
		length == 1 and all(.path == $b and .path_source == "late")' \
		"$tmp/$name.out" >/dev/null ||
		fail "$name: the write after the lost close and dup2 not fileB, late: $(jq -c -s '[.[] | select(.fd == 50) | [.syscall, .path, .path_source, .bytes]]' "$tmp/$name.out")"
	echo "PASS: $name: the write after the lost close and dup2: fileB, late"
}

# the ring the kernel picks for io (auto: ftrace where it can serve)
lost auto
# the perf rings: lden reads the events' lost counters only when a look
# at the rings says one may have been full (ltr_session__full_marks());
# the flood filled one, so the loss is seen
lost perf --ring perf
