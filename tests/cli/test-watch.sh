#!/bin/sh
# lden watch against the live kernel (root), every rule's events counted
# only in the test's own workload (--pid PID --children):
#  1. --check: good files, malformed ones (exit 2, the file:line message,
#     the line and a caret; unknown events found with the catalog),
#     nothing attached;
#  2. a rule fires on a burst of forks and resolves after it (its
#     keep-firing-for bridging a burst that falters on a loaded machine);
#     a rule with 'for 60s' is held pending by the same burst and never
#     fires; the
#     exec action runs with the rule's LDEN_* environment; the journal
#     gets one structured entry per transition (journald's socket of the
#     test's own, in a mount namespace);
#  3. overlapping rules attach each event once: the perf events lden
#     holds for three rules over two events are those of one notify
#     over the two;
#  4. SIGHUP: an added rule starts (its event attached), a removed one
#     detaches, an unchanged firing rule keeps its state and does not
#     fire again; a reload with an error keeps the rules in force;
#  5. a webhook that never answers and one that refuses: the other
#     rules' actions and the transitions go on, the failures and the
#     drops are counted in the end object and in /metrics (promtool
#     checks it), /api/rules lists the rules;
#  6. a rule with a cgroup of its own counts the forks made in it only;
#  7. --web-config (TLS and basic auth, as visualize's): /metrics over
#     and the dashboard's /api/rules over https with the password only;
#     bad or pointless --web-config refused in one line, exit 2.
# Every transition says whether its counts are exact (a tracepoint's
# are: "count_exact":true, no "exactness" note; kretprobe misses are
# tested in the kernel matrix, test-network's watch_missed_returns).
set -u
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_cmd python3 jq curl openssl
LDEN="$top_builddir/src/lden"
RECV="$top_srcdir/tests/cli/recv.py"
SNAPSHOT="$top_srcdir/tests/kernel/state-snapshot.sh"
test_tmp

# snapshot: tracefs's dynamic events and instances, less those of other
# lden processes running now (other tests, other users of the machine):
# those whose owner holds their lock, or takes it or removes them within
# 3 s (state-snapshot.sh; a pid alone missed an lden exiting as it was
# read), and those of a pid that is alive
snapshot() {
	LDEN_SNAPSHOT_SKIP_LIVE=1 "$SNAPSHOT" | while IFS= read -r line; do
		p=$(printf '%s\n' "$line" | sed -n 's/.*lden_[0-9]*_\([0-9]*\).*/\1/p')
		if [ -n "$p" ] && [ -d "/proc/$p" ] && [ "$p" != "$$" ]; then
			continue
		fi
		printf '%s\n' "$line"
	done
}
# what lden processes that are gone left, swept now (any lden would sweep
# it during the test, which would look like a change)
"$LDEN" list-events >/dev/null 2>&1
snapshot > "$tmp/state.before" || exit 99

# the workload: N forks of /bin/true each time it reads "go"
cat > "$tmp/forker.sh" <<'EOF'
echo ready
while read cmd; do
	i=0
	while [ $i -lt "$1" ]; do /bin/true; i=$((i + 1)); done
	echo done
done
EOF

# watch_bg NAME ARGS...: lden watch --json ARGS in the background, its
# output in $tmp/NAME.out/.err, its pid in $n; returns once it started
watch_bg() {
	_name=$1
	shift
	"$LDEN" watch --json "$@" >"$tmp/$_name.out" 2>"$tmp/$_name.err" &
	n=$!
	started $n
	wait_for "$tmp/$_name.out" '"type":"start"' || fail "$_name: did not start"
}

# transitions FILE RULE: "from>state" of RULE's transitions, one a line
transitions() {
	jq -r --arg r "$2" 'select(.type == "transition" and .rule == $r) | .from + ">" + .state' "$1"
}

# perf_fds PID: the perf events a process holds
perf_fds() {
	ls -l "/proc/$1/fd" 2>/dev/null | grep -c 'perf_event'
}

# ---------------------------------------------------------------------
# 1. --check
cat > "$tmp/good.rules" <<'EOF'
rule forks
	when	speed(task.create) > 20
	labels	severity=page
