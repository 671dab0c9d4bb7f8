#!/bin/sh
# nstrace as a service: make install and uninstall, the man page, bash completion,
# the systemd unit's privileges, the logrotate snippet and the container image.
# Usage: tests/service/run.sh [NSTRACE [install|man|completion|unit|logrotate|image|metrics|rotate]...]
# The unit and image groups trace the host and need root; run them under the shared lock.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
NSTRACE=$(realpath "${1:-./nstrace}")
[ $# -gt 0 ] && shift
[ -x "$NSTRACE" ] || { echo "service: no nstrace at $NSTRACE"; echo "service: 0 passed, 1 failed, 0 skipped"; exit 1; }
groups=${*:-install man completion unit logrotate image metrics rotate}
MAKE=${MAKE:-make}

# shellcheck source=tests/runtimes/lib.sh
. "$repo/tests/runtimes/lib.sh"
# dk, docker_up and docker_down: a dockerd of the test's own
# shellcheck source=tests/runtimes/scenarios.sh
. "$repo/tests/runtimes/scenarios.sh"

scenario=setup
for tool in jq mandoc man systemd-analyze logrotate setpriv unshare busybox; do
	command -v "$tool" >/dev/null || { echo "service: $tool is missing (scripts/deps.sh test)"; exit 1; }
done

T=$(mktemp -d /tmp/nstrace-service.XXXXXX)
chmod 0755 "$T"
D=$T/docker
tag=nstrace-svc-$$
runc_ids=
image=
finished=false
cleanup() {
	status=$?
	set +e
	trap - EXIT HUP INT PIPE TERM
	if ! $finished; then
		echo "FAIL: $scenario: stopped early (exit $status)"
		echo "service: $passed passed, $((failed + 1)) failed, $skipped skipped"
	fi
	[ -n "$trace_pid" ] && kill -TERM "$trace_pid" 2>/dev/null && wait "$trace_pid" 2>/dev/null
	docker_down
	end_tracked
	for id in $runc_ids; do
		runc delete --force "$id" >/dev/null 2>&1
		find /sys/fs/cgroup -maxdepth 4 -type d -name "$id" -exec rmdir {} + 2>/dev/null
	done
	unmount_under "$T"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

# A busybox root file system: a directory for runc, a tarball for docker import.
R=$T/rootfs
mkdir -p "$R/bin" "$R/proc" "$R/sys" "$R/dev" "$R/tmp" "$R/etc"
cp "$(command -v busybox)" "$R/bin/busybox"
chroot "$R" /bin/busybox --install -s /bin
tar -C "$R" -cf "$T/rootfs.tar" .

# install_to DIR MAKE_VARIABLE...: make install into DIR, the words make wrote kept in DIR.log
install_to() {
	_dir=$1
	shift
	$MAKE -s -C "$repo" NSTRACE_BIN="$NSTRACE" "$@" install >"$_dir.log" 2>&1
}

# The installed files, relative to DIR, one a line, sorted.
files_under() { (cd "$1" && find . ! -type d | sort); }

scenario_install() {
	scenario=install
	stage=$T/stage
	if ! install_to "$stage" DESTDIR="$stage" PREFIX=/usr; then
		fail "make install DESTDIR=... PREFIX=/usr: $(tail -n 5 "$stage.log")"
		return
	fi
	expect "files staged under DESTDIR" "./etc/logrotate.d/nstrace
./usr/lib/systemd/system/nstrace.service
./usr/sbin/nstrace
./usr/share/bash-completion/completions/nstrace
./usr/share/man/man8/nstrace.8" "$(files_under "$stage")"
	expect "the installed binary is the one built" "$(sha256sum <"$NSTRACE")" \
		"$(sha256sum <"$stage/usr/sbin/nstrace")"
	expect "the unit starts the binary where PREFIX put it" "/usr/sbin/nstrace" \
		"$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$stage/usr/lib/systemd/system/nstrace.service")"
	expect "the binary is executable" 755 "$(stat -c %a "$stage/usr/sbin/nstrace")"
	expect "the other files are not" "644 644 644 644" "$(stat -c %a "$stage/etc/logrotate.d/nstrace" \
		"$stage/usr/lib/systemd/system/nstrace.service" "$stage/usr/share/man/man8/nstrace.8" \
		"$stage/usr/share/bash-completion/completions/nstrace" | paste -sd ' ')"
	if $MAKE -s -C "$repo" DESTDIR="$stage" PREFIX=/usr uninstall >"$stage.log" 2>&1; then
		expect "make uninstall leaves no file behind" "" "$(files_under "$stage")"
	else
		fail "make uninstall: $(tail -n 5 "$stage.log")"
	fi

	# PREFIX alone: every path follows it, logrotate's too when asked
	prefix=$T/prefix
	if install_to "$prefix" PREFIX="$prefix" LOGROTATEDIR="$prefix/etc/logrotate.d"; then
		expect "files under PREFIX" "./etc/logrotate.d/nstrace
./lib/systemd/system/nstrace.service
./sbin/nstrace
./share/bash-completion/completions/nstrace
./share/man/man8/nstrace.8" "$(files_under "$prefix")"
		expect "man finds the installed page" "$prefix/share/man/man8/nstrace.8" \
			"$(MANPATH=$prefix/share/man man -w nstrace 2>&1)"
	else
		fail "make install PREFIX=...: $(tail -n 5 "$prefix.log")"
	fi
}

# --help's long options of one command (none for the trace), sorted, one a line.
long_options() {
	# shellcheck disable=SC2086 # the command is a word or nothing
	"$NSTRACE" $1 --help | grep -oE '^ +(-., )?--[a-z-]+' | sed 's/.*--/--/' | sort
}

scenario_man() {
	scenario=man
	page=$repo/man/nstrace.8
	# mandoc's own database of the host's pages is no concern of the page's
	expect "mandoc -T lint" "" "$(mandoc -T lint "$page" 2>&1 | grep -v 'outdated mandoc.db')"
	expect "man --warnings" "" "$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)"
	for cmd in "" ps replay profile; do
		missing=
		for opt in $(long_options "$cmd"); do
			# mdoc: .Fl \-ringbuf\-kb for --ringbuf-kb
			grep -qF "Fl $(printf '%s' "${opt#-}" | sed 's/-/\\-/g')" "$page" || missing="$missing $opt"
		done
		expect "the page has every option of nstrace${cmd:+ $cmd}" "" "$missing"
		[ -z "$cmd" ] || expect "the page describes nstrace $cmd" 1 "$(grep -c "^\.It Cm $cmd" "$page")"
	done
	for signal in SIGINT SIGTERM SIGHUP SIGPIPE; do
		grep -q "^\.It Dv .*$signal" "$page" && pass "signal $signal described" ||
			fail "signal $signal not described"
	done
	for type in container_create container_init container_exec container_join container_exit \
		container_destroy container_meta alert container lost summary; do
		grep -q "^\.It Qq $type\$" "$page" && pass "record $type described" || fail "record $type not described"
	done
	for code in 0 1 2; do
		awk '/^\.Sh EXIT STATUS/,/^\.Sh EXAMPLES/' "$page" | grep -qx "\.It $code" &&
			pass "exit status $code described" || fail "exit status $code not described"
	done
}

# complete WORD...: what the completion offers for the last word, sorted, one a line.
complete() {
	bash -c '. /usr/share/bash-completion/bash_completion
		. "$0"
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_nstrace nstrace "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort' "$repo/packaging/nstrace.bash-completion" nstrace "$@"
}

scenario_completion() {
	scenario=completion
	[ -f /usr/share/bash-completion/bash_completion ] || { skip "bash-completion is not installed"; return; }
	for cmd in "" ps replay profile; do
		# shellcheck disable=SC2086
		expect "options of nstrace${cmd:+ $cmd} as --help lists them" "$(long_options "$cmd")" \
			"$(complete $cmd --)"
	done
	expect "commands" "profile
ps" "$(complete p)"
	expect "--hooks modes" "auto
fentry
sys-exit
tracepoint" "$(complete --hooks "")"
	expect "profile's --hooks modes" "fentry" "$(complete profile --hooks f)"
	mkdir -p "$T/compdir/sub" && : >"$T/compdir/trace.rec"
	expect "replay completes file names" "$T/compdir/sub
$T/compdir/trace.rec" "$(complete replay "$T/compdir/")"
	expect "a word after the command is no command" "" "$(complete --json p)"
}

# caps_of UNIT KEY: the unit's capability list as setpriv takes it (+bpf,+perfmon,...).
caps_of() {
	sed -n "s/^$2=//p" "$1" | tr ' ' '\n' | grep . | sed 's/^CAP_/+/' | tr 'A-Z' 'a-z' | paste -sd ,
}

# as_unit CAPS ARG...: nstrace as the unit runs it: a user of its own, no other capability;
# it takes the place of the (sub)shell, so that $! names nstrace itself.
as_unit() {
	_caps=$1
	shift
	exec setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps="-all${_caps:+,$_caps}" \
		--ambient-caps="-all${_caps:+,$_caps}" --bounding-set="-all${_caps:+,$_caps}" "$NSTRACE_COPY" "$@"
}

ready_or_gone() { ready || ! alive "$trace_pid"; }

# hook_set STDERR: the hook set nstrace said it chose ("tracepoint", "fentry", ...).
hook_set() { jq -r 'select(.type == "info") | .message | capture("^hooks: (?<set>[a-z-]+)").set' "$1" | head -n 1; }

# unit_trace NAME CAPS: traces with the unit's options (its -o into $T) and the given capabilities
# while a container runs from before the start and a new one starts and exits 5.
unit_trace() {
	trace_out=$T/unit-$1.jsonl trace_err=$T/unit-$1.err caps=$2
	: >"$trace_out"
	chown 65534 "$trace_out"
	# shellcheck disable=SC2086 # the unit's words, split as systemd splits them (no quotes in it)
	set -- $unit_args
	args=
	while [ $# -gt 0 ]; do
		case $1 in
		-o) args="$args -o $trace_out"; shift ;;
		--metrics) args="$args --metrics 127.0.0.1:$(free_port 3)"; shift ;;
		*) args="$args $1" ;;
		esac
		shift
	done
	# shellcheck disable=SC2086
	as_unit "$caps" $args --ringbuf-kb 65536 2>"$trace_err" &
	trace_pid=$!
	track "$trace_pid"
	wait_for 30 ready_or_gone
	if ! ready; then
		unit_rc=0
		wait "$trace_pid" || unit_rc=$?
		trace_pid=
		return 0
	fi
	unshare --pid --fork --mount --mount-proc "$busybox" sh -c 'exit 5' || true
	kill -TERM "$trace_pid"
	unit_rc=0
	wait "$trace_pid" || unit_rc=$?
	trace_pid=
}

