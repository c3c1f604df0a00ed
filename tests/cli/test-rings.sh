#!/bin/sh
# Which path each sized event takes, and that every path gives the same,
# exact numbers: read-burst makes N reads of 4093 bytes (guard.read, size
# = the bytes asked for); notify watches size(guard.read[common_pid ==
# its pid]) system-wide, so the filter keeps the rest of the machine out:
# - --ring auto and --ring ftrace: the ftrace ring of lden's instance
#   (the header says so), count N, size N x 4093, nothing lost; the
#   instance exists while notify runs and is gone after;
# - --ring perf: the same numbers through the perf ring;
# - per process (-p): the perf ring, and --ring ftrace with -p is a
#   usage error naming the reason, leaving nothing behind;
# - --ring with a bad value is a usage error;
# - --ring ftrace -- CMD where sched_process_exit has no group_dead
#   (before 6.16; LDEN_TEST_NO_GROUP_DEAD stands in): one line naming
#   that limit (it named the first event opened, syscalls:sys_enter_open),
#   nothing left; --ring auto then takes the perf ring, saying why;
# - a scoped run (-- CMD) maps 4 MiB perf rings on up to 8 CPUs;
# - list-events --verbose says how each event's size is read here.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_read_burst
LDEN="$top_builddir/src/lden"
test_tmp

N=20000
# lden's tracefs objects: lden_<pidns inode>_<pid>
NS=$(stat -L -c %i /proc/self/ns/pid)

# run NAME RING: notify on one burst, through RING; checks the numbers
run() {
	burst "$1" $N
	notify_bg "$1" "size(guard.read[common_pid == $w]) >= $((N * SIZE))" \
		-d "$EVENTS" -t 60 --max-cpu 0 --ring "$2"
	inst="lden_${NS}_$n"
	case $2 in
	perf) [ -d "$T/instances/$inst" ] && fail "$1: an instance for --ring perf" ;;
	*) [ -d "$T/instances/$inst" ] || fail "$1: no instance $inst while notify runs" ;;
	esac
	release "$tmp/$1.go"
	join "$w"
	[ "$rc" = 0 ] || fail "$1: read-burst failed"
	join "$n"
	[ "$rc" = 0 ] || fail "$1: notify exit status $rc, want 0 (fired)"
	[ -d "$T/instances/$inst" ] && fail "$1: instance $inst left behind"
	# the table's row: COUNT SIZE SPEED [LOST]
	set -- "$1" $(awk -v l="guard.read[common_pid\\\\x20==\\\\x20$w]" 'index($0, l " ") == 1 {
		print substr($0, length(l) + 1); exit }' "$tmp/$1.out")
	[ "${2:-}" = $N ] && [ "${3:-}" = $((N * SIZE)) ] && [ -z "${5:-}" ] ||
		fail "$1: count '${2:-}' size '${3:-}' lost '${5:-}', want $N, $((N * SIZE)), none"
}

run auto auto
grep -q "^  guard\.read\[common_pid\\\\x20==\\\\x20$w\]  *tracepoint syscalls:sys_enter_read (sampling, for size: ftrace ring, $(ftrace_reader) (system-wide))\$" "$tmp/auto.out" ||
	fail "auto: header: $(grep sys_enter_read "$tmp/auto.out")"
echo "PASS: --ring auto: the ftrace ring, count $N, size $((N * SIZE)), the instance removed"

run ftrace ftrace
grep -q "(sampling, for size: ftrace ring, $(ftrace_reader) (asked for))\$" "$tmp/ftrace.out" ||
	fail "ftrace: header: $(grep sys_enter_read "$tmp/ftrace.out")"
run perf perf
grep -q "(sampling, for size: perf ring (asked for))\$" "$tmp/perf.out" ||
	fail "perf: header: $(grep sys_enter_read "$tmp/perf.out")"
echo "PASS: --ring ftrace and --ring perf: the same exact count and size"

# per process: the perf ring counts and samples the process alike
"$LDEN" notify "size(guard.read) > 1" -d "$EVENTS" -t 0.2 -p $$ >"$tmp/pid.out" 2>&1
grep -q "(sampling, for size: perf ring (per task: .*))\$" "$tmp/pid.out" ||
	fail "per process: header: $(grep sys_enter_read "$tmp/pid.out")"
"$LDEN" notify "size(guard.read) > 1" -d "$EVENTS" -t 5 -p $$ --ring ftrace \
	>"$tmp/pidf.out" 2>"$tmp/pidf.err"
rc=$?
[ $rc = 2 ] || fail "--ring ftrace -p: exit status $rc, want 2"
grep -q "^lden: guard.read: cannot sample syscalls:sys_enter_read through the ftrace ring: per task: " "$tmp/pidf.err" ||
	fail "--ring ftrace -p: $(head -1 "$tmp/pidf.err")"