EOF
"$LDEN" watch --check "$tmp/good.rules" > "$tmp/check.out" 2>&1 ||
	fail "--check of a good file: $(cat "$tmp/check.out")"
[ "$(cat "$tmp/check.out")" = "lden: 1 rule checked: no error" ] ||
	fail "--check said: $(cat "$tmp/check.out")"

# an empty path is named as such, with its option ('lden: : No such
# file or directory' before)
empty_path() {
	_o=$1
	shift
	"$LDEN" watch "$@" >"$tmp/empty.out" 2>"$tmp/empty.err"
	rc=$?
	drop_sweep "$tmp/empty.err"
	[ $rc = 2 ] && [ ! -s "$tmp/empty.out" ] &&
		[ "$(wc -l <"$tmp/empty.err")" = 1 ] &&
		grep -q "^lden: watch: $_o needs .*empty$" "$tmp/empty.err" ||
		fail "watch $*: exit $rc, want 2 and one line naming $_o and the empty path"
}
empty_path --rules -r ''
empty_path --rules --rules=
empty_path --check --check ''

# check_bad NAME MESSAGE LINE CARET: the file $tmp/NAME.rules is refused
# with exactly these three lines on stderr, exit 2, nothing on stdout
check_bad() {
	"$LDEN" watch --check "$tmp/$1.rules" >"$tmp/bad.out" 2>"$tmp/bad.err"
	rc=$?
	[ $rc = 2 ] || fail "$1: exit $rc, not 2"
	[ -s "$tmp/bad.out" ] && fail "$1: output on stdout"
	printf '%s\n%s\n%s\n' "$2" "$3" "$4" > "$tmp/bad.want"
	cmp -s "$tmp/bad.want" "$tmp/bad.err" ||
		fail "$1: got $(cat "$tmp/bad.err"), want $(cat "$tmp/bad.want")"
}
printf 'rule a\n  when speed(task.creat) > 1\n' > "$tmp/unknown.rules"
check_bad unknown "lden: $tmp/unknown.rules:2: unknown event 'task.creat' (did you mean 'task.create'?)" \
	"    when speed(task.creat) > 1" "               ^~~~~~~~~~"
printf 'rule a\n  when count(x.y) > 1\n  annotation s {{ size(task.create) }}\n' > "$tmp/nosize.rules"
check_bad nosize "lden: $tmp/nosize.rules:2: unknown event 'x.y' (see 'lden list-events')" \
	"    when count(x.y) > 1" "               ^~~"
printf 'rule a\n  when count(task.exit) > 1\n  annotation s {{ size(task.create) }}\n' > "$tmp/nosize.rules"
check_bad nosize "lden: $tmp/nosize.rules:3: task.create has no size (it counts events only); use count() or speed()" \
	"    annotation s {{ size(task.create) }}" "                         ^~~~~~~~~~~"
printf 'rule a\n  when count(task.exit) > 1\n  for 5\n' > "$tmp/dur.rules"
check_bad dur "lden: $tmp/dur.rules:3: invalid duration '5' (expected a number and a unit: 500ms, 10s, 5m, 1h, 1d)" \
	"    for 5" "        ^"
# a file indented with tabs, as lden-rules(5) writes them: the line
# quoted with its tabs as spaces (no \x09), the caret under the event
printf 'rule a\n\twhen\tspeed(task.creat) > 1\n' > "$tmp/tabs.rules"
check_bad tabs "lden: $tmp/tabs.rules:2: unknown event 'task.creat' (did you mean 'task.create'?)" \
	"          when    speed(task.creat) > 1" "                        ^~~~~~~~~~"
# what attaching would refuse, --check refuses: a uprobe's function
# missing from its file, in the second rule, after a good first one
printf 'rule a\n\twhen count(task.create) > 1000\nrule b\n\twhen count(uprobe(/bin/true:lden_no_such_symbol)) > 1\n' > "$tmp/nosym.rules"
check_bad nosym "lden: $tmp/nosym.rules:4: uprobe(/bin/true:lden_no_such_symbol): no function 'lden_no_such_symbol' in '$(realpath /bin/true)'" \
	"          when count(uprobe(/bin/true:lden_no_such_symbol)) > 1" \
	"                     ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~"
