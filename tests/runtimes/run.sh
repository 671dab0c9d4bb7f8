#!/bin/sh
# nstrace against real container runtimes: unshare and nsenter, runc, crun, lxc, docker, podman,
# systemd-nspawn, containers that share namespaces with the host or with each other, and what
# runtimes say of their containers, and what an auditor asks of them.
# Usage: tests/runtimes/run.sh [NSTRACE [GROUP...]]   groups: unshare runc crun lxc docker sharing
#   podman nspawn existing bad-proc bundle-safety meta audit   (the default: all)
# (as root; OCI_READ names the bundle reader driver, build/tests/oci-read)
# Every scenario traces with --json --record, drives the runtime, stops nstrace
# with SIGINT and checks the container's lifecycle records against what the
# runtime itself reports, and replay's output against the live output.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
NSTRACE=$(realpath "${1:-./nstrace}")
[ $# -gt 0 ] && shift
[ -x "$NSTRACE" ] || { echo "runtimes: no nstrace at $NSTRACE"; echo "runtimes: 0 passed, 1 failed, 0 skipped"; exit 1; }
groups=${*:-unshare runc crun lxc docker sharing podman nspawn existing bad-proc bundle-safety meta audit}

# shellcheck source=tests/runtimes/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/runtimes/scenarios.sh
. "$here/scenarios.sh"
# shellcheck source=tests/runtimes/meta.sh
. "$here/meta.sh"
# shellcheck source=tests/runtimes/audit.sh
. "$here/audit.sh"

scenario=setup
if [ "$(id -u)" -ne 0 ]; then
	echo "runtimes: needs root"
	echo "runtimes: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
for tool in jq unshare nsenter busybox; do
	command -v "$tool" >/dev/null || { echo "runtimes: $tool is missing (scripts/deps.sh test)"; exit 1; }
done

T=$(mktemp -d /tmp/nstrace-runtimes.XXXXXX)
D=$T/docker
tag=nstrace-rt-$$
runc_ids=
crun_ids=

finished=false
cleanup() {
	status=$?
	set +e
	trap - EXIT HUP INT PIPE TERM
	if ! $finished; then
		echo "FAIL: $scenario: stopped early (exit $status)"
		echo "runtimes: $passed passed, $((failed + 1)) failed, $skipped skipped"
	fi
	[ -n "$trace_pid" ] && kill -INT "$trace_pid" 2>/dev/null && wait "$trace_pid" 2>/dev/null
	for id in $runc_ids; do
		runc delete --force "$id" >/dev/null 2>&1
		find /sys/fs/cgroup -maxdepth 4 -type d -name "$id" -exec rmdir {} + 2>/dev/null
	done
	for id in $crun_ids; do
		crun delete --force "$id" >/dev/null 2>&1
		find /sys/fs/cgroup -maxdepth 4 -type d -name "$id" -exec rmdir {} + 2>/dev/null
	done
	docker_down
	podman_down
	containerd_down
	end_tracked
	# after end_tracked: a container's cgroups go only once its processes are gone
	lxc_down
	unmount_under "$T"
	rm -rf "$T"
}
trap cleanup EXIT
# a signal's default action would skip the EXIT trap: turn each into an exit
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

# A busybox root file system, as a directory for runc, crun and lxc and a tarball for docker import.
R=$T/rootfs
mkdir -p "$R/bin" "$R/proc" "$R/sys" "$R/dev" "$R/tmp" "$R/etc" "$R/root"
cp "$(command -v busybox)" "$R/bin/busybox"
chroot "$R" /bin/busybox --install -s /bin
tar -C "$R" -cf "$T/rootfs.tar" .

for group in $groups; do
	case $group in
	unshare) scenario_unshare; scenario_unshare_unforked; scenario_lost ;;
	runc) scenario_runc_run; scenario_runc_lifecycle ;;
	crun) scenario_crun_run; scenario_crun_lifecycle ;;
	lxc) scenario_lxc_execute; scenario_lxc_start ;;
	docker) scenario_docker_run; scenario_docker_run --init; scenario_docker_exec; scenario_docker_kill ;;
	sharing)
		scenario_docker_pid_host; scenario_docker_pid_of_another; scenario_docker_host_types
		scenario_runc_pod; scenario_crun_pid_host
		;;
	podman) scenario_podman_pid_host ;;
	nspawn) scenario_nspawn ;;
	existing) scenario_existing; scenario_existing_shared ;;
	bad-proc) scenario_bad_proc ;;
	bundle-safety) scenario_bundle_safety ;;
	meta)
		scenario_meta_docker; scenario_filter_live; scenario_docker_liar slow; scenario_docker_liar garbage
		scenario_meta_containerd; scenario_meta_runc_pod; scenario_docker_gone
		;;
	audit)
		scenario_audit_docker; scenario_audit_rootless; scenario_audit_loginuid; scenario_audit_capgain
		scenario_audit_escape
		;;
	*) echo "runtimes: unknown scenario group $group"; exit 2 ;;
	esac
done

finished=true
echo "runtimes: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
