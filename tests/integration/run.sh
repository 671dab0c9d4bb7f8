#!/bin/sh
# Runs the integration driver once per hook mode and adds up its closing lines.
# Usage: tests/integration/run.sh [NSTRACE [NSTRACE_IT [COMPAT_PROGRAM...]]]
# COMPAT_PROGRAMs enter namespaces through the 32-bit gate (compat32.c).
# NSTRACE_EXPECT_FENTRY=allowed|refused pins what the kernel is expected to do
# with fentry; without it the driver holds --hooks fentry to what auto found.
set -u
nstrace=${1:-./nstrace}
driver=${2:-build/tests/nstrace-it}
compat=
if [ $# -gt 2 ]; then
	shift 2
	for program in "$@"; do
		compat="$compat --compat $program"
	done
fi
expect=${NSTRACE_EXPECT_FENTRY:+--expect-fentry $NSTRACE_EXPECT_FENTRY}
passed=0 failed=0 skipped=0 status=0
for hooks in tracepoint sys-exit auto; do
	echo "== integration, --hooks $hooks"
	# shellcheck disable=SC2086
	out=$("$driver" --nstrace "$nstrace" --hooks "$hooks" $expect $compat 2>&1); rc=$?
	printf '%s\n' "$out" | grep -Ev '^[0-9]+ passed, [0-9]+ failed'
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL: the driver ended without a summary (exit $rc)"
		failed=$((failed + 1)); status=1; continue
	fi
	set -- $line
	passed=$((passed + $1)); failed=$((failed + $3)); skipped=$((skipped + ${5:-0}))
	[ "$rc" -eq 0 ] || status=1
done
echo "integration: $passed passed, $failed failed, $skipped skipped"
exit $status
