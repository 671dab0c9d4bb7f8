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

# runc and crun share their CLI: oci_status RUNTIME ID, oci_is RUNTIME ID STATUS.
oci_status() { "$1" state "$2" 2>/dev/null | jq -r .status; }
oci_is() { [ "$(oci_status "$1" "$2")" = "$3" ]; }
said_ready() { grep -q ready "$1" 2>/dev/null; }

# oci_run_go RUNTIME EXEC_CODE CODE COMMAND...: traces COMMAND running container $id, whose $script
# waits for /tmp/go-$id and then exits CODE; execs into it (exits EXEC_CODE) first. The state
# the runtime reported while it ran is left in $state, COMMAND's exit status in $rc.
oci_run_go() {
	_rt=$1 _exec_code=$2 _code=$3
	shift 3
	trace_start "$scenario" || return 1
	"$@" </dev/null >"$T/$id.log" 2>&1 &
	_cp=$!
	track "$_cp"
	wait_for 30 oci_is "$_rt" "$id" running || fail "$_rt run: not running: $(cat "$T/$id.log")"
	state=$("$_rt" state "$id")
	rc=0
	"$_rt" exec "$id" /bin/busybox sh -c "exit $_exec_code" || rc=$?
	expect "$_rt exec's exit status" "$_exec_code" "$rc"
	touch "$R/tmp/go-$id"
	rc=0
	wait "$_cp" || rc=$?
	expect "$_rt run's exit status" "$_code" "$rc"
	trace_stop
}

scenario_runc_run() {
	scenario=runc-run
	command -v runc >/dev/null || { skip "runc is not installed"; return 0; }
	id=$tag-run
	script="while [ ! -e /tmp/go-$id ]; do sleep 0.05; done; exec /bin/busybox sh -c 'exit 42'"
	runc_bundle "$id" "$(sh_argv "$script")"
	oci_run_go runc 3 42 runc run --bundle "$bundle" "$id" || return 0

	key=$(key_of ".container_id == \"$id\"")
	check_lifecycle "$key" runc "$(echo "$state" | jq -r .id)" "$(echo "$state" | jq -r .pid)" "$(sh_argv "$script")
$(busybox_argv 'exit 42')" "$rc"
	check_join "$key" "$(busybox_argv 'exit 3')"
	expect "joins into its pid namespace" 1 "$(joins_into_pid "$key")"
}

# oci_create_start RUNTIME CODE EXEC_CODE [LAUNCHER...]: create, start, exec (exits EXEC_CODE),
# kill TERM (the container exits CODE), delete; the create goes through LAUNCHER.
oci_create_start() {
	_rt=$1 _code=$2 _exec_code=$3
	shift 3
	script=$(trap_script "$_code")
	"${_rt}_bundle" "$id" "$(sh_argv "$script")"
	trace_start "$scenario" || return 0
	# create's stdout is the container's: a file, never a pipe anyone waits on
	"$@" "$_rt" create --bundle "$bundle" "$id" </dev/null >"$T/$id.log" 2>&1 ||
		fail "$_rt create: $(cat "$T/$id.log")"
	state=$("$_rt" state "$id")
	expect "status after create" created "$(echo "$state" | jq -r .status)"
	"$_rt" start "$id"
	wait_for 30 said_ready "$T/$id.log" || fail "the container never said ready"
	rc=0
	"$_rt" exec "$id" /bin/busybox sh -c "exit $_exec_code" || rc=$?
	expect "$_rt exec's exit status" "$_exec_code" "$rc"
	"$_rt" kill "$id" TERM
	wait_for 30 oci_is "$_rt" "$id" stopped || fail "$_rt kill: still $(oci_status "$_rt" "$id")"
	"$_rt" delete "$id"
	trace_stop

	key=$(key_of ".container_id == \"$id\"")
	# the runtime reports no exit status: the trap's code is the container's
	check_lifecycle "$key" "$_rt" "$(echo "$state" | jq -r .id)" "$(echo "$state" | jq -r .pid)" \
		"$(sh_argv "$script")" "$_code"
	check_join "$key" "$(busybox_argv "exit $_exec_code")"
	expect "joins into its pid namespace" 1 "$(joins_into_pid "$key")"
}

scenario_runc_lifecycle() {
	scenario=runc-create-start
	command -v runc >/dev/null || { skip "runc is not installed"; return 0; }
	id=$tag-cs
	oci_create_start runc 77 5
}

# --- crun ---

