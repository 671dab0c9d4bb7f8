# shellcheck shell=sh
# The scenarios run.sh runs. Each traces one runtime doing one thing and
# checks the records against what the runtime itself reports.

# argv JSON of /bin/sh -c SCRIPT, as pid 1 execs it.
sh_argv() { jq -nc --arg s "$1" '["/bin/sh", "-c", $s]'; }
# argv JSON of /bin/busybox sh -c SCRIPT.
busybox_argv() { jq -nc --arg s "$1" '["/bin/busybox", "sh", "-c", $s]'; }

# A container that says "ready" once its TERM trap is set, and exits CODE on TERM.
trap_script() { echo "trap 'exit $1' TERM; echo ready; while :; do sleep 0.05; done"; }

first_child() {
	child=$(cat "/proc/$1/task/$1/children" 2>/dev/null | cut -d' ' -f1)
	[ -n "$child" ]
}

# --- unshare and nsenter ---

scenario_unshare() {
	scenario=unshare
	go=$T/go-unshare
	# a member still alive when pid 1 exits: the kernel kills it, and only then is the container gone
	script="/bin/busybox sleep 60 & while [ ! -e $go ]; do sleep 0.05; done; exec /bin/busybox sh -c 'exit 41'"
	trace_start unshare || return 0
	unshare --fork --pid --mount-proc --uts /bin/sh -c "$script" &
	up=$!
	track "$up"
	wait_for 30 first_child "$up" || fail "unshare forked no child"
	init=$child
	# unshare's end does not end its child: killing pid 1 ends the namespace
	track "$init"
	wait_for 30 first_child "$init" || fail "pid 1 started no member"
	member=$child
	# nsenter forks into the pid namespace: the join is its, the exec its child's
	rc=0
	sh -c 'echo $$ >"$1"; exec nsenter -t "$2" -p -m -u /bin/busybox sh -c "exit 4"' sh "$T/nsenter.pid" "$init" ||
		rc=$?
	expect "nsenter's exit status" 4 "$rc"
	touch "$go"
	rc=0
	wait "$up" || rc=$?
	expect "unshare's exit status" 41 "$rc"
	trace_stop

	key=$(key_of ".creator.pid == $up")
	check_lifecycle "$key" unshare - "$init" "$(sh_argv "$script")
$(busybox_argv 'exit 41')" "$rc"
	expect "origin" unshare "$(field "$key" container_create .origin)"
	expect "survivors of pid 1" "[$member]" "$(field "$key" container_exit '.survivors | tojson')"
	expect "members at destroy" 0 "$(field "$key" container_destroy .members)"
	check_join "$key" "$(busybox_argv 'exit 4')"
	expect "the join is nsenter's" "$(cat "$T/nsenter.pid")" \
		"$(jq -r --arg k "$key" 'select(.type == "container_join" and .container == $k and .entered.pid != null) |
			.pid' "$trace_out" | head -n 1)"
	expect "joins into its pid namespace" 1 "$(joins_into_pid "$key")"
}

# unshare --pid without --fork: the namespace never gets a pid 1 and dies with its creator.
scenario_unshare_unforked() {
	scenario=unshare-unforked
	trace_start unshare-unforked || return 0
	unshare --pid /bin/busybox true &
	up=$!
	track "$up"
	rc=0
	wait "$up" || rc=$?
	expect "unshare's exit status" 0 "$rc"
	trace_stop

	key=$(key_of ".creator.pid == $up")
	[ -n "$key" ] || { fail "no container_create by unshare"; return 0; }
	expect "runtime" unshare "$(field "$key" container_create .runtime)"
	expect "no init" 0 "$(line_of "$key" container_init)"
	if [ "$(line_of "$key" container_destroy)" -gt "$(line_of "$key" container_create)" ]; then
		pass "destroyed with its creator"
	else
		fail "destroyed with its creator: no container_destroy after the create"
	fi
	check_complete "$key"
}

