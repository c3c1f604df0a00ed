#!/bin/sh
# The systemd units of lden visualize and lden watch: each runs the
# installed lden with the settings of /etc/lden/NAME.env, as root's uid
# with only CAP_PERFMON, CAP_SYS_ADMIN and CAP_SYS_PTRACE, and the
# sandboxing options; lden-watch reloads with SIGHUP; where
# systemd-analyze exists, 'verify' accepts each and 'security' rates it
# OK (exposure below 4.0).
set -u
. "$top_srcdir/tests/cli/lib.sh"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

for name in visualize watch; do
unit="$top_builddir/systemd/lden-$name.service"
NAME=$(echo "$name" | tr a-z A-Z)
[ -f "$unit" ] || fail "$unit was not built"

# key VALUE: the line is in the unit, exactly
key() {
	grep -qxF -e "$1" "$unit" || fail "the unit has no line '$1'"
}
key "ExecStart=$sbindir/lden $name \$LDEN_${NAME}_ARGS"
key "EnvironmentFile=-/etc/lden/$name.env"
[ $name = watch ] && key 'ExecReload=/bin/kill -HUP $MAINPID'
key "CapabilityBoundingSet=CAP_PERFMON CAP_SYS_ADMIN CAP_SYS_PTRACE"
key "NoNewPrivileges=yes"
key "ProtectSystem=strict"
key "ProtectHome=read-only"
key "PrivateTmp=yes"
key "PrivateDevices=yes"
key "ProtectKernelModules=yes"
key "ProtectControlGroups=yes"
key "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX"
key "RestrictNamespaces=yes"
key "RestrictSUIDSGID=yes"
key "MemoryDenyWriteExecute=yes"
key "LockPersonality=yes"
key "SystemCallArchitectures=native"
key "WantedBy=multi-user.target"
grep -q "^ReadWritePaths=.*/sys/kernel/tracing" "$unit" || fail "tracefs is not writable in the unit"
grep -q "^SystemCallFilter=.*@debug" "$unit" || fail "the syscall filter does not allow perf_event_open (@debug)"
grep -q "^AmbientCapabilities=." "$unit" && fail "ambient capabilities are not needed as root's uid"
grep -q "@[A-Z]*@" "$unit" && fail "an @VARIABLE@ is left in the unit"
# the settings it reads: every variable the example sets is one the unit uses
grep -q "LDEN_${NAME}_ARGS" "$top_srcdir/systemd/$name.env" ||
	fail "$name.env does not show LDEN_${NAME}_ARGS"
echo "ok: the keys of lden-$name.service"

if command -v systemd-analyze >/dev/null; then
	# verify wants ExecStart to exist: point it at this build's lden
	sed "s|^ExecStart=[^ ]*|ExecStart=$top_builddir/src/lden|" "$unit" > "$tmp/lden-$name.service"
	systemd-analyze verify --man=no "$tmp/lden-$name.service" >"$tmp/verify.err" 2>&1 ||
		fail "systemd-analyze verify rejects lden-$name.service: $(cat "$tmp/verify.err")"
	[ -s "$tmp/verify.err" ] && fail "systemd-analyze verify warns: $(cat "$tmp/verify.err")"
	echo "ok: systemd-analyze verify lden-$name.service"
	if systemd-analyze security --offline=true "$tmp/lden-$name.service" >"$tmp/security.out" 2>&1; then
		grep "Overall exposure" "$tmp/security.out"
		systemd-analyze security --offline=true --threshold=40 \
			"$tmp/lden-$name.service" >/dev/null 2>&1 ||
			fail "systemd-analyze security rates lden-$name.service 4.0 or worse"
	else
		echo "note: this systemd-analyze has no offline security check"
	fi
else
	echo "note: no systemd-analyze: the unit's keys were checked with grep only"
fi
done
echo PASS