# crun 1.8 refuses a hybrid cgroup layout ("cgroups in hybrid mode not supported"). Hidden in a
# mount namespace of crun's own, the cgroup2 mount beside the v1 controllers is out of its sight;
# the commands that come after need no such view.
crun_hybrid() {
	if awk '$5 == "/sys/fs/cgroup/unified" { found = 1 } END { exit !found }' /proc/self/mountinfo; then
		unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified && exec "$@"' sh "$@"
	else
		"$@"
	fi
}

crun_bundle() {
	crun_ids="$crun_ids $1"
	oci_bundle crun "$@"
}


# Whether crun can run a container here at all, found once: why not, or nothing.
crun_why=unknown
crun_usable() {
	if [ "$crun_why" = unknown ]; then
		crun_why=
		if ! command -v crun >/dev/null; then
			crun_why="crun is not installed"
		else
			crun_bundle "$tag-probe" '["/bin/true"]'
			crun_hybrid crun run --bundle "$bundle" "$tag-probe" </dev/null >"$T/crun-probe.log" 2>&1 ||
				crun_why="crun cannot run a container here: $(tail -n 2 "$T/crun-probe.log" | paste -sd ' ')"
		fi
	fi
	[ -z "$crun_why" ]
}

scenario_crun_run() {
	scenario=crun-run
	crun_usable || { skip "$crun_why"; return 0; }
	id=$tag-crun-run
	script="while [ ! -e /tmp/go-$id ]; do sleep 0.05; done; exec /bin/busybox sh -c 'exit 45'"
	crun_bundle "$id" "$(sh_argv "$script")"
	trace_start crun-run || return 0
	# options with values before the ID, which must not pass for it
	crun_hybrid crun --cgroup-manager cgroupfs run -f "$bundle/config.json" --bundle "$bundle" "$id" \
		</dev/null >"$T/$id.log" 2>&1 &
	cp=$!
	track "$cp"
	wait_for 30 oci_is crun "$id" running || fail "crun run: not running: $(cat "$T/$id.log")"
	state=$(crun state "$id")
	touch "$R/tmp/go-$id"
	rc=0
	wait "$cp" || rc=$?
	expect "crun run's exit status" 45 "$rc"
	trace_stop

	key=$(key_of ".container_id == \"$id\"")
	# until the exec, pid 1 is crun's clone: the chain starts at the command
	check_lifecycle "$key" crun "$(echo "$state" | jq -r .id)" "$(echo "$state" | jq -r .pid)" "$(sh_argv "$script")
$(busybox_argv 'exit 45')" "$rc"
	expect "creator" crun "$(field "$key" container_create .creator.comm)"
	expect "joins into its pid namespace" 0 "$(joins_into_pid "$key")"
	expect "joined execs" "" "$(joined_execs "$key")"
}

scenario_crun_lifecycle() {
	scenario=crun-create-start
	crun_usable || { skip "$crun_why"; return 0; }
	id=$tag-crun-cs
	oci_create_start crun 79 9 crun_hybrid
}

# --- lxc ---

lxc_names=
lxc_pivots=

# Whether lxc can run a container here at all, found once: why not, or nothing.
lxc_why=unknown
lxc_usable() {
	[ "$lxc_why" = unknown ] || { [ -z "$lxc_why" ]; return; }
	lxc_why=
	for tool in lxc-execute lxc-start lxc-attach lxc-stop lxc-info; do
		command -v "$tool" >/dev/null || { lxc_why="$tool is not installed"; return 1; }
	done
	LX=$T/lxc
	mkdir -p "$LX"
	# lxc makes lxc.pivot in every hierarchy and leaves it: the cleanup removes those it made
	lxc_pivots=$(find /sys/fs/cgroup -maxdepth 4 -type d -name lxc.pivot 2>/dev/null)
	[ -d /run/lxc/lock/tmp ] && lxc_lock_tmp=true || lxc_lock_tmp=false
	# no bridge or veth: a network namespace with only lo leaves the host's network alone;
	# no AppArmor profile to load, none is installed without recommends
	cat >"$T/lxc.conf" <<-EOF
		lxc.rootfs.path = dir:$R
		lxc.net.0.type = empty
		lxc.apparmor.profile = unconfined
		lxc.mount.auto = proc:mixed sys:mixed
		lxc.autodev = 1
	EOF
	lxc_names="$lxc_names $tag-probe"
	lxc-execute -n "$tag-probe" -P "$LX" -f "$T/lxc.conf" -- /bin/true </dev/null >"$T/lxc-probe.log" 2>&1 ||
		lxc_why="lxc-execute cannot run a container here: $(tail -n 2 "$T/lxc-probe.log" | paste -sd ' ')"
	[ -z "$lxc_why" ]
}

