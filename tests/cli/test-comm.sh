#!/bin/sh
# --comm NAME with names that are hostile to a kernel filter.  trace and
# top put NAME in a kernel filter (COMM == "NAME", which has no escapes):
# they refused any quote or backslash, although a process may be named
# so; now a name is quoted with the quote it does not hold, and one
# holding both is refused.  io matches NAME in lden itself.  Every name
# must match exactly: its own process's calls all counted, a process
# whose name differs in its last byte none ('x*' is not a pattern).  More than
# the 15 bytes the kernel keeps, empty, a control byte: exit 2, one line.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_cmd python3
LDEN="$top_builddir/src/lden"
test_tmp

# renames itself to $1 (prctl), then opens a missing path $2 times
cat >"$tmp/namer.py" <<'EOF'
import ctypes, os, sys
ctypes.CDLL(None).prctl(15, sys.argv[1].encode(), 0, 0, 0)
for i in range(int(sys.argv[2])):
    try:
        os.open("/nonexistent-lden-comm", os.O_RDONLY)
    except OSError:
        pass
EOF

# opens NAME RUN-AS: the openat calls 'lden trace --comm NAME' counted of
# the workload renamed RUN-AS, which makes 7
opens() {
	"$LDEN" trace syscalls:sys_enter_openat --comm "$1" -- \
		python3 "$tmp/namer.py" "$2" 7 >"$tmp/t.out" 2>"$tmp/t.err" ||
		fail "trace --comm '$1' (workload '$2'): exit $?"
	awk '$1 == "syscalls:sys_enter_openat" { print $2 }' "$tmp/t.err"
}

# io NAME RUN-AS: the calls 'lden io --comm NAME' showed of the workload
# renamed RUN-AS, which opens the missing path 5 times (no CPU budget:
# python's start, 650 opens/s, took an ASan lden at load 12 over 5%, and
# the guard rightly stopped the lines)
io_rows() {
	"$LDEN" io --max-cpu 0 --comm "$1" -- python3 "$tmp/namer.py" "$2" 5 \
		>"$tmp/io.out" 2>"$tmp/io.err" || fail "io --comm '$1': exit $?"
	grep -c 'nonexistent-lden-comm' "$tmp/io.out"
}

for name in 'a"b' "a'b" 'a\b c' 'x*' 'fifteen-bytes-x' 'a)||(1'; do
	n=$(opens "$name" "$name")
	[ "$n" = 7 ] || fail "trace --comm '$name': $n openat calls of the process so named, want 7"
	other=${name%?}Z
	n=$(opens "$name" "$other")
	[ "$n" = 0 ] || fail "trace --comm '$name': $n calls of a process named '$other', want 0"
	n=$(io_rows "$name" "$name")
	[ "$n" = 5 ] || fail "io --comm '$name': $n calls, want 5"
	n=$(io_rows "$name" "$other")
	[ "$n" = 0 ] || fail "io --comm '$name': $n calls of '$other', want 0"
	printf "ok: --comm '%s': trace 7 of 7, io 5 of 5, none of '%s'\n" "$name" "$other"
done

# refused CMD NAME PATTERN: lden CMD --comm NAME exits 2, one line
refused() {
	# shellcheck disable=SC2086
	timeout 10 "$LDEN" $1 --comm "$2" -t 1 >"$tmp/r.out" 2>"$tmp/r.err"
	rc=$?
	drop_sweep "$tmp/r.err"
	[ $rc = 2 ] && [ ! -s "$tmp/r.out" ] && [ "$(wc -l <"$tmp/r.err")" = 1 ] &&
		grep -q -e "$3" "$tmp/r.err" ||
		fail "$1 --comm '$2': exit $rc, want 2 and one line matching '$3': $(cat "$tmp/r.err")"
	echo "ok: $1 --comm '$2': $(cat "$tmp/r.err")"
}
for c in "trace task.create" "trace exec" "top task.create" "io"; do
	refused "$c" 0123456789abcdef "invalid --comm value '0123456789abcdef': longer than the 15 bytes"
	refused "$c" '' "invalid --comm value '': empty"
done
for c in "trace task.create" "trace exec" "top task.create"; do
	refused "$c" "a\"b'c" "both ' and \": a kernel filter's string cannot hold them"
	refused "$c" "$(printf 'a\tb')" "a control character"
done
echo "PASS: --comm matches names with quotes, backslashes and spaces exactly, refuses what it cannot"
