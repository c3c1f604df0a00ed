#!/bin/sh
# Process names that are hostile to output: control bytes, a quote, a
# backslash, a UTF-8 fragment, exactly 15 bytes (prctl(PR_SET_NAME)):
# trace's and top's text rows stay one line each with the name escaped
# (escape.h: "\n", "\\", "\xHH"), and their JSON parses as UTF-8.
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
T=${LDEN_TRACEFS:-/sys/kernel/tracing}
[ -r "$T/events/syscalls/sys_enter_openat/id" ] ||
	{ echo "SKIP: no syscall tracepoints at $T"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
LDEN="$top_builddir/src/lden"
. "$top_srcdir/tests/cli/lib.sh"
setup_tmp

# renames itself (15 bytes: the kernel keeps all of them), then opens
# a missing path 3 times
cat >"$tmp/namer.py" <<'PY'
import ctypes, os
ctypes.CDLL(None).prctl(15, b'a\nb"c\\d\x01\xc3\x1b[2Jxy', 0, 0, 0)
for i in range(3):
    try:
        os.open("/nonexistent-lden-hostile", os.O_RDONLY)
    except OSError:
        pass
PY
want='a\nb"c\\d\x01\xc3\x1b[2Jxy'

"$LDEN" trace syscalls:sys_enter_openat --max-cpu 0 -- python3 "$tmp/namer.py" \
	>"$tmp/trace.out" 2>"$tmp/trace.err" || fail "trace failed"
n=$(grep -cF " $want syscalls:sys_enter_openat " "$tmp/trace.out")
[ "$n" -ge 3 ] || fail "trace text: $n rows with the escaped name, want at least 3"
[ "$(grep -c '^[0-9][0-9]:' "$tmp/trace.out")" = "$(wc -l <"$tmp/trace.out")" ] ||
	fail "trace text: a row split over lines"

"$LDEN" trace syscalls:sys_enter_openat --json --max-cpu 0 -- python3 "$tmp/namer.py" \
	>"$tmp/tracej.out" 2>"$tmp/tracej.err" || fail "trace --json failed"
python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], "rb").read().decode("utf-8").splitlines()]
named = [r for r in rows if r.get("comm_hex") == sys.argv[2]]
assert len(named) >= 3, len(named)
' "$tmp/tracej.out" "$(printf 'a\nb"c\\d\001\303\033[2Jxy' | od -An -tx1 | tr -d ' \n')" ||
	fail "trace --json: invalid, or fewer than 3 rows with the exact name's bytes"

"$LDEN" top syscalls:sys_enter_openat --by comm --max-cpu 0 -i 60 -- python3 "$tmp/namer.py" \
	>"$tmp/top.out" 2>"$tmp/top.err" || fail "top failed"
grep -qF "syscalls:sys_enter_openat $want " "$tmp/top.out" ||
	fail "top text: no row with the escaped name"
[ "$(grep -c '^syscalls:\|^---\|^EVENT' "$tmp/top.out")" = "$(wc -l <"$tmp/top.out")" ] ||
	fail "top text: a row split over lines"

"$LDEN" top syscalls:sys_enter_openat --by comm --json --max-cpu 0 -i 60 -- python3 "$tmp/namer.py" \
	>"$tmp/topj.out" 2>"$tmp/topj.err" || fail "top --json failed"
python3 -c '
import json, sys
blocks = [json.loads(l) for l in open(sys.argv[1], "rb").read().decode("utf-8").splitlines()]
rows = [r for b in blocks for r in b["rows"] if r["comm"].startswith("a\nb\"c\\d\x01")]
assert sum(r["count"] for r in rows) >= 3, rows
' "$tmp/topj.out" || fail "top --json: invalid UTF-8/JSON, or the name's row missing"
echo "PASS: a 15-byte name with a newline, quote, backslash, control bytes and a UTF-8 fragment: escaped on one line in trace and top text, valid JSON"