scenario_unit() {
	scenario=unit
	prefix=$T/unit-prefix
	if ! install_to "$prefix" PREFIX="$prefix" LOGROTATEDIR="$prefix/etc/logrotate.d"; then
		fail "make install: $(tail -n 5 "$prefix.log")"
		return
	fi
	unit=$prefix/lib/systemd/system/nstrace.service
	out=$(MANPATH=$prefix/share/man systemd-analyze verify "$unit" 2>&1) && rc=0 || rc=$?
	expect "systemd-analyze verify" "0 " "$rc $out"
	# 2.5 and below is what systemd calls OK for a service: more would need a reason
	out=$(systemd-analyze security --offline=yes --threshold=25 "$unit" 2>&1) && rc=0 || rc=$?
	expect "systemd-analyze security: exposure at most 2.5" "0 OK" \
		"$rc $(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for nstrace.service: [0-9.]* \([A-Z]*\).*/\1/p')"
	expect "the unit runs nstrace as a user of its own" yes "$(sed -n 's/^DynamicUser=//p' "$unit")"
	bounding=$(caps_of "$unit" CapabilityBoundingSet) ambient=$(caps_of "$unit" AmbientCapabilities)
	expect "the unit's ambient capabilities are its whole bounding set" "$bounding" "$ambient"

	if [ "$(id -u)" -ne 0 ]; then
		skip "the unit's privileges: needs root"
		return
	fi
	# a user of its own must be able to run the binary: outside the work tree's permissions
	NSTRACE_COPY=$T/nstrace
	cp "$NSTRACE" "$NSTRACE_COPY"
	busybox=$(command -v busybox)
	unit_args=$(sed -n 's/^ExecStart=[^ ]* *//p' "$unit")
	# a container from before nstrace starts, found in /proc only
	unshare --pid --fork --mount --mount-proc sleep 120 &
	before=$!
	track "$before"
	wait_for 10 eval '[ -n "$(pgrep -P "$before" sleep)" ]'
	before_pid=$(pgrep -P "$before" sleep)
	before_pidns=$(stat -L -c %i "/proc/$before_pid/ns/pid")

	# the unit wants sys-kernel-tracing.mount: tracefs is there when it starts
	tracefs_ours=
	if ! mountpoint -q /sys/kernel/tracing; then
		mount -t tracefs nodev /sys/kernel/tracing && tracefs_ours=1
	fi
	unit_trace full "$ambient"
	expect "with the unit's capabilities: exit status" 0 "$unit_rc"
	# fewer privileges must not mean a costlier hook set than root gets
	"$NSTRACE" --json -d 1 >/dev/null 2>"$T/root.err" || true
	[ -n "$(hook_set "$T/root.err")" ] || fail "nstrace as root named no hook set: $(cat "$T/root.err")"
	expect "with the unit's capabilities: the hook set root gets" "$(hook_set "$T/root.err")" "$(hook_set "$trace_err")"
	key=$(key_of ".origin == \"existing\" and .pidns == $before_pidns")
	expect "with the unit's capabilities: the running container is found, pid 1" "$before_pid" \
		"$(field "$key" container_init .pid)"
	key=$(key_of '.origin == "unshare"')
	expect "with the unit's capabilities: a new container's exit code" 5 "$(field "$key" container_exit .exit_code)"
	[ -n "$(field "$key" container_destroy .state)" ] && pass "with the unit's capabilities: its destroy" ||
		fail "with the unit's capabilities: no destroy"

	# each capability is needed: without it, nstrace fails, or misses the running container
	for cap in $(echo "$ambient" | tr , ' '); do
		unit_trace "no-${cap#+}" "$(echo ",$ambient," | sed "s/,$cap,/,/;s/^,//;s/,$//")"
		if [ "$unit_rc" -ne 0 ]; then
			expect "without ${cap#+}: a clear error" "1 missing capability CAP_$(echo "${cap#+}" | tr a-z A-Z)" \
				"$unit_rc $(grep -o 'missing capability CAP_[A-Z_]*' "$trace_err" | head -n 1)"
		elif [ "$(hook_set "$trace_err")" != "$(hook_set "$T/unit-full.err")" ]; then
			expect "without ${cap#+}: a costlier hook set, saying why" \
				"sys-exit CAP_$(echo "${cap#+}" | tr a-z A-Z)" \
				"$(hook_set "$trace_err") $(grep -o "CAP_$(echo "${cap#+}" | tr a-z A-Z)" "$trace_err" | head -n 1)"
		else
			key=$(key_of ".origin == \"existing\" and .pidns == $before_pidns")
			expect "without ${cap#+}: the running container is not found" "" "$key"
		fi
	done
	[ -z "$tracefs_ours" ] || umount /sys/kernel/tracing
	end_tracked
}

scenario_logrotate() {
	scenario=logrotate
	conf=$T/logrotate.conf
	mkdir -p "$T/log"
	# the snippet as installed, for a log directory of the test's own
	sed "s|/var/log/nstrace/|$T/log/|" "$repo/packaging/nstrace.logrotate" >"$conf"
	: >"$T/log/nstrace.jsonl"
	out=$(logrotate --debug --state "$T/logrotate.state" "$conf" 2>&1) && rc=0 || rc=$?
	expect "logrotate reads the snippet" "0 " "$rc $(printf '%s\n' "$out" | grep -i 'error' | head -n 3)"
	printf '%s\n' "$out" | grep -q "considering log $T/log/nstrace.jsonl" &&
		pass "the snippet covers nstrace's log" || fail "the snippet does not cover nstrace's log: $out"
}

# The docker run line of the man page's CONTAINER section, its words one a line.
documented_docker_run() {
	sed -n 's/^\.Dl # docker run //p' "$repo/man/nstrace.8" | head -n 1 | sed 's/\\-/-/g'
}

scenario_image() {
	scenario=image
	[ "$(id -u)" -eq 0 ] || { skip "needs root"; return; }
	docker_up || { skip "no docker daemon"; return; }
	name=$tag-img
	if ! $MAKE -s -C "$repo" DOCKER_HOST="unix://$D/docker.sock" IMAGE="$name:test" image >"$T/image.log" 2>&1; then
		fail "make image: $(tail -n 5 "$T/image.log")"
		return
	fi
	size=$(dk image inspect -f '{{.Size}}' "$name:test")
	[ "$size" -lt 16000000 ] && pass "the image is small ($size bytes)" || fail "the image has $size bytes"
	dk create --name "$name-files" "$name:test" >/dev/null 2>&1
	# what docker adds to every container aside
	expect "the image holds nstrace and the libraries it loads, nothing else" "usr/sbin/nstrace" \
		"$(dk export "$name-files" | tar -t | grep -v '/$' |
			grep -vxE '\.dockerenv|etc/(hostname|hosts|mtab|resolv\.conf)|(dev|proc|sys)/.*|lib(64)?/.*\.so[.0-9]*')"
	expect "the libraries are those ldd names" "$(ldd "$NSTRACE" | grep -o '/[^ ]*' | sed 's|^/||' | sort -u)" \
		"$(dk export "$name-files" | tar -t | grep -xE 'lib(64)?/.*\.so[.0-9]*' | sort)"
	dk rm "$name-files" >/dev/null
	if dk run --rm --entrypoint /bin/sh "$name:test" -c true >/dev/null 2>&1; then
		fail "the image has a shell"
	else
		pass "the image has no shell"
	fi

	run=$(documented_docker_run)
	[ -n "$run" ] || { fail "no docker run line in the man page"; return; }
	# the DaemonSet asks Kubernetes for what the documented docker run asks docker
	daemonset=$repo/packaging/kubernetes/nstrace-daemonset.yaml
	expect "the DaemonSet's capabilities are the docker run line's" \
		"$(echo "$run" | grep -o -- '--cap-add [A-Z_]*' | cut -d' ' -f2 | sort | paste -sd ,)" \
		"$(sed -n 's/^ *add: \[\(.*\)\]/\1/p' "$daemonset" | tr -d '" ' | tr , '\n' | sort | paste -sd ,)"
	expect "the DaemonSet shares the host's pid namespace and drops every other capability" "2" \
		"$(grep -cE '^ *hostPID: true$|^ *drop: \["ALL"\]$' "$daemonset")"
	# shellcheck disable=SC2086 # the documented words
	set -- $run
	args=
	img_port=$(free_port 5)
	for word; do
		case $word in
		nstrace:latest) args="$args $name:test" ;;
		nstrace) args="$args $name-tracer" ;;
		127.0.0.1:*) args="$args 127.0.0.1:$img_port" ;;
		*) args="$args $word" ;;
		esac
	done
	# docker before 23 knows neither BPF nor PERFMON: the documented substitute
	if dk run --rm --cap-drop ALL --cap-add BPF --entrypoint /none "$name:test" 2>&1 | grep -q 'unknown capability'; then
		args=$(echo "$args" | sed 's/--cap-add BPF --cap-add PERFMON/--cap-add SYS_ADMIN/')
		echo "this docker knows no CAP_BPF: $args"
	fi
	# shellcheck disable=SC2086
	tracer=$(dk run $args)
	if ! wait_for 60 docker_said_ready "$tracer"; then
		fail "the image never got ready: $(dk logs "$tracer" 2>&1 | tail -n 3)"
		dk rm -f "$tracer" >/dev/null 2>&1
		return
	fi
	pass "the image traces with the documented flags"
	sibling=$name-sibling
	dk run -d --name "$sibling" --network none "$image" sh -c 'sleep 2; exit 3' >/dev/null
	id=$(docker_state "$sibling" .Id) pid=$(docker_state "$sibling" .State.Pid)
	expect "the sibling's exit status" 3 "$(dk wait "$sibling")"
	# the image's metrics, on the host's loopback
	wait_for 10 eval 'curl -sf "http://127.0.0.1:$img_port/metrics" |
		grep -qx "nstrace_containers_destroyed_total{runtime=\"docker\"} 1"' &&
		pass "the image's metrics count the sibling" ||
		fail "the image's metrics: $(curl -s "http://127.0.0.1:$img_port/metrics" | grep destroyed_total | head -n 3)"
	dk rm "$sibling" >/dev/null
	# the closing summary comes on SIGTERM, which docker stop sends
	dk stop -t 10 "$tracer" >/dev/null
	expect "the image's exit status" 0 "$(docker_state "$tracer" .State.ExitCode)"
	trace_out=$T/image.jsonl
	dk logs "$tracer" 2>/dev/null >"$trace_out"
	dk rm "$tracer" >/dev/null
	lost=$(jq -r 'select(.type == "summary") | .lost' "$trace_out")
	check_lifecycle "$(key_of ".container_id == \"$id\"")" docker "$id" "$pid" '["sh","-c","sleep 2; exit 3"]' 3
}

