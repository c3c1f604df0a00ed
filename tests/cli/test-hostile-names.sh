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

# --- every byte a name may hold, through each command that prints one --
# 0x1f (lden's own key separator), a tab, a newline, a quote, a
# backslash, a byte of malformed UTF-8, and a '?' of its own at the end
# (not lden's late mark): 10 bytes
name_py="b'x\\x1fy\\tz\\n\"\\\\\\xc3?'"
esc='x\x1fy\tz\n"\\\xc3\x3f'
hex=781f7909
hex=${hex}7a0a225cc33f

# tcp-accept: a server named so before lden started (its name read from
# /proc as the accept's record arrives, carried to the line beside the
# uid: a separator in it shifted the uid, port and source), accepting one
# connection from itself on 127.0.0.1 per line it reads
cat >"$tmp/server.py" <<PY
import ctypes, os, socket, sys
ctypes.CDLL(None).prctl(15, $name_py, 0, 0, 0)
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
print("port", s.getsockname()[1], flush=True)
print("ready", flush=True)
keep = []
for n in (1, 2):
    sys.stdin.readline()
    c = socket.socket()
    c.connect(s.getsockname())
    a, peer = s.accept()
    keep += [c, a]
    print("done", n, flush=True)
sys.stdin.readline()
PY
workload srv python3 "$tmp/server.py"
spid=$wpid
port=$(sed -n 's/^port //p' "$tmp/srv.tgt")
for form in text json; do
	n=1 opt=
	[ $form = json ] && n=2 opt=--json
	rm -f "$tmp/acc$form.out" "$tmp/acc$form.err"
	"$LDEN" trace tcp-accept --pid $spid $opt -t 60 --max-cpu 0 \
		>"$tmp/acc$form.out" 2>"$tmp/acc$form.err" &
	tpid=$!
	started $tpid
	wait_for "$tmp/acc$form.err" '^lden: tracing' || fail "tcp-accept $form: lden did not start"
	echo go >&8
	wait_for "$tmp/srv.tgt" "^done $n" || fail "tcp-accept $form: the server did not accept"
	until_lines "$tmp/acc$form.out" "$port" 1
	stop $tpid
	reaped $tpid
done
exec 8>&-
# TIME UID CMD PID PORT IP_SOURCE: the name escaped, marked late, in its
# column; the uid, pid, port and source after it where they belong
c="$esc?" awk -v p=$spid -v port=$port -v u="$(id -u)" \
	'$2 == u "?" && $3 == ENVIRON["c"] && $4 == p && $5 == port && $6 == "127.0.0.1" && NF == 6' \
	"$tmp/acctext.out" | grep -q . ||
	fail "tcp-accept text: no line 'UID $esc? $spid $port 127.0.0.1' (fields shifted?)"
[ "$(grep -vc '^TIME' "$tmp/acctext.out")" = 1 ] || fail "tcp-accept text: not one line"
jq -e -s --arg hex $hex --argjson p $spid --argjson port $port --argjson u "$(id -u)" \
	'[.[] | select(.uid == $u and .cmd_hex == $hex and .cmd_source == "late" and
		.pid == $p and .port == $port and .ip_source == "127.0.0.1")] | length == 1' \
	"$tmp/accjson.out" >/dev/null ||
	fail "tcp-accept --json: no record with the name's exact bytes, late, and uid, pid, port, source in place"
echo "PASS: tcp-accept: a name with 0x1f, tab, newline, quote, backslash, malformed UTF-8 and '?' shifts no field (text escaped, JSON exact bytes)"

# trace, top and io with the same name, set after lden started (exact)
cat >"$tmp/namer2.py" <<PY
import ctypes, os
ctypes.CDLL(None).prctl(15, $name_py, 0, 0, 0)
for i in range(3):
    try:
        os.open("/nonexistent-lden-hostile2", os.O_RDONLY)
    except OSError:
        pass
