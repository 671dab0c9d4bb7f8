# shellcheck shell=sh
# Auditing scenarios: credentials, privilege, user namespaces, mounts, who started a container and
# the alert rules, against what the kernel and the runtimes report themselves. Sourced by run.sh.

# The record of one container in $trace_out: its summary, from container_destroy, or from the
# {"type":"container"} line at the end for one still alive.
summary() {
	jq -c --arg k "$1" 'select((.type == "container_destroy" or .type == "container") and .container == $k)' \
		"$trace_out" | tail -n 1
}

# alerts RULE [KEY]: how many alerts of RULE (for KEY) the trace raised.
alerts() {
	jq -r --arg r "$1" --arg k "${2:-}" \
		'select(.type == "alert" and .rule == $r and ($k == "" or .container == $k)) | .rule' "$trace_out" | wc -l
}

# caps_of HEX: capability names of a /proc/PID/status mask, as nstrace spells them, sorted.
caps_of() {
	capsh --decode="$1" | sed 's/^[^=]*=//' | tr ',' '\n' | grep . | tr '[:lower:]' '[:upper:]' | sort |
		paste -sd ' '
}

# nstrace_caps KEY SET: a set of the init's credentials, sorted.
nstrace_caps() {
	summary "$1" | jq -r ".init_creds.$2[]" | sort | paste -sd ' '
}



# audit_docker NAME OPTION...: a detached busybox container with the options, the status lines of
# its init read while it runs (the reference nstrace's records are checked against) kept in
# $T/NAME.status.
audit_docker() {
	_name=$1 _n=$tag-$1
	shift
	# shellcheck disable=SC2086 # image options are a list
	dk run -d --network none --name "$_n" "$@" "$image" /bin/sh -c "$(trap_script 0)" >/dev/null ||
		{ fail "docker run $*"; return 1; }
	wait_for 60 docker_said_ready "$_n" || fail "$_n never said ready"
	_pid=$(docker_state "$_n" .State.Pid)
	cp "/proc/$_pid/status" "$T/$_name.status"
	cp "/proc/$_pid/mountinfo" "$T/$_name.mountinfo"
	docker_ids="$docker_ids $_n"
}