# free_port: a TCP port nobody listens on, from a range of the test's own.
free_port() {
	_port=$((20000 + ($$ + ${1:-0}) % 20000))
	while [ -n "$(ss -Hltn "sport = :$_port")" ]; do
		_port=$((_port + 1))
	done
	echo "$_port"
}

# metrics_usage ARG: --metrics ARG refused as a usage error (exit 2) with a message naming it.
metrics_usage() {
	rc=0
	"$NSTRACE" --metrics "$1" -d 1 >"$T/usage.out" 2>"$T/usage.err" || rc=$?
	if [ "$rc" -eq 2 ] && grep -q -- "--metrics" "$T/usage.err" && [ ! -s "$T/usage.out" ]; then
		pass "--metrics '$1': usage error: $(head -n 1 "$T/usage.err")"
	else
		fail "--metrics '$1': expected exit 2 and a message on stderr, got $rc: $(cat "$T/usage.err" "$T/usage.out")"
	fi
}

# prom_query PROMQL: the value of its one sample in Prometheus now, or "none".
prom_query() {
	curl -sf --get --data-urlencode "query=$1" "http://127.0.0.1:$prom_port/api/v1/query" |
		jq -r 'if (.data.result | length) == 1 then .data.result[0].value[1] else "none" end'
}

