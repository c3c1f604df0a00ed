#!/bin/sh
# lden list-events: it removes what lden processes that are gone left in
# tracefs (the library's sweep, which takes only what no process holds)
# and says so in one line; the same catalog directory given twice
# (--events-dir naming the one read anyway, a trailing slash, a link) is
# read once, not an error.
set -u
. "$top_srcdir/tests/cli/lib.sh"
LDEN="$top_builddir/src/lden"
CAT="$top_srcdir/kprobe_events"

test_tmp

# --- the same directory twice ------------------------------------------
for dir in "$CAT" "$CAT/" "$tmp/link"; do
	[ "$dir" = "$tmp/link" ] && ln -s "$CAT" "$tmp/link"
	LDEN_EVENTS_PATH=$CAT "$LDEN" list-events --names --events-dir "$dir" \
		>"$tmp/names.out" 2>"$tmp/names.err" ||
		fail "--events-dir $dir: exit $?"
	[ "$(wc -l <"$tmp/names.out")" = 23 ] || fail "--events-dir $dir: not 23 events"
	[ -s "$tmp/names.err" ] && fail "--events-dir $dir: messages on stderr"
done
echo "PASS: the catalog directory given twice or three times is read once"

# --- the sweep -----------------------------------------------------------
need_root
need_tracefs
[ -w "$T/uprobe_events" ] || { echo "SKIP: no uprobe_events"; exit 77; }

# A uprobe in a group named as an lden process's, one that no process
# holds (pid 4194304 is beyond pid_max: no lden could have it).  Any
# lden starting meanwhile (other tests, other users) would sweep it
# first, and list-events would then have nothing to say: so a few tries,
# each with a group of its own; a sweep that says nothing when there was
# something fails every try.
group=""
for try in 1 2 3; do
	group="lden_1_419430$try"
	echo "p:$group/stale /bin/true:0x0" >>"$T/uprobe_events" ||
		fail "cannot make a stale uprobe"
	"$LDEN" list-events >"$tmp/list.out" 2>"$tmp/list.err" ||
		fail "list-events: exit $?"
	grep -q "$group/" "$T/uprobe_events" && fail "the stale group $group is still there"
	if grep -q "^lden: removed 1 probe and 0 instances left by lden processes that are gone: .*$group" \
		"$tmp/list.err"; then
		[ "$(wc -l <"$tmp/list.err")" = 1 ] || fail "more than one line on stderr"
		grep -q '^sys.open ' "$tmp/list.out" || fail "list-events listed nothing"
		echo "PASS: list-events removed the stale group $group and said so in one line"
		exit 0
	fi
	echo "try $try: $group was swept by another lden first"
done
fail "list-events did not say what it removed"
