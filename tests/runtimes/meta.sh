# shellcheck shell=sh
# Container metadata: what nstrace reads of the OCI bundle and asks the Docker daemon,
# and the container filter. Sourced by run.sh after scenarios.sh.

# --- reading a bundle someone named: each forged argv is a real process, stopped after its exec ---

# oci_read UID GID DIR BUNDLE|- EXE ARGV...: what nstrace's reader makes of it, as one JSON line.
oci_read() { "$OCI_READ" "$@"; }
read_err() { oci_read "$@" | jq -r .err; }

scenario_bundle_safety() {
	scenario=bundle-safety
	[ -x "${OCI_READ:-}" ] || { skip "no oci-read driver (make test-runtimes builds it)"; return 0; }
	command -v runc >/dev/null || { skip "runc is not installed"; return 0; }
	runc=$(command -v runc)
	nobody=$(id -u nobody) nogroup=$(id -g nobody)
	S=$T/safety
	# mktemp made the scratch directory root's alone: nobody may pass through to its own bundle
	chmod 711 "$T"
	mkdir -p "$S/ok" "$S/secret" "$S/fifo" "$S/huge" "$S/link" "$S/world"
	chmod 755 "$S" "$S/ok" "$S/fifo" "$S/huge" "$S/link" "$S/world"
	"$runc" spec --bundle "$S/ok"
	jq '.hostname = "safe"' "$S/ok/config.json" >"$S/ok/c" && mv "$S/ok/c" "$S/ok/config.json"
	chmod 644 "$S/ok/config.json"
	# what only root may read: a directory of its own, and a file in a directory anyone may enter
	jq '.hostname = "secret"' "$S/ok/config.json" >"$S/secret/config.json"
	chmod 700 "$S/secret"
	cp "$S/secret/config.json" "$S/world/config.json"
	chmod 600 "$S/world/config.json"
	mkfifo "$S/fifo/config.json"
	# a valid config.json, padded past the 1 MiB cap
	{ head -c -1 "$S/ok/config.json"; printf ',"pad":"'; head -c 1100000 /dev/zero | tr '\0' x; printf '"}'; } \
		>"$S/huge/config.json"
	ln -s "$S/secret/config.json" "$S/link/config.json"

	expect "runc's own bundle, as root" safe \
		"$(oci_read 0 0 / "$S/ok" "$runc" runc create --bundle "$S/ok" x | jq -r .meta.bundle.hostname)"
	expect "runc's own bundle, as nobody" safe \
		"$(oci_read "$nobody" "$nogroup" / "$S/ok" "$runc" runc create --bundle "$S/ok" x | jq -r .meta.bundle.hostname)"
	expect "the working directory's bundle without --bundle" safe \
		"$(oci_read 0 0 "$S/ok" - "$runc" runc create x | jq -r .meta.bundle.hostname)"
	expect "a root-only directory named by nobody" EACCES \
		"$(read_err "$nobody" "$nogroup" / "$S/secret" "$runc" runc create --bundle "$S/secret" x)"
	expect "a root-only file named by nobody" EACCES \
		"$(read_err "$nobody" "$nogroup" / "$S/world" "$runc" runc create --bundle "$S/world" x)"
	out=$(oci_read "$nobody" "$nogroup" / "$S/world" "$runc" runc create --bundle "$S/world" x)
	expect "nothing of it printed" null "$(echo "$out" | jq -r .meta.bundle)"
	expect "the same file named by root's runc" secret \
		"$(oci_read 0 0 / "$S/world" "$runc" runc create --bundle "$S/world" x | jq -r .meta.bundle.hostname)"
	expect "a FIFO as config.json: refused, no stall" EPERM \
		"$(read_err 0 0 / "$S/fifo" "$runc" runc create --bundle "$S/fifo" x)"
	expect "a config.json past the size cap" EFBIG \
		"$(read_err 0 0 / "$S/huge" "$runc" runc create --bundle "$S/huge" x)"
	expect "config.json as a symlink to a root-only file" EPERM \
		"$(read_err 0 0 / "$S/link" "$runc" runc create --bundle "$S/link" x)"
	expect "a bundle through a /proc magic link" ELOOP \
		"$(read_err 0 0 / "/proc/self/root$S/ok" "$runc" runc create --bundle "/proc/self/root$S/ok" x)"
	expect "argv[0] says runc, the executable is sleep" EPERM \
		"$(read_err 0 0 / "$S/ok" "$(command -v sleep)" runc create --bundle "$S/ok" x)"
	cp "$runc" "$S/runc"
	chown "$nobody" "$S/runc"
	expect "a copy of runc that nobody owns" EPERM \
		"$(read_err 0 0 / "$S/ok" "$S/runc" runc create --bundle "$S/ok" x)"
	echo '{"hostname": 5, "process": {"args": "sh"}' >"$S/ok/config.json"
	out=$(oci_read 0 0 / "$S/ok" "$runc" runc create --bundle "$S/ok" x)
	expect "a damaged config.json: refused with why" "EINVAL config.json is not valid JSON" \
		"$(echo "$out" | jq -r '"\(.err) \(.why)"')"
	echo '{"hostname": 5, "process": {"args": "sh"}}' >"$S/ok/config.json"
	out=$(oci_read 0 0 / "$S/ok" "$runc" runc create --bundle "$S/ok" x)
	expect "fields of the wrong shape: null, with one why" "0 hostname is not a string null null" \
		"$(echo "$out" | jq -r '"\(.err) \(.why) \(.meta.bundle.hostname) \(.meta.bundle.args)"')"
}

