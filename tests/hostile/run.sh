#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#
# nstrace under hostile input, overload and long runs. Needs root.
# Usage: tests/hostile/run.sh NSTRACE TOOLS_DIR [SUBTEST...]
#   SUBTEST: strings signals sigpipe disk privileges nobtf replay loss churn
#            (default: all of them)
# CHURN=N containers for the churn test (default 10000).
# NSTRACE_QUIET_HOST=1: nothing else on the host creates events, so the
# loss test may demand that every dropped event is one of the storm's.
# NSTRACE_STOP_LIMIT_MS: how soon a signal must end nstrace under load
# (default 1000; sanitizer builds exit slower).
# The sh -c scripts below expand their arguments in the inner shell.
# shellcheck disable=SC2016
set -u
export LC_ALL=C

nstrace=$(realpath "${1:?usage: run.sh NSTRACE TOOLS_DIR [SUBTEST...]}")
tools=$(realpath "${2:?usage: run.sh NSTRACE TOOLS_DIR [SUBTEST...]}")
shift 2
subtests=${*:-strings signals sigpipe disk privileges nobtf replay loss churn}
churn=${CHURN:-10000}
stop_limit_ms=${NSTRACE_STOP_LIMIT_MS:-1000}

passed=0 failed=0 skipped=0
work=$(mktemp -d /tmp/nstrace-hostile.XXXXXX)
children=()
cgroup_dirs=()

cleanup() {
	for pid in "${children[@]}"; do
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	children=()
	for dir in "${cgroup_dirs[@]}"; do
		rmdir "$dir" 2>/dev/null
	done
	cgroup_dirs=()
}
trap 'cleanup; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# ---- reporting: a subtest is a function; expect records its failures ----

ok=1
expect() {
	local what=$1
	shift
	if ! "$@"; then
		echo "  failed: $what"
		ok=0
	fi
}

run_subtest() {
	local name=$1
	shift
	ok=1
	"$@"
	local rc=$?
	cleanup
	if [ "$rc" -eq 77 ]; then
		echo "SKIP: $name"
		skipped=$((skipped + 1))
	elif [ "$ok" -eq 1 ] && [ "$rc" -eq 0 ]; then
		echo "PASS: $name"
		passed=$((passed + 1))
	else
		echo "FAIL: $name"
		failed=$((failed + 1))
	fi
}

# ---- nstrace as a background child ----

ns_pid=
ns_prefix=()
start_nstrace() { # OUT ERR ARGS..., run under ns_prefix if set
	local out=$1 err=$2
	shift 2
	# Gone before the start: the child truncates them only once it runs, so
	# a "ready" left by an earlier run would pass for this one's. The
	# output is a new file too: ext4 writes back a file emptied by truncation
	# when it is closed, which would add the disk's time to the stop's.
	rm -f "$out" "$err"
	"${ns_prefix[@]}" "$nstrace" "$@" >"$out" 2>"$err" &
	ns_pid=$!
	children+=("$ns_pid")
	for _ in $(seq 300); do
		grep -q 'ready' "$err" && return 0
		kill -0 "$ns_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "  nstrace did not get ready:"
	sed 's/^/    /' "$err" | head -5
	return 1
}

ns_rc='' ns_stop_ms=''
stop_nstrace() { # SIGNAL
	local t0 t1 watchdog
	t0=$(date +%s%N)
	kill -"$1" "$ns_pid"
	(sleep 10 && kill -KILL "$ns_pid" 2>/dev/null) &
	watchdog=$!
	wait "$ns_pid"
	ns_rc=$?
	t1=$(date +%s%N)
	kill "$watchdog" 2>/dev/null
	wait "$watchdog" 2>/dev/null
	ns_stop_ms=$(((t1 - t0) / 1000000))
}

json_valid() { # FILE...
	local why
	why=$("$tools/jsonl-check" "$@" 2>&1 >/dev/null) && return 0
	echo "  $why"
	return 1
}

