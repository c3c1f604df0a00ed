# Shared by the tests that run tests/es/fake-es.py (sourced, after
# tests/cli/lib.sh, with $tmp set).

# fake_start NAME [FAKE ARGS]: a fake Elasticsearch with its files in
# $tmp/NAME ($d: docs, violations, log, control); sets $port, $url, $fpid
fake_start() {
	d="$tmp/$1"
	shift
	mkdir -p "$d"
	python3 "$top_srcdir/tests/es/fake-es.py" --docs "$d/docs" \
		--violations "$d/violations" --log "$d/log" \
		--control "$d/control" "$@" > "$d/fake.out" 2> "$d/fake.err" &
	fpid=$!
	started $fpid
	wait_for "$d/fake.out" '^port ' || fail "fake-es did not start"
	port=$(sed -n 's/^port //p' "$d/fake.out")
	url="http://127.0.0.1:$port"
	cseq=0
}

fake_stop() {
	kill "$fpid"
	wait "$fpid" 2>/dev/null
	reaped "$fpid"
}

# fake_mode 'JSON MEMBERS': tells the fake, waits until it took it
fake_mode() {
	cseq=$((cseq + 1))
	echo "{\"seq\": $cseq, $1}" > "$d/control.tmp" &&
		mv "$d/control.tmp" "$d/control"
	wait_for "$d/fake.out" "^mode $cseq\$" ||
		fail "fake-es did not take '$1'"
}

# outage SECONDS: the server down (refusing connections) that long
outage() {
	fake_mode '"down": true'
	sleep "$1"	# the outage itself is what is tested
	fake_mode '"down": false'
}

# no_violations WHAT: the fake found nothing wrong in the requests
no_violations() {
	[ -s "$d/violations" ] &&
		fail "$1: protocol violations: $(head -5 "$d/violations")"
	return 0
}