# prom_expect WHAT PROMQL VALUE: waits for Prometheus to have scraped VALUE (a few scrape intervals).
prom_expect() {
	_deadline=$(($(date +%s) + 20))
	while [ "$(prom_query "$2")" != "$3" ] && [ "$(date +%s)" -lt "$_deadline" ]; do
		sleep 0.5
	done
	expect "$1" "$3" "$(prom_query "$2")"
}

prom_pid=
prom_up() {
	prom_port=$(free_port 7)
	cat >"$T/prometheus.yml" <<-EOF
		global:
		  scrape_interval: 1s
		  scrape_timeout: 1s
		scrape_configs:
		  - job_name: nstrace
		    static_configs:
		      - targets: ['127.0.0.1:$metrics_port']
	EOF
	prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/prometheus" \
		--web.listen-address="127.0.0.1:$prom_port" >"$T/prometheus.log" 2>&1 </dev/null &
	prom_pid=$!
	track "$prom_pid"
	wait_for 60 curl -sf "http://127.0.0.1:$prom_port/-/ready" >/dev/null
}

scenario_metrics() {
	scenario=metrics
	[ "$(id -u)" -eq 0 ] || { skip "needs root"; return; }
	command -v prometheus >/dev/null && command -v promtool >/dev/null && command -v curl >/dev/null ||
		{ fail "prometheus, promtool or curl is missing (scripts/deps.sh test)"; return; }
	for bad in 127.0.0.1 127.0.0.1: :9560 127.0.0.1:0 127.0.0.1:65536 127.0.0.1:http ::1:9560 \
		'[::1:9560' no-such-host.invalid:9560 192.0.2.1:9560; do
		metrics_usage "$bad"
	done

	metrics_port=$(free_port)
	trace_start metrics --metrics "127.0.0.1:$metrics_port" || return 0
	# the port is taken now: by this nstrace
	metrics_usage "127.0.0.1:$metrics_port"
	exposition=$T/metrics.txt
	if curl -sf "http://127.0.0.1:$metrics_port/metrics" -o "$exposition"; then
		out=$(promtool check metrics <"$exposition" 2>&1) && rc=0 || rc=$?
		expect "promtool check metrics" "0 " "$rc $out"
	else
		fail "no answer on /metrics"
	fi
	expect "/ is not found" 404 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$metrics_port/")"
	expect "POST is not allowed" 405 \
		"$(curl -s -o /dev/null -w '%{http_code}' -d x "http://127.0.0.1:$metrics_port/metrics")"
	if ! prom_up; then
		fail "prometheus did not start: $(tail -n 5 "$T/prometheus.log")"
		trace_stop
		return
	fi
	pass "prometheus scrapes nstrace"
	prom_expect "the target is up" 'up{job="nstrace"}' 1
	prom_expect "build info" 'nstrace_build_info{version="'"$("$NSTRACE" --version | cut -d' ' -f2)"'"}' 1

	# three runc containers one after another, exit codes 0, 1, 2
	for i in 0 1 2; do
		runc_bundle "$tag-m$i" "$(busybox_argv "exit $i")"
		rc=0
		runc run --bundle "$T/bundle-$tag-m$i" "$tag-m$i" </dev/null >/dev/null 2>&1 || rc=$?
		expect "runc run $i's exit status" "$i" "$rc"
	done
	# and one that stays, is entered with runc exec, then killed
	runc_bundle "$tag-ms" '["/bin/busybox","sleep","300"]'
	runc create --bundle "$T/bundle-$tag-ms" "$tag-ms" </dev/null >"$T/ms.log" 2>&1
	runc start "$tag-ms"
	prom_expect "runc containers created" 'sum(nstrace_containers_created_total{runtime="runc",origin!="existing"})' 4
	prom_expect "runc containers destroyed while one runs" 'nstrace_containers_destroyed_total{runtime="runc"}' 3
	prom_expect "runc containers alive" 'nstrace_containers_alive{runtime="runc"}' 1
	rc=0
	runc exec "$tag-ms" /bin/busybox sh -c 'exit 6' || rc=$?
	expect "runc exec's exit status" 6 "$rc"
	prom_expect "joins into runc containers" 'nstrace_container_joins_total{runtime="runc"}' 1
	prom_expect "execs by joined processes" 'nstrace_container_execs_total{runtime="runc",joined="true"}' 1
	runc kill "$tag-ms" KILL
	wait_for 30 oci_is runc "$tag-ms" stopped || fail "the runc container did not stop"
	runc delete "$tag-ms"
	prom_expect "runc containers destroyed" 'nstrace_containers_destroyed_total{runtime="runc"}' 4
	prom_expect "runc containers alive at the end" 'nstrace_containers_alive{runtime="runc"}' 0
	prom_expect "execs of pid 1 in runc containers" 'nstrace_container_execs_total{runtime="runc",joined="false"}' 4
	prom_expect "runc starts observed" 'nstrace_container_start_seconds_count{runtime="runc"}' 4
	prom_expect "no runc container incomplete" 'nstrace_containers_incomplete{runtime="runc"}' 0
	# a user in a container runs a set-user-ID root program: it gains capabilities, one alert
	mkdir -p "$T/suidroot/suid"
	cp -a "$R/." "$T/suidroot/"
	# busybox picks its applet by the name it runs as: the setuid copy keeps the name
	cp "$R/bin/busybox" "$T/suidroot/suid/busybox"
	chmod 4755 "$T/suidroot/suid/busybox"
	# the alert compares an exec with the one before it in the process: a plain one, then the setuid one
	runc_bundle "$tag-mg" "$(sh_argv '/bin/busybox true; /suid/busybox true')"
	jq --arg root "$T/suidroot" '.root.path = $root | .process.user = {"uid": 1000, "gid": 1000} |
		.process.noNewPrivileges = false' "$bundle/config.json" >"$bundle/config.json.new"
	mv "$bundle/config.json.new" "$bundle/config.json"
	rc=0
	runc run --bundle "$bundle" "$tag-mg" </dev/null >"$T/mg.log" 2>&1 || rc=$?
	expect "the setuid run's exit status" 0 "$rc"
	prom_expect "alerts by rule" 'nstrace_alerts_total{rule="capability_gain"}' 1
	prom_expect "runc starts observed with it" 'nstrace_container_start_seconds_count{runtime="runc"}' 5
	sum=$(prom_query 'nstrace_container_start_seconds_sum{runtime="runc"}')
	over=$(prom_query 'nstrace_container_start_seconds_bucket{runtime="runc",le="+Inf"}')
	expect "the +Inf bucket holds every start" 5 "$over"
	pids=$(prom_query 'nstrace_namespaces_created_total{type="pid"}')
	[ "$pids" != none ] && [ "$pids" -ge 4 ] && pass "pid namespaces created: $pids" ||
		fail "pid namespaces created: $pids, fewer than the 4 runc made"
	# a stopped target goes stale in Prometheus at its next scrape: read it while it runs
	prom_lost=$(prom_query 'nstrace_events_lost_total')
	prom_alerts=$(prom_query 'sum(nstrace_alerts_total)')
	trace_stop
	# the trace is the host's: whatever else raised an alert, each one printed is counted once
	expect "alerts: Prometheus counts each one printed" \
		"$(jq -c 'select(.type == "alert")' "$trace_out" | wc -l)" "$prom_alerts"
	jq -c 'select(.type == "alert") | {rule, container, comm}' "$trace_out" | sed 's/^/  alert: /'
	# the histogram holds what the destroy records say each start took
	expect "the start times' sum is the records' sum" "$(jq -s '[.[] | select(.type == "container_destroy" and
		.runtime == "runc") | .start.total_ns] | add / 1e9 * 1e6 | round' "$trace_out")" \
		"$(echo "$sum" | jq '. * 1e6 | round')"
	expect "events lost: Prometheus and the summary agree" "$(jq -r 'select(.type == "summary") | .lost' "$trace_out")" \
		"$prom_lost"
}

