#!/bin/sh
# make install DESTDIR=... from this build tree puts every file where it
# belongs (the program, a man page per command, the catalog, the
# completion, the systemd unit, the library with its header and .pc, and
# whatever kibana/ and dashboard/ hold); a program built with
# 'pkg-config --cflags --libs liblden-trace' against that install counts
# its child's forks exactly, linked to the shared library and to the
# static one; the shared library exports the header's functions and
# nothing else; make uninstall leaves no file behind.
set -u
. "$top_srcdir/tests/cli/lib.sh"
LDEN="$top_builddir/src/lden"
command -v pkg-config >/dev/null || { echo "SKIP: no pkg-config"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
dest="$tmp/dest"

# a make of its own: not the jobserver of the make running the tests
run_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -s -C "$top_builddir" \
		"$@" DESTDIR="$dest" >"$tmp/make.out" 2>&1 ||
		{ cat "$tmp/make.out"; fail "make $* DESTDIR=$dest"; }
}

run_make install
files=$(cd "$dest" && find . -type f -o -type l | sed 's|^\.||' | sort)
echo "installed:"
printf '  %s\n' $files

# expect PATH [MODE]: PATH (an install path, without DESTDIR) was installed
n=0
expect() {
	[ -f "$dest$1" ] || fail "not installed: $1"
	[ -s "$dest$1" ] || fail "installed empty: $1"
	[ "${2:-}" != x ] || [ -x "$dest$1" ] || fail "not executable: $1"
	n=$((n + 1))
}
expect "$sbindir/lden" x
expect "$mandir/man8/lden.8"
expect "$mandir/man5/lden-events.5"
for cmd in $("$LDEN" --help | sed -n 's/^  \([a-z][a-z0-9-]*\)  .*/\1/p'); do
	case $cmd in help|version) continue ;; esac
	expect "$mandir/man8/lden-$cmd.8"
done
for f in "$top_srcdir"/kprobe_events/*.events; do
	expect "$pkgdatadir/events/${f##*/}"
	cmp -s "$f" "$dest$pkgdatadir/events/${f##*/}" || fail "catalog ${f##*/} differs"
done
# data of the other commands, as their directories hold it
for d in kibana dashboard; do
	[ -d "$top_srcdir/$d" ] || continue
	for f in $(cd "$top_srcdir/$d" && find . -type f | sed 's|^\./||'); do
		expect "$pkgdatadir/$d/$f"
	done
done
expect "$bashcompletiondir/lden"
expect "$systemdsystemunitdir/lden-visualize.service"
expect "$pkgdatadir/visualize.env"
expect "$systemdsystemunitdir/lden-watch.service"
expect "$pkgdatadir/watch.env"
expect "$mandir/man5/lden-rules.5"
expect "$includedir/lden/lden-trace.h"
expect "$libdir/liblden-trace.a"
expect "$libdir/liblden-trace.so.0" x
[ "$(readlink "$dest$libdir/liblden-trace.so")" = liblden-trace.so.0.0.0 ] ||
	fail "liblden-trace.so does not link to liblden-trace.so.0.0.0"
expect "$libdir/pkgconfig/liblden-trace.pc"

# what was installed names the installed paths, not the build's
grep -q "^ExecStart=$sbindir/lden visualize " "$dest$systemdsystemunitdir/lden-visualize.service" ||
	fail "the unit's ExecStart is not $sbindir/lden visualize"
grep -q "^ExecStart=$sbindir/lden watch " "$dest$systemdsystemunitdir/lden-watch.service" ||
	fail "lden-watch's ExecStart is not $sbindir/lden watch"
