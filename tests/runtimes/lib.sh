# shellcheck shell=sh
# Checks, tracing and clean-up shared by the runtime scenarios. Sourced by run.sh.

passed=0 failed=0 skipped=0

pass() { passed=$((passed + 1)); echo "PASS: $scenario: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $scenario: $1"; }
skip() { skipped=$((skipped + 1)); echo "SKIP: $scenario: $1"; }

# expect WHAT EXPECTED ACTUAL
expect() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1: expected $2, got $3"
	fi
}

# wait_for SECONDS COMMAND...: polls COMMAND until it succeeds; false on timeout.
wait_for() {
	_deadline=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$_deadline" ] || return 1
		sleep 0.1
	done
}

# unmount_under DIR: whatever is still mounted under DIR (dockerd's netns, a rootfs), innermost first.
unmount_under() {
	awk -v t="$1" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r _m; do
		umount -l "$_m"
	done
}

# Processes the scenarios started, ended in cleanup if still there: each is kept with its start
# time, so that a later process that got the same pid is left alone.
bg_pids=
started() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }
track() { bg_pids="$bg_pids $1:$(started "$1")"; }
end_tracked() {
	for _entry in $bg_pids; do
		_pid=${_entry%%:*}
		[ "$(started "$_pid")" = "${_entry#*:}" ] && kill -KILL "$_pid" 2>/dev/null
	done
	bg_pids=
}

trace_pid=
trace_view=
ready() { grep -q '"message":"ready"' "$trace_err"; }
alive() { kill -0 "$1" 2>/dev/null; }

# trace_start NAME [OPTION...]: nstrace --json with a recording, back once it is attached.
trace_start() {
	trace_out=$T/$1.out trace_rec=$T/$1.rec trace_err=$T/$1.err
	shift
	: >"$trace_err"
	# others' workloads share the machine: a large ring buffer keeps their bursts from costing events
	# shellcheck disable=SC2086 # trace_view is a list of options, split on purpose
	"$NSTRACE" --json --ringbuf-kb 65536 --record "$trace_rec" $trace_view "$@" >"$trace_out" 2>"$trace_err" &
	trace_pid=$!
	if ! wait_for 60 ready; then
		fail "nstrace did not get ready: $(cat "$trace_err")"
		trace_stop
		return 1
	fi
}

# trace_events COMM NAME [OPTION...]: trace_start, with the raw events of the processes named COMM
# too; the filter keeps what others run on the machine out of the output.
trace_events() {
	trace_view="--events --comm $1"
	shift
	trace_start "$@"
}

# trace_stop: SIGINT, then the exit status and replay's stdout against the live stdout.
trace_stop() {
	_rc=0
	[ -n "$trace_pid" ] || return 0
	kill -INT "$trace_pid" 2>/dev/null || true
	wait "$trace_pid" || _rc=$?
	trace_pid=
	expect "nstrace exit status" 0 "$_rc"
	grep -q '"type":"summary"' "$trace_out" || fail "no summary line in the output"
	lost=$(jq -r 'select(.type == "summary") | .lost' "$trace_out")
	# every runtime's namespace changes come with their unshare or setns event
	if grep -q 'namespaces changed with no unshare or setns event' "$trace_err"; then
		fail "a namespace change no event explains: $(grep -m 1 'namespaces changed' "$trace_err")"
	else
		pass "no namespace change without its event"
	fi
	# replay is asked for the same view as the live run
	# shellcheck disable=SC2086
	if "$NSTRACE" replay --json $trace_view "$trace_rec" >"$trace_out.replay" 2>"$trace_err.replay" &&
		cmp -s "$trace_out" "$trace_out.replay"; then
		pass "replay prints what live mode printed"
	else
		fail "replay differs from live output: $(diff "$trace_out" "$trace_out.replay" | head -n 5)"
	fi
	trace_view=
}

# --- questions about the lifecycle records of one container (key "cN") in $trace_out ---

# key_of JQ_CONDITION: the container whose container_create matches.
key_of() {
	jq -r "select(.type == \"container_create\" and ($1)) | .container" "$trace_out" | head -n 1
}

# field KEY TYPE JQ_PATH: the first record of TYPE for KEY, that path of it.
field() {
	jq -r --arg k "$1" "select(.type == \"$2\" and .container == \$k) | $3" "$trace_out" | head -n 1
}

# line_of KEY TYPE: the line number of the first record of TYPE for KEY, 0 if none.
line_of() {
	jq -r --arg k "$1" --arg t "$2" '.type == $t and .container == $k' "$trace_out" |
		grep -n true | head -n 1 | cut -d: -f1 | grep . || echo 0
}

# exec_chain KEY: pid 1's execs, one argv per line, in output order.
exec_chain() {
	jq -c --arg k "$1" 'select(.type == "container_exec" and .container == $k and .exec_index != null) | .argv' \
		"$trace_out"
}

