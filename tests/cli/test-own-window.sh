#!/bin/sh
# A sampled event's counting twin (the overhead guard's, on by default)
# and its records start and stop together: a hit between the two would be
# counted and not recorded, and said lost.  lden's own openat calls are
# the witness: an event on sys_enter_openat kept to lden's own process by
# a filter on its comm (lden run as a copy with a name of its own, so
# nothing else on the machine matches), sized 1 a record.  On each ring,
# notify with its defaults (the guard on, so a twin), stopped once it
# watches: COUNT = SIZE (>= 1 on the ftrace ring, where lden opens its
# tracing_on to stop it), and no LOST column.  Old code, on the
# ftrace ring: the events were enabled after the twins, by an openat of
# each one's enable file, so 3 counted, 2 sized and "1*" lost (the
# footnote blaming the ring), every run; with memory.alloc, 5-10 lost
# a run on an idle machine.
set -u
. "$top_srcdir/tests/cli/lib.sh"
live_tmp
need_syscall_tp sys_enter_openat

name=ldw$$
cp "$top_builddir/src/lden" "$tmp/$name" || fail "cannot copy lden"
LDEN="$tmp/$name"
mkdir "$tmp/ev"
printf 'event own.open\n\tdescribe\tlden'"'"'s own openat\n\ttracepoint\tsyscalls:sys_enter_openat if comm == "%s"\n\tsize\t\tflags * 0 + 1\n' \
	"$name" >"$tmp/ev/own.events"

for ring in ftrace perf; do
	lden_bg "$ring" '^lden: watching ' notify "size(own.open) > 1e18" \
		--events-dir "$tmp/ev" --ring "$ring"
	grep -q "own.open .*$ring ring" "$tmp/$ring.out" ||
		fail "$ring: not sampled on the $ring ring"
	kill -INT $l
	join $l
	[ "$rc" -eq 130 ] || [ "$rc" -eq 0 ] || fail "$ring: exit status $rc"
	grep -q 'LOST' "$tmp/$ring.out" &&
		fail "$ring: hits said lost where none was"
	set -- $(notify_row "$tmp/$ring.out" own.open)
	[ $# -eq 2 ] || fail "$ring: no row for own.open"
	# on the ftrace ring, at least the stop's open of tracing_on
	[ "$ring" = perf ] || [ "$1" -ge 1 ] ||
		fail "$ring: lden's own opens not counted ($1)"
	[ "$1" = "$2" ] || fail "$ring: count $1, size $2"
	echo "ok: $ring ring: count $1 = size $2, none said lost"
done
