#!/bin/sh
# Runs one test program with its arguments and labels its closing line.
# Usage: tests/run-tests.sh LABEL PROGRAM [ARG...]
set -u
label=$1; shift
out=$("$@" 2>&1); rc=$?
printf '%s\n' "$out" | grep -Ev '^[0-9]+ passed, [0-9]+ failed'
line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
if [ -z "$line" ]; then
	echo "FAIL: $1 ended without a summary (exit $rc)"
	echo "$label: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
echo "$label: $line"
exit $rc