# --- what nstrace prints of a container's metadata ---

# meta_of KEY PATH: PATH of what was known of container KEY at the end: its container_create,
# then each container_meta, later fields over earlier ones.
meta_of() {
	jq -sc --arg k "$1" '[.[] | select(.container == $k and (.type == "container_create" or
		.type == "container_meta"))] | reduce .[] as $r ({}; . + ($r | with_entries(select(.value != null))))' \
		"$trace_out" | jq -c "$2"
}

# meta_records KEY: how many container_meta records KEY got.
meta_records() {
	jq -r --arg k "$1" 'select(.type == "container_meta" and .container == $k) | .container' "$trace_out" | wc -l |
		tr -d ' '
}

created() { [ -n "$(key_of ".container_id == \"$1\"")" ]; }

# has_name NAME: some record already names a container NAME.
has_name() { [ -n "$(jq -r --arg n "$1" 'select(.name == $n) | .type' "$trace_out" 2>/dev/null | head -n 1)" ]; }

# check_whole KEY: create, init, exit and destroy of KEY, in that order.
check_whole() {
	expect "its lifecycle, whole and in order" "container_create container_init container_exit container_destroy" \
		"$(jq -r --arg k "$1" 'select(.container == $k and (.type == "container_create" or .type == "container_init"
			or .type == "container_exit" or .type == "container_destroy")) | .type' "$trace_out" | paste -sd ' ')"
}

# diagnostics KEYWORD: how many stderr lines of the trace mention it.
diagnostics() { grep -c "$1" "$trace_err" || true; }

# check_docker_meta KEY NAME: name, image, image ID, labels and compose labels as docker inspect says.
check_docker_meta() {
	_ins=$(dk inspect "$2" | jq -c '.[0]')
	expect "name" "$2" "$(meta_of "$1" .name | jq -r .)"
	expect "image" "$(echo "$_ins" | jq -r .Config.Image)" "$(meta_of "$1" .image | jq -r .)"
	expect "image ID" "$(echo "$_ins" | jq -r .Image)" "$(meta_of "$1" .image_id | jq -r .)"
	expect "labels" "$(echo "$_ins" | jq -cS .Config.Labels)" "$(meta_of "$1" .labels | jq -cS .)"
	expect "compose project and service" \
		"$(echo "$_ins" | jq -c '[.Config.Labels["com.docker.compose.project"], .Config.Labels["com.docker.compose.service"]]')" \
		"$(meta_of "$1" '[.compose.project, .compose.service]')"
	expect "the bundle's process args" "$(echo "$_ins" | jq -c '[.Path] + .Args')" "$(meta_of "$1" .bundle.args)"
	expect "the bundle's hostname" "$(echo "$_ins" | jq -r .Config.Hostname)" "$(meta_of "$1" .bundle.hostname | jq -r .)"
}