"$LDEN" watch -r "$tmp/nosym.rules" >"$tmp/bad.out" 2>"$tmp/bad.err"
[ $? = 2 ] && [ "$(head -n 1 "$tmp/bad.err")" = "lden: $tmp/nosym.rules:4: uprobe(/bin/true:lden_no_such_symbol): no function 'lden_no_such_symbol' in '$(realpath /bin/true)'" ] ||
	fail "watch of nosym.rules: $(cat "$tmp/bad.err")"
# what attaching refuses, --check refuses too: a custom() function the
# kernel lacks, a rule's cgroup that is not there (both said "no error"
# to --check before, and failed only when lden watch attached)
printf 'rule a\n\twhen count(custom(lden_no_such_function)) > 1\n' > "$tmp/nofunc.rules"
check_bad nofunc "lden: $tmp/nofunc.rules:2: custom(lden_no_such_function): no kernel function 'lden_no_such_function' (not in /proc/kallsyms)" \
	"          when count(custom(lden_no_such_function)) > 1" \
	"                     ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~"
printf 'rule a\n\twhen count(task.create) > 1\n\tcgroup /sys/fs/cgroup/lden-no-such\377cg\n' > "$tmp/nocg.rules"
for how in --check -r; do
	"$LDEN" watch $how "$tmp/nocg.rules" >"$tmp/bad.out" 2>"$tmp/bad.err"
	rc=$?
	[ $rc = 2 ] && [ ! -s "$tmp/bad.out" ] &&
		[ "$(cat "$tmp/bad.err")" = "lden: $tmp/nocg.rules:3: rule 'a': cannot open cgroup '/sys/fs/cgroup/lden-no-such\\xffcg': No such file or directory" ] ||
		fail "watch $how of a rule with a missing cgroup: exit $rc, $(cat "$tmp/bad.err")"
done
# a FIFO is refused at once
mkfifo "$tmp/fifo.rules"
timeout 10 "$LDEN" watch --check "$tmp/fifo.rules" 2>"$tmp/bad.err"
rc=$?
[ $rc = 2 ] || fail "a FIFO: exit $rc"
[ "$(cat "$tmp/bad.err")" = "lden: $tmp/fifo.rules: not a regular file" ] ||
	fail "a FIFO: $(cat "$tmp/bad.err")"
rm "$tmp/fifo.rules"
# the same errors stop lden watch itself before anything is attached
"$LDEN" watch -r "$tmp/unknown.rules" >/dev/null 2>&1
[ $? = 2 ] || fail "watch of a bad file: not exit 2"
"$LDEN" watch -r "$tmp/none" 2>"$tmp/bad.err"
[ $? = 2 ] || fail "watch of a missing file: not exit 2"
[ "$(cat "$tmp/bad.err")" = "lden: $tmp/none: No such file or directory" ] ||
	fail "a missing file: $(cat "$tmp/bad.err")"
snapshot > "$tmp/state.check"
diff "$tmp/state.before" "$tmp/state.check" > "$tmp/state.diff" ||
	fail "--check left kernel state: $(cat "$tmp/state.diff")"
echo "ok 1: --check"

# ---------------------------------------------------------------------
# 2. fire, resolve, 'for', exec, the journal
workload forker sh "$tmp/forker.sh" 300
cat > "$tmp/fire.rules" <<EOF
rule forks
	describe	{{ speed(task.create) }} forks a second
	when		speed(task.create) > 5
	keep-firing-for	2s
	labels		severity=page
	annotation	total {{ count(task.create) }} forks
	action		exec env | grep '^LDEN_' | sort > $tmp/env.\$LDEN_STATE
	action		journal
rule slow
	when		speed(task.create) > 5
	for		60s
