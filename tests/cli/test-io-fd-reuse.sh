#!/bin/sh
# lden io names a read after the file its fd referred to when it began: a
# thread blocked reading a pipe on fd N while another thread closes N and
# opens a file, which takes the number N, reads the pipe's bytes, not the
# file's (the kernel holds the pipe for the read).  io looked the fd up
# when the read ended, so the pipe's bytes were the file's, exact, in the
# line and in the summary's row of the file.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_syscall_tp sys_enter_read
need_cmd python3
need_cmd jq
LDEN="$top_builddir/src/lden"
test_tmp

# a thread reads the pipe's read end R (blocks); once it sleeps in the
# read, the main thread closes R, opens FILE (given R's number: the
# lowest free) and writes 77 bytes into the pipe
cat >"$tmp/swap.py" <<'EOF'
import os, sys, threading, time
r, w = os.pipe()
tid = []
def reader():
    tid.append(threading.get_native_id())
    os.read(r, 100)
t = threading.Thread(target=reader)
t.start()
def sleeping():
    with open("/proc/self/task/%d/stat" % tid[0]) as f:
        return f.read().rsplit(")", 1)[1].split()[0] == "S"
deadline = time.monotonic() + 20
while not tid or not sleeping():
    if time.monotonic() > deadline:
        sys.exit(3)
    time.sleep(0.001)
os.close(r)
fd = os.open(sys.argv[1], os.O_RDONLY)
os.write(w, b"p" * 77)
t.join()
EOF
echo data >"$tmp/file"
"$LDEN" io --max-cpu 0 --json --summary -- python3 "$tmp/swap.py" "$tmp/file" \
	>"$tmp/run.out" 2>"$tmp/run.err" || fail "lden io failed"
jq -e . "$tmp/run.out" >/dev/null || fail "bad JSON"
# the workload did what it says: the file opened on the read's fd
nums=$(jq -r "select(.type == \"call\" and .syscall == \"openat\" and .path == \"$tmp/file\") | .newfd" "$tmp/run.out")
read5=$(jq -c 'select(.type == "call" and .syscall == "read" and .ret == 77)' "$tmp/run.out")
[ "$(echo "$read5" | grep -c .)" = 1 ] || fail "not one read of 77 bytes: $read5"
fd=$(echo "$read5" | jq -r .fd)
[ "$nums" = "$fd" ] || fail "the file was not opened on the read's fd $fd (openat gave '$nums'): nothing tested"
# the pipe's 77 bytes: the pipe's, not known, or read late from /proc
# (marked: when lden read the read's enter, the fd was the file's
# already), never the file's as exact
path=$(echo "$read5" | jq -r '.path // "-"')
how=$(echo "$read5" | jq -r '.path_source // "-"')
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
echo "PASS: test-io-fd-reuse"