# A ring buffer of one page and a burst of execs: what was alive when events were lost is
# marked incomplete from then on, not guessed complete.
scenario_lost() {
	scenario=lost-events
	go=$T/go-lost
	script="while [ ! -e $go ]; do sleep 0.05; done; i=0
		while [ \$i -lt 400 ]; do /bin/busybox true & i=\$((i + 1)); done; wait; exit 3"
	# started first, so that the snapshot knows it whatever the kernel drops later
	unshare --fork --pid /bin/sh -c "$script" &
	up=$!
	track "$up"
	wait_for 30 first_child "$up" || fail "unshare forked no child"
	track "$child"
	trace_start lost-events --ringbuf-kb 4 || return 0
	touch "$go"
	rc=0
	wait "$up" || rc=$?
	expect "unshare's exit status" 3 "$rc"
	trace_stop

	key=$(key_of ".creator.pid == $up")
	expect "known from the snapshot" existing "$(field "$key" container_create .origin)"
	created=$(line_of "$key" container_create)
	lost_at=$(awk -v c="$created" '/"type":"lost"/ && NR > c { print NR; exit }' "$trace_out")
	if [ -z "$lost_at" ]; then
		skip "no events were lost while it lived"
		return 0
	fi
	expect "its records after the loss are incomplete" true "$(awk -v l="$lost_at" 'NR > l' "$trace_out" |
		jq -r --arg k "$key" 'select(.container == $k) | .incomplete' | sort -u | paste -sd ' ')"
}

# --- runc ---

# oci_bundle TOOL ID ARGV_JSON: a bundle from TOOL's default spec, running ARGV in the busybox root,
# in $bundle. Not printed: in a command substitution the ID would not reach the cleanup's list.
oci_bundle() {
	bundle=$T/bundle-$2
	mkdir -p "$bundle"
	"$1" spec --bundle "$bundle"
	jq --arg root "$R" --argjson args "$3" \
		'.root.path = $root | .process.terminal = false | .process.args = $args' \
		"$bundle/config.json" >"$bundle/config.json.new"
	mv "$bundle/config.json.new" "$bundle/config.json"
}

runc_bundle() {
	runc_ids="$runc_ids $1"
	oci_bundle runc "$@"
}

runc_status() { runc state "$1" 2>/dev/null | jq -r .status; }
runc_is() { [ "$(runc_status "$1")" = "$2" ]; }
said_ready() { grep -q ready "$1" 2>/dev/null; }

scenario_runc_run() {
	scenario=runc-run
	command -v runc >/dev/null || { skip "runc is not installed"; return 0; }
	id=$tag-run
	script="while [ ! -e /tmp/go-$id ]; do sleep 0.05; done; exec /bin/busybox sh -c 'exit 42'"
	runc_bundle "$id" "$(sh_argv "$script")"
	trace_start runc-run || return 0
	runc run --bundle "$bundle" "$id" </dev/null >"$T/$id.log" 2>&1 &
	rp=$!
	track "$rp"
	wait_for 30 runc_is "$id" running || fail "runc run: not running: $(cat "$T/$id.log")"
	state=$(runc state "$id")
	rc=0
	runc exec "$id" /bin/busybox sh -c 'exit 3' || rc=$?
	expect "runc exec's exit status" 3 "$rc"
	touch "$R/tmp/go-$id"
	rc=0
	wait "$rp" || rc=$?
	expect "runc run's exit status" 42 "$rc"
	trace_stop

	key=$(key_of ".container_id == \"$id\"")
	check_lifecycle "$key" runc "$(echo "$state" | jq -r .id)" "$(echo "$state" | jq -r .pid)" "$(sh_argv "$script")
$(busybox_argv 'exit 42')" "$rc"
	check_join "$key" "$(busybox_argv 'exit 3')"
	expect "joins into its pid namespace" 1 "$(joins_into_pid "$key")"
}

