#!/bin/sh
# nstrace as a service: make install and uninstall, the man page, bash completion,
# the systemd unit's privileges, the logrotate snippet and the container image.
# Usage: tests/service/run.sh [NSTRACE [install|man|completion|unit|logrotate|image]...]
# The unit and image groups trace the host and need root; run them under the shared lock.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
NSTRACE=$(realpath "${1:-./nstrace}")
[ $# -gt 0 ] && shift
[ -x "$NSTRACE" ] || { echo "service: no nstrace at $NSTRACE"; echo "service: 0 passed, 1 failed, 0 skipped"; exit 1; }
groups=${*:-install man completion unit logrotate image}
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
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

# A busybox root file system as a tarball, for docker import.
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
	for signal in SIGINT SIGTERM SIGPIPE; do
		grep -q "^\.It Dv .*$signal" "$page" && pass "signal $signal described" ||
			fail "signal $signal not described"
	done
	for type in container_create container_init container_exec container_join container_exit \
		container_destroy container lost summary; do
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

	unit_trace full "$ambient"
	expect "with the unit's capabilities: exit status" 0 "$unit_rc"
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
		else
			key=$(key_of ".origin == \"existing\" and .pidns == $before_pidns")
			expect "without ${cap#+}: the running container is not found" "" "$key"
		fi
	done
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
	[ "$size" -lt 8000000 ] && pass "the image is small ($size bytes)" || fail "the image has $size bytes"
	dk create --name "$name-files" "$name:test" >/dev/null 2>&1
	expect "the image holds nstrace alone" "usr/sbin/nstrace" \
		"$(dk export "$name-files" | tar -t | grep -v '/$' | grep -vxE '\.dockerenv|etc/(hostname|hosts|mtab|resolv\.conf)|(dev|proc|sys)/.*' )"
	dk rm "$name-files" >/dev/null
	if dk run --rm --entrypoint /bin/sh "$name:test" -c true >/dev/null 2>&1; then
		fail "the image has a shell"
	else
		pass "the image has no shell"
	fi

	run=$(documented_docker_run)
	[ -n "$run" ] || { fail "no docker run line in the man page"; return; }
	# shellcheck disable=SC2086 # the documented words
	set -- $run
	args=
	for word; do
		case $word in
		nstrace:latest) args="$args $name:test" ;;
		nstrace) args="$args $name-tracer" ;;
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

for group in $groups; do
	case $group in
	install) scenario_install ;;
	man) scenario_man ;;
	completion) scenario_completion ;;
	unit) scenario_unit ;;
	logrotate) scenario_logrotate ;;
	image) scenario_image ;;
	*) echo "service: unknown scenario group $group"; exit 2 ;;
	esac
done

finished=true
echo "service: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
