#!/bin/sh
# network.tcp_recv and network.udp_recv count what moved: a recv with
# MSG_PEEK leaves its bytes in the socket, and they are counted once, at
# the recv that takes them (sock_recv_length fires for both; the kernel's
# own print format shows a peek's length as 0).  Over loopback, in the
# command's own scope: 1000 bytes of TCP peeked then read; two UDP
# datagrams of 300 and 200 bytes, the first peeked then both read.
set -u
LDEN="$top_builddir/src/lden"
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_cmd jq python3
[ -r "$T/events/sock/sock_recv_length/format" ] ||
	{ echo "SKIP: no sock:sock_recv_length (Linux 6.3)"; exit 77; }
test_tmp

cat >"$tmp/peek.py" <<'PY'
import socket
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen(1)
s = socket.create_connection(l.getsockname())
r, _ = l.accept()
s.sendall(b"x" * 1000)
n = 0
while n < 1000:
    n = len(r.recv(1000, socket.MSG_PEEK))
got = b""
while len(got) < 1000:
    got += r.recv(1000 - len(got))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
v.sendto(b"y" * 300, u.getsockname())
v.sendto(b"z" * 200, u.getsockname())
assert len(u.recv(1000, socket.MSG_PEEK)) == 300
assert len(u.recv(1000)) == 300
assert len(u.recv(1000)) == 200
PY
"$LDEN" notify "size(network.tcp_recv) + size(network.udp_recv) > 1000000" \
	--json -t 60 -- python3 "$tmp/peek.py" >"$tmp/run.out" 2>"$tmp/run.err"
[ $? = 1 ] || fail "lden notify did not end with the command"
jq -e 'select(.type == "end") | .command_status == 0' "$tmp/run.out" >/dev/null ||
	fail "the workload failed"
got=$(jq -r 'select(.type == "end") | .events[] | "\(.name) \(.count) \(.size)"' "$tmp/run.out")
want="network.tcp_recv 1 1000
network.udp_recv 2 500"
[ "$got" = "$want" ] || fail "received: '$got', not '$want' (a peek counted?)"
echo "PASS: test-network-peek"