# No byte a terminal could act on: controls (but the line feeds that end lines), DEL, non-ASCII.
no_raw_controls() { # FILE
	local hits
	hits=$(grep -caP '[\x00-\x09\x0b-\x1f\x7f-\xff]' "$1")
	[ "$hits" -eq 0 ] && return 0
	echo "  $hits lines of $1 hold raw control or non-ASCII bytes:"
	grep -naP '[\x00-\x09\x0b-\x1f\x7f-\xff]' "$1" | head -3 | od -c | head -8
	return 1
}

jq_true() { # FILE FILTER [jq args]: the filter, over all records, yields true
	local file=$1 filter=$2
	shift 2
	[ "$(jq -s "$@" "$filter" "$file" 2>&1)" = true ]
}

# ---- hostile strings ----

# A cgroup named as lxc names its containers, with hostile bytes in the name;
# its JSON decoding and its text escaping.
cg_name=$(printf 'lxc.payload.\033]2;t\007"\\\377\342\200\256\r')
cg_id_json='"\u001b]2;t\u0007\"\\\ufffd\u202e\r"'
cg_id_text='\x1b]2;t\x07"\\\xff\xe2\x80\xae\x0d'

cgroup2_root() {
	awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts
}

# A container whose processes sit in the hostile cgroup; prints its pid 1's host pid.
start_cgroup_container() {
	local root cg pid child
	root=$(cgroup2_root)
	[ -n "$root" ] || return 1
	cg="$root/$cg_name"
	mkdir "$cg" || return 1
	cgroup_dirs+=("$cg")
	CG="$cg" sh -c 'echo $$ > "$CG/cgroup.procs" && exec unshare --pid --fork --kill-child sleep 600' &
	pid=$!
	children+=("$pid")
	for _ in $(seq 100); do
		child=$(pgrep -P "$pid" sleep) && break
		sleep 0.05
	done
	[ -n "$child" ]
}

check_strings_json() {
	local out=$work/strings.json err=$work/strings.err exp dir=$work/d
	exp=$("$tools/hostile-exec" --expect)
	mkdir -p "$dir"
	expect "a container in a hostile cgroup starts" start_cgroup_container
	start_nstrace "$out" "$err" --json --events || return 1
	expect "hostile-exec runs" "$tools/hostile-exec" "$dir"
	stop_nstrace INT
	expect "nstrace exits 0" [ "$ns_rc" -eq 0 ]
	expect "every stdout and stderr line is strict JSON" json_valid "$out" "$err"

	local lxc='map(select(.type == "container_create" and .origin == "unshare" and .runtime == "lxc"))'
	expect "one lxc container made with unshare" jq_true "$out" "$lxc | length == 1"
	expect "its ID from a hostile argv decodes exactly" \
		jq_true "$out" "$lxc | .[0].container_id == \$e.runtime_id" --argjson e "$exp"
	expect "its creator's hostile comm decodes exactly" \
		jq_true "$out" "$lxc | .[0].creator.comm == \$e.creator_comm" --argjson e "$exp"

	local exe="($lxc | .[0].container) as \$c | map(select(.type == \"container_exec\" and .container == \$c))[0]"
	expect "pid 1's exec: hostile comm from the symlink's name" \
		jq_true "$out" "$exe | .comm == \$e.exec_comm" --argjson e "$exp"
	expect "pid 1's exec: hostile filename" \
		jq_true "$out" "$exe | .filename == \$d + \"/\" + \$e.link_name" --argjson e "$exp" --arg d "$dir"
	expect "pid 1's exec: hostile argv decodes exactly" \
		jq_true "$out" "$exe | .argv[1:9] == \$e.args" --argjson e "$exp"
	expect "pid 1's exec: the 4 KiB arguments are cut and flagged" \
		jq_true "$out" "$exe | .argv_truncated and (.argv | length) == 10 and (.argv[9] | startswith(\"\u00e9\u001b\"))"
	expect "pid 1's exit event: hostile comm decodes exactly" \
		jq_true "$out" "map(select(.type == \"exit\" and .comm == \$e.exit_comm)) | length == 1" --argjson e "$exp"
	expect "the container in the hostile cgroup has its ID decoded exactly" \
		jq_true "$out" "map(select(.type == \"container_create\" and .origin == \"existing\" and .container_id == $cg_id_json)) | length == 1"
}

