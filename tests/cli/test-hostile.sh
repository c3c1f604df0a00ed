#!/bin/sh
# Hostile input, each case a defect once found: a bracket filter that
# closed the catalog's parenthesis (UDP counted as TCP); FIFOs that hung
# lden for ever, --time or not; /dev/zero as a catalog file and a sparse
# ELF file claiming a 1.5 GiB string table (memory without bound); a
# 60,000-term chain under a 2 MiB stack; an expression that begins with
# '-'; control bytes, and bytes that are not UTF-8 (under a caret at the
# right column), echoed to the terminal; a uprobe path with \v; a
# catalog of 100,000 events (quadratic).  Each must end quickly, with a
# one-line error and exit 2 where the input is bad, and leave no probe
# (the suite's state-after.sh checks the rest of tracefs).  Numbers of
# options are decimal: '-t 0x10' was 16 s.  Event names that look like
# paths, and ftrace's own records, are refused as what they are.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
LDEN="$top_builddir/src/lden"
UP="$top_builddir/tests/kernel/uprobe-target"
test_tmp

# bounded NAME SECONDS CMD...: CMD with its output in $tmp/NAME.out/.err,
# killed after SECONDS; its exit status in $rc (124: it had to be
# killed), its peak resident memory in $peak (KiB)
bounded() {
	_n=$1
	_s=$2
	shift 2
	python3 - "$_s" "$tmp/$_n.out" "$tmp/$_n.err" "$tmp/$_n.peak" "$@" <<'EOF'
import resource, subprocess, sys
secs, out, err, peak = sys.argv[1:5]
with open(out, "w") as o, open(err, "w") as e:
    p = subprocess.Popen(sys.argv[5:], stdout=o, stderr=e)
    try:
        rc = p.wait(timeout=float(secs))
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        rc = 124
open(peak, "w").write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc if rc >= 0 else 128 - rc)
EOF
	rc=$?
	peak=$(cat "$tmp/$_n.peak")
}

# refused NAME WHAT PATTERN: $rc is 2, stderr is one line (plus the
# expression and caret lines) matching PATTERN, stdout is empty
refused() {
	[ "$rc" = 124 ] && fail "$1: still running after the time limit ($2)"
	[ "$rc" = 2 ] || fail "$1: exit status $rc, want 2 ($2)"
	grep -q -e "$3" "$tmp/$1.err" || fail "$1: no message matching '$3'"
	[ -s "$tmp/$1.out" ] && fail "$1: printed on stdout"
	echo "ok: $2: $(head -n 1 "$tmp/$1.err")"
}

# 1. A bracket filter is one expression: one that would close the
# catalog's parenthesis is refused; written as meant, it counts only TCP.
bounded inject 20 "$LDEN" notify -t 1 \
	'count(network.tcp_send[ret == 4321) || (ret == 4321]) > 1e6'
refused inject "a filter closing the catalog's '('" "unbalanced ')' in the filter"
if [ -r "$T/events/sock/sock_send_length/id" ]; then
	mkfifo "$tmp/udp.go"
	python3 -c '
import socket, sys
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.bind(("127.0.0.1", 0))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
open(sys.argv[1]).readline()
for i in range(5):
    s.sendto(b"u" * 4321, r.getsockname())
    r.recv(8192)
' "$tmp/udp.go" &
	u=$!
	started $u
	notify_bg udp -p "$u" -t 30 \
		'count(network.tcp_send[ret == 4321 || ret == 4321]) > 0 or count(network.udp_send[ret == 4321]) >= 5'
	release "$tmp/udp.go"
	join $n
	[ "$rc" = 0 ] || fail "udp: exit $rc, want 0 (fired on the 5 datagrams)"
	# (the table's COUNT: its labels have spaces in them)
	tcp=$(awk 'index($0, "network.tcp_send[") == 1 { print $(NF - 2) }' "$tmp/udp.out")
	udp=$(awk 'index($0, "network.udp_send[") == 1 { print $(NF - 2) }' "$tmp/udp.out")
	[ "$tcp" = 0 ] && [ "$udp" = 5 ] ||
		fail "5 UDP datagrams of 4321 bytes: tcp_send counted '$tcp', udp_send '$udp'"
	join $u
	echo "ok: 5 UDP datagrams: udp_send 5, tcp_send[ret == 4321 || ret == 4321] 0"
fi