lxc_pid() { lxc_init=$(lxc-info -n "$1" -P "$LX" -pH 2>/dev/null) && [ -n "$lxc_init" ]; }

# The cgroup namespace pid 1 unshares after the clone: the container's, not the host's.
check_lxc_cgroupns() {
	_own=$(field "$1" container_destroy .ns.cgroup)
	_host=$(readlink /proc/self/ns/cgroup | tr -dc 0-9)
	if [ -n "$_own" ] && [ "$_own" != null ] && [ "$_own" != "$_host" ]; then
		pass "a cgroup namespace of its own"
	else
		fail "a cgroup namespace of its own: got $_own, the host's is $_host"
	fi
}

lxc_down() {
	[ -n "$lxc_names" ] || return 0
	for name in $lxc_names; do
		lxc-stop -n "$name" -P "$LX" -k >/dev/null 2>&1
	done
	# lxc removes a container's cgroups as it stops; not if it was killed, nor lxc.pivot
	wait_for 10 lxc_cgroups_gone
	rm -rf "/run/lxc/lock$LX"
	rmdir "/run/lxc/lock$T" 2>/dev/null
	$lxc_lock_tmp || rmdir /run/lxc/lock/tmp 2>/dev/null
	lxc_names=
	return 0
}

lxc_cgroups_gone() {
	# children before their parents
	lxc_cgroups_left | sort -r | while read -r dir; do
		rmdir "$dir" 2>/dev/null
	done
	[ -z "$(lxc_cgroups_left)" ]
}

# lxc_cgroups_left: the cgroup directories of our containers, and the lxc.pivot ones lxc made.
lxc_cgroups_left() {
	for name in $lxc_names; do
		find /sys/fs/cgroup -maxdepth 4 -type d \( -name "lxc.payload.$name" -o -name "lxc.monitor.$name" \)
	done
	find /sys/fs/cgroup -maxdepth 4 -type d -name lxc.pivot | while read -r dir; do
		echo "$lxc_pivots" | grep -qxF "$dir" || echo "$dir"
	done
}

# lxc-execute: pid 1 is lxc's own init, the forked lxc-execute that never execs; it runs the
# command as its child, pid 2, and exits with the command's code.
scenario_lxc_execute() {
	scenario=lxc-execute
	lxc_usable || { skip "$lxc_why"; return 0; }
	name=$tag-exec
	script="while [ ! -e /tmp/go-$name ]; do sleep 0.05; done; exec /bin/busybox sh -c 'exit 44'"
	lxc_names="$lxc_names $name"
	trace_events busybox lxc-execute || return 0
	lxc-execute -n "$name" -P "$LX" -f "$T/lxc.conf" -- /bin/sh -c "$script" </dev/null >"$T/$name.log" 2>&1 &
	lp=$!
	track "$lp"
	wait_for 30 lxc_pid "$name" || fail "lxc-execute: no pid: $(cat "$T/$name.log")"
	pid=$lxc_init
	track "$pid"
	touch "$R/tmp/go-$name"
	rc=0
	wait "$lp" || rc=$?
	expect "lxc-execute's exit status" 44 "$rc"
	trace_stop

	key=$(key_of ".container_id == \"$name\"")
	check_lifecycle "$key" lxc "$name" "$pid" "" "$rc"
	expect "creator" lxc-execute "$(field "$key" container_create .creator.comm)"
	check_lxc_cgroupns "$key"
	# the command, seen in the raw events: in the container's pid namespace, pid 1's child, pid 2
	pidns=$(field "$key" container_create .pidns)
	expect "the command is pid 1's child, pid 2" "$pid 2" "$(jq -r --argjson ns "${pidns:-0}" \
		--argjson a "$(busybox_argv 'exit 44')" 'select(.type == "exec" and .ns.pid == $ns and .argv == $a) |
			"\(.ppid) \(.nspid[-1])"' "$trace_out" | head -n 1)"
	expect "joins into its pid namespace" 0 "$(joins_into_pid "$key")"
}