"$LDEN" notify "count(sys.kill) > 1" --ring ftrace2 -t 1 2>"$tmp/bad.err"
rc=$?
[ $rc = 2 ] && [ "$(cat "$tmp/bad.err")" = "lden: notify: invalid --ring value 'ftrace2' (expected auto, ftrace or perf)" ] ||
	fail "--ring ftrace2: exit $rc, '$(cat "$tmp/bad.err")'"
echo "PASS: per process the perf ring; --ring ftrace there, or a bad --ring, is a usage error"

# a scoped run's perf rings: 4 MiB a CPU on up to 8 CPUs (a process flat
# out overran 2 MiB on a loaded machine), one a CPU; the command, run once
# everything is attached, lists lden's perf mappings
ncpu=$(getconf _NPROCESSORS_ONLN)
pg=$(getconf PAGESIZE)
"$LDEN" notify "size(guard.read) > 1e18" -d "$EVENTS" -t 60 --max-cpu 0 -- \
	sh -c 'grep "perf_event" /proc/$PPID/maps | while read -r r rest; do
		echo $(( (0x${r#*-} - 0x${r%-*}) / '"$pg"' - 1 )); done' \
	>"$tmp/maps.out" 2>"$tmp/maps.err"
rc=$?
# 1: the command exited, the condition not met
[ $rc = 1 ] || fail "scoped rings: notify exit status $rc, want 1: $(cat "$tmp/maps.err")"
want=512
[ "$ncpu" -le 8 ] && want=1024
[ "$(grep -cx "$want" "$tmp/maps.out")" = "$ncpu" ] && [ "$(grep -cx '[0-9]*' "$tmp/maps.out")" = "$ncpu" ] ||
	fail "scoped rings: want $ncpu rings of $want pages, got: $(tr '\n' ' ' <"$tmp/maps.out")"
echo "PASS: a scoped run's perf rings: $ncpu of $want pages"

# list-events --verbose: how sizes are read on this kernel
"$LDEN" list-events --verbose >"$tmp/list.out" || fail "list-events --verbose failed"
if grep -q 'hist:keys=' "$T/README"; then
	want="    size: summed in the kernel by a hist trigger (sum of bytes_req)"
else
	want="    size: sampled through the ftrace ring of lden's instance, $(ftrace_reader) (no hist triggers here: CONFIG_HIST_TRIGGERS)"
fi
awk '/^memory\.alloc /{f=1; next} /^[a-z]/{f=0} f' "$tmp/list.out" | grep -qxF "$want" ||
	fail "list-events: memory.alloc does not say '$want'"
awk '/^disk\.read /{f=1; next} /^[a-z]/{f=0} f' "$tmp/list.out" |
	grep -q '^    size with disk.write: one of the two sampled through the ' ||
	fail "list-events: disk.read does not say it shares its tracepoint"
awk '/^task\.create /{f=1; next} /^[a-z]/{f=0} f' "$tmp/list.out" |
	grep -qx '    counted by the kernel (a perf counter per CPU)' ||
	fail "list-events: task.create is not said to be counted"
echo "PASS: list-events --verbose says how sizes are read here"

# --ring ftrace -- CMD without group_dead: the ring's limit, no event
LDEN_TEST_NO_GROUP_DEAD=1 "$LDEN" trace --ring ftrace syscalls:sys_enter_openat \
	-- /bin/true >"$tmp/gd.out" 2>"$tmp/gd.err"
rc=$?
[ "$rc" = 1 ] && [ "$(wc -l <"$tmp/gd.err")" = 1 ] && [ ! -s "$tmp/gd.out" ] &&
	grep -q '^lden: the ftrace ring cannot follow a command on this kernel: sched:sched_process_exit has no group_dead (Linux 6.16+)' "$tmp/gd.err" &&
	! grep -q 'sys_enter' "$tmp/gd.err" ||
	fail "--ring ftrace -- CMD without group_dead: exit $rc: $(cat "$tmp/gd.err")"
LDEN_TEST_NO_GROUP_DEAD=1 "$LDEN" io -- /bin/true >"$tmp/gd2.out" 2>"$tmp/gd2.err" ||
	fail "--ring auto -- CMD without group_dead: exit $?: $(cat "$tmp/gd2.err")"
grep -q 'perf ring (the ftrace ring cannot follow a command on this kernel: sched:sched_process_exit has no group_dead' "$tmp/gd2.err" ||
	fail "--ring auto -- CMD without group_dead: the perf ring not said, or not why: $(cat "$tmp/gd2.err")"
echo "PASS: --ring ftrace -- CMD without group_dead names the ring's limit; auto takes the perf ring"