# 2. FIFOs: refused at once, not waited on for a writer
mkfifo "$tmp/fifo"
bounded fifo-uprobe 10 "$LDEN" notify -t 2 "count(uprobe($tmp/fifo:x)) > 1"
refused fifo-uprobe "uprobe on a FIFO" "not a regular file"
mkdir "$tmp/fifo-ev"
mkfifo "$tmp/fifo-ev/x.events"
bounded fifo-events 10 "$LDEN" notify -t 2 -d "$tmp/fifo-ev" 'count(task.create) > 1'
refused fifo-events "a FIFO named x.events" "x.events: not a regular file"
bounded fifo-list 10 "$LDEN" list-events -d "$tmp/fifo-ev"
refused fifo-list "list-events and the FIFO" "x.events: not a regular file"
bounded fifo-ca 10 "$LDEN" visualize --url https://127.0.0.1:1 --ca "$tmp/fifo" -t 1
refused fifo-ca "a FIFO as visualize's --ca" "is not a regular file"

# 3. Inputs without end: /dev/zero as a catalog file, an ELF file whose
# string table claims 1.5 GiB (sparse): quick, and little memory
mkdir "$tmp/zero-ev"
ln -s /dev/zero "$tmp/zero-ev/x.events"
bounded zero 10 "$LDEN" notify -t 2 -d "$tmp/zero-ev" 'count(task.create) > 1'
refused zero "/dev/zero as x.events" "x.events: not a regular file"
[ "$peak" -lt 65536 ] || fail "/dev/zero: peak RSS $peak KiB"
if [ -x "$UP" ] && [ -w "$T/uprobe_events" ]; then
	python3 - "$UP" "$tmp/sparse" <<'EOF' || exit 99
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
shoff, = struct.unpack_from("<Q", data, 0x28)
shentsize, shnum = struct.unpack_from("<HH", data, 0x3a)
for i in range(shnum):
    at = shoff + i * shentsize
    if struct.unpack_from("<I", data, at + 4)[0] == 2:       # SHT_SYMTAB
        link = struct.unpack_from("<I", data, at + 40)[0]
        st = shoff + link * shentsize
        off = struct.unpack_from("<Q", data, st + 24)[0]
        struct.pack_into("<Q", data, st + 32, 3 << 29)       # 1.5 GiB
        with open(sys.argv[2], "wb") as f:
            f.write(data)
            f.truncate(max(len(data), off + (3 << 29)))
        break
else:
    sys.exit(1)
EOF
	bounded sparse 20 "$LDEN" notify -t 1 "count(uprobe($tmp/sparse:no_such_function)) > 1"
	refused sparse "an ELF file with a 1.5 GiB string table" "no function 'no_such_function'"
	[ "$peak" -lt 65536 ] || fail "sparse ELF: peak RSS $peak KiB"
	echo "  (peak RSS $peak KiB)"
	# \v in a path: the kernel would split the definition there
	vt=$(printf '\v')
	ln "$UP" "$tmp/up${vt}x"
	bounded vt 10 "$LDEN" notify -t 1 "count(uprobe($tmp/up${vt}x:lden_uprobe_target_fn)) > 1"
	refused vt "\\v in a uprobe path" "white space or a control character in the path"
fi

# 4. Long chains under a 2 MiB stack (systemd and containers give less
# than the 8 MiB of a shell)
chain() {
	python3 -c 'import sys; print("count(task.create) > 0" + "+1" * int(sys.argv[1]))' "$1"
}
bounded chain60k 20 sh -c 'ulimit -s 2048 && exec "$@"' sh \
	"$LDEN" notify -t 1 "$(chain 60000)"
refused chain60k "60,000 terms" "expression too long (more than 65536 bytes)"
bounded chain20k 20 sh -c 'ulimit -s 2048 && exec "$@"' sh \
	"$LDEN" notify -t 1 "$(chain 20000)"
refused chain20k "20,000 terms" "expression too long: more than 999 operators in a chain"

# 5. An expression that begins with '-' is the expression
bounded dash 20 "$LDEN" notify -t 10 '-count(task.create) < 1'
[ "$rc" = 0 ] || fail "dash: exit $rc, want 0 (true at once): $(cat "$tmp/dash.err")"
grep -q '^lden: condition true after' "$tmp/dash.out" || fail "dash: did not fire"
echo "ok: '-count(task.create) < 1' is an expression, true at once"