scenario_runc_lifecycle() {
	scenario=runc-create-start
	command -v runc >/dev/null || { skip "runc is not installed"; return 0; }
	id=$tag-cs
	script=$(trap_script 77)
	runc_bundle "$id" "$(sh_argv "$script")"
	trace_start runc-create-start || return 0
	# runc create's stdout is the container's: never a pipe anyone waits on
	runc create --bundle "$bundle" "$id" </dev/null >"$T/$id.log" 2>&1 || fail "runc create: $(cat "$T/$id.log")"
	state=$(runc state "$id")
	expect "status after create" created "$(echo "$state" | jq -r .status)"
	runc start "$id"
	wait_for 30 said_ready "$T/$id.log" || fail "the container never said ready"
	rc=0
	runc exec "$id" /bin/busybox sh -c 'exit 5' || rc=$?
	expect "runc exec's exit status" 5 "$rc"
	runc kill "$id" TERM
	wait_for 30 runc_is "$id" stopped || fail "runc kill: still $(runc_status "$id")"
	runc delete "$id"
	trace_stop

	key=$(key_of ".container_id == \"$id\"")
	# runc reports no exit status: the trap's code is the container's
	check_lifecycle "$key" runc "$(echo "$state" | jq -r .id)" "$(echo "$state" | jq -r .pid)" \
		"$(sh_argv "$script")" 77
	check_join "$key" "$(busybox_argv 'exit 5')"
	expect "joins into its pid namespace" 1 "$(joins_into_pid "$key")"
}

# --- docker: one daemon of our own for every docker scenario ---

dk() { /usr/bin/docker -H "unix://$D/docker.sock" "$@"; }
docker_pid=

docker_up() {
	[ -z "$docker_pid" ] || return 0
	command -v dockerd >/dev/null && [ -x /usr/bin/docker ] || return 1
	mkdir -p "$D"
	dockerd --iptables=false --ip-forward=false --bridge=none --data-root "$D/data" --exec-root "$D/exec" \
		-H "unix://$D/docker.sock" --pidfile "$D/dockerd.pid" >"$D/log" 2>&1 </dev/null &
	docker_pid=$!
	if ! wait_for 60 dk info >/dev/null 2>&1; then
		echo "dockerd did not start: $(tail -n 5 "$D/log")"
		return 1
	fi
	dk import "$T/rootfs.tar" "$tag/busybox" >/dev/null
	image=$tag/busybox
}

