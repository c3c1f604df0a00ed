# Shared by the CLI tests (sourced, not run).

# wait_for FILE PATTERN: until a line of FILE matches, at most 20 s
wait_for() {
	_i=0
	while ! grep -q -e "$2" "$1" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt 400 ] && return 1
		sleep 0.05
	done
}

# fail MESSAGE: say it, show what the test's commands printed, exit 1
fail() {
	echo "FAIL: $*"
	for _f in "$tmp"/*.out "$tmp"/*.err; do
		[ -s "$_f" ] && { echo "--- $_f"; cat "$_f"; }
	done
	exit 1
}

# started PID / reaped PID: keep $pids, the processes cleanup may kill
started() { pids="$pids $1"; }
reaped() { pids=$(echo " $pids " | sed "s/ $1 / /"); }

# join PID: wait for it; its exit status in $rc
join() {
	wait "$1"
	rc=$?
	reaped "$1"
}

# test_tmp: makes $tmp, and at exit kills what is left of $pids and
# removes $tmp (INT and TERM exit 1 through the same)
test_tmp() {
	tmp=$(mktemp -d) || exit 99
	pids=""
	trap test_cleanup EXIT
	trap 'exit 1' INT TERM
}
test_cleanup() {
	for _p in $pids; do
		kill "$_p" 2>/dev/null
	done
	rm -rf "$tmp"
}