scenario_meta_docker() {
	scenario=meta-docker
	docker_up || { skip "no docker daemon"; return 0; }
	web=$tag-web db=$tag-db
	trace_start meta-docker --docker-socket "$D/docker.sock" || return 0
	dk run -d --network none --name "$web" --label tier=front --label com.docker.compose.project=shop \
		--label com.docker.compose.service=web "$image" /bin/busybox sleep 300 >/dev/null
	dk run -d --network none --name "$db" --label tier=back "$image" /bin/busybox sleep 300 >/dev/null
	wait_for 30 has_name "$web" || fail "no record names $web"
	wait_for 30 has_name "$db" || fail "no record names $db"
	web_id=$(docker_state "$web" .Id) db_id=$(docker_state "$db" .Id)
	web_key=$(key_of ".container_id == \"$web_id\"") db_key=$(key_of ".container_id == \"$db_id\"")
	check_docker_meta "$web_key" "$web"
	check_docker_meta "$db_key" "$db"
	# nstrace ps finds them from /proc, asks the same daemon, and names them the same
	"$NSTRACE" ps --json --docker-socket "$D/docker.sock" >"$T/ps-meta.json"
	_row=$(jq -c --arg id "$web_id" 'select(.container_id == $id)' "$T/ps-meta.json")
	expect "ps: name" "$web" "$(echo "$_row" | jq -r .name)"
	expect "ps: image" "$(docker_state "$web" .Config.Image)" "$(echo "$_row" | jq -r .image)"
	expect "ps: labels" "$(dk inspect "$web" | jq -cS '.[0].Config.Labels')" "$(echo "$_row" | jq -cS .labels)"
	expect "ps: the bundle's args" '["/bin/busybox","sleep","300"]' "$(echo "$_row" | jq -c .bundle.args)"
	expect "ps text: the name for the key" true \
		"$("$NSTRACE" ps --docker-socket "$D/docker.sock" | grep -q "^$web " && echo true || echo false)"
	dk rm -f "$web" "$db" >/dev/null
	trace_stop
	expect "the summary of $web names it" "$web" "$(field "$web_key" container_destroy .name)"
	expect "a container_meta per source that told something new, at most" true \
		"$([ "$(meta_records "$web_key")" -le 2 ] && echo true || echo false)"
	expect "no diagnostic about docker" 0 "$(diagnostics docker)"
	# the text output names it too
	"$NSTRACE" replay "$trace_rec" >"$T/meta-docker.txt"
	expect "text output shows the name for the key once known" true \
		"$(grep -q "container_destroy $web " "$T/meta-docker.txt" && echo true || echo false)"

	# the same recording, filtered: by name, by ID prefix, by key
	for spec in "$web" "$(echo "$web_id" | cut -c1-6)" "$web_key"; do
		"$NSTRACE" replay --json --container "$spec" "$trace_rec" >"$T/filtered.json"
		expect "replay --container $spec: only $web_key" "$web_key" \
			"$(jq -r 'select(.container != null) | .container' "$T/filtered.json" | sort -u | paste -sd ' ')"
		expect "replay --container $spec: its whole lifecycle" \
			"$(jq -r --arg k "$web_key" 'select(.container == $k) | .type' "$trace_out" | paste -sd ' ')" \
			"$(jq -r 'select(.container != null) | .type' "$T/filtered.json" | paste -sd ' ')"
	done
}

# A live trace limited to one container by name: the name comes from docker after the container
# started, and its records from before are printed once it is known, the other's never.
scenario_filter_live() {
	scenario=filter-live
	docker_up || { skip "no docker daemon"; return 0; }
	mine=$tag-mine other=$tag-other
	# replay is asked for the same view: the filter is part of it
	trace_view="--events --comm busybox --container $mine"
	trace_start filter-live --docker-socket "$D/docker.sock" || return 0
	dk run --network none --name "$other" "$image" /bin/busybox sh -c 'exit 3' >/dev/null 2>&1 || :
	dk run --network none --name "$mine" "$image" /bin/busybox sh -c 'exit 4' >/dev/null 2>&1 || :
	mine_id=$(docker_state "$mine" .Id)
	dk rm "$mine" "$other" >/dev/null
	trace_stop
	key=$(key_of ".container_id == \"$mine_id\"")
	expect "only its records" "$key" "$(jq -r 'select(.container != null) | .container' "$trace_out" | sort -u |
		paste -sd ' ')"
	check_whole "$key"
	expect "its raw events only: busybox's exec in it" "$(jq -r --argjson p "$(field "$key" container_init .pid)" \
		'select(.type == "exec") | .pid == $p' "$trace_out" | sort -u | paste -sd ' ')" true
}

