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
# a bound that does not hold for every record is no bound: refused
for f in '!(ret < 0)' 'ret > 0 || __syscall_nr == 1'; do
	printf 'event my.read\n\tdescribe\treads\n\ttracepoint\tsyscalls:sys_exit_read if %s\n\tsize\t\tret\n' \
		"$f" >"$tmp/ev/r.events"
	"$LDEN" notify "size(my.read) > 100" --events-dir "$tmp/ev" -t 0.2 -q \
		>"$tmp/nb.out" 2>"$tmp/nb.err"
	rc=$?
	[ $rc = 2 ] || fail "filter '$f': exit $rc, not 2"
	grep -q "field 'ret' is signed" "$tmp/nb.err" ||
		fail "filter '$f': the error does not name the field"
done
# every signed field of the size is looked at, not the first only
printf 'event my.read\n\tdescribe\treads\n\ttracepoint\tsyscalls:sys_exit_read if ret > 0\n\tsize\t\tret + __syscall_nr\n' \
	>"$tmp/ev/r.events"
"$LDEN" notify "size(my.read) > 100" --events-dir "$tmp/ev" -t 0.2 -q \
	>"$tmp/two.out" 2>"$tmp/two.err"
rc=$?
[ $rc = 2 ] || fail "a second signed field unfiltered: exit $rc, not 2"
grep -q "field '__syscall_nr' is signed" "$tmp/two.err" ||
	fail "the second signed field is not named"
# a negation of another field leaves the bound whole (the catalog's
# network.tcp_recv: 'ret > 0 && !(flags & 2)')
printf 'event my.read\n\tdescribe\treads\n\ttracepoint\tsyscalls:sys_exit_read if ret > 0 && !(__syscall_nr == 1)\n\tsize\t\tret\n' \
	>"$tmp/ok/r.events"
"$LDEN" notify "size(my.read) > 1000000000000" --events-dir "$tmp/ok" -t 0.2 -q \
	>"$tmp/ok2.out" 2>"$tmp/ok2.err"
[ $? = 1 ] || fail "'if ret > 0 && !(...)' refused: $(cat "$tmp/ok2.err")"
echo "PASS: test-size-signed"
