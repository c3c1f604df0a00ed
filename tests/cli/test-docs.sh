#!/bin/sh
# Every command of 'lden --help' has a man page and a working --help, and
# every long option its --help lists is documented in its page.
set -u
LDEN="$top_builddir/src/lden"
fail=0
check_page() {	# page, help text
	page=$1
	[ -f "$page" ] || { echo "FAIL: no man page $page"; fail=1; return; }
	for opt in $(printf '%s\n' "$2" | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		# groff escapes dashes: \-\-time
		esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
		grep -q -e "$esc" -e "$opt" "$page" ||
			{ echo "FAIL: $page does not document $opt"; fail=1; }
	done
}

"$LDEN" --help >/dev/null || { echo "FAIL: lden --help"; exit 1; }
"$LDEN" --version | grep -q '^lden [0-9]' || { echo "FAIL: lden --version"; fail=1; }
check_page "$top_srcdir/man/lden.8.in" "$("$LDEN" --help)"
n=0
for cmd in $("$LDEN" --help | sed -n 's/^  \([a-z-]*\)  .*/\1/p'); do
	case $cmd in help|version) continue ;; esac
	n=$((n + 1))
	help=$("$LDEN" "$cmd" --help) || { echo "FAIL: lden $cmd --help exits non-zero"; fail=1; continue; }
	printf '%s\n' "$help" | grep -q "^usage: lden $cmd" ||
		{ echo "FAIL: lden $cmd --help has no usage line"; fail=1; }
	[ "$("$LDEN" help "$cmd")" = "$help" ] ||
		{ echo "FAIL: 'lden help $cmd' differs from 'lden $cmd --help'"; fail=1; }
	check_page "$top_srcdir/man/lden-$cmd.8.in" "$help"
	grep -q "lden-$cmd (8)" "$top_srcdir/man/lden.8.in" ||
		grep -q "lden-$cmd" "$top_srcdir/man/lden.8.in" ||
		{ echo "FAIL: lden(8) does not mention lden-$cmd"; fail=1; }
done
[ "$n" -ge 2 ] || { echo "FAIL: found only $n commands in lden --help"; fail=1; }
"$LDEN" nosuchcommand 2>/dev/null; [ $? = 2 ] || { echo "FAIL: unknown command is not status 2"; fail=1; }
[ $fail = 0 ] && echo "PASS: $n commands documented"
exit $fail