docker_down() {
	[ -n "$docker_pid" ] || return 0
	dk ps -aq 2>/dev/null | while read -r c; do dk rm -f "$c" >/dev/null 2>&1; done
	pid=$(cat "$D/dockerd.pid" 2>/dev/null || echo "$docker_pid")
	kill -TERM "$pid" 2>/dev/null
	wait_for 30 eval '! alive "$pid"' || kill -KILL "$pid" 2>/dev/null
	# dockerd stops its containerd; if it was killed, that is left to us
	cpid=$(cat "$D/exec/containerd/containerd.pid" 2>/dev/null)
	[ -n "$cpid" ] && kill -TERM "$cpid" 2>/dev/null
	wait "$docker_pid" 2>/dev/null
	docker_pid=
	# docker leaves its empty cgroup parents behind
	for dir in /sys/fs/cgroup/*/docker; do
		[ -d "$dir" ] && rmdir "$dir" 2>/dev/null
	done
	return 0
}

docker_state() { dk inspect -f "{{$2}}" "$1"; }
docker_running() { [ "$(docker_state "$1" .State.Pid 2>/dev/null)" -gt 0 ] 2>/dev/null; }
docker_said_ready() { dk logs "$1" 2>&1 | grep -q ready; }

scenario_docker_run() {
	scenario=docker-run
	docker_up || { skip "no docker daemon"; return 0; }
	name=$tag-run
	script="read x; exec /bin/busybox sh -c 'exit 43'"
	mkfifo "$T/stdin-run"
	trace_start docker-run || return 0
	dk run -i --network none --name "$name" "$image" /bin/sh -c "$script" <"$T/stdin-run" >"$T/$name.log" 2>&1 &
	dp=$!
	track "$dp"
	# holding the fifo open lets docker's stdin open; the line sent later lets the command go on
	exec 3>"$T/stdin-run"
	wait_for 60 docker_running "$name" || fail "docker run: not running: $(cat "$T/$name.log")"
	id=$(docker_state "$name" .Id)
	pid=$(docker_state "$name" .State.Pid)
	echo go >&3
	exec 3>&-
	rc=0
	wait "$dp" || rc=$?
	code=$(docker_state "$name" .State.ExitCode)
	expect "docker run's exit status" 43 "$rc"
	dk rm "$name" >/dev/null
	trace_stop

	key=$(key_of ".container_id == \"$id\"")
	check_lifecycle "$key" docker "$id" "$pid" "$(sh_argv "$script")
$(busybox_argv 'exit 43')" "$code"
	# dockerd's helpers visit the network namespace; nothing enters its pid namespace or runs in it
	expect "joins into its pid namespace" 0 "$(joins_into_pid "$key")"
	expect "joined execs" "" "$(joined_execs "$key")"
}

scenario_docker_exec() {
	scenario=docker-exec
	docker_up || { skip "no docker daemon"; return 0; }
	name=$tag-exec
	script=$(trap_script 88)
	trace_start docker-exec || return 0
	dk run -d --network none --name "$name" "$image" /bin/sh -c "$script" >/dev/null
	wait_for 60 docker_said_ready "$name" || fail "the container never said ready"
	id=$(docker_state "$name" .Id)
	pid=$(docker_state "$name" .State.Pid)
	rc=0
	dk exec "$name" /bin/busybox sh -c 'exit 6' || rc=$?
	expect "docker exec's exit status" 6 "$rc"
	dk stop -t 30 "$name" >/dev/null
	code=$(docker_state "$name" .State.ExitCode)
	expect "docker's exit code" 88 "$code"
	dk rm "$name" >/dev/null
	trace_stop

	key=$(key_of ".container_id == \"$id\"")
	check_lifecycle "$key" docker "$id" "$pid" "$(sh_argv "$script")" "$code"
	check_join "$key" "$(busybox_argv 'exit 6')"
	expect "joins into its pid namespace" 1 "$(joins_into_pid "$key")"
}

# docker kill: pid 1 dies of SIGKILL, which docker reports as 128 + 9.
scenario_docker_kill() {
	scenario=docker-kill
	docker_up || { skip "no docker daemon"; return 0; }
	name=$tag-kill
	trace_start docker-kill || return 0
	dk run -d --network none --name "$name" "$image" /bin/busybox sleep 300 >/dev/null
	id=$(docker_state "$name" .Id)
	pid=$(docker_state "$name" .State.Pid)
	dk kill "$name" >/dev/null
	dk wait "$name" >/dev/null
	code=$(docker_state "$name" .State.ExitCode)
	dk rm "$name" >/dev/null
	trace_stop

	key=$(key_of ".container_id == \"$id\"")
	check_lifecycle "$key" docker "$id" "$pid" '["/bin/busybox","sleep","300"]' 0
	sig=$(field "$key" container_exit .signal)
	expect "killed by SIGKILL" 9 "$sig"
	expect "docker's exit code is 128 + the signal" "$code" "$((128 + ${sig:-0}))"
}

# --- containers that were running before nstrace started ---

# check_existing KEY RUNTIME ID INIT_PID EXIT_CODE JOINED_ARGV
check_existing() {
	check_lifecycle "$1" "$2" "$3" "$4" "" "$5"
	expect "origin" existing "$(field "$1" container_create .origin)"
	check_join "$1" "$6"
}

# check_ps RUNTIME ID INIT_PID: nstrace ps --json lists it so.
check_ps() {
	_row=$(jq -c --arg id "$2" 'select(.container_id == $id)' "$T/ps.json")
	expect "ps: runtime" "$1" "$(echo "$_row" | jq -r .runtime)"
	expect "ps: init pid" "$3" "$(echo "$_row" | jq -r .init_pid)"
	expect "ps: origin" existing "$(echo "$_row" | jq -r .origin)"
	expect "ps: state" running "$(echo "$_row" | jq -r .state)"
}

scenario_existing() {
	scenario=existing
	have_docker=false have_runc=false
	if docker_up; then
		have_docker=true
		name=$tag-old
		dk run -d --network none --name "$name" "$image" /bin/sh -c "$(trap_script 89)" >/dev/null
		wait_for 60 docker_said_ready "$name" || fail "the docker container never said ready"
		did=$(docker_state "$name" .Id)
		dpid=$(docker_state "$name" .State.Pid)
	else
		skip "no docker daemon"
	fi
	if command -v runc >/dev/null; then
		have_runc=true
		rid=$tag-old
		runc_bundle "$rid" "$(sh_argv "$(trap_script 78)")"
		runc run --bundle "$bundle" "$rid" </dev/null >"$T/$rid.log" 2>&1 &
		rp=$!
		track "$rp"
		wait_for 30 said_ready "$T/$rid.log" || fail "the runc container never said ready"
		rpid=$(runc state "$rid" | jq -r .pid)
	else
		skip "runc is not installed"
	fi

	"$NSTRACE" ps --json >"$T/ps.json" || fail "nstrace ps failed"
	trace_start existing || return 0
	if $have_docker; then
		rc=0
		dk exec "$name" /bin/busybox sh -c 'exit 7' || rc=$?
		expect "docker exec's exit status" 7 "$rc"
		dk stop -t 30 "$name" >/dev/null
		dcode=$(docker_state "$name" .State.ExitCode)
		expect "docker's exit code" 89 "$dcode"
		dk rm "$name" >/dev/null
	fi
	if $have_runc; then
		runc exec "$rid" /bin/busybox true || fail "runc exec failed"
		runc kill "$rid" TERM
		rc=0
		wait "$rp" || rc=$?
		expect "runc run's exit status" 78 "$rc"
	fi
	trace_stop

	if $have_docker; then
		check_ps docker "$did" "$dpid"
		check_existing "$(key_of ".container_id == \"$did\"")" docker "$did" "$dpid" "$dcode" \
			"$(busybox_argv 'exit 7')"
	fi
	if $have_runc; then
		check_ps runc "$rid" "$rpid"
		check_existing "$(key_of ".container_id == \"$rid\"")" runc "$rid" "$rpid" 78 '["/bin/busybox","true"]'
	fi
}

# --- nstrace ps on a /proc that lies: entries half gone, unparsable, unknown runtimes ---

scenario_bad_proc() {
	scenario=bad-proc
	P=$T/proc
	mkdir -p "$P/1/ns" "$P/50/ns" "$P/51" "$P/52/ns" "$P/53" "$P/self"
	printf 'Name:\tinit\nPPid:\t0\nNSpid:\t1\n' >"$P/1/status"
	for t in mnt uts ipc pid pid_for_children net cgroup user time time_for_children; do
		ln -s "$t:[4026531000]" "$P/1/ns/$t"
	done
	# a container's pid 1 whose other entries vanished mid-read, with a garbage cgroup file
	printf 'Name:\tsleep\nPPid:\t1\nNSpid:\t50\t1\n' >"$P/50/status"
	ln -s 'pid:[4026532999]' "$P/50/ns/pid"
	ln -s 'garbage' "$P/50/ns/mnt"
	printf '0::/docker/not-an-id\n:::\n\377\376 garbage\n9' >"$P/50/cgroup"
	printf 'runc-like\0--unknown-flag\0' >"$P/50/cmdline"
	# unparsable status files, and one gone altogether
	printf 'Name:\tx\nPPid:\tnope\nNSpid:\t51\n' >"$P/51/status"
	printf 'garbage' >"$P/52/status"
	rc=0
	"$NSTRACE" ps --json --proc "$P" >"$T/bad-proc.json" 2>"$T/bad-proc.err" || rc=$?
	expect "nstrace ps exit status" 0 "$rc"
	expect "containers listed" 1 "$(wc -l <"$T/bad-proc.json" | tr -d ' ')"
	expect "its init" 50 "$(jq -r .init_pid "$T/bad-proc.json")"
	expect "its runtime" unknown "$(jq -r .runtime "$T/bad-proc.json")"
	expect "its ID" null "$(jq -r .container_id "$T/bad-proc.json")"
}
