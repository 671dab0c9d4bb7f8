#!/bin/sh
# Runs each unit test binary given and adds up their closing lines.
set -u
passed=0 failed=0 skipped=0 status=0
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
	printf '%s\n' "$out" | grep -v '^[0-9]* passed' 
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL: $t ended without a summary (exit $rc)"
		failed=$((failed + 1)); status=1; continue
	fi
	set -- $line
	passed=$((passed + $1)); failed=$((failed + $3)); skipped=$((skipped + ${5:-0}))
	[ "$rc" -eq 0 ] || status=1
done
echo "unit: $passed passed, $failed failed, $skipped skipped"
exit $status