# lxc-start -d, lxc-attach, lxc-stop.
scenario_lxc_start() {
	scenario=lxc-start
	lxc_usable || { skip "$lxc_why"; return 0; }
	name=$tag-start
	# lxc-stop asks pid 1 to halt with SIGPWR, which a pid 1 without a handler never gets
	script="trap 'exit 68' PWR; touch /tmp/ready-$name; while :; do sleep 0.05; done"
	lxc_names="$lxc_names $name"
	trace_start lxc-start || return 0
	# named by its operand, as lxc's tools allow, after options with values
	lxc-start -P "$LX" -f "$T/lxc.conf" -d "$name" -- /bin/sh -c "$script" </dev/null >"$T/$name.log" 2>&1 ||
		fail "lxc-start: $(cat "$T/$name.log")"
	wait_for 30 lxc_pid "$name" || fail "lxc-start: no pid"
	pid=$lxc_init
	track "$pid"
	wait_for 30 test -e "$R/tmp/ready-$name" || fail "the container never got ready"
	rc=0
	lxc-attach -n "$name" -P "$LX" -- /bin/busybox sh -c 'exit 8' || rc=$?
	expect "lxc-attach's exit status" 8 "$rc"
	lxc-stop -n "$name" -P "$LX" -t 10 || fail "lxc-stop failed"
	trace_stop

	key=$(key_of ".container_id == \"$name\"")
	check_lifecycle "$key" lxc "$name" "$pid" "$(sh_argv "$script")" 68
	expect "creator" lxc-start "$(field "$key" container_create .creator.comm)"
	check_lxc_cgroupns "$key"
	check_join "$key" "$(busybox_argv 'exit 8')"
	expect "joins into its pid namespace" 1 "$(joins_into_pid "$key")"
	expect "the join entered its cgroup namespace" "$(field "$key" container_destroy .ns.cgroup)" \
		"$(jq -r --arg k "$key" 'select(.type == "container_join" and .container == $k and .entered.pid != null) |
			.entered.cgroup' "$trace_out" | head -n 1)"
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

# scenario_docker_run [--init]: with --init, pid 1 is docker-init (tini), which forks the command:
# the exec chain goes on in that child, after docker-init's own exec.
scenario_docker_run() {
	init=${1:-}
	scenario=docker-run${init:+-init}
	docker_up || { skip "no docker daemon"; return 0; }
	name=$tag-run${init:+-init}
	script="read x; exec /bin/busybox sh -c 'exit 43'"
	mkfifo "$T/stdin-$name"
	trace_start "$scenario" || return 0
	# shellcheck disable=SC2086
	dk run -i $init --network none --name "$name" "$image" /bin/sh -c "$script" <"$T/stdin-$name" \
		>"$T/$name.log" 2>&1 &
	dp=$!
	track "$dp"
	# holding the fifo open lets docker's stdin open; the line sent later lets the command go on
	exec 3>"$T/stdin-$name"
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
	chain="$(sh_argv "$script")
$(busybox_argv 'exit 43')"
	[ -z "$init" ] || chain="$(jq -nc --arg s "$script" '["/sbin/docker-init", "--", "/bin/sh", "-c", $s]')
$chain"
	check_lifecycle "$key" docker "$id" "$pid" "$chain" "$code"
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

# check_existing KEY RUNTIME ID INIT_PID EXIT_CODE JOINED_ARGV [JOIN_TYPE]
check_existing() {
	check_lifecycle "$1" "$2" "$3" "$4" "" "$5"
	expect "origin" existing "$(field "$1" container_create .origin)"
	check_join "$1" "$6" "${7:-pid}"
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

# --- containers that share namespaces with the host or with another container ---

# docker_shared NAME CODE OPTION...: a container that says ready, with OPTIONs, started detached; docker exec'd
# (exits 6) and stopped (exits CODE). Leaves its key in $key, its ID in $id, init pid in $pid, exit code in $code.
docker_shared() {
	_name=$1 _code=$2
	shift 2
	dk run -d "$@" --name "$_name" "$image" /bin/sh -c "$(trap_script "$_code")" >/dev/null
	wait_for 60 docker_said_ready "$_name" || fail "$_name never said ready"
	id=$(docker_state "$_name" .Id)
	pid=$(docker_state "$_name" .State.Pid)
	rc=0
	dk exec "$_name" /bin/busybox sh -c 'exit 6' || rc=$?
	expect "docker exec's exit status" 6 "$rc"
}

# docker_shared_end NAME: stops it; its exit code in $code.
docker_shared_end() {
	dk stop -t 30 "$1" >/dev/null
	code=$(docker_state "$1" .State.ExitCode)
	dk rm "$1" >/dev/null
}

# check_docker_shared KEY ID PID CODE SHARING JOIN_TYPE: the lifecycle, what it shares, the docker exec join.
check_docker_shared() {
	check_lifecycle "$1" docker "$2" "$3" "$(sh_argv "$(trap_script "$4")")" "$4"
	check_sharing "$1" "$5"
	check_join "$1" "$(busybox_argv 'exit 6')" "$6"
}

# docker run --pid=host: no pid namespace of its own, known by its mount namespace.
scenario_docker_pid_host() {
	scenario=docker-pid-host
	docker_up || { skip "no docker daemon"; return 0; }
	trace_start docker-pid-host || return 0
	docker_shared "$tag-pidhost" 90 --pid=host --network none
	docker_shared_end "$tag-pidhost"
	expect "docker's exit code" 90 "$code"
	trace_stop

	key=$(key_of ".container_id == \"$id\"")
	check_docker_shared "$key" "$id" "$pid" 90 "mnt:private uts:private ipc:private pid:host net:private" mnt
	expect "keyed by" mntns "$(field "$key" container_create .keyed_by)"
	expect "its mount namespace" "$(field "$key" container_create .ns.mnt)" "$(field "$key" container_create .mntns)"
	expect "init at the host's level" "[$pid]" "$(field "$key" container_init '.nspid | tojson')"
	expect "joins into the host's pid namespace" 0 "$(joins_into_pid "$key")"
}

# docker run --pid=container:X --network container:X: in X's pid and network namespaces. Making it
# enters them; that is no join into X.
scenario_docker_pid_of_another() {
	scenario=docker-pid-of-another
	docker_up || { skip "no docker daemon"; return 0; }
	x=$tag-x
	trace_start docker-pid-of-another || return 0
	dk run -d --network none --name "$x" "$image" /bin/sh -c "$(trap_script 91)" >/dev/null
	wait_for 60 docker_said_ready "$x" || fail "X never said ready"
	xid=$(docker_state "$x" .Id)
	docker_shared "$tag-side" 92 --pid="container:$x" --network "container:$x"
	# its pid inside X's pid namespace, as X's processes see it
	side_nspid=$(awk '/^NSpid:/ { print $3 }' "/proc/$pid/status")
	docker_shared_end "$tag-side"
	expect "docker's exit code" 92 "$code"
	docker_shared_end "$x"
	expect "X's exit code" 91 "$code"
	trace_stop

	xkey=$(key_of ".container_id == \"$xid\"")
	key=$(key_of ".container_id == \"$id\"")
	check_docker_shared "$key" "$id" "$pid" 92 "mnt:private uts:private ipc:private pid:$xkey net:$xkey" mnt
	expect "keyed by" mntns "$(field "$key" container_create .keyed_by)"
	expect "in X's pid namespace" "$(field "$xkey" container_create .pidns)" "$(field "$key" container_create .pidns)"
	expect "init's pids" "[$pid,$side_nspid]" "$(field "$key" container_init '.nspid | tojson')"
	expect "the join entered X's pid namespace as its own" "$(field "$xkey" container_create .pidns)" \
		"$(jq -r --arg k "$key" 'select(.type == "container_join" and .container == $k and .entered.mnt != null) |
			.entered.pid' "$trace_out" | head -n 1)"
	expect "joins into X's pid namespace" 0 "$(joins_into_pid "$xkey")"
	expect "X's joined execs" "" "$(joined_execs "$xkey")"
}

# docker run --ipc host, --uts host, --network host: a pid namespace of its own, one type the host's.
scenario_docker_host_types() {
	docker_up || { scenario=docker-host-types; skip "no docker daemon"; return 0; }
	for option in "--ipc host:ipc" "--uts host:uts" "--network host:net"; do
		type=${option#*:}
		scenario=docker-$type-host
		expected=
		for t in mnt uts ipc pid net; do
			[ "$t" = "$type" ] && what=host || what=private
			expected="$expected${expected:+ }$t:$what"
		done
		trace_start "$scenario" || continue
		# shellcheck disable=SC2086,SC2046 # the option and its value, split on purpose
		docker_shared "$tag-$type" 93 ${option%:*} $([ "$type" = net ] || echo --network none)
		docker_shared_end "$tag-$type"
		expect "docker's exit code" 93 "$code"
		trace_stop
		key=$(key_of ".container_id == \"$id\"")
		check_docker_shared "$key" "$id" "$pid" 93 "$expected" pid
		expect "keyed by" pidns "$(field "$key" container_create .keyed_by)"
	done
}

# A pod as CRI runtimes build it, with runc alone: a sandbox, and an application container whose
# config.json joins the sandbox's network, IPC and UTS namespaces by path.
scenario_runc_pod() {
	scenario=runc-pod
	command -v runc >/dev/null || { skip "runc is not installed"; return 0; }
	sb=$tag-sandbox app=$tag-app
	runc_bundle "$sb" "$(sh_argv "$(trap_script 0)")"
	sb_bundle=$bundle
	trace_start runc-pod || return 0
	runc run -d --bundle "$sb_bundle" "$sb" </dev/null >"$T/$sb.log" 2>&1 || fail "runc run -d: $(cat "$T/$sb.log")"
	wait_for 30 said_ready "$T/$sb.log" || fail "the sandbox never said ready"
	sb_pid=$(runc state "$sb" | jq -r .pid)
	script=$(trap_script 95)
	runc_bundle "$app" "$(sh_argv "$script")"
	jq --arg p "/proc/$sb_pid/ns" 'del(.hostname) | .linux.namespaces |= map(
		if .type == "network" then .path = "\($p)/net" elif .type == "ipc" then .path = "\($p)/ipc"
		elif .type == "uts" then .path = "\($p)/uts" else . end)' "$bundle/config.json" >"$bundle/config.json.new"
	mv "$bundle/config.json.new" "$bundle/config.json"
	runc run -d --bundle "$bundle" "$app" </dev/null >"$T/$app.log" 2>&1 || fail "runc run -d: $(cat "$T/$app.log")"
	wait_for 30 said_ready "$T/$app.log" || fail "the application never said ready"
	state=$(runc state "$app")
	rc=0
	runc exec "$app" /bin/busybox sh -c 'exit 5' || rc=$?
	expect "runc exec's exit status" 5 "$rc"
	runc kill "$app" TERM
	wait_for 30 oci_is runc "$app" stopped || fail "runc kill: still $(oci_status runc "$app")"
	runc delete "$app"
	runc kill "$sb" KILL
	wait_for 30 oci_is runc "$sb" stopped || fail "runc kill: the sandbox is still $(oci_status runc "$sb")"
	runc delete "$sb"
	trace_stop

	sbkey=$(key_of ".container_id == \"$sb\"")
	key=$(key_of ".container_id == \"$app\"")
	check_lifecycle "$key" runc "$app" "$(echo "$state" | jq -r .pid)" "$(sh_argv "$script")" 95
	check_sharing "$key" "mnt:private uts:$sbkey ipc:$sbkey pid:private net:$sbkey"
	check_join "$key" "$(busybox_argv 'exit 5')"
	expect "the sandbox's own" "mnt:private uts:private ipc:private pid:private net:private" \
		"$(sharing_of "$sbkey" mnt uts ipc pid net)"
	expect "joins into the sandbox" 0 "$(joins_of "$sbkey")"
	expect "the sandbox's init" "$sb_pid" "$(field "$sbkey" container_init .pid)"
}

# crun with no pid namespace in its config: its clone of itself makes the mount namespace and runs
# the command.
scenario_crun_pid_host() {
	scenario=crun-pid-host
	crun_usable || { skip "$crun_why"; return 0; }
	id=$tag-crun-pidhost
	script="while [ ! -e /tmp/go-$id ]; do sleep 0.05; done; exec /bin/busybox sh -c 'exit 47'"
	crun_bundle "$id" "$(sh_argv "$script")"
	jq '.linux.namespaces |= map(select(.type != "pid"))' "$bundle/config.json" >"$bundle/config.json.new"
	mv "$bundle/config.json.new" "$bundle/config.json"
	oci_run_go crun 4 47 crun_hybrid crun run --bundle "$bundle" "$id" || return 0

	key=$(key_of ".container_id == \"$id\"")
	check_lifecycle "$key" crun "$id" "$(echo "$state" | jq -r .pid)" "$(sh_argv "$script")
$(busybox_argv 'exit 47')" "$rc"
	expect "keyed by" mntns "$(field "$key" container_create .keyed_by)"
	expect "creator" crun "$(field "$key" container_create .creator.comm)"
	check_sharing "$key" "mnt:private uts:private ipc:private pid:host net:private"
	check_join "$key" "$(busybox_argv 'exit 4')" mnt
}

# --- podman: its own storage under the scratch directory, runc, cgroupfs, no network ---

pm() { CONTAINERS_CONF=$T/containers.conf podman --root "$T/podman/root" --runroot "$T/podman/run" \
	--tmpdir "$T/podman/tmp" "$@"; }
podman_used=false

# Whether podman can run a container here at all, found once: why not, or nothing.
podman_why=unknown
podman_usable() {
	[ "$podman_why" = unknown ] || { [ -z "$podman_why" ]; return; }
	podman_why=
	command -v podman >/dev/null || { podman_why="podman is not installed"; return 1; }
	# the host's hard limits cannot be raised here; podman's defaults would try
	cat >"$T/containers.conf" <<-EOF
		[containers]
		default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
		[engine]
		runtime = "runc"
		cgroup_manager = "cgroupfs"
		events_logger = "file"
	EOF
	podman_used=true
	pm import "$T/rootfs.tar" "localhost/$tag-busybox" >/dev/null 2>"$T/podman-probe.log" &&
		pm run --rm --network none "localhost/$tag-busybox" /bin/true >>"$T/podman-probe.log" 2>&1 ||
		podman_why="podman cannot run a container here: $(tail -n 2 "$T/podman-probe.log" | paste -sd ' ')"
	[ -z "$podman_why" ]
}

podman_down() {
	$podman_used || return 0
	pm rm -af >/dev/null 2>&1
	pm rmi -af >/dev/null 2>&1
	# podman's cgroupfs manager leaves its parent cgroups behind
	for dir in /sys/fs/cgroup/*/libpod_parent; do
		[ -d "$dir" ] && find "$dir" -mindepth 1 -type d | sort -r | xargs -r rmdir 2>/dev/null
		[ -d "$dir" ] && rmdir "$dir" 2>/dev/null
	done
	podman_used=false
	return 0
}

pm_said_ready() { pm logs "$1" 2>&1 | grep -q ready; }

scenario_podman_pid_host() {
	scenario=podman-pid-host
	podman_usable || { skip "$podman_why"; return 0; }
	name=$tag-pm
	trace_start podman-pid-host || return 0
	pm run -d --pid=host --network none --name "$name" "localhost/$tag-busybox" /bin/sh -c "$(trap_script 94)" \
		>/dev/null || fail "podman run failed"
	wait_for 60 pm_said_ready "$name" || fail "the container never said ready"
	id=$(pm inspect -f '{{.Id}}' "$name")
	pid=$(pm inspect -f '{{.State.Pid}}' "$name")
	rc=0
	pm exec "$name" /bin/busybox sh -c 'exit 6' || rc=$?
	expect "podman exec's exit status" 6 "$rc"
	pm stop -t 30 "$name" >/dev/null
	code=$(pm inspect -f '{{.State.ExitCode}}' "$name")
	expect "podman's exit code" 94 "$code"
	pm rm "$name" >/dev/null
	trace_stop

	key=$(key_of ".container_id == \"$id\"")
	check_lifecycle "$key" podman "$id" "$pid" "$(sh_argv "$(trap_script 94)")" "$code"
	check_sharing "$key" "mnt:private uts:private ipc:private pid:host net:private"
	check_join "$key" "$(busybox_argv 'exit 6')" mnt
	expect "keyed by" mntns "$(field "$key" container_create .keyed_by)"
}

# --- containers sharing namespaces, running before nstrace starts ---

# check_ps_sharing ID KEYED_BY SHARING: nstrace ps --json's row for the container, as ps_keys names keys.
check_ps_sharing() {
	_row=$(jq -c --arg id "$1" 'select(.container_id == $id)' "$T/ps.json")
	expect "ps: keyed by" "$2" "$(echo "$_row" | jq -r .keyed_by)"
	expect "ps: sharing" "$3" "$(echo "$_row" | jq -r '.sharing as $s | ["mnt","uts","ipc","pid","net"] |
		map("\(.):\($s[.])") | join(" ")')"
}

scenario_existing_shared() {
	scenario=existing-shared
	docker_up || { skip "no docker daemon"; return 0; }
	x=$tag-oldx side=$tag-oldside hp=$tag-oldhost
	dk run -d --network none --name "$x" "$image" /bin/sh -c "$(trap_script 81)" >/dev/null
	dk run -d --pid="container:$x" --network "container:$x" --name "$side" "$image" \
		/bin/sh -c "$(trap_script 82)" >/dev/null
	dk run -d --pid=host --network none --name "$hp" "$image" /bin/sh -c "$(trap_script 83)" >/dev/null
	for c in "$x" "$side" "$hp"; do
		wait_for 60 docker_said_ready "$c" || fail "$c never said ready"
	done
	# a docker exec'd process that runs on: the snapshot must still take the first started as init
	dk exec -d "$hp" /bin/busybox sleep 300
	xid=$(docker_state "$x" .Id) sid=$(docker_state "$side" .Id) hid=$(docker_state "$hp" .Id)
	spid=$(docker_state "$side" .State.Pid) hpid=$(docker_state "$hp" .State.Pid)

	"$NSTRACE" ps --json >"$T/ps.json" || fail "nstrace ps failed"
	xkey_ps=$(jq -r --arg id "$xid" 'select(.container_id == $id) | .container' "$T/ps.json")
	check_ps docker "$sid" "$spid"
	check_ps_sharing "$sid" mntns "mnt:private uts:private ipc:private pid:$xkey_ps net:$xkey_ps"
	check_ps docker "$hid" "$hpid"
	check_ps_sharing "$hid" mntns "mnt:private uts:private ipc:private pid:host net:private"

	trace_start existing-shared || return 0
	for c in "$side" "$hp"; do
		rc=0
		dk exec "$c" /bin/busybox sh -c 'exit 7' || rc=$?
		expect "docker exec's exit status" 7 "$rc"
	done
	docker_shared_end "$side"
	scode=$code
	docker_shared_end "$hp"
	hcode=$code
	docker_shared_end "$x"
	trace_stop

	xkey=$(key_of ".container_id == \"$xid\"")
	key=$(key_of ".container_id == \"$sid\"")
	check_existing "$key" docker "$sid" "$spid" "$scode" "$(busybox_argv 'exit 7')" mnt
	check_sharing "$key" "mnt:private uts:private ipc:private pid:$xkey net:$xkey"
	key=$(key_of ".container_id == \"$hid\"")
	check_existing "$key" docker "$hid" "$hpid" "$hcode" "$(busybox_argv 'exit 7')" mnt
	check_sharing "$key" "mnt:private uts:private ipc:private pid:host net:private"
}

# --- systemd-nspawn ---

# nspawn_init MARKER: the pid of the process that is pid 1 of its pid namespace and names MARKER in its argv.
nspawn_init() {
	for _p in $(pgrep -f "$1"); do
		if [ "$(awk '/^NSpid:/ { print $NF }' "/proc/$_p/status" 2>/dev/null)" = 1 ]; then
			nspawn_pid=$_p
			return 0
		fi
	done
	return 1
}

# systemd-nspawn makes the mount namespace in one child and the pid namespace in that child's
# child: one container.
scenario_nspawn() {
	scenario=systemd-nspawn
	command -v systemd-nspawn >/dev/null || { skip "systemd-nspawn is not installed"; return 0; }
	name=$tag-nspawn
	# nspawn wants an OS tree: /usr and an os-release; it mounts a tmpfs on /tmp, so the signal
	# to go on comes through /root
	mkdir -p "$R/usr"
	[ -e "$R/etc/os-release" ] || : >"$R/etc/os-release"
	script="while [ ! -e /root/go-$name ]; do sleep 0.05; done; exec /bin/busybox sh -c 'exit 46'"
	trace_start systemd-nspawn || return 0
	systemd-nspawn --quiet --register=no --keep-unit -M "$name" -D "$R" /bin/sh -c "$script" \
		</dev/null >"$T/$name.log" 2>&1 &
	np=$!
	track "$np"
	if wait_for 30 nspawn_init "go-$name"; then
		pid=$nspawn_pid
	else
		fail "systemd-nspawn started no container: $(cat "$T/$name.log")"
		pid=
	fi
	touch "$R/root/go-$name"
	rc=0
	wait "$np" || rc=$?
	expect "systemd-nspawn's exit status" 46 "$rc"
	trace_stop

	key=$(key_of ".container_id == \"$name\"")
	check_lifecycle "$key" systemd-nspawn "$name" "$pid" "$(sh_argv "$script")
$(busybox_argv 'exit 46')" "$rc"
	expect "keyed by" pidns "$(field "$key" container_create .keyed_by)"
	expect "containers systemd-nspawn made" 1 "$(jq -r 'select(.type == "container_create" and
		.runtime == "systemd-nspawn") | .container' "$trace_out" | wc -l | tr -d ' ')"
	expect "its mount, uts, ipc and pid namespaces are its own, the host's network" \
		"mnt:private uts:private ipc:private pid:private net:host" "$(sharing_of "$key" mnt uts ipc pid net)"
}