EOF
cat > "$tmp/journal.sh" <<EOF
mount -t tmpfs lden-test /run/systemd || exit 99
mkdir /run/systemd/journal
python3 "$RECV" journal /run/systemd/journal/socket "$tmp/journal.out" &
r=\$!
i=0
while [ ! -S /run/systemd/journal/socket ] && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i + 1)); done
"$LDEN" watch --json -i 100 -r "$tmp/fire.rules" --pid $wpid --children &
l=\$!
echo \$l > "$tmp/lden.pid"
wait \$l
s=\$?
kill \$r
exit \$s
EOF
unshare -m --propagation private sh "$tmp/journal.sh" >"$tmp/fire.out" 2>"$tmp/fire.err" &
n=$!
started $n
wait_for "$tmp/fire.out" '"type":"start"' || fail "fire: did not start"
# a speed is the last second's once lden is a second old (before, an
# average over less, marked: the firing below is asserted exact)
until_file "$tmp/lden.pid" && lden_second "$(cat "$tmp/lden.pid")" ||
	fail "fire: lden did not run"
release_workload forker
wait_for "$tmp/fire.out" '"rule":"forks","from":"firing","state":"resolved"' ||
	fail "forks did not resolve after the burst"
wait_for "$tmp/fire.out" '"rule":"slow","from":"pending","state":"inactive"' ||
	fail "slow did not go back to inactive"
wait_for "$tmp/env.resolved" 'LDEN_STATE=resolved' 5 || fail "no exec when resolved"
kill -TERM "$(cat "$tmp/lden.pid")"
join $n
[ $rc = 143 ] || fail "fire: exit $rc after SIGTERM"
[ "$(transitions "$tmp/fire.out" forks | head -2 | tr '\n' ' ')" = "inactive>firing firing>resolved " ] ||
	fail "forks went $(transitions "$tmp/fire.out" forks | tr '\n' ' ')"
# held pending by 'for' (more than once if the burst faltered), never fired
transitions "$tmp/fire.out" slow > "$tmp/slow.tr"
head -n 1 "$tmp/slow.tr" | grep -qx 'inactive>pending' &&
	tail -n 1 "$tmp/slow.tr" | grep -qx 'pending>inactive' &&
	! grep -q firing "$tmp/slow.tr" ||
	fail "slow went $(tr '\n' ' ' < "$tmp/slow.tr")"
# what fired says what it saw: 300 forks of the workload at most, and
# labels, annotations and the description with their values put in
jtrue "$tmp/fire.out" 'select(.type == "transition" and .rule == "forks" and .state == "firing") |
	.labels.severity == "page" and (.values[0].name == "task.create") and
	(.values[0].count > 5) and (.values[0].count <= 300) and
	(.annotations.total == "\(.values[0].count) forks") and
	(.describe | test("^[0-9]+ forks a second$")) and
	.values[0].missed == 0 and .values[0].count_exact == true and
	.count_exact == true and .size_exact == true and (has("exactness") | not) and
	(.annotations | has("exactness") | not)' ||
	fail "the firing object: $(grep '"state":"firing"' "$tmp/fire.out")"
count=$(jq -r 'select(.type == "end") | .rules[] | select(.rule == "forks") | .fired' "$tmp/fire.out")
[ "$count" = 1 ] || fail "forks fired $count times"
grep -qx 'LDEN_RULE=forks' "$tmp/env.firing" || fail "exec: no LDEN_RULE"
grep -qx 'LDEN_STATE=firing' "$tmp/env.firing" || fail "exec: no LDEN_STATE"
grep -qx 'LDEN_LABEL_SEVERITY=page' "$tmp/env.firing" || fail "exec: no label"
grep -q '^LDEN_TASK_CREATE_COUNT=[0-9]' "$tmp/env.firing" || fail "exec: no count"
grep -qx 'LDEN_FROM=firing' "$tmp/env.resolved" || fail "exec: resolved from"
grep -qx 'LDEN_TASK_CREATE_MISSED=0' "$tmp/env.firing" || fail "exec: no MISSED"
# the journal: one entry per transition of the rule that has it
jn=$(wc -l < "$tmp/journal.out")
tn=$(grep -c '"type":"transition".*"rule":"forks"' "$tmp/fire.out")
[ "$jn" = "$tn" ] || fail "the journal has $jn entries for $tn transitions"
jtrue "$tmp/journal.out" 'select(.STATE == "firing") | .RULE == "forks" and .FROM == "inactive" and
	.PRIORITY == "4" and .SYSLOG_IDENTIFIER == "lden" and .LABEL_SEVERITY == "page" and
	.COUNT_EXACT == "1" and .LDEN_TASK_CREATE_MISSED == "0" and (has("EXACTNESS") | not) and
	(.LDEN_TASK_CREATE_COUNT | tonumber > 5)' ||
	fail "journal: $(cat "$tmp/journal.out")"
