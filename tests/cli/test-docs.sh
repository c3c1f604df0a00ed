#!/bin/sh
# The manual, for every command 'lden --help' lists (so a new command is
# checked without changes here): its page exists, has the sections a man
# page of a command has, documents every long option of its --help, and is
# named by lden(8); its --help works and 'lden help COMMAND' prints the
# same.  lden --version, lden --help and lden help, their exit statuses,
# and every page rendering without a groff warning.  The README: its two
# opening commands (the first run as written), its tables of commands and
# events against the program and the catalog, and the links of every note.
set -u
LDEN="$top_builddir/src/lden"
MAN="$top_srcdir/man"
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# has_sections PAGE SECTION...: each ".SH SECTION" is in PAGE
has_sections() {
	page=$1
	shift
	for sec in "$@"; do
		grep -q "^\.SH \"*$sec\"*\$" "$page" || bad "$page has no section $sec"
	done
}

# documents PAGE HELP: every long option of HELP appears in PAGE
documents() {
	for opt in $(printf '%s\n' "$2" | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		# groff escapes dashes: \-\-time
		esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
		grep -q -e "$esc" -e "$opt" "$1" || bad "$1 does not document $opt"
	done
}

# lden itself
top_help=$("$LDEN" --help) || bad "lden --help exits non-zero"
[ "$("$LDEN" -h)" = "$top_help" ] || bad "lden -h differs from lden --help"
[ "$("$LDEN" help)" = "$top_help" ] || bad "lden help differs from lden --help"
printf '%s\n' "$top_help" | grep -q '^usage: lden ' || bad "lden --help has no usage line"
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
[ -n "$version" ] || bad "no PACKAGE_VERSION in config.h"
[ "$("$LDEN" --version)" = "lden $version" ] || bad "lden --version is '$("$LDEN" --version)', not 'lden $version'"
[ "$("$LDEN" version)" = "lden $version" ] || bad "lden version is not 'lden $version'"
"$LDEN" >/dev/null 2>&1; [ $? = 2 ] || bad "lden without a command is not status 2"
"$LDEN" nosuchcommand 2>/dev/null; [ $? = 2 ] || bad "an unknown command is not status 2"
"$LDEN" help nosuchcommand 2>/dev/null; [ $? = 2 ] || bad "lden help of an unknown command is not status 2"
msg=$("$LDEN" help nosuchcommand 2>&1 >/dev/null)
[ "$msg" = "lden: unknown command 'nosuchcommand' (see 'lden --help')" ] ||
	bad "lden help nosuchcommand says '$msg'"
[ "$("$LDEN" --version 2>&1 >/dev/full; echo $?)" != 0 ] ||
	bad "lden --version into a full disk is not an error"

has_sections "$MAN/lden.8.in" NAME SYNOPSIS DESCRIPTION OPTIONS COMMANDS \
	PRIVILEGES EXAMPLES "EXIT STATUS" FILES "SEE ALSO"
documents "$MAN/lden.8.in" "$top_help"
grep -q '^\.TH LDEN 8 .*@VERSION@' "$MAN/lden.8.in" || bad "lden.8 has no .TH with the version"

# every command
n=0
for cmd in $(printf '%s\n' "$top_help" | sed -n 's/^  \([a-z][a-z0-9-]*\)  .*/\1/p'); do
	case $cmd in help|version) continue ;; esac
	n=$((n + 1))
	page="$MAN/lden-$cmd.8.in"
	help=$("$LDEN" "$cmd" --help) || { bad "lden $cmd --help exits non-zero"; continue; }
	printf '%s\n' "$help" | grep -q "^usage: lden $cmd" ||
		bad "lden $cmd --help has no usage line"
	[ "$("$LDEN" "$cmd" -h)" = "$help" ] || bad "lden $cmd -h differs from --help"
	[ "$("$LDEN" help "$cmd")" = "$help" ] ||
		bad "'lden help $cmd' differs from 'lden $cmd --help'"
	"$LDEN" "$cmd" --no-such-option >/dev/null 2>&1
	[ $? = 2 ] || bad "lden $cmd --no-such-option is not status 2"
	[ -f "$page" ] || { bad "no man page $page"; continue; }
	has_sections "$page" NAME SYNOPSIS DESCRIPTION OPTIONS EXAMPLES "EXIT STATUS" "SEE ALSO"
	grep -q "^\.TH LDEN-$(printf '%s' "$cmd" | tr a-z A-Z) 8 " "$page" ||
		bad "$page has no .TH LDEN-$cmd 8"
	# groff's \- read as -
	plain=$(sed 's/\\-/-/g' "$page")
	top_plain=$(sed 's/\\-/-/g' "$MAN/lden.8.in")
	printf '%s\n' "$plain" | grep -q "^lden-$cmd - " ||
		bad "$page: its NAME is not 'lden-$cmd \\- ...'"
	documents "$page" "$help"
	printf '%s\n' "$top_plain" | grep -q "^\.BR lden-$cmd (8)" ||
		bad "lden(8) does not refer to lden-$cmd(8)"
	printf '%s\n' "$top_plain" | grep -q "^\.B $cmd\( \|\$\)" ||
		bad "lden(8) COMMANDS has no entry for $cmd"
	grep -q "man/lden-$cmd.8.in" "$top_srcdir/Makefile.am" ||
		bad "Makefile.am does not build and install man/lden-$cmd.8"
done
[ "$n" -ge 2 ] || bad "found only $n commands in lden --help"

# the grammar and the catalog format have their places
has_sections "$MAN/lden-notify.8.in" EXPRESSIONS
has_sections "$MAN/lden-events.5.in" NAME SYNOPSIS DESCRIPTION EXAMPLES "SEE ALSO"
grep -q "lden-events (5)" "$MAN/lden.8.in" || bad "lden(8) does not refer to lden-events(5)"