# check_lifecycle KEY RUNTIME ID INIT_PID CHAIN EXIT_CODE: what every scenario asserts.
# CHAIN is pid 1's argv per exec, one JSON array a line; ID "-" for none.
check_lifecycle() {
	_k=$1
	if [ -z "$_k" ]; then
		fail "no container_create for the container"
		return
	fi
	expect "runtime" "$2" "$(field "$_k" container_create .runtime)"
	[ "$3" = - ] || expect "container ID" "$3" "$(field "$_k" container_create .container_id)"
	expect "init pid" "$4" "$(field "$_k" container_init .pid)"
	expect "exec chain of pid 1" "$5" "$(exec_chain "$_k")"
	expect "exec indexes in order" "$(seq -s ' ' 1 "$(exec_chain "$_k" | wc -l)")" \
		"$(jq -r --arg k "$_k" 'select(.type == "container_exec" and .container == $k and .exec_index != null) |
			.exec_index' "$trace_out" | paste -sd ' ')"
	expect "exit code" "$6" "$(field "$_k" container_exit .exit_code)"
	_create=$(line_of "$_k" container_create) _init=$(line_of "$_k" container_init)
	_exit=$(line_of "$_k" container_exit) _destroy=$(line_of "$_k" container_destroy)
	if [ "$_create" -gt 0 ] && [ "$_init" -gt "$_create" ] && [ "$_exit" -gt "$_init" ] &&
		[ "$_destroy" -ge "$_exit" ]; then
		pass "create, init, exit, destroy in order"
	else
		fail "create, init, exit, destroy in order: got lines $_create, $_init, $_exit, $_destroy"
	fi
	expect "state at destroy" destroyed "$(field "$_k" container_destroy .state)"
	check_complete "$_k"
}

# The container must be complete unless events were lost, which others' load can cause.
check_complete() {
	if [ "${lost:-0}" != 0 ]; then
		skip "completeness: $lost events lost to the machine's load"
	else
		expect "not marked incomplete" false "$(jq -r --arg k "$1" 'select(.container == $k and has("incomplete")) | .incomplete' \
			"$trace_out" | sort -u | paste -sd ' ')"
	fi
}

# check_join KEY ARGV [TYPE]: a join that entered the namespace of TYPE (pid by default), and the
# joined exec of ARGV after it.
check_join() {
	_join=$(jq -r --arg k "$1" --arg t "${3:-pid}" 'select(.type == "container_join" and .container == $k and
		.entered[$t] != null) | .time_ns' "$trace_out" | head -n 1)
	_exec=$(jq -r --arg k "$1" --argjson a "$2" 'select(.type == "container_exec" and .container == $k and
		.joined and .argv == $a) | .time_ns' "$trace_out" | head -n 1)
	if [ -z "$_join" ]; then
		fail "no container_join into its ${3:-pid} namespace"
	elif [ -z "$_exec" ]; then
		fail "no joined container_exec of $2"
	elif [ "$_exec" -lt "$_join" ]; then
		fail "the joined exec ($_exec) comes before the join ($_join)"
	else
		pass "join, then the joined exec of $2"
	fi
	expect "no other joined exec" "$2" "$(joined_execs "$1")"
}

# joined_execs KEY: the argv of every joined exec, one a line.
joined_execs() {
	jq -c --arg k "$1" 'select(.type == "container_exec" and .container == $k and .joined) | .argv' "$trace_out"
}

# joins_into_pid KEY: how many joins entered the container's pid namespace.
joins_into_pid() {
	jq -r --arg k "$1" 'select(.type == "container_join" and .container == $k and .entered.pid != null) |
		.pid' "$trace_out" | wc -l | tr -d ' '
}

# sharing_of KEY TYPE...: what the container's create says each namespace type is to it, "type:what" words.
sharing_of() {
	_k=$1
	shift
	jq -r --arg k "$_k" --arg types "$*" 'select(.type == "container_create" and .container == $k) |
		.sharing as $s | [$types | split(" ")[] | "\(.):\($s[.])"] | join(" ")' "$trace_out" | head -n 1
}

# check_sharing KEY EXPECTED: mnt, uts, ipc, pid and net as EXPECTED says ("mnt:private ... net:c1"),
# the same in the summary at destroy as at create.
check_sharing() {
	expect "sharing" "$2" "$(sharing_of "$1" mnt uts ipc pid net)"
	expect "sharing at destroy as at create" "$(field "$1" container_create '.sharing | tojson')" \
		"$(field "$1" container_destroy '.sharing | tojson')"
}

# joins_of KEY: how many joins the container had.
joins_of() {
	jq -r --arg k "$1" 'select(.type == "container_join" and .container == $k) | .pid' "$trace_out" | wc -l |
		tr -d ' '
}