exec 8>&-
echo "ok 2: fired, resolved, for held, exec and journal"

# ---------------------------------------------------------------------
# 3. each event once: three rules over two events, the fds of one notify
workload forker3 sh "$tmp/forker.sh" 1
cat > "$tmp/overlap.rules" <<'EOF'
rule a
	when speed(task.create) > 1000000
rule b
	when count(task.create) > 1000000 and speed(task.exit) > 1000000
rule c
	when count(task.exit) > 1000000
	annotation x {{ speed(task.create) }}
EOF
watch_bg overlap -r "$tmp/overlap.rules" --pid $wpid
wfds=$(perf_fds $n)
[ "$(jq -r 'select(.type == "start") | .events | length' "$tmp/overlap.out")" = 2 ] ||
	fail "overlap: not 2 events: $(head -1 "$tmp/overlap.out")"
"$LDEN" notify 'count(task.create) > 1000000 and count(task.exit) > 1000000' --pid $wpid >"$tmp/n.out" 2>&1 &
np=$!
started $np
wait_for "$tmp/n.out" '^lden: watching ' || fail "notify did not start"
nfds=$(perf_fds $np)
stop $np
reaped $np
[ "$wfds" -gt 0 ] && [ "$wfds" = "$nfds" ] ||
	fail "watch holds $wfds perf events for 3 rules, notify $nfds for the 2 events"
echo "  3 rules over 2 events: $wfds perf events, as notify"

# ---------------------------------------------------------------------
# 4. SIGHUP on the same lden: remove c (task.exit stays, through b), add
# d over a new event, b unchanged
cat > "$tmp/overlap.rules" <<'EOF'
rule a
	when speed(task.create) > 1000000
rule b
	when count(task.create) > 1000000 and speed(task.exit) > 1000000
rule d
	when count(sys.kill) > 1000000
EOF
kill -HUP $n
wait_for "$tmp/overlap.out" '"type":"reload"' || fail "no reload"
jtrue "$tmp/overlap.out" 'select(.type == "reload") | .rules == 3 and .added == 1 and .removed == 1 and .kept == 2 and .events == 3' || fail "reload: $(grep reload "$tmp/overlap.out")"
fds=$(perf_fds $n)
[ "$fds" -gt "$wfds" ] || fail "added sys.kill: $fds perf events, was $wfds"
# remove d: back to what it was
cat > "$tmp/overlap.rules" <<'EOF'
rule a
	when speed(task.create) > 1000000
rule b
	when count(task.create) > 1000000 and speed(task.exit) > 1000000
EOF
kill -HUP $n
until_lines "$tmp/overlap.out" '"type":"reload"' 2
[ "$(perf_fds $n)" = "$wfds" ] || fail "removed d: $(perf_fds $n) perf events, want $wfds"
# a bad file keeps the rules in force
echo 'rule broken' > "$tmp/overlap.rules"
kill -HUP $n
wait_for "$tmp/overlap.err" "reload: $tmp/overlap.rules:1: rule 'broken' has no 'when' line" ||
	fail "a bad reload said: $(cat "$tmp/overlap.err")"
[ "$(perf_fds $n)" = "$wfds" ] || fail "a bad reload changed the events"
stop $n
reaped $n
jtrue "$tmp/overlap.out" 'select(.type == "end") | [.rules[].rule] == ["a", "b"]' ||
	fail "after the bad reload: $(tail -1 "$tmp/overlap.out")"
exec 8>&-
echo "ok 3-4: each event once; reload adds, removes, keeps"

# an unchanged firing rule: still firing after a reload, not fired again
workload forker4 sh "$tmp/forker.sh" 100000
cat > "$tmp/keep.rules" <<'EOF'
rule busy
	when count(task.create) > 10