# 6. Control bytes are never sent to the terminal as they are
esc=$(printf '\033')
bounded esc 10 "$LDEN" notify -t 1 "count(task.create) > 1${esc}[31m"
refused esc "ESC in the expression" "control character 0x1b in the expression"
grep -q "$esc" "$tmp/esc.err" && fail "esc: a raw ESC on stderr"
mkdir "$tmp/esc-ev"
printf 'event a.b\n\tdescribe\tred %s[31m\n\ttracepoint\tsched:sched_switch\n' "$esc" \
	>"$tmp/esc-ev/x.events"
bounded esc-cat 10 "$LDEN" list-events -d "$tmp/esc-ev"
refused esc-cat "ESC in a catalog file" "x.events:2: control character 0x1b"
grep -q "$esc" "$tmp/esc-cat.err" && fail "esc-cat: a raw ESC on stderr"
bounded esc-dir 10 "$LDEN" notify -t 1 -d "$tmp/${esc}[31m" 'count(task.create) > 1'
refused esc-dir "ESC in a path" 'x1b\[31m'
grep -q "$esc" "$tmp/esc-dir.err" && fail "esc-dir: a raw ESC on stderr"

# 6b. Bytes that are not UTF-8, and controls, in an expression, an event
# name, a --comm value, a --script and a rules line: shown as \xNN (the
# 0xff went out raw), every line of stderr printable UTF-8, the caret
# under the column at fault once escaped
printable() {
	python3 - "$tmp/$1.err" <<'PYEOF' || fail "$1: stderr is not printable UTF-8: $(od -c "$tmp/$1.err" | head -n 5)"
import sys
text = open(sys.argv[1], 'rb').read().decode('utf-8')
sys.exit(any(ord(c) < 0x20 and c != '\n' or 0x7f <= ord(c) <= 0x9f for c in text))
PYEOF
}
bounded bytes 10 "$LDEN" notify -t 1 "$(printf 'count(task.cr\377eate%s[31m) > 1' "$esc")"
refused bytes "0xff and ESC in the expression" "control character 0x1b in the expression"
printable bytes
printf '%s\n' 'lden: control character 0x1b in the expression' \
	'  count(task.cr\xffeate\x1b[31m) > 1' \
	'                       ^~~~' >"$tmp/bytes.want"
cmp -s "$tmp/bytes.want" "$tmp/bytes.err" ||
	fail "bytes: stderr is not the escaped expression and its caret: $(cat "$tmp/bytes.err")"
bounded bytes-ev 10 "$LDEN" trace -t 1 "$(printf 'task.cr\377eate')"
refused bytes-ev "0xff in an event name" 'found byte 0xff (not UTF-8)'
printable bytes-ev
bounded bytes-comm 10 "$LDEN" top -t 1 --comm "$(printf 'a\377b%s' "$esc")" task.create
refused bytes-comm "0xff in a --comm value" "invalid --comm value 'a\\\\xffb\\\\x1b'"
printable bytes-comm
printf 'rule x\n  when count(task.cr\377eate) > 1\n' >"$tmp/bytes.rules"
bounded bytes-rules 10 "$LDEN" watch --check --rules "$tmp/bytes.rules"
refused bytes-rules "0xff in a rules line" 'bytes.rules:2: .*0xff'
printable bytes-rules
printf '%s\n' '    when count(task.cr\xffeate) > 1' \
	'                      ^~~~' >"$tmp/bytes-rules.want"
tail -n 2 "$tmp/bytes-rules.err" | cmp -s "$tmp/bytes-rules.want" - ||
	fail "bytes-rules: not the escaped line and its caret: $(cat "$tmp/bytes-rules.err")"
bounded bytes-script 10 "$LDEN" notify -t 0.2 --script "$(printf '/x\377%s' "$esc")" \
	'count(task.create) > 1e18'
[ "$rc" = 1 ] || fail "bytes-script: exit $rc, want 1: $(cat "$tmp/bytes-script.err")"
printable bytes-script
grep -qF 'then runs: /x\xff\x1b' "$tmp/bytes-script.out" ||
	fail "bytes-script: the script not shown escaped: $(od -c "$tmp/bytes-script.out" | head -n 5)"