# every page renders without a warning
if command -v groff >/dev/null; then
	for page in "$top_builddir"/man/*.[0-9]; do
		w=$(groff -man -ww -z "$page" 2>&1)
		[ -z "$w" ] || bad "groff warns on $page: $w"
	done
fi
# --- the README and the other notes ------------------------------------
README="$top_srcdir/README.md"
# block N: the one line of the README's Nth ```sh block
block() {
	awk -v n="$1" '/^```sh$/ { b++; getline; if (b == n) print; }' "$README"
}
# The two commands that open it: what they promise, each checked here or
# by CI (.ci/run runs the second, last; the first runs below).
first=$(block 1)
second=$(block 2)
[ "$second" = "./autogen.sh --install-deps && ./configure && make check" ] ||
	bad "the README's second command is '$second'"
case $first in
"./autogen.sh --install-deps && ./configure && make && ./src/lden notify "*) ;;
*) bad "the README's first command is '$first'" ;;
esac
grep -q '^if \[ "$1" = "--install-deps" \]' "$top_srcdir/autogen.sh" ||
	bad "autogen.sh has no --install-deps"
grep -q '^\./autogen\.sh --install-deps$' "$top_srcdir/.ci/run" ||
	bad ".ci/run does not install as the README says"
[ "$(grep -v '^ *$' "$top_srcdir/.ci/run" | tail -n 1 | cut -c1-16)" = "make -j2 check |" ] ||
	bad ".ci/run does not end with the README's make check"

# the table of commands: every command, and only those, with its page
rows=$(sed -n 's/^| `lden \([a-z-]*\).*| \[lden-\([a-z-]*\)(8)\](man\/lden-\([a-z-]*\)\.8\.in) |$/\1 \2 \3/p' "$README")
for cmd in $(printf '%s\n' "$top_help" | sed -n 's/^  \([a-z][a-z0-9-]*\)  .*/\1/p'); do
	case $cmd in help|version) continue ;; esac
	printf '%s\n' "$rows" | grep -qx "$cmd $cmd $cmd" ||
		bad "README.md's table of commands has no row for $cmd linking man/lden-$cmd.8.in"
done
for cmd in $(printf '%s\n' "$rows" | cut -d' ' -f1); do
	printf '%s\n' "$top_help" | grep -q "^  $cmd  " || bad "README.md lists '$cmd', not a command"
done
# the table of events: every catalog event, and only those
# (the source catalog, not what /etc/lden/events.d may add on this machine)
names=$(sed -n 's/^event[[:space:]]*\([^[:space:]]*\).*/\1/p' "$top_srcdir"/kprobe_events/*.events)
[ "$(printf '%s\n' "$names" | wc -l)" -ge 20 ] || bad "found only $(printf '%s\n' "$names" | wc -l) catalog events"
listed=$(sed -n '/^## Events/,/^## /s/^| `\([a-z_.]*\)`\(, `\([a-z_.]*\)`\)\{0,1\} |.*/\1 \3/p' "$README" | tr ' ' '\n' | grep . | sort)
for e in $names; do
	printf '%s\n' "$listed" | grep -qx "$e" || bad "README.md's table of events has no $e"
done
for e in $listed; do
	printf '%s\n' "$names" | grep -qx "$e" || bad "README.md lists the event $e, not in the catalog"
done

# every relative link of the notes leads to a file of the tree
for md in README.md HACKING.md tests/README.md tracefs/README.md bench/README.md; do
	[ -f "$top_srcdir/$md" ] || { bad "no $md"; continue; }
	dir=$(dirname "$top_srcdir/$md")
	for link in $(grep -o '](\([^)#]*\)[)#]' "$top_srcdir/$md" | sed 's/^](//; s/[)#]$//' | grep -v '^[a-z]*:'); do
		[ -e "$dir/$link" ] || bad "$md links to '$link', which does not exist"
	done
done

# every test of the tree is in a list of Makefile.am (else it never runs)
for t in "$top_srcdir"/tests/*/test-*.sh "$top_srcdir"/tests/unit/test-*.c \
	"$top_srcdir"/tests/kernel/test-*.c; do
	name=${t#"$top_srcdir"/}
	name=${name%.c}
	sed 's/ *\\$//' "$top_srcdir/Makefile.am" | grep -qxF "	$name" ||
		bad "$name is in no test list of Makefile.am"
done

# The first command, as written, on this kernel: it fires when more than
# 100 tasks were created and its script sees LDEN_ELAPSED.
if [ "$(id -u)" = 0 ] && [ -r /sys/kernel/tracing/events/sched/sched_process_fork/id ]; then
	out=$(mktemp) || exit 99
	cmd=$(printf '%s\n' "$first" | sed 's/^.* && \.\/src\/lden /"$LDEN" /')
	eval "$cmd" >"$out" 2>&1 &
	lpid=$!
	i=0
	until grep -q '^lden: watching ' "$out" || [ $i -ge 400 ]; do sleep 0.05; i=$((i + 1)); done
	sh -c 'i=0; while [ $i -lt 150 ]; do /bin/true; i=$((i + 1)); done'
	wait "$lpid"
	rc=$?
	[ "$rc" = 0 ] || bad "the README's first command exited $rc: $(cat "$out")"
	grep -qE '^fired after [0-9]+\.[0-9]+ s$' "$out" ||
		bad "the README's first command's script did not say when it fired: $(cat "$out")"
	rm -f "$out"
else
	echo "note: not root with tracefs, the README's first command not run"
fi

[ $fail = 0 ] && echo "PASS: $n commands documented, the README's commands and tables hold"
exit $fail
