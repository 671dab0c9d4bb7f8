#!/bin/sh
# Boots each kernel of tests/vm/kernels (or only the NAMEs given) under QEMU
# with the initramfs, one guest at a time, and prints a kernel x check
# table and the closing line "vm: N passed, N failed, N skipped".
# Usage: tests/vm/run-matrix.sh CACHE INITRAMFS [NAME...]
# NSTRACE_VM_TIMEOUT: seconds one guest may run (default 420).
# NSTRACE_VM_CHECKS: the checks to run (default: all of them).
# NSTRACE_VM_FETCH_TRIES: fetch attempts per kernel (default 3); the
# mirror fails now and then on a first fetch, and a retry gets through.
# NSTRACE_VM_BOOT_TRIES: boots per kernel (default 3) while a guest's
# kernel panics before the initramfs runs (QEMU's TCG now and then trips
# a kernel early in its boot, before nstrace exists in it); a guest that
# reached the init is never booted again, whatever happened after.
# Every failure names its kernel and step (fetch, boot, check) and the
# console log to read.
set -eu

[ $# -ge 2 ] || { echo "usage: $0 CACHE INITRAMFS [NAME...]" >&2; exit 2; }
cache=$1 initramfs=$2
shift 2
here=$(dirname "$0")
timeout_s=${NSTRACE_VM_TIMEOUT:-420}
fetch_tries=${NSTRACE_VM_FETCH_TRIES:-3}
boot_tries=${NSTRACE_VM_BOOT_TRIES:-3}
checks=${NSTRACE_VM_CHECKS:-fentry tracepoint sys-exit auto profile}
logs=$(dirname "$initramfs")/logs

if [ $# -eq 0 ]; then
	# shellcheck disable=SC2046 # one kernel name a word
	set -- $(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/kernels" | awk '{ print $1 }')
fi
mkdir -p "$cache" "$logs"

# qemu_pid is timeout's: it passes TERM on to QEMU, where KILL would orphan it.
qemu_pid=
cleanup() {
	if [ -n "$qemu_pid" ]; then
		kill -TERM "$qemu_pid" 2>/dev/null || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# "run-matrix: FAIL kernel NAME, step STEP: WHY", with the console log where there is one.
fail_step() {
	echo "run-matrix: FAIL kernel $name, step $1: $2${3:+; console log: $3}" >&2
}

# fetch-kernel.sh with retries, waiting 5 s, then 15 s, ... between tries;
# prints the kernel directory.
fetch() {
	try=1 wait_s=5
	while :; do
		if "$here/fetch-kernel.sh" "$cache" "$suite" "$package" 2>"$log.fetch"; then
			cat "$log.fetch" >&2
			return 0
		fi
		cat "$log.fetch" >&2
		[ "$try" -lt "$fetch_tries" ] || return 1
		echo "run-matrix: $name: fetch try $try of $fetch_tries failed; again in ${wait_s}s" >&2
		sleep "$wait_s"
		try=$((try + 1)) wait_s=$((wait_s * 3))
	done
}

# The guest's "nstrace-vm: result CHECK pass|fail SECONDS ..." as "pass (SECONDS s)".
guest_result() {
	sed -n "s/^nstrace-vm: result $1 \\([a-z]*\\) \\([0-9.]*\\).*/\\1 (\\2s)/p" "$log" 2>/dev/null |
		tr -d '\r' | head -n 1
}

passed=0 failed=0 skipped=0
table=$(printf '%-8s %-30s' kernel image)
for check in $checks; do
	table=$table$(printf ' %-13s' "$check")
done
table="$table seconds"

for name in "$@"; do
	entry=$(sed 's/#.*//' "$here/kernels" | awk -v n="$name" '$1 == n')
	if [ -z "$entry" ]; then
		echo "run-matrix: no kernel $name in $here/kernels" >&2
		exit 2
	fi
	suite=$(echo "$entry" | awk '{ print $2 }')
	package=$(echo "$entry" | awk '{ print $3 }')
	skips=$(echo "$entry" | awk '{ $1 = $2 = $3 = ""; print }')
	guest_checks=
	for check in $checks; do
		case " $skips " in
		*" -$check "*) ;;
		*) guest_checks=$guest_checks${guest_checks:+,}$check ;;
		esac
	done

	log=$logs/$name.log
	rm -f "$log" "$log.qemu" "$log.fetch"
	image=- seconds=-
	if kdir=$(fetch); then
		image=$(basename "$kdir" | sed 's/_.*//; s/^linux-image-//')
		boot=1
		while :; do
			start=$(date +%s)
			timeout --kill-after=10 "$timeout_s" qemu-system-x86_64 \
				-accel tcg -cpu max -smp 2 -m 1G \
				-nographic -no-reboot -monitor none -serial "file:$log" \
				-kernel "$kdir/vmlinuz" -initrd "$initramfs" \
				-append "console=ttyS0 panic=-1 quiet nstrace.checks=$guest_checks" \
				</dev/null >"$log.qemu" 2>&1 &
			qemu_pid=$!
			rc=0
			wait "$qemu_pid" || rc=$?
			qemu_pid=
			if [ "$boot" -ge "$boot_tries" ] || grep -q '^nstrace-vm: kernel' "$log" ||
				! grep -q 'Kernel panic' "$log"; then
				break
			fi
			echo "run-matrix: $name: the kernel panicked before the init ran ($(grep -m 1 -e 'Oops' \
				-e 'Kernel panic' "$log" | tr -d '\r')); boot $((boot + 1)) of $boot_tries" >&2
			cp "$log" "$log.boot$boot"
			boot=$((boot + 1))
		done
		seconds=$(($(date +%s) - start))
		if [ "$rc" -ne 0 ]; then
			fail_step boot "qemu exited with $rc after ${seconds}s (timeout ${timeout_s}s; QEMU's own output in $log.qemu)" "$log"
		elif ! grep -q '^nstrace-vm: done' "$log"; then
			fail_step boot "the guest did not finish" "$log"
		fi
	else
		fail_step fetch "no kernel from $suite for $package after $fetch_tries tries ($(tail -n 1 "$log.fetch" 2>/dev/null))" "$log.fetch"
	fi

	row=$(printf '%-8s %-30s' "$name" "$image")
	for check in $checks; do
		case ",$guest_checks," in
		*",$check,"*) cell=$(guest_result "$check") ;;
		*) cell=skipped ;;
		esac
		case $cell in
		pass*) passed=$((passed + 1)) ;;
		skipped) skipped=$((skipped + 1)) ;;
		*)
			failed=$((failed + 1))
			if [ -z "$cell" ]; then
				cell=missing
				fail_step "check $check" "the guest reported no result" "$log"
			fi
			;;
		esac
		row=$row$(printf ' %-13s' "$cell")
	done
	table="$table
$row $seconds"
	for check in $(sed -n 's/^nstrace-vm: result \([^ ]*\) fail.*/\1/p' "$log" 2>/dev/null | tr -d '\r'); do
		fail_step "check $check" "$(sed -n "s/^nstrace-vm: result $check fail \([0-9.]*\) \(.*\)/\2 after \1 s/p" "$log" | tr -d '\r')" "$log"
	done
	if grep -q '^nstrace-vm: result [a-z-]* fail' "$log" 2>/dev/null; then
		echo "run-matrix: $name: guest console:" >&2
		grep '^nstrace-vm:' "$log" | tr -d '\r' | sed 's/^/    /' >&2
	fi
done

echo "$table"
echo "vm: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
