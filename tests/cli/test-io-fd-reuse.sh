#!/bin/sh
# lden io names a read after the file its fd referred to when it began: a
# thread blocked reading a pipe on fd N while another thread closes N and
# opens a file, which takes the number N, reads the pipe's bytes, not the
# file's (the kernel holds the pipe for the read).  io looked the fd up
# when the read ended, so the pipe's bytes were the file's, exact, in the
# line and in the summary's row of the file.
#
# Second case: lden reads the read's record only after the swap
# (certainly: LDEN_TEST_PROC_FD_AFTER holds its look at the fd until the
# workload says the swap is done).  An fd io did not see opened (a pipe)
# is named from /proc/PID/fd, which then said it was the file: the pipe's
# 77 bytes were shown as the file's, marked late, in a late summary row
# of the file, and the close too.  lden saw the close of the fd and the
# open that took its number between the call and its look: the name is
# not shown, and counted.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_syscall_tp sys_enter_read
need_cmd python3
need_cmd jq
LDEN="$top_builddir/src/lden"
test_tmp

# fd-swap.py: a thread reads the pipe's read end R (blocks); once it
# sleeps in the read, the main thread closes R, opens FILE (given R's
# number: the lowest free) and writes 77 bytes into the pipe.
# swap_run OUT HOOK [GATE FD]: lden io runs it with its arguments, with
# LDEN_TEST_PROC_FD_AFTER=HOOK; read77 is the pipe's read of 77 bytes, fd
# its fd, pid its process
swap_run() {
	out=$1
	hook=$2
	shift 2
	LDEN_TEST_PROC_FD_AFTER=$hook "$LDEN" io --max-cpu 0 --json --summary -- "$py" \
		"$top_srcdir/tests/cli/fd-swap.py" "$tmp/file" "$@" \
		>"$out" 2>"$out.err" || fail "lden io failed: $(cat "$out.err")"
	jq -e . "$out" >/dev/null || fail "bad JSON"
	# the workload did what it says: the file opened on the read's fd
	nums=$(jq -r "select(.type == \"call\" and .syscall == \"openat\" and .path == \"$tmp/file\") | .newfd" "$out")
	read77=$(jq -c 'select(.type == "call" and .syscall == "read" and .ret == 77)' "$out")
	[ "$(echo "$read77" | grep -c .)" = 1 ] || fail "not one read of 77 bytes: $read77"
	fd=$(echo "$read77" | jq -r .fd)
	pid=$(echo "$read77" | jq -r .pid)
	[ "$nums" = "$fd" ] || fail "the file was not opened on the read's fd $fd (openat gave '$nums'): nothing tested"
	path=$(echo "$read77" | jq -r '.path // "-"')
	how=$(echo "$read77" | jq -r '.path_source // "-"')
}
echo data >"$tmp/file"
# the interpreter itself, not a wrapper that execs it (pyenv's shim): lden,
# behind, may yet apply an older exec to what it read in /proc, and drop
# the name of a close-on-exec fd
py=$(python3 -c 'import sys; print(sys.executable)')
[ -x "$py" ] || fail "python3 names no executable: '$py'"

swap_run "$tmp/run.out" ""
# the pipe's 77 bytes: the pipe's, not known, or read late from /proc
# (marked: when lden read the read's enter, the fd was the file's
# already, and the change's record had not arrived when the read was
# shown), never the file's as exact
[ "$path $how" = "$tmp/file exact" ] &&
	fail "the pipe's read of 77 bytes on fd $fd named '$path' (exact), the file opened on its number while it waited"
case "$path" in
pipe:*|-|"$tmp/file") ;;
*) fail "the pipe's read on fd $fd named '$path' ($how)" ;;
esac
# the file was never read: its exact summary row (if any) reads 0 bytes
# (a late one is its own row, "FILE?")
# (one row a process: each reads 0)
bytes=$(jq -r "select(.type == \"file\" and .key == \"$tmp/file\" and .key_source == \"exact\") | .bytes_read" "$tmp/run.out" |
	grep -v '^0$' | tr '\n' ' ')
[ -z "$bytes" ] || fail "a summary row of the file read $bytes bytes, want 0"
echo "ok: the read of the pipe on fd $fd named '$path' ($how), the file's exact row read ${bytes:-no} bytes"

# second case: R is fd FD, a number no file of the run had before (lden
# has no entry for it and looks it up); lden's look at it waits for GATE,
# then removes it; the program stays until then (its fd still there)
FD=40
swap_run "$tmp/late.out" "$FD:$tmp/gate" "$tmp/gate" "$FD"
[ -e "$tmp/gate" ] && fail "lden did not look fd $FD up in /proc after the swap (the gate is still there): nothing tested"
# lden looked in /proc after the swap: it could only have seen the file
[ "$path" = - ] || fail "the pipe's read of 77 bytes on fd $fd named '$path' ($how), read from /proc after its fd was closed and reopened"
# nor the close of the pipe's fd (named from the same look)
closes=$(jq -c "select(.type == \"call\" and .syscall == \"close\" and .fd == $fd and .path == \"$tmp/file\")" "$tmp/late.out")
[ -z "$closes" ] || fail "the close of the pipe's fd $fd named the file: $closes"
# the 77 bytes are in no row of the file (exact or late), in the row of
# the process's bare fd
bytes=$(jq -r "select(.type == \"file\" and .key == \"$tmp/file\") | .bytes_read" "$tmp/late.out" |
	grep -v '^0$' | tr '\n' ' ')
[ -z "$bytes" ] || fail "a summary row of the file read $bytes bytes, want 0"
fdrow=$(jq -r "select(.type == \"file\" and .key_source == \"fd\" and .key == \"[fd $fd of $pid]\") | .bytes_read" "$tmp/late.out")
[ "${fdrow:-0}" -ge 77 ] 2>/dev/null ||
	fail "the row of fd $fd of $pid read '$fdrow' bytes, want the pipe's 77 among them"
# and counted
held=$(jq -r 'select(.type == "stats") | .fd_names_withheld' "$tmp/late.out")
[ "${held:-0}" -ge 1 ] 2>/dev/null || fail "fd_names_withheld '$held', want at least 1 (the read)"
grep -q "fd names not shown: $held calls" "$tmp/late.out.err" || fail "the statistics do not say the $held names not shown"
echo "ok: looked up after the swap, the read of the pipe on fd $fd not named, its 77 bytes in the row of fd $fd of $pid, $held names withheld"
echo "PASS: test-io-fd-reuse"
