#!/bin/sh
# The overhead guard in lden visualize: a sized event above --max-rate is
# switched to counting, said once on stderr; its JSON lines then say
# "size_valid":false; the count stays exact; the end object has "guard"
# and "self"; bad values exit 2; no limit, no message.
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_cmd jq
need_read_burst
LDEN="$top_builddir/src/lden"
test_tmp

# run_burst N RATEOPT...: read-burst N reads, visualize scoped to it
run_burst() {
	burst go "$1"
	shift
	# the header of an earlier run must not pass for this one's: the
	# shell truncates the files only once it has forked lden, and
	# wait_for may read them before (the workload was then released
	# before lden attached: 335 of 20000 counted, none lost, in CI)
	rm -f "$tmp/out" "$tmp/err"
	"$LDEN" visualize -d "$EVENTS" -e guard.read --no-dashboard -o json \
		-i 0.2 -t 120 --pid "$w" "$@" >"$tmp/out" 2>"$tmp/err" &
	tracer=$!
	started $tracer
	wait_for "$tmp/err" 'json: one line' || fail "no header"
	release "$tmp/go.go"
	join "$w"
	[ "$rc" = 0 ] || fail "read-burst failed"
	stop "$tracer"; reaped "$tracer"
	[ "$rc" = 0 ] || fail "visualize exited $rc"
}

N=3000000
run_burst $N --max-rate 50000
[ "$(grep -c '^lden: guard:' "$tmp/err")" = 1 ] || fail "the guard did not speak exactly once: $(cat "$tmp/err")"
grep -q "^lden: guard: 'guard.read' sampled at [0-9]* events/s (limit 50000)" "$tmp/err" ||
	fail "unexpected message: $(grep guard: "$tmp/err")"
end=$(tail -n 1 "$tmp/out")
[ "$(jqv "$tmp/out" '.events[0].count_total')" = $N ] || fail "count not exact: $end"
[ "$(jqv "$tmp/out" '.guard | length')" = 1 ] || fail "no guard action in the end object: $end"
[ "$(jqv "$tmp/out" '.guard[0].event')" = guard.read ] || fail "guard action: $end"
[ "$(jqv "$tmp/out" '.self.max_rate')" = 50000 ] || fail "self: $end"
last=$(grep '"event":"guard.read"' "$tmp/out" | grep -v '"type"' | tail -n 1)
[ "$(echo "$last" | jq -r '.size_valid')" = false ] || fail "last line lacks size_valid:false: $last"
[ "$(echo "$last" | jq -r '.mode')" = counting ] || fail "last line not counting: $last"
[ "$(echo "$last" | jq -r 'has("size")')" = false ] || fail "interval size still sent: $last"
first=$(grep '"event":"guard.read"' "$tmp/out" | head -n 1)
[ "$(echo "$first" | jq -r 'has("size_valid")')" = false ] || fail "size_valid before the switch: $first"

# no limit: no message, sizes exact
N=20000
run_burst $N
grep -q 'guard:' "$tmp/err" && fail "the guard spoke without a limit"
end=$(tail -n 1 "$tmp/out")
[ "$(jqv "$tmp/out" '.events[0].count_total')" = $N ] || fail "no limit: count: $end"
# every read sized, or said lost (a sample the kernel counted and dropped)
lost=$(jqv "$tmp/out" '.events[0].lost')
[ "$(jqv "$tmp/out" '.events[0].size_total')" = $(((N - lost) * SIZE)) ] ||
	fail "no limit: size not that of the reads less the $lost lost: $end"
[ "$(jqv "$tmp/out" '.guard | length')" = 0 ] || fail "no limit: guard acted: $end"

# bad values
for bad in "--max-rate 0x" "--max-rate -1" "--max-cpu abc" "--max-cpu 1000"; do
	"$LDEN" visualize -d "$EVENTS" -e guard.read --no-dashboard -o json $bad \
		-t 1 >"$tmp/o" 2>"$tmp/e"; rc=$?
	[ "$rc" = 2 ] || fail "'$bad': exit $rc, want 2"
	grep -q '^lden: visualize: ' "$tmp/e" || fail "'$bad': message: $(cat "$tmp/e")"
done
exit 0