# 7. 100,000 catalog events load in a moment (they took 39 s here)
mkdir "$tmp/many"
python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    for i in range(100000):
        f.write("event e%d.n%d\n\tdescribe\tx\n\ttracepoint\tsched:sched_switch\n" % (i, i))
' "$tmp/many/many.events"
bounded many 10 "$LDEN" list-events --names -d "$tmp/many"
[ "$rc" = 0 ] || fail "100,000 events: exit $rc"
[ "$(grep -c '^e[0-9]*\.n[0-9]*$' "$tmp/many.out")" = 100000 ] ||
	fail "100,000 events: not all listed"
echo "ok: 100,000 catalog events listed within 10 s"

# 8. Durations, intervals and counts are decimal numbers: strtod() and
# strtol() took '-t 0x10' as 16 s, and 1e1, ' 1', '+1', 'nan' (as 0)
n=0
while IFS='|' read -r want args; do
	n=$((n + 1))
	eval "set -- $args"
	bounded num$n 10 "$LDEN" "$@"
	drop_sweep "$tmp/num$n.err"
	refused num$n "lden $args" "^lden: [a-z-]*: invalid $want \(value \)*'"
	[ "$(wc -l <"$tmp/num$n.err")" = 1 ] || fail "lden $args: more than one line"
done <<'EOF'
--time|trace exec -t 0x10
--time|trace exec -t 1e1
--time|trace exec -t ' 1'
--time|trace exec -t +1
--time|trace exec -t nan
--time|trace exec -t 1s
--duration|io --duration 0x10
--time|io -t 0x10
--interval|top task.create -i 0x1
--rows|top task.create -n ' 3'
--rows|top task.create -n 0x3
--time|notify -t 0x10 'count(task.create) > 1'
--interval|notify -i 0x64 'count(task.create) > 1'
--cooldown|notify --repeat -c 1e1 'count(task.create) > 1'
--interval|watch -i 0x10
--resend|watch --resend 1e3
--action-timeout|watch --action-timeout ' 1'
--action-queue|watch --action-queue 1.5
--interval|visualize -i 0x1
--port|visualize --port 0x50
--max-cpu|trace exec --max-cpu 0x10
--max-rate|trace exec --max-rate ' 5'
--pid|trace exec -p +1
--netns|trace exec --netns ' -5'
EOF
# the environment's too: strtoul() took LDEN_KRETPROBE_MAXACTIVE=-1 as
# 4096, and ignored 0x10 silently
for v in 0x10 -1 5000 ' 5' +5 0; do
	n=$((n + 1))
	LDEN_KRETPROBE_MAXACTIVE=$v bounded num$n 10 "$LDEN" trace exec -t 1
	refused num$n "LDEN_KRETPROBE_MAXACTIVE='$v' lden trace exec" \
		"^lden: trace: invalid LDEN_KRETPROBE_MAXACTIVE '$v' (expected 1 to 4096)$"
	[ "$(wc -l <"$tmp/num$n.err")" = 1 ] || fail "LDEN_KRETPROBE_MAXACTIVE='$v': more than one line"
done
# and decimals as documented still are numbers
bounded numok 20 "$LDEN" notify -t .3 -i 50.5 'count(task.create) > 1e9'
[ "$rc" = 1 ] && grep -q 'condition not met within 0.3 s' "$tmp/numok.out" ||
	fail "notify -t .3 -i 50.5: exit $rc, want 1 and 'not met within 0.3 s'"
echo "ok: -t .3 -i 50.5 taken"

# 9. Event names: one that looks like a path is an invalid name, said as
# such ("expected ')' after the event, found '/'" before); ftrace's own
# records (events/ftrace/function has an id but no 'enable') are not
# tracepoints: ftrace:function, a hook on every kernel function, was
# refused here (the kernel allows no function hooks) as "a security
# module or lockdown refuses it", ftrace:print counted 0 whatever
# trace_marker was written
n=0
while IFS='|' read -r want args; do
	n=$((n + 1))
	eval "set -- $args"
	bounded ev$n 10 "$LDEN" "$@"
	drop_sweep "$tmp/ev$n.err"
	refused ev$n "lden $args" "$want"
	[ "$(wc -l <"$tmp/ev$n.err")" = 1 ] || fail "lden $args: more than one line"