PY
"$LDEN" trace syscalls:sys_enter_openat --max-cpu 0 -- python3 "$tmp/namer2.py" \
	>"$tmp/t2.out" 2>"$tmp/t2.err" || fail "trace (2) failed"
[ "$(grep -cF " $esc syscalls:sys_enter_openat " "$tmp/t2.out")" = 3 ] ||
	fail "trace text: not 3 rows with the name escaped (and '?' as \\x3f)"
"$LDEN" trace syscalls:sys_enter_openat --json --max-cpu 0 -- python3 "$tmp/namer2.py" \
	>"$tmp/t2j.out" 2>"$tmp/t2j.err" || fail "trace --json (2) failed"
jq -e -s --arg hex $hex '[.[] | select(.comm_hex == $hex and .comm_source == "exact")] | length == 3' \
	"$tmp/t2j.out" >/dev/null || fail "trace --json: not 3 records with the exact bytes"
"$LDEN" top syscalls:sys_enter_openat --by comm --max-cpu 0 -i 60 -- python3 "$tmp/namer2.py" \
	>"$tmp/top2.out" 2>"$tmp/top2.err" || fail "top (2) failed"
c="$esc" awk '$1 == "syscalls:sys_enter_openat" && $2 == ENVIRON["c"] && $3 == 3 && NF == 3' \
	"$tmp/top2.out" | grep -q . || fail "top text: no row '$esc 3' (the separator split or shifted it)"
"$LDEN" top syscalls:sys_enter_openat --by comm --json --max-cpu 0 -i 60 -- python3 "$tmp/namer2.py" \
	>"$tmp/top2j.out" 2>"$tmp/top2j.err" || fail "top --json (2) failed"
jq -e -s --arg hex $hex '[.[].rows[] | select(.comm_hex == $hex and .comm_source == "exact")] |
	length == 1 and .[0].count == 3' "$tmp/top2j.out" >/dev/null ||
	fail "top --json: no row of 3 with the exact bytes"
# io: its 3 failed opens under the name, in text its own column (the
# last '?' escaped: not late), in JSON the exact bytes
"$LDEN" io --max-cpu 0 -- python3 "$tmp/namer2.py" \
	>"$tmp/io2.out" 2>"$tmp/io2.err" || fail "io failed"
c="$esc" awk '$2 == ENVIRON["c"] && $5 == "openat" && $NF == "/nonexistent-lden-hostile2"' \
	"$tmp/io2.out" | wc -l | grep -qx 3 || fail "io text: not 3 opens under the escaped name"
"$LDEN" io --json --max-cpu 0 -- python3 "$tmp/namer2.py" \
	>"$tmp/io2j.out" 2>"$tmp/io2j.err" || fail "io --json failed"
jq -e -s --arg hex $hex '[.[] | select(.type == "call" and .comm_hex == $hex and
	.comm_source == "exact" and .path == "/nonexistent-lden-hostile2")] | length == 3' \
	"$tmp/io2j.out" >/dev/null || fail "io --json: not 3 opens with the name's exact bytes"
echo "PASS: trace, top and io with the name (text: escaped, one field; JSON: exact bytes)"

# --- a space: a name "a b" read as two columns shifted the rest --------
# a process named "a b" opens the missing "/nonexistent lden a b" 3
# times, then (for exec) runs "/TMP/d i r/tr ue" with the arguments "x y"
# and z
mkdir "$tmp/d i r" && ln -s /bin/true "$tmp/d i r/tr ue" ||
	fail "cannot make the program with spaces"
cat >"$tmp/spaces.py" <<PY
import ctypes, os, sys
ctypes.CDLL(None).prctl(15, b"a b", 0, 0, 0)
for i in range(3):
    try:
        os.open("/nonexistent lden a b", os.O_RDONLY)
    except OSError:
        pass
if len(sys.argv) > 1:
    os.execv("$tmp/d i r/tr ue", ["tr ue", "x y", "z"])