EOF
watch_bg keep -i 100 -r "$tmp/keep.rules" --pid $wpid --children
echo go >&8
wait_for "$tmp/keep.out" '"rule":"busy","from":"inactive","state":"firing"' || fail "busy did not fire"
printf 'rule other\n\twhen count(sys.kill) > 1000000\n' >> "$tmp/keep.rules"
kill -HUP $n
wait_for "$tmp/keep.out" '"type":"reload"' || fail "keep: no reload"
sleep 0.5
stop $n
reaped $n
kill $wpid 2>/dev/null
exec 8>&-
[ "$(transitions "$tmp/keep.out" busy | tr '\n' ' ')" = "inactive>firing " ] ||
	fail "busy after the reload: $(transitions "$tmp/keep.out" busy | tr '\n' ' ')"
jtrue "$tmp/keep.out" 'select(.type == "end") | .rules[] | select(.rule == "busy") | .state == "firing" and .fired == 1' || fail "busy: $(tail -1 "$tmp/keep.out")"
echo "ok 4: an unchanged firing rule kept its state"

# ---------------------------------------------------------------------
# 5. a webhook that never answers, one that refuses; exec goes on.  The
# first alert hangs for ever (the timeout is 600 s), the next two wait in
# the queue of 2, the last three find it full; at the end the one in
# flight is given up (failed) and the two queued are dropped.
python3 "$RECV" hang "$tmp/hang.port" &
started $!
i=0; while [ ! -s "$tmp/hang.port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
hport=$(cat "$tmp/hang.port") || fail "no hanging server"
rport=$(free_port)
workload forker5 sh "$tmp/forker.sh" 200
cat > "$tmp/hook.rules" <<EOF
rule hooked
	when speed(task.create) > 5
	keep-firing-for 2s
	action webhook http://127.0.0.1:$hport/hook
	action webhook http://127.0.0.1:$rport/refused
rule counted
	when speed(task.create) > 5
	keep-firing-for 2s
	action exec echo \$LDEN_STATE >> $tmp/ran
EOF
mport=$(free_port)
watch_bg hook -i 100 -r "$tmp/hook.rules" --pid $wpid --children \
	--action-timeout 600 --action-queue 2 --prometheus "127.0.0.1:$mport"
for burst in 1 2 3; do
	release_workload forker5
	until_lines "$tmp/hook.out" '"rule":"counted","from":"firing","state":"resolved"' $burst
done
# every firing and resolution of the other rule ran, while the hanging
# webhook held its first request
until_lines "$tmp/ran" . 6
[ "$(grep -c . "$tmp/ran")" = 6 ] || fail "exec ran $(grep -c . "$tmp/ran") times, not 6"
curl -s "http://127.0.0.1:$mport/metrics" > "$tmp/metrics.txt" || fail "no /metrics"
grep -q "^lden_action_dropped_total{action=\"webhook\",target=\"http://127.0.0.1:$hport/hook\",host=\"[^\"]*\"} [1-9]" "$tmp/metrics.txt" ||
	fail "/metrics counts no drop: $(grep lden_action "$tmp/metrics.txt")"
grep -q '^lden_rule_state{rule="counted",state="resolved",host="[^"]*"} 1$' "$tmp/metrics.txt" ||
	fail "/metrics: $(grep lden_rule_state "$tmp/metrics.txt")"
grep -q '^lden_rule_count_exact{rule="counted",host="[^"]*"} 1$' "$tmp/metrics.txt" &&
	grep -q '^lden_missed_events_total{event="task.create",host="[^"]*"} 0$' "$tmp/metrics.txt" ||
	fail "/metrics: exactness: $(grep -e count_exact -e missed "$tmp/metrics.txt")"
# a lost number others would add up says whether it is a shared ring's,
# and the host's total is there (a counted event: 0, not shared)
grep -q '^lden_lost_records_shared{event="task.create",host="[^"]*"} 0$' "$tmp/metrics.txt" &&
	grep -q '^lden_lost_records_all_total{host="[^"]*"} 0$' "$tmp/metrics.txt" ||
	fail "/metrics: lost: $(grep lden_lost "$tmp/metrics.txt")"
if command -v promtool >/dev/null; then
	promtool check metrics < "$tmp/metrics.txt" > "$tmp/promtool.out" 2>&1 ||
		fail "promtool: $(cat "$tmp/promtool.out")"
fi
# the dashboard's list of the rules, as JSON
curl -s "http://127.0.0.1:$mport/api/rules" > "$tmp/rules.json" || fail "no /api/rules"
jtrue "$tmp/rules.json" '[.rules[] | .name + " " + .state + " " + (.fired | tostring)] ==
	["hooked resolved 3", "counted resolved 3"] and .rules[1].values[0].name == "task.create" and
	.rules[1].values[0].missed == 0 and .rules[1].values[0].count_exact == true and .rules[1].count_exact == true' ||
	fail "/api/rules: $(cat "$tmp/rules.json")"
stop $n
reaped $n
exec 8>&-
jtrue "$tmp/hook.out" --arg h "http://127.0.0.1:$hport/hook" --arg r "http://127.0.0.1:$rport/refused" \
	'select(.type == "end") | .actions as $a |
	 ($a[] | select(.target == $h) | .sent == 0 and .failed == 1 and .dropped == 5) and
	 ($a[] | select(.target == $r) | .failed == 6 and .dropped == 0 and (.last_error | test("Failed to connect"))) and
	 ($a[] | select(.action == "exec") | .sent == 6 and .failed == 0 and .dropped == 0)' || fail "the end: $(tail -1 "$tmp/hook.out")"
echo "ok 5: a hanging and a refusing webhook: the rest went on, drops counted"

# ---------------------------------------------------------------------
# 6. a rule's own cgroup: its events counted there only, apart from the
# same event counted everywhere for another rule
root=/sys/fs/cgroup/unified
[ -d "$root" ] || root=/sys/fs/cgroup
if [ -f "$root/cgroup.procs" ] && grep -q cgroup2 /proc/mounts; then
	cg="$root/lden-test-watch-$$"
	mkdir "$cg" || fail "mkdir $cg"
	# its processes killed first, then the cgroup removed, whatever happens
	trap 'test_cleanup; rmdir "$cg" 2>/dev/null' EXIT
	mkfifo "$tmp/in.go" "$tmp/out.go"
	sh "$tmp/forker.sh" 20 < "$tmp/in.go" > "$tmp/in.tgt" &
	inw=$!
	started $inw
	sh "$tmp/forker.sh" 40 < "$tmp/out.go" > "$tmp/out.tgt" &
	outw=$!
	started $outw
	exec 7>"$tmp/in.go" 6>"$tmp/out.go"
	wait_for "$tmp/in.tgt" '^ready' && wait_for "$tmp/out.tgt" '^ready' ||
		fail "the cgroup's workloads did not start"
	echo "$inw" > "$cg/cgroup.procs" || fail "moving $inw into $cg"
	printf 'rule incg\n\twhen\tcount(task.create) > 1000000\n\tcgroup\t%s\n' "$cg" > "$tmp/cg.rules"
	printf 'rule all\n\twhen\tcount(task.create) > 1000000000\n' >> "$tmp/cg.rules"
	mport=$(free_port)
	# lden must not hold the workloads' FIFOs open: they end on EOF
	watch_bg cg -r "$tmp/cg.rules" --prometheus "127.0.0.1:$mport" 7>&- 6>&-
	jtrue "$tmp/cg.out" 'select(.type == "start") | .events | length == 2' ||
		fail "task.create is not attached twice: $(head -1 "$tmp/cg.out")"
	echo go >&7
	echo go >&6
	wait_for "$tmp/in.tgt" '^done' && wait_for "$tmp/out.tgt" '^done' ||
		fail "the cgroup's workloads did not finish"
	exec 7>&- 6>&-
	join $inw
	join $outw
	sleep 1.2	# a tick and a refresh of /api/rules (at most 1 s each)
	curl -s "http://127.0.0.1:$mport/api/rules" > "$tmp/cg.json"
	jtrue "$tmp/cg.json" '(.rules[] | select(.name == "incg") | .values[0].count == 20) and
		(.rules[] | select(.name == "all") | .values[0].count >= 60)' ||
		fail "the cgroup's counts: $(cat "$tmp/cg.json")"
	stop $n
	reaped $n
	rmdir "$cg"
	# a rule's cgroup and a scope for all do not go together
	"$LDEN" watch -r "$tmp/cg.rules" --pid $$ > /dev/null 2> "$tmp/cg.err"
	[ $? = 2 ] || fail "cgroup with --pid: not exit 2"
	[ "$(cat "$tmp/cg.err")" = "lden: $tmp/cg.rules:3: rule 'incg' has its own cgroup: not with --pid, --cgroup or -- CMD" ] ||
		fail "cgroup with --pid: $(cat "$tmp/cg.err")"
	echo "ok 6: a rule's own cgroup counted 20 of its forks, not the 40 outside"
else
	echo "SKIP 6: no cgroup v2 hierarchy"
fi

# ---------------------------------------------------------------------
# 7. --web-config: TLS and basic authentication, as visualize's
BH="$top_builddir/tests/cli/bcrypt-hash"
[ -x "$BH" ] || fail "$BH not built"
tls_cert 127.0.0.1
hash=$("$BH" 'w4tch pass') || fail "no bcrypt hash"
printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  ops: %s\n' \
	"'$hash'" > "$tmp/web.yml"
printf 'rule quiet\n\twhen count(task.create) > 1000000000\n' > "$tmp/web.rules"
mport=$(free_port)
dport=$(free_port)
watch_bg web -r "$tmp/web.rules" --pid $$ --web-config "$tmp/web.yml" \
	--prometheus "127.0.0.1:$mport" --listen "127.0.0.1:$dport"
url="https://127.0.0.1:$mport/metrics"
c() { curl -s -o "$tmp/body" -w '%{http_code}' --max-time 10 --cacert "$tmp/ca.crt" "$@"; }
[ "$(c -u 'ops:w4tch pass' "$url")" = 200 ] || fail "web: not 200 with the password"
grep -q '^lden_rule_state{rule="quiet",state="inactive",host="[^"]*"} 1$' "$tmp/body" ||
	fail "web: not watch's /metrics: $(head -5 "$tmp/body")"
[ "$(c "$url")" = 401 ] || fail "web: no password: not 401"
[ "$(c -u 'ops:wrong' "$url")" = 401 ] || fail "web: a wrong password: not 401"
[ "$(c -u 'ops:w4tch pass' "https://127.0.0.1:$dport/api/rules")" = 200 ] &&
	jtrue "$tmp/body" '.rules[0].name == "quiet"' || fail "web: the dashboard's /api/rules"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$mport/metrics")
[ "$code" = 000 ] || fail "web: plain HTTP answered $code"
stop $n
reaped $n
# bad or pointless: one line, exit 2, nothing attached
"$LDEN" watch -r "$tmp/web.rules" --web-config "$tmp/web.yml" >/dev/null 2>"$tmp/web.err"
[ $? = 2 ] && [ "$(cat "$tmp/web.err")" = "lden: watch: --web-config protects the dashboard and /metrics, and this run serves neither (--listen, --prometheus)" ] ||
	fail "web: --web-config alone: $(cat "$tmp/web.err")"
printf 'basic_auth_users:\n  ops: plain\n' > "$tmp/bad.yml"
"$LDEN" watch -r "$tmp/web.rules" --web-config "$tmp/bad.yml" --prometheus "127.0.0.1:$mport" >/dev/null 2>"$tmp/web.err"
[ $? = 2 ] && [ "$(wc -l < "$tmp/web.err")" = 1 ] &&
	grep -q "^lden: watch: --web-config: $tmp/bad.yml:2: basic_auth_users: 'ops': expected a bcrypt hash" "$tmp/web.err" ||
	fail "web: a bad --web-config: $(cat "$tmp/web.err")"
echo "ok 7: --web-config: https and basic auth on /metrics and the dashboard; bad ones refused"

snapshot > "$tmp/state.after"
diff "$tmp/state.before" "$tmp/state.after" > "$tmp/state.diff" ||
	fail "kernel state left behind: $(cat "$tmp/state.diff")"
echo "PASS"
