#!/bin/sh
# A catalog size over a signed field (a syscall's ret, -errno on an
# error) with no filter bounding it from below is refused where it is
# written: its negative values would be summed into the total as numbers
# near 2^64 (3 failed reads made size() 18446744073709551590, and
# 'size(...) > 100' fired).  With 'if ret > 0' it is accepted.
set -u
LDEN="$top_builddir/src/lden"
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
test_tmp
[ -r "$T/events/syscalls/sys_exit_read/format" ] ||
	{ echo "SKIP: no syscall tracepoints"; exit 77; }

mkdir "$tmp/ev" "$tmp/ok"
printf 'event my.read\n\tdescribe\treads\n\ttracepoint\tsyscalls:sys_exit_read\n\tsize\t\tret\n' \
	>"$tmp/ev/r.events"
"$LDEN" notify "size(my.read) > 100" --events-dir "$tmp/ev" -t 1 \
	>"$tmp/bad.out" 2>"$tmp/bad.err"
rc=$?
[ $rc = 2 ] || fail "a signed size unfiltered: exit $rc, not 2"
grep -q "r.events:4: size 'ret' on syscalls:sys_exit_read: field 'ret' is signed" "$tmp/bad.err" ||
	fail "the error does not name the file, line and field"
"$LDEN" list-events --events-dir "$tmp/ev" >"$tmp/list.out" 2>&1
grep -q "^my.read .*error: .*field 'ret' is signed" "$tmp/list.out" ||
	fail "list-events does not say it"
# count() alone needs no size: still fine
"$LDEN" notify "count(my.read) > 1000000000" --events-dir "$tmp/ev" -t 0.2 -q \
	>"$tmp/count.out" 2>"$tmp/count.err"
[ $? = 1 ] || fail "count() of it refused"

printf 'event my.read\n\tdescribe\treads\n\ttracepoint\tsyscalls:sys_exit_read if ret > 0\n\tsize\t\tret\n' \
	>"$tmp/ok/r.events"
"$LDEN" notify "size(my.read) > 1000000000000" --events-dir "$tmp/ok" -t 0.2 -q \
	>"$tmp/ok.out" 2>"$tmp/ok.err"
[ $? = 1 ] || fail "'if ret > 0' refused"
echo "PASS: test-size-signed"