PY
py=$(python3 -c 'import sys; print(sys.executable)')
"$LDEN" top syscalls:sys_enter_openat --by comm --max-cpu 0 -i 60 -- "$py" "$tmp/spaces.py" \
	>"$tmp/sp-top.out" 2>"$tmp/sp-top.err" || fail "top (spaces) failed"
awk '$1 == "syscalls:sys_enter_openat" && $2 == "a\\x20b" && $3 == 3 && NF == 3' \
	"$tmp/sp-top.out" | grep -q . || fail "top text: no row 'a\\x20b 3' (the space split the name)"
"$LDEN" trace open --failed --max-cpu 0 -- "$py" "$tmp/spaces.py" \
	>"$tmp/sp-open.out" 2>"$tmp/sp-open.err" || fail "trace open (spaces) failed"
# TIME COMM PID TID PATH RESULT
[ "$(awk '$2 == "a\\x20b" && $5 == "/nonexistent\\x20lden\\x20a\\x20b" && $6 == "ENOENT" &&
	NF == 6' "$tmp/sp-open.out" | wc -l)" = 3 ] ||
	fail "trace open text: not 3 lines 'a\\x20b PID TID /nonexistent\\x20lden\\x20a\\x20b ENOENT'"
"$LDEN" trace open --failed --json --max-cpu 0 -- "$py" "$tmp/spaces.py" \
	>"$tmp/sp-openj.out" 2>"$tmp/sp-openj.err" || fail "trace open --json (spaces) failed"
jq -e -s '[.[] | select(.comm == "a b" and .path == "/nonexistent lden a b")] | length == 3' \
	"$tmp/sp-openj.out" >/dev/null || fail "trace open --json: not 3 records with the exact name and path"
"$LDEN" trace exec --max-cpu 0 -- "$py" "$tmp/spaces.py" exec \
	>"$tmp/sp-exec.out" 2>"$tmp/sp-exec.err" || fail "trace exec (spaces) failed"
# TIME PID PPID UID COMM FILENAME ARGV: ARGV last, quoted as a shell would
f=$(printf '%s' "$tmp/d i r/tr ue" | sed 's/ /\\x20/g')
c="$f" awk '$5 == "tr\\x20ue" && $6 == ENVIRON["c"] && $7 == "'"'tr"'"' \
	"$tmp/sp-exec.out" | grep -q . ||
	fail "trace exec text: no line 'tr\\x20ue $f 'tr ue' ...' (a space shifted the filename)"
grep -qF " 'tr ue' 'x y' z" "$tmp/sp-exec.out" || fail "trace exec text: ARGV not 'tr ue' 'x y' z"
"$LDEN" io --max-cpu 0 -- "$py" "$tmp/spaces.py" \
	>"$tmp/sp-io.out" 2>"$tmp/sp-io.err" || fail "io (spaces) failed"
[ "$(awk '$2 == "a\\x20b" && $5 == "openat" && $NF == "/nonexistent\\x20lden\\x20a\\x20b" &&
	NF == 10' "$tmp/sp-io.out" | wc -l)" = 3 ] ||
	fail "io text: not 3 opens under 'a\\x20b' with the path one column"
echo "PASS: a name and paths with spaces: one column each ('\\x20') in top, trace open/exec and io; ARGV quoted; JSON exact"

# --- io's flame graphs and summary: any bytes in one frame, exact -------
# strings-target renames itself (ESC, ';', '"', '\', a UTF-8 fragment:
# 15 bytes) and creates a file whose name has ESC, BEL, ';', a newline, a
# carriage return, '<', '&' and a byte of malformed UTF-8.  The folded
# stacks wrote ';' and line breaks as '_' (another name's bytes, unmarked)
# and the rest raw (a terminal's escape sequences in the file); now each
# frame is the text's escaping, ';' as \x3b, and reads back to the exact
# bytes; the SVG, drawn from them, parses; the JSON summary's rows give
# the exact bytes of a key that is not UTF-8 (key_hex).  Then it renames
# itself '#x': its stacks began with '#', the folded format's comment,
# which lden's live graph (the dashboard's) skipped.
TGT="$top_builddir/tests/kernel/strings-target"
hx() { printf "$1" | od -An -tx1 | tr -d ' \n'; }
# lden's text escaping (escape.h) read back to the bytes, for python3
cat >"$tmp/unesc.py" <<'PY'
def unesc(t):
    out, i = b"", 0
    while i < len(t):
        if t[i] == "\\" and t[i + 1] == "x":
            out += bytes([int(t[i + 2:i + 4], 16)]); i += 4
        elif t[i] == "\\":
            out += {"n": b"\n", "r": b"\r", "t": b"\t"}.get(t[i + 1], t[i + 1].encode()); i += 2
        else:
            out += t[i].encode(); i += 1
    return out
PY
fname='\033]0;t\007;"\\<s\342\202'
fpath="$tmp/f-\033[2J\007;\n\r<b>&amp;\377"
"$LDEN" io -q --summary --json --max-cpu 0 -f "$tmp/io.folded" -f "$tmp/io.svg" -- \
	"$TGT" hostile name "$(hx "$fname")" creat "$(hx "$fpath")" \
	name "$(hx '#x')" open "$(hx "$tmp/missing")" \
	>"$tmp/iofl.out" 2>"$tmp/iofl.err" || fail "io --flamegraph (hostile) failed"
PYTHONPATH=$tmp python3 - "$tmp/io.folded" "$(hx "$fname")" "$(hx "$fpath")" "$tmp" <<'PY' ||
import re, sys
data = open(sys.argv[1], "rb").read()
name, path = bytes.fromhex(sys.argv[2])[:15], bytes.fromhex(sys.argv[3])
assert not re.search(rb"[\x00-\x1f\x7f-\xff]", data.replace(b"\n", b"")), "a raw byte"
from unesc import unesc
calls, hashed = {}, 0
for line in data.decode("ascii").splitlines():
    # a line beginning with '#' is a comment (lden's live graph skipped it)
    assert not line.startswith("#"), line
    stack, n = line.rsplit(" ", 1)
    frames = [unesc(f) for f in stack.split(";")]
    assert len(frames) == 3, line
    if frames[:2] == [name, path]:
        calls[frames[2]] = int(n)
    hashed += frames == [b"#x", sys.argv[4].encode() + b"/missing", b"openat"]
assert calls == {b"openat": 1, b"write": 1, b"close": 1}, calls
assert hashed == 1, "no stack #x;TMP/missing;openat"
PY
	fail "io folded stacks: not one frame each, escaped, reading back to the exact name and path (or '#' first)"
python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$tmp/io.svg" ||
	fail "io --flamegraph SVG: not well-formed XML"
grep -qF '\x1b]0\x3bt\x07' "$tmp/io.svg" || fail "io SVG: the name not drawn escaped"
# (the workload's own lines, "ok STEP", left out)
grep '^{' "$tmp/iofl.out" | jq -e -s --arg p "$(hx "$fpath")" --arg c "$(hx "$fname")" \
	'([.[] | select(.type == "file" and .key_hex == $p and .key_source == "exact" and .calls == 3)] | length == 1) and
	 ([.[] | select(.type == "process" and (.key_hex // "" | startswith($c + "5b")))] | length == 1)' \
	>/dev/null ||
	fail "io --summary --json: no file row with the path's exact bytes (key_hex) or process row with the name's"
echo "PASS: io's folded stacks and SVG: a name and path with ESC, ';', line breaks, malformed UTF-8 one frame each, escaped, exact; JSON summary key_hex"

# --- a string field of PATH_MAX - 1 bytes, each byte escaped ------------
# trace's text cut every field's value at 4 KiB once escaped, unmarked:
# the 4095 bytes of an exec's file name, all control bytes (16 KiB as
# \xHH), showed as their first 1023; now whole
python3 - "$tmp" >"$tmp/long.hex" <<'PY' || fail "cannot make the 4095-byte path"
import os, sys
p = os.fsencode(sys.argv[1]) + b"/L"
os.mkdir(p)
while len(p) < 4095 - 210:
    p += b"/" + b"\x01" * 200
    os.mkdir(p)
p += b"/" + b"\x1b" * (4095 - len(p) - 1)
os.symlink("/bin/true", p)
print(p.hex())
PY
"$LDEN" trace sched:sched_process_exec --max-cpu 0 -- \
	"$TGT" hostile exec "$(cat "$tmp/long.hex")" "$(hx a)" \
	>"$tmp/lexec.out" 2>"$tmp/lexec.err" || fail "trace sched:sched_process_exec (4095-byte path) failed"
PYTHONPATH=$tmp python3 - "$tmp/lexec.out" "$(cat "$tmp/long.hex")" <<'PY' ||
import re, sys
want = bytes.fromhex(sys.argv[2])
from unesc import unesc
got = [unesc(m.group(1)) for m in
       (re.search(r" filename=(\S+) pid=", l) for l in open(sys.argv[1], encoding="ascii")) if m]
assert want in got, [len(g) for g in got]
PY
	fail "trace text: the 4095-byte file name not whole in its filename= field"
echo "PASS: trace text: a string field of 4095 control bytes whole (16 KiB escaped)"

# --- a C library at a path with a terminal's escape sequence ----------
# the header names the C libraries lden probes, those the traced
# processes map: a program run with its own libc copy in 'l\e[31mx' had
# that path printed raw (the header turned red); now escaped
libdir="$tmp/l$(printf '\033[31m')x"
libc=$(awk '$NF ~ /\/libc\.so\.6$/ { print $NF; exit }' /proc/self/maps)
if [ -n "$libc" ] && mkdir "$libdir" && cp "$libc" "$libdir/"; then
	LD_LIBRARY_PATH=$libdir workload libc "$TGT" hostile wait
	"$LDEN" trace open --strings exact --pid "$wpid" -t 0.3 --max-cpu 0 \
		>"$tmp/libc.out" 2>"$tmp/libc.err"
	exec 8>&-
	grep -q "$(printf '\033')" "$tmp/libc.err" &&
		fail "trace open: a raw ESC of the C library's path reached the header"
	grep -qF "uprobes on" "$tmp/libc.err" && ! grep -qF "$tmp/l\\x1b[31mx/libc.so.6" "$tmp/libc.err" &&
		fail "trace open: the C library's path not said escaped"
	echo "PASS: a C library mapped from a path with ESC: named escaped in the header"
else
	echo "SKIP (part): no libc.so.6 to copy"
fi

# --- top net: a device named by its network namespace's owner ----------
# (any byte but '/', ':' and white space): 0x1f, lden's key separator,
# cut the name there (e\x1b[31m shown for e\x1b[31m\x1fx"\), unmarked
if command -v ip >/dev/null && command -v unshare >/dev/null &&
	unshare -n true 2>/dev/null; then
	cat >"$tmp/netw.sh" <<'SH'
d=$(printf 'e\033[31m\037x"\\\377')
ip link set lo name "$d" && ip link set "$d" up || exit 3
python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.bind(("127.0.0.1", 0))
for i in range(5):
    s.sendto(b"x" * 100, r.getsockname())
'
SH
	"$LDEN" top net -i 60 --max-cpu 0 -- unshare -n sh "$tmp/netw.sh" \
		>"$tmp/net.out" 2>"$tmp/net.err" || fail "top net (device name) failed"
	awk '$3 == "e\\x1b[31m\\x1fx\"\\\\\\xff" && $4 == 5 && $5 == 5' "$tmp/net.out" | grep -q . ||
		fail "top net text: no row with the device 'e\\x1b[31m\\x1fx\"\\\\\\xff' and 5 packets each way"
	"$LDEN" top net -i 60 --json --max-cpu 0 -- unshare -n sh "$tmp/netw.sh" \
		>"$tmp/netj.out" 2>"$tmp/netj.err" || fail "top net --json (device name) failed"
	jq -e -s --arg h "$(hx 'e\033[31m\037x"\\\377')" \
		'[.[].rows[] | select(.dev_hex == $h and .xmit_pk == 5 and .recv_pk == 5)] | length == 1' \
		"$tmp/netj.out" >/dev/null || fail "top net --json: no row with the device's exact bytes (dev_hex)"
	echo "PASS: top net: a device name with ESC, 0x1f, a quote, a backslash and 0xff whole, escaped in text, exact in JSON"
else
	echo "SKIP (part): no ip or unshare -n for a network namespace of the test's own"
fi

# --- cgroups named with any byte a cgroup may have ----------------------
# (the kernel refuses a newline in a cgroup's name): a space, a tab,
# 0x1f, a quote, a backslash, malformed UTF-8, a '?' of its own at the
# end, 255 bytes; three as systemd services (containers).  A process
# moves through them, calling getppid() 1, 2, ... times in each: top
# --by cgroup and --by container show each apart, exact in JSON, escaped
# in text, a '?' of the name never lden's late mark.
CGROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -z "$CGROOT" ] || ! mkdir "$CGROOT/lden-test-$$-hostile" 2>/dev/null; then
	echo "SKIP (part): no cgroup2 file system to make cgroups in"
	exit 0
fi
cgp="$CGROOT/lden-test-$$-hostile"
# removed by their directories' fds: some paths are longer than PATH_MAX
trap 'for _p in $pids; do kill "$_p" 2>/dev/null; done
python3 -c "import os, sys
for r, ds, fs, fd in os.fwalk(sys.argv[1], topdown=False):
    for d in ds:
        os.rmdir(d, dir_fd=fd)
os.rmdir(sys.argv[1])" "$cgp"
rm -rf "$tmp"' EXIT
python3 - "$cgp" >"$tmp/cgnames" <<'PY' || fail "cannot make the cgroups"
import os, sys
p = os.fsencode(sys.argv[1])
for n in [b"x y", b"t\tab", b"u\x1fs", b'q"t', b"b\\s", b"\xff\xfe", b"late?",
          b"L" * 255, b"x y.service", b"s\tv\xff?.service",
          b"S" * 247 + b".service"]:
    os.mkdir(p + b"/" + n)
    print(n.hex())
PY
cat >"$tmp/cgmover.py" <<'PY'
import os, sys
root = os.fsencode(sys.argv[1])
for i, h in enumerate(sys.argv[2:]):
    with open(root + b"/" + bytes.fromhex(h) + b"/cgroup.procs", "w") as f:
        f.write(str(os.getpid()))
    for k in range(i + 1):
        os.getppid()
PY
# the rows each output should have: "BY KIND HEX COUNT", KIND text/json
cat >"$tmp/cgcheck.py" <<'PY'
import json, sys
by, form, out, prefix = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].encode()
names = [bytes.fromhex(h) for h in open(sys.argv[5]).read().split()]
def esc(b):
    s = ""
    for i, c in enumerate(b):
        if c == 0x5c: s += "\\\\"
        elif c == 9: s += "\\t"
        elif c == 0x20 or c < 0x20 or c >= 0x7f or (c == 0x3f and i == len(b) - 1):
            s += "\\x%02x" % c
        else: s += chr(c)
    return s
want = {}
for i, n in enumerate(names):
    key = prefix + b"/" + n if by == "cgroup" else n
    if by == "container" and not n.endswith(b".service"):
        continue
    want[key] = i + 1
got = {}
if form == "json":
    for line in open(out, "rb").read().decode("utf-8").splitlines():
        for r in json.loads(line)["rows"]:
            h = r.get(by + "_hex")
            b = bytes.fromhex(h) if h else r[by].encode()
            assert r[by + "_source"] == "exact", r
            got[b] = got.get(b, 0) + r["count"]
else:
    rows = {}
    for line in open(out, encoding="ascii"):
        f = line.split()
        if len(f) and f[0] == "syscalls:sys_enter_getppid":
            assert len(f) == 3, line
            rows[f[1]] = int(f[2])
    got = {k: rows.get(esc(k), 0) for k in want}
for k, n in want.items():
    assert got.get(k) == n, (k, got.get(k), n)
PY
for by in cgroup container; do
	for form in text json; do
		opt=
		[ $form = json ] && opt=--json
		"$LDEN" top syscalls:sys_enter_getppid --by $by $opt --rows 0 --max-cpu 0 -i 60 -- \
			python3 "$tmp/cgmover.py" "$cgp" $(cat "$tmp/cgnames") \
			>"$tmp/cg-$by.$form" 2>"$tmp/cg-$by.err" || fail "top --by $by $opt failed"
		if grep -q 'carry no cgroup id' "$tmp/cg-$by.err"; then
			echo "SKIP (part): this kernel's samples carry no cgroup id"
			exit 0
		fi
		python3 "$tmp/cgcheck.py" $by $form "$tmp/cg-$by.$form" "/lden-test-$$-hostile" \
			"$tmp/cgnames" || fail "top --by $by ($form): a hostile name's row wrong or missing"
	done
done
# trace --show-container: a process moved into the service "x y.service"
# before its first record there, its one call: the container from the
# sample's cgroup id, exact (the process may have exited before lden
# reads anything of it), escaped, no mark; then 2 in one with a '?' of
# its own, "s\tv\xff?.service" (no '?' after it: exact)
"$LDEN" trace syscalls:sys_enter_getppid --show-container --max-cpu 0 -- \
	"$py" "$tmp/cgmover.py" "$cgp" "$(sed -n 9p "$tmp/cgnames")" \
	"$(sed -n 10p "$tmp/cgnames")" \
	>"$tmp/cg-trace.out" 2>"$tmp/cg-trace.err" || fail "trace --show-container failed"
[ "$(awk '$5 == "x\\x20y.service" && $6 == "syscalls:sys_enter_getppid"' \
	"$tmp/cg-trace.out" | wc -l)" = 1 ] ||
	fail "trace --show-container: not 1 line with the container 'x\\x20y.service' (exact) in its column"
[ "$(awk '$5 == "s\\tv\\xff?.service" && $6 == "syscalls:sys_enter_getppid"' \
	"$tmp/cg-trace.out" | wc -l)" = 2 ] ||
	fail "trace --show-container: not 2 lines with the container 's\\tv\\xff?.service' (exact) in its column"
[ "$(wc -l < "$tmp/cg-trace.out")" = 3 ] ||
	fail "trace --show-container: not 3 lines: $(cat "$tmp/cg-trace.out")"
echo "PASS: cgroups named with a space, tab, 0x1f, quote, backslash, bad UTF-8, a last '?', 255 bytes: top --by cgroup/container each apart and exact (JSON), escaped (text); trace --show-container exact, escaped"

# --- a cgroup named with a terminal's escape sequence, in the headers ---
# notify, visualize and io say their scope, "in cgroup PATH": the path was
# written raw, its ESC [31m reached the terminal (and 0xff); now escaped
esc_cg="$cgp/$(printf 'e\033[31m\377')"
mkdir "$esc_cg" || fail "cannot make the cgroup with ESC in its name"
"$LDEN" notify "count(task.create) > 100000" --cgroup "$esc_cg" -t 0.2 \
	>"$tmp/hdr-notify.out" 2>&1
"$LDEN" visualize -o json --no-dashboard -e task.create --cgroup "$esc_cg" \
	-t 0.2 >"$tmp/hdr-viz.out" 2>&1
"$LDEN" io --cgroup "$esc_cg" -t 0.2 >"$tmp/hdr-io.out" 2>&1
for c in notify viz io; do
	grep -q "$(printf '\033')" "$tmp/hdr-$c.out" &&
		fail "$c: a raw ESC of the cgroup's name reached the output"
	grep -qF "cgroup $cgp/e\\x1b[31m\\xff" "$tmp/hdr-$c.out" ||
		fail "$c: the scope's cgroup not said escaped"
done
rmdir "$esc_cg"
echo "PASS: notify, visualize and io say a cgroup named with ESC and 0xff escaped"

# --- a cgroup path longer than PATH_MAX: said, not cut ------------------
# 18 nested cgroups of 251-byte names (4.5 kB): top cannot name it (a cut
# path would name another cgroup): its 5 calls unavailable, and why;
# --cgroup with that path, or with a line break: one line, exit 2
python3 - "$cgp" >"$tmp/deepnames" <<'PY' || fail "cannot make the nested cgroups"
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
for i in range(18):
    n = "D" * 249 + "%02d" % i
    os.mkdir(n, dir_fd=fd)
    fd = os.open(n, os.O_RDONLY, dir_fd=fd)
    print(n)
PY
cat >"$tmp/deepmover.py" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
for n in sys.argv[2:]:
    fd = os.open(n, os.O_RDONLY, dir_fd=fd)
os.write(os.open("cgroup.procs", os.O_WRONLY, dir_fd=fd), str(os.getpid()).encode())
for k in range(5):
    os.getppid()
PY
"$LDEN" top syscalls:sys_enter_getppid --by cgroup --json --rows 0 --max-cpu 0 -i 60 -- \
	"$py" "$tmp/deepmover.py" "$cgp" $(cat "$tmp/deepnames") \
	>"$tmp/deep.out" 2>"$tmp/deep.err" || fail "top --by cgroup (deep) failed"
jq -e -s '.[-1] | ([.rows[] | select(.cgroup == null and .cgroup_source == "unavailable")] |
	length == 1 and .[0].count == 5) and .summary.cgroups.path_too_long == 5' \
	"$tmp/deep.out" >/dev/null || fail "top --by cgroup: the 5 calls in a path over PATH_MAX not unavailable, or not counted as such"
grep -q "^lden: 5 of the unavailable were in a cgroup whose path is longer than 4095 bytes" \
	"$tmp/deep.err" || fail "top --by cgroup: no line saying a path was too long"
deep=$cgp/$(paste -sd/ "$tmp/deepnames")
for c in trace top notify; do
	e=task.create
	[ $c = notify ] && e="count(task.create) > 100"
	"$LDEN" $c "$e" --cgroup "$deep" -t 1 >"$tmp/deepc.out" 2>"$tmp/deepc.err"
	rc=$?
	[ $rc = 2 ] && [ "$(wc -l <"$tmp/deepc.err")" = 1 ] &&
		grep -q "^lden: $c: cannot use cgroup '/.*\.\.\. (4[0-9]* bytes)': File name too long$" \
		"$tmp/deepc.err" || fail "$c --cgroup (4.5 kB path): not one line with the reason, exit 2 (exit $rc)"
	"$LDEN" $c "$e" --cgroup "$cgp/x y
z?" -t 1 >"$tmp/nlc.out" 2>"$tmp/nlc.err"
	rc=$?
	[ $rc = 2 ] && [ "$(wc -l <"$tmp/nlc.err")" = 1 ] &&
		grep -qF "cannot use cgroup '$cgp/x y\nz?': No such file or directory" "$tmp/nlc.err" ||
		fail "$c --cgroup with a line break: not one line, escaped, exit 2 (exit $rc)"
done
echo "PASS: a cgroup path over PATH_MAX: its calls unavailable and said (top); --cgroup with it or a line break: one line, exit 2"
