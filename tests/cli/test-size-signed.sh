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

# the user's filter on the event (EVENT[FILTER]) is applied with the
# catalog's: it bounds the field as well ...
printf 'event my.read\n\tdescribe\treads\n\ttracepoint\tsyscalls:sys_exit_read\n\tsize\t\tret\n' \
	>"$tmp/ev/r.events"
"$LDEN" notify "size(my.read[ret > 0]) > 1000000000000" --events-dir "$tmp/ev" -t 0.2 -q \
	>"$tmp/user.out" 2>"$tmp/user.err"
[ $? = 1 ] || fail "'my.read[ret > 0]' refused: $(cat "$tmp/user.err")"
# ... and one that does not hold for every record is no bound
"$LDEN" notify "size(my.read[ret > 0 || __syscall_nr == 1]) > 100" --events-dir "$tmp/ev" -t 0.2 -q \
	>"$tmp/user2.out" 2>"$tmp/user2.err"
rc=$?
[ $rc = 2 ] || fail "'my.read[ret > 0 || ...]': exit $rc, not 2"
grep -q "r.events:4: size 'ret' on syscalls:sys_exit_read: field 'ret' is signed" "$tmp/user2.err" ||
	fail "'my.read[ret > 0 || ...]': the error does not name the file, line and field"

# a kprobe source's fetch-args say their types: one fetched signed
# (s32/s64, -errno on an error) in a size, unfiltered, is refused on any
# kernel (the types are the file's, not the kernel's); on a kernel
# without kprobes a bounded one is merely unavailable here
kprobe_case() {	# NAME SOURCE-LINE SIZE [ALSO-LINE]
	printf 'event my.send\n\tdescribe\tsends\n\t%s\n\tsize\t\t%s\n%s' \
		"$2" "$3" "${4:+	$4
	size		$3
}" >"$tmp/kp/k.events"
}
mkdir "$tmp/kp"
for c in 'kretprobe	tcp_sendmsg ret=$retval:s32;ret;ret;4;s32' \
	 'kprobe	vfs_write n=$arg3:u64 off=$arg4:s64;n + off;off;4;s64' \
	 'kretprobe	tcp_sendmsg ret=$retval:s32 if ret > 0 || ret < -1;ret;ret;4;s32'; do
	IFS=';' read -r src size field line type <<EOF2
$c
EOF2
	kprobe_case bad "$src" "$size"
	"$LDEN" notify "size(my.send) > 100" --events-dir "$tmp/kp" -t 0.2 -q \
		>"$tmp/kp.out" 2>"$tmp/kp.err"
	rc=$?
	[ $rc = 2 ] || fail "kprobe '$src', size '$size': exit $rc, not 2"
	grep -q "k.events:$line: size '$size' on k.*: field '$field' is signed ($type: " "$tmp/kp.err" ||
		fail "kprobe '$src': the error does not name the file, line, field and type: $(cat "$tmp/kp.err")"
	[ "$(grep -c '^lden: ' "$tmp/kp.err")" = 1 ] || fail "kprobe '$src': not one error line"
done
# an 'also' probe's size is checked as the first's
kprobe_case also 'kretprobe	tcp_sendmsg ret=$retval:s32 if ret > 0' ret \
	'also	kretprobe tcp_sendpage ret=$retval:s32'
"$LDEN" notify "size(my.send) > 100" --events-dir "$tmp/kp" -t 0.2 -q \
	>"$tmp/kp.out" 2>"$tmp/kp.err"
rc=$?
[ $rc = 2 ] && grep -q "k.events:6: size 'ret' on kretprobe tcp_sendpage: field 'ret' is signed" "$tmp/kp.err" ||
	fail "an unfiltered 'also' probe's signed size: exit $rc: $(cat "$tmp/kp.err")"
# bounded (by the probe's filter, or the user's), unsigned, or count()
# only: not refused for the sign
kp_ok() {	# EXPRESSION
	"$LDEN" notify "$1" --events-dir "$tmp/kp" -t 0.2 -q >"$tmp/kpok.out" 2>"$tmp/kpok.err"
	rc=$?
	grep -q "is signed" "$tmp/kpok.err" && fail "'$1' refused for the sign: $(cat "$tmp/kpok.err")"
	[ $rc = 1 ] || grep -q "unavailable on this kernel" "$tmp/kpok.err" ||
		fail "'$1': exit $rc: $(cat "$tmp/kpok.err")"
}
kprobe_case ok 'kretprobe	tcp_sendmsg ret=$retval:s32 if ret > 0' ret
kp_ok "size(my.send) > 1000000000000"
kprobe_case ok 'kretprobe	tcp_sendmsg ret=$retval:s32' ret
kp_ok "size(my.send[ret > 0]) > 1000000000000"
kp_ok "count(my.send) > 1000000000000"
kprobe_case ok 'kretprobe	tcp_sendmsg ret=$retval:u64' ret
kp_ok "size(my.send) > 1000000000000"
echo "PASS: test-size-signed"