check_strings_text() {
	local out=$work/strings.txt err=$work/strings.err dir=$work/d
	mkdir -p "$dir"
	expect "a container in a hostile cgroup starts" start_cgroup_container
	start_nstrace "$out" "$err" --events || return 1
	expect "hostile-exec runs" "$tools/hostile-exec" "$dir"
	stop_nstrace TERM
	expect "nstrace exits 0" [ "$ns_rc" -eq 0 ]
	expect "no raw control byte on stdout" no_raw_controls "$out"
	expect "no raw control byte on stderr" no_raw_controls "$err"
	# Escaped, each string stays on the one line of its record.
	expect "the creator's comm, escaped" \
		grep -qF '/\x1b]0;pwn\x07\x0a"\\\xff\xfe\x0d\x1b ns=' "$out"
	expect "pid 1's argv, escaped, on its exec line" \
		grep -qF '" \x1b[31mred\x1b[0m line1\x0aline2\x0d\x0a "quote\"back\\slash'"'"'" "\xff\xfe invalid \xc3("' "$out"
	expect "the cgroup-named ID, escaped" grep -qF "id=$cg_id_text " "$out"
}

check_unwritable_name() {
	local err=$work/name.err
	"$nstrace" -o "$work/missing/$(printf '\033[2J\n\r')x" 2>"$err"
	expect "exit status 1" [ $? -eq 1 ]
	expect "the message names the file, escaped" grep -qF 'missing/\x1b[2J\x0a\x0dx' "$err"
	expect "no raw control byte in the message" no_raw_controls "$err"
}

# ---- signals under load ----

start_storm() { # WORKERS FORKS OUT
	"$tools/storm" "$1" "$2" >"$3" &
	storm_pid=$!
	children+=("$storm_pid")
}

# nstrace shares one CPU, at a lower priority, with a storm of four workers,
# and the signal finds it seconds behind: it was stopped while the storm went
# on. Reading all of that backlog would take seconds at nstrace's share of
# the CPU, so a stop that waits for the ring to run dry misses the limit, and
# one that stops reading in time says so.
check_stop_under_load() { # SIGNAL
	local out=$work/stop-$1.json err=$work/stop-$1.err
	ns_prefix=(taskset -c 0 nice -n 10)
	start_nstrace "$out" "$err" --json --events
	local started=$?
	ns_prefix=()
	[ "$started" -eq 0 ] || return 1
	taskset -c 0 "$tools/storm" 4 10000000 >"$work/storm.out" &
	children+=($!)
	sleep 2
	kill -STOP "$ns_pid"
	sleep 3
	kill -CONT "$ns_pid"
	stop_nstrace "$1"
	echo "  SIG$1 under a fork storm, 3 s behind: exit $ns_rc after $ns_stop_ms ms"
	expect "exit status 0" [ "$ns_rc" -eq 0 ]
	expect "ends within $stop_limit_ms ms" [ "$ns_stop_ms" -lt "$stop_limit_ms" ]
	expect "says it left events from before the stop unread" \
		grep -q '"stopped with events from before the stop still unread in the ring buffer"' "$err"
	expect "output and diagnostics are JSON" json_valid "$out" "$err"
	expect "the summary is written last" jq_true "$out" '.[-1].type == "summary" and .[-1].events > 0'
}

check_sigpipe() {
	local err=$work/pipe.err rc
	start_storm 2 10000000 "$work/storm.out"
	rc=$( (timeout -s KILL 30 "$nstrace" --events 2>"$err"; echo $? >"$work/pipe.rc") | head -n 2 >/dev/null
		cat "$work/pipe.rc")
	echo "  nstrace --events | head -n 2: exit $rc"
	expect "ends by SIGPIPE or with status 0, not by the watchdog" [ "$rc" -eq 141 -o "$rc" -eq 0 ]
	expect "says nothing about it" bash -c "! grep -v -e '^nstrace: hooks: ' -e '^nstrace: ready$' '$err'"
}

# ---- full disk and unwritable files ----

# nstrace ARGS in a mount namespace where DIR is a 64 KiB tmpfs.
on_tiny_tmpfs() { # DIR ARGS...
	local dir=$1
	shift
	unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs "$1" && shift && exec "$@"' sh "$dir" \
		"$nstrace" "$@"
}