# docker_liar MODE: nstrace asks a socket that answers slowly or with garbage while a real dockerd
# starts a container: the container's records are whole and come while the question is open.
scenario_docker_liar() {
	mode=$1
	scenario=docker-$mode
	docker_up || { skip "no docker daemon"; return 0; }
	command -v python3 >/dev/null || { skip "python3 is not installed"; return 0; }
	liar=$T/liar-$mode.sock liar_log=$T/liar-$mode.log
	: >"$liar_log"
	python3 "$here/fake-docker.py" "$mode" "$liar" "$liar_log" &
	track $!
	wait_for 10 test -S "$liar" || { fail "the fake daemon did not start"; return 0; }
	name=$tag-$mode
	trace_start "docker-$mode" --docker-socket "$liar" || return 0
	dk run -d --network none --name "$name" "$image" /bin/busybox sleep 300 >/dev/null
	id=$(docker_state "$name" .Id)
	wait_for 30 grep -q "asked /containers/$id/json" "$liar_log" || fail "nstrace never asked the fake daemon"
	if [ "$mode" = slow ]; then
		# the client gives up after 3 s: until then the question is open, and the records must not wait for it
		if wait_for 2 created "$id" && ! grep -q left "$liar_log"; then
			pass "container_create printed while the question is still open"
		else
			fail "container_create waited for the daemon's answer: $(cat "$liar_log")"
		fi
	fi
	pid=$(docker_state "$name" .State.Pid)
	dk rm -f "$name" >/dev/null
	wait_for 10 grep -q "left\|answered" "$liar_log"
	trace_stop
	key=$(key_of ".container_id == \"$id\"")
	check_lifecycle "$key" docker "$id" "$pid" '["/bin/busybox","sleep","300"]' 0
	expect "no name from a lying daemon" null "$(meta_of "$key" .name)"
	expect "one diagnostic about the daemon" 1 "$(diagnostics 'docker')"
}

# dockerd stops while nstrace runs: its containers' records stay whole, nothing is lost.
scenario_docker_gone() {
	scenario=docker-gone
	docker_up || { skip "no docker daemon"; return 0; }
	name=$tag-gone
	trace_start docker-gone --docker-socket "$D/docker.sock" || return 0
	dk run -d --network none --name "$name" "$image" /bin/busybox sleep 300 >/dev/null
	id=$(docker_state "$name" .Id)
	init=$(docker_state "$name" .State.Pid)
	wait_for 30 has_name "$name" || fail "no record names $name"
	# dockerd stops its containers and itself (its exit status is not this test's)
	docker_down || :
	wait_for 30 eval '! alive "$init"' || fail "the container outlived dockerd"
	trace_stop
	key=$(key_of ".container_id == \"$id\"")
	expect "nothing lost" 0 "$lost"
	expect "its name" "$name" "$(meta_of "$key" .name | jq -r .)"
	check_whole "$key"
}

# --- CRI-style annotations: containerd's ctr, and runc bundles as a CRI runtime writes them ---

cd_pid=
containerd_up() {
	[ -z "$cd_pid" ] || return 0
	command -v containerd >/dev/null && command -v ctr >/dev/null || return 1
	CD=$T/containerd
	mkdir -p "$CD"
	containerd --root "$CD/root" --state "$CD/state" --address "$CD/c.sock" >"$CD/log" 2>&1 </dev/null &
	cd_pid=$!
	wait_for 30 ctr --address "$CD/c.sock" version >/dev/null 2>&1
}

