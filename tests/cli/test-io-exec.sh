#!/bin/sh
# lden io across a fork and an exec (tests/kernel/exec-fds): a child
# process's write to an fd it inherited is named after the parent's file,
# as exactly (its fds are a copy; it exits before /proc could say); an
# fd unknown in two processes is two summary rows, not one; a
# close-on-exec fd is
# closed by the exec, so a pipe that takes its number afterwards must not
# have its bytes charged to the old file; an fd kept across the exec is
# still named after its file, as exactly as its open was.
set -u
LDEN="$top_builddir/src/lden"
TARGET="$top_builddir/tests/kernel/exec-fds"
. "$top_srcdir/tests/cli/lib.sh"
need_root
need_tracefs
need_cmd jq
test_tmp

a="$tmp/a-cloexec" b="$tmp/b-kept"
echo a > "$a"
"$LDEN" io --max-cpu 0 --json --summary -- "$TARGET" "$a" "$b" \
	>"$tmp/run.out" 2>"$tmp/run.err" || fail "lden io failed"
jq -e . "$tmp/run.out" >/dev/null || fail "bad JSON"
calls() { jq -c "select(.type == \"call\" and $1)" "$tmp/run.out"; }

# the workload did what it says (else the checks below prove nothing)
[ "$(calls ".syscall == \"openat\" and .path == \"$a\" and .newfd == 3" | wc -l)" = 1 ] ||
	fail "A's open on fd 3 not seen with its path"
[ "$(calls '.syscall == "read" and .fd == 3 and .ret == 100' | wc -l)" = 1 ] ||
	fail "the pipe's read of 100 bytes on fd 3 not seen"

# the pipe's 100 bytes are not A's
n=$(calls ".path == \"$a\" and .syscall != \"openat\"" | wc -l)
[ "$n" = 0 ] || fail "$n calls after the exec charged to A, closed by the exec: $(calls ".path == \"$a\"")"
# B, kept across the exec on fd 7: its 50 bytes named, exact as its open
calls '.syscall == "write" and .fd == 7 and .ret == 50' >"$tmp/b.json"
[ "$(jq -r '.path + " " + .path_source' "$tmp/b.json")" = "$b exact" ] ||
	fail "the write to B on fd 7 not named exactly: $(cat "$tmp/b.json")"
# the child's 20 bytes on its inherited fd 7: B's, exact
calls '.syscall == "write" and .fd == 7 and .ret == 20' >"$tmp/child.json"
[ "$(jq -r '.path + " " + .path_source' "$tmp/child.json")" = "$b exact" ] ||
	fail "the child's write to its inherited fd 7 not named B exactly: $(cat "$tmp/child.json")"
[ "$(jq -r .pid "$tmp/child.json")" != "$(jq -r .pid "$tmp/b.json")" ] ||
	fail "the child's write came from the parent's pid"
# read(99) in two processes, fd 99 unknown in both: two summary rows
# (one "[fd 99]" row summed two processes' calls as if one file's)
jq -r 'select(.type == "file" and .key_source == "fd" and (.key | startswith("[fd 99 "))) | "\(.key) \(.calls) \(.errors)"' \
	"$tmp/run.out" | sort >"$tmp/fd99.rows"
[ "$(wc -l <"$tmp/fd99.rows")" = 2 ] && [ "$(awk '$5 == 1 && $6 == 1' "$tmp/fd99.rows" | wc -l)" = 2 ] ||
	fail "fd 99 of two processes not two rows of one call each: $(cat "$tmp/fd99.rows"; jq -c 'select(.type == "file")' "$tmp/run.out")"
echo "PASS: test-io-exec"