check_full_disk() { # what ARGS... (DIR stands for the tmpfs)
	local what=$1 dir=$work/tiny err=$work/disk.err rc
	shift
	mkdir -p "$dir"
	start_storm 2 10000000 "$work/storm.out"
	on_tiny_tmpfs "$dir" -d 20 "${@//DIR/$dir}" 2>"$err"
	rc=$?
	echo "  $what on a full tmpfs: exit $rc, $(grep error "$err" | head -1)"
	expect "exit status 1" [ "$rc" -eq 1 ]
	expect "says the disk is full" grep -q "error: writing .*No space left on device" "$err"
}

check_unwritable() {
	local err=$work/unw.err ro=$work/ro
	"$nstrace" -o "$work" 2>"$err"
	expect "-o DIRECTORY: exit status 1" [ $? -eq 1 ]
	expect "-o DIRECTORY: says why" grep -q "cannot open output file $work: Is a directory" "$err"
	mkdir -p "$ro"
	unshare -m sh -c 'mount --bind -o ro "$1" "$1" && exec "$2" --record "$1/rec"' sh "$ro" "$nstrace" 2>"$err"
	expect "--record on a read-only mount: exit status 1" [ $? -eq 1 ]
	expect "--record on a read-only mount: says why" \
		grep -q "cannot open recording $ro/rec: Read-only file system" "$err"
}

# ---- privileges and kernel ----

check_nobody() {
	local err=$work/priv.err
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$nstrace" 2>"$err"
	expect "exit status 1" [ $? -eq 1 ]
	expect "names CAP_BPF" grep -q "error: missing capabilities CAP_BPF and CAP_PERFMON" "$err"
}

check_root_without_bpf() {
	local err=$work/priv.err
	setpriv --bounding-set=-bpf,-sys_admin --inh-caps=-all "$nstrace" 2>"$err"
	expect "exit status 1" [ $? -eq 1 ]
	expect "names CAP_BPF" grep -q "error: missing capability CAP_BPF (or CAP_SYS_ADMIN)" "$err"
}

# libbpf looks for BTF in sysfs, then for a vmlinux in /boot, /lib/modules and
# /usr/lib/debug: all of them are covered by empty tmpfs in a mount namespace.
check_no_btf() {
	local err=$work/btf.err rc
	unshare -m sh -c 'for d in /sys/kernel/btf /boot /lib/modules /usr/lib/modules /usr/lib/debug; do
			[ -d "$d" ] && { mount -t tmpfs -o size=4k,ro tmpfs "$d" || exit 9; }
		done; exec "$0" --json' "$nstrace" 2>"$err"
	rc=$?
	echo "  $(grep error "$err")"
	expect "exit status 1" [ "$rc" -eq 1 ]
	expect "stderr is JSON, libbpf's own words too" json_valid "$err"
	expect "says the kernel has no BTF" \
		grep -q '"error".*cannot use auto hooks: the kernel has no BTF (/sys/kernel/btf/vmlinux: No such file' "$err"
}

check_bad_btf() {
	local err=$work/btf.err rc
	unshare -m sh -c 'mount --bind /dev/null /sys/kernel/btf/vmlinux && exec "$0"' "$nstrace" 2>"$err"
	rc=$?
	echo "  $(grep error "$err")"
	expect "exit status 1" [ "$rc" -eq 1 ]
	expect "says the BTF is not valid" grep -q "error: .*/sys/kernel/btf/vmlinux: not valid BTF" "$err"
}

# ---- damaged replays ----

check_replay_damage() {
	local out=$work/damage.out
	"$tools/mkrec" "$work/synthetic.rec" || return 1
	"$tools/replay-damage" "$nstrace" "$work/synthetic.rec" >"$out"
	expect "replay-damage passes" [ $? -eq 0 ]
	sed 's/^/    /' "$out"
}