# every_file BASE: BASE and what logrotate made of it (BASE.1, BASE.2.gz, ...), oldest first.
every_file() {
	for _n in 9 8 7 6 5 4 3 2 1; do
		for _f in "$1.$_n" "$1.$_n.gz"; do
			[ -e "$_f" ] && echo "$_f"
		done
	done
	echo "$1"
}

# A container every 50 ms whose pid 1 runs "true m-N", until $T/stop-flow exists; counts in $T/flow.count.
flow() {
	_i=0
	while [ ! -e "$T/stop-flow" ]; do
		unshare --pid --fork "$busybox" true "m-$_i"
		_i=$((_i + 1))
		echo "$_i" >"$T/flow.count"
		sleep 0.05
	done
}

scenario_rotate() {
	scenario=rotate
	[ "$(id -u)" -eq 0 ] || { skip "needs root"; return; }
	busybox=$(command -v busybox)
	log=$T/rotate-log
	mkdir -p "$log"
	# the snippet as installed, for the test's directory, with a signal to this nstrace for systemctl's;
	# the recording rotates alike
	trace_out=$log/nstrace.jsonl trace_rec=$log/nstrace.rec trace_err=$T/rotate.err
	sed -e "s|/var/log/nstrace/\*.jsonl|$log/*.jsonl $log/*.rec|" \
		-e "s|systemctl kill --kill-whom=main --signal=HUP nstrace.service|kill -HUP \$(cat $T/rotate.pid)|" \
		"$repo/packaging/nstrace.logrotate" >"$T/rotate.conf"
	grep -q "kill -HUP" "$T/rotate.conf" || { fail "the snippet has no postrotate signal to replace"; return; }
	"$NSTRACE" --json --ringbuf-kb 65536 -o "$trace_out" --record "$trace_rec" 2>"$trace_err" &
	trace_pid=$!
	echo "$trace_pid" >"$T/rotate.pid"
	track "$trace_pid"
	wait_for 60 ready_or_gone
	ready || { fail "nstrace did not get ready: $(cat "$trace_err")"; return; }
	rm -f "$T/stop-flow"
	flow &
	flow_pid=$!
	track "$flow_pid"
	for round in 1 2 3; do
		sleep 1.5
		out=$(logrotate --force --state "$T/rotate.state" "$T/rotate.conf" 2>&1) && rc=0 || rc=$?
		expect "logrotate run $round" "0 " "$rc $out"
	done
	sleep 1
	touch "$T/stop-flow"
	wait "$flow_pid"
	kill -TERM "$trace_pid"
	rc=0
	wait "$trace_pid" || rc=$?
	trace_pid=
	expect "nstrace exit status" 0 "$rc"
	expect "stderr: each SIGHUP reopened both files" "6 0" \
		"$(grep -c "\"reopened " "$trace_err") $(grep -cv "\"ready\"\|\"hooks: \|\"reopened " "$trace_err")"

	files=$(every_file "$trace_out")
	expect "four log files: three rotations and the live one" 4 "$(echo "$files" | wc -l)"
	for f in $files; do
		[ -s "$f" ] || fail "$f is empty: the rotation lost its lines"
	done
	all=$T/rotate-all.jsonl
	for f in $files; do zcat -f "$f"; done >"$all"
	bad=$(jq -c . "$all" 2>&1 >/dev/null | head -n 3)
	expect "every line of every file parses" "" "$bad"
	expect "no line is cut" "$(wc -l <"$all")" "$(jq -c . "$all" 2>/dev/null | wc -l)"
	containers=$(cat "$T/flow.count")
	[ "$containers" -gt 20 ] && pass "$containers containers ran during the rotations" ||
		fail "only $containers containers ran"
	# each container's pid 1 ran "true m-N" once: its exec line is in exactly one file
	seen=$(jq -r 'select(.type == "container_exec") | .argv | select(.[1] == "true") | .[2]' "$all" | sort)
	expect "every container's exec once, across the files" "$(seq 0 $((containers - 1)) | sed 's/^/m-/' | sort)" "$seen"
	expect "one summary, at the end of the live file" "1 summary" \
		"$(grep -c '"type":"summary"' "$all") $(tail -n 1 "$trace_out" | jq -r .type)"
	for f in $files; do
		n=$(zcat -f "$f" | jq -r 'select(.type == "container_exec") | .container' | wc -l)
		[ "$n" -gt 0 ] && pass "$(basename "$f") holds $n containers' execs" ||
			fail "$(basename "$f") holds no container's exec"
	done

	# each recording replays on its own; together they hold every event of the run
	events=0
	for f in $(every_file "$trace_rec"); do
		zcat -f "$f" >"$T/piece.rec"
		if "$NSTRACE" replay --json "$T/piece.rec" >"$T/piece.jsonl" 2>"$T/piece.err"; then
			pass "$(basename "$f") replays"
		else
			fail "$(basename "$f") does not replay: $(cat "$T/piece.err")"
		fi
		events=$((events + $(jq -r 'select(.type == "summary") | .events' "$T/piece.jsonl")))
	done
	expect "the recordings' events add up to the run's" "$(jq -r 'select(.type == "summary") | .events' "$trace_out")" \
		"$events"
}

for group in $groups; do
	case $group in
	install) scenario_install ;;
	man) scenario_man ;;
	completion) scenario_completion ;;
	unit) scenario_unit ;;
	logrotate) scenario_logrotate ;;
	image) scenario_image ;;
	metrics) scenario_metrics ;;
	rotate) scenario_rotate ;;
	*) echo "service: unknown scenario group $group"; exit 2 ;;
	esac
done

finished=true
echo "service: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
