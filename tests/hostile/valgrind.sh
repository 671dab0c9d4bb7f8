#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#
# The replay path under valgrind: made-up recordings (every record kind,
# and a pid namespace that returns after lost exits), damaged copies of
# one, and, as root, a live recording of a hostile container.
# Usage: tests/hostile/valgrind.sh NSTRACE TOOLS_DIR
set -u
nstrace=$(realpath "${1:?usage: valgrind.sh NSTRACE TOOLS_DIR}")
tools=$(realpath "${2:?usage: valgrind.sh NSTRACE TOOLS_DIR}")
valgrind="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
passed=0 failed=0 skipped=0
work=$(mktemp -d /tmp/nstrace-valgrind.XXXXXX)
ns_pid=
trap '[ -n "$ns_pid" ] && kill -KILL "$ns_pid" 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

result() { # NAME OK
	if [ "$2" -eq 1 ]; then
		echo "PASS: $1"
		passed=$((passed + 1))
	else
		echo "FAIL: $1"
		failed=$((failed + 1))
	fi
}

# Clean under valgrind in text and in JSON with raw events, and the JSON is valid.
replay_clean() { # NAME FILE
	local ok=1 rc
	for mode in "" "--json --events"; do
		# shellcheck disable=SC2086
		$valgrind "$nstrace" replay $mode "$2" >"$work/out" 2>"$work/err"
		rc=$?
		if [ "$rc" -ne 0 ]; then
			echo "  replay $mode: exit $rc"
			sed 's/^/    /' "$work/err" | head -20
			ok=0
		fi
	done
	"$tools/jsonl-check" "$work/out" >/dev/null || ok=0
	result "valgrind: replay of $1" "$ok"
}

"$tools/mkrec" "$work/synthetic.rec" && "$tools/mkrec" --reuse "$work/reuse.rec" || exit 1
replay_clean "every record kind" "$work/synthetic.rec"
replay_clean "a pid namespace returning after lost exits" "$work/reuse.rec"

NSTRACE_WRAPPER=$valgrind "$tools/replay-damage" --quick "$nstrace" "$work/synthetic.rec" >"$work/damage"
rc=$?
sed 's/^/  /' "$work/damage"
result "valgrind: damaged recordings" "$([ "$rc" -eq 0 ] && echo 1 || echo 0)"

if [ "$(id -u)" -eq 0 ]; then
	mkdir "$work/d"
	"$nstrace" --record "$work/live.rec" -o /dev/null 2>"$work/live.err" &
	ns_pid=$!
	for _ in $(seq 300); do grep -q ready "$work/live.err" && break; sleep 0.1; done
	"$tools/hostile-exec" "$work/d"
	unshare --pid --fork true
	kill -INT "$ns_pid"
	wait "$ns_pid"
	ns_pid=
	echo "  live recording: $(stat -c %s "$work/live.rec") bytes"
	replay_clean "a live recording of a hostile container" "$work/live.rec"
else
	echo "SKIP: valgrind: replay of a live recording (needs root)"
	skipped=$((skipped + 1))
fi
echo "valgrind: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