check_record_roundtrip() {
	local out=$work/live.json err=$work/live.err rec=$work/live.rec dir=$work/d
	mkdir -p "$dir"
	start_nstrace "$out" "$err" --json --events --record "$rec" || return 1
	"$tools/hostile-exec" "$dir"
	stop_nstrace INT
	expect "nstrace exits 0" [ "$ns_rc" -eq 0 ]
	"$nstrace" replay --json --events "$rec" >"$work/replayed.json" 2>"$work/replayed.err"
	expect "replay exits 0" [ $? -eq 0 ]
	expect "replay prints what the live session printed" cmp -s "$out" "$work/replayed.json"
}

# ---- loss ----

# The storm's events are the raw events with its comm (--comm keeps only those)
# but for the storm's own exit. The kernel's drop counter counts every event
# the ring had no room for, the host's too: the storm's share of the reported
# loss is generated - received, the rest belongs to whatever else ran.
check_loss() {
	local out=$work/loss.json err=$work/loss.err w ns generated storm received lost
	start_nstrace "$out" "$err" --json --events --comm nsstorm --ringbuf-kb 4 || return 1
	unshare --pid --fork --kill-child sleep 600 &
	w=$!
	children+=("$w")
	sleep 0.5
	ns=$(stat -L -c %i "/proc/$(pgrep -P "$w" sleep)/ns/pid") || return 1
	# the reader sleeps through the storm, so the ring overflows however fast the machine reads
	kill -STOP "$ns_pid"
	"$tools/storm" 4 10000 >"$work/storm.out" || { kill -CONT "$ns_pid"; return 1; }
	kill -CONT "$ns_pid"
	read -r _ storm _ generated <"$work/storm.out"
	# unshare --fork ignores SIGTERM while it waits; --kill-child takes pid 1 along
	kill -KILL "$w"
	wait "$w" 2>/dev/null
	sleep 1
	stop_nstrace INT
	expect "nstrace exits 0" [ "$ns_rc" -eq 0 ]
	expect "output is JSON" json_valid "$out" "$err"
	received=$(jq -s --argjson s "$storm" 'map(select(.comm == "nsstorm" and .time_ns and .pid != $s)) | length' "$out")
	lost=$(jq -s '.[-1].lost' "$out")
	echo "  storm generated $generated, received $received, storm lost $((generated - received)); reported lost $lost (host-wide), other events lost $((lost - (generated - received)))"
	expect "the storm overflowed the ring" [ "$received" -lt "$generated" ]
	expect "reported loss covers the storm's: $lost >= $generated - $received" \
		[ "$lost" -ge $((generated - received)) ]
	expect "lost records add up to the summary" \
		jq_true "$out" '(map(select(.type == "lost") | .count) | add) == .[-1].lost'
	if [ "${NSTRACE_QUIET_HOST:-0}" = 1 ]; then
		expect "quiet host: reported loss is the storm's exactly" [ "$lost" -eq $((generated - received)) ]
	fi
	expect "the container alive through the loss ends incomplete" \
		jq_true "$out" "map(select(.pidns == $ns and (.type | startswith(\"container\"))))[-1].incomplete == true"
}

# ---- churn ----

rss_of() { # PID: "VmRSS RssAnon" in kB
	awk '/^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 } END { print r, a }' "/proc/$1/status"
}