grep -q "@[A-Z]*@" "$dest$systemdsystemunitdir"/lden-*.service "$dest$mandir"/man*/* &&
	fail "an @VARIABLE@ is left in an installed file"
grep -q "$pkgdatadir/events" "$dest$mandir/man8/lden.8" || fail "lden(8) does not name $pkgdatadir/events"
[ "$("$dest$sbindir/lden" --version)" = "$("$LDEN" --version)" ] || fail "the installed lden does not run"
# the completion installed is the one tested, and loads
cmp -s "$top_srcdir/completion/lden.bash" "$dest$bashcompletiondir/lden" ||
	fail "the installed completion differs from completion/lden.bash"
bash --norc -c '. "$1" && complete -p lden' sh "$dest$bashcompletiondir/lden" >/dev/null ||
	fail "the installed completion does not load"

# a program of someone else's, through pkg-config alone.  The .pc names
# the install paths; a copy moved into DESTDIR (what PKG_CONFIG_SYSROOT_DIR
# would do, but to this package only, not to libtracefs's paths too)
mkdir "$tmp/pc"
sed -E "s|^(prefix\|exec_prefix\|libdir\|includedir)=/|\1=$dest/|" \
	"$dest$libdir/pkgconfig/liblden-trace.pc" > "$tmp/pc/liblden-trace.pc"
export PKG_CONFIG_PATH="$tmp/pc"
flags=$(pkg-config --cflags --libs liblden-trace) || fail "pkg-config liblden-trace"
echo "pkg-config --cflags --libs liblden-trace: $flags"
for f in "-I$dest$includedir/lden" "-L$dest$libdir" -llden-trace; do
	case " $flags " in *" $f "*) ;; *) fail "'$f' is not in the flags" ;; esac
done
sflags=$(pkg-config --static --cflags --libs liblden-trace) || fail "pkg-config --static liblden-trace"
for f in $(pkg-config --libs libtracefs libtraceevent); do
	case " $sflags " in *" $f "*) ;; *) fail "'$f' is not in the --static flags" ;; esac
done
[ "$(pkg-config --modversion liblden-trace)" = "$("$LDEN" --version | cut -d' ' -f2)" ] ||
	fail "liblden-trace.pc's version is not lden's"

# the shared library's dynamic symbols are the functions of its header
nm -D --defined-only "$dest$libdir/liblden-trace.so.0" | awk '{ print $3 }' |
	sed -n 's/@.*//; /^ltr_/p' | sort -u >"$tmp/exported"
grep -o '\bltr_[a-z_0-9]*[[:space:]]*(' "$dest$includedir/lden/lden-trace.h" |
	tr -d ' (' | sort -u >"$tmp/declared"
[ -s "$tmp/declared" ] || fail "no function found in lden-trace.h"
cmp -s "$tmp/exported" "$tmp/declared" ||
	fail "exported and declared differ: $(diff "$tmp/exported" "$tmp/declared" | tr '\n' ' ')"
other=$(nm -D --defined-only "$dest$libdir/liblden-trace.so.0" | awk '{ print $3 }' |
	grep -v '^ltr_' | grep -v '^LDEN_TRACE_')
[ -z "$other" ] || fail "the shared library exports more: $other"
echo "ok: liblden-trace.so.0 exports the $(wc -l <"$tmp/declared") functions of lden-trace.h, no more"

# build_user NAME FLAGS...: the test program, linked with FLAGS
build_user() {
	name=$1; shift
	# shellcheck disable=SC2086
	${CC:-cc} ${LDEN_SAN_CFLAGS:-} -o "$tmp/$name" "$top_srcdir/tests/cli/install-user.c" \
		"$@" >"$tmp/cc.err" 2>&1 || { cat "$tmp/cc.err"; fail "cannot build $name against the installed library"; }
}
# shellcheck disable=SC2086
build_user user-shared $flags
readelf -d "$tmp/user-shared" | grep -q 'NEEDED.*\[liblden-trace\.so\.0\]' ||
	fail "the shared build does not need liblden-trace.so.0"
# shellcheck disable=SC2086
build_user user-static $(pkg-config --static --cflags liblden-trace) \
	"$dest$libdir/liblden-trace.a" $(pkg-config --libs libtracefs libtraceevent)
readelf -d "$tmp/user-static" | grep -q 'liblden-trace' &&
	fail "the static build needs a shared liblden-trace"
if [ "$(id -u)" = 0 ] && [ -d /sys/kernel/tracing ]; then
	for u in user-shared user-static; do
		LD_LIBRARY_PATH="$dest$libdir" "$tmp/$u" >"$tmp/user.out" 2>"$tmp/user.err" ||
			fail "$u, built against the installed library, failed: $(cat "$tmp/user.err")"
		grep -q "^forks 5$" "$tmp/user.out" || fail "$u did not count 5 forks"
		echo "ok: $u: $(tr '\n' ' ' < "$tmp/user.out")"
	done
else
	echo "note: not root: the programs were built, not run"
fi

run_make uninstall
left=$(cd "$dest" && find . ! -type d)
[ -z "$left" ] || fail "make uninstall left: $left"
echo "PASS: $n files installed, none left after uninstall"