containerd_down() {
	[ -n "$cd_pid" ] || return 0
	ctr --address "$CD/c.sock" task ls -q 2>/dev/null | while read -r t; do
		ctr --address "$CD/c.sock" task kill -s KILL "$t" >/dev/null 2>&1
		ctr --address "$CD/c.sock" task rm -f "$t" >/dev/null 2>&1
	done
	ctr --address "$CD/c.sock" c ls -q 2>/dev/null | while read -r c; do
		ctr --address "$CD/c.sock" c rm "$c" >/dev/null 2>&1
	done
	kill -TERM "$cd_pid" 2>/dev/null
	wait "$cd_pid" 2>/dev/null
	cd_pid=
	for dir in /sys/fs/cgroup/*/default; do
		[ -d "$dir" ] && rmdir "$dir"/* "$dir" 2>/dev/null
	done
	return 0
}

scenario_meta_containerd() {
	scenario=meta-containerd
	containerd_up || { skip "no containerd"; return 0; }
	id=$tag-ctr
	trace_start meta-containerd || return 0
	rc=0
	# --rootfs makes the first operand the root file system: options before it
	ctr --address "$CD/c.sock" run --rm \
		--annotation io.kubernetes.cri.container-type=container \
		--annotation io.kubernetes.cri.container-name=app \
		--annotation io.kubernetes.cri.image-name=registry.local/app:1.2 \
		--annotation io.kubernetes.cri.sandbox-name=shop-7d4 \
		--annotation io.kubernetes.cri.sandbox-namespace=prod \
		--rootfs "$R" "$id" /bin/sh -c 'exit 5' >"$T/$id.log" 2>&1 || rc=$?
	expect "ctr run's exit status" 5 "$rc"
	trace_stop
	key=$(key_of ".container_id == \"$id\"")
	[ -n "$key" ] || { fail "no container_create for $id"; return 0; }
	expect "name from the CRI annotation" app "$(meta_of "$key" .name | jq -r .)"
	expect "image from the CRI annotation" registry.local/app:1.2 "$(meta_of "$key" .image | jq -r .)"
	expect "pod namespace/name" prod/shop-7d4 "$(meta_of "$key" .pod | jq -r .)"
	expect "the configured args" '["/bin/sh","-c","exit 5"]' "$(meta_of "$key" .bundle.args)"
	expect "no docker asked for a containerd container" 0 "$(diagnostics docker)"
}

# A pod as a CRI runtime builds it with runc: a sandbox, and an app container that joins its
# network, IPC and UTS namespaces by path, with CRI-O's annotations.
scenario_meta_runc_pod() {
	scenario=meta-runc-pod
	command -v runc >/dev/null || { skip "runc is not installed"; return 0; }
	sandbox=$tag-meta-sandbox app=$tag-meta-app
	runc_bundle "$sandbox" '["/bin/busybox","sleep","30"]'
	sandbox_bundle=$bundle
	trace_start meta-runc-pod || return 0
	runc run -d --bundle "$sandbox_bundle" "$sandbox" </dev/null >"$T/$sandbox.log" 2>&1 ||
		fail "runc run sandbox: $(cat "$T/$sandbox.log")"
	spid=$(runc state "$sandbox" | jq -r .pid)
	runc_bundle "$app" "$(sh_argv 'exit 6')"
	jq --arg p "$spid" '.annotations = {"io.kubernetes.pod.name": "db-0", "io.kubernetes.pod.namespace": "data",
		"io.kubernetes.container.name": "postgres", "io.kubernetes.cri-o.ImageName": "postgres:16"} |
		del(.hostname) | .linux.namespaces |= map(if .type == "network" or .type == "ipc" or .type == "uts"
		then .path = "/proc/\($p)/ns/\(.type | sub("network"; "net"))" else . end)' \
		"$bundle/config.json" >"$bundle/c" && mv "$bundle/c" "$bundle/config.json"
	rc=0
	# without --bundle: runc reads the working directory's
	(cd "$bundle" && runc run "$app" </dev/null >"$T/$app.log" 2>&1) || rc=$?
	expect "runc run's exit status" 6 "$rc"
	runc kill "$sandbox" KILL
	wait_for 30 oci_is runc "$sandbox" stopped
	runc delete "$sandbox"
	trace_stop
	key=$(key_of ".container_id == \"$app\"")
	[ -n "$key" ] || { fail "no container_create for $app"; return 0; }
	expect "name from CRI-O's annotation" postgres "$(meta_of "$key" .name | jq -r .)"
	expect "image" postgres:16 "$(meta_of "$key" .image | jq -r .)"
	expect "pod" data/db-0 "$(meta_of "$key" .pod | jq -r .)"
	expect "namespaces joined by path" "{\"ipc\":\"/proc/$spid/ns/ipc\",\"net\":\"/proc/$spid/ns/net\",\"uts\":\"/proc/$spid/ns/uts\"}" \
		"$(meta_of "$key" '.bundle.ns_paths' | jq -cS .)"
	expect "the bundle is the working directory" "$bundle" "$(meta_of "$key" .bundle.path | jq -r .)"
	skey=$(key_of ".container_id == \"$sandbox\"")
	expect "the sandbox has no name" null "$(meta_of "$skey" .name)"
	expect "the sandbox's args" '["/bin/busybox","sleep","30"]' "$(meta_of "$skey" .bundle.args)"
}