check_churn() {
	local out=$work/churn.json err=$work/churn.err warm=$((churn / 10)) t0 t1 base end
	[ "$warm" -ge 100 ] || warm=100
	start_nstrace "$out" "$err" --json || return 1
	for i in $(seq "$warm"); do unshare --pid --fork true nswarm; done
	sleep 0.5
	base=$(rss_of "$ns_pid")
	t0=$(date +%s%N)
	for i in $(seq "$churn"); do unshare --pid --fork true "nschurn-$i"; done
	t1=$(date +%s%N)
	sleep 0.5
	end=$(rss_of "$ns_pid")
	stop_nstrace INT
	local rss0 anon0 rss1 anon1
	read -r rss0 anon0 <<<"$base"
	read -r rss1 anon1 <<<"$end"
	echo "  $churn containers in $(((t1 - t0) / 1000000)) ms; nstrace VmRSS $rss0 -> $rss1 kB, RssAnon $anon0 -> $anon1 kB (after $warm to warm up)"
	expect "nstrace exits 0" [ "$ns_rc" -eq 0 ]
	expect "output is JSON" json_valid "$out" "$err"
	expect "VmRSS within 10% of the warmed-up baseline" [ "$rss1" -le $((rss0 * 110 / 100)) ]

	# Each container is known by the argument its pid 1 ran with.
	jq -c 'select(.type | startswith("container_")) | select(.container) |
		[.type, .container, (.argv[1]? // ""), .pidns, .generation, .incomplete, (.execs // 0)]' \
		"$out" >"$work/churn.rows"
	local summary
	summary=$(jq -s --argjson n "$churn" '
		(map(select(.[0] == "container_exec" and (.[2] | startswith("nschurn-")))) ) as $ex |
		($ex | map(.[1]) | unique) as $mine |
		(map(select(.[1] as $c | $mine | bsearch($c) >= 0))) as $rows |
		{
			execs: ($ex | length),
			distinct_args: ($ex | map(.[2]) | unique | length),
			containers: ($mine | length),
			created: ($rows | map(select(.[0] == "container_create")) | length),
			destroyed: ($rows | map(select(.[0] == "container_destroy")) | length),
			one_exec_each: ($rows | map(select(.[0] == "container_destroy" and .[6] != 1)) | length == 0),
			incomplete: ($rows | map(select(.[5])) | map(.[1]) | unique | length),
			generations: ($rows | map(select(.[0] == "container_create") | [.[3], .[4]]) | unique | length),
			pidns_inodes: ($rows | map(.[3]) | unique | length)
		}' "$work/churn.rows")
	echo "  $(jq -c . <<<"$summary")"
	local field
	for field in execs distinct_args containers created destroyed generations; do
		expect "$field == $churn" [ "$(jq ".$field" <<<"$summary")" -eq "$churn" ]
	done
	expect "each container had exactly its one exec: none merged" [ "$(jq .one_exec_each <<<"$summary")" = true ]
	if [ "$(jq -s '.[-1].lost' "$out")" -eq 0 ]; then
		expect "no loss, nothing incomplete" [ "$(jq .incomplete <<<"$summary")" -eq 0 ]
	fi
}

# ---- main ----

[ "$(id -u)" -eq 0 ] || { echo "run.sh needs root"; echo "hostile: 0 passed, 0 failed, 1 skipped"; exit 0; }

for t in $subtests; do
	case $t in
	strings)
		run_subtest "strings: JSON output decodes hostile names, argv, filenames and cgroups exactly" check_strings_json
		run_subtest "strings: text output escapes every control byte" check_strings_text
		run_subtest "strings: a hostile file name in an error is escaped" check_unwritable_name
		;;
	signals)
		run_subtest "signals: SIGINT under load flushes and exits 0 in time" check_stop_under_load INT
		run_subtest "signals: SIGTERM under load flushes and exits 0 in time" check_stop_under_load TERM
		;;
	sigpipe) run_subtest "signals: nstrace | head ends quietly" check_sigpipe ;;
	disk)
		run_subtest "disk: -o on a full disk is a clear error" check_full_disk "-o" --events -o DIR/out
		run_subtest "disk: --record on a full disk is a clear error" check_full_disk "--record" -o /dev/null --record DIR/rec
		run_subtest "disk: unwritable -o and --record are clear errors" check_unwritable
		;;
	privileges)
		run_subtest "privileges: nobody exits 1 naming CAP_BPF" check_nobody
		run_subtest "privileges: root without CAP_BPF exits 1 naming it" check_root_without_bpf
		;;
	nobtf)
		run_subtest "kernel: no BTF anywhere is a clear error" check_no_btf
		run_subtest "kernel: BTF that does not parse is a clear error" check_bad_btf
		;;
	replay)
		run_subtest "replay: damaged recordings fail at their offset, never crash" check_replay_damage
		run_subtest "replay: a hostile live recording replays byte for byte" check_record_roundtrip
		;;
	loss) run_subtest "loss: a storm through a 4 KiB ring is counted and marks containers incomplete" check_loss ;;
	churn) run_subtest "churn: $churn containers in a row, each created and destroyed, memory flat" check_churn ;;
	*)
		echo "unknown subtest $t"
		exit 2
		;;
	esac
done
echo "hostile: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
