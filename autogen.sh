#!/bin/sh
# Regenerate the build system from configure.ac and Makefile.am.
#
#   ./autogen.sh                   autoreconf only
#   ./autogen.sh --install-deps    first install, as root, the Debian 12
#                                  packages lden needs to build and test
set -e
cd "$(dirname "$0")"

# Build: autotools, bash-completion and systemd (where completions and
# units go; systemd-analyze checks the unit),
# libtracefs/libtraceevent, libcurl (Elasticsearch),
# libmicrohttpd (/metrics and the dashboard; Debian's is built with
# GnuTLS, for --web-config's TLS), json-c, libyaml and libxcrypt
# (--web-config's file and its bcrypt hashes), cmocka, libsystemd
# (lden watch's journal action: its header; the library is loaded at run
# time); openssl makes the test certificates.
# Tests and benchmarks: linux-perf (peer), qemu + busybox + cpio (the
# kernel matrix), time (peak RSS), perl (a loopback TCP peer), clang and
# its libFuzzer runtime (--enable-fuzzing), python3 (a loopback
# Elasticsearch stand-in), prometheus (scrapes /metrics), chromium and
# chromium-driver (the dashboard in a real browser), jq, bpftrace (peer),
# prometheus-alertmanager (lden watch's alerts, end to end).
DEPS="autoconf automake libtool pkg-config make gcc libc6-dev bash-completion systemd
libtracefs-dev libtraceevent-dev libcurl4-openssl-dev libcmocka-dev
libmicrohttpd-dev libjson-c-dev libyaml-dev libcrypt-dev openssl libsystemd-dev
linux-perf time qemu-system-x86 busybox-static cpio perl
clang libclang-rt-14-dev
python3 prometheus chromium chromium-driver jq bpftrace
prometheus-alertmanager"

if [ "$1" = "--install-deps" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "autogen.sh: --install-deps needs root (apt-get)" >&2
		exit 2
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $DEPS >/dev/null
	shift
fi
autoreconf --install --force --warnings=all
