#!/bin/sh
# lden io with descriptors shared, not copied (tests/kernel/shared-fds):
# a child made with clone(CLONE_FILES) has its parent's table itself, so
# its close and open of fd N are the parent's too: the parent's 1000
# bytes on N afterwards are the child's file's (target), exactly, not the
# file N was before (decoy) nor "[fd N]"; a child that unshare()s its
# table (CLONE_FILES) changes its own copy only: the parent's 2000 bytes
# are still target's; a child that execs gets a table of its own before
# the close-on-exec fds close: the parent's 3000 bytes on its
# close-on-exec fd are that file's (cloexec), exactly.
set -u
LDEN="$top_builddir/src/lden"
TARGET="$top_builddir/tests/kernel/shared-fds"
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_cmd jq
test_tmp

"$LDEN" io --max-cpu 0 --json -- "$TARGET" "$tmp" \
	>"$tmp/run.out" 2>"$tmp/run.err" || fail "lden io failed"
jq -e . "$tmp/run.out" >/dev/null || fail "bad JSON"
calls() { jq -c "select(.type == \"call\" and $1)" "$tmp/run.out"; }

# the workload did what it says (else the checks below prove nothing)
[ "$(calls ".syscall == \"openat\" and .path == \"$tmp/target\"" | wc -l)" = 1 ] ||
	fail "the child's open of target not seen with its path"
[ "$(calls ".syscall == \"openat\" and .path == \"$tmp/other\"" | wc -l)" = 1 ] ||
	fail "the unshared child's open of other not seen with its path"

# write PATH BYTES: the write of BYTES bytes is named PATH, exactly
write_is() {
	calls ".syscall == \"write\" and .ret == $2" >"$tmp/w$2.json"
	[ "$(wc -l <"$tmp/w$2.json")" = 1 ] || fail "not one write of $2 bytes"
	[ "$(jq -r '.path + " " + .path_source' "$tmp/w$2.json")" = "$1 exact" ] ||
		fail "the write of $2 bytes not named $1 exactly: $(cat "$tmp/w$2.json")"
}
write_is "$tmp/target" 1000
write_is "$tmp/target" 2000
write_is "$tmp/cloexec" 3000
echo "PASS: test-io-shared"
