#!/bin/sh
# Runs the benchmark matrix and prints its table: what `make bench` runs.
# Usage: bench/run.sh BINDIR NSTRACE [nsbench options, e.g. -r 3 or -s 20]
set -eu

bindir=$1
nstrace=$2
shift 2
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
	echo "bench/run.sh: tracing needs root" >&2
	exit 1
fi
scripts/deps.sh bench

work=$(mktemp -d /tmp/nsbench.XXXXXX)
mounted=
cleanup() {
	rm -rf "$work"
	if [ -n "$mounted" ]; then umount /sys/kernel/tracing; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# bpftrace and libbpf-tools find their tracepoints through tracefs.
if [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing
	mounted=1
fi

mem_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "Machine: $(nproc) CPUs ($cpu), $((mem_kb / 1024 / 1024)) GiB RAM, Linux $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "Tools: $(bpftrace --version), libbpf-tools $(dpkg-query -W -f='${Version}' libbpf-tools)"
echo "Command: make bench${*:+ BENCH_ARGS=\"$*\"}"
echo
"$bindir/nsbench" "$@" "$bindir/nsload" "$nstrace" bench/nsevents.bt "$work"