done <<'EOF'
^lden: trace: invalid tracepoint 'sched:x/../y': '/' cannot be in it|trace 'sched:x/../y' -t 1
^lden: top: invalid event name 'task.create/..': '/' cannot be in it|top 'task.create/..' -t 1
EOF
for e in function print; do
	[ -r "$T/events/ftrace/$e/id" ] && [ ! -e "$T/events/ftrace/$e/enable" ] || continue
	for c in trace top; do
		n=$((n + 1))
		bounded ev$n 10 "$LDEN" $c "ftrace:$e" -t 1
		drop_sweep "$tmp/ev$n.err"
		refused ev$n "lden $c ftrace:$e" "^lden: $c: 'ftrace:$e' is not a tracepoint but a record ftrace writes into its own buffer"
		[ "$(wc -l <"$tmp/ev$n.err")" = 1 ] || fail "lden $c ftrace:$e: more than one line"
	done
done

# 10. Numbers and events files at their limits: each refused in one line
# with exit 2 before anything is attached.  A literal past 2^64 ('2^64 +
# 1' is 2^64 as a double: the old code took it as 2^64) and a size that
# passes 2^64 for every record ('18446744073709551615 * 2' was summed as
# 2^64 - 2 a record) were accepted; the others held already and are kept
# so: a size literal past 2^64, 5,000 nested parentheses in a size and in
# an expression, NUL bytes in an events file, a 1 MiB line (its message
# cut, not 1 MiB long)
lim() {
	mkdir -p "$tmp/lim$1"
	printf 'event my.x\n\tdescribe\txs\n\ttracepoint\tsyscalls:sys_enter_close\n\tsize\t\t%s\n' \
		"$2" >"$tmp/lim$1/x.events"
}
lim 1 '18446744073709551615 * 2'
lim 2 'fd * 0 + 99999999999999999999999'
lim 3 "$(python3 -c 'print("(" * 5000 + "fd" + ")" * 5000)')"
mkdir "$tmp/lim4" "$tmp/lim5"
printf 'event my.x\n\tdescribe\tx\0y\n\ttracepoint\tsyscalls:sys_enter_close\n' \
	>"$tmp/lim4/x.events"
python3 -c 'import sys; sys.stdout.write("x" * (1 << 20) + "\n")' \
	>"$tmp/lim5/x.events"
deep=$(python3 -c 'print("(" * 5000 + "count(task.create)" + ")" * 5000 + " > 1")')
n=0
while IFS='|' read -r want args; do
	n=$((n + 1))
	eval "set -- $args"
	bounded lim$n 10 "$LDEN" "$@"
	drop_sweep "$tmp/lim$n.err"
	refused lim$n "lden $(printf '%.60s' "$args")" "$want"
	[ "$(grep -c '^lden: ' "$tmp/lim$n.err")" = 1 ] ||
		fail "lden $args: not one error line"
	[ "$(wc -c <"$tmp/lim$n.err")" -lt 4096 ] ||
		fail "lden $args: an error of $(wc -c <"$tmp/lim$n.err") bytes"
done <<'EOF'
number too large '18446744073709551617' (the largest is 2^64)|notify -t 1 'count(task.create) > 18446744073709551617'
number too large '18446744073709551616k'|notify -t 1 'count(task.create) > 18446744073709551616k'
lim1/x.events:4: size '18446744073709551615 \* 2' on syscalls:sys_enter_close passes 2^64 for every record|notify -t 1 -d "$tmp/lim1" 'size(my.x) > 1'
lim2/x.events:4: bad size expression .*number too large|notify -t 1 -d "$tmp/lim2" 'size(my.x) > 1'
lim3/x.events:4: bad size expression .*too many parentheses|notify -t 1 -d "$tmp/lim3" 'size(my.x) > 1'
too deeply nested|notify -t 1 "$deep"
lim4/x.events: not a text file|notify -t 1 -d "$tmp/lim4" 'count(my.x) > 1'
lim5/x.events:1: unknown keyword 'xxxx|list-events -d "$tmp/lim5"
EOF
# 2^64 itself is the largest number, and stays one
bounded lim-max 10 "$LDEN" notify -t 0.2 'count(task.create) > 18446744073709551616'
[ "$rc" = 1 ] || fail "'> 18446744073709551616': exit $rc, want 1: $(cat "$tmp/lim-max.err")"

grep -q "$tmp" "$T/uprobe_events" && fail "a probe on a file of this test is left"
echo "PASS: hostile input refused quickly, one line each, no probe left"