# check_caps_against_proc NAME KEY: nstrace's effective and bounding sets are the kernel's.
check_caps_against_proc() {
	for _set in CapEff:cap_effective CapBnd:cap_bounding CapPrm:cap_permitted; do
		_hex=$(awk -v k="${_set%%:*}:" '$1 == k { print $2 }' "$T/$1.status")
		expect "$1: ${_set#*:} as /proc shows it" "$(caps_of "$_hex")" "$(nstrace_caps "$2" "${_set#*:}")"
	done
}

scenario_audit_docker() {
	scenario=audit-docker
	docker_up || { skip "no docker daemon"; return 0; }
	docker_ids=
	trace_start audit-docker || return 0
	audit_docker all --cap-add ALL --cap-drop SYS_RESOURCE
	audit_docker admin --cap-add SYS_ADMIN
	audit_docker user --user 1000:1000
	audit_docker none --cap-drop ALL
	audit_docker unconfined --security-opt seccomp=unconfined
	audit_docker sock -v "$D/docker.sock:/var/run/docker.sock"
	for _n in $docker_ids; do
		dk stop -t 10 "$_n" >/dev/null
		dk rm "$_n" >/dev/null
	done
	trace_stop

	# containers by the order docker started them: the IDs are gone with the containers
	keys=$(jq -r 'select(.type == "container_create" and .runtime == "docker") | .container' "$trace_out")
	# shellcheck disable=SC2086 # one key a word
	set -- $keys
	[ $# -ge 6 ] || { fail "6 docker containers expected, got $#"; return 0; }
	k_all=$1 k_admin=$2 k_user=$3 k_none=$4 k_unconfined=$5 k_sock=$6

	expect "all: privileged" true "$(summary "$k_all" | jq -r .privileged)"
	expect "all: one privileged_container alert" 1 "$(alerts privileged_container "$k_all")"
	check_caps_against_proc all "$k_all"

	expect "admin: not privileged" false "$(summary "$k_admin" | jq -r .privileged)"
	expect "admin: holds CAP_SYS_ADMIN" true \
		"$(summary "$k_admin" | jq '.init_creds.cap_effective | index("CAP_SYS_ADMIN") != null')"
	expect "admin: no alert" 0 "$(alerts privileged_container "$k_admin")"
	expect "admin: seccomp as docker's default profile" filter "$(summary "$k_admin" | jq -r .init_creds.seccomp)"
	check_caps_against_proc admin "$k_admin"

	expect "user: uid and gid" "1000 1000 1000 1000" \
		"$(summary "$k_user" | jq -r '.init_creds | "\(.uid) \(.euid) \(.gid) \(.egid)"')"
	expect "user: no effective capabilities" "" "$(nstrace_caps "$k_user" cap_effective)"
	check_caps_against_proc user "$k_user"

	expect "none: no capabilities at all" ":" \
		"$(nstrace_caps "$k_none" cap_effective):$(nstrace_caps "$k_none" cap_bounding)"
	check_caps_against_proc none "$k_none"

	expect "unconfined: seccomp disabled" disabled "$(summary "$k_unconfined" | jq -r .init_creds.seccomp)"
	expect "unconfined: /proc says so too" 0 "$(status_field_of "$T/unconfined.status" Seccomp)"

	expect "sock: the runtime socket is exposed" "runtime_socket /var/run/docker.sock" \
		"$(summary "$k_sock" | jq -r '.mounts.exposed[] | "\(.kind) \(.mount_point)"')"
	expect "defaults expose nothing" "[]" "$(summary "$k_admin" | jq -c .mounts.exposed)"
	# capabilities alone leave docker's mounts as they are: sysfs stays read-only (--privileged would not)
	expect "all: sysfs writable as /proc shows it" "$(sysfs_rw "$T/all.mountinfo")" \
		"$(summary "$k_all" | jq '[.mounts.exposed[].kind] | index("sys_writable") != null')"

	for k in $k_all $k_admin $k_user $k_none $k_unconfined $k_sock; do
		expect "$k: started by a daemon" daemon "$(jq -r --arg k "$k" \
			'select(.type == "container_create" and .container == $k) | .who.started_by' "$trace_out")"
		expect "$k: host user namespace" 0 "$(summary "$k" | jq -r .init_creds.userns.level)"
		expect "$k: not rootless" false "$(summary "$k" | jq -r .rootless)"
	done
	expect "no namespace escape" 0 "$(alerts namespace_escape)"
}

# Whether a mount table has a sysfs mounted read-write: true or false.
sysfs_rw() {
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") break } $(i + 1) == "sysfs" && $6 ~ /^rw/ { found = 1 }
		END { print found ? "true" : "false" }' "$1"
}

status_field_of() { awk -v k="$2:" '$1 == k { print $2 }' "$1"; }

# A rootless-style container: a user namespace of its own, root inside mapped to uid 1000 outside.
scenario_audit_rootless() {
	scenario=audit-rootless
	trace_start audit-rootless || return 0
	setpriv --reuid 1000 --regid 1000 --clear-groups \
		unshare --user --map-root-user --pid --fork --mount-proc /bin/sh -c 'echo ready; sleep 30' \
		>"$T/rootless.log" 2>&1 &
	up=$!
	track "$up"
	wait_for 30 first_child "$up" || fail "unshare forked no child"
	init=$child
	track "$init"
	wait_for 30 said_ready "$T/rootless.log" || fail "never said ready: $(cat "$T/rootless.log")"
	uid_map=$(awk '{ printf "[%s,%s,%s]", $1, $2, $3 }' "/proc/$init/uid_map")
	kill -KILL "$init"
	wait "$up" 2>/dev/null || true
	trace_stop

	key=$(key_of '.runtime == "unshare"')
	[ -n "$key" ] || { fail "no unshare container"; return 0; }
	expect "uid_map as /proc shows it" "[$uid_map]" "$(summary "$key" | jq -c .init_creds.userns.uid_map)"
	expect "uid_map maps root to 1000" "[[0,1000,1]]" "$(summary "$key" | jq -c .init_creds.userns.uid_map)"
	expect "rootless" true "$(summary "$key" | jq -r .rootless)"
	expect "uid 1000 on the host, root inside" "1000 0" \
		"$(summary "$key" | jq -r '.init_creds | "\(.uid) \(.uid_inside)"')"
	expect "every capability inside, yet not privileged" false "$(summary "$key" | jq -r .privileged)"
	expect "no privileged_container alert" 0 "$(alerts privileged_container)"
}

# The escape: nsenter from a container that shares the host's pid namespace into a host process.
scenario_audit_escape() {
	scenario=audit-escape
	docker_up || { skip "no docker daemon"; return 0; }
	command -v runc >/dev/null || { skip "runc is not installed"; return 0; }
	name=$tag-escape
	sleep 300 &
	host_pid=$!
	track "$host_pid"
	id=$tag-escape-runc
	runc_bundle "$id" "$(sh_argv "$(trap_script 0)")"
	trace_start audit-escape || return 0
	dk run -d --network none --pid=host --cap-add ALL --cap-drop SYS_RESOURCE --name "$name" "$image" \
		/bin/sh -c "$(trap_script 0)" >/dev/null
	wait_for 60 docker_said_ready "$name" || fail "the container never said ready"
	dk exec "$name" /bin/busybox true || fail "docker exec true"
	rc=0
	dk exec "$name" /bin/nsenter -t "$host_pid" -m -u -i -n /bin/busybox true || rc=$?
	expect "nsenter into the host process" 0 "$rc"
	runc run -d --bundle "$bundle" "$id" </dev/null >"$T/$id.log" 2>&1 || fail "runc run -d: $(cat "$T/$id.log")"
	runc exec "$id" /bin/busybox true || fail "runc exec true"
	runc kill "$id" KILL
	wait_for 30 oci_is runc "$id" stopped
	runc delete "$id"
	dk stop -t 10 "$name" >/dev/null
	dk rm "$name" >/dev/null
	trace_stop

	key=$(key_of '.runtime == "docker"')
	expect "exactly one namespace_escape" 1 "$(alerts namespace_escape)"
	expect "it is the docker container's" 1 "$(alerts namespace_escape "$key")"
	expect "raised by nsenter" nsenter "$(jq -r 'select(.type == "alert" and .rule == "namespace_escape") | .comm' "$trace_out")"
	expect "into the host's namespaces" true \
		"$(jq -r 'select(.type == "alert" and .rule == "namespace_escape") | (.host | length > 0)' "$trace_out")"
	expect "docker exec and runc exec raised none: escapes only" 1 \
		"$(jq -r 'select(.type == "alert" and .rule != "privileged_container") | .rule' "$trace_out" | wc -l)"
	# --alerts shows the alert and what it points to, nothing else
	"$NSTRACE" replay --json --alerts "$trace_rec" >"$T/alerts-only.out" 2>"$T/alerts-only.err"
	expect "--alerts: every record is an alert or what one points to" "" \
		"$(jq -r 'select(.type != "alert" and .type != "container_create" and .type != "setns" and .type != "exec" and .type != "summary") | .type' "$T/alerts-only.out" | sort -u | paste -sd ' ')"
	expect "--alerts: the escape is there" 1 \
		"$(jq -r 'select(.type == "alert" and .rule == "namespace_escape") | .rule' "$T/alerts-only.out" | wc -l)"
}

# A login uid set the way PAM sets it, then a container started from that shell.
scenario_audit_loginuid() {
	scenario=audit-loginuid
	command -v runc >/dev/null || { skip "runc is not installed"; return 0; }
	id=$tag-login
	runc_bundle "$id" '["/bin/true"]'
	trace_start audit-loginuid || return 0
	# the shell stays runc's parent, as a login shell does
	sh -c "echo 1000 > /proc/self/loginuid && runc run --bundle '$bundle' '$id'; exit \$?" </dev/null >"$T/$id.log" 2>&1 ||
		fail "runc run from a login shell: $(cat "$T/$id.log")"
	trace_stop

	key=$(key_of ".container_id == \"$id\"")
	create=$(jq -c --arg k "$key" 'select(.type == "container_create" and .container == $k)' "$trace_out")
	expect "started by a user's process" user "$(echo "$create" | jq -r .who.started_by)"
	expect "under login uid 1000" 1000 "$(echo "$create" | jq -r '.who.auid')"
	expect "the shell that set it ends the chain" sh "$(echo "$create" | jq -r '.who.chain[-1].comm')"
	expect "the chain starts at the creator" "$(echo "$create" | jq -r .creator.pid)" \
		"$(echo "$create" | jq -r '.who.chain[0].pid')"
	expect "the container's init carries it" 1000 "$(summary "$key" | jq -r .init_creds.auid)"
}

# A setuid binary run by a non-root user inside a container.
scenario_audit_capgain() {
	scenario=audit-capgain
	docker_up || { skip "no docker daemon"; return 0; }
	# busybox picks its applet by the name it runs as: the setuid copy keeps the name
	mkdir -p "$T/suidroot/suid"
	cp -a "$R/." "$T/suidroot/"
	cp "$R/bin/busybox" "$T/suidroot/suid/busybox"
	chmod 4755 "$T/suidroot/suid/busybox"
	tar -C "$T/suidroot" -cf "$T/suidroot.tar" .
	dk import "$T/suidroot.tar" "$tag/suid" >/dev/null
	name=$tag-capgain
	trace_start audit-capgain || return 0
	dk run --network none --user 1000:1000 --name "$name" "$tag/suid" \
		/bin/sh -c '/bin/busybox true; /suid/busybox true' >"$T/capgain.log" 2>&1 ||
		fail "docker run: $(cat "$T/capgain.log")"
	dk rm "$name" >/dev/null
	trace_stop

	key=$(key_of '.runtime == "docker"')
	expect "one capability_gain" 1 "$(alerts capability_gain "$key")"
	expect "by the setuid binary, as euid 0" "busybox 0" \
		"$(jq -r 'select(.type == "alert" and .rule == "capability_gain") | "\(.comm) \(.euid)"' "$trace_out")"
	expect "the plain exec before it gained nothing" 1 "$(alerts capability_gain)"
}
