#!/bin/sh
# The systemd unit of lden visualize: it runs the installed lden with the
# settings of /etc/lden/visualize.env, as root's uid with only CAP_PERFMON,
# CAP_SYS_ADMIN and CAP_SYS_PTRACE, and the sandboxing options; where
# systemd-analyze exists, 'verify' accepts it and 'security' rates it OK
# (exposure below 4.0).
set -u
. "$top_srcdir/tests/cli/lib.sh"
unit="$top_builddir/systemd/lden-visualize.service"
[ -f "$unit" ] || { echo "FAIL: $unit was not built"; exit 1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# key VALUE: the line is in the unit, exactly
key() {
	grep -qxF -e "$1" "$unit" || fail "the unit has no line '$1'"
}
key "ExecStart=$sbindir/lden visualize \$LDEN_VISUALIZE_ARGS"
key "EnvironmentFile=-/etc/lden/visualize.env"
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
grep -q "LDEN_VISUALIZE_ARGS" "$top_srcdir/systemd/visualize.env" ||
	fail "visualize.env does not show LDEN_VISUALIZE_ARGS"
echo "ok: the unit's keys"

if command -v systemd-analyze >/dev/null; then
	# verify wants ExecStart to exist: point it at this build's lden
	sed "s|^ExecStart=[^ ]*|ExecStart=$top_builddir/src/lden|" "$unit" > "$tmp/lden-visualize.service"
	systemd-analyze verify --man=no "$tmp/lden-visualize.service" >"$tmp/verify.err" 2>&1 ||
		fail "systemd-analyze verify rejects the unit"
	[ -s "$tmp/verify.err" ] && fail "systemd-analyze verify warns"
	echo "ok: systemd-analyze verify"
	if systemd-analyze security --offline=true "$tmp/lden-visualize.service" >"$tmp/security.out" 2>&1; then
		grep "Overall exposure" "$tmp/security.out"
		systemd-analyze security --offline=true --threshold=40 \
			"$tmp/lden-visualize.service" >/dev/null 2>&1 ||
			fail "systemd-analyze security rates the unit 4.0 or worse"
	else
		echo "note: this systemd-analyze has no offline security check"
	fi
else
	echo "note: no systemd-analyze: the unit's keys were checked with grep only"
fi
echo PASS
