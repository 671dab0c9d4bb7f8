#!/bin/sh
# Installs what building and testing nstrace needs on Debian 12.
# Usage: scripts/deps.sh [build|test|bench]   (default: build)
set -eu

build_pkgs="make gcc clang llvm pkg-config libbpf-dev bpftool libelf-dev zlib1g-dev uthash-dev libjansson-dev
	libmicrohttpd-dev"
# jq parses nstrace's JSON in the test scripts; python3 plays a lying Docker daemon; the rest
# are the workloads the tests trace. qemu-system-x86 boots the Debian kernels of
# tests/vm/kernels; gcc-multilib builds the static 32-bit program that enters namespaces
# through the 32-bit gate. mandoc, man-db, bash-completion, systemd and logrotate check the
# man page, completion, unit and rotation that make install puts in place; prometheus (with
# promtool) and curl scrape --metrics.
test_pkgs="jq python3 util-linux busybox-static runc crun lxc docker.io valgrind libclang-rt-14-dev qemu-system-x86
	gcc-multilib mandoc man-db bash-completion systemd logrotate prometheus curl"
# The tracers make bench compares nstrace with, perf to profile it, and runc with a busybox
# bundle for the container-start workload.
bench_pkgs="bpftrace libbpf-tools linux-perf runc busybox-static"

case "${1:-build}" in
build) pkgs=$build_pkgs ;;
test) pkgs="$build_pkgs $test_pkgs" ;;
bench) pkgs="$build_pkgs $bench_pkgs" ;;
*) echo "usage: $0 [build|test|bench]" >&2; exit 2 ;;
esac

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "scripts/deps.sh: missing packages:$missing; run as root to install them" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
